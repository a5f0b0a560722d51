"""Attacks on warm-start snapshots: planted, truncated, flipped, foreign and odd files,
transient parse failures, edits that keep size and mtime, racing writers."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import bot.corpus.library as library_module
import bot.corpus.uploads as uploads_module
from bot.corpus.library import LibraryRecords
from bot.corpus.loaders import ParseOutcome
from bot.corpus.model import Rejection
from bot.service import NewsService
from bot.snapshot import FORMAT_VERSION, HEADER, MAGIC, Snapshot, SnapshotRejected
from tests.support.library_folder import library_folder

ARTICLES = {
    "economy/rates.txt": (
        "Central bank raises interest rates\n\n"
        "The central bank raised interest rates by a quarter point to fight inflation.\n"
    ),
    "tech/phones.txt": (
        "Mobile phone makers cut prices\n\n"
        "Mobile phone makers cut prices as sales of smartphones slowed this year.\n"
    ),
    "world/ferry.txt": (
        "Ferry crews strike\n\nFerry crews walked out over pay, stranding passengers.\n"
    ),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return library_folder(tmp_path / "articles", ARTICLES)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def titles(service: NewsService) -> list[str]:
    return sorted(a.title for a in service.articles.values())


def planted(snapshot: Snapshot, payload: bytes) -> None:
    """A file with a correct header and checksum around ``payload`` (as anyone who can
    write DATA_DIR and read the code can make)."""
    head = HEADER.pack(
        MAGIC,
        FORMAT_VERSION,
        snapshot.fingerprint,
        snapshot.folder,
        len(payload),
        hashlib.sha256(payload).digest(),
    )
    snapshot.data_dir.mkdir(parents=True, exist_ok=True)
    snapshot.path.write_bytes(head + payload)


# -- problems the review found, fixed (these keep them so) --------------------------------


def test_a_parse_that_timed_out_once_is_retried_on_the_next_start(
    folder: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parse that timed out (a busy machine during the first start) is kept without
    the file's digest, so the next start parses that file again, as a cold start would."""
    real = library_module.parse_files

    def busy(items, **kwargs):  # type: ignore[no-untyped-def]
        for rel, outcome in real(items, **kwargs):
            if rel == "tech/phones.txt":
                reason = "reading it took longer than 5 seconds (PARSE_TIMEOUT_SECONDS)"
                outcome = ParseOutcome(rejections=(Rejection(rel, reason),), transient=True)
            yield rel, outcome

    monkeypatch.setattr(library_module, "parse_files", busy)
    first = NewsService.load(folder, data_dir=data)
    assert "Mobile phone makers cut prices" not in titles(first)
    monkeypatch.setattr(library_module, "parse_files", real)

    warm = NewsService.load(folder, data_dir=data)
    cold = NewsService.load(folder)
    assert warm.loaded_from_snapshot
    assert "Mobile phone makers cut prices" in titles(cold)
    assert titles(warm) == titles(cold)


def test_an_edit_with_the_same_size_and_mtime_is_seen_after_a_restart(
    folder: Path, data: Path
) -> None:
    """Two writes within one timestamp tick keep the mtime, and `rsync -a`, `cp -p` or a
    backup restore set it back; the change time moves on all the same."""
    NewsService.load(folder, data_dir=data)
    path = folder / "world/ferry.txt"
    before = path.stat()
    path.write_text(ARTICLES["world/ferry.txt"].replace("Ferry", "Train"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size

    warm = NewsService.load(folder, data_dir=data)
    assert warm.loaded_from_snapshot
    assert titles(warm) == titles(NewsService.load(folder))


def test_a_well_framed_snapshot_with_bad_records_is_rebuilt(folder: Path, data: Path) -> None:
    """The header and checksum are right and every class named is allowed, but the
    records are not what a save writes: the load must rebuild, not crash."""
    good = NewsService.load(folder, data_dir=data)
    assert good.snapshot is not None
    payload = {
        "library": LibraryRecords(seen={"tech/phones.txt": 42}, articles={}),  # type: ignore[dict-item]
        "feed": {},
        "index": good.index,
        "topics": good.topic_model,
    }
    planted(good.snapshot, pickle.dumps(payload, protocol=5))

    service = NewsService.load(folder, data_dir=data)  # AttributeError: 'int' ... 'digest'
    assert titles(service) == titles(good)


def _saved(folder: Path, data: Path) -> tuple[Snapshot, bytes]:
    service = NewsService.load(folder, data_dir=data)
    assert service.snapshot is not None
    return service.snapshot, service.snapshot.path.read_bytes()


def test_every_truncation_and_every_flipped_byte_is_rejected(folder: Path, data: Path) -> None:
    snapshot, blob = _saved(folder, data)
    for cut in range(len(blob)):
        snapshot.path.write_bytes(blob[:cut])
        with pytest.raises(SnapshotRejected):
            snapshot.read()
    for at in range(len(blob)):
        flipped = bytearray(blob)
        flipped[at] ^= 0x01 if at % 2 else 0x80
        snapshot.path.write_bytes(bytes(flipped))
        with pytest.raises(SnapshotRejected):
            snapshot.read()
    snapshot.path.write_bytes(blob + b"\0")
    with pytest.raises(SnapshotRejected):
        snapshot.read()


class _Call:
    def __init__(self, func: object, *args: object) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return self.func, self.args


@pytest.mark.parametrize(
    "func, args",
    [
        (os.system, ("touch PWNED",)),
        (eval, ("__import__('os').system('touch PWNED')",)),
        (subprocess.Popen, (["touch", "PWNED"],)),
        (getattr, ("text", "upper")),
        (uploads_module.remove_stray_uploads, (Path("."),)),  # a bot.* function
        (pickle.loads, (b"",)),
    ],
)
def test_a_planted_pickle_cannot_call_functions(
    folder: Path,
    data: Path,
    func: object,
    args: tuple[object, ...],
    caplog: pytest.LogCaptureFixture,
) -> None:
    snapshot, _ = _saved(folder, data)
    planted(snapshot, pickle.dumps({"library": _Call(func, *args)}, protocol=5))
    with pytest.raises(SnapshotRejected, match="may not"):
        snapshot.read()
    with caplog.at_level(logging.WARNING):
        service = NewsService.load(folder, data_dir=data)
    assert not service.loaded_from_snapshot and len(service.articles) == 3
    assert not Path("PWNED").exists()


def test_a_huge_garbage_file_costs_a_header_read(folder: Path, data: Path) -> None:
    snapshot, blob = _saved(folder, data)
    with open(snapshot.path, "r+b") as handle:  # sparse: 64 GiB, valid header, wrong size
        handle.truncate(64 << 30)
    with pytest.raises(SnapshotRejected, match="bytes after its payload"):
        snapshot.read()
    snapshot.path.write_bytes(b"\xff" * HEADER.size + blob)
    with pytest.raises(SnapshotRejected, match="not a newsbot snapshot"):
        snapshot.read()


def test_a_folder_in_place_of_the_snapshot_or_of_data_dir(folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = NewsService.load(folder, data_dir=data)
    assert first.snapshot is not None
    first.snapshot.path.unlink()
    first.snapshot.path.mkdir()
    assert len(NewsService.load(folder, data_dir=data).articles) == 3
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    service = NewsService.load(folder, data_dir=a_file)
    assert len(service.articles) == 3 and not service.save_snapshot()


def test_a_symlink_in_place_of_the_snapshot_is_replaced_not_written_through(
    folder: Path, data: Path, tmp_path: Path
) -> None:
    snapshot, _ = _saved(folder, data)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    snapshot.path.unlink()
    snapshot.path.symlink_to(victim)
    NewsService.load(folder, data_dir=data)
    assert victim.read_text() == "keep me" and not snapshot.path.is_symlink()


def test_concurrent_writers_leave_one_whole_snapshot(folder: Path, data: Path) -> None:
    services = [NewsService.load(folder, data_dir=data) for _ in range(4)]
    threads = [threading.Thread(target=s.save_snapshot) for s in services for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert services[0].snapshot is not None
    services[0].snapshot.read()
    assert not list(data.glob("*.tmp"))
    warm = NewsService.load(folder, data_dir=data)
    assert warm.loaded_from_snapshot and titles(warm) == titles(services[0])


def test_another_folders_snapshot_copied_over_is_rejected(tmp_path: Path, folder: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("Another headline\n\nAnother body about something.\n")
    data = tmp_path / "data"
    theirs = NewsService.load(other, data_dir=data)
    mine = NewsService(folder, data_dir=data)
    assert theirs.snapshot is not None and mine.snapshot is not None
    mine.snapshot.path.parent.mkdir(parents=True, exist_ok=True)
    mine.snapshot.path.write_bytes(theirs.snapshot.path.read_bytes())
    mine.load_library()
    assert not mine.loaded_from_snapshot and len(mine.articles) == 3


def test_feed_articles_changed_between_runs(folder: Path, data: Path) -> None:
    from bot.corpus.model import Article

    def feed(*titles_: str) -> list[Article]:
        return [
            Article(f"feed-x/{n}", t, t + " today.", (t + " today.",))
            for n, t in enumerate(titles_)
        ]

    NewsService.load(folder, data_dir=data, feed_articles=feed("Storm", "Election"))
    warm = NewsService.load(folder, data_dir=data, feed_articles=feed("Gale", "Election", "Vote"))
    cold = NewsService.load(folder, feed_articles=feed("Gale", "Election", "Vote"))
    assert warm.loaded_from_snapshot
    assert warm.articles == cold.articles
    for query in ("storm", "gale", "vote", "election"):
        assert warm.search(query) == cold.search(query)


def test_a_fifo_in_place_of_the_snapshot_does_not_hang_the_load(folder: Path, data: Path) -> None:
    """``open(path, "rb")`` on a named pipe blocks until someone writes to it: the load
    never ends (the bot answers "loading" forever; the CLI hangs)."""
    snapshot, _ = _saved(folder, data)
    snapshot.path.unlink()
    os.mkfifo(snapshot.path)
    code = (
        "import sys; from bot.service import NewsService; "
        "s = NewsService.load(sys.argv[1], data_dir=sys.argv[2]); print(len(s.articles))"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(folder), str(data)],
            capture_output=True,
            text=True,
            timeout=20,  # a load of three files takes well under a second
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the load hung on the FIFO")
    assert done.stdout.strip() == "3"


def test_a_class_merely_imported_into_a_core_module_is_not_callable_from_a_snapshot(
    folder: Path, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``find_class`` allows every *type* reachable as ``bot.corpus.<mod>.<name>``, not only
    classes defined there: 21 stdlib types pass today (pathlib.Path, collections.deque,
    itertools.repeat, ...). One ``from subprocess import Popen`` in a core module (a parser
    helper, say) and a planted snapshot runs a program while it is being read."""
    import bot.corpus.workers as workers_module

    monkeypatch.setattr(workers_module, "Popen", subprocess.Popen, raising=False)
    snapshot, _ = _saved(folder, data)
    marker = tmp_path / "PWNED"

    # GLOBAL bot.corpus.workers.Popen, its arguments, REDUCE: what a planter writes.
    args = pickle.dumps((["touch", str(marker)],), protocol=2)[2:-1]
    body = b"\x80\x02cbot.corpus.workers\nPopen\n" + args + b"R."
    planted(snapshot, body)
    with pytest.raises(SnapshotRejected):
        snapshot.read()
    assert not marker.exists()


@pytest.mark.parametrize("depth", [1_000, 1_000_000])
def test_a_deeply_nested_planted_payload_is_rebuilt_in_linear_time(
    folder: Path, data: Path, depth: int
) -> None:
    """A checksum-valid pickle of lists nested a million deep: read without recursion,
    refused for its shape, and the folder loaded from the files."""
    good = NewsService.load(folder, data_dir=data)
    assert good.snapshot is not None
    planted(good.snapshot, b"\x80\x05" + b"]" * depth + b"a" * (depth - 1) + b".")

    service = NewsService.load(folder, data_dir=data)

    assert not service.loaded_from_snapshot
    assert titles(service) == titles(good)
