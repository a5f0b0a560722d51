"""Scheduled digests under faults, in SimCord's simulated clock: channels whose sends fail
slowly do not hold up the others, and a database file removed under the running bot is
reported instead of changes vanishing."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from tests.support.admin_sim import NEWSROOM_ID, START, Newsroom, copy_articles
from tests.support.newsbot_sim import refusals


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        articles_dir=copy_articles(tmp_path / "articles"),
        database_path=tmp_path / "newsbot.db",
        max_article_bytes=20_000,
        schedule_grace_minutes=2,  # the smallest grace: lateness shows at once
        library_guild_ids=frozenset({NEWSROOM_ID}),
    )


async def test_ten_channels_answering_500_do_not_delay_the_healthy_one_or_count_as_downtime(
    room: Newsroom,
) -> None:
    desks = [room.guild.create_text_channel(f"desk-{n}") for n in range(10)]
    for desk in desks:
        room.env.inject_error("POST", f"/channels/{desk.id}/messages", status=500, times=None)
        added = await room.admin("schedule add", channel=desk, time="00:05")
        assert added.response.content.startswith("Scheduled digest **#")
    # Every send to a desk fails with 500. discord.py retries a 500 for ~25 s before it
    # gives up (1 + 3 + 5 + 7 + 9 s); SimCord answers at once, so the wait is modelled here,
    # in simulated time. A pass that waited on them one by one would take over 4 minutes.
    sender = room.bot.get_cog("Scheduler").sender  # type: ignore[union-attr]
    send = sender.send_digest
    failing = {desk.id for desk in desks}

    async def slow_500s(schedule: Any, *args: Any) -> int:
        if schedule.channel_id in failing:
            await asyncio.sleep(25)
        return await send(schedule, *args)

    sender.send_digest = slow_500s
    await room.admin("schedule add", channel=room.news, time="00:05")  # the last, #11

    await room.env.advance_time(6 * 60)

    [post] = room.bot_posts()
    assert post.created_at - START < dt.timedelta(minutes=5, seconds=31)  # on time
    assert post.embeds[0].timestamp == START + dt.timedelta(minutes=5)

    await room.env.advance_time(20 * 60)  # the retries after 1, 5 and 15 minutes fail too
    store = room.bot.store
    assert store is not None
    for schedule in await room.schedules():
        runs = await store.ledger.history(schedule.id)
        if schedule.channel_id == room.news.id:
            assert [r.state for r in runs] == ["posted"]
            continue
        [run] = runs
        assert run.state == "failed", run
        assert "500" in (run.detail or ""), run.detail
        assert run.attempts >= 3
        assert "not running" not in (run.detail or "")
        assert schedule.failure_count == run.attempts and not schedule.paused


async def test_a_deleted_database_file_makes_admin_commands_answer_an_error_not_saved(
    room: Newsroom, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    saved = await room.admin("settings", digest_days=3)
    assert saved.response.content.startswith("Settings saved.")

    os.unlink(settings.database_path)
    with caplog.at_level(logging.ERROR, logger="bot.store.database"):
        refused = await room.admin("settings", digest_days=5)
        added = await room.admin("schedule add", channel=room.news, time="09:00")

    for result in (refused, added):
        assert result.ephemeral
        assert "was deleted while the bot was running" in result.response.content
        assert "Saved" not in result.response.content
        assert not result.response.content.startswith("Scheduled digest")
    assert len(refusals(room.env)) == 2
    # One clear line for the operator (no traceback per refused write).
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and str(settings.database_path) in errors[0]
    assert "was deleted" in errors[0]


async def test_a_replaced_database_file_is_reported_too(
    room: Newsroom, settings: Settings, tmp_path: Path
) -> None:
    other = tmp_path / "restored-backup.db"
    sqlite3.connect(other).close()
    os.replace(other, settings.database_path)

    result = await room.admin("schedule add", channel=room.news, time="09:00")

    assert "was replaced by another file" in result.response.content
    refusals(room.env)
