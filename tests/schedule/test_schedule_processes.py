"""Several bot processes on one PostgreSQL database: each digest is posted once, only by
the process that owns the guild's shard, and a process that dies mid-post loses and
repeats nothing. Each ``launch()`` is one process (its own connection and runner)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.store import Store
from tests.support.schedule_fakes import FakeClock, FakePoster, Launch, SimulatedCrash

UTC = dt.UTC
GUILD, OTHER_GUILD = 111, 999
CHANNEL = 222

only_postgres = pytest.mark.parametrize("store_location", ["postgresql"], indirect=True)


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour, minute, second, tzinfo=UTC)


async def daily(store: Store, clock: FakeClock, guild_id: int = GUILD) -> int:
    schedule = await store.schedules.create(
        guild_id, channel_id=CHANNEL, local_time=dt.time(9, 0), timezone="UTC", now=clock()
    )
    return schedule.id


def blind(clock: FakeClock) -> FakePoster:
    """A poster with no help from Discord (no history search, no nonce dedupe): only the
    database can stop a second post."""
    return FakePoster(clock, history_visible=False, nonce_dedupe=False)


async def test_a_runner_posts_only_for_the_guilds_its_process_owns(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch(owns=lambda guild_id: guild_id == GUILD)
    mine = await daily(store, clock)
    theirs = await daily(store, clock, OTHER_GUILD)
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert [m.schedule_id for m in poster.sent] == [mine]
    assert await store.ledger.history(theirs) == []  # left to the process that owns it


@only_postgres
async def test_processes_ticking_at_once_post_each_digest_once(
    launch: Launch, clock: FakeClock
) -> None:
    poster = blind(clock)
    processes = [await launch(poster=poster) for _ in range(3)]
    ids = [await daily(processes[0][0], clock) for _ in range(4)]
    clock.set(utc(2, 9, 0, 10))
    await asyncio.gather(*(runner.tick() for _, runner in processes))
    assert sorted(m.schedule_id for m in poster.sent) == ids
    await asyncio.gather(*(runner.tick() for _, runner in processes))
    assert len(poster.sent) == 4


@only_postgres
async def test_a_post_in_flight_in_one_process_is_not_taken_for_an_orphan_by_another(
    launch: Launch, clock: FakeClock
) -> None:
    poster = blind(clock)
    poster.hang = asyncio.Event()
    store_a, runner_a = await launch(poster=poster)
    _, runner_b = await launch(poster=poster)
    schedule_id = await daily(store_a, clock)
    clock.set(utc(2, 9, 0, 10))
    sending = asyncio.create_task(runner_a.tick())
    await poster.entered.wait()  # A has claimed the run and is sending it
    assert await runner_b.tick() == []  # B sees the claimed row, and that A is at it
    poster.hang.set()
    outcomes = await sending
    assert [o.state for o in outcomes] == ["posted"]
    clock.set(utc(2, 9, 1))
    assert await runner_b.tick() == []
    assert [m.schedule_id for m in poster.sent] == [schedule_id]


@only_postgres
async def test_a_schedule_another_process_was_at_is_looked_at_again_soon(
    launch: Launch, clock: FakeClock
) -> None:
    # A rolling restart: B's tick finds A posting; should A then stop mid-post, the run is
    # B's to finish, so B must look again at its next iteration, not at the next due time.
    poster = blind(clock)
    poster.hang = asyncio.Event()
    store_a, runner_a = await launch(poster=poster)
    _, runner_b = await launch(poster=poster)
    await daily(store_a, clock)
    clock.set(utc(2, 9, 0, 10))
    sending = asyncio.create_task(runner_a.tick())
    await poster.entered.wait()
    assert await runner_b.tick() == []
    assert runner_b.contended  # the scheduler cog then checks again at its next iteration

    poster.hang.set()
    await sending
    assert await runner_b.tick() == []
    assert not runner_b.contended  # nobody else at it: back to the next due time


@only_postgres
async def test_a_process_killed_mid_post_is_finished_by_its_restart_once(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store_a, runner_a = await launch()
    schedule_id = await daily(store_a, clock)
    poster.crash_after_send = True  # Discord took the message; then the process died
    clock.set(utc(2, 9, 0, 10))
    with pytest.raises(SimulatedCrash):
        await runner_a.tick()
    await store_a.close()  # its connection goes, and with it its locks
    _, runner_b = await launch()  # the restarted process
    outcomes = await runner_b.tick(clock.set(utc(2, 9, 1)))
    assert [(o.state, o.recovered) for o in outcomes] == [("posted", True)]
    assert len(poster.posts_for(schedule_id)) == 1


@only_postgres
async def test_a_run_now_in_one_process_is_not_recovered_as_an_orphan_by_another(
    launch: Launch, clock: FakeClock
) -> None:
    poster = blind(clock)
    poster.hang = asyncio.Event()
    store_a, runner_a = await launch(poster=poster)
    _, runner_b = await launch(poster=poster)
    schedule_id = await daily(store_a, clock)
    clock.set(utc(2, 7))  # not due: only the run-now posts
    posting = asyncio.create_task(runner_a.run_now(schedule_id))
    await poster.entered.wait()
    assert await runner_b.tick() == []  # B sees A's claimed run-now and leaves it alone
    poster.hang.set()
    assert (await posting).state == "posted"
    assert await runner_b.tick(clock.set(utc(2, 7, 1))) == []
    assert len(poster.sent) == 1
