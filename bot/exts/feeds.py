"""Feeds while the bot runs: fetch every feed on its interval, put what arrives into the
library, and tell the moderators when a feed had to be paused.

The loop body is ``run_due(now)``: fetch the feeds due at ``now`` (a few at a time), add
the new and changed articles to the service (search, digests and ``/article`` see them at
once), then apply retention. At start the feed articles already in the store are loaded,
so a restart loses none of them. The fetching, dedupe and failure rules live in
``bot.feeds``; this module only connects them to the bot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.corpus.model import Article
from bot.exts._posting import notify_moderators
from bot.feeds.fetch import Fetcher
from bot.feeds.ingest import (
    FeedIngestor,
    FetchReport,
    feed_articles,
    load_feed_articles,
    summary_line,
)
from bot.feeds.manage import fetch_policy
from bot.store import Feed, Store, StoreError
from bot.ui.limits import CONTENT
from bot.ui.text import escape, fit

if TYPE_CHECKING:
    from bot.app import NewsBot

_log = logging.getLogger(__name__)

LOOP_SECONDS = 30.0
# Between fetches the loop only compares the time with the next due fetch; it still reads
# the feeds table at least this often (``NO_FEEDS_IDLE`` while there are none), in case
# another process (``newsbot feeds add``) changed it.
MAX_IDLE = dt.timedelta(hours=1)
NO_FEEDS_IDLE = dt.timedelta(hours=6)
#: The lock the fetching process holds (shared stores), and how far back a pick-up looks
#: before the newest change it has seen (clocks of two machines may disagree this much).
FETCH_LOCK = "feeds:fetch"
PICK_UP_MARGIN = dt.timedelta(minutes=10)


def pause_notice(feed: Feed, reason: str) -> str:
    """The public notice for a paused feed (feed text escaped: the bot did not write it)."""
    return fit(
        f"The feed “{feed.label}” (#{feed.id}, {feed.url}) has been paused: {reason}. "
        "Nothing from it is added until a moderator fixes the cause and runs "
        f"/admin feed resume feed:{feed.id}.",
        CONTENT,
        render=escape,
    )


class Feeds(commands.Cog):
    """Fetches feeds on their intervals into the shared library."""

    def __init__(self, bot: NewsBot, *, interval: float = LOOP_SECONDS) -> None:
        self.bot = bot
        self.fetcher = Fetcher(fetch_policy(bot.settings))
        self._ingestor: FeedIngestor | None = None
        self._pass = asyncio.Lock()  # one fetch pass at a time (the loop, /admin, a resume)
        # When the next feed falls due; None: look at the next iteration.
        self._next_check: dt.datetime | None = None
        self._loaded = False
        # Shared stores: the feed articles this process has (id → content hash), and the
        # newest ``updated_at`` among them.
        self._known: dict[str, str] = {}
        self._watermark: dt.datetime | None = None
        self.fetch_feeds.change_interval(seconds=interval)

    @property
    def store(self) -> Store:
        store = self.bot.store
        if store.closed:
            raise StoreError("the bot's database is not open")
        return store

    @property
    def ingestor(self) -> FeedIngestor:
        """The ingestor over the bot's store and this cog's fetcher."""
        if self._ingestor is None:
            self._ingestor = FeedIngestor(
                self.store, self.fetcher, clock=discord.utils.utcnow, on_pause=self.notify_pause
            )
        return self._ingestor

    async def cog_load(self) -> None:
        if self.bot.library_loaded:
            await self._load_stored()
        # Else the first pass does, once the articles are loaded: waiting here would hold
        # the gateway connection back for the whole load.
        self.fetch_feeds.start()

    async def _load_stored(self) -> None:
        """Put the feed articles the store holds into the library (once per process)."""
        if self._loaded:
            return
        if self.store.shared:
            await self._pick_up()
            self._loaded = True
            return
        if self.bot.service.feed_article_ids:
            # The bot's own load read them from this store already (``NewsBot.prepare``).
            self._loaded = True
            return
        articles = await load_feed_articles(self.store)
        if articles:
            await asyncio.to_thread(self.bot.service.update_feed_articles, articles)
            _log.info("loaded %d feed articles from the store", len(articles))
        self._loaded = True

    async def cog_unload(self) -> None:
        self.fetch_feeds.cancel()
        await self.fetcher.close()

    # -- fetching ----------------------------------------------------------------------

    def feeds_changed(self) -> None:
        """Look at the feeds again at the next iteration (call after changing them)."""
        self._next_check = None

    async def run_if_due(self, now: dt.datetime | None = None) -> list[FetchReport]:
        """``run_due`` if a feed may be due at ``now``; the loop's whole body. On a shared
        store, what other processes fetched is picked up either way."""
        now = now or discord.utils.utcnow()
        if self._next_check is not None and now < self._next_check:
            if self.store.shared:
                async with self._pass:
                    await self._pick_up()
            return []
        return await self.run_due(now)

    async def run_due(self, now: dt.datetime | None = None) -> list[FetchReport]:
        """Fetch every feed due at ``now`` (default: the clock) and apply retention."""
        now = now or discord.utils.utcnow()
        async with self._pass:
            await self._load_stored()
            reports: list[FetchReport] = []
            async with self.store.exclusive(FETCH_LOCK) as fetching:
                if fetching:
                    due = await self.store.feeds.due(now)
                    reports = await self.ingestor.fetch_all(due) if due else []
                    expired = await self.ingestor.expire(self.bot.settings.feeds_keep_days)
                else:
                    expired = []
                    _log.debug("another process is fetching the feeds")
            await self._apply(reports, expired)
            upcoming = await self.store.feeds.next_due()
            if upcoming is None:
                self._next_check = now + NO_FEEDS_IDLE
            else:
                self._next_check = min(upcoming, now + MAX_IDLE)
        for report in reports:
            _log.info("feed #%d %s: %s", report.feed.id, report.feed.slug, summary_line(report))
        return reports

    async def fetch_now(self, feed: Feed) -> FetchReport:
        """Fetch one feed now (``/admin feed add`` and ``resume``), due or not."""
        async with self._pass:
            await self._load_stored()
            report = await self.ingestor.fetch(feed)
            await self._apply([report])
        return report

    async def forget(self, article_ids: list[str]) -> None:
        """Drop a removed feed's articles from the library."""
        for article_id in article_ids:
            self._known.pop(article_id, None)
        await asyncio.to_thread(self.bot.service.update_feed_articles, (), article_ids)

    async def _apply(self, reports: list[FetchReport], expired: list[str] | None = None) -> None:
        if self.store.shared:
            await self._pick_up()  # one path for what this and other processes stored
            return
        upserts = [article for report in reports for article in report.upserts]
        if upserts or expired:
            await asyncio.to_thread(self.bot.service.update_feed_articles, upserts, expired or ())

    async def _pick_up(self) -> None:
        """Bring the library up to the store: feed articles added or changed since the last
        look, and those expired or removed (found by comparing counts, then ids)."""
        store = self.store
        since = None if self._watermark is None else self._watermark - PICK_UP_MARGIN
        records = await store.feeds.live_items(updated_since=since)
        fresh = [r for r in records if self._known.get(r.article_id) != r.content_hash]
        upserts: list[Article] = []
        if fresh:
            slugs = {feed.id: feed.slug for feed in await store.feeds.all()}
            upserts = await asyncio.to_thread(feed_articles, fresh, slugs)
            for record in fresh:
                self._known[record.article_id] = record.content_hash
        if records:
            newest = max(record.updated_at for record in records)
            self._watermark = newest if self._watermark is None else max(self._watermark, newest)
        removed: list[str] = []
        if await store.feeds.live_count() != len(self._known):
            live = await store.feeds.live_ids()
            removed = [article_id for article_id in self._known if article_id not in live]
            for article_id in removed:
                del self._known[article_id]
        if upserts or removed:
            await asyncio.to_thread(self.bot.service.update_feed_articles, upserts, removed)
            _log.info(
                "feed articles from the store: %d added or changed, %d gone",
                len(upserts),
                len(removed),
            )

    @tasks.loop(seconds=LOOP_SECONDS)
    async def fetch_feeds(self) -> None:
        try:
            await self.run_if_due()
        except Exception:
            # The loop must survive a bad pass (a database hiccup); the next one retries.
            _log.exception("the feed fetch pass failed")

    @fetch_feeds.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.bot.wait_until_library_loaded()

    # -- notices -----------------------------------------------------------------------

    async def notify_pause(self, feed: Feed, reason: str) -> None:
        """Tell moderators a feed was paused: in the system (or public updates) channel of
        the server it was added from, else of each library server; audited either way."""
        guild_ids = (
            [feed.guild_id] if feed.guild_id else sorted(self.bot.settings.library_guild_ids)
        )
        for guild_id in guild_ids:
            await self._notify(guild_id, pause_notice(feed, reason), feed)
        if not guild_ids:
            _log.warning("feed #%d paused, and no server to tell: %s", feed.id, reason)

    async def _notify(self, guild_id: int, message: str, feed: Feed) -> None:
        await notify_moderators(
            self.bot,
            self.store,
            guild_id,
            message,
            action="feed.notice",
            details={"feed": feed.id},
            text=message,
        )


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Feeds(bot))
