"""Feeds the shared library follows, and their items: the feed articles and the dedupe records.

A feed item row is both at once: its key (``feed_id``, ``item_key``) is the item's identity
(see ``bot.feeds.identity``), so an item seen once is known for as long as its row lives;
its text is the article search and digests read (``expired`` rows keep only the identity,
after the retention period, so an old item still in the feed is not taken for a new one).
``alert`` marks items that arrived after the feed's first fetch: the ones alerts may post.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot.store.errors import AlreadyExists, InvalidValue, NotFound
from bot.store.timeconv import from_epoch, maybe_from_epoch, maybe_to_epoch, to_epoch

if TYPE_CHECKING:
    from bot.store.database import Store

MIN_INTERVAL_MINUTES = 5
MAX_INTERVAL_MINUTES = 7 * 24 * 60
MAX_URL_CHARS = 2000
MAX_NAME_CHARS = 100
MAX_ERROR_CHARS = 500

BodyOrigin = Literal["feed", "page"]

_FEED_COLUMNS = (
    "id, slug, url, name, title, interval_minutes, full_text, guild_id, added_by, created_at, "
    "etag, last_modified, last_fetched_at, last_ok_at, next_fetch_at, failure_count, "
    "failing_since, last_error, paused, pause_reason, primed, body_hash"
)
_ITEM_COLUMNS = (
    "feed_id, item_key, article_id, title, url, published_at, first_seen_at, updated_at, "
    "last_seen_at, source, tags, body, body_origin, content_hash, expired, alert"
)


@dataclass(frozen=True)
class Feed:
    """A feed: where it is, how often it is fetched, and how it is faring.

    ``name`` is what a moderator called it (None: use the feed's own ``title``);
    ``primed`` is True once a first fetch succeeded (items after that are "new");
    ``body_hash`` identifies the last body read, so an identical one is not parsed again.
    """

    id: int
    slug: str
    url: str
    name: str | None
    title: str | None
    interval_minutes: int
    full_text: bool
    guild_id: int | None
    added_by: int | None
    created_at: dt.datetime
    etag: str | None
    last_modified: str | None
    last_fetched_at: dt.datetime | None
    last_ok_at: dt.datetime | None
    next_fetch_at: dt.datetime
    failure_count: int
    failing_since: dt.datetime | None
    last_error: str | None
    paused: bool
    pause_reason: str | None
    primed: bool
    body_hash: str | None = None

    @property
    def label(self) -> str:
        """The name people see: the given name, else the feed's title, else its slug."""
        return self.name or self.title or self.slug


@dataclass(frozen=True)
class FeedItemRecord:
    """One stored feed item (an article, or after retention only its identity)."""

    feed_id: int
    item_key: str
    article_id: str
    title: str
    url: str | None
    published_at: dt.datetime | None
    first_seen_at: dt.datetime
    updated_at: dt.datetime
    last_seen_at: dt.datetime
    source: str | None
    tags: tuple[str, ...]
    body: str
    body_origin: BodyOrigin
    content_hash: str
    expired: bool
    alert: bool


@dataclass(frozen=True)
class ItemWrite:
    """An item to insert or update (the repository fills in the times)."""

    item_key: str
    article_id: str
    title: str
    url: str | None
    published_at: dt.datetime | None
    source: str | None
    tags: tuple[str, ...]
    body: str
    body_origin: BodyOrigin
    content_hash: str


def _feed(row: Sequence[Any]) -> Feed:
    (
        id_,
        slug,
        url,
        name,
        title,
        interval,
        full_text,
        guild_id,
        added_by,
        created_at,
        etag,
        last_modified,
        last_fetched_at,
        last_ok_at,
        next_fetch_at,
        failure_count,
        failing_since,
        last_error,
        paused,
        pause_reason,
        primed,
        body_hash,
    ) = row
    return Feed(
        id=id_,
        slug=slug,
        url=url,
        name=name,
        title=title,
        interval_minutes=interval,
        full_text=bool(full_text),
        guild_id=guild_id,
        added_by=added_by,
        created_at=from_epoch(created_at),
        etag=etag,
        last_modified=last_modified,
        last_fetched_at=maybe_from_epoch(last_fetched_at),
        last_ok_at=maybe_from_epoch(last_ok_at),
        next_fetch_at=from_epoch(next_fetch_at),
        failure_count=failure_count,
        failing_since=maybe_from_epoch(failing_since),
        last_error=last_error,
        paused=bool(paused),
        pause_reason=pause_reason,
        primed=bool(primed),
        body_hash=body_hash,
    )


def _item(row: Sequence[Any]) -> FeedItemRecord:
    (
        feed_id,
        item_key,
        article_id,
        title,
        url,
        published_at,
        first_seen_at,
        updated_at,
        last_seen_at,
        source,
        tags,
        body,
        body_origin,
        content_hash,
        expired,
        alert,
    ) = row
    return FeedItemRecord(
        feed_id=feed_id,
        item_key=item_key,
        article_id=article_id,
        title=title,
        url=url,
        published_at=maybe_from_epoch(published_at),
        first_seen_at=from_epoch(first_seen_at),
        updated_at=from_epoch(updated_at),
        last_seen_at=from_epoch(last_seen_at),
        source=source,
        tags=tuple(json.loads(tags)),
        body=body,
        body_origin=body_origin,
        content_hash=content_hash,
        expired=bool(expired),
        alert=bool(alert),
    )


def check_interval(minutes: object) -> int:
    """``minutes`` if it is a whole number of minutes from 5 to a week, else ``InvalidValue``."""
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES
    ):
        raise InvalidValue(
            f"a feed's interval is {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} minutes, "
            f"not {minutes!r}"
        )
    return minutes


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FeedRepo:
    """Add, read, fetch-update and remove feeds and their items."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- feeds -------------------------------------------------------------------------

    async def add(
        self,
        url: str,
        *,
        slug: str,
        now: dt.datetime,
        name: str | None = None,
        interval_minutes: int = 15,
        full_text: bool = False,
        guild_id: int | None = None,
        added_by: int | None = None,
    ) -> Feed:
        """Add a feed, due at once. ``AlreadyExists`` when the url (or slug) is taken."""
        check_interval(interval_minutes)
        if not url or len(url) > MAX_URL_CHARS:
            raise InvalidValue(f"a feed's url must be 1 to {MAX_URL_CHARS} characters")
        if name is not None:
            name = _short(name, MAX_NAME_CHARS) or None
        existing = await self.by_url(url)
        if existing is not None:
            raise AlreadyExists(
                f"that feed is already followed, as #{existing.id} {existing.label}"
            )
        try:
            async with self._store.transaction() as conn:
                cursor = await conn.execute(
                    "INSERT INTO feeds (slug, url, name, interval_minutes, full_text, guild_id, "
                    "added_by, created_at, next_fetch_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        slug,
                        url,
                        name,
                        interval_minutes,
                        int(full_text),
                        guild_id,
                        added_by,
                        to_epoch(now),
                        to_epoch(now),
                    ),
                )
                feed_id = cursor.lastrowid
                await cursor.close()
        except sqlite3.IntegrityError as error:
            raise AlreadyExists(f"that feed (or the name {slug}) is already taken") from error
        feed = await self.get(int(feed_id or 0))
        assert feed is not None
        return feed

    async def get(self, feed_id: int) -> Feed | None:
        """One feed by id."""
        rows = await self._store.fetchall(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?", (feed_id,)
        )
        return _feed(rows[0]) if rows else None

    async def by_url(self, url: str) -> Feed | None:
        """The feed at exactly ``url``."""
        rows = await self._store.fetchall(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)
        )
        return _feed(rows[0]) if rows else None

    async def slugs(self) -> set[str]:
        """Every slug in use."""
        return {row[0] for row in await self._store.fetchall("SELECT slug FROM feeds")}

    async def all(self) -> list[Feed]:
        """Every feed, oldest first."""
        rows = await self._store.fetchall(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY id")
        return [_feed(row) for row in rows]

    async def due(self, now: dt.datetime) -> list[Feed]:
        """Feeds not paused whose next fetch is due at ``now``, most overdue first."""
        rows = await self._store.fetchall(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE paused = 0 AND next_fetch_at <= ? "
            "ORDER BY next_fetch_at, id",
            (to_epoch(now),),
        )
        return [_feed(row) for row in rows]

    async def next_due(self) -> dt.datetime | None:
        """When the earliest unpaused feed falls due (None: no such feed)."""
        row = await self._store.fetchone("SELECT min(next_fetch_at) FROM feeds WHERE paused = 0")
        return maybe_from_epoch(row[0]) if row else None

    async def remove(self, feed_id: int) -> tuple[Feed, list[str]]:
        """Delete a feed and its items; returns it and the article ids that went with it."""
        async with self._store.transaction():
            feed = await self.get(feed_id)
            if feed is None:
                raise NotFound(f"there is no feed #{feed_id}")
            rows = await self._store.fetchall(
                "SELECT article_id FROM feed_items WHERE feed_id = ? AND expired = 0", (feed_id,)
            )
            async with self._store.transaction() as conn:
                await conn.execute("DELETE FROM feed_items WHERE feed_id = ?", (feed_id,))
                await conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return feed, [row[0] for row in rows]

    async def set_paused(
        self, feed_id: int, paused: bool, *, now: dt.datetime, reason: str | None = None
    ) -> Feed:
        """Pause (with a reason) or resume a feed. Resuming clears its failures and makes it
        due at once."""
        async with self._store.transaction() as conn:
            if paused:
                cursor = await conn.execute(
                    "UPDATE feeds SET paused = 1, pause_reason = ? WHERE id = ?",
                    (_short(reason or "paused by a moderator", MAX_ERROR_CHARS), feed_id),
                )
            else:
                cursor = await conn.execute(
                    "UPDATE feeds SET paused = 0, pause_reason = NULL, failure_count = 0, "
                    "failing_since = NULL, last_error = NULL, next_fetch_at = ? WHERE id = ?",
                    (to_epoch(now), feed_id),
                )
            changed = cursor.rowcount
            await cursor.close()
            if not changed:
                raise NotFound(f"there is no feed #{feed_id}")
            feed = await self.get(feed_id)
        assert feed is not None
        return feed

    async def record_failure(
        self,
        feed_id: int,
        error: str,
        *,
        now: dt.datetime,
        retry_at: dt.datetime,
        pause_reason: str | None = None,
    ) -> Feed:
        """Count a failed fetch: when to retry, and (with ``pause_reason``) pause the feed."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET failure_count = failure_count + 1, "
                "failing_since = coalesce(failing_since, ?), last_error = ?, "
                "last_fetched_at = ?, next_fetch_at = ?, "
                "paused = CASE WHEN CAST(? AS TEXT) IS NULL THEN paused ELSE 1 END, "
                "pause_reason = coalesce(?, pause_reason) WHERE id = ?",
                (
                    to_epoch(now),
                    _short(error, MAX_ERROR_CHARS),
                    to_epoch(now),
                    to_epoch(retry_at),
                    pause_reason,
                    None if pause_reason is None else _short(pause_reason, MAX_ERROR_CHARS),
                    feed_id,
                ),
            )
            feed = await self.get(feed_id)
        if feed is None:
            raise NotFound(f"there is no feed #{feed_id}")
        return feed

    # -- items -------------------------------------------------------------------------

    async def items(
        self, feed_id: int, keys: Iterable[str] | None = None
    ) -> dict[str, FeedItemRecord]:
        """The feed's stored items by key (only ``keys`` when given)."""
        if keys is None:
            rows = await self._store.fetchall(
                f"SELECT {_ITEM_COLUMNS} FROM feed_items WHERE feed_id = ?", (feed_id,)
            )
        else:
            wanted = list(dict.fromkeys(keys))
            rows = []
            for start in range(0, len(wanted), 500):  # under SQLite's bound-parameter limit
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                rows += await self._store.fetchall(
                    f"SELECT {_ITEM_COLUMNS} FROM feed_items "
                    f"WHERE feed_id = ? AND item_key IN ({marks})",
                    (feed_id, *chunk),
                )
        return {row[1]: _item(row) for row in rows}

    async def live_items(self, *, updated_since: dt.datetime | None = None) -> list[FeedItemRecord]:
        """Every item that is still an article (not expired), for loading the library; with
        ``updated_since``, only those added or changed at or after it (for a process that
        picks up what another one fetched)."""
        where, params = "", tuple[int, ...]()
        if updated_since is not None:
            where, params = " AND updated_at >= ?", (to_epoch(updated_since),)
        rows = await self._store.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM feed_items WHERE expired = 0{where} "
            "ORDER BY feed_id, first_seen_at, article_id",
            params,
        )
        return [_item(row) for row in rows]

    async def live_count(self) -> int:
        """How many items are still articles."""
        row = await self._store.fetchone("SELECT count(*) FROM feed_items WHERE expired = 0")
        return int(row[0]) if row else 0

    async def live_ids(self) -> set[str]:
        """The article ids of every item that is still an article."""
        rows = await self._store.fetchall("SELECT article_id FROM feed_items WHERE expired = 0")
        return {str(row[0]) for row in rows}

    async def article_counts(self) -> dict[int, int]:
        """How many live articles each feed holds, by feed id."""
        rows = await self._store.fetchall(
            "SELECT feed_id, count(*) FROM feed_items WHERE expired = 0 GROUP BY feed_id"
        )
        return {feed_id: count for feed_id, count in rows}

    async def apply_fetch(
        self,
        feed: Feed,
        *,
        now: dt.datetime,
        next_fetch_at: dt.datetime,
        title: str | None,
        etag: str | None,
        last_modified: str | None,
        inserts: Sequence[ItemWrite] = (),
        updates: Sequence[ItemWrite] = (),
        seen: Iterable[str] = (),
        body_hash: str | None = None,
        not_modified: bool = False,
    ) -> Feed:
        """Record one successful fetch atomically: new and changed items, which stored items
        the feed still lists, the validators for the next conditional GET, and a clean
        failure record. New items are marked for alerts only once the feed is primed.

        ``not_modified`` (a 304, or the very body read last time): the items listed at the
        last fetch are still listed, so they count as seen now.
        """
        at = to_epoch(now)
        alert = int(feed.primed)
        async with self._store.transaction() as conn:
            if not_modified and feed.last_ok_at is not None:
                await conn.execute(
                    "UPDATE feed_items SET last_seen_at = ? WHERE feed_id = ? AND last_seen_at = ?",
                    (at, feed.id, to_epoch(feed.last_ok_at)),
                )
            await conn.executemany(
                # ``seq`` keeps the feed's own order among items first seen together
                # (alerts post them in that order; PostgreSQL has no rowid).
                f"INSERT INTO feed_items ({_ITEM_COLUMNS}, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                [
                    (
                        feed.id,
                        w.item_key,
                        w.article_id,
                        w.title,
                        w.url,
                        maybe_to_epoch(w.published_at),
                        at,
                        at,
                        at,
                        w.source,
                        json.dumps(list(w.tags), ensure_ascii=False),
                        w.body,
                        w.body_origin,
                        w.content_hash,
                        alert,
                        position,
                    )
                    for position, w in enumerate(inserts)
                ],
            )
            await conn.executemany(
                "UPDATE feed_items SET title = ?, url = ?, published_at = ?, updated_at = ?, "
                "last_seen_at = ?, source = ?, tags = ?, body = ?, body_origin = ?, "
                "content_hash = ? WHERE feed_id = ? AND item_key = ?",
                [
                    (
                        w.title,
                        w.url,
                        maybe_to_epoch(w.published_at),
                        at,
                        at,
                        w.source,
                        json.dumps(list(w.tags), ensure_ascii=False),
                        w.body,
                        w.body_origin,
                        w.content_hash,
                        feed.id,
                        w.item_key,
                    )
                    for w in updates
                ],
            )
            await conn.executemany(
                "UPDATE feed_items SET last_seen_at = ? WHERE feed_id = ? AND item_key = ?",
                [(at, feed.id, key) for key in seen],
            )
            await conn.execute(
                "UPDATE feeds SET title = coalesce(?, title), etag = ?, last_modified = ?, "
                "last_fetched_at = ?, last_ok_at = ?, next_fetch_at = ?, failure_count = 0, "
                "failing_since = NULL, last_error = NULL, primed = 1, "
                "body_hash = coalesce(?, body_hash) WHERE id = ?",
                (title, etag, last_modified, at, at, to_epoch(next_fetch_at), body_hash, feed.id),
            )
            updated = await self.get(feed.id)
        if updated is None:
            raise NotFound(f"feed #{feed.id} was removed during its fetch")
        return updated

    async def expire(self, before: dt.datetime) -> list[str]:
        """Retention: items dated (published, else first seen) before ``before`` stop being
        articles; their identity stays while the feed still lists them, so they never come
        back as new. Returns the article ids that were expired."""
        cutoff = to_epoch(before)
        async with self._store.transaction() as conn:
            rows = await self._store.fetchall(
                "SELECT article_id FROM feed_items WHERE expired = 0 "
                "AND coalesce(published_at, first_seen_at) < ?",
                (cutoff,),
            )
            await conn.execute(
                "UPDATE feed_items SET expired = 1, body = '', alert = 0 WHERE expired = 0 "
                "AND coalesce(published_at, first_seen_at) < ?",
                (cutoff,),
            )
            # An identity the feed has not listed for the whole period will not come back.
            await conn.execute(
                "DELETE FROM feed_items WHERE expired = 1 AND last_seen_at < ?", (cutoff,)
            )
        return [row[0] for row in rows]
