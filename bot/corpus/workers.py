"""Parsing article files in worker processes, so that one file can only cost itself.

Files are parsed in a pool of worker processes (pebble's ``ProcessPool``), never in the
bot's own process: a parser that runs past its time budget is stopped, and one that
crashes outright (a C extension's segmentation fault) takes down only its worker. Either
way that file is rejected with the reason and the rest load. The pool is shared by the
whole process and started on first use; its workers are forked from a small "fork server"
that has the parsing code loaded, so a replacement worker costs milliseconds.

Small files travel in batches (a few hundred KB), so a library of 100,000 short articles
does not pay one round trip per file; a batch that times out or crashes is retried file by
file, so only the culprit is rejected.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.util  # its exit clean-up registers now, so ours runs before it
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from bot.corpus.loaders import ParseOutcome, parse_bytes
from bot.corpus.model import Rejection
from bot.limits import DEFAULT_PARSE_TIMEOUT

log = logging.getLogger(__name__)


Parser = Callable[..., ParseOutcome]
"""``parser(name, data, max_bytes=...) -> ParseOutcome``; a module-level function, so
worker processes can import it by name."""

_BATCH_BYTES = 256_000
_BATCH_FILES = 64
_IN_FLIGHT_PER_WORKER = 4
_POOL_ATTEMPTS = 3  # a batch is retried this often when the pool itself broke
_LIVENESS_CHECK_SECONDS = 1.0


def _parse_batch(
    parser: Parser, items: list[tuple[str, bytes]], max_bytes: int
) -> list[ParseOutcome]:
    """Worker side: parse each (name, data) pair."""
    return [parser(name, data, max_bytes=max_bytes) for name, data in items]


def _worker_count() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


class PoolExiting(RuntimeError):
    """Parsing was asked for while the process exits: nothing is parsed any more."""


class _SharedPool:
    """The process-wide pebble pool, started lazily and replaced when it breaks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: Any = None
        self._exit_hook = False
        #: Set at interpreter exit: no pool starts again (a reload still running on a
        #: daemon thread would otherwise start one whose workers cannot start any more).
        self.exiting = False

    def get(self) -> Any:
        if self.exiting:
            raise PoolExiting("the process is exiting")
        with self._lock:
            if self._pool is not None and not self._pool.active:  # broke since last use
                broken, self._pool = self._pool, None
                _stop(broken)
            if self._pool is None:
                if not self._exit_hook:
                    # Stop the workers before multiprocessing's own exit clean-up removes the
                    # semaphores they share (a worker being started then would print a
                    # traceback); atexit runs this first, as it is registered later. It is
                    # registered before the pool starts: an exit during the start (a stop
                    # while the first load runs in a thread) waits for the start, then stops.
                    atexit.register(self._exit)
                    self._exit_hook = True
                self._pool = self._start()
            return self._pool

    def replace(self, broken: Any) -> None:
        """Stop ``broken`` (if it is still the current pool) so the next ``get`` starts anew."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        _stop(broken)

    def _exit(self) -> None:
        self.exiting = True
        self.shutdown()

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            _stop(pool)

    @staticmethod
    def _start() -> Any:
        from pebble import ProcessPool  # imported here: only processes that parse need it

        return ProcessPool(max_workers=_worker_count(), context=_context())


def _context() -> Any:
    """How worker processes start: from a fork server that has the parsers imported
    (a replacement worker costs milliseconds, and nothing is forked from this process's
    threads); where that cannot work, plain fork or spawn."""
    methods = multiprocessing.get_all_start_methods()
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if "forkserver" in methods:
        if main_file is None or os.path.isfile(main_file):
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["__main__", "bot.corpus.workers"])
            return context
        # A program read from stdin: a fork server's workers could not import its __main__.
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _stop(pool: Any, wait: float = 10.0) -> None:
    """Stop ``pool`` and its workers, waiting at most ``wait`` seconds: stopping joins
    pebble's threads, and a broken pool's thread may be stuck, so it is done on a thread
    of its own rather than risk blocking the caller (a reload) for ever."""

    def stop() -> None:
        try:
            pool.stop()
            pool.join()
        except Exception:  # a pool that is already gone has nothing left to stop
            log.debug("stopping the parse pool failed", exc_info=True)

    stopper = threading.Thread(target=stop, name="newsbot-parse-pool-stop", daemon=True)
    stopper.start()
    stopper.join(wait)


_POOL = _SharedPool()


def shutdown_pool() -> None:
    """Stop the shared worker processes (they start again on the next parse)."""
    _POOL.shutdown()


@dataclass
class _Job:
    items: list[tuple[str, bytes]]
    alone: bool
    attempts: int = 0
    future: Any = None
    pool: Any = None


def parse_files(
    items: Iterable[tuple[str, bytes]],
    *,
    max_bytes: int,
    timeout: float = DEFAULT_PARSE_TIMEOUT,
    parser: Parser = parse_bytes,
) -> Iterator[tuple[str, ParseOutcome]]:
    """Parse each ``(name, data)`` in the worker pool, yielding ``(name, outcome)`` as done.

    ``items`` is consumed lazily (a bounded number of bytes are in flight), results come in
    any order, and nothing raises: a file whose parse takes longer than ``timeout`` seconds,
    or crashes its worker, gets a rejection saying so.
    """
    window = _worker_count() * _IN_FLIGHT_PER_WORKER
    source = iter(_batches(items))
    queue: deque[_Job] = deque()  # jobs to (re)submit before taking more from ``source``
    running: deque[_Job] = deque()
    exhausted = False
    while True:
        while len(running) < window:
            if queue:
                job = queue.popleft()
            elif not exhausted:
                batch = next(source, None)
                if batch is None:
                    exhausted = True
                    continue
                job = _Job(batch, alone=len(batch) == 1)
            else:
                break
            failure = _submit(job, max_bytes, timeout, parser)
            if failure is None:
                running.append(job)
            else:
                yield from _fail(job, failure, timeout, queue)
        if not running:
            return
        job = running.popleft()
        try:
            outcomes = _result(job)
        except Exception as error:  # a timeout, a dead worker, a broken pool
            yield from _fail(job, error, timeout, queue)
            continue
        for (name, _data), outcome in zip(job.items, outcomes, strict=True):
            yield name, outcome


def _result(job: _Job) -> list[ParseOutcome]:
    """The job's outcomes, or the error its future holds.

    Never waits blindly: a pool that breaks just as a task is queued can leave that task's
    future pending for ever (pebble aborts only the tasks it has registered), so while
    waiting the pool is checked, and a dead one is reported as broken.
    """
    while True:
        try:
            return job.future.result(timeout=_LIVENESS_CHECK_SECONDS)
        except FutureTimeout:
            if job.future.done():
                raise  # the task itself ran out of time
            if not job.pool.active:
                raise BrokenProcessPool("the worker pool stopped with this task pending") from None


def parse_one(
    name: str,
    data: bytes,
    *,
    max_bytes: int,
    timeout: float = DEFAULT_PARSE_TIMEOUT,
    parser: Parser = parse_bytes,
) -> ParseOutcome:
    """``parse_files`` for a single file."""
    for _name, outcome in parse_files(
        [(name, data)], max_bytes=max_bytes, timeout=timeout, parser=parser
    ):
        return outcome
    raise AssertionError("parse_files yields one outcome per file")  # pragma: no cover


def _batches(items: Iterable[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    batch: list[tuple[str, bytes]] = []
    size = 0
    for name, data in items:
        if batch and (size + len(data) > _BATCH_BYTES or len(batch) >= _BATCH_FILES):
            yield batch
            batch, size = [], 0
        batch.append((name, data))
        size += len(data)
    if batch:
        yield batch


def _submit(job: _Job, max_bytes: int, timeout: float, parser: Parser) -> Exception | None:
    job.attempts += 1
    try:
        job.pool = _POOL.get()
        job.future = job.pool.schedule(
            _parse_batch, args=(parser, job.items, max_bytes), timeout=timeout
        )
    except Exception as error:  # the pool could not start, or stopped under us
        return error
    return None


def _fail(
    job: _Job, error: BaseException, timeout: float, queue: deque[_Job]
) -> Iterator[tuple[str, ParseOutcome]]:
    """Reject the file of a failed single-file job, or queue the job's files again."""
    from pebble import ProcessExpired

    if _POOL.exiting:  # not a file's fault, and no new pool: the reload gives up
        raise PoolExiting("the process is exiting") from error
    culprit = isinstance(error, FutureTimeout | ProcessExpired)
    if not culprit:  # the pool broke (or would not start): not this job's fault
        log.warning("the parse worker pool failed (%r); starting a new one", error)
        if job.pool is not None:
            _POOL.replace(job.pool)
        if job.attempts < _POOL_ATTEMPTS:
            queue.append(job)
            return
    if not job.alone:
        # Which file of the batch was it? Each is tried again on its own.
        queue.extend(_Job([item], alone=True) for item in job.items)
        return
    name = job.items[0][0]
    yield name, ParseOutcome(rejections=(Rejection(name, _reason(error, timeout)),), transient=True)


def _reason(error: BaseException, timeout: float) -> str:
    from pebble import ProcessExpired

    if isinstance(error, FutureTimeout):
        unit = "second" if timeout == 1 else "seconds"
        return (
            f"reading it took longer than {timeout:g} {unit} (PARSE_TIMEOUT_SECONDS), "
            "so it was stopped"
        )
    if isinstance(error, ProcessExpired):
        code = error.exitcode
        how = f"exit code {code}"
        if code is not None and code < 0:
            try:
                how = signal.Signals(-code).name
            except ValueError:
                how = f"signal {-code}"
        return f"the parser crashed on this file (its worker process ended with {how})"
    if isinstance(error, BrokenProcessPool):
        return "the parser's worker processes kept failing; try again later"
    return f"the parser could not be started: {error}"
