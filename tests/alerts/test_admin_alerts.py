"""/admin alert …, driven through SimCord as a moderator would, with the feed answered from
memory: an alert posts exactly the matching new articles once (through a restart), into a
channel, a thread per article, or a forum; list, pause, resume, remove, preview; refusals."""

from __future__ import annotations

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
from tests.support.feed_samples import FERRY, LIGHTHOUSE, rss, rss_item
from tests.support.newsbot_sim import refusals

FEED_URL = "https://gazette.example/rss.xml"

NEW_FERRY = rss_item(
    "gazette-2001",
    "New ferry ordered for Gull Island",
    "<p>The council ordered a new ferry. It will sail from <b>@everyone</b>'s pier in May.</p>",
    link="https://gazette.example/news/new-ferry",
)
FOOTBALL = rss_item(
    "gazette-2002",
    "Ferry takes the football team home",
    "<p>The island football team sailed home on the evening ferry.</p>",
    link="https://gazette.example/news/football",
)
BAKERY = rss_item(
    "gazette-2003",
    "Bakery wins a prize",
    "<p>The harbour bakery won a regional prize for its bread.</p>",
    link="https://gazette.example/news/bakery",
)
STORM = rss_item(
    None,
    "Storm closes the ferry terminal",
    "Ferries stayed in port as the storm passed.",
    date="Tue, 01 Dec 2026 07:00:00 GMT",
    encoded=False,
)  # no guid and no link: known by its headline


class MemoryFetcher(Fetcher):
    """Answers from ``pages`` (url → body) without any network."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, bytes] = {}

    async def get(self, url: str, **_options: object) -> FetchResponse:  # type: ignore[override]
        check_url(url)
        page = self.pages.get(url)
        if page is None:
            raise FetchError("could not connect to gazette.example: refused")
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


def serve(room: Newsroom, *items: str) -> MemoryFetcher:
    """The running bot's feeds answer from memory: the feed now lists ``items``. The
    background loops are stopped: the test runs each fetch and delivery itself."""
    cog = room.bot.get_cog("Feeds")
    cog.fetch_feeds.cancel()  # type: ignore[union-attr]
    room.bot.get_cog("Alerts").deliver.cancel()  # type: ignore[union-attr]
    fetcher = cog.fetcher  # type: ignore[union-attr]
    if not isinstance(fetcher, MemoryFetcher):
        fetcher = MemoryFetcher()
        cog.fetcher = fetcher  # type: ignore[union-attr]
        cog._ingestor = None  # type: ignore[union-attr]
    fetcher.pages[FEED_URL] = rss(*items).encode()
    return fetcher


def store_of(room: Newsroom) -> Store:
    assert room.bot.store is not None
    return room.bot.store


async def fetch_and_deliver(room: Newsroom) -> None:
    """A while later the feed is fetched again; then the alerts deliver."""
    await room.env.advance_time(16 * 60)
    feeds = room.bot.get_cog("Feeds")
    for feed in await store_of(room).feeds.all():
        if not feed.paused:
            await feeds.fetch_now(feed)  # type: ignore[union-attr]
    await room.bot.get_cog("Alerts").run_due()  # type: ignore[union-attr]


def titles(messages: list[discord.Message]) -> list[str]:
    return [embed.title or "" for m in messages for embed in m.embeds]


async def follow_gazette(room: Newsroom) -> None:
    serve(room, FERRY, LIGHTHOUSE)
    added = await room.admin("feed add", url=FEED_URL, name="Harbour Gazette")
    assert added.response.embeds[0].title == "Following Harbour Gazette"


async def test_an_alert_posts_exactly_the_matching_new_articles_once_through_a_restart(
    room: Newsroom,
) -> None:
    await follow_gazette(room)
    made = await room.admin("alert add", channel=room.news, keywords="ferry", exclude="football")
    assert made.ephemeral
    assert made.response.content.startswith("Alert **#1**: new articles (any of: ferry · none")
    assert "Only articles that arrive from now on" in made.response.content

    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY, FOOTBALL, BAKERY, STORM)
    await fetch_and_deliver(room)

    posts = room.bot_posts()
    # The ferry item of the first fetch is old; football is excluded; the bakery has no ferry.
    assert titles(posts) == ["New ferry ordered for Gull Island", "Storm closes the ferry terminal"]
    first = posts[0].embeds[0]
    assert first.url == "https://gazette.example/news/new-ferry"
    assert first.footer.text == "Alert #1"
    fields = {f.name: f.value for f in first.fields}
    assert fields["Source"] == "Harbour Gazette"
    assert "@\u200beveryone" in (first.description or "")  # never a ping, even escaped text
    sent = [
        r.json
        for r in room.env.http_requests
        if r.method == "POST" and r.path.endswith("/messages")
    ]
    assert all(body["allowed_mentions"] == {"parse": []} for body in sent if body)

    await room.restart()
    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY, FOOTBALL, BAKERY, STORM)
    await fetch_and_deliver(room)
    assert len(room.bot_posts()) == 2  # a restart repeats nothing

    later = rss_item("gazette-2004", "Ferry timetable changes", "<p>The ferry sails later.</p>")
    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY, FOOTBALL, BAKERY, STORM, later)
    await fetch_and_deliver(room)
    assert titles(room.bot_posts())[2:] == ["Ferry timetable changes"]


async def test_a_forum_gets_a_post_per_article(room: Newsroom) -> None:
    forum = room.guild.create_forum_channel("headlines")
    await follow_gazette(room)
    made = await room.admin("alert add", channel=forum, keywords="ferry", thread=True)
    assert "as a new post in the forum" in made.response.content

    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY, BAKERY)
    await fetch_and_deliver(room)
    await fetch_and_deliver(room)

    posts = forum.threads
    assert [t.name for t in posts] == ["New ferry ordered for Gull Island"]
    [starter] = posts[0].history()
    assert starter.embeds[0].url == "https://gazette.example/news/new-ferry"


async def test_thread_true_opens_a_thread_on_each_article_in_a_text_channel(
    room: Newsroom,
) -> None:
    await follow_gazette(room)
    made = await room.admin("alert add", channel=room.news, thread=True)
    assert "with a thread on each" in made.response.content

    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY, BAKERY)
    await fetch_and_deliver(room)

    assert titles(room.bot_posts()) == ["New ferry ordered for Gull Island", "Bakery wins a prize"]
    assert sorted(t.name for t in room.news.threads) == [
        "Bakery wins a prize",
        "New ferry ordered for Gull Island",
    ]


async def test_list_pause_resume_preview_and_remove(room: Newsroom) -> None:
    await follow_gazette(room)
    await room.admin("alert add", channel=room.news, feed="1", keywords="ferry, lighthouse")

    listed = embed_text((await room.admin("alert list")).response)
    assert "#1" in listed and "feed Harbour Gazette · any of: ferry, lighthouse" in listed
    assert "0 posted · active" in listed

    preview = await room.admin("alert preview", alert=1)
    assert preview.ephemeral
    assert "of the 2 newest feed articles, 2 match" in preview.response.content
    assert preview.response.embeds[0].footer.text == "Alert #1"
    assert room.bot_posts() == []  # a preview posts nothing

    paused = await room.admin("alert pause", alert=1)
    assert paused.response.content.startswith("Paused alert **#1**")
    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY)
    await fetch_and_deliver(room)
    assert room.bot_posts() == []
    assert "⏸ paused: paused by morgan" in embed_text((await room.admin("alert list")).response)

    resumed = await room.admin("alert resume", alert=1)
    assert resumed.response.content.startswith("Resumed alert **#1**")
    await room.bot.get_cog("Alerts").run_due()  # type: ignore[union-attr]
    assert titles(room.bot_posts()) == ["New ferry ordered for Gull Island"]  # not lost

    removed = await room.admin("alert remove", alert=1)
    assert removed.response.content.startswith("Removed alert **#1**")
    assert await store_of(room).alerts.in_guild(room.guild.id) == []
    actions = [e.action for e in await room.audit() if e.action.startswith("alert.")]
    assert sorted(actions) == ["alert.add", "alert.pause", "alert.remove", "alert.resume"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"keywords": "x" * 5000}, "at most 1000 please"),
        ({"keywords": ", ".join(f"w{i}" for i in range(100))}, "keywords; at most 25"),
        ({"exclude": "z" * 300}, "no word is longer than 40"),
        ({"keywords": "?!, ..."}, "has no letters or digits"),
        ({"feed": "nope"}, "There is no feed 'nope'"),
        ({"topic": "Underwater basket weaving"}, "There is no topic"),
    ],
    ids=["huge", "thousands", "repeated-characters", "no-letters", "no-feed", "no-topic"],
)
async def test_bad_filters_are_refused_privately_and_nothing_is_stored(
    room: Newsroom, options: dict[str, str], reason: str
) -> None:
    result = await room.admin("alert add", channel=room.news, **options)

    assert result.ephemeral
    assert reason in result.response.content, result.response.content
    assert await store_of(room).alerts.all() == []
    [entry] = await room.audit("alert.add")
    assert entry.result == "error"
    refusals(room.env)


async def test_alerts_belong_to_their_server(room: Newsroom) -> None:
    await room.admin("alert add", channel=room.news, keywords="ferry")
    other = room.env.create_guild("Elsewhere")
    channel = other.create_text_channel("general")
    mods = other.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    boss = other.add_member(room.env.create_user("blake"), roles=[mods])

    result = await boss.slash(channel, "admin alert remove", alert=1)

    assert "This server has no alert #1" in result.response.content
    assert len(await store_of(room).alerts.all()) == 1
    refusals(room.env)


async def test_a_channel_the_bot_cannot_post_in_is_refused_at_add(room: Newsroom) -> None:
    room.deny_bot(room.news, send_messages=True)

    result = await room.admin("alert add", channel=room.news)

    assert (
        "I can't post in" in result.response.content and "Send Messages" in result.response.content
    )
    assert await store_of(room).alerts.all() == []
    refusals(room.env)


async def test_the_loop_notices_articles_that_arrive_between_rounds(room: Newsroom) -> None:
    await follow_gazette(room)
    await room.admin("alert add", channel=room.news, keywords="ferry")
    serve(room, FERRY, LIGHTHOUSE)
    cog = room.bot.get_cog("Alerts")
    assert await cog.run_if_due() == []  # type: ignore[union-attr]

    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY)
    await room.env.advance_time(16 * 60)
    [feed] = await store_of(room).feeds.all()
    await room.bot.get_cog("Feeds").fetch_now(feed)  # type: ignore[union-attr]
    [posted] = await cog.run_if_due()  # type: ignore[union-attr]

    assert posted.state == "posted"
    assert titles(room.bot_posts()) == ["New ferry ordered for Gull Island"]
    assert await cog.run_if_due() == []  # type: ignore[union-attr]


@pytest.mark.parametrize("where", ["text", "thread", "forum"])
async def test_the_bot_recognises_its_own_earlier_post_of_an_article(
    room: Newsroom, where: str
) -> None:
    # What recovery after a crash relies on: finding the post of (alert, article) before
    # sending again, in a channel, or among a forum's posts (which take no nonce).
    channel = room.guild.create_forum_channel("headlines") if where == "forum" else room.news
    await follow_gazette(room)
    await room.admin("alert add", channel=channel, thread=where == "thread")
    await room.admin("alert add", channel=channel, thread=where == "thread")
    serve(room, FERRY, LIGHTHOUSE, NEW_FERRY, STORM)
    await room.env.advance_time(16 * 60)
    [feed] = await store_of(room).feeds.all()
    await room.bot.get_cog("Feeds").fetch_now(feed)  # type: ignore[union-attr]
    store = store_of(room)
    first, second = await store.alerts.all()
    new_ferry, storm = await store.alerts.new_items(first, limit=5)
    sender = room.bot.get_cog("Alerts").sender  # type: ignore[union-attr]

    posted = await sender.send_alert(first, new_ferry, "nonce-1")
    await sender.send_alert(first, storm, "nonce-2")  # no link: known by its headline
    await sender.send_alert(second, new_ferry, "nonce-3")

    assert await sender.find_alert_posts(first, new_ferry) == [posted]
    assert len(await sender.find_alert_posts(first, storm)) == 1
    assert await sender.find_alert_posts(second, storm) == []  # another alert's post is not it
