"""Several bot processes on one PostgreSQL database: each article an alert wants is posted
once, only by the process that owns the guild's shard; a post in flight in one process is
not taken for an orphan by another, and a process that dies mid-post loses and repeats
nothing. Each ``launch()`` is one process (its own connection and runner); their senders
share ``channels``, the messages as Discord has them."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio

from bot.alerts import AlertRunner, ChannelPacer
from bot.config import Settings
from bot.exts.alerts import Alerts
from bot.store import Alert, Store
from tests.support.alert_fakes import (
    FakeClock,
    FakeSender,
    Posted,
    ProcessDied,
    add_feed,
    arrive,
    write,
)

GUILD, OTHER_GUILD = 10, 1 << 22  # shards 0 and 1 of 2
NEWS, ELSEWHERE = 20, 30

only_postgres = pytest.mark.parametrize("store_location", ["postgresql"], indirect=True)

Launch = Callable[..., Awaitable[tuple[Store, AlertRunner]]]


@pytest.fixture
def channels() -> list[Posted]:
    return []


@pytest_asyncio.fixture
async def launch(store_location: str, clock: FakeClock) -> AsyncIterator[Launch]:
    stores: list[Store] = []

    async def start(sender: FakeSender, **options: Any) -> tuple[Store, AlertRunner]:
        store = await Store.open(store_location)
        stores.append(store)
        pacer = ChannelPacer(burst=1000, per=0)  # pacing has its own test
        return store, AlertRunner(store, sender, clock=clock, pacer=pacer, **options)

    yield start
    for store in stores:
        await store.close()


async def until(event: asyncio.Event) -> None:
    """Wait for ``event``; fail, rather than hang, should it never come."""
    async with asyncio.timeout(10):
        await event.wait()


def blind(channels: list[Posted]) -> FakeSender:
    """A sender with no help from Discord (no history search, no nonce dedupe): only the
    database can stop a second post."""
    return FakeSender(posts=channels, history_visible=False, nonce_dedupe=False)


def seen(channels: list[Posted]) -> list[tuple[int, str]]:
    """What the channels show: (alert, title) of every message, in the order posted."""
    return [(p.alert_id, p.title) for p in channels]


async def one_alert(store: Store, clock: FakeClock, *titles: str) -> Alert:
    """An alert in ``GUILD``'s #news, then a fetch bringing ``titles``."""
    feed = await add_feed(store, clock.now)
    alert = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    await arrive(store, feed, clock.advance(minutes=1), *(write(t) for t in titles))
    return alert


async def test_a_runner_posts_only_for_the_guilds_its_process_owns(
    launch: Launch, clock: FakeClock, channels: list[Posted]
) -> None:
    store, runner = await launch(FakeSender(posts=channels), owns=lambda g: g == GUILD)
    feed = await add_feed(store, clock.now)
    mine = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    theirs = await store.alerts.add(OTHER_GUILD, channel_id=ELSEWHERE, now=clock.now)
    await arrive(store, feed, clock.advance(minutes=1), write("Ferry strike"), write("Port"))

    outcomes = await runner.tick()

    assert seen(channels) == [(mine.id, "Ferry strike"), (mine.id, "Port")]
    assert {o.alert_id for o in outcomes} == {mine.id}
    assert await store.alerts.posts(theirs.id) == []  # left to the process that owns it

    _, owner = await launch(FakeSender(posts=channels), owns=lambda g: g == OTHER_GUILD)
    await owner.tick(clock.advance(minutes=1))
    assert seen(channels)[2:] == [(theirs.id, "Ferry strike"), (theirs.id, "Port")]


async def test_the_alerts_cog_posts_only_for_its_own_shards_guilds(
    store: Store, clock: FakeClock
) -> None:
    settings = Settings(shard_count=2, shard_ids=(0,))  # this process runs shard 0 of 2
    cog = Alerts(SimpleNamespace(settings=settings, store=store))  # type: ignore[arg-type]
    sender = cog.sender = FakeSender()  # type: ignore[assignment]
    feed = await add_feed(store, clock.now)
    mine = await store.alerts.add(GUILD, channel_id=NEWS, now=clock.advance(seconds=1))
    await store.alerts.add(OTHER_GUILD, channel_id=ELSEWHERE, now=clock.now)
    await arrive(store, feed, clock.advance(minutes=1), write("Ferry strike"))

    await cog.run_due(dt.datetime.now(dt.UTC))

    assert seen(sender.posts) == [(mine.id, "Ferry strike")]


@only_postgres
async def test_processes_ticking_at_once_post_each_article_once(
    launch: Launch, clock: FakeClock, channels: list[Posted]
) -> None:
    processes = [await launch(blind(channels)) for _ in range(3)]
    store = processes[0][0]
    feed = await add_feed(store, clock.now)
    alerts = [
        await store.alerts.add(GUILD, channel_id=NEWS + i, now=clock.advance(seconds=1))
        for i in range(4)
    ]
    titles = [f"Story {i}" for i in range(3)]
    await arrive(store, feed, clock.advance(minutes=1), *(write(t) for t in titles))

    await asyncio.gather(*(runner.tick() for _, runner in processes))
    assert sorted(seen(channels)) == sorted((a.id, t) for a in alerts for t in titles)

    later = clock.advance(minutes=1)
    await asyncio.gather(*(runner.tick(later) for _, runner in processes))
    assert len(channels) == len(alerts) * len(titles)


@only_postgres
async def test_a_post_in_flight_in_one_process_is_not_taken_for_an_orphan_by_another(
    launch: Launch, clock: FakeClock, channels: list[Posted]
) -> None:
    sender_a, sender_b = blind(channels), blind(channels)
    sender_a.hang = asyncio.Event()
    store_a, runner_a = await launch(sender_a)
    _, runner_b = await launch(sender_b)
    alert = await one_alert(store_a, clock, "Ferry strike")

    sending = asyncio.create_task(runner_a.tick())
    await until(sender_a.entered)  # A has claimed the post and is sending it
    assert await runner_b.tick(clock.advance(seconds=30)) == []  # B sees that A is at it
    assert channels == [] and sender_b.searches == 0

    sender_a.hang.set()
    assert [o.state for o in await sending] == ["posted"]
    assert await runner_b.tick(clock.advance(minutes=1)) == []
    assert seen(channels) == [(alert.id, "Ferry strike")]


@only_postgres
async def test_a_post_another_process_finished_meanwhile_is_not_recovered(
    launch: Launch, clock: FakeClock, channels: list[Posted], monkeypatch: pytest.MonkeyPatch
) -> None:
    sender_a, sender_b = blind(channels), blind(channels)
    sender_a.hang = asyncio.Event()
    store_a, runner_a = await launch(sender_a)
    store_b, runner_b = await launch(sender_b)
    alert = await one_alert(store_a, clock, "Ferry strike")
    sending = asyncio.create_task(runner_a.tick())
    await until(sender_a.entered)  # A's claimed row is in the ledger while B's tick begins

    # B's tick reaches the alert's lock only after A has posted and let it go.
    reached, a_done = asyncio.Event(), asyncio.Event()
    exclusive = store_b.exclusive

    @asynccontextmanager
    async def after_a(name: str) -> AsyncIterator[bool]:
        reached.set()
        await a_done.wait()
        async with exclusive(name) as alone:
            yield alone

    monkeypatch.setattr(store_b, "exclusive", after_a)
    checking = asyncio.create_task(runner_b.tick(clock.advance(seconds=30)))
    await until(reached)
    sender_a.hang.set()
    assert [o.state for o in await sending] == ["posted"]
    a_done.set()

    assert await checking == []
    assert seen(channels) == [(alert.id, "Ferry strike")]
    assert sender_b.searches == 0


async def test_a_process_killed_mid_post_is_finished_by_its_restart_once(
    launch: Launch, clock: FakeClock, channels: list[Posted]
) -> None:
    # Discord took the second message; then the process died.
    store_a, runner_a = await launch(FakeSender(posts=channels, crash_after=2))
    alert = await one_alert(store_a, clock, "Story 0", "Story 1", "Story 2")
    with pytest.raises(ProcessDied):
        await runner_a.tick()
    await store_a.close()  # its connection goes, and with it its locks

    _, runner_b = await launch(FakeSender(posts=channels))  # the restarted process
    outcomes = await runner_b.tick(clock.advance(minutes=1))

    assert [(o.state, o.recovered) for o in outcomes] == [("posted", True), ("posted", False)]
    assert seen(channels) == [(alert.id, f"Story {i}") for i in range(3)]  # each once, in order


@only_postgres
async def test_an_alert_another_process_was_at_is_posted_when_that_process_stops(
    launch: Launch,
    store_location: str,
    clock: FakeClock,
    channels: list[Posted],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rolling restart: the old process (A) is sending when the new one's cog (B) runs a
    # round and leaves the alert to it; then A is stopped mid-send. No feed item arrives,
    # no retry is pending, yet B's next loop iteration must finish the post, not an hour
    # later (beyond the grace period, when it would be skipped).
    sender_a = FakeSender(posts=channels)
    sender_a.hang = asyncio.Event()
    store_a, runner_a = await launch(sender_a)
    alert = await one_alert(store_a, clock, "Ferry strike")
    sending = asyncio.create_task(runner_a.tick())
    await until(sender_a.entered)

    store_b = await Store.open(store_location)
    monkeypatch.setattr("discord.utils.utcnow", clock)  # the cog's clock is Discord's
    try:
        cog = Alerts(SimpleNamespace(settings=Settings(), store=store_b))  # type: ignore[arg-type]
        cog.sender = FakeSender(posts=channels)  # type: ignore[assignment]
        first = clock.advance(seconds=20)
        assert await cog.run_if_due(first) == []  # A is at it

        sending.cancel()  # A stops mid-send: its claim stays, its lock goes
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        await store_a.close()

        outcomes = await cog.run_if_due(clock.advance(seconds=30))  # the next iteration
        assert [o.state for o in outcomes] == ["posted"]
        assert seen(channels) == [(alert.id, "Ferry strike")]
    finally:
        await store_b.close()


@only_postgres
async def test_a_process_that_lost_its_lock_with_its_connection_sends_nothing(
    launch: Launch, clock: FakeClock, channels: list[Posted], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A claims a post, then its database connection drops (a server restart, a network
    # cut): PostgreSQL lets go of A's lock, B takes it and finishes A's claimed post. A must
    # then not send it too, though its store reconnects without a word.
    sender_a, sender_b = blind(channels), blind(channels)
    store_a, runner_a = await launch(sender_a)
    store_b, runner_b = await launch(sender_b)
    alert = await one_alert(store_a, clock, "Ferry strike")
    claim = store_a.alerts.claim

    async def claim_then_lose_the_connection(*args: Any, **kwargs: Any) -> Any:
        post = await claim(*args, **kwargs)
        row = await store_a.fetchone("SELECT pg_backend_pid()")
        await store_b.fetchone("SELECT pg_terminate_backend(?)", (row[0],))
        async with asyncio.timeout(10):  # B gets the lock once the server has let A's go
            while not await runner_b.tick(clock.advance(seconds=1)):
                await asyncio.sleep(0.05)
        return post

    monkeypatch.setattr(store_a.alerts, "claim", claim_then_lose_the_connection)
    assert await runner_a.tick() == []  # A stopped before its send

    assert seen(channels) == [(alert.id, "Ferry strike")]  # sent once, by B
    assert [p.state for p in await store_b.alerts.posts(alert.id)] == ["posted"]
    assert await runner_a.tick(clock.advance(minutes=1)) == []  # and A, back, leaves it be
