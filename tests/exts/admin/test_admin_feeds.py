"""/admin feed …, driven through SimCord as a moderator would, with feeds answered from
memory (the HTTP side is tested against a real server in test_feed_fetching): adding,
testing, pausing after failures with a notice, resuming, removing, restarts, and who may."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import pytest_asyncio
import simcord

from bot.app import NewsBot
from bot.config import Settings
from bot.feeds.errors import FetchError
from bot.feeds.fetch import Fetcher, FetchResponse, check_url
from bot.store import Store
from tests.support.admin_sim import (
    NEWSROOM_ID,
    Newsroom,
    build_newsroom,
    copy_articles,
    embed_text,
    make_bot,
)
from tests.support.feed_samples import FERRY, HTML_PAGE, LIGHTHOUSE, rss
from tests.support.newsbot_sim import refusals

FEED_URL = "https://gazette.example/rss.xml"


class MemoryFetcher(Fetcher):
    """Answers from ``pages`` (url → body, or an error message) without any network."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, bytes | str] = {}
        self.asked: list[str] = []

    async def get(self, url: str, **_options: object) -> FetchResponse:  # type: ignore[override]
        check_url(url)
        self.asked.append(url)
        page = self.pages.get(url)
        if page is None or isinstance(page, str):
            raise FetchError(page or "could not connect to gazette.example: refused")
        return FetchResponse(url, 200, page, "application/rss+xml", None, None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        articles_dir=copy_articles(tmp_path / "articles"),
        database_path=tmp_path / "newsbot.db",
        library_guild_ids=frozenset({NEWSROOM_ID}),
    )


@pytest_asyncio.fixture
async def simcord_bot(settings: Settings) -> AsyncIterator[NewsBot]:
    bot = await make_bot(settings)
    yield bot
    await bot.close()


@pytest.fixture
def room(simcord_env: simcord.Env, settings: Settings) -> Newsroom:
    return build_newsroom(simcord_env, settings)


def use_memory(room: Newsroom) -> MemoryFetcher:
    """Swap the running bot's fetcher for one answering from memory."""
    cog = room.bot.get_cog("Feeds")
    fetcher = MemoryFetcher()
    cog.fetcher = fetcher  # type: ignore[union-attr]
    cog._ingestor = None  # type: ignore[union-attr]
    return fetcher


def store_of(room: Newsroom) -> Store:
    assert room.bot.store is not None
    return room.bot.store


async def search(room: Newsroom, query: str) -> str:
    """What the member sees: the public answer, or the private "no results" one."""
    result = await room.member.slash(room.news, "search", query=query)
    return embed_text(result.response or result.followups[0])


async def test_a_moderator_adds_a_feed_and_members_find_and_read_its_articles(
    room: Newsroom,
) -> None:
    fetcher = use_memory(room)
    fetcher.pages[FEED_URL] = rss(FERRY, LIGHTHOUSE).encode()

    result = await room.admin("feed add", url=FEED_URL, name="Harbour Gazette", interval=30)

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == "Following Harbour Gazette"
    assert embed.description == "2 new, 0 updated, 0 unchanged"
    assert "every 30 min" in embed_text(result.response)
    assert "Lighthouse keeper retires" in await search(room, "lighthose keeper")

    [article_id] = [
        i for i, a in room.bot.service.articles.items() if a.title == "Lighthouse keeper retires"
    ]
    shown = await room.member.slash(room.news, "article", article=article_id)
    card = shown.response.embeds[0]
    assert card.url == "https://gazette.example/news/lighthouse?utm_source=rss"  # the original
    assert {f.name: f.value for f in card.fields}["Source"] == "Harbour Gazette"
    [entry] = await room.audit("feed.add")
    assert entry.result == "ok" and FEED_URL in entry.details


async def test_feed_commands_are_refused_outside_the_library_servers(room: Newsroom) -> None:
    use_memory(room).pages[FEED_URL] = rss(FERRY).encode()
    other = room.env.create_guild("Elsewhere")
    channel = other.create_text_channel("general")
    mods = other.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    boss = other.add_member(room.env.create_user("blake"), roles=[mods])

    for command, options in (
        ("feed add", {"url": FEED_URL}),
        ("feed test", {"url": FEED_URL}),
        ("feed remove", {"feed": "1"}),
    ):
        result = await boss.slash(channel, f"admin {command}", **options)
        assert result.ephemeral
        assert "only moderators of the servers listed in the bot's LIBRARY_GUILD_IDS" in (
            result.response.content
        )
    assert await store_of(room).feeds.all() == []
    refused = await store_of(room).audit.recent(other.id, action="feed.add")
    assert [e.result for e in refused] == ["refused"]
    assert len(refusals(room.env)) == 3


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (HTML_PAGE.encode(), "not a feed: the address returned a web page"),
        ("HTTP 404 Not Found", "HTTP 404 Not Found"),
    ],
)
async def test_a_feed_that_cannot_be_read_is_not_added(
    room: Newsroom, page: bytes | str, reason: str
) -> None:
    use_memory(room).pages[FEED_URL] = page

    result = await room.admin("feed add", url=FEED_URL)

    assert result.response.content.startswith("That feed was not added: the first fetch failed")
    assert reason in result.response.content
    assert await store_of(room).feeds.all() == []
    [entry] = await room.audit("feed.add")
    assert entry.result == "error"
    refusals(room.env)


async def test_a_loopback_address_is_refused_by_default(room: Newsroom) -> None:
    result = await room.admin("feed add", url="http://127.0.0.1:8080/rss")  # the real fetcher

    assert "private, loopback or link-local" in result.response.content
    assert await store_of(room).feeds.all() == []
    refusals(room.env)


async def test_test_shows_what_would_be_added_and_adds_nothing(room: Newsroom) -> None:
    use_memory(room).pages[FEED_URL] = rss(FERRY, LIGHTHOUSE).encode()

    result = await room.admin("feed test", url=FEED_URL)

    text = embed_text(result.response)
    assert "2 items (rss20); a fetch now would add 2. Nothing was added." in text
    assert "Lighthouse keeper retires" in text
    assert await store_of(room).feeds.all() == []
    assert "Lighthouse keeper retires" not in await search(room, "lighthouse keeper")


async def test_a_failing_feed_is_paused_after_a_day_with_a_notice_and_resume_clears_it(
    room: Newsroom,
) -> None:
    fetcher = use_memory(room)
    fetcher.pages[FEED_URL] = rss(FERRY).encode()
    await room.admin("feed add", url=FEED_URL, name="Harbour Gazette")
    fetcher.pages[FEED_URL] = "HTTP 503 Service Unavailable"
    cog = room.bot.get_cog("Feeds")
    store = store_of(room)
    [feed] = await store.feeds.all()
    now = room.env.now()
    async with store.transaction() as conn:  # it has been failing for a day, due again now
        await conn.execute(
            "UPDATE feeds SET failure_count = 30, failing_since = ?, next_fetch_at = ?",
            (int((now - dt.timedelta(days=1)).timestamp()), int(now.timestamp())),
        )

    [report] = await cog.run_due(now)  # type: ignore[union-attr]

    assert report.paused and report.error == "HTTP 503 Service Unavailable"
    [notice] = room.bot_posts(room.mod_log)
    assert (
        "The feed “Harbour Gazette” (#1" in notice.content and "has been paused" in notice.content
    )
    assert "/admin feed resume feed:1" in notice.content
    assert [e.result for e in await room.audit("feed.paused")] == ["error"]
    assert [e.result for e in await room.audit("feed.notice")] == ["ok"]
    listed = embed_text((await room.admin("feed list")).response)
    assert "⏸ paused: paused after failing for 24 hours" in listed
    assert await cog.run_due(now + dt.timedelta(hours=2)) == []  # type: ignore[union-attr]

    fetcher.pages[FEED_URL] = rss(FERRY, LIGHTHOUSE).encode()
    resumed = await room.admin("feed resume", feed="1")

    assert resumed.response.embeds[0].title == "Resumed Harbour Gazette"
    assert resumed.response.embeds[0].description == "1 new, 0 updated, 1 unchanged"
    [feed] = await store.feeds.all()
    assert not feed.paused and feed.failure_count == 0


async def test_pause_remove_and_restart(room: Newsroom) -> None:
    use_memory(room).pages[FEED_URL] = rss(FERRY, LIGHTHOUSE).encode()
    await room.admin("feed add", url=FEED_URL, name="Harbour Gazette")

    paused = await room.admin("feed pause", feed="1")
    assert paused.response.content.startswith("Paused the feed #1 Harbour Gazette")

    await room.restart()  # a new process: the articles come back from the store
    assert "Lighthouse keeper retires" in await search(room, "lighthouse keeper")
    [feed] = await store_of(room).feeds.all()
    assert feed.paused

    article_id = next(
        i for i, a in room.bot.service.articles.items() if a.title == "Lighthouse keeper retires"
    )
    refused = await room.admin("article remove", article=article_id)
    assert "came from a feed, not a file" in refused.response.content
    refusals(room.env)

    removed = await room.admin("feed remove", feed="1")
    assert removed.response.content == "Removed the feed #1 Harbour Gazette and its 2 articles."
    assert "Lighthouse keeper retires" not in await search(room, "lighthouse keeper")
    assert await store_of(room).feeds.all() == []
