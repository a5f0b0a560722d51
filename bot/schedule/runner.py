"""The digest runner: find due runs, claim them in the ledger, post, record what happened.

The Discord cog calls ``ScheduleRunner.tick()`` once at start-up and then from a
``tasks.loop`` (every 30 s or so). A tick reads everything it needs from the store, so a
restart re-arms every schedule by itself. Time comes from an injected clock (or the ``now``
given to ``tick``), never from sleeping.

Exactly once
------------
Every due run of a schedule is one ledger row, UNIQUE on (schedule, due_at). A run is:

1. **claim**: INSERT the row as ``claimed`` with the run's nonce, committed *before* any
   send. Only one caller can insert it; a run with a row is never "due" again.
2. **send**: ``poster.post(schedule, due_at, nonce, since)`` returns the message id.
3. **complete**: UPDATE the row to ``posted`` with the message id, and the schedule's
   ``last_posted_at``, in one transaction.

A crash (or a shutdown cancelling the tick) can stop this anywhere. On the next tick:

* before 1, nothing was written: the run is still due and goes through 1–3 (if still
  within the grace period, below);
* after 3, the row says ``posted``: nothing happens;
* between 1 and 3 the row says ``claimed``, and the ledger cannot tell "crashed before
  sending" from "Discord accepted the message, then we crashed". So a ``claimed`` row is
  never blindly sent again. First ``poster.find_posted(schedule, due_at, nonce)`` looks for
  the message (``bot.schedule.delivery``: the bot's own message in the channel with the
  schedule's title and the run's due time as its timestamp, not already recorded for
  another run); if found, the row is completed as ``posted`` with that id. Only if not is
  the digest sent again, **with the same nonce**:
  the cog passes it to ``channel.send(..., nonce=nonce)`` (discord.py 2.7 always sends a
  given nonce with ``enforce_nonce: true``), and Discord then returns the earlier message
  instead of creating a second one if it was created in the last few minutes. Either guard
  alone prevents the duplicate in the usual restart; together they cover a history search
  that misses and a restart that takes longer than Discord's window. An interrupted attempt
  older than the grace period is not sent again at all: if ``find_posted`` cannot find it,
  it is recorded ``skipped`` with the reason.

The nonce is derived from (schedule id, due time), at most 25 characters (Discord's limit),
and stored in the row at claim time, so the rule that made it can change without breaking
recovery. Within one process a tick finishes its sends before the next begins, and a
run-now in progress is known to the runner, so a ``claimed`` row seen at the start of a
tick was left by an interrupted attempt.

Several processes
-----------------
Several bot processes may share one PostgreSQL database (``SHARD_COUNT``/``SHARD_IDS``).
Each runner handles only the schedules of guilds its process owns (``owns(guild_id)``, the
guild's shard), so a digest is posted by the process Discord sends that guild's events
to. Should two processes ever both think they own a guild (a misconfiguration, a rolling
restart that moves shards), nothing is posted twice either: the claim is one atomic
``INSERT … ON CONFLICT DO NOTHING``, and each schedule is processed under
``Store.exclusive("schedule:<id>")`` (a PostgreSQL advisory lock, let go when its process
dies; a run-now holds it too), inside which a shared store's ledger and schedule are read
again, so a ``claimed`` row another process has finished meanwhile is not "recovered".

Time and concurrency
--------------------
Each schedule is judged against the clock when it is attempted, not when the tick began
(a tick is given a ``now``; an attempt uses the later of it and the clock). Schedules are
processed concurrently, at most ``max_concurrency`` at once, and every attempt (looking
for an earlier post, the only_new check and the send) has one ``call_timeout`` in all: a
channel whose sends fail slowly (Discord answering 500 and discord.py retrying) delays
neither the other channels nor their grace checks.

Run-now
-------
``run_now(schedule_id)`` posts a schedule's digest outside its timetable through the same
claim → send → complete, as a ``manual`` ledger row due at the moment asked (so a double
click posts once). Due runs never count from a manual row, a failed run-now is not retried
(the moderator is told at once) and does not count towards pausing; an interrupted one is
recovered at the next tick like any run.

Missed runs, failures, only_new
-------------------------------
* Runs fall due from the later of the schedule's ``armed_at`` (creation, resume, timing
  change) and its latest ledger row. Of the runs that fell due while the bot was down, only
  the latest is posted, and only if at most ``grace`` late; every other one gets a
  ``skipped`` row saying why, so none is lost silently.
* A poster error (``ChannelGone``, ``MissingAccess``, ``TransientError``, a timeout, or any
  unexpected exception) completes the row as ``failed`` and schedules a retry of the same
  run after 1, 5, 15, then 60 minutes. A retry may follow a send that reached Discord (a
  timeout), so it too calls ``find_posted`` first. The ``max_failures``-th failure in a row
  pauses the schedule with a reason, writes an audit entry, and calls
  ``notify(guild_id, message)``. A success resets the count. A newer due run supersedes a
  pending retry.
* ``only_new``: when the schedule has posted before and ``poster.has_new(schedule, since)``
  says nothing is new, the run is ``skipped`` with detail "nothing new on <topic>".
* A poster may raise ``NothingToPost(reason)`` to skip a run with its own reason.
* A retry that fell due while the bot was down is not made if it is more than ``grace``
  late; the run is recorded ``skipped``. ``grace`` is never less than ``MIN_GRACE``.

Reuse
-----
The runner knows nothing of digests: it claims, posts through its poster and completes.
What it does with a claimed run (what an attempt came to, counting failures, backoff,
pausing, telling the moderators) is ``bot.schedule.attempts``, which the alert runner
shares, as both ledgers share their writes (``bot.store.claims``).
A feature that posts something else into channels on a timetable gives the runner another
poster (``post`` the message for one run and return its id, ``find_posted`` recognise an
earlier one, ``has_new`` answer only_new), and sending stays in a ``ChannelSender``-like
Discord class. Each post is one ledger row keyed (schedule, due time), so a feature that
sends several messages for one occasion (an alert per new article) gives each message its
own due time (its article's first-seen instant, one second apart when they collide) and
claims a run per message, marked ``manual`` if the timetable must not count from it.

From a cog::

    poster = DigestDelivery(store, lambda: service, sender)
    runner = ScheduleRunner(store, poster, notify=tell_moderators,
                            grace=timedelta(minutes=settings.schedule_grace_minutes))
    await runner.tick()             # at start-up: finishes or skips what the last run left

    @tasks.loop(seconds=30)
    async def digests(self) -> None:
        await self.runner.tick()
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.digest import ALL_TOPICS
from bot.schedule.attempts import (
    FOUND_EARLIER,
    Attempt,
    Attempts,
    Notify,
    Posted,
    Skipped,
    concurrently,
)
from bot.schedule.timespec import describe, due_runs, next_due
from bot.store import LedgerEntry, RunState, Schedule, Store, utc_now

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

DEFAULT_BACKOFF: tuple[dt.timedelta, ...] = tuple(dt.timedelta(minutes=m) for m in (1, 5, 15, 60))
DEFAULT_MAX_FAILURES = 5
DEFAULT_GRACE = dt.timedelta(minutes=60)
#: However small the configured grace, a run found this late by a tick is still "on time":
#: it covers the loop interval and a slow start-up, so a grace of 0 cannot skip everything.
MIN_GRACE = dt.timedelta(minutes=2)
DEFAULT_CALL_TIMEOUT = dt.timedelta(seconds=120)
DEFAULT_CONCURRENCY = 16
NONCE_MAX_CHARS = 25  # Discord's limit for a message nonce

NO_NEW_ARTICLES = "nothing new"
MISSED_SUPERSEDED = "missed while the bot was not running; only the latest missed run is posted"


class DigestPoster(Protocol):
    """What the runner posts through: ``bot.schedule.DigestDelivery`` for digests (the core's
    decisions around the Discord cog's ``ChannelSender``); a test passes a fake."""

    async def post(
        self, schedule: Schedule, due_at: dt.datetime, nonce: str, since: dt.datetime | None
    ) -> int:
        """Build the digest (covering what is new since ``since``; None: never posted) and
        send it to ``schedule.channel_id``; return the message id.

        Send with ``nonce=nonce`` (discord.py then asks Discord to enforce it) and mark the
        message so ``find_posted`` can recognise it (messages read back from history do not
        carry their nonce; digests carry their due time as the embed timestamp). Raise
        ``ChannelGone``, ``MissingAccess`` or ``TransientError`` when sending fails,
        ``NothingToPost`` to skip the run.
        """
        ...

    async def find_posted(self, schedule: Schedule, due_at: dt.datetime, nonce: str) -> int | None:
        """The id of a message already posted for this run, or None when there is none or
        it cannot be told."""
        ...

    async def has_new(self, schedule: Schedule, since: dt.datetime) -> bool:
        """Whether the schedule's topic has articles new since ``since`` (for only_new)."""
        ...


@dataclass(frozen=True)
class RunOutcome:
    """What a tick did about one run; ``state`` is the run's ledger state afterwards."""

    schedule_id: int
    guild_id: int
    due_at: dt.datetime
    state: RunState
    detail: str | None = None
    message_id: int | None = None
    recovered: bool = False
    retry_at: dt.datetime | None = None
    paused: bool = False


def run_nonce(schedule_id: int, due_at: dt.datetime, *, manual: bool = False) -> str:
    """The nonce for one run: the same for every attempt at it, at most 25 characters."""
    if manual:
        text = f"nbm{schedule_id}.{int(due_at.timestamp())}"
    else:
        text = f"nb{schedule_id}.{int(due_at.timestamp()) // 60}"
    if len(text) <= NONCE_MAX_CHARS:
        return text
    return "nb" + hashlib.blake2s(text.encode(), digest_size=11).hexdigest()


def topic_label(schedule: Schedule) -> str:
    """What a schedule digests, in words (None is every topic)."""
    return schedule.topic or ALL_TOPICS


def nothing_new(schedule: Schedule) -> str:
    """The reason an only_new run is skipped: ``"nothing new on Trade & investment"``."""
    return f"{NO_NEW_ARTICLES} on {topic_label(schedule)}"


class RunNowRefused(Exception):
    """A run-now was not posted; ``str(error)`` says why, for the moderator, and ``state``
    is the run's ledger state ("skipped", "failed"; None when no run was made)."""

    def __init__(self, message: str, state: RunState | None = None) -> None:
        super().__init__(message)
        self.state = state


def next_attempt(schedule: Schedule, now: dt.datetime) -> dt.datetime | None:
    """When the runner will next try to post ``schedule`` (None while paused)."""
    if schedule.paused:
        return None
    if schedule.next_retry_at is not None:
        return schedule.next_retry_at
    return next_due(schedule, max(now, schedule.armed_at))


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the runner needs timezone-aware times, got {moment!r}")


def _pause_notice(schedule: Schedule, failures: int, detail: str) -> str:
    return (
        f"The scheduled digest #{schedule.id} ({describe(schedule)}) for "
        f"<#{schedule.channel_id}> is paused after {failures} failed attempts in a row. "
        f"Last error: {detail}. Fix the channel or the bot's permissions there, then "
        "resume the schedule."
    )


def _label(schedule: Schedule) -> str:
    """How the log names a schedule."""
    return f"scheduled digest #{schedule.id}"


def _late(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours < 48 else f"{hours // 24} days"


class ScheduleRunner:
    """Posts scheduled digests exactly once through an injected poster and clock."""

    def __init__(
        self,
        store: Store,
        poster: DigestPoster,
        *,
        clock: Clock = utc_now,
        grace: dt.timedelta = DEFAULT_GRACE,
        notify: Notify | None = None,
        backoff: Sequence[dt.timedelta] = DEFAULT_BACKOFF,
        max_failures: int = DEFAULT_MAX_FAILURES,
        call_timeout: dt.timedelta = DEFAULT_CALL_TIMEOUT,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        owns: Callable[[int], bool] | None = None,
    ) -> None:
        if not backoff:
            raise ValueError("backoff needs at least one delay")
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._store = store
        self._poster = poster
        self._clock = clock
        self.grace = max(grace, MIN_GRACE)
        self._attempts = Attempts(
            store,
            backoff=backoff,
            max_failures=max_failures,
            call_timeout=call_timeout,
            notify=notify,
            log=log,
        )
        self._concurrency = max_concurrency
        # Whether this process posts for a guild (its shard); None: every guild.
        self._owns = owns
        self._lock = asyncio.Lock()
        # Runs a run-now is attempting right now: a tick must not take them for orphans.
        self._inflight: set[tuple[int, dt.datetime]] = set()

    async def tick(self, now: dt.datetime | None = None) -> list[RunOutcome]:
        """One pass over every schedule at ``now`` (default: the clock): finish interrupted
        attempts, skip what is too late, post what is due, retry what failed."""
        async with self._lock:
            now = self._clock() if now is None else now
            _require_aware(now)
            self._attempts.contended = False
            orphans: dict[int, list[LedgerEntry]] = {}
            for entry in await self._store.ledger.unfinished():
                if (entry.schedule_id, entry.due_at) not in self._inflight:
                    orphans.setdefault(entry.schedule_id, []).append(entry)
            latest = await self._store.ledger.latest_by_schedule()
            # Schedules that have been failing go last, so that with more due runs than
            # ``max_concurrency`` the healthy ones are not the ones kept waiting.
            schedules = sorted(
                (s for s in await self._store.schedules.all() if self._mine(s)),
                key=lambda s: (s.failure_count > 0, s.id),
            )
            gate = asyncio.Semaphore(self._concurrency)

            async def one(schedule: Schedule) -> list[RunOutcome]:
                async with gate:
                    with self._attempts.isolated(_label(schedule)):
                        return await self._process_alone(
                            schedule,
                            self._now(now),
                            orphans.get(schedule.id, []),
                            latest.get(schedule.id),
                        )
                    return []

            results = await concurrently(one(schedule) for schedule in schedules)
            done = {s.id: result for s, result in zip(schedules, results, strict=True)}
            return [outcome for schedule_id in sorted(done) for outcome in done[schedule_id]]

    @property
    def contended(self) -> bool:
        """After a tick: whether another process was at one of the schedules, so that the
        next tick should come soon (that process may stop mid-post), not at the next due
        time."""
        return self._attempts.contended

    async def run_now(self, schedule_id: int, now: dt.datetime | None = None) -> RunOutcome:
        """Post ``schedule_id``'s digest now, outside its timetable, exactly once.

        Returns the ``posted`` outcome; raises ``RunNowRefused`` saying why when nothing was
        posted (a run-now at the same second, nothing to post, or the send failed)."""
        now = self._now(now or self._clock())
        schedule = await self._store.schedules.find(schedule_id)
        if schedule is None:
            raise RunNowRefused(f"there is no scheduled digest #{schedule_id}")
        async with self._store.exclusive(f"schedule:{schedule.id}") as alone:
            if not alone:  # another process is posting this schedule right now
                raise RunNowRefused("this digest is being posted right now; try again shortly")
            nonce = run_nonce(schedule.id, now, manual=True)
            entry = await self._store.ledger.claim(
                schedule.id, now, nonce=nonce, now=now, manual=True
            )
            if entry is None:
                raise RunNowRefused("this digest is already being posted at this moment")
            key = (schedule.id, entry.due_at)
            self._inflight.add(key)
            try:
                outcome = await self._attempt(schedule, entry, now, maybe_sent=False)
            finally:
                self._inflight.discard(key)
        if outcome.state != "posted":
            raise RunNowRefused(outcome.detail or f"the run was {outcome.state}", outcome.state)
        return outcome

    # -- one schedule ------------------------------------------------------------------

    def _mine(self, schedule: Schedule) -> bool:
        return self._owns is None or self._owns(schedule.guild_id)

    async def _process_alone(
        self,
        schedule: Schedule,
        now: dt.datetime,
        orphans: list[LedgerEntry],
        latest: LedgerEntry | None,
    ) -> list[RunOutcome]:
        """``_process`` while no other process works on this schedule (see "Several
        processes"); nothing when another one is at it now."""
        async with self._attempts.alone(f"schedule:{schedule.id}", _label(schedule)) as alone:
            if not alone:
                return []
            if self._store.shared:
                # What was read at the start of the tick may be stale by now.
                fresh = await self._store.schedules.find(schedule.id)
                if fresh is None:
                    return []
                schedule = fresh
                current = [await self._store.ledger.get(e.schedule_id, e.due_at) for e in orphans]
                orphans = [
                    entry
                    for entry, was in zip(current, orphans, strict=True)
                    if entry is not None
                    and entry.state == "claimed"
                    and entry.attempts == was.attempts
                ]
                latest = await self._store.ledger.latest(schedule.id)
            return await self._process(schedule, now, orphans, latest)

    async def _process(
        self,
        schedule: Schedule,
        now: dt.datetime,
        orphans: list[LedgerEntry],
        latest: LedgerEntry | None,
    ) -> list[RunOutcome]:
        out: list[RunOutcome] = []
        if orphans:
            for entry in orphans:
                out.append(await self._recover(schedule, entry, now))
            refreshed = await self._store.schedules.find(schedule.id)
            if refreshed is None:
                return out
            schedule = refreshed
            latest = await self._store.ledger.latest(schedule.id)
            now = self._now(now)
        if schedule.paused:
            return out
        if schedule.next_retry_at is not None and now < schedule.next_retry_at:
            return out
        anchor = schedule.armed_at
        if latest is not None and latest.due_at > anchor:
            anchor = latest.due_at
        due = due_runs(schedule, anchor, now)
        if not due:
            if schedule.next_retry_at is not None and latest is not None:
                out += await self._retry(schedule, latest, now)
            return out
        if schedule.next_retry_at is not None:
            await self._store.schedules.clear_retry(schedule.id)  # superseded by a newer run
        for missed in due[:-1]:
            if await self._store.ledger.skip(schedule.id, missed, MISSED_SUPERSEDED, now=now):
                out.append(self._outcome(schedule, missed, "skipped", detail=MISSED_SUPERSEDED))
        last = due[-1]
        late = now - last
        if late > self.grace:
            detail = (
                f"missed while the bot was not running: {_late(late)} late when it came back, "
                f"beyond the {_late(self.grace)} grace period"
            )
            if await self._store.ledger.skip(schedule.id, last, detail, now=now):
                out.append(self._outcome(schedule, last, "skipped", detail=detail))
            return out
        claimed = await self._store.ledger.claim(
            schedule.id, last, nonce=run_nonce(schedule.id, last), now=now
        )
        if claimed is not None:
            out.append(await self._attempt(schedule, claimed, now, maybe_sent=False))
        return out

    async def _recover(
        self, schedule: Schedule, entry: LedgerEntry, now: dt.datetime
    ) -> RunOutcome:
        """Finish an attempt a crash or shutdown interrupted, without posting twice."""
        waited = now - entry.claimed_at
        if not schedule.paused and waited <= self.grace:
            return await self._attempt(schedule, entry, now, maybe_sent=True)
        found = await self._attempts.look(
            lambda: self._poster.find_posted(schedule, entry.due_at, self._nonce(entry)),
            label=_label(schedule),
        )
        if found is not None:
            return await self._succeed(schedule, entry, found, now, recovered=True)
        if schedule.paused:
            why = "the schedule is paused"
        else:
            why = f"the bot came back {_late(waited)} after it began, beyond the grace period"
        return await self._finish_skipped(
            schedule, entry, now, f"an interrupted attempt was not repeated: {why}"
        )

    async def _retry(
        self, schedule: Schedule, latest: LedgerEntry, now: dt.datetime
    ) -> list[RunOutcome]:
        assert schedule.next_retry_at is not None
        if latest.state != "failed":
            await self._store.schedules.clear_retry(schedule.id)
            return []
        entry = await self._store.ledger.reclaim(schedule.id, latest.due_at, now=now)
        if entry is None:
            return []
        overdue = now - schedule.next_retry_at
        if overdue > self.grace:
            detail = (
                f"not retried: the bot was not running when the retry was due "
                f"({_late(overdue)} ago, beyond the grace period); last error: {latest.detail}"
            )
            return [await self._finish_skipped(schedule, entry, now, detail)]
        return [await self._attempt(schedule, entry, now, maybe_sent=True)]

    async def _attempt(
        self, schedule: Schedule, entry: LedgerEntry, now: dt.datetime, *, maybe_sent: bool
    ) -> RunOutcome:
        """Post a claimed run (looking for an earlier post first when one may exist).

        The whole attempt has one ``call_timeout``; outcomes are recorded at the clock's
        time when they happen."""
        nonce = self._nonce(entry)
        since = schedule.last_posted_at

        async def send() -> Attempt:
            # Store writes stay outside the timeout: only Discord's side may be cut off.
            async with asyncio.timeout(self._attempts.timeout):
                if maybe_sent:
                    found = await self._poster.find_posted(schedule, entry.due_at, nonce)
                    if found is not None:
                        return Posted(found, recovered=True)
                if (
                    schedule.only_new
                    and not entry.manual
                    and since is not None
                    and not await self._poster.has_new(schedule, since)
                ):
                    return Skipped(nothing_new(schedule))
                return Posted(await self._poster.post(schedule, entry.due_at, nonce, since))

        result = await self._attempts.run(
            send, label=_label(schedule), sender="poster", nothing="nothing to post"
        )
        at = self._now(now)
        if isinstance(result, Posted):
            return await self._succeed(
                schedule, entry, int(result.message_id), at, recovered=result.recovered
            )
        if isinstance(result, Skipped):
            return await self._finish_skipped(schedule, entry, at, result.detail)
        return await self._fail(schedule, entry, at, result.detail)

    # -- outcomes ----------------------------------------------------------------------

    async def _succeed(
        self,
        schedule: Schedule,
        entry: LedgerEntry,
        message_id: int,
        now: dt.datetime,
        *,
        recovered: bool = False,
    ) -> RunOutcome:
        detail = FOUND_EARLIER if recovered else None
        async with self._store.transaction():
            done = await self._store.ledger.complete(
                schedule.id,
                entry.due_at,
                "posted",
                now=now,
                message_id=message_id,
                detail=detail,
            )
            if done is not None:
                await self._store.schedules.record_success(schedule.id, posted_at=now)
        if done is None:
            log.warning(
                "scheduled digest #%d: run %s was no longer claimed (deleted?)",
                schedule.id,
                entry.due_at.isoformat(),
            )
        return self._outcome(
            schedule,
            entry.due_at,
            "posted",
            detail=detail,
            message_id=message_id,
            recovered=recovered,
        )

    async def _finish_skipped(
        self, schedule: Schedule, entry: LedgerEntry, now: dt.datetime, detail: str
    ) -> RunOutcome:
        async with self._store.transaction():
            await self._store.ledger.complete(
                schedule.id, entry.due_at, "skipped", now=now, detail=detail
            )
            if schedule.next_retry_at is not None:
                await self._store.schedules.clear_retry(schedule.id)
        return self._outcome(schedule, entry.due_at, "skipped", detail=detail)

    async def _fail(
        self, schedule: Schedule, entry: LedgerEntry, now: dt.datetime, detail: str
    ) -> RunOutcome:
        if entry.manual:
            # A run-now is not retried: the moderator who asked is told at once.
            await self._store.ledger.complete(
                schedule.id, entry.due_at, "failed", now=now, detail=detail
            )
            log.warning("run-now of scheduled digest #%d failed: %s", schedule.id, detail)
            return self._outcome(schedule, entry.due_at, "failed", detail=detail)
        failure = await self._attempts.count_failure(
            self._store.schedules,
            schedule.id,
            lambda: self._store.ledger.complete(
                schedule.id, entry.due_at, "failed", now=now, detail=detail
            ),
            guild_id=schedule.guild_id,
            now=now,
            detail=detail,
            label=_label(schedule),
            audit=(
                "schedule.auto_pause",
                {
                    "schedule_id": schedule.id,
                    "channel_id": schedule.channel_id,
                    "due_at": entry.due_at.isoformat(),
                },
            ),
            notice=lambda failures: _pause_notice(schedule, failures, detail),
        )
        return self._outcome(
            schedule,
            entry.due_at,
            "failed",
            detail=detail,
            retry_at=failure.retry_at,
            paused=failure.paused,
        )

    # -- helpers -----------------------------------------------------------------------

    def _now(self, floor: dt.datetime) -> dt.datetime:
        """The time to judge an attempt by: the clock, never earlier than ``floor``."""
        current = self._clock()
        _require_aware(current)
        return max(floor, current)

    @staticmethod
    def _nonce(entry: LedgerEntry) -> str:
        return entry.nonce or run_nonce(entry.schedule_id, entry.due_at, manual=entry.manual)

    @staticmethod
    def _outcome(
        schedule: Schedule,
        due_at: dt.datetime,
        state: RunState,
        *,
        detail: str | None = None,
        message_id: int | None = None,
        recovered: bool = False,
        retry_at: dt.datetime | None = None,
        paused: bool = False,
    ) -> RunOutcome:
        return RunOutcome(
            schedule.id,
            schedule.guild_id,
            due_at,
            state,
            detail,
            message_id,
            recovered,
            retry_at,
            paused,
        )
