"""Scheduled digests end to end: a moderator schedules one, time passes, it is posted once.

Time is SimCord's: it starts on Thursday 2026-01-01 00:00 UTC and moves only when a test
advances it. "A restart" is a new bot over the same database file, as after a deploy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo

import pytest

from bot.store import LedgerEntry
from tests.support.admin_sim import START, Newsroom, embed_text
from tests.support.newsbot_sim import refusals

UTC = dt.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")


async def add_daily(room: Newsroom, at: str = "00:05", **options: object) -> int:
    result = await room.admin("schedule add", channel=room.news, time=at, **options)
    assert result.ephemeral, result
    assert result.response.content.startswith("Scheduled digest **#"), result.response.content
    return (await room.schedules())[-1].id


async def runs(room: Newsroom, schedule_id: int) -> list[LedgerEntry]:
    assert room.bot.store is not None
    return await room.bot.store.ledger.history(schedule_id, limit=50)


def minutes_after_start(message_time: dt.datetime) -> float:
    return (message_time - START).total_seconds() / 60


# -- posting once ------------------------------------------------------------------------


async def test_a_scheduled_digest_is_posted_once_when_its_time_comes(room: Newsroom) -> None:
    result = await room.admin("schedule add", channel=room.news, time="00:05")

    assert result.ephemeral
    assert "Scheduled digest **#1**: All topics in" in result.response.content
    assert "daily at 00:05 (UTC)" in result.response.content
    assert "Next run: Thu 01 Jan 2026 00:05 UTC" in result.response.content

    await room.env.advance_time(4 * 60)
    assert room.bot_posts() == []

    await room.env.advance_time(2 * 60)
    [post] = room.bot_posts()
    assert 5 <= minutes_after_start(post.created_at) < 5.6  # within one loop interval
    assert post.embeds[0].title == "Digest: All topics"
    assert "Harbour Ferry Adds Night Crossings" in embed_text(post)
    # No internal ids in public: the footer is the digest's own; the run is recognised by
    # the title and the due time the embed carries as its timestamp.
    footer = post.embeds[0].footer.text
    assert "nb1" not in footer and "#1" not in footer
    assert post.embeds[0].timestamp == START + dt.timedelta(minutes=5)

    await room.env.advance_time(30 * 60)
    assert len(room.bot_posts()) == 1
    [run] = await runs(room, 1)
    assert (run.state, run.message_id) == ("posted", post.id)
    # Sent with the nonce for Discord to enforce, and never pinging anyone.
    [sent] = [
        r.json
        for r in room.env.http_requests
        if r.method == "POST" and r.path == f"/channels/{room.news.id}/messages"
    ]
    assert sent["nonce"] == "nb1.29453765" and sent["enforce_nonce"] is True
    assert sent["allowed_mentions"] == {"parse": []}


async def test_a_restart_before_and_after_the_run_neither_loses_nor_repeats_it(
    room: Newsroom,
) -> None:
    await add_daily(room)
    await room.env.advance_time(2 * 60)

    await room.restart()  # before it is due: the new process re-arms it from the database
    await room.env.advance_time(5 * 60)
    assert len(room.bot_posts()) == 1

    await room.restart()  # after it was posted: nothing to do until tomorrow
    await room.env.advance_time(10 * 60)
    assert len(room.bot_posts()) == 1
    assert [r.state for r in await runs(room, 1)] == ["posted"]


async def test_a_restart_between_sending_and_recording_finds_the_post_instead_of_repeating(
    room: Newsroom,
) -> None:
    schedule_id = await add_daily(room)
    store = room.bot.store
    assert store is not None
    recorded = store.ledger.complete

    async def shutdown_before_recording(*args: object, **kwargs: object) -> None:
        raise asyncio.CancelledError  # the process is stopped right after Discord took it

    store.ledger.complete = shutdown_before_recording  # type: ignore[method-assign]
    await room.env.advance_time(6 * 60)
    assert len(room.bot_posts()) == 1
    store.ledger.complete = recorded  # type: ignore[method-assign]
    [left] = await runs(room, schedule_id)
    assert left.state == "claimed"  # the ledger cannot tell whether it went out

    await room.restart()

    assert len(room.bot_posts()) == 1  # found by the nonce in its footer, not sent again
    [run] = await runs(room, schedule_id)
    assert run.state == "posted"
    assert run.message_id == room.bot_posts()[0].id
    assert run.detail == "found already posted after an interrupted attempt"
    # Only that run's post: the title and the due time, not just any digest of the bot.


async def test_a_restart_between_claiming_and_sending_posts_it_once(room: Newsroom) -> None:
    schedule_id = await add_daily(room)
    poster = room.bot.get_cog("Scheduler").poster  # type: ignore[union-attr]

    async def shutdown_before_sending(*args: object, **kwargs: object) -> int:
        raise asyncio.CancelledError

    poster.post = shutdown_before_sending
    await room.env.advance_time(6 * 60)
    assert room.bot_posts() == []
    assert [r.state for r in await runs(room, schedule_id)] == ["claimed"]

    await room.restart()

    [post] = room.bot_posts()
    assert 6 <= minutes_after_start(post.created_at) < 7
    assert [(r.state, r.message_id) for r in await runs(room, schedule_id)] == [("posted", post.id)]


# -- missed runs -------------------------------------------------------------------------


async def test_a_run_missed_within_the_grace_period_is_posted_once_at_start_up(
    room: Newsroom,
) -> None:
    schedule_id = await add_daily(room)
    await room.env.advance_time(2 * 60)
    room.stop_scheduler()  # the bot is down from 00:02 …
    await room.env.advance_time(38 * 60)
    assert room.bot_posts() == []

    await room.restart()  # … until 00:40: 35 minutes late, within the 60-minute grace

    [post] = room.bot_posts()
    assert 40 <= minutes_after_start(post.created_at) < 41
    await room.env.advance_time(10 * 60)
    assert len(room.bot_posts()) == 1
    assert [r.state for r in await runs(room, schedule_id)] == ["posted"]


async def test_a_run_missed_beyond_the_grace_period_is_skipped_with_the_reason(
    room: Newsroom,
) -> None:
    schedule_id = await add_daily(room)
    await room.env.advance_time(2 * 60)
    room.stop_scheduler()
    await room.env.advance_time(88 * 60)  # back at 01:30, 85 minutes late

    await room.restart()
    await room.env.advance_time(5 * 60)

    assert room.bot_posts() == []
    [run] = await runs(room, schedule_id)
    assert run.state == "skipped"
    assert "85 min late" in run.detail and "beyond the 60 min grace period" in run.detail
    listed = await room.admin("schedule list")
    assert "Next run: Fri 02 Jan 2026 00:05 UTC" in embed_text(listed.response)


# -- failures ----------------------------------------------------------------------------


async def test_a_deleted_channel_is_retried_with_backoff_then_paused_with_a_notice(
    room: Newsroom,
) -> None:
    schedule_id = await add_daily(room)
    room.delete_channel(room.news)

    await room.env.advance_time(25 * 60)  # failed at 00:05, 00:06, 00:11: retrying
    [schedule] = await room.schedules()
    assert not schedule.paused
    assert schedule.failure_count == 3
    assert schedule.next_retry_at == START + dt.timedelta(minutes=26)

    await room.env.advance_time(65 * 60)  # 00:26 and 01:26: the fifth failure pauses it

    [schedule] = await room.schedules()
    assert schedule.paused
    assert "after 5 failed attempts" in schedule.pause_reason
    assert "no longer exists" in schedule.pause_reason
    [run] = await runs(room, schedule_id)
    assert (run.state, run.attempts) == ("failed", 5)
    [notice] = room.bot_posts(room.mod_log)
    assert f"scheduled digest #{schedule_id}" in notice.content
    assert "paused after 5 failed attempts" in notice.content
    assert notice.mentions == [] and not notice.mention_everyone
    [paused] = await room.audit("schedule.auto_pause")
    assert (paused.result, paused.user_id) == ("error", None)
    [told] = await room.audit("schedule.notice")
    assert told.result == "ok" and str(room.mod_log.id) in told.details

    listed = await room.admin("schedule list", where=room.mod_log)
    assert "⏸ paused: paused after 5 failed attempts" in embed_text(listed.response)


async def test_a_missing_permission_pauses_the_schedule_and_the_audit_log_says_so(
    room: Newsroom,
) -> None:
    schedule_id = await add_daily(room)
    room.deny_bot(room.news, send_messages=True)
    room.env.backend.edit_guild(room.guild.id, {"system_channel_id": None})

    await room.env.advance_time(90 * 60)

    assert room.bot_posts() == []
    [schedule] = await room.schedules()
    assert schedule.paused and "lacks Send Messages" in schedule.pause_reason
    assert [r.state for r in await runs(room, schedule_id)] == ["failed"]
    [told] = await room.audit("schedule.notice")  # nowhere to post it: recorded all the same
    assert told.result == "error"
    assert "no system or public updates channel" in told.details

    # Fixed and resumed: it runs again from the next due time, not the missed one.
    room.env.backend.delete_overwrite(room.news.id, room.env.backend.bot_user.id)
    resumed = await room.admin("schedule resume", schedule=schedule_id)
    assert "Next run: Fri 02 Jan 2026 00:05 UTC" in resumed.response.content
    [schedule] = await room.schedules()
    assert not schedule.paused and schedule.failure_count == 0


# -- clocks ------------------------------------------------------------------------------


async def test_nine_oclock_in_london_stays_nine_oclock_across_the_clock_change(
    room: Newsroom,
) -> None:
    # Sat 28 March 2026 is the last day of GMT; the clocks go forward on Sunday the 29th.
    await room.admin("settings", digest_days=365)  # the fixture articles are from 2025
    room.stop_scheduler()
    await jump_to(room, dt.datetime(2026, 3, 28, 8, 50, tzinfo=UTC))
    await room.restart()
    await add_daily(room, "09:00", timezone="Europe/London")

    for day in (28, 29, 30):
        await room.env.advance_time(15 * 60)
        # the bot is down overnight; it comes back ten minutes before nine
        room.stop_scheduler()
        await jump_to(room, dt.datetime(2026, 3, day + 1, 8, 50, tzinfo=LONDON))
        await room.restart()

    posts = room.bot_posts()
    assert [p.created_at.astimezone(LONDON).strftime("%d %H:%M") for p in posts] == [
        "28 09:00",
        "29 09:00",
        "30 09:00",
    ]
    assert [p.created_at.astimezone(UTC).hour for p in posts] == [9, 8, 8]
    due = sorted(r.due_at for r in await runs(room, 1))
    assert [d.astimezone(LONDON).strftime("%a %H:%M %Z") for d in due] == [
        "Sat 09:00 GMT",
        "Sun 09:00 BST",
        "Mon 09:00 BST",
    ]


async def jump_to(room: Newsroom, moment: dt.datetime) -> None:
    """Move SimCord's clock forward to ``moment`` (only cheap while nothing is ticking)."""
    ahead = (moment - room.env.now()).total_seconds()
    assert ahead >= 0, (moment, room.env.now())
    await room.env.advance_time(ahead)


# -- commands ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time": "25:00"}, "'25:00': hours run from 00 to 23; time must be HH:MM"),
        ({"time": "9am"}, "'9am' is not a time: time must be HH:MM in 24-hour form"),
        (
            {"time": "09:00", "timezone": "Europe/Londn"},
            "Unknown timezone 'Europe/Londn'. Did you mean Europe/London?",
        ),
        ({"time": "09:00", "every": "weekly"}, "A weekly digest needs a day, e.g. `day:monday`."),
        (
            {"time": "09:00", "every": "daily", "day": "friday"},
            "A daily digest has no day; use `every:weekly` to post on Fridays only.",
        ),
        ({"time": "09:00", "topic": "Astrology"}, "There is no topic “Astrology”."),
    ],
)
async def test_bad_schedules_are_refused_with_a_clear_message_and_nothing_is_stored(
    room: Newsroom, options: dict[str, str], message: str
) -> None:
    result = await room.admin("schedule add", channel=room.news, **options)

    assert result.ephemeral
    assert result.response.content.startswith(message), result.response.content
    assert await room.schedules() == []
    [entry] = await room.audit("schedule.add")
    assert entry.result == "error"
    refusals(room.env)


async def test_a_channel_the_bot_cannot_post_in_is_refused_at_add_time(room: Newsroom) -> None:
    room.deny_bot(room.news, embed_links=True)

    result = await room.admin("schedule add", channel=room.news, time="09:00")

    assert result.response.content.startswith(
        f"I can't post in <#{room.news.id}>: I'm missing Embed Links there."
    )
    assert await room.schedules() == []
    refusals(room.env)


async def test_a_weekly_schedule_on_a_topic_in_the_servers_timezone(room: Newsroom) -> None:
    await room.admin("settings", timezone="America/New_York")

    result = await room.admin(
        "schedule add", channel=room.news, time="7:30", topic="helth", day="monday"
    )

    [schedule] = await room.schedules()
    assert (schedule.topic, schedule.cadence, schedule.weekday) == ("Health", "weekly", 0)
    assert schedule.timezone == "America/New_York"
    assert "weekly on Mondays at 07:30 (America/New_York)" in result.response.content
    assert "Next run: Mon 05 Jan 2026 07:30 EST" in result.response.content


async def test_list_pause_resume_and_remove(room: Newsroom) -> None:
    first = await add_daily(room, "00:05")
    second = await add_daily(room, "12:00", topic="Health", only_new=True)

    listed = embed_text((await room.admin("schedule list")).response)
    assert f"#{first} · All topics" in listed and f"#{second} · Health" in listed
    assert "Next run: Thu 01 Jan 2026 00:05 UTC" in listed
    assert "Next run: Thu 01 Jan 2026 12:00 UTC" in listed
    assert "only when something is new" in listed

    await room.admin("schedule pause", schedule=first)
    await room.env.advance_time(10 * 60)
    assert room.bot_posts() == []  # paused: 00:05 passed without a post
    listed = embed_text((await room.admin("schedule list")).response)
    assert "⏸ paused: paused by morgan" in listed

    again = await room.admin("schedule pause", schedule=first)
    assert again.response.content == f"Scheduled digest #{first} is already paused."
    refusals(room.env)

    await room.admin("schedule resume", schedule=first)
    await room.admin("schedule remove", schedule=second)
    assert [s.id for s in await room.schedules()] == [first]
    missing = await room.admin("schedule remove", schedule=second)
    assert missing.response.content.startswith(f"This server has no scheduled digest #{second}")
    refusals(room.env)
    actions = [(e.action, e.result) for e in await room.audit()]
    assert actions[:5] == [
        ("schedule.remove", "error"),
        ("schedule.remove", "ok"),
        ("schedule.resume", "ok"),
        ("schedule.pause", "error"),
        ("schedule.pause", "ok"),
    ]


async def test_preview_is_private_and_run_now_posts_at_once(room: Newsroom) -> None:
    schedule_id = await add_daily(room, "18:00")

    preview = await room.admin("schedule preview", schedule=schedule_id)

    assert preview.ephemeral
    assert preview.response.content.startswith(
        f"Preview of scheduled digest **#{schedule_id}** for Thu 01 Jan 2026 18:00 UTC"
    )
    assert preview.response.embeds[0].title == "Digest: All topics"
    assert room.bot_posts() == []

    posted = await room.admin("schedule run-now", schedule=schedule_id)

    [post] = room.bot_posts()
    assert posted.ephemeral
    assert posted.response.content.endswith(f"/{room.news.id}/{post.id}")
    assert post.embeds[0].title == "Digest: All topics"
    [schedule] = await room.schedules()
    assert schedule.last_posted_at == room.env.now().replace(microsecond=0)
    # A ledger run like any other (marked as run-now), so it posts exactly once …
    [run] = await runs(room, schedule_id)
    assert (run.state, run.manual, run.message_id) == ("posted", True, post.id)
    # … and not part of the timetable: 18:00 still comes.
    listed = embed_text((await room.admin("schedule list")).response)
    assert "Next run: Thu 01 Jan 2026 18:00 UTC" in listed
    assert "Last run: run-now posted at 00:00 on Thu 01 Jan" in listed


async def test_schedule_autocomplete_lists_the_servers_schedules_to_moderators_only(
    room: Newsroom,
) -> None:
    schedule_id = await add_daily(room, "09:00", topic="Health")
    room.grant_admin(room.member)

    mine = await room.mod.autocomplete(room.news, "admin schedule remove", "schedule", "")
    theirs = await room.member.autocomplete(room.news, "admin schedule remove", "schedule", "")

    assert mine == [
        {"name": f"#{schedule_id} Health → #news, daily at 09:00 (UTC)", "value": schedule_id}
    ]
    assert theirs == []
    zones = await room.mod.autocomplete(room.news, "admin schedule add", "timezone", "londn")
    assert "Europe/London" in [c["value"] for c in zones]
    topics = await room.mod.autocomplete(room.news, "admin schedule add", "topic", "")
    assert topics[0] == {"name": "All topics (the newest articles)", "value": "all"}


async def test_recovery_does_not_take_another_schedules_look_alike_post(room: Newsroom) -> None:
    """Two schedules with one title and time in one channel: after a restart, the one that
    was stopped before sending sends its own digest instead of claiming the other's."""
    first = await add_daily(room)
    second = await add_daily(room)
    sender = room.bot.get_cog("Scheduler").sender  # type: ignore[union-attr]
    send = sender.send_digest

    async def stopped_before_sending_the_second(schedule: object, *args: object) -> int:
        if getattr(schedule, "id", None) == second:
            raise asyncio.CancelledError  # the process is stopped right here
        return await send(schedule, *args)

    sender.send_digest = stopped_before_sending_the_second
    await room.env.advance_time(6 * 60)
    assert len(room.bot_posts()) == 1
    assert [r.state for r in await runs(room, second)] == ["claimed"]

    await room.restart()

    posts = room.bot_posts()
    assert len(posts) == 2
    [one] = await runs(room, first)
    [two] = await runs(room, second)
    assert (one.state, two.state) == ("posted", "posted")
    assert {one.message_id, two.message_id} == {p.id for p in posts}
    assert two.detail is None  # sent afresh, not "found already posted"
