"""A clock the feed tests move by hand."""

from __future__ import annotations

import datetime as dt

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


class FakeClock:
    """An aware UTC clock that moves only when told."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now
