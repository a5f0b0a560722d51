"""The alert runner: new feed articles into the channels that want them, each exactly once.

The Discord cog calls ``AlertRunner.tick()`` at start-up and then from a loop, after each
feed pass. A tick reads everything from the store, so a restart re-arms every alert.

Exactly once
------------
It is the digest runner's protocol (``bot.schedule.runner``) with one ledger row per
(alert, article) instead of per (schedule, due time), in ``alert_posts``, written by the
same code as the digests' (``bot.store.claims``):

1. **claim**: INSERT the row as ``claimed`` with its nonce, committed before any send;
   the UNIQUE (alert, article) key lets exactly one caller insert it.
2. **send**: ``sender.send_alert(alert, item, nonce)`` returns the message id (the nonce
   goes to Discord, which returns the earlier message for a repeat within minutes).
3. **complete**: UPDATE the row to ``posted`` with the message id.

A row left ``claimed`` (a crash, a shutdown) is never blindly sent again: first
``sender.find_alert_posts`` looks for the bot's own message for that article in the
channel (its embed links the article's url), or its thread in a forum; if found the row is
completed as ``posted``. Only if not, and within ``grace``, is it sent again with the same
nonce; later than that it is recorded ``skipped`` with the reason. Articles an alert does
not want get a ``skipped`` row ("does not match"), so each is judged once.

Several processes
-----------------
As for digests (``bot.schedule.runner``, "Several processes"): processes sharing one
PostgreSQL database each handle only the alerts of guilds they own (``owns(guild_id)``,
the guild's shard), and each alert's work in a tick (its orphans, retries and new posts) is
done under ``Store.exclusive("alert:<id>")``, a PostgreSQL advisory lock let go when its
process dies (always granted on SQLite, whose one process's ticks take turns). An alert
another process is at is left alone for this tick. Every claim of an alert's rows is made
under its lock, and its ``claimed`` rows are read inside it (on a shared store the alert is
read again there too), so a row still claimed then was left by an interrupted attempt: a
post another process is sending right now is never taken for an orphan, nor is one it
finished meanwhile touched. Should two processes both think they own a guild, the UNIQUE
claim still lets only one of them post an article.

Which articles
--------------
Only feed items marked ``alert`` (they arrived after their feed's first fetch: a new feed
floods nothing), first seen at or after the alert's creation, from its feed when it names
one, that pass its keyword filter (``bot.alerts.match``) and, when it names a topic, that
the library files under that topic (``topic_check``; an article the library has not loaded
yet waits for the next tick).

Pace and failures
-----------------
Channels are served concurrently, the alerts of one channel in turn, and sends to one
channel are paced by a ``ChannelPacer`` (by default 5 per 6 s, under Discord's 5 per 5 s
per channel), at most ``max_posts_per_tick`` per channel per tick; the rest wait for the
next tick, in order. A send error completes the row ``failed`` and stops that alert for the
tick; it is retried after 1, 5, 15, then 60 minutes (a retry looks for an earlier post
first), and the ``max_failures``-th failure in a row pauses the alert, writes an audit
entry and tells the server's moderators, as for scheduled digests (the same code:
``bot.schedule.attempts``).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.alerts.match import KeywordFilter
from bot.schedule.attempts import (
    FOUND_EARLIER,
    Attempt,
    Attempts,
    Notify,
    Posted,
    Skipped,
    concurrently,
)
from bot.schedule.runner import (
    DEFAULT_BACKOFF,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_GRACE,
    DEFAULT_MAX_FAILURES,
    MIN_GRACE,
    NONCE_MAX_CHARS,
)
from bot.store import Alert, AlertPost, FeedItemRecord, RunState, Store, utc_now

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: Whether the library files ``item`` under ``alert.topic``; None: the library has not
#: loaded the article yet (judge it at a later tick).
TopicCheck = Callable[[Alert, FeedItemRecord], Awaitable[bool | None]]

NOT_WANTED = "does not match the alert's filters"
DEFAULT_MAX_POSTS_PER_TICK = 20
DEFAULT_CONCURRENCY = 8
BATCH = 50


class AlertSender(Protocol):
    """The Discord side of an alert (the cog's sender; a test passes a fake)."""

    async def send_alert(self, alert: Alert, item: FeedItemRecord, nonce: str) -> int:
        """Post ``item`` to ``alert.channel_id`` (a thread per article when ``alert.thread``,
        a forum post when the channel is a forum) with ``nonce``; return the message id.
        Raise ``ChannelGone``, ``MissingAccess`` or ``TransientError`` when it cannot."""
        ...

    async def find_alert_posts(self, alert: Alert, item: FeedItemRecord) -> list[int]:
        """Ids of the bot's own messages in the alert's channel (or forum posts) that post
        ``item`` (their embed links its url, or has its title); [] when it cannot tell."""
        ...


@dataclass(frozen=True)
class AlertOutcome:
    """What a tick did about one (alert, article); ``state`` is its ledger state after."""

    alert_id: int
    guild_id: int
    article_id: str
    state: RunState
    detail: str | None = None
    message_id: int | None = None
    recovered: bool = False
    paused: bool = False


def alert_nonce(alert_id: int, article_id: str) -> str:
    """The nonce of one (alert, article) post: the same at every attempt, ≤ 25 characters."""
    digest = hashlib.blake2s(f"{alert_id}\n{article_id}".encode(), digest_size=11).hexdigest()
    nonce = "na" + digest
    assert len(nonce) <= NONCE_MAX_CHARS
    return nonce


class ChannelPacer:
    """At most ``burst`` sends per ``per`` seconds in each channel (waits when needed)."""

    def __init__(
        self,
        burst: int = 5,
        per: float = 6.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if burst < 1 or per < 0:
            raise ValueError("a pacer needs burst >= 1 and per >= 0")
        self.burst = burst
        self.per = per
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[int, collections.deque[float]] = {}

    async def wait(self, channel_id: int) -> None:
        """Return when one more send to ``channel_id`` keeps within the limit."""
        sent = self._sent.setdefault(channel_id, collections.deque(maxlen=self.burst))
        if len(sent) == self.burst:
            delay = sent[0] + self.per - self._clock()
            if delay > 0:
                await self._sleep(delay)
        sent.append(self._clock())


def _pause_notice(alert: Alert, failures: int, detail: str) -> str:
    return (
        f"The alert #{alert.id} for <#{alert.channel_id}> is paused after {failures} "
        f"failed attempts in a row. Last error: {detail}. Fix the channel or the bot's "
        f"permissions there, then run /admin alert resume alert:{alert.id}."
    )


def _label(alert: Alert) -> str:
    """How the log names an alert."""
    return f"alert #{alert.id}"


def _late(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


class AlertRunner:
    """Posts new feed articles to alert channels exactly once."""

    def __init__(
        self,
        store: Store,
        sender: AlertSender,
        *,
        topic_check: TopicCheck | None = None,
        clock: Clock = utc_now,
        grace: dt.timedelta = DEFAULT_GRACE,
        notify: Notify | None = None,
        backoff: Sequence[dt.timedelta] = DEFAULT_BACKOFF,
        max_failures: int = DEFAULT_MAX_FAILURES,
        call_timeout: dt.timedelta = DEFAULT_CALL_TIMEOUT,
        pacer: ChannelPacer | None = None,
        max_posts_per_tick: int = DEFAULT_MAX_POSTS_PER_TICK,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        owns: Callable[[int], bool] | None = None,
    ) -> None:
        if not backoff or max_failures < 1 or max_posts_per_tick < 1 or max_concurrency < 1:
            raise ValueError("backoff, max_failures, max_posts_per_tick and concurrency needed")
        self._store = store
        self._sender = sender
        self._topic_check = topic_check
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
        self.pacer = pacer or ChannelPacer()
        self._per_tick = max_posts_per_tick
        self._concurrency = max_concurrency
        # Whether this process posts for a guild (its shard); None: every guild.
        self._owns = owns
        self._lock = asyncio.Lock()
        #: After a tick: whether it left work for the next one (a channel's per-tick share
        #: used up, articles the library has not loaded yet, or an alert another process
        #: was at, which may stop mid-post).
        self.more_waiting = False

    async def tick(self, now: dt.datetime | None = None) -> list[AlertOutcome]:
        """One pass over every alert of the guilds this process owns: finish interrupted
        posts, retry failed ones whose time has come, then post what is new and wanted."""
        async with self._lock:
            now = self._clock() if now is None else now
            self.more_waiting = False
            self._attempts.contended = False
            by_channel: dict[int, list[Alert]] = {}
            for alert in await self._store.alerts.all():
                if self._mine(alert):
                    by_channel.setdefault(alert.channel_id, []).append(alert)
            gate = asyncio.Semaphore(self._concurrency)

            async def channel(alerts: list[Alert]) -> list[AlertOutcome]:
                out: list[AlertOutcome] = []
                budget = [self._per_tick]
                async with gate:
                    for alert in alerts:
                        with self._attempts.isolated(_label(alert)):
                            out += await self._process_alone(alert, self._now(now), budget)
                return out

            results = await concurrently(channel(a) for a in by_channel.values())
            if self._attempts.contended:
                self.more_waiting = True
            return [outcome for result in results for outcome in result]

    # -- one alert ---------------------------------------------------------------------

    def _mine(self, alert: Alert) -> bool:
        return self._owns is None or self._owns(alert.guild_id)

    async def _process_alone(
        self, alert: Alert, now: dt.datetime, budget: list[int]
    ) -> list[AlertOutcome]:
        """``_process`` while no other process works on this alert (see "Several
        processes"); nothing when another one is at it now."""
        async with self._attempts.alone(f"alert:{alert.id}", _label(alert)) as alone:
            if not alone:
                return []
            if self._store.shared:
                # What was read at the start of the tick may be stale by now.
                fresh = await self._store.alerts.find(alert.id)
                if fresh is None:
                    return []
                alert = fresh
            # Read while no other process can claim for this alert: a row still claimed now
            # is an interrupted attempt, not one in flight (nor one finished meanwhile).
            orphans = await self._store.alerts.unfinished(alert.id)
            return await self._process(alert, now, orphans, budget)

    async def _process(
        self, alert: Alert, now: dt.datetime, orphans: list[AlertPost], budget: list[int]
    ) -> list[AlertOutcome]:
        out: list[AlertOutcome] = []
        for post in orphans:
            out.append(await self._recover(alert, post, now))
        if orphans:
            refreshed = await self._store.alerts.find(alert.id)
            if refreshed is None:
                return out
            alert = refreshed
        if alert.paused or any(o.state == "failed" for o in out):
            return out
        if alert.next_retry_at is not None and now < alert.next_retry_at:
            return out
        # Failed posts first, in order (after their backoff, or at once after a resume).
        for post in await self._store.alerts.failed(alert.id):
            retried = await self._retry(alert, post, now)
            if retried is None:
                continue
            budget[0] -= 1
            out.append(retried)
            if retried.state == "failed":
                return out
        out += await self._new(alert, now, budget)
        return out

    async def _new(self, alert: Alert, now: dt.datetime, budget: list[int]) -> list[AlertOutcome]:
        out: list[AlertOutcome] = []
        wanted_by = KeywordFilter.of(alert.keywords, alert.exclude)
        while budget[0] > 0:
            items = await self._store.alerts.new_items(alert, limit=BATCH)
            if not items:
                return out
            for item in items:
                verdict = await self._wants(alert, wanted_by, item)
                if verdict is None:
                    self.more_waiting = True
                    return out  # the library has not loaded it yet: judge it next tick
                await self._store.alerts.advance(alert.id, item.first_seen_at)
                if not verdict:
                    await self._store.alerts.skip(alert.id, item, NOT_WANTED, now=self._now(now))
                    continue
                if budget[0] <= 0:
                    self.more_waiting = True
                    return out
                nonce = alert_nonce(alert.id, item.article_id)
                post = await self._store.alerts.claim(alert.id, item, nonce=nonce, now=now)
                if post is None:
                    continue
                budget[0] -= 1
                outcome = await self._attempt(alert, post, item, now, maybe_sent=False)
                out.append(outcome)
                if outcome.state == "failed":
                    return out
        return out

    async def _wants(
        self, alert: Alert, wanted_by: KeywordFilter, item: FeedItemRecord
    ) -> bool | None:
        text = (item.title, item.body)
        if not await asyncio.to_thread(wanted_by.wants, *text):
            return False
        if alert.topic is None or self._topic_check is None:
            return True
        return await self._topic_check(alert, item)

    async def _recover(self, alert: Alert, post: AlertPost, now: dt.datetime) -> AlertOutcome:
        """Finish a post a crash or shutdown interrupted, without posting twice."""
        item = await self._store.alerts.item(post.article_id)
        if item is None:
            return await self._finish(
                alert, post, now, "skipped", detail="the article is no longer in the library"
            )
        waited = now - post.claimed_at
        if not alert.paused and waited <= self.grace:
            return await self._attempt(alert, post, item, now, maybe_sent=True)
        found = await self._find(alert, item)
        if found is not None:
            return await self._succeed(alert, post, found, now, recovered=True)
        why = (
            "the alert is paused"
            if alert.paused
            else f"the bot came back {_late(waited)} after it began, beyond the grace period"
        )
        return await self._finish(
            alert, post, now, "skipped", detail=f"an interrupted post was not repeated: {why}"
        )

    async def _retry(self, alert: Alert, post: AlertPost, now: dt.datetime) -> AlertOutcome | None:
        item = await self._store.alerts.item(post.article_id)
        claimed = await self._store.alerts.reclaim(post.id, now=now)
        if claimed is None:
            return None
        if item is None:
            return await self._finish(
                alert, claimed, now, "skipped", detail="the article is no longer in the library"
            )
        return await self._attempt(alert, claimed, item, now, maybe_sent=True)

    async def _find(self, alert: Alert, item: FeedItemRecord) -> int | None:
        candidates = await self._attempts.look(
            lambda: self._sender.find_alert_posts(alert, item), label=_label(alert)
        )
        for message_id in candidates or ():
            if not await self._store.alerts.message_recorded(message_id):
                return message_id
        return None

    async def _attempt(
        self,
        alert: Alert,
        post: AlertPost,
        item: FeedItemRecord,
        now: dt.datetime,
        *,
        maybe_sent: bool,
    ) -> AlertOutcome:
        """Post a claimed row (looking for an earlier post first when one may exist).

        The lookup and the send have one ``call_timeout`` each, the channel's pacing none;
        a lookup that fails is no failure (the nonce still guards the send)."""

        async def send() -> Attempt:
            if maybe_sent:
                found = await self._find(alert, item)
                if found is not None:
                    return Posted(found, recovered=True)
            await self.pacer.wait(alert.channel_id)
            async with asyncio.timeout(self._attempts.timeout):
                return Posted(await self._sender.send_alert(alert, item, post.nonce))

        result = await self._attempts.run(send, label=_label(alert), sender="sender", nothing="")
        at = self._now(now)
        if isinstance(result, Posted):
            return await self._succeed(
                alert, post, int(result.message_id), at, recovered=result.recovered
            )
        if isinstance(result, Skipped):
            return await self._finish(alert, post, at, "skipped", detail=result.detail)
        return await self._fail(alert, post, at, result.detail)

    # -- outcomes ----------------------------------------------------------------------

    async def _succeed(
        self,
        alert: Alert,
        post: AlertPost,
        message_id: int,
        now: dt.datetime,
        *,
        recovered: bool = False,
    ) -> AlertOutcome:
        detail = FOUND_EARLIER if recovered else None
        async with self._store.transaction():
            await self._store.alerts.complete(
                post.id, "posted", now=now, message_id=message_id, detail=detail
            )
            await self._store.alerts.record_success(alert.id)
        return AlertOutcome(
            alert.id,
            alert.guild_id,
            post.article_id,
            "posted",
            detail,
            message_id,
            recovered=recovered,
        )

    async def _finish(
        self, alert: Alert, post: AlertPost, now: dt.datetime, state: RunState, *, detail: str
    ) -> AlertOutcome:
        await self._store.alerts.complete(post.id, state, now=now, detail=detail)
        return AlertOutcome(alert.id, alert.guild_id, post.article_id, state, detail)

    async def _fail(
        self, alert: Alert, post: AlertPost, now: dt.datetime, detail: str
    ) -> AlertOutcome:
        failure = await self._attempts.count_failure(
            self._store.alerts,
            alert.id,
            lambda: self._store.alerts.complete(post.id, "failed", now=now, detail=detail),
            guild_id=alert.guild_id,
            now=now,
            detail=detail,
            label=_label(alert),
            audit=(
                "alert.auto_pause",
                {
                    "alert_id": alert.id,
                    "channel_id": alert.channel_id,
                    "article_id": post.article_id,
                },
            ),
            notice=lambda failures: _pause_notice(alert, failures, detail),
        )
        return AlertOutcome(
            alert.id, alert.guild_id, post.article_id, "failed", detail, paused=failure.paused
        )

    def _now(self, floor: dt.datetime) -> dt.datetime:
        return max(floor, self._clock())
