"""Starting and stopping ``newsbot run``: clean stops, and one-line failures."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.support.bot_process import start_bot
from tests.support.fake_discord import FakeDiscord

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_stops_cleanly_on_a_signal(
    fake_discord: FakeDiscord, workdir: Path, signum: signal.Signals
) -> None:
    fake = fake_discord
    bot = await start_bot(fake, workdir)
    try:
        await bot.until(lambda: fake.ready_sent)
        bot.signal(signum)
        # The bot closes its gateway connection before it exits.
        await bot.until(lambda: not fake.has_connections)
        assert await bot.wait_exit() == 0
    finally:
        await bot.stop()
    assert f"Stopping on {signum.name}" in bot.stderr
    for alarm in ("Traceback", "Unclosed", "Task was destroyed", "ERROR"):
        assert alarm not in bot.stderr


async def test_missing_token_is_explained_in_one_line(workdir: Path) -> None:
    bot = await start_bot(None, workdir, DISCORD_TOKEN="")
    try:
        assert await bot.wait_exit() == 2
    finally:
        await bot.stop()
    lines = bot.stderr.strip().splitlines()
    assert len(lines) == 1, bot.stderr
    assert lines[0].startswith("DISCORD_TOKEN is not set")
    assert ".env" in lines[0]


async def test_rejected_token_is_explained_in_one_line(workdir: Path) -> None:
    fake = FakeDiscord(reject_token=True)
    await fake.start()
    try:
        bot = await start_bot(fake, workdir)
        try:
            assert await bot.wait_exit() == 1
        finally:
            await bot.stop()
    finally:
        await fake.close()
    assert "Traceback" not in bot.stderr
    last = bot.stderr.strip().splitlines()[-1]
    assert "rejected DISCORD_TOKEN" in last
    assert [r.path for r in fake.requests] == ["/users/@me"]


@pytest.mark.parametrize(
    ("setting", "value", "told"),
    [
        ("ARTICLES_DIR", "no-such-folder", "the articles folder no-such-folder does not exist"),
        ("DATABASE_PATH", "no-such-folder/newsbot.db", "no-such-folder"),
    ],
)
async def test_local_settings_are_checked_before_logging_in(
    workdir: Path, setting: str, value: str, told: str
) -> None:
    # Discord is out of reach too (nothing listens there): the local problem is what is told.
    unreachable = {
        "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
        "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway",
    }
    bot = await start_bot(None, workdir, **unreachable, **{setting: value})
    try:
        code = await bot.wait_exit()
    finally:
        await bot.stop()
    assert code in (1, 2)
    assert "Traceback" not in bot.stderr
    last = bot.stderr.strip().splitlines()[-1]
    assert told in last, bot.stderr
    assert "cannot reach Discord" not in bot.stderr
