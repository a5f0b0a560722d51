"""Feeds with several processes on one PostgreSQL database: one process fetches at a time
(an advisory lock), and every process picks up from the store what was fetched, changed,
expired or removed. Each ``Feeds`` cog here is one process's (its own store connection
and library)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.exts.feeds import FETCH_LOCK, Feeds
from bot.feeds.manage import add_feed
from bot.service import NewsService
from bot.store import Store
from tests.support.feed_samples import FERRY, LIGHTHOUSE, rss, rss_item
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.parametrize("store_location", ["postgresql"], indirect=True)

ARTICLES = Path(__file__).parents[1] / "support" / "e2e_articles"


@dataclass
class Process:
    """What the feeds cog uses of the bot: its store, library and settings."""

    store: Store
    service: NewsService
    settings: Settings

    def get_guild(self, _guild_id: int) -> None:
        return None

    def feed_ids(self) -> set[str]:
        return {i for i in self.service.articles if i.startswith("feed-")}


@pytest_asyncio.fixture
async def processes(store_location: str) -> AsyncIterator[list[tuple[Process, Feeds]]]:
    made: list[tuple[Process, Feeds]] = []
    for _ in range(2):
        process = Process(
            await Store.open(store_location),
            NewsService.load(ARTICLES),
            Settings(feeds_allow_private=True),
        )
        made.append((process, Feeds(process)))  # type: ignore[arg-type]
    yield made
    for process, cog in made:
        await cog.fetcher.close()
        await process.store.close()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def test_one_process_fetches_and_the_other_picks_up_what_it_stored(
    processes: list[tuple[Process, Feeds]], feed_server: FeedServer
) -> None:
    (a, feeds_a), (b, feeds_b) = processes
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    feed = await add_feed(a.store, feed_server.url("/rss"), now=now(), name="Harbour Gazette")

    async with a.store.exclusive(FETCH_LOCK):  # A is fetching (or about to)
        assert await feeds_b.run_due() == []
    assert feed_server.hits("/rss") == 0  # B left it to A

    reports = await feeds_a.run_due()
    assert [r.feed.id for r in reports] == [feed.id] and feed_server.hits("/rss") == 1
    assert len(a.feed_ids()) == 2

    assert b.feed_ids() == set()
    await feeds_b.run_if_due()  # nothing due for B to fetch; it picks up A's articles
    assert b.feed_ids() == a.feed_ids()
    assert feed_server.hits("/rss") == 1

    # A's next fetch finds one item's text changed: B picks up the new text too.
    ids = b.feed_ids()
    changed = rss_item("gazette-1001", "Ferry delays at Gull Island", "The new timetable is out.")
    feed_server.serve("/rss", rss(changed, LIGHTHOUSE))
    await feeds_a.fetch_now(feed)
    await feeds_b.run_if_due()
    assert b.feed_ids() == ids  # the same two articles, one of them updated in place
    texts = [b.service.article(i).body for i in ids]  # type: ignore[union-attr]
    assert sum("new timetable" in text for text in texts) == 1

    # A removes the feed: its articles leave B's library as well.
    _, gone = await a.store.feeds.remove(feed.id)
    await feeds_a.forget(gone)
    await feeds_b.run_if_due()
    assert a.feed_ids() == b.feed_ids() == set()


async def test_a_pick_up_with_nothing_new_changes_nothing(
    processes: list[tuple[Process, Feeds]], feed_server: FeedServer
) -> None:
    (a, feeds_a), (b, feeds_b) = processes
    feed_server.serve("/rss", rss(FERRY))
    await add_feed(a.store, feed_server.url("/rss"), now=now(), name="Harbour Gazette")
    await feeds_a.run_due()
    await feeds_b.run_if_due()
    before = b.service.articles
    await feeds_b.run_if_due()
    assert b.service.articles is before  # no rebuild when the store has nothing new
