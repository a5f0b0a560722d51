"""``newsbot run`` fetches the feeds while it runs: the real process against the fake Discord
(tests/e2e) and a feed on 127.0.0.1; a feed added with the CLI is fetched at start-up and
its articles are in the store for every later command."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.bot_process import make_workdir, start_bot
from tests.support.fake_discord import FakeDiscord
from tests.support.feed_samples import FERRY, LIGHTHOUSE, rss
from tests.support.feed_server import FeedServer


def stored_titles(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return sorted(row[0] for row in conn.execute("SELECT title FROM feed_items"))


async def until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Check ``condition`` until it holds (the bot is another process: nothing to await)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.1)


async def test_run_fetches_a_feed_added_from_the_command_line(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_workdir(tmp_path)
    database = root / "newsbot.db"
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    monkeypatch.setenv("DATABASE_PATH", str(database))
    argv = ["feeds", "add", feed_server.url("/rss"), "--name", "Gazette"]
    assert await asyncio.to_thread(main, argv, io.StringIO()) == 0

    fake = FakeDiscord()
    await fake.start()
    bot = await start_bot(fake, root, FEEDS_ALLOW_PRIVATE="true", LOG_LEVEL="INFO")
    try:
        await bot.until(lambda: fake.ready_sent)
        await until(lambda: "feed #1 gazette: 2 new" in bot.stderr)
    finally:
        await bot.stop()
        await fake.close()

    assert feed_server.hits("/rss") == 1
    assert stored_titles(database) == [
        "Ferry & pier – delays at Gull Island",
        "Lighthouse keeper retires",
    ]
