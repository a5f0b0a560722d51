"""One fetch of one feed, end to end: fetch, parse (off the event loop), de-duplicate against
the store, write atomically, and say what changed; failures back off and finally pause.

Dedupe (see ``bot.feeds.identity`` for the key): an item whose key is not stored is new;
a stored one whose content hash changed (text, headline, link, date, tags) is updated in
place, keeping its article id and never counting as new; an item that left the feed and
comes back finds its row and is not new; a key listed twice in one fetch counts once (the
first). The first successful fetch of a feed stores its items without marking them for
alerts. Everything one fetch learns, validators included, is written in one transaction,
so a crash before it commits simply repeats the fetch, and one after it repeats nothing.

Failures (network, HTTP status, refused address, not a feed, malformed XML) retry after
1, 5, 15, then every 60 minutes; once a feed has failed for ``PAUSE_AFTER`` it is paused,
with an audit entry (and the caller's ``on_pause`` notice). ``feed resume`` clears it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.corpus.model import Article
from bot.corpus.sentences import split_sentences
from bot.feeds.errors import FeedError
from bot.feeds.fetch import Fetcher
from bot.feeds.fulltext import extract_article_text
from bot.feeds.identity import article_id, content_hash, item_key
from bot.feeds.model import FeedEntry, ParsedFeed
from bot.feeds.parse import parse_feed
from bot.store import Feed, FeedItemRecord, Store, StoreError
from bot.store.feeds import ItemWrite

log = logging.getLogger(__name__)

BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=60),
)
PAUSE_AFTER = dt.timedelta(days=1)
JITTER = 0.1  # up to 10 % of the interval added, so feeds added together drift apart
FULL_TEXT_PER_FETCH = 10  # linked pages fetched per fetch at most (the rest keep the feed text)
CONCURRENCY = 8
NO_GUILD = 0  # audit entries about a feed added from the command line

Clock = Callable[[], dt.datetime]
PauseHook = Callable[[Feed, str], Awaitable[None]]


@dataclass(frozen=True)
class FetchReport:
    """What one fetch of one feed did. ``upserts`` are the new and changed articles,
    ``error`` says why it failed (None when it worked), ``paused`` that this failure paused
    the feed, ``not_modified`` that the server answered 304."""

    feed: Feed
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None
    warning: str | None = None
    paused: bool = False
    not_modified: bool = False
    upserts: tuple[Article, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class FeedPreview:
    """What fetching a feed now would add (``/admin feed test``), nothing written."""

    url: str
    title: str | None
    kind: str
    total: int
    new_entries: tuple[FeedEntry, ...]
    warning: str | None


def feed_article(record: FeedItemRecord, slug: str) -> Article:
    """The library article a stored feed item stands for."""
    body = record.body or record.title
    sentences = tuple(split_sentences(body)) or (record.title,)
    moment = record.published_at or record.first_seen_at
    return Article(
        id=record.article_id,
        title=record.title,
        body=body,
        sentences=sentences,
        source_path=f"feed:{slug}",
        date=moment.date(),
        source=record.source,
        url=record.url,
        tags=record.tags,
    )


def feed_articles(records: Iterable[FeedItemRecord], slugs: Mapping[int, str]) -> list[Article]:
    """The library articles stored feed items stand for, each feed's slug by its id.

    It splits every body into sentences: tens of thousands of items take a second or more,
    so async code calls it in a thread (``asyncio.to_thread``), never on the event loop.
    """
    return [feed_article(record, slugs.get(record.feed_id, "unknown")) for record in records]


async def load_feed_articles(store: Store) -> list[Article]:
    """Every live feed article in the store (for loading the library)."""
    slugs = {feed.id: feed.slug for feed in await store.feeds.all()}
    records = await store.feeds.live_items()
    return await asyncio.to_thread(feed_articles, records, slugs)


def backoff(failures: int) -> dt.timedelta:
    """How long to wait after the ``failures``-th failure in a row (1-based)."""
    return BACKOFF[min(max(failures, 1), len(BACKOFF)) - 1]


class FeedIngestor:
    """Fetches feeds into the store. ``clock`` gives aware UTC datetimes."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        *,
        clock: Clock,
        on_pause: PauseHook | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.on_pause = on_pause
        self._rng = rng

    # -- fetching ----------------------------------------------------------------------

    async def fetch_all(
        self, feeds: Iterable[Feed], *, concurrency: int = CONCURRENCY
    ) -> list[FetchReport]:
        """Fetch several feeds, a few at a time; one report per feed, in order."""
        gate = asyncio.Semaphore(concurrency)

        async def one(feed: Feed) -> FetchReport:
            async with gate:
                return await self.fetch(feed)

        return list(await asyncio.gather(*(one(feed) for feed in feeds)))

    async def fetch(self, feed: Feed) -> FetchReport:
        """Fetch ``feed`` once now and record the outcome (never raises for feed problems;
        a store failure is reported as the error too, and nothing is half-written)."""
        now = self.clock()
        try:
            response = await self.fetcher.get(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
            body_hash = hashlib.blake2b(response.body, digest_size=16).hexdigest()
            if response.not_modified or (feed.primed and body_hash == feed.body_hash):
                # A 304, or a server without validators sending the same bytes again: the
                # items are what they were, so there is nothing to parse.
                updated = await self.store.feeds.apply_fetch(
                    feed,
                    now=now,
                    next_fetch_at=self._next_fetch(feed, now),
                    title=None,
                    etag=response.etag or feed.etag,
                    last_modified=response.last_modified or feed.last_modified,
                    not_modified=True,
                )
                return FetchReport(updated, not_modified=True)
            parsed = await asyncio.to_thread(
                parse_feed, response.body, url=response.url, content_type=response.content_type
            )
            return await self._ingest(
                feed, parsed, now, response.etag, response.last_modified, body_hash
            )
        except FeedError as error:
            return await self._failed(feed, str(error), now)
        except StoreError as error:
            log.exception("feed #%d: the store failed", feed.id)
            return FetchReport(feed, error=f"the database failed: {error}")
        except Exception as error:  # a parser bug on one feed must not stop the others
            log.exception("feed #%d (%s): unexpected error", feed.id, feed.url)
            reason = f"the feed could not be read (unexpected {type(error).__name__})"
            return await self._failed(feed, reason, now)

    async def _ingest(
        self,
        feed: Feed,
        parsed: ParsedFeed,
        now: dt.datetime,
        etag: str | None,
        last_modified: str | None,
        body_hash: str,
    ) -> FetchReport:
        entries: dict[str, FeedEntry] = {}
        for entry in parsed.entries:
            entries.setdefault(item_key(entry), entry)  # a repeated key: the first one wins
        stored = await self.store.feeds.items(feed.id, entries)
        source = feed.name or parsed.title or feed.title or feed.slug
        inserts: list[ItemWrite] = []
        updates: list[ItemWrite] = []
        first_seen: dict[str, dt.datetime] = {}
        seen: list[str] = []
        pages = 0
        for key, entry in entries.items():
            digest = content_hash(entry)
            old = stored.get(key)
            if old is not None and (old.expired or old.content_hash == digest):
                seen.append(key)
                continue
            body, origin = entry.body, "feed"
            if old is not None and old.body_origin == "page":
                body, origin = old.body, "page"  # the page text stays; the feed's changes apply
            elif old is None and feed.full_text and entry.link and pages < FULL_TEXT_PER_FETCH:
                pages += 1
                page_text = await extract_article_text(self.fetcher, entry.link)
                if page_text and len(page_text) > len(entry.body):
                    body, origin = page_text, "page"
            write = ItemWrite(
                item_key=key,
                article_id=old.article_id if old else article_id(feed.slug, key),
                title=entry.title,
                url=entry.link,
                published_at=entry.published,
                source=source,
                tags=entry.tags,
                body=body,
                body_origin=origin,  # type: ignore[arg-type]
                content_hash=digest,
            )
            (updates if old else inserts).append(write)
            first_seen[key] = old.first_seen_at if old else now
        updated_feed = await self.store.feeds.apply_fetch(
            feed,
            now=now,
            next_fetch_at=self._next_fetch(feed, now),
            title=parsed.title,
            etag=etag,
            last_modified=last_modified,
            inserts=inserts,
            updates=updates,
            seen=seen,
            body_hash=body_hash,
        )
        records = [_record(feed.id, w, first_seen[w.item_key], now) for w in (*inserts, *updates)]
        articles = tuple(await asyncio.to_thread(feed_articles, records, {feed.id: feed.slug}))
        if parsed.warning:
            log.warning("feed #%d (%s): %s", feed.id, feed.url, parsed.warning)
        return FetchReport(
            updated_feed,
            new=len(inserts),
            updated=len(updates),
            unchanged=len(seen),
            warning=parsed.warning,
            upserts=articles,
        )

    async def _failed(self, feed: Feed, error: str, now: dt.datetime) -> FetchReport:
        failures = feed.failure_count + 1
        since = feed.failing_since or now
        pause_reason = None
        if now - since >= PAUSE_AFTER:
            pause_reason = (
                f"paused after failing for {_duration(now - since)} ({failures} attempts in a "
                f"row); last error: {error}"
            )
        log.warning("feed #%d (%s) failed: %s", feed.id, feed.url, error)
        updated = await self.store.feeds.record_failure(
            feed.id, error, now=now, retry_at=now + backoff(failures), pause_reason=pause_reason
        )
        if pause_reason is not None:
            await self.store.audit.record(
                feed.guild_id or NO_GUILD,
                None,
                "feed.paused",
                details={"feed": feed.id, "url": feed.url, "reason": pause_reason},
                result="error",
                now=now,
            )
            if self.on_pause is not None:
                try:
                    await self.on_pause(updated, pause_reason)
                except Exception:
                    log.exception("could not send the pause notice of feed #%d", feed.id)
        return FetchReport(updated, error=error, paused=pause_reason is not None)

    def _next_fetch(self, feed: Feed, now: dt.datetime) -> dt.datetime:
        interval = dt.timedelta(minutes=feed.interval_minutes)
        return now + interval + interval * (JITTER * self._rng())

    # -- previews and retention ----------------------------------------------------------

    async def preview(self, url: str) -> FeedPreview:
        """Fetch and parse ``url`` and say what would be added; writes nothing. Raises
        ``FeedError`` saying why the feed cannot be read."""
        response = await self.fetcher.get(url)
        parsed = await asyncio.to_thread(
            parse_feed, response.body, url=response.url, content_type=response.content_type
        )
        entries: dict[str, FeedEntry] = {}
        for entry in parsed.entries:
            entries.setdefault(item_key(entry), entry)
        known: set[str] = set()
        existing = await self.store.feeds.by_url(url)
        if existing is not None:
            known = set(await self.store.feeds.items(existing.id, entries))
        new = tuple(entry for key, entry in entries.items() if key not in known)
        return FeedPreview(url, parsed.title, parsed.kind, len(entries), new, parsed.warning)

    async def expire(self, keep_days: int) -> list[str]:
        """Retention: stop keeping feed articles older than ``keep_days`` (0: keep all);
        returns the article ids that left the library."""
        if keep_days <= 0:
            return []
        return await self.store.feeds.expire(self.clock() - dt.timedelta(days=keep_days))


def _record(
    feed_id: int, write: ItemWrite, first_seen: dt.datetime, now: dt.datetime
) -> FeedItemRecord:
    return FeedItemRecord(
        feed_id=feed_id,
        item_key=write.item_key,
        article_id=write.article_id,
        title=write.title,
        url=write.url,
        published_at=write.published_at,
        first_seen_at=first_seen,
        updated_at=now,
        last_seen_at=now,
        source=write.source,
        tags=write.tags,
        body=write.body,
        body_origin=write.body_origin,
        content_hash=write.content_hash,
        expired=False,
        alert=False,
    )


def _duration(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"


def summary_line(report: FetchReport) -> str:
    """One line for people: ``3 new, 1 updated, 20 unchanged`` or the error."""
    if report.error:
        paused = " (now paused)" if report.paused else ""
        return f"error: {report.error}{paused}"
    if report.not_modified:
        return "unchanged (not modified since the last fetch)"
    return f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged"


__all__: Sequence[str] = (
    "FeedIngestor",
    "FeedPreview",
    "FetchReport",
    "backoff",
    "feed_article",
    "feed_articles",
    "load_feed_articles",
    "summary_line",
)
