"""Scheduled digests without Discord: timing rules (``timespec``) and the runner.

``timespec`` parses what moderators type and computes due times across DST;
``runner.ScheduleRunner`` posts each due run exactly once through an injected poster;
``attempts`` is what it (and the alert runner) does with a claimed ledger row.
"""

from bot.schedule.delivery import (
    ChannelSender,
    DigestDelivery,
    digest_title,
    same_title,
    schedule_digest,
)
from bot.schedule.errors import (
    ChannelGone,
    MissingAccess,
    NothingToPost,
    PosterError,
    ScheduleError,
    TransientError,
)
from bot.schedule.runner import (
    DEFAULT_BACKOFF,
    DEFAULT_MAX_FAILURES,
    NO_NEW_ARTICLES,
    DigestPoster,
    Notify,
    RunNowRefused,
    RunOutcome,
    ScheduleRunner,
    next_attempt,
    nothing_new,
    run_nonce,
    topic_label,
)
from bot.schedule.timespec import (
    MAX_TYPED_CHARS,
    WEEKDAYS,
    ScheduleSpec,
    describe,
    due_runs,
    local_date,
    local_instant,
    next_due,
    parse_cadence,
    parse_time,
    parse_timezone,
    parse_weekday,
    suggest_timezones,
)

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_MAX_FAILURES",
    "MAX_TYPED_CHARS",
    "NO_NEW_ARTICLES",
    "WEEKDAYS",
    "ChannelGone",
    "ChannelSender",
    "DigestDelivery",
    "DigestPoster",
    "MissingAccess",
    "NothingToPost",
    "Notify",
    "PosterError",
    "RunNowRefused",
    "RunOutcome",
    "ScheduleError",
    "ScheduleRunner",
    "ScheduleSpec",
    "TransientError",
    "describe",
    "digest_title",
    "due_runs",
    "local_date",
    "local_instant",
    "next_attempt",
    "next_due",
    "nothing_new",
    "parse_cadence",
    "parse_time",
    "parse_timezone",
    "parse_weekday",
    "run_nonce",
    "same_title",
    "schedule_digest",
    "suggest_timezones",
    "topic_label",
]
