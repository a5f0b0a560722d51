"""Each repository's create/read/update/delete, as the admin cogs will use them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.store import (
    AlreadyExists,
    GuildSettings,
    InvalidValue,
    NotFound,
    Schedule,
    Store,
    StoreError,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
GUILD, OTHER = 10, 20


def at(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


# -- server settings --------------------------------------------------------------------


async def test_an_unknown_server_reads_the_class_defaults(store: Store) -> None:
    assert await store.guilds.get(GUILD) == GuildSettings(GUILD)
    assert GuildSettings(GUILD).timezone == "UTC" and GuildSettings(GUILD).digest_limit == 8


async def test_settings_changed_are_kept_and_the_rest_follow_the_defaults(store: Store) -> None:
    await store.guilds.update(GUILD, moderator_role_id=77, timezone="Europe/Berlin")
    settings = await store.guilds.update(GUILD, digest_limit=3)
    assert settings == GuildSettings(GUILD, 77, "Europe/Berlin", 3, 7)
    # Unset values are stored as NULL so a new default would reach this server too.
    row = await store.fetchone(
        "SELECT digest_days FROM guild_settings WHERE guild_id = ?", (GUILD,)
    )
    assert row[0] is None
    assert await store.guilds.get(OTHER) == GuildSettings(OTHER)


async def test_settings_reset_to_defaults(store: Store) -> None:
    await store.guilds.update(GUILD, moderator_role_id=77, digest_days=30)
    assert (await store.guilds.reset(GUILD, "digest_days")).digest_days == 7
    assert (await store.guilds.get(GUILD)).moderator_role_id == 77
    assert await store.guilds.reset(GUILD) == GuildSettings(GUILD)
    assert (await store.guilds.update(GUILD, moderator_role_id=None)).moderator_role_id is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"digest_limit": 0}, "digest_limit must be a whole number from 1 to 25"),
     ({"digest_days": 5000}, "digest_days must be a whole number from 1 to 3650"),
     ({"digest_limit": True}, "digest_limit"),
     ({"timezone": "  "}, "IANA"), ({"timezone": "Mars/Olympus"}, "unknown timezone"),
     ({"timezone": "Europe"}, "unknown timezone"),
     ({"moderator_role_id": -1}, "moderator_role_id"),
     ({"colour": "red"}, "unknown server setting 'colour'")],
)  # fmt: skip
async def test_bad_settings_are_refused_by_name(
    store: Store, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidValue, match=message):
        await store.guilds.update(GUILD, **changes)
    assert await store.guilds.get(GUILD) == GuildSettings(GUILD)


# -- topics -----------------------------------------------------------------------------


async def test_topics_are_added_found_in_any_case_and_listed_by_name(store: Store) -> None:
    energy = await store.topics.add(
        GUILD, "  Energy  Prices ", ["oil", " Gas ", "gas", ""], created_by=5, now=NOW
    )
    assert (energy.name, energy.keywords, energy.created_by) == ("Energy Prices", ("oil", "Gas"), 5)
    assert energy.created_at == NOW
    await store.topics.add(GUILD, "chips", ["semiconductor"])
    assert await store.topics.get(GUILD, "ENERGY prices") == energy
    assert [t.name for t in await store.topics.in_guild(GUILD)] == ["chips", "Energy Prices"]
    assert await store.topics.count(GUILD) == 2
    assert await store.topics.get(OTHER, "energy prices") is None


@pytest.mark.parametrize("clash", ["energy", "ENERGY", " Energy "])
async def test_topic_names_are_unique_per_server_in_any_case(store: Store, clash: str) -> None:
    await store.topics.add(GUILD, "Energy", ["oil"])
    with pytest.raises(AlreadyExists, match="already has a topic named 'Energy'"):
        await store.topics.add(GUILD, clash, ["gas"])
    await store.topics.add(OTHER, clash, ["gas"])  # another server may


async def test_unicode_names_clash_regardless_of_case(store: Store) -> None:
    await store.topics.add(GUILD, "Économie", ["prix"])
    with pytest.raises(AlreadyExists):
        await store.topics.add(GUILD, "ÉCONOMIE", ["prix"])


async def test_topics_change_keywords_rename_and_go(store: Store) -> None:
    await store.topics.add(GUILD, "Energy", ["oil"])
    await store.topics.add(GUILD, "Chips", ["silicon"])
    changed = await store.topics.set_keywords(GUILD, "energy", ["solar", "wind"])
    assert changed.keywords == ("solar", "wind")
    assert (await store.topics.rename(GUILD, "energy", "ENERGY")).name == "ENERGY"
    with pytest.raises(AlreadyExists):
        await store.topics.rename(GUILD, "energy", "chips")
    with pytest.raises(NotFound, match="no topic named 'space'"):
        await store.topics.set_keywords(GUILD, "space", ["mars"])
    assert await store.topics.remove(GUILD, "Energy") is True
    assert await store.topics.remove(GUILD, "Energy") is False
    assert [t.name for t in await store.topics.in_guild(GUILD)] == ["Chips"]


@pytest.mark.parametrize(
    ("name", "keywords", "message"),
    [("", ["x"], "cannot be empty"), ("x" * 101, ["x"], "at most 100"),
     ("Energy", [], "at least one keyword"), ("Energy", ["  ", ""], "at least one keyword"),
     ("Energy", [f"k{i}" for i in range(51)], "at most 50 keywords")],
)  # fmt: skip
async def test_bad_topics_are_refused(
    store: Store, name: str, keywords: list[str], message: str
) -> None:
    with pytest.raises(InvalidValue, match=message):
        await store.topics.add(GUILD, name, keywords)


# -- schedules --------------------------------------------------------------------------


async def new_schedule(store: Store, guild: int = GUILD, **options: Any) -> Schedule:
    values: dict[str, Any] = {"channel_id": 5, "local_time": dt.time(9), "timezone": "UTC"}
    values.update(options)
    return await store.schedules.create(guild, created_by=1, now=NOW, **values)


async def test_schedules_are_created_and_scoped_to_their_server(store: Store) -> None:
    daily = await new_schedule(store, topic=" energy ")
    weekly = await new_schedule(store, cadence="weekly", weekday=4, only_new=True)
    await new_schedule(store, OTHER)
    assert (daily.topic, daily.cadence, daily.weekday, daily.only_new) == ("energy", "daily",
                                                                          None, False)  # fmt: skip
    assert (weekly.cadence, weekly.weekday, weekly.only_new) == ("weekly", 4, True)
    assert daily.armed_at == daily.created_at == NOW and not daily.paused
    assert [s.id for s in await store.schedules.in_guild(GUILD)] == [daily.id, weekly.id]
    assert await store.schedules.count(GUILD) == 2
    assert await store.schedules.get(GUILD, daily.id) == daily
    assert await store.schedules.get(OTHER, daily.id) is None
    assert await store.schedules.delete(OTHER, daily.id) is False
    with pytest.raises(NotFound):
        await store.schedules.pause(OTHER, daily.id, "not yours")
    assert len(await store.schedules.all()) == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [({"cadence": "weekly"}, "needs a weekday"),
     ({"weekday": 2}, "daily schedule has no weekday"),
     ({"cadence": "hourly"}, "daily or weekly"),
     ({"cadence": "weekly", "weekday": 7}, "0 \\(Monday\\) to 6"),
     ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
     ({"timezone": "localtime"}, "unknown timezone"),
     ({"channel_id": 0}, "channel_id"),
     ({"topic": "  "}, "topic must be 1 to 100"),
     ({"local_time": "09:00"}, "local_time")],
)  # fmt: skip
async def test_bad_schedules_are_refused(
    store: Store, options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidValue, match=message):
        await new_schedule(store, **options)
    assert await store.schedules.in_guild(GUILD) == []


async def test_changing_the_timing_re_arms_a_schedule_but_other_edits_do_not(
    store: Store,
) -> None:
    schedule = await new_schedule(store, cadence="weekly", weekday=1)
    moved = await store.schedules.update(GUILD, schedule.id, channel_id=6, now=at(1))
    assert (moved.channel_id, moved.armed_at) == (6, NOW)
    retimed = await store.schedules.update(GUILD, schedule.id, local_time=dt.time(7, 15), now=at(2))
    assert (retimed.local_time, retimed.armed_at) == (dt.time(7, 15), at(2))
    daily = await store.schedules.update(GUILD, schedule.id, cadence="daily", now=at(3))
    assert (daily.cadence, daily.weekday) == ("daily", None)
    with pytest.raises(InvalidValue, match="needs a weekday"):
        await store.schedules.update(GUILD, schedule.id, cadence="weekly")
    with pytest.raises(InvalidValue, match="no editable field 'paused'"):
        await store.schedules.update(GUILD, schedule.id, paused=True)
    with pytest.raises(NotFound):
        await store.schedules.update(OTHER, schedule.id, channel_id=7)


async def test_pause_and_resume(store: Store) -> None:
    schedule = await new_schedule(store)
    await store.schedules.record_failure(schedule.id, next_retry_at=at(1))
    paused = await store.schedules.pause(GUILD, schedule.id, "  channel archived ")
    assert (paused.paused, paused.pause_reason, paused.next_retry_at) == (
        True, "channel archived", None,
    )  # fmt: skip
    resumed = await store.schedules.resume(GUILD, schedule.id, now=at(5))
    assert (resumed.paused, resumed.pause_reason, resumed.failure_count) == (False, None, 0)
    assert resumed.armed_at == at(5)


async def test_runner_bookkeeping_counts_failures_and_success_resets_them(store: Store) -> None:
    schedule = await new_schedule(store)
    once = await store.schedules.record_failure(schedule.id, next_retry_at=at(1))
    assert once is not None and (once.failure_count, once.next_retry_at) == (1, at(1))
    paused = await store.schedules.record_failure(schedule.id, next_retry_at=None,
                                                  pause_reason="gone")  # fmt: skip
    assert paused is not None and (paused.failure_count, paused.paused) == (2, True)
    await store.schedules.record_success(schedule.id, posted_at=at(2))
    done = await store.schedules.find(schedule.id)
    assert done is not None and (done.failure_count, done.last_posted_at) == (0, at(2))


async def test_deleting_a_schedule_drops_its_runs_and_its_id_is_not_reused(store: Store) -> None:
    first = await new_schedule(store)
    await store.ledger.claim(first.id, at(2), nonce="n", now=at(2))
    assert await store.schedules.delete(GUILD, first.id) is True
    assert await store.ledger.history(first.id) == []
    second = await new_schedule(store)
    assert second.id > first.id  # old nonces and ledger rows can never point at it


# -- ledger -----------------------------------------------------------------------------


async def test_a_run_can_be_claimed_only_once(store: Store) -> None:
    schedule = await new_schedule(store)
    claimed = await store.ledger.claim(schedule.id, at(2), nonce="nb1.x", now=at(2))
    assert claimed is not None
    assert (claimed.state, claimed.nonce, claimed.attempts, claimed.completed_at) == (
        "claimed", "nb1.x", 1, None,
    )  # fmt: skip
    assert await store.ledger.claim(schedule.id, at(2), nonce="nb1.x", now=at(3)) is None
    assert await store.ledger.skip(schedule.id, at(2), "late", now=at(3)) is None
    assert await store.ledger.unfinished() == [claimed]


async def test_runs_complete_only_from_claimed_and_retry_only_from_failed(store: Store) -> None:
    schedule = await new_schedule(store)
    await store.ledger.claim(schedule.id, at(2), nonce="n", now=at(2))
    assert await store.ledger.reclaim(schedule.id, at(2), now=at(2)) is None  # not failed
    failed = await store.ledger.complete(schedule.id, at(2), "failed", now=at(2), detail="gone")
    assert failed is not None and (failed.state, failed.detail) == ("failed", "gone")
    assert await store.ledger.complete(schedule.id, at(2), "posted", now=at(2)) is None
    again = await store.ledger.reclaim(schedule.id, at(2), now=at(3))
    assert again is not None and (again.state, again.attempts) == ("claimed", 2)
    posted = await store.ledger.complete(schedule.id, at(2), "posted", now=at(3), message_id=99)
    assert posted is not None
    assert (posted.state, posted.message_id, posted.completed_at) == ("posted", 99, at(3))
    with pytest.raises(InvalidValue):
        await store.ledger.complete(schedule.id, at(2), "claimed", now=at(3))  # type: ignore[arg-type]


async def test_ledger_history_and_latest_per_schedule(store: Store) -> None:
    one = await new_schedule(store)
    two = await new_schedule(store)
    for day in range(3):
        await store.ledger.skip(one.id, at(24 * day), f"day {day}", now=at(24 * day))
    await store.ledger.claim(two.id, at(5), nonce="n", now=at(5))
    history = await store.ledger.history(one.id, limit=2)
    assert [e.detail for e in history] == ["day 2", "day 1"]
    assert history[0].state == "skipped" and history[0].completed_at == at(48)
    latest = await store.ledger.latest_by_schedule()
    assert {k: v.due_at for k, v in latest.items()} == {one.id: at(48), two.id: at(5)}


async def test_times_must_be_timezone_aware(store: Store) -> None:
    schedule = await new_schedule(store)
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.ledger.claim(schedule.id, dt.datetime(2025, 1, 1), nonce="n", now=NOW)


# -- audit ------------------------------------------------------------------------------


async def test_the_audit_log_records_and_pages_newest_first(store: Store) -> None:
    first = await store.audit.record(GUILD, 5, "topic.add", details={"name": "Energy"}, now=at(1))
    await store.audit.record(GUILD, 5, "schedule.add", details="daily 09:00", result="refused")
    await store.audit.record(GUILD, None, "schedule.auto_pause", result="error")
    await store.audit.record(OTHER, 6, "topic.add")
    assert (first.details, first.result, first.at) == ('{"name": "Energy"}', "ok", at(1))
    recent = await store.audit.recent(GUILD)
    assert [e.action for e in recent] == ["schedule.auto_pause", "schedule.add", "topic.add"]
    assert recent[0].user_id is None and recent[1].result == "refused"
    page = await store.audit.recent(GUILD, limit=1, before_id=recent[1].id)
    assert [e.id for e in page] == [first.id]
    assert [e.guild_id for e in await store.audit.recent(GUILD, action="topic.add")] == [GUILD]


async def test_audit_refuses_nonsense_but_keeps_long_details(store: Store) -> None:
    with pytest.raises(InvalidValue, match="ok, refused or error"):
        await store.audit.record(GUILD, 1, "x", result="maybe")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="1 to 100"):
        await store.audit.record(GUILD, 1, "  ")
    entry = await store.audit.record(GUILD, 1, "article.add", details="x" * 10_000)
    assert len(entry.details) == 4000 and entry.details.endswith("…")


async def test_store_errors_are_one_family() -> None:
    for error in (AlreadyExists, NotFound, InvalidValue):
        assert issubclass(error, StoreError)
