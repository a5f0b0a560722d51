"""The snapshot file: what is written is read back, and nothing else is ever trusted."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from array import array
from pathlib import Path
from typing import Any

import pytest

import bot
import bot.snapshot as snapshot_module
from bot.corpus.model import Article
from bot.snapshot import HEADER, Debouncer, Snapshot, SnapshotRejected

PAYLOAD = {
    "articles": (Article("a", "Title", "Body.", ("Body.",), date=dt.date(2026, 1, 2)),),
    "postings": {"body": array("I", [0, 1, 2])},
    "seen": frozenset({b"x", 3}),
}


@pytest.fixture
def snap(tmp_path: Path) -> Snapshot:
    articles = tmp_path / "articles"
    articles.mkdir()
    return Snapshot(tmp_path / "data", articles, settings=(1000, 5.0))


def written(snap: Snapshot, payload: Any = PAYLOAD) -> bytes:
    assert snap.save(payload)
    return snap.path.read_bytes()


def rejected(snap: Snapshot) -> str:
    with pytest.raises(SnapshotRejected) as info:
        snap.read()
    return str(info.value)


def test_round_trip_gives_back_equal_values(snap: Snapshot) -> None:
    written(snap)
    assert snap.read() == PAYLOAD
    assert snap.path.parent == snap.data_dir
    assert not list(snap.data_dir.glob("*.tmp"))


def test_no_snapshot_is_none_and_says_so(snap: Snapshot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    assert snap.load() is None
    assert "no snapshot" in caplog.text


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (0, "not a newsbot snapshot"),  # magic
        (9, "snapshot format"),  # format version
        (13, "another newsbot version"),  # code fingerprint
        (45, "another articles folder"),  # folder key
        (HEADER.size - 1, "corrupt"),  # the checksum itself
        (HEADER.size + 5, "corrupt"),  # the payload
        (-1, "corrupt"),  # the payload's last byte
    ],
)
def test_a_flipped_byte_anywhere_is_detected(
    snap: Snapshot, where: int, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = bytearray(written(snap))
    data[where] ^= 0x40
    snap.path.write_bytes(bytes(data))
    assert reason in rejected(snap)
    assert snap.load() is None
    assert "rebuilding" in caplog.text and reason in caplog.text


def test_a_flipped_length_is_detected(snap: Snapshot) -> None:
    data = bytearray(written(snap))
    data[8 + 4 + 32 + 32] ^= 0x01  # the payload length's low byte
    snap.path.write_bytes(bytes(data))
    assert "truncated" in rejected(snap) or "bytes after" in rejected(snap)


@pytest.mark.parametrize("keep", [0, 10, HEADER.size, HEADER.size + 1])
def test_truncated_snapshot_is_detected(snap: Snapshot, keep: int) -> None:
    data = written(snap)
    snap.path.write_bytes(data[:keep] if keep != HEADER.size + 1 else data[:-1])
    assert "truncated" in rejected(snap)


def test_trailing_bytes_are_detected(snap: Snapshot) -> None:
    snap.path.write_bytes(written(snap) + b"\0")
    assert "bytes after" in rejected(snap)


def test_another_format_version_is_rejected(
    snap: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_module, "FORMAT_VERSION", snapshot_module.FORMAT_VERSION + 1)
    written(snap)
    monkeypatch.undo()
    assert "snapshot format 2" in rejected(snap)


def test_another_newsbot_version_or_settings_is_rejected(
    snap: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot, "__version__", "0.0.1")
    older = Snapshot(snap.data_dir, tmp_path / "articles", settings=(1000, 5.0))
    monkeypatch.undo()
    written(older)
    assert "another newsbot version" in rejected(snap)
    # The same code with another size cap or parse timeout would load other articles.
    written(snap)
    other_settings = Snapshot(snap.data_dir, tmp_path / "articles", settings=(2000, 5.0))
    with pytest.raises(SnapshotRejected, match="another newsbot version"):
        other_settings.read()


def test_another_folders_snapshot_is_rejected(snap: Snapshot, tmp_path: Path) -> None:
    other = Snapshot(snap.data_dir, tmp_path / "elsewhere", settings=(1000, 5.0))
    assert other.path != snap.path  # each folder has its own file ...
    written(other)
    os.replace(other.path, snap.path)  # ... and one moved under another's name is refused
    assert "another articles folder" in rejected(snap)


def test_garbage_costs_only_a_header_read(snap: Snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    snap.data_dir.mkdir(parents=True)
    with open(snap.path, "wb") as handle:  # 8 GiB of nothing (sparse) behind junk
        handle.write(b"GIF89a" + bytes(200))
        handle.truncate(8 << 30)
    read: list[int] = []
    real_open = open

    class Counting:
        def __init__(self, handle: Any) -> None:
            self._handle = handle

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self._handle.close()

        def __getattr__(self, name: str) -> Any:
            return getattr(self._handle, name)

        def read(self, n: int = -1) -> bytes:
            data = self._handle.read(n)
            read.append(len(data))
            return bytes(data)

    monkeypatch.setattr(
        snapshot_module, "open", lambda *a, **k: Counting(real_open(*a, **k)), raising=False
    )
    assert "not a newsbot snapshot" in rejected(snap)
    assert sum(read) == HEADER.size

    # A right header that claims less than the file holds: refused before any hashing.
    good = Snapshot(snap.data_dir, snap.data_dir.parent / "articles", settings=(1000, 5.0))
    header = written(good)[: HEADER.size]
    read.clear()
    with real_open(snap.path, "r+b") as handle:
        handle.write(header)
        handle.truncate(8 << 30)
    assert "bytes after" in rejected(snap)
    assert sum(read) == HEADER.size


class _Planted:
    def __init__(self, call: Any, *args: Any) -> None:
        self.call, self.args = call, args

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.call, self.args)


def test_a_planted_pickle_runs_no_code(snap: Snapshot, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    written(snap, {"x": _Planted(os.system, f"touch {marker}")})
    assert "may not" in rejected(snap)
    assert not marker.exists()

    # Not even a function of the bot's own: only classes are allowed.
    from bot.corpus.uploads import remove_stray_uploads

    written(snap, [_Planted(remove_stray_uploads, tmp_path)])
    assert "may not" in rejected(snap)


def with_header(snap: Snapshot, payload: bytes) -> bytes:
    """``payload`` behind a header that is right in every field."""
    checksum = hashlib.sha256(payload).digest()
    head = HEADER.pack(
        snapshot_module.MAGIC,
        snapshot_module.FORMAT_VERSION,
        snap.fingerprint,
        snap.folder,
        len(payload),
        checksum,
    )
    return head + payload


def test_a_checksummed_but_broken_pickle_is_rejected(snap: Snapshot) -> None:
    snap.data_dir.mkdir(parents=True)
    snap.path.write_bytes(with_header(snap, pickle.dumps({"a": 1})[:-1]))  # no STOP
    assert "could not be read back" in rejected(snap)
    snap.path.write_bytes(with_header(snap, pickle.dumps(1) + b"junk"))
    assert "bytes after" in rejected(snap)


def test_unwritable_data_dir_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    snap = Snapshot(blocker / "data", tmp_path, settings=())
    assert snap.save(PAYLOAD) is False
    assert "could not write the snapshot" in caplog.text


def test_a_write_replaces_the_old_snapshot_whole(snap: Snapshot) -> None:
    written(snap, {"n": 1})
    written(snap, {"n": 2})
    assert snap.read() == {"n": 2}
    assert [p.name for p in snap.data_dir.iterdir()] == [snap.path.name]


def test_debouncer_runs_once_after_many_pokes_and_flush_waits() -> None:
    runs: list[int] = []
    debounced = Debouncer(lambda: runs.append(1))
    for _ in range(5):
        debounced.poke(3600)  # far in the future: only flush makes it run
    assert runs == []
    debounced.flush()
    assert runs == [1]
    debounced.flush()  # nothing pending: returns at once
    assert runs == [1]


def test_a_fifo_in_its_place_is_refused_not_waited_on(snap: Snapshot) -> None:
    snap.data_dir.mkdir(parents=True)
    os.mkfifo(snap.path)  # nothing will ever write to it
    assert "not a regular file" in rejected(snap)
    assert snap.load() is None


def test_a_killed_writers_temporary_file_is_removed_a_live_ones_kept(snap: Snapshot) -> None:
    import fcntl

    written(snap)
    dead = snap.data_dir / f"{snap.path.name}.dead.tmp"
    dead.write_bytes(b"half a snapshot")  # its writer was killed: nobody holds its lock
    live = snap.data_dir / f"{snap.path.name}.live.tmp"
    with live.open("wb") as writing:
        fcntl.flock(writing.fileno(), fcntl.LOCK_EX)  # another process, mid-write
        written(snap)
        assert live.exists()
    assert not dead.exists()
    assert snap.read() == PAYLOAD
