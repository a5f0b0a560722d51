"""What every runner that posts on its own does with a claimed ledger row.

Two runners post through the exactly-once ledger (``bot.store.claims``): ``ScheduleRunner``
(``bot.schedule.runner``: a digest per due run) and ``AlertRunner`` (``bot.alerts.delivery``:
a post per new article). Each claims a row, sends, and completes the row; what they share
around that send lives here, once:

* ``Attempts.run``: the send (the runner's own steps: looking for an earlier post, sending)
  and what it came to, ``Posted``, ``Skipped`` or ``Failed``. ``NothingToPost`` skips with
  its reason; a ``PosterError``, a timeout or any unexpected exception is a failure with a
  reason a moderator can read.
* ``Attempts.count_failure``: a failed row and the failure counted against its schedule or
  alert, in one transaction: a retry after the next backoff delay, or, at the
  ``max_failures``-th failure in a row, a pause with a reason and an audit entry; then the
  moderators are told of a pause (best effort: ``tell_moderators``).
* ``Attempts.look``: looking for an earlier post, best effort (None when it cannot tell).
* ``Attempts.alone``: one process at a time on a schedule or an alert (several processes
  may share a PostgreSQL database; the others leave it for a later tick).
* ``Attempts.isolated`` and ``concurrently``: a tick's work per schedule or channel, side by
  side, where one that breaks (or finds the database file gone) stops none of the others.

What differs stays with each runner, on purpose: which rows are due; what an attempt sends
and under which timeouts (a digest's whole attempt, lookup and only_new check and send, has
one ``call_timeout``, and a lookup that fails fails the attempt; an alert's lookup and send
have one each and its channel's pacing none, and a lookup that fails is only logged, the
nonce still guarding the send); what a success records (a digest's only while its row was
still claimed); that a skipped digest drops its pending retry; that a failed run-now is
not counted.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.schedule.errors import NothingToPost, PosterError
from bot.store import DatabaseFileGone, Lease

if TYPE_CHECKING:
    from bot.store import Store

T = TypeVar("T")
Notify = Callable[[int, str], Awaitable[None]]

#: The lock of the schedule or alert the current task works on (``Attempts.alone``).
_LEASE: contextvars.ContextVar[Lease | None] = contextvars.ContextVar("lease", default=None)


class LockLost(Exception):
    """The lock a send needed went with a lost database connection: another process may
    hold it and recover the claimed row. Nothing is sent; the row stays claimed."""


#: The detail of a row completed as posted because its earlier post was found.
FOUND_EARLIER = "found already posted after an interrupted attempt"


@dataclass(frozen=True)
class Posted:
    """The message is in the channel: sent now, or ``recovered`` (found from before)."""

    message_id: int
    recovered: bool = False


@dataclass(frozen=True)
class Skipped:
    """Nothing was sent, and nothing will be for this row; ``detail`` says why."""

    detail: str


@dataclass(frozen=True)
class Failed:
    """The send failed; ``detail`` says how, for the moderators."""

    detail: str


Attempt = Posted | Skipped | Failed


@dataclass(frozen=True)
class Failure:
    """What a failure cost: ``failures`` in a row now, and a retry at ``retry_at`` or a
    pause (``paused``). ``failures`` is 0 when the row or its subject was gone."""

    failures: int
    retry_at: dt.datetime | None
    paused: bool


class Counted(Protocol):
    """A schedule or an alert, as far as counting its failures goes."""

    @property
    def failure_count(self) -> int: ...


class FailureCounts(Protocol):
    """The repository of what fails (``store.schedules``, ``store.alerts``)."""

    async def find(self, subject_id: int, /) -> Counted | None: ...

    async def record_failure(
        self,
        subject_id: int,
        /,
        *,
        next_retry_at: dt.datetime | None,
        pause_reason: str | None,
    ) -> object: ...


class Attempts:
    """The shared part of a runner's attempts (see the module's doc); one per runner,
    logging to the runner's own logger."""

    def __init__(
        self,
        store: Store,
        *,
        backoff: Sequence[dt.timedelta],
        max_failures: int,
        call_timeout: dt.timedelta,
        notify: Notify | None,
        log: logging.Logger,
    ) -> None:
        self._store = store
        self._backoff = tuple(backoff)
        self._max_failures = max_failures
        #: Seconds one call to Discord may take.
        self.timeout = call_timeout.total_seconds()
        self._notify = notify
        self._log = log
        #: Whether ``alone`` found a schedule or alert another process was at, since the
        #: runner last cleared it: the runner then looks again at its next tick, not at
        #: the next due time (that process may stop mid-post, and its post is then ours).
        self.contended = False

    async def run(
        self, send: Callable[[], Awaitable[Attempt]], *, label: str, sender: str, nothing: str
    ) -> Attempt:
        """What ``send`` came to. ``NothingToPost`` without a reason skips with
        ``nothing``; ``label`` ("alert #3") and ``sender`` ("sender") name the failing
        party in the log. Raises ``LockLost`` instead of sending when the lock of
        ``alone`` went with a lost connection (another process may be sending the same
        post now: the row stays claimed, for whoever holds the lock to recover)."""
        lease = _LEASE.get()
        if lease is not None and not await lease.still_held():
            raise LockLost(f"{label}: the database connection holding its lock was lost")
        try:
            return await send()
        except NothingToPost as reason:
            return Skipped(str(reason) or nothing)
        except PosterError as error:
            return Failed(str(error))
        except TimeoutError:
            return Failed(f"Discord did not answer within {self.timeout:g} s")
        except Exception as error:
            self._log.exception("%s: the %s failed unexpectedly", label, sender)
            return Failed(f"unexpected error: {type(error).__name__}: {error}")

    async def look(self, find: Callable[[], Awaitable[T]], *, label: str) -> T | None:
        """``find()`` (looking for an earlier post) within the call timeout; None, and a
        warning, when it fails: a lookup that cannot tell is not a failure."""
        try:
            async with asyncio.timeout(self.timeout):
                return await find()
        except Exception as error:
            self._log.warning("%s: could not check for an earlier post: %s", label, error)
            return None

    async def count_failure(
        self,
        subjects: FailureCounts,
        subject_id: int,
        complete: Callable[[], Awaitable[object | None]],
        *,
        guild_id: int,
        now: dt.datetime,
        detail: str,
        label: str,
        audit: tuple[str, Mapping[str, object]],
        notice: Callable[[int], str],
    ) -> Failure:
        """Complete the row as failed (``complete()``) and count it against the subject, in
        one transaction: a retry after the backoff for that many failures in a row, or a
        pause at ``max_failures`` with an audit entry (``audit``: its action and the details
        before "failures" and "last_error"), and then ``notice(failures)`` to the
        moderators. Nothing is counted when the row was no longer claimed."""
        retry_at: dt.datetime | None = None
        paused = False
        failures = 0
        async with self._store.transaction():
            done = await complete()
            current = await subjects.find(subject_id)
            if done is not None and current is not None:
                failures = current.failure_count + 1
                if failures >= self._max_failures:
                    paused = True
                    reason = f"paused after {failures} failed attempts in a row: {detail}"
                    await subjects.record_failure(
                        subject_id, next_retry_at=None, pause_reason=reason
                    )
                    action, details = audit
                    await self._store.audit.record(
                        guild_id,
                        None,
                        action,
                        details={**details, "failures": failures, "last_error": detail},
                        result="error",
                        now=now,
                    )
                else:
                    retry_at = now + self._backoff[min(failures, len(self._backoff)) - 1]
                    await subjects.record_failure(
                        subject_id, next_retry_at=retry_at, pause_reason=None
                    )
        self._log.warning("%s failed (%d in a row): %s", label, failures, detail)
        if paused:
            await self.tell_moderators(guild_id, notice(failures))
        return Failure(failures, retry_at, paused)

    async def tell_moderators(self, guild_id: int, message: str) -> None:
        """Send ``message`` to the server's moderators, best effort."""
        if self._notify is None:
            self._log.warning("no one to tell: %s", message)
            return
        try:
            async with asyncio.timeout(self.timeout):
                await self._notify(guild_id, message)
        except Exception:
            # The pause and the audit entry are already recorded; telling is best effort.
            self._log.exception("could not tell the moderators of guild %d", guild_id)

    @asynccontextmanager
    async def alone(self, key: str, label: str) -> AsyncIterator[Lease]:
        """Around one schedule's or alert's work in a tick: True while no other process
        works on ``key`` (``Store.exclusive``, a PostgreSQL advisory lock); False, logged
        and noted in ``contended``, when another one is at it now (the work waits for the
        next tick). While it holds, ``run`` sends nothing once the lock is lost."""
        async with self._store.exclusive(key) as alone:
            if not alone:
                self.contended = True
                self._log.debug("%s: another process is at it", label)
            token = _LEASE.set(alone if alone else None)
            try:
                yield alone
            finally:
                _LEASE.reset(token)

    @contextmanager
    def isolated(self, label: str) -> Iterator[None]:
        """Around the work for one schedule or alert: an error ends that work, logged,
        and goes no further, so that it stops no other (a crash or a cancellation does)."""
        try:
            yield
        except LockLost as lost:
            # The row stays claimed; the process holding the lock now recovers it.
            self._log.warning("%s; left for the process that holds it now", lost)
        except DatabaseFileGone:
            # Nothing is claimed, so nothing is posted: without its ledger the bot could
            # post twice. The store has told the operator, once.
            self._log.debug("%s: database file gone", label)
        except Exception:
            # One broken schedule or alert (or a store hiccup) must not stop the others.
            self._log.exception("%s: tick failed", label)


async def concurrently(work: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run ``work`` side by side; the results in its order. Only a crash or a cancellation
    should escape a piece of work (``Attempts.isolated`` keeps the rest in): the first
    one is raised as itself, as a sequential pass would have."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(piece) for piece in work]
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    return [task.result() for task in tasks]
