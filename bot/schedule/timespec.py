"""When a schedule is due: parsing what people type, and wall-clock time across DST.

A schedule says "daily (or weekly on a weekday) at HH:MM in an IANA timezone". The due
instant for a day is that wall-clock time in that zone, so 09:00 stays 09:00 local when the
clocks change. Two days a year need a rule:

* **Spring forward** (the local time does not exist, e.g. 02:30 in New York on the second
  Sunday of March): the run is due at the first valid instant after it, the moment the
  clocks jump (03:00 local). It is neither skipped nor moved an hour later.
* **Fall back** (the local time happens twice, e.g. 01:30 in New York in November): the run
  is due once, at the first occurrence (before the clocks go back).

All functions here are pure; instants going in must be timezone-aware, instants coming out
are in UTC.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.schedule.errors import ScheduleError

UTC = dt.UTC

TIME_HELP = "time must be HH:MM in 24-hour form, e.g. 09:00"
TIMEZONE_HELP = "use an IANA timezone name such as Europe/London or America/New_York"
WEEKDAY_HELP = "weekday must be a day of the week, e.g. monday or mon"
CADENCE_HELP = "cadence must be daily or weekly"

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip

_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
#: What a person types is looked at only this far: the longest IANA name has 32
#: characters, a time 5, a day 9. Longer input is refused before any matching, so the work
#: per request stays bounded whatever is typed (Discord allows 6,000 characters).
MAX_TYPED_CHARS = 64
# Zone names that exist in the database but mean nothing to a person choosing a zone.
_HIDDEN_ZONES = frozenset({"localtime", "Factory"})


class SpecLike(Protocol):
    """What the timing functions need; ``ScheduleSpec`` and the store's ``Schedule`` fit."""

    @property
    def cadence(self) -> str: ...
    @property
    def local_time(self) -> dt.time: ...
    @property
    def weekday(self) -> int | None: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class ScheduleSpec:
    """The timing of a schedule: cadence, local time, weekday (weekly only), IANA zone."""

    cadence: str
    local_time: dt.time
    timezone: str
    weekday: int | None = None

    def __post_init__(self) -> None:
        if self.cadence not in ("daily", "weekly"):
            raise ScheduleError(CADENCE_HELP)
        if self.cadence == "weekly" and self.weekday not in range(7):
            raise ScheduleError("a weekly schedule needs a weekday")
        if self.cadence == "daily" and self.weekday is not None:
            raise ScheduleError("a daily schedule has no weekday; choose weekly for one day")
        # Store the canonical name ("london" → "Europe/London"): ZoneInfo needs it exactly.
        object.__setattr__(self, "timezone", parse_timezone(self.timezone).key)


# -- parsing ------------------------------------------------------------------------------


def _show(text: str, limit: int = 40) -> str:
    text = str(text)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _too_long(text: str, what: str) -> None:
    if len(text) > MAX_TYPED_CHARS:
        raise ScheduleError(
            f"{_show(text)} is too long to be {what} ({len(text):,} characters; "
            f"at most {MAX_TYPED_CHARS})"
        )


def parse_time(text: str) -> dt.time:
    """``"9:05"`` or ``"09:05"`` → ``time(9, 5)``; anything else → ``ScheduleError``."""
    text = str(text)
    if len(text) > MAX_TYPED_CHARS:
        raise ScheduleError(f"{_show(text)} is not a time: {TIME_HELP}")
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ScheduleError(f"{_show(text)} is not a time: {TIME_HELP}")
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23:
        raise ScheduleError(f"{_show(text)}: hours run from 00 to 23; {TIME_HELP}")
    if minutes > 59:
        raise ScheduleError(f"{_show(text)}: minutes run from 00 to 59; {TIME_HELP}")
    return dt.time(hours, minutes)


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - _HIDDEN_ZONES))


@cache
def _zone_lookup() -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """(casefolded name → name, casefolded city → names, searchable form → name)."""
    exact: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    searchable: dict[str, str] = {}
    for name in _zone_names():
        exact[name.casefold()] = name
        cities.setdefault(name.rsplit("/", 1)[-1].casefold(), []).append(name)
        searchable[_searchable(name)] = name
    return exact, {k: tuple(v) for k, v in cities.items()}, searchable


def _searchable(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("/", " ").split()).casefold()


def suggest_timezones(name: str, limit: int = 3) -> list[str]:
    """Zone names close to ``name`` (typos, missing region, spaces for underscores)."""
    _, _, searchable = _zone_lookup()
    query = _searchable(str(name)[: MAX_TYPED_CHARS * 2])
    if not query or len(query) > MAX_TYPED_CHARS:
        return []
    found = process.extract(
        query, searchable.keys(), scorer=fuzz.WRatio, limit=limit, score_cutoff=75
    )
    if not found:
        return []
    best = found[0][1]
    # One answer when it is clearly ahead; a short list when it is not.
    return [searchable[choice] for choice, score, _ in found if score >= best - 3]


def parse_timezone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA zone by name. Case and spaces-for-underscores are forgiven, and a city alone
    (``London``) works when only one zone has that name; otherwise a ``ScheduleError``
    suggests the closest names."""
    raw = str(name).strip()
    _too_long(raw, "a timezone")
    text = " ".join(raw.split())
    if not text:
        raise ScheduleError(f"a timezone is needed; {TIMEZONE_HELP}")
    exact, cities, _ = _zone_lookup()
    key = text.replace(" ", "_").casefold()
    chosen = exact.get(key)
    if chosen is None and len(cities.get(key, ())) == 1:
        chosen = cities[key][0]
    if chosen is not None:
        return zoneinfo.ZoneInfo(chosen)
    suggestions = suggest_timezones(text)
    hint = ""
    if suggestions:
        options = (
            suggestions[0]
            if len(suggestions) == 1
            else (", ".join(suggestions[:-1]) + " or " + suggestions[-1])
        )
        hint = f" Did you mean {options}?"
    raise ScheduleError(f"unknown timezone {_show(text)}.{hint} {_sentence(TIMEZONE_HELP)}")


def parse_weekday(text: str) -> int:
    """A day name → 0 (Monday) … 6 (Sunday). Any case; ``mon``, ``tues``, ``thu``,
    ``mondays`` and other unambiguous beginnings of a name are understood."""
    _too_long(str(text).strip(), "a day")
    word = str(text).strip().casefold().rstrip(".")
    if word.endswith("s") and word[:-1] in WEEKDAYS:
        word = word[:-1]
    matches = [i for i, day in enumerate(WEEKDAYS) if len(word) >= 2 and day.startswith(word)]
    if len(matches) != 1:
        raise ScheduleError(f"{_show(text)} is not a day: {WEEKDAY_HELP}")
    return matches[0]


def parse_cadence(text: str) -> str:
    """``daily`` or ``weekly`` (any case)."""
    _too_long(str(text).strip(), "a cadence")
    word = str(text).strip().casefold()
    if word not in ("daily", "weekly"):
        raise ScheduleError(f"{_show(text)}: {CADENCE_HELP}")
    return word


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    """The calendar date of ``moment`` in the IANA zone ``timezone``."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def describe(spec: SpecLike) -> str:
    """``"daily at 09:00 (Europe/London)"`` or ``"weekly on Mondays at 09:00 (UTC)"``."""
    at = spec.local_time.strftime("%H:%M")
    if spec.cadence == "weekly" and spec.weekday is not None:
        return f"weekly on {WEEKDAYS[spec.weekday].title()}s at {at} ({spec.timezone})"
    return f"daily at {at} ({spec.timezone})"


# -- due times ----------------------------------------------------------------------------


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")


def _wall(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)


def local_instant(day: dt.date, at: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``zone``, by the module's rules:
    the first occurrence of an ambiguous time, the end of the gap for a missing one."""
    wanted = dt.datetime.combine(day, at.replace(tzinfo=None))
    first = wanted.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(first, zone) == wanted:
        return first
    # ``wanted`` falls in a gap. fold=0 reads it with the offset from before the jump and
    # lands after the gap; fold=1 with the offset from after it and lands before. The jump
    # itself lies between: find it to the second.
    before = wanted.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = first
    if before > after:
        before, after = after, before
    second = dt.timedelta(seconds=1)
    while after - before > second:
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if _wall(middle, zone) >= wanted:
            after = middle
        else:
            before = middle
    return after


def next_due(spec: SpecLike, after: dt.datetime) -> dt.datetime:
    """The first instant strictly after ``after`` at which ``spec`` is due, in UTC."""
    _require_aware(after, "after")
    zone = zoneinfo.ZoneInfo(spec.timezone)
    # Start a day early: a gap-shifted instant for yesterday's date can lie after ``after``.
    day = after.astimezone(zone).date() - dt.timedelta(days=1)
    for _ in range(16):
        if spec.cadence != "weekly" or day.weekday() == spec.weekday:
            due = local_instant(day, spec.local_time, zone)
            if due > after:
                return due
        day += dt.timedelta(days=1)
    raise ScheduleError(f"no due time found for {describe(spec)}")  # pragma: no cover


def due_runs(spec: SpecLike, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Every due instant in ``(since, until]``, oldest first, in UTC."""
    _require_aware(until, "until")
    runs: list[dt.datetime] = []
    due = next_due(spec, since)
    while due <= until:
        runs.append(due)
        due = next_due(spec, due)
    return runs
