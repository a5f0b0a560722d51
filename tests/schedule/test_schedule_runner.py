"""The runner posts each due digest exactly once: across restarts, crashes at every step,
missed windows, failures with backoff and pause, and only_new. Time is a fake clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.schedule import (
    ChannelGone,
    MissingAccess,
    NothingToPost,
    RunNowRefused,
    ScheduleRunner,
    TransientError,
    next_attempt,
    run_nonce,
)
from bot.store import LedgerRepo, Schedule, Store
from tests.support.schedule_fakes import START, FakeClock, FakePoster, Launch, SimulatedCrash

UTC = dt.UTC
GUILD = 111
CHANNEL = 222
MODERATOR = 333


def utc(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 6) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, second, tzinfo=UTC)


async def make_daily(
    store: Store, clock: FakeClock, at: str = "09:00", timezone: str = "UTC", **options: Any
) -> Schedule:
    hour, minute = map(int, at.split(":"))
    options.setdefault("channel_id", CHANNEL)
    return await store.schedules.create(
        GUILD,
        local_time=dt.time(hour, minute),
        timezone=timezone,
        created_by=MODERATOR,
        now=clock(),
        **options,
    )


async def states(store: Store, schedule_id: int) -> list[tuple[dt.datetime, str]]:
    return [(e.due_at, e.state) for e in reversed(await store.ledger.history(schedule_id))]


# -- the plain path ---------------------------------------------------------------------


async def test_posts_once_when_the_due_time_passes(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)

    clock.set(utc(2, 8, 59, 30))
    assert await runner.tick() == []
    clock.set(utc(2, 9, 0, 10))
    outcomes = await runner.tick()
    assert [(o.state, o.due_at) for o in outcomes] == [("posted", utc(2, 9))]
    clock.set(utc(2, 9, 0, 40))
    assert await runner.tick() == []

    assert len(poster.sent) == 1
    assert poster.sent[0].nonce == run_nonce(schedule.id, utc(2, 9))
    assert poster.sent[0].since is None  # never posted before
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None
    assert (entry.state, entry.message_id) == ("posted", poster.sent[0].message_id)
    after = await store.schedules.find(schedule.id)
    assert after is not None and after.last_posted_at == utc(2, 9, 0, 10)


async def test_local_time_holds_across_the_clock_change(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    clock.set(utc(29, 7, month=3))
    await make_daily(store, clock, timezone="Europe/London")
    # 29 March is GMT (09:00 local = 09:00 UTC); the clocks go forward on 30 March.
    for moment in (utc(29, 9, 0, 30, month=3), utc(30, 8, 0, 30, month=3),
                   utc(30, 9, 0, 30, month=3)):  # fmt: skip
        await runner.tick(clock.set(moment))
    assert [m.due_at for m in poster.sent] == [utc(29, 9, month=3), utc(30, 8, month=3)]


async def test_a_restart_between_ticks_neither_duplicates_nor_loses_a_run(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    await runner.tick(clock.set(utc(2, 8, 59)))
    await store.close()

    store, runner = await launch()  # a new process over the same file
    await runner.tick(clock.set(utc(2, 9, 0, 30)))
    await store.close()

    store, runner = await launch()
    await runner.tick(clock.set(utc(2, 9, 1)))
    await runner.tick(clock.set(utc(3, 9, 0, 30)))

    assert [m.due_at for m in poster.sent] == [utc(2, 9), utc(3, 9)]
    assert await states(store, schedule.id) == [(utc(2, 9), "posted"), (utc(3, 9), "posted")]


async def test_two_ticks_at_once_post_once(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    await make_daily(store, clock)
    clock.set(utc(2, 9, 0, 5))
    await asyncio.gather(runner.tick(), runner.tick())
    assert len(poster.sent) == 1


async def test_tick_refuses_a_naive_time(launch: Launch) -> None:
    _, runner = await launch()
    with pytest.raises(ValueError, match="timezone-aware"):
        await runner.tick(dt.datetime(2025, 6, 2, 9))


# -- missed runs ------------------------------------------------------------------------


async def test_a_run_missed_while_down_is_posted_on_start_up_within_grace(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    outcomes = await runner.tick(clock.set(utc(2, 9, 40)))  # back 40 min late; grace is 60
    assert [o.state for o in outcomes] == ["posted"]
    assert [m.due_at for m in poster.sent] == [utc(2, 9)]
    assert await states(store, schedule.id) == [(utc(2, 9), "posted")]


async def test_a_run_missed_beyond_grace_is_recorded_skipped_not_posted(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    outcomes = await runner.tick(clock.set(utc(2, 10, 30)))
    assert poster.sent == []
    assert [o.state for o in outcomes] == ["skipped"]
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and entry.state == "skipped"
    assert "90 min late" in (entry.detail or "") and "grace" in (entry.detail or "")
    # The next run is unaffected.
    await runner.tick(clock.set(utc(3, 9, 0, 5)))
    assert [m.due_at for m in poster.sent] == [utc(3, 9)]


async def test_only_the_latest_of_many_missed_runs_is_posted(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    await runner.tick(clock.set(utc(6, 9, 20)))  # down from Monday to Friday morning
    assert [m.due_at for m in poster.sent] == [utc(6, 9)]
    assert await states(store, schedule.id) == [
        (utc(2, 9), "skipped"),
        (utc(3, 9), "skipped"),
        (utc(4, 9), "skipped"),
        (utc(5, 9), "skipped"),
        (utc(6, 9), "posted"),
    ]
    history = await store.ledger.history(schedule.id)
    assert "only the latest" in (history[-1].detail or "")


async def test_when_even_the_latest_missed_run_is_too_late_all_are_skipped(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    await runner.tick(clock.set(utc(4, 12)))
    assert poster.sent == []
    assert [state for _, state in await states(store, schedule.id)] == ["skipped"] * 3


async def test_a_grace_of_zero_still_posts_on_the_normal_loop(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch(grace=dt.timedelta(0))
    await make_daily(store, clock)
    await runner.tick(clock.set(utc(2, 9, 0, 30)))
    assert len(poster.sent) == 1


# -- crashes ----------------------------------------------------------------------------


def crash_once(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, *, after: bool) -> None:
    """Make ``owner.name`` kill the "process" once, before or after doing its work."""
    original = getattr(owner, name)
    armed = [True]

    async def crashing(self: object, *args: Any, **kwargs: Any) -> Any:
        if armed[0] and not after:
            armed[0] = False
            raise SimulatedCrash(name)
        result = await original(self, *args, **kwargs)
        if armed[0]:
            armed[0] = False
            raise SimulatedCrash(name)
        return result

    monkeypatch.setattr(owner, name, crashing)


@pytest.mark.parametrize(
    "step",
    ["before claim", "after claim, before send", "after send, before complete", "after complete"],
)
async def test_a_crash_at_any_step_ends_with_exactly_one_post(
    step: str,
    launch: Launch,
    clock: FakeClock,
    poster: FakePoster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    if step == "before claim":
        crash_once(monkeypatch, LedgerRepo, "claim", after=False)
    elif step == "after claim, before send":
        poster.crash_before_send = True
    elif step == "after send, before complete":
        poster.crash_after_send = True
    else:
        crash_once(monkeypatch, ScheduleRunner, "_succeed", after=True)

    with pytest.raises(SimulatedCrash):
        await runner.tick(clock.set(utc(2, 9, 0, 5)))
    await store.close()

    store, runner = await launch()
    await runner.tick(clock.set(utc(2, 9, 0, 35)))
    await runner.tick(clock.set(utc(2, 9, 5)))

    assert len(poster.sent) == 1
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None
    assert (entry.state, entry.message_id) == ("posted", poster.sent[0].message_id)


@pytest.mark.parametrize(
    ("history_visible", "nonce_dedupe", "down_for"),
    [
        (True, False, dt.timedelta(seconds=30)),  # found in channel history
        (False, True, dt.timedelta(seconds=30)),  # Discord de-duplicates the nonce
        (True, True, dt.timedelta(minutes=40)),  # past Discord's window: history finds it
    ],
)
async def test_a_message_sent_just_before_a_crash_is_recognised_not_repeated(
    history_visible: bool,
    nonce_dedupe: bool,
    down_for: dt.timedelta,
    launch: Launch,
    clock: FakeClock,
    poster: FakePoster,
) -> None:
    poster.history_visible = history_visible
    poster.nonce_dedupe = nonce_dedupe
    poster.crash_after_send = True
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    with pytest.raises(SimulatedCrash):
        await runner.tick(clock.set(utc(2, 9, 0, 5)))
    await store.close()

    store, runner = await launch()
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 5) + down_for))

    assert len(poster.sent) == 1
    assert [o.state for o in outcomes] == ["posted"]
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and entry.message_id == poster.sent[0].message_id


async def test_a_shutdown_during_the_send_is_finished_after_restart(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    poster.hang = asyncio.Event()
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    clock.set(utc(2, 9, 0, 5))
    tick = asyncio.create_task(runner.tick())
    await asyncio.wait_for(poster.entered.wait(), timeout=10)
    tick.cancel()  # what stopping the bot does to a running tasks.loop
    with pytest.raises(asyncio.CancelledError):
        await tick
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and entry.state == "claimed"
    await store.close()

    poster.hang = None
    store, runner = await launch()
    await runner.tick(clock.set(utc(2, 9, 1)))
    assert len(poster.sent) == 1
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and entry.state == "posted"


async def test_an_interrupted_attempt_found_long_after_is_not_sent_again(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    poster.history_visible = False  # the cog cannot tell whether it went out
    poster.crash_before_send = True
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    with pytest.raises(SimulatedCrash):
        await runner.tick(clock.set(utc(2, 9, 0, 5)))
    await store.close()

    store, runner = await launch()
    outcomes = await runner.tick(clock.set(utc(2, 12)))  # three hours later
    assert poster.sent == []
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and entry.state == "skipped"
    assert [o.detail for o in outcomes] == [entry.detail]
    assert "interrupted attempt was not repeated" in (entry.detail or "")
    await runner.tick(clock.set(utc(3, 9, 0, 5)))
    assert [m.due_at for m in poster.sent] == [utc(3, 9)]


# -- failures ---------------------------------------------------------------------------


async def test_a_gone_channel_backs_off_then_pauses_and_tells_the_moderators(
    launch: Launch, clock: FakeClock, poster: FakePoster, notes: list[tuple[int, str]]
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    poster.broken_channels[CHANNEL] = ChannelGone()

    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert [(o.state, o.retry_at) for o in outcomes] == [("failed", utc(2, 9, 1, 10))]
    assert await runner.tick(clock.advance(seconds=30)) == []  # backing off

    delays = []
    while True:
        current = await store.schedules.find(schedule.id)
        assert current is not None
        if current.paused:
            break
        assert current.next_retry_at is not None
        outcomes = await runner.tick(clock.set(current.next_retry_at))
        (outcome,) = outcomes
        assert outcome.state == "failed"
        if outcome.retry_at is not None:
            delays.append(outcome.retry_at - clock())
    assert delays == [dt.timedelta(minutes=m) for m in (5, 15, 60)]
    assert outcome.paused and outcome.retry_at is None
    assert poster.post_calls == 5

    assert current.failure_count == 5
    assert "5 failed attempts" in (current.pause_reason or "")
    assert "channel no longer exists" in (current.pause_reason or "")
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and (entry.state, entry.attempts) == ("failed", 5)
    (audit,) = await store.audit.recent(GUILD)
    assert (audit.action, audit.result, audit.user_id) == ("schedule.auto_pause", "error", None)
    assert f'"schedule_id": {schedule.id}' in audit.details
    ((guild, message),) = notes
    assert guild == GUILD
    assert f"#{schedule.id}" in message and f"<#{CHANNEL}>" in message and "paused" in message

    # Paused: the next days pass without attempts.
    await runner.tick(clock.set(utc(3, 9, 0, 10)))
    assert poster.post_calls == 5
    # Fixed and resumed: it posts again, from the next due time on.
    del poster.broken_channels[CHANNEL]
    await store.schedules.resume(GUILD, schedule.id, now=clock.set(utc(3, 12)))
    await runner.tick(clock.set(utc(4, 9, 0, 10)))
    assert [m.due_at for m in poster.sent] == [utc(4, 9)]


async def test_a_failure_then_a_successful_retry_posts_once_and_resets_the_count(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    poster.errors.append(MissingAccess())
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert outcomes[0].detail == "the bot is not allowed to post in the channel"

    finds_before = poster.find_calls
    outcomes = await runner.tick(clock.set(utc(2, 9, 1, 10)))
    assert [o.state for o in outcomes] == ["posted"]
    assert poster.find_calls == finds_before + 1  # looked before sending again
    assert len(poster.sent) == 1
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None and (entry.state, entry.attempts) == ("posted", 2)
    current = await store.schedules.find(schedule.id)
    assert current is not None
    assert (current.failure_count, current.next_retry_at) == (0, None)


async def test_an_unexpected_poster_error_fails_one_schedule_not_the_others(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    broken = await make_daily(store, clock, channel_id=1)
    healthy = await make_daily(store, clock, channel_id=2)
    poster.broken_channels[1] = RuntimeError("boom")
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    by_schedule = {o.schedule_id: o for o in outcomes}
    assert by_schedule[broken.id].state == "failed"
    assert by_schedule[broken.id].detail == "unexpected error: RuntimeError: boom"
    assert by_schedule[healthy.id].state == "posted"


async def test_a_poster_that_never_answers_times_out_as_a_failure(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    poster.hang = asyncio.Event()  # never set
    store, runner = await launch(call_timeout=dt.timedelta(milliseconds=20))
    await make_daily(store, clock)
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert [o.state for o in outcomes] == ["failed"]
    assert "did not answer" in (outcomes[0].detail or "")


async def test_a_retry_due_while_the_bot_was_down_too_long_is_skipped(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    poster.errors.append(TransientError())
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    outcomes = await runner.tick(clock.set(utc(2, 13)))
    assert poster.sent == []
    assert [o.state for o in outcomes] == ["skipped"]
    assert "not retried" in (outcomes[0].detail or "")
    current = await store.schedules.find(schedule.id)
    assert current is not None and current.next_retry_at is None


async def test_a_newer_run_supersedes_a_pending_retry(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    poster.errors.append(TransientError())
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    await runner.tick(clock.set(utc(3, 9, 0, 10)))  # down from just after the failure
    assert [m.due_at for m in poster.sent] == [utc(3, 9)]
    assert await states(store, schedule.id) == [(utc(2, 9), "failed"), (utc(3, 9), "posted")]
    current = await store.schedules.find(schedule.id)
    assert current is not None
    assert (current.failure_count, current.next_retry_at) == (0, None)


async def test_moderators_not_reachable_does_not_undo_the_pause(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    async def unreachable(guild_id: int, message: str) -> None:
        raise RuntimeError("no system channel and DMs closed")

    store, runner = await launch(notify=unreachable, max_failures=1)
    schedule = await make_daily(store, clock)
    poster.broken_channels[CHANNEL] = MissingAccess()
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert outcomes[0].paused
    current = await store.schedules.find(schedule.id)
    assert current is not None and current.paused
    assert [a.action for a in await store.audit.recent(GUILD)] == ["schedule.auto_pause"]


# -- what gets posted -------------------------------------------------------------------


async def test_only_new_skips_a_run_with_nothing_new(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock, only_new=True)
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert poster.has_new_calls == []  # the first digest always goes out

    poster.new_articles = False
    outcomes = await runner.tick(clock.set(utc(3, 9, 0, 10)))
    assert [(o.state, o.detail) for o in outcomes] == [("skipped", "nothing new on All topics")]
    assert poster.has_new_calls == [utc(2, 9, 0, 10)]

    poster.new_articles = True
    await runner.tick(clock.set(utc(4, 9, 0, 10)))
    assert [m.due_at for m in poster.sent] == [utc(2, 9), utc(4, 9)]
    assert poster.sent[-1].since == utc(2, 9, 0, 10)  # new since the last *posted* digest
    assert [s for _, s in await states(store, schedule.id)] == ["posted", "skipped", "posted"]


async def test_a_poster_may_skip_a_run_with_its_own_reason(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock, topic="space")
    poster.errors.append(NothingToPost("topic 'space' has no articles"))
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    entry = await store.ledger.get(schedule.id, utc(2, 9))
    assert entry is not None
    assert (entry.state, entry.detail) == ("skipped", "topic 'space' has no articles")
    current = await store.schedules.find(schedule.id)
    assert current is not None and current.failure_count == 0


async def test_runs_missed_while_paused_are_not_posted_on_resume(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    await store.schedules.pause(GUILD, schedule.id, "holiday")
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    await store.schedules.resume(GUILD, schedule.id, now=clock.set(utc(2, 9, 30)))
    await runner.tick(clock.set(utc(2, 9, 30, 30)))
    assert poster.sent == []
    await runner.tick(clock.set(utc(3, 9, 0, 10)))
    assert [m.due_at for m in poster.sent] == [utc(3, 9)]


async def test_moving_the_time_earlier_does_not_post_at_once(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    await store.schedules.update(
        GUILD, schedule.id, local_time=dt.time(8, 0), now=clock.set(utc(3, 8, 30))
    )
    await runner.tick(clock.set(utc(3, 8, 30, 30)))
    await runner.tick(clock.set(utc(4, 8, 0, 10)))
    assert [m.due_at for m in poster.sent] == [utc(2, 9), utc(4, 8)]


async def test_weekly_schedules_post_on_their_day(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    await make_daily(store, clock, cadence="weekly", weekday=2)  # Wednesdays
    for day in range(2, 12):
        await runner.tick(clock.set(utc(day, 9, 0, 10)))
    assert [m.due_at for m in poster.sent] == [utc(4, 9), utc(11, 9)]


# -- helpers for the cog ----------------------------------------------------------------


async def test_next_attempt_reports_due_time_retry_time_or_none(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    assert next_attempt(schedule, START) == utc(2, 9)
    poster.errors.append(TransientError())
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    failing = await store.schedules.find(schedule.id)
    assert failing is not None and next_attempt(failing, clock()) == utc(2, 9, 1, 10)
    paused = await store.schedules.pause(GUILD, schedule.id, "by hand")
    assert next_attempt(paused, clock()) is None


def test_nonces_are_stable_per_run_and_fit_discord() -> None:
    due = utc(2, 9)
    assert run_nonce(7, due) == run_nonce(7, due)
    assert len({run_nonce(7, due), run_nonce(8, due), run_nonce(7, utc(3, 9))}) == 3
    for schedule_id in (1, 10**9, 10**30):
        assert len(run_nonce(schedule_id, due)) <= 25


# -- many channels at once --------------------------------------------------------------


async def test_failing_channels_neither_delay_the_healthy_one_nor_count_as_the_bot_being_down(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    """Ten channels whose sends hang and then fail (Discord answering 500 while discord.py
    retries), one healthy channel: the healthy digest goes out at once, and every failed
    run is recorded failed, with its retry counted from when it actually failed."""
    store, runner = await launch(grace=dt.timedelta(minutes=2))
    failing = [await make_daily(store, clock, channel_id=100 + n) for n in range(10)]
    healthy = await make_daily(store, clock, channel_id=CHANNEL)
    release = asyncio.Event()
    all_started = asyncio.Event()
    healthy_sent = asyncio.Event()
    started: list[int] = []

    async def post(schedule: Schedule, due_at: dt.datetime, nonce: str, since: Any) -> int:
        if schedule.channel_id != CHANNEL:
            started.append(schedule.id)
            if len(started) == len(failing):
                all_started.set()
            await release.wait()
            raise TransientError("Discord answered 500; it may be a passing outage")
        message_id = await FakePoster.post(poster, schedule, due_at, nonce, since)
        healthy_sent.set()
        return message_id

    poster.post = post  # type: ignore[method-assign]
    tick = asyncio.create_task(runner.tick(clock.set(utc(2, 9, 0, 10))))
    # No time passes on the fake clock while the ten failing sends hang.
    await asyncio.wait_for(asyncio.gather(all_started.wait(), healthy_sent.wait()), timeout=30)
    assert not tick.done()
    [sent] = poster.sent
    assert (sent.schedule_id, sent.at) == (healthy.id, utc(2, 9, 0, 10))

    clock.advance(seconds=25)  # discord.py gives up on the 500s 25 s later
    release.set()
    outcomes = await asyncio.wait_for(tick, timeout=10)
    by_schedule = {o.schedule_id: o for o in outcomes}
    assert by_schedule[healthy.id].state == "posted"
    for schedule in failing:
        outcome = by_schedule[schedule.id]
        assert outcome.state == "failed" and "500" in (outcome.detail or "")
        assert outcome.retry_at == utc(2, 9, 1, 35)  # one minute after it failed

    # The retries come round while the bot is running: retried, never "not running".
    poster.post = FakePoster.post.__get__(poster)  # type: ignore[method-assign]
    outcomes = await runner.tick(clock.set(utc(2, 9, 1, 40)))
    assert sorted(o.schedule_id for o in outcomes if o.state == "posted") == [s.id for s in failing]
    for schedule in [*failing, healthy]:
        assert [state for _, state in await states(store, schedule.id)] == ["posted"]
        for entry in await store.ledger.history(schedule.id):
            assert "not running" not in (entry.detail or "")


async def test_each_run_is_judged_by_the_clock_when_it_is_attempted(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    """With one run at a time and slow failures, the pass takes minutes: each outcome and
    retry time is stamped with the time it happened, not the time the pass began."""
    store, runner = await launch(max_concurrency=1)
    schedules = [await make_daily(store, clock, channel_id=100 + n) for n in range(3)]

    async def slow_failure(schedule: Schedule, due_at: dt.datetime, nonce: str, since: Any) -> int:
        clock.advance(seconds=25)
        raise TransientError("Discord answered 500; it may be a passing outage")

    poster.post = slow_failure  # type: ignore[method-assign]
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert [o.retry_at for o in outcomes] == [
        utc(2, 9, 1, 35),
        utc(2, 9, 2, 0),
        utc(2, 9, 2, 25),
    ]
    for schedule, seconds in zip(schedules, (35, 60, 85), strict=True):
        entry = await store.ledger.get(schedule.id, utc(2, 9))
        assert entry is not None and entry.completed_at == utc(2, 9) + dt.timedelta(seconds=seconds)


async def test_a_schedule_that_breaks_the_tick_does_not_stop_the_others(
    launch: Launch, clock: FakeClock, poster: FakePoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, runner = await launch()
    broken = await make_daily(store, clock, channel_id=1)
    healthy = await make_daily(store, clock, channel_id=2)
    process = ScheduleRunner._process

    async def failing(self: ScheduleRunner, schedule: Schedule, *args: Any) -> Any:
        if schedule.id == broken.id:
            raise RuntimeError("database hiccup")
        return await process(self, schedule, *args)

    monkeypatch.setattr(ScheduleRunner, "_process", failing)
    outcomes = await runner.tick(clock.set(utc(2, 9, 0, 10)))
    assert [(o.schedule_id, o.state) for o in outcomes] == [(healthy.id, "posted")]


# -- run-now ----------------------------------------------------------------------------


async def test_run_now_is_a_ledger_run_that_the_timetable_ignores(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    outcome = await runner.run_now(schedule.id, clock.set(utc(2, 8, 30, 15)))
    assert outcome.state == "posted"
    [sent] = poster.sent
    assert sent.nonce == run_nonce(schedule.id, utc(2, 8, 30, 15), manual=True)
    [entry] = await store.ledger.history(schedule.id)
    assert (entry.state, entry.manual, entry.message_id) == ("posted", True, sent.message_id)

    # A second click in the same second posts nothing more.
    with pytest.raises(RunNowRefused, match="already being posted"):
        await runner.run_now(schedule.id, utc(2, 8, 30, 15))
    # The 09:00 run still comes, and only once.
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    await runner.tick(clock.set(utc(2, 9, 0, 40)))
    assert [m.due_at for m in poster.sent] == [utc(2, 8, 30, 15), utc(2, 9)]


async def test_a_failed_run_now_is_reported_not_retried_and_does_not_count_to_pausing(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch(max_failures=1)
    schedule = await make_daily(store, clock)
    poster.errors.append(MissingAccess("the bot lacks Send Messages in #news"))
    with pytest.raises(RunNowRefused, match="lacks Send Messages"):
        await runner.run_now(schedule.id, clock.set(utc(2, 8, 30)))
    current = await store.schedules.find(schedule.id)
    assert current is not None
    assert (current.paused, current.failure_count, current.next_retry_at) == (False, 0, None)
    [entry] = await store.ledger.history(schedule.id)
    assert (entry.state, entry.manual) == ("failed", True)
    await runner.tick(clock.set(utc(2, 8, 31, 30)))
    assert poster.sent == []  # not retried


async def test_a_run_now_interrupted_by_a_crash_is_recovered_once(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    poster.crash_after_send = True
    store, runner = await launch()
    schedule = await make_daily(store, clock)
    with pytest.raises(SimulatedCrash):
        await runner.run_now(schedule.id, clock.set(utc(2, 8, 30)))
    await store.close()

    store, runner = await launch()
    outcomes = await runner.tick(clock.set(utc(2, 8, 31)))
    assert [(o.state, o.recovered) for o in outcomes] == [("posted", True)]
    assert len(poster.sent) == 1


async def test_only_new_skips_name_the_topic(
    launch: Launch, clock: FakeClock, poster: FakePoster
) -> None:
    store, runner = await launch()
    schedule = await make_daily(store, clock, only_new=True, topic="Trade & investment")
    await runner.tick(clock.set(utc(2, 9, 0, 10)))
    poster.new_articles = False
    await runner.tick(clock.set(utc(3, 9, 0, 10)))
    entry = await store.ledger.get(schedule.id, utc(3, 9))
    assert entry is not None
    assert (entry.state, entry.detail) == ("skipped", "nothing new on Trade & investment")


@pytest.mark.parametrize("store_location", ["sqlite"], indirect=True)  # a file to delete
async def test_a_deleted_database_file_stops_posting_without_a_traceback_per_tick(
    launch: Launch,
    clock: FakeClock,
    poster: FakePoster,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, runner = await launch()
    await make_daily(store, clock)
    (tmp_path / "newsbot.db").unlink()
    with caplog.at_level(logging.DEBUG):
        for minute in range(3):
            assert await runner.tick(clock.set(utc(2, 9, minute, 10))) == []
    assert poster.sent == []  # nothing claimed, so nothing may be posted
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["bot.store.database"]  # the one line, no traceback
    assert errors[0].exc_info is None
