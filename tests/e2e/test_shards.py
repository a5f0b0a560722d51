"""Two ``newsbot run`` processes (shards 0 and 1 of 2) on one PostgreSQL database, against
the fake Discord: each server's scheduled digest is posted once, by the process that owns
its shard; a process SIGKILLed mid-post and restarted loses and repeats nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from discord.ext import commands

from bot.app import create_bot
from bot.config import Settings
from bot.store import LedgerEntry, Store
from tests.support.bot_process import DEADLINE, BotProcess, make_workdir, start_bot
from tests.support.fake_discord import GUILD_ID, FakeDiscord, channel_of, shard_of

pytestmark = pytest.mark.e2e

GUILD_ON_1 = GUILD_ID  # (id >> 22) % 2 == 1
GUILD_ON_0 = GUILD_ID + (1 << 22)


async def eventually(check: Callable[[], Awaitable[object]], what: str) -> object:
    """``check()`` once it is truthy, looked at every 0.1 s until the deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE:.0f} s: {what}")
        await asyncio.sleep(0.1)


async def test_a_process_with_shard_settings_runs_just_its_shards(tmp_path: Path) -> None:
    database = tmp_path / "newsbot.db"
    sharded = await create_bot(Settings(database_path=database, shard_count=4, shard_ids=(1, 3)))
    every = await create_bot(Settings(database_path=database, shard_count=2))
    plain = await create_bot(Settings(database_path=database))
    try:
        assert isinstance(sharded, commands.AutoShardedBot)
        assert (sharded.shard_count, sharded.shard_ids) == (4, [1, 3])
        assert isinstance(every, commands.AutoShardedBot) and every.shard_ids is None
        assert not isinstance(plain, commands.AutoShardedBot)
    finally:
        for bot in (sharded, every, plain):  # never connected: only their databases to close
            await bot.store.close()


async def make_due_schedule(store: Store, guild_id: int) -> int:
    """A daily digest whose time of day passed a minute or two ago (armed before that)."""
    now = dt.datetime.now(dt.UTC)
    due = (now - dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    schedule = await store.schedules.create(
        guild_id,
        channel_id=channel_of(guild_id),
        local_time=due.time(),
        timezone="UTC",
        now=now - dt.timedelta(minutes=10),
    )
    return schedule.id


async def runs(location: str, schedule_id: int) -> list[LedgerEntry]:
    async with await Store.open(location) as store:
        return await store.ledger.history(schedule_id)


async def test_two_shard_processes_post_each_digest_once_and_survive_a_kill(
    pg_url: str, tmp_path: Path
) -> None:
    assert shard_of(GUILD_ON_0, 2) == 0 and shard_of(GUILD_ON_1, 2) == 1
    async with await Store.open(pg_url) as store:
        first = await make_due_schedule(store, GUILD_ON_0)
        second = await make_due_schedule(store, GUILD_ON_1)
    fake = FakeDiscord(guild_ids=(GUILD_ON_0, GUILD_ON_1))
    await fake.start()
    fake.hold_posts.add(channel_of(GUILD_ON_1))  # shard 1's post reaches Discord; no answer
    processes: list[BotProcess] = []

    async def start(shard: int, root: Path) -> BotProcess:
        process = await start_bot(
            fake,
            root,
            DATABASE_URL=pg_url,
            SHARD_COUNT="2",
            SHARD_IDS=str(shard),
            DISCORD_API_BASE_URL=fake.via_url(f"shard{shard}"),
        )
        processes.append(process)
        return process

    try:
        zero = await start(0, make_workdir(tmp_path / "zero"))
        one = await start(1, make_workdir(tmp_path / "one"))
        await zero.until(lambda: fake.posts_to(channel_of(GUILD_ON_0)))
        await one.until(lambda: fake.posts_to(channel_of(GUILD_ON_1)))
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]

        # Shard 1's process dies between Discord accepting its post and recording it.
        one.signal(signal.SIGKILL)
        assert await one.wait_exit() == -signal.SIGKILL
        (interrupted,) = await runs(pg_url, second)
        assert interrupted.state == "claimed"

        fake.hold_posts.clear()
        restarted = await start(1, tmp_path / "one")
        await restarted.until(lambda: fake.live_shards == [(0, 2), (1, 2)])
        recovered = await eventually(
            lambda: _posted(pg_url, second), "the restarted process finishing the run"
        )
        done = await eventually(lambda: _posted(pg_url, first), "shard 0's digest recorded")

        # Each server got exactly one digest, from the process owning its shard.
        for guild_id, entry, origin in (
            (GUILD_ON_0, done, "shard0"),
            (GUILD_ON_1, recovered, "shard1"),
        ):
            channel = channel_of(guild_id)
            (message,) = fake.messages[channel]
            assert entry.message_id == int(message["id"])  # type: ignore[attr-defined]
            posts = fake.posts_to(channel)
            assert {p.origin for p in posts} == {origin}
            assert len({p.body["nonce"] for p in posts}) == 1  # a repeat would share it
        assert len(fake.posts_to(channel_of(GUILD_ON_1))) == 1  # found, not sent again
        assert [e.state for e in await runs(pg_url, first)] == ["posted"]
        assert [e.state for e in await runs(pg_url, second)] == ["posted"]
        # Each process logged the runs it made, and only those.
        assert f"scheduled digest #{first} for" in zero.stderr
        assert f"scheduled digest #{second} for" in restarted.stderr
        assert f"scheduled digest #{second} for" not in zero.stderr
        assert f"scheduled digest #{first} for" not in restarted.stderr + one.stderr
    finally:
        for process in processes:
            await process.stop()
        await fake.close()


async def _posted(location: str, schedule_id: int) -> LedgerEntry | None:
    entries = await runs(location, schedule_id)
    return entries[0] if entries and entries[0].state == "posted" else None
