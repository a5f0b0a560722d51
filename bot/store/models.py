"""The plain, frozen records the repositories return (never database rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Literal, get_args

from bot.limits import DEFAULT_DIGEST_DAYS, DEFAULT_DIGEST_POINTS

Cadence = Literal["daily", "weekly"]
RunState = Literal["claimed", "posted", "skipped", "failed"]
AuditResult = Literal["ok", "refused", "error"]

CADENCES: tuple[str, ...] = get_args(Cadence)
RUN_STATES: tuple[str, ...] = get_args(RunState)
AUDIT_RESULTS: tuple[str, ...] = get_args(AuditResult)


@dataclass(frozen=True)
class GuildSettings:
    """One server's settings. The class-level defaults are what an unknown server reads.

    A value a server never set is stored as NULL and reads as the default here, so changing
    a default in a new release changes it for every server that did not choose otherwise
    (the Red-DiscordBot model).
    """

    guild_id: int
    moderator_role_id: int | None = None
    timezone: str = "UTC"
    digest_limit: int = DEFAULT_DIGEST_POINTS
    digest_days: int = DEFAULT_DIGEST_DAYS


GUILD_SETTING_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(GuildSettings) if f.name != "guild_id"
)


@dataclass(frozen=True)
class StoredTopic:
    """A topic a server's moderators defined: a name and the keywords that find it."""

    id: int
    guild_id: int
    name: str
    keywords: tuple[str, ...]
    created_by: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class Schedule:
    """A digest posted to a channel daily or weekly at a local time in an IANA timezone.

    ``armed_at`` is the instant from which due runs count: set at creation, on resume and
    whenever the timing changes, so neither a pause nor an edit makes old runs fall due.
    ``topic`` is None for "all topics". ``weekday`` is 0 (Monday) … 6 (Sunday), weekly only.
    """

    id: int
    guild_id: int
    channel_id: int
    topic: str | None
    local_time: dt.time
    cadence: Cadence
    weekday: int | None
    timezone: str
    only_new: bool
    paused: bool
    pause_reason: str | None
    failure_count: int
    next_retry_at: dt.datetime | None
    created_by: int | None
    created_at: dt.datetime
    last_posted_at: dt.datetime | None
    armed_at: dt.datetime


@dataclass(frozen=True)
class LedgerEntry:
    """One digest run: the due time it is for, and what became of it.

    ``claimed`` means an attempt started and has not finished (normally only for the length
    of one send); ``posted``, ``skipped`` and ``failed`` are outcomes, with ``detail`` saying
    why. ``nonce`` is stored at claim time, before any send, so a restart can look for it.
    ``manual`` runs are a moderator's run-now; the timetable never counts from them.
    """

    id: int
    schedule_id: int
    due_at: dt.datetime
    state: RunState
    nonce: str | None
    attempts: int
    claimed_at: dt.datetime
    completed_at: dt.datetime | None
    message_id: int | None
    detail: str | None
    #: A moderator's run-now rather than a run of the timetable.
    manual: bool = False


@dataclass(frozen=True)
class AuditEntry:
    """One admin action (or one the bot took on its own, then ``user_id`` is None)."""

    id: int
    guild_id: int
    user_id: int | None
    action: str
    details: str
    result: AuditResult
    at: dt.datetime
