"""Alerts (which new feed articles a server wants in which channel) and their ledger.

The ledger has one row per (alert, article), UNIQUE, inserted as ``claimed`` before any
send: only one caller can insert it, so an article is posted by an alert at most once.
Articles an alert looked at and did not want get a ``skipped`` row too, so nothing is
judged twice. State changes are conditional UPDATEs, as in the digest ledger
(``bot.store.ledger``), and written by the same code (``bot.store.claims``): a stale
caller changes nothing and learns so from the None.

``scanned_to`` is how far (in ``feed_items.first_seen_at``) an alert has looked: the next
pass starts there (inclusive: rows of that second already judged have ledger rows).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.store.claims import Claims, LedgerTable
from bot.store.feeds import _ITEM_COLUMNS, FeedItemRecord, _item
from bot.store.models import RunState
from bot.store.timeconv import from_epoch, maybe_from_epoch, maybe_to_epoch, to_epoch

if TYPE_CHECKING:
    from bot.store.database import Store

_ALERT_COLUMNS = (
    "id, guild_id, channel_id, feed_id, topic, keywords, exclude, thread, created_by, "
    "created_at, paused, pause_reason, failure_count, next_retry_at, scanned_to"
)


@dataclass(frozen=True)
class Alert:
    """Where new articles go (``channel_id``; a thread per article when ``thread``) and
    which ones: from ``feed_id`` (None: any feed), on ``topic``, with any of ``keywords``
    and none of ``exclude`` (each a phrase, matched whole-word)."""

    id: int
    guild_id: int
    channel_id: int
    feed_id: int | None
    topic: str | None
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]
    thread: bool
    created_by: int | None
    created_at: dt.datetime
    paused: bool
    pause_reason: str | None
    failure_count: int
    next_retry_at: dt.datetime | None
    scanned_to: dt.datetime


@dataclass(frozen=True)
class AlertPost:
    """One (alert, article) row of the alerts' ledger."""

    id: int
    alert_id: int
    article_id: str
    first_seen: dt.datetime
    state: RunState
    nonce: str
    attempts: int
    claimed_at: dt.datetime
    completed_at: dt.datetime | None
    message_id: int | None
    detail: str | None


def _alert(row: Sequence[Any]) -> Alert:
    (
        id_,
        guild_id,
        channel_id,
        feed_id,
        topic,
        keywords,
        exclude,
        thread,
        created_by,
        created_at,
        paused,
        pause_reason,
        failure_count,
        next_retry_at,
        scanned_to,
    ) = row
    return Alert(
        id=id_,
        guild_id=guild_id,
        channel_id=channel_id,
        feed_id=feed_id,
        topic=topic,
        keywords=tuple(json.loads(keywords)),
        exclude=tuple(json.loads(exclude)),
        thread=bool(thread),
        created_by=created_by,
        created_at=from_epoch(created_at),
        paused=bool(paused),
        pause_reason=pause_reason,
        failure_count=failure_count,
        next_retry_at=maybe_from_epoch(next_retry_at),
        scanned_to=from_epoch(scanned_to),
    )


def _post(row: Sequence[Any]) -> AlertPost:
    (
        id_,
        alert_id,
        article_id,
        first_seen,
        state,
        nonce,
        attempts,
        claimed_at,
        completed_at,
        message_id,
        detail,
    ) = row
    return AlertPost(
        id=id_,
        alert_id=alert_id,
        article_id=article_id,
        first_seen=from_epoch(first_seen),
        state=state,
        nonce=nonce,
        attempts=attempts,
        claimed_at=from_epoch(claimed_at),
        completed_at=maybe_from_epoch(completed_at),
        message_id=message_id,
        detail=detail,
    )


_POSTS = LedgerTable(
    name="alert_posts",
    key=("alert_id", "article_id"),
    columns=(
        "id, alert_id, article_id, first_seen, state, nonce, attempts, claimed_at, "
        "completed_at, message_id, detail"
    ),
    row=_post,
    noun="a post",
    detail_chars=500,
)


class AlertRepo:
    """Alerts of each server, the new feed items they look at, and their ledger."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._posts = Claims(store, _POSTS)

    # -- alerts ------------------------------------------------------------------------

    async def add(
        self,
        guild_id: int,
        *,
        channel_id: int,
        feed_id: int | None = None,
        topic: str | None = None,
        keywords: Sequence[str] = (),
        exclude: Sequence[str] = (),
        thread: bool = False,
        created_by: int | None = None,
        now: dt.datetime,
    ) -> Alert:
        """Create an alert; it looks only at articles first seen from ``now`` on."""
        at = to_epoch(now)
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO alerts (guild_id, channel_id, feed_id, topic, keywords, exclude, "
                "thread, created_by, created_at, scanned_to) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    feed_id,
                    topic,
                    json.dumps(list(keywords), ensure_ascii=False),
                    json.dumps(list(exclude), ensure_ascii=False),
                    int(thread),
                    created_by,
                    at,
                    at,
                ),
            )
            alert_id = cursor.lastrowid
        found = await self.find(int(alert_id or 0))
        assert found is not None
        return found

    async def find(self, alert_id: int) -> Alert | None:
        """An alert by id, whichever server it belongs to."""
        row = await self._store.fetchone(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = ?", (alert_id,)
        )
        return _alert(row) if row else None

    async def get(self, guild_id: int, alert_id: int) -> Alert | None:
        """The server's alert ``alert_id``, or None (another server's is None too)."""
        found = await self.find(alert_id)
        return found if found is not None and found.guild_id == guild_id else None

    async def in_guild(self, guild_id: int) -> list[Alert]:
        """The server's alerts, oldest first."""
        rows = await self._store.fetchall(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_alert(row) for row in rows]

    async def all(self) -> list[Alert]:
        """Every alert of every server."""
        rows = await self._store.fetchall(f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY id")
        return [_alert(row) for row in rows]

    async def count(self, guild_id: int) -> int:
        """How many alerts the server has."""
        row = await self._store.fetchone(
            "SELECT count(*) FROM alerts WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else 0

    async def remove(self, guild_id: int, alert_id: int) -> bool:
        """Delete the server's alert (and its ledger rows); False when there was none."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM alerts WHERE id = ? AND guild_id = ?", (alert_id, guild_id)
            )
            return cursor.rowcount > 0

    async def pause(self, alert_id: int, reason: str) -> None:
        """Stop posting (by a moderator, or after repeated failures) until resumed."""
        await self._update(
            "UPDATE alerts SET paused = 1, pause_reason = ?, next_retry_at = NULL WHERE id = ?",
            (reason[:500], alert_id),
        )

    async def resume(self, alert_id: int) -> None:
        """Post again; the failure count starts afresh and failed posts are retried."""
        await self._update(
            "UPDATE alerts SET paused = 0, pause_reason = NULL, failure_count = 0, "
            "next_retry_at = NULL WHERE id = ?",
            (alert_id,),
        )

    async def record_failure(
        self, alert_id: int, *, next_retry_at: dt.datetime | None, pause_reason: str | None
    ) -> None:
        """One more failure in a row: retry at ``next_retry_at``, or pause with a reason."""
        await self._update(
            "UPDATE alerts SET failure_count = failure_count + 1, next_retry_at = ?, "
            "paused = CASE WHEN ? = 1 THEN 1 ELSE paused END, "
            "pause_reason = coalesce(CAST(? AS TEXT), pause_reason) WHERE id = ?",
            (maybe_to_epoch(next_retry_at), int(pause_reason is not None), pause_reason, alert_id),
        )

    async def record_success(self, alert_id: int) -> None:
        """A post went out: the failure count starts afresh."""
        await self._update(
            "UPDATE alerts SET failure_count = 0, next_retry_at = NULL "
            "WHERE id = ? AND (failure_count != 0 OR next_retry_at IS NOT NULL)",
            (alert_id,),
        )

    async def advance(self, alert_id: int, scanned_to: dt.datetime) -> None:
        """The alert has judged every item first seen before ``scanned_to``."""
        await self._update(
            # CASE, not SQLite's two-argument max(): the same SQL runs on PostgreSQL.
            "UPDATE alerts SET scanned_to = CASE WHEN scanned_to > ? THEN scanned_to ELSE ? END "
            "WHERE id = ?",
            (to_epoch(scanned_to), to_epoch(scanned_to), alert_id),
        )

    async def _update(self, sql: str, params: tuple[Any, ...]) -> None:
        async with self._store.transaction() as conn:
            await conn.execute(sql, params)

    # -- what is new -------------------------------------------------------------------

    async def new_items(self, alert: Alert, *, limit: int) -> list[FeedItemRecord]:
        """Feed items that arrived after their feed's first fetch, first seen at or after
        the alert's ``scanned_to`` (never before its creation), that the alert has no
        ledger row for; oldest first, at most ``limit``."""
        feed_filter = "AND i.feed_id = ? " if alert.feed_id is not None else ""
        params: tuple[Any, ...] = (
            max(to_epoch(alert.scanned_to), to_epoch(alert.created_at)),
            *((alert.feed_id,) if alert.feed_id is not None else ()),
            alert.id,
            max(1, limit),
        )
        columns = ", ".join(f"i.{c.strip()}" for c in _ITEM_COLUMNS.split(","))
        rows = await self._store.fetchall(
            f"SELECT {columns} FROM feed_items AS i "
            "WHERE i.alert = 1 AND i.expired = 0 AND i.first_seen_at >= ? "
            f"{feed_filter}"
            "AND NOT EXISTS (SELECT 1 FROM alert_posts AS p "
            "WHERE p.alert_id = ? AND p.article_id = i.article_id) "
            "ORDER BY i.first_seen_at, i.feed_id, i.seq LIMIT ?",
            params,
        )
        return [_item(row) for row in rows]

    async def watermark(self) -> tuple[int | None, int | None]:
        """Something that changes whenever feed items arrive (how many there are and the
        newest first-seen time), so a caller can tell cheaply whether to look for new ones."""
        row = await self._store.fetchone(
            "SELECT (SELECT count(*) FROM feed_items), "
            "(SELECT max(first_seen_at) FROM feed_items WHERE alert = 1)"
        )
        return (row[0], row[1]) if row else (None, None)

    async def item(self, article_id: str) -> FeedItemRecord | None:
        """The stored feed item of ``article_id`` (for recovery and retries)."""
        row = await self._store.fetchone(
            f"SELECT {_ITEM_COLUMNS} FROM feed_items WHERE article_id = ?", (article_id,)
        )
        return _item(row) if row else None

    async def recent_items(self, feed_id: int | None, *, limit: int) -> list[FeedItemRecord]:
        """The newest live feed items (of ``feed_id`` when given), for a preview."""
        feed_filter = "AND feed_id = ? " if feed_id is not None else ""
        rows = await self._store.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM feed_items WHERE expired = 0 {feed_filter}"
            "ORDER BY first_seen_at DESC, feed_id DESC, seq DESC LIMIT ?",
            (*((feed_id,) if feed_id is not None else ()), max(1, limit)),
        )
        return [_item(row) for row in rows]

    # -- the ledger --------------------------------------------------------------------

    async def claim(
        self, alert_id: int, item: FeedItemRecord, *, nonce: str, now: dt.datetime
    ) -> AlertPost | None:
        """Record that posting ``item`` is starting; None if it already has a row."""
        return await self._insert(alert_id, item, "claimed", nonce, None, now)

    async def skip(
        self, alert_id: int, item: FeedItemRecord, detail: str, *, now: dt.datetime
    ) -> AlertPost | None:
        """Record an item the alert will not post, and why; None if it already has a row."""
        return await self._insert(alert_id, item, "skipped", "", detail, now)

    async def reclaim(self, post_id: int, *, now: dt.datetime) -> AlertPost | None:
        """Start another attempt at a ``failed`` post; None unless it was ``failed``."""
        return await self._posts.reclaim("id = ?", (post_id,), now=now)

    async def complete(
        self,
        post_id: int,
        state: RunState,
        *,
        now: dt.datetime,
        message_id: int | None = None,
        detail: str | None = None,
    ) -> AlertPost | None:
        """Finish a ``claimed`` post as posted, skipped or failed; None unless claimed.
        A ``detail`` is kept to its first 500 characters."""
        return await self._posts.complete(
            "id = ?", (post_id,), state, now=now, message_id=message_id, detail=detail
        )

    async def post(self, post_id: int) -> AlertPost | None:
        """One ledger row by id."""
        return await self._posts.one("id = ?", (post_id,))

    async def posts(self, alert_id: int, *, limit: int = 20) -> list[AlertPost]:
        """The alert's most recent ledger rows, newest first."""
        return await self._posts.select(
            "WHERE alert_id = ? ORDER BY id DESC LIMIT ?", (alert_id, max(0, limit))
        )

    async def unfinished(self, alert_id: int | None = None) -> list[AlertPost]:
        """Posts left ``claimed`` (an attempt interrupted by a crash or a shutdown, or one
        in flight), of every alert or only of ``alert_id``."""
        if alert_id is None:
            return await self._posts.unfinished("alert_id, id")
        return await self._posts.select(
            "WHERE alert_id = ? AND state = 'claimed' ORDER BY id", (alert_id,)
        )

    async def failed(self, alert_id: int) -> list[AlertPost]:
        """The alert's posts waiting for a retry, oldest first."""
        return await self._posts.select(
            "WHERE alert_id = ? AND state = 'failed' ORDER BY id", (alert_id,)
        )

    async def counts(self, alert_ids: Sequence[int]) -> dict[int, int]:
        """How many articles each alert has posted."""
        if not alert_ids:
            return {}
        marks = ", ".join("?" for _ in alert_ids)
        rows = await self._store.fetchall(
            f"SELECT alert_id, count(*) FROM alert_posts WHERE state = 'posted' "
            f"AND alert_id IN ({marks}) GROUP BY alert_id",
            tuple(alert_ids),
        )
        return {alert_id: count for alert_id, count in rows}

    async def message_recorded(self, message_id: int) -> bool:
        """Whether a post is already recorded with ``message_id``."""
        return await self._posts.message_recorded(message_id)

    async def _insert(
        self,
        alert_id: int,
        item: FeedItemRecord,
        state: RunState,
        nonce: str,
        detail: str | None,
        now: dt.datetime,
    ) -> AlertPost | None:
        return await self._posts.insert(
            (alert_id, item.article_id),
            state,
            now=now,
            nonce=nonce,
            detail=detail,
            extra={"first_seen": to_epoch(item.first_seen_at)},
        )
