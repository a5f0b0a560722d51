"""Times in the database are whole UTC epoch seconds (INTEGER); in Python, aware datetimes.

One representation everywhere keeps comparisons in SQL trivial (``due_at <= ?``) and the
UNIQUE (schedule, due_at) key exact. Sub-second parts are dropped on the way in.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC


def utc_now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(UTC)


def to_epoch(moment: dt.datetime) -> int:
    """Whole epoch seconds for an aware datetime; naive datetimes are a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store needs timezone-aware times")
    return int(moment.timestamp() // 1)


def from_epoch(seconds: int) -> dt.datetime:
    """An aware UTC datetime for epoch seconds."""
    return dt.datetime.fromtimestamp(seconds, UTC)


def maybe_from_epoch(seconds: int | None) -> dt.datetime | None:
    """``from_epoch`` that lets NULL through."""
    return None if seconds is None else from_epoch(seconds)


def maybe_to_epoch(moment: dt.datetime | None) -> int | None:
    """``to_epoch`` that lets None through."""
    return None if moment is None else to_epoch(moment)
