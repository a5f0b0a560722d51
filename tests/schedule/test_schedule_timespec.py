"""Parsing what moderators type, and due times across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule import (
    ScheduleError,
    ScheduleSpec,
    describe,
    due_runs,
    next_due,
    parse_cadence,
    parse_time,
    parse_timezone,
    parse_weekday,
    suggest_timezones,
)

UTC = dt.UTC
TIME_HELP = "time must be HH:MM in 24-hour form, e.g. 09:00"


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def daily(at: str, zone: str) -> ScheduleSpec:
    return ScheduleSpec("daily", parse_time(at), zone)


def local(moment: dt.datetime, zone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def runs(spec: ScheduleSpec, since: dt.datetime, until: dt.datetime, zone: str) -> list[str]:
    return [local(t, zone) for t in due_runs(spec, since, until)]


# -- parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:05", dt.time(9, 5)), ("9:05", dt.time(9, 5)), (" 23:59 ", dt.time(23, 59)),
     ("0:00", dt.time(0, 0))],
)  # fmt: skip
def test_parse_time_accepts_24_hour_times(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("25:00", "hours run from 00 to 23"), ("24:00", "hours run from 00 to 23"),
     ("12:60", "minutes run from 00 to 59"), ("9am", "is not a time"), ("0900", "is not a time"),
     ("9:5", "is not a time"), ("", "is not a time"), ("09:00:00", "is not a time"),
     ("nine", "is not a time")],
)  # fmt: skip
def test_parse_time_refuses_anything_else_and_says_how_to_write_it(text: str, reason: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_time(text)
    assert reason in str(caught.value)
    assert TIME_HELP in str(caught.value)


@pytest.mark.parametrize(
    ("text", "zone"),
    [("Europe/London", "Europe/London"), ("europe/london", "Europe/London"),
     ("America/New York", "America/New_York"), ("London", "Europe/London"), ("UTC", "UTC"),
     ("  Asia/Tokyo ", "Asia/Tokyo")],
)  # fmt: skip
def test_parse_timezone_forgives_case_spaces_and_a_unique_city(text: str, zone: str) -> None:
    assert parse_timezone(text).key == zone


def test_an_unknown_timezone_gets_a_close_suggestion() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_timezone("Europe/Londn")
    message = str(caught.value)
    assert "unknown timezone 'Europe/Londn'" in message
    assert "Did you mean Europe/London?" in message
    assert "IANA" in message


def test_a_hopeless_timezone_gets_no_suggestion_but_an_example() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_timezone("qqqqqq")
    assert "Did you mean" not in str(caught.value)
    assert "Europe/London" in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "localtime", "../../etc/passwd"])
def test_empty_or_odd_timezone_names_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_timezone(text)


@pytest.mark.parametrize(
    ("text", "weekday"),
    [("monday", 0), ("Mon", 0), ("tues", 1), ("WED", 2), ("thu", 3), ("Thursdays", 3),
     ("fr", 4), ("sat", 5), ("sunday", 6)],
)  # fmt: skip
def test_parse_weekday(text: str, weekday: int) -> None:
    assert parse_weekday(text) == weekday


@pytest.mark.parametrize("text", ["t", "s", "funday", "", "1", "mondayy"])
def test_parse_weekday_refuses_ambiguous_or_unknown(text: str) -> None:
    with pytest.raises(ScheduleError, match="weekday must be a day of the week"):
        parse_weekday(text)


def test_parse_cadence() -> None:
    assert parse_cadence(" Weekly ") == "weekly"
    with pytest.raises(ScheduleError, match="cadence must be daily or weekly"):
        parse_cadence("hourly")


def test_spec_checks_weekday_against_cadence() -> None:
    with pytest.raises(ScheduleError, match="needs a weekday"):
        ScheduleSpec("weekly", dt.time(9), "UTC")
    with pytest.raises(ScheduleError, match="has no weekday"):
        ScheduleSpec("daily", dt.time(9), "UTC", weekday=1)
    with pytest.raises(ScheduleError, match="unknown timezone"):
        ScheduleSpec("daily", dt.time(9), "Mars/Olympus")


def test_spec_keeps_the_canonical_zone_name() -> None:
    spec = ScheduleSpec("daily", dt.time(9), "london")
    assert spec.timezone == "Europe/London"
    assert next_due(spec, utc(2025, 1, 1, 0)) == utc(2025, 1, 1, 9)


def test_describe() -> None:
    assert describe(daily("9:00", "Europe/London")) == "daily at 09:00 (Europe/London)"
    weekly = ScheduleSpec("weekly", dt.time(18, 30), "UTC", weekday=0)
    assert describe(weekly) == "weekly on Mondays at 18:30 (UTC)"


# -- due times across DST ---------------------------------------------------------------


def test_london_nine_oclock_stays_nine_oclock_through_both_changes() -> None:
    spec = daily("09:00", "Europe/London")
    spring = runs(spec, utc(2025, 3, 28, 12), utc(2025, 3, 31, 12), "Europe/London")
    assert spring == ["2025-03-29 09:00 GMT", "2025-03-30 09:00 BST", "2025-03-31 09:00 BST"]
    autumn = runs(spec, utc(2025, 10, 25, 0), utc(2025, 10, 27, 12), "Europe/London")
    assert autumn == ["2025-10-25 09:00 BST", "2025-10-26 09:00 GMT", "2025-10-27 09:00 GMT"]
    assert due_runs(spec, utc(2025, 3, 29, 12), utc(2025, 3, 30, 12)) == [utc(2025, 3, 30, 8)]


def test_new_york_nine_oclock_stays_nine_oclock_through_both_changes() -> None:
    spec = daily("09:00", "America/New_York")
    assert due_runs(spec, utc(2025, 3, 8, 0), utc(2025, 3, 10, 0)) == [
        utc(2025, 3, 8, 14),  # EST, UTC-5
        utc(2025, 3, 9, 13),  # EDT, UTC-4
    ]
    assert due_runs(spec, utc(2025, 11, 1, 0), utc(2025, 11, 3, 0)) == [
        utc(2025, 11, 1, 13),
        utc(2025, 11, 2, 14),
    ]


def test_a_time_skipped_by_spring_forward_runs_when_the_clocks_jump() -> None:
    # New York, 9 March 2025: 02:00 EST becomes 03:00 EDT; 02:30 does not exist.
    spec = daily("02:30", "America/New_York")
    assert runs(spec, utc(2025, 3, 8, 12), utc(2025, 3, 10, 12), "America/New_York") == [
        "2025-03-09 03:00 EDT",
        "2025-03-10 02:30 EDT",
    ]
    # London, 30 March 2025: 01:00 GMT becomes 02:00 BST; 01:30 does not exist.
    spec = daily("01:30", "Europe/London")
    assert next_due(spec, utc(2025, 3, 29, 12)) == utc(2025, 3, 30, 1)


def test_a_time_repeated_by_fall_back_runs_once_at_its_first_occurrence() -> None:
    # New York, 2 November 2025: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 (EST).
    spec = daily("01:30", "America/New_York")
    assert due_runs(spec, utc(2025, 11, 1, 12), utc(2025, 11, 3, 12)) == [
        utc(2025, 11, 2, 5, 30),
        utc(2025, 11, 3, 6, 30),
    ]
    spec = daily("01:30", "Europe/London")
    assert due_runs(spec, utc(2025, 10, 25, 12), utc(2025, 10, 26, 23)) == [
        utc(2025, 10, 26, 0, 30)
    ]


def test_weekly_runs_on_its_weekday_and_next_due_is_strictly_after() -> None:
    spec = ScheduleSpec("weekly", dt.time(9), "Europe/London", weekday=0)  # Mondays
    first = next_due(spec, utc(2025, 3, 26, 12))  # a Wednesday
    assert local(first, "Europe/London") == "2025-03-31 09:00 BST"
    assert next_due(spec, first) == first + dt.timedelta(days=7)
    assert next_due(spec, first - dt.timedelta(seconds=1)) == first


def test_due_runs_covers_since_exclusive_until_inclusive() -> None:
    spec = daily("09:00", "UTC")
    assert due_runs(spec, utc(2025, 1, 1, 9), utc(2025, 1, 3, 9)) == [
        utc(2025, 1, 2, 9),
        utc(2025, 1, 3, 9),
    ]
    assert due_runs(spec, utc(2025, 1, 1, 9), utc(2025, 1, 1, 9)) == []


def test_naive_times_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(daily("09:00", "UTC"), dt.datetime(2025, 1, 1))


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "America/Santiago", "Europe/Berlin"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    after=st.datetimes(
        min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
)
def test_daily_runs_happen_once_a_day_at_the_wall_clock_time(
    zone: str, at: dt.time, after: dt.datetime
) -> None:
    spec = ScheduleSpec("daily", at, zone)
    first = next_due(spec, after)
    second = next_due(spec, first)
    assert after < first < second
    # Nothing is due in between, and each local day gets exactly one run.
    assert due_runs(spec, after, second) == [first, second]
    assert dt.timedelta(hours=20) < second - first < dt.timedelta(hours=28)
    tz = zoneinfo.ZoneInfo(zone)
    for moment in (first, second):
        wall = moment.astimezone(tz)
        # The wall time is the one asked for, unless it fell in a spring-forward gap, and then
        # the run is at the end of the gap, within the hour after it.
        asked = dt.datetime.combine(wall.date(), at)
        assert dt.timedelta(0) <= wall.replace(tzinfo=None) - asked <= dt.timedelta(hours=1)


# -- hostile input ----------------------------------------------------------------------

HOSTILE = [
    "9" * 1_000_000,
    ":" * 1_000_000,
    "0" * 500_000 + ":" + "0" * 500_000,
    "Europe/" * 150_000,
    "a" * 1_000_000,
    " " * 500_000 + "UTC" + " " * 500_000 + "x",
    "𝕏\u0301" * 200_000,
    "\x00" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: f"{t[:8]!r}x{len(t)}")
def test_huge_or_repeated_input_is_refused_with_a_short_reason(text: str) -> None:
    for parse in (parse_time, parse_timezone, parse_weekday):
        with pytest.raises(ScheduleError) as raised:
            parse(text)
        message = str(raised.value)
        assert len(message) < 400, message[:400]
    assert suggest_timezones(text) == []


def test_a_timezone_is_found_within_the_length_limit() -> None:
    longest = max(zoneinfo.available_timezones(), key=len)
    assert parse_timezone(longest).key == longest
    assert parse_timezone("  europe/london  ").key == "Europe/London"
    with pytest.raises(ScheduleError, match="too long to be a timezone"):
        parse_timezone("Europe/London" * 10)
