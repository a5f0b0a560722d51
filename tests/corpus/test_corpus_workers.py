"""Parsing in worker processes: a file that crashes its parser or runs past the time
budget is rejected with that reason while the rest load, and the pool carries on.

The crash is real: the parser below sends its own worker process SIGSEGV, as libyaml's C
loader did on deeply nested front matter. Parsers are module-level functions so that the
worker processes can import them by name.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import string
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.corpus.library import Library
from bot.corpus.loaders import SUPPORTED_SUFFIXES, ParseOutcome, parse_bytes
from bot.corpus.workers import _Job, _result, parse_files, parse_one

GOOD = b"Harbour Ferry Returns\n\nThe harbour ferry sailed again on Monday after repairs.\n"


def hostile_parser(name: str, data: bytes, *, max_bytes: int) -> ParseOutcome:
    """``parse_bytes``, except that files named crash* crash and slow* never finish."""
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("slow"):
        while True:  # a parser stuck in a loop: only stopping its process ends it
            pass
    return parse_bytes(name, data, max_bytes=max_bytes)


def test_a_parser_crash_and_a_stuck_parser_cost_only_their_own_files(tmp_path: Path) -> None:
    for number in range(30):
        (tmp_path / f"story-{number:02d}.txt").write_bytes(GOOD.replace(b"Monday", b"day"))
    (tmp_path / "crash.txt").write_bytes(GOOD)
    (tmp_path / "slow.txt").write_bytes(GOOD)
    library = Library(tmp_path, parse_timeout=1.0, parser=hostile_parser)

    report = library.reload()

    assert len(library.articles) == 30
    reasons = {r.path: r.reason for r in report.rejected}
    assert set(reasons) == {"crash.txt", "slow.txt"}
    assert reasons["crash.txt"] == (
        "the parser crashed on this file (its worker process ended with SIGSEGV)"
    )
    assert reasons["slow.txt"] == (
        "reading it took longer than 1 second (PARSE_TIMEOUT_SECONDS), so it was stopped"
    )
    # The pool is whole again: the next files parse normally.
    (tmp_path / "late.txt").write_bytes(GOOD)
    assert "late" in library.reload().added


def test_an_upload_check_runs_in_a_worker_under_the_same_budget(tmp_path: Path) -> None:
    library = Library(tmp_path, parse_timeout=1.0, parser=hostile_parser)
    [rejection] = library.check("crash-upload.txt", GOOD).rejections
    assert "crashed" in rejection.reason
    [article] = library.check("fine.txt", GOOD).articles
    assert article.title == "Harbour Ferry Returns"
    assert not list(tmp_path.iterdir()), "checking writes nothing"


def test_many_files_come_back_each_with_its_own_outcome() -> None:
    items = [(f"n{number}.txt", b"Head %d\nBody %d." % (number, number)) for number in range(300)]
    outcomes = dict(parse_files(items, max_bytes=1000))
    assert len(outcomes) == 300
    assert outcomes["n7.txt"].articles[0].title == "Head 7"
    assert parse_one("big.txt", b"x" * 2000, max_bytes=1000).rejections


def test_a_pool_whose_workers_were_all_killed_is_replaced() -> None:
    assert parse_one("before.txt", GOOD, max_bytes=1000).articles
    workers = [p for p in multiprocessing.active_children() if p.name == "pebble_pool_worker"]
    assert workers
    for worker in workers:
        os.kill(worker.pid, signal.SIGKILL)

    [article] = parse_one("after.txt", GOOD, max_bytes=1000).articles

    assert article.title == "Harbour Ferry Returns"


names = st.binary(min_size=1, max_size=40).filter(
    lambda raw: b"/" not in raw and b"\x00" not in raw and raw not in (b".", b"..")
)
suffixes = st.sampled_from([s.encode() for s in SUPPORTED_SUFFIXES] + [b"", b".pdf", b".TXT"])
contents = st.binary(max_size=400) | st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(list(string.punctuation)),
    max_size=400,
).map(lambda text: text.encode("utf-8", "surrogatepass"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.dictionaries(st.tuples(names, suffixes), contents, max_size=6))
def test_any_bytes_in_any_file_names_never_break_a_reload(
    files: dict[tuple[bytes, bytes], bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    raw_folder = os.fsencode(folder)
    for (stem, suffix), data in files.items():
        with open(os.path.join(raw_folder, stem + suffix), "wb") as handle:
            handle.write(data)
    library = Library(folder)

    report = library.reload()

    assert all(r.reason.strip() for r in report.rejected)
    assert all(w.reason.strip() for w in library.warnings)
    for article in library.articles.values():
        assert article.title and article.sentences


def test_a_task_a_dead_pool_left_pending_is_reported_not_waited_for() -> None:
    # pebble aborts only the tasks it has registered: one queued just as the pool broke
    # keeps a future that never completes. Waiting on it must end, as a broken pool.
    job = _Job([("a.txt", GOOD)], alone=True, future=Future(), pool=SimpleNamespace(active=False))
    with pytest.raises(BrokenProcessPool):
        _result(job)
