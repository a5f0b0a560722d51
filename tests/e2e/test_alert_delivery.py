"""Alerts in the real ``newsbot run`` against the fake Discord, with feeds served on
127.0.0.1: an alert with keywords posts exactly the matching new items of a fetched feed,
once, through a SIGKILL mid-delivery and a restart; a forum channel gets posts and a text
channel with ``thread`` gets a thread per article."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import io
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.store import Store
from tests.support.bot_process import BotProcess, start_bot
from tests.support.fake_discord import ALERTS_ID, CHANNEL_ID, FORUM_ID, GUILD_ID, FakeDiscord
from tests.support.feed_samples import FERRY, LIGHTHOUSE, rss, rss_item
from tests.support.feed_server import FeedServer

pytestmark = pytest.mark.e2e

FERRIES = [
    rss_item(
        f"ferry-{n}",
        f"Ferry bulletin {n:02d}",
        f"<p>The ferry timetable changes, notice {n}.</p>",
        link=f"https://gazette.example/news/ferry-{n}",
    )
    for n in range(12)
]
OTHERS = [
    rss_item(
        f"bakery-{n}", f"Bakery news {n}", "<p>Fresh bread.</p>", link=f"https://g.example/b{n}"
    )
    for n in range(4)
]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    yield server
    server.stop()


def cli(*argv: str) -> int:
    return main(list(argv), io.StringIO())


async def follow_and_alert(
    root: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch, *alerts: dict[str, object]
) -> None:
    """A feed followed and fetched once (nothing new yet), the alerts made, then a fetch
    that brings 12 ferry items and 4 others."""
    database = root / "newsbot.db"
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.setenv("ARTICLES_DIR", str(root / "articles"))
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE", "true")
    server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    assert (
        await asyncio.to_thread(cli, "feeds", "add", server.url("/rss"), "--name", "Gazette") == 0
    )
    assert await asyncio.to_thread(cli, "fetch") == 0
    async with await Store.open(database) as store:
        for options in alerts:
            await store.alerts.add(GUILD_ID, now=dt.datetime.now(dt.UTC), **options)  # type: ignore[arg-type]
    server.serve("/rss", rss(FERRY, LIGHTHOUSE, *FERRIES, *OTHERS))
    assert await asyncio.to_thread(cli, "fetch") == 0


def ledger(root: Path) -> dict[str, int]:
    with sqlite3.connect(root / "newsbot.db") as conn:
        rows = conn.execute("SELECT state, count(*) FROM alert_posts GROUP BY state")
        return dict(rows.fetchall())


async def poll(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Check ``condition`` until it holds (the bot is another process: nothing to await)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.1)


async def run_bot(fake: FakeDiscord, root: Path) -> BotProcess:
    return await start_bot(fake, root, FEEDS_ALLOW_PRIVATE="true", LOG_LEVEL="INFO")


def delivered(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    """The alert posts in a text channel, or the starter messages of a forum's posts."""
    if channel_id == FORUM_ID:
        return [m for t in fake.threads_of(FORUM_ID) for m in fake.posted(int(t["id"]))]
    return fake.posted(channel_id)


def urls(messages: list[dict[str, Any]]) -> list[str]:
    return [embed.get("url") for m in messages for embed in m.get("embeds", [])]


@pytest.mark.parametrize("channel_id", [CHANNEL_ID, FORUM_ID], ids=["text", "forum"])
async def test_a_sigkill_mid_delivery_loses_nothing_and_repeats_nothing(
    tmp_path: Path, workdir: Path, fake_discord: FakeDiscord, feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch, channel_id: int,
) -> None:  # fmt: skip
    await follow_and_alert(
        workdir, feed_server, monkeypatch,
        {"channel_id": channel_id, "keywords": ("ferry",), "exclude": ("pier",)},
    )  # fmt: skip
    wanted = [f"https://gazette.example/news/ferry-{n}" for n in range(12)]

    bot = await run_bot(fake_discord, workdir)
    try:
        # Five go at once, the next five after the channel's pause: kill it in between.
        await bot.until(lambda: len(delivered(fake_discord, channel_id)) >= 6, timeout=60)
        bot.signal(signal.SIGKILL)
        assert await bot.wait_exit() == -signal.SIGKILL
    finally:
        await bot.stop()
    assert 6 <= len(delivered(fake_discord, channel_id)) < 12  # killed mid-delivery

    again = await run_bot(fake_discord, workdir)
    try:
        await again.until(lambda: len(delivered(fake_discord, channel_id)) >= 12, timeout=60)
        # Every new item judged and every post completed in the ledger: nothing is left
        # that a later tick could post.
        await poll(lambda: ledger(workdir) == {"posted": 12, "skipped": 4})
    finally:
        await again.stop()

    posted = urls(delivered(fake_discord, channel_id))
    assert sorted(posted) == sorted(wanted)  # every ferry item, no bakery, the old one neither
    assert [n for n, c in collections.Counter(posted).items() if c > 1] == []


async def test_a_forum_gets_posts_and_thread_true_gets_threads(
    tmp_path: Path, workdir: Path, fake_discord: FakeDiscord, feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await follow_and_alert(
        workdir, feed_server, monkeypatch,
        {"channel_id": FORUM_ID, "keywords": ("bakery",)},
        {"channel_id": ALERTS_ID, "keywords": ("bread",), "thread": True},
    )  # fmt: skip

    bot = await run_bot(fake_discord, workdir)
    try:
        await bot.until(
            lambda: (
                len(fake_discord.threads_of(FORUM_ID)) >= 4
                and len(fake_discord.threads_of(ALERTS_ID)) >= 4
            ),
            timeout=60,
        )
    finally:
        await bot.stop()

    forum_posts = fake_discord.threads_of(FORUM_ID)
    assert sorted(t["name"] for t in forum_posts) == [f"Bakery news {n}" for n in range(4)]
    for post in forum_posts:
        [starter] = fake_discord.posted(int(post["id"]))
        assert starter["embeds"][0]["footer"]["text"] == "Alert #1"
    assert fake_discord.posted(FORUM_ID) == []  # a forum holds posts, not messages
    messages = fake_discord.posted(ALERTS_ID)
    assert sorted(m["embeds"][0]["title"] for m in messages) == [
        f"Bakery news {n}" for n in range(4)
    ]
    threads = fake_discord.threads_of(ALERTS_ID)
    assert sorted(int(t["id"]) for t in threads) == sorted(int(m["id"]) for m in messages)
