"""A fake clock and a fake poster standing in for Discord in the runner tests.

The fake poster keeps its messages across runner restarts, as Discord would: a restart
loses the bot's memory, not the channel. It models the two guards the runner relies on:
looking a run's nonce up in channel history (``history_visible``) and Discord's
``enforce_nonce`` de-duplication, which only holds for a few minutes (``nonce_window``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.schedule import ScheduleRunner
from bot.store import Schedule, Store

UTC = dt.UTC
START = dt.datetime(2025, 6, 2, 7, 0, tzinfo=UTC)  # a Monday morning

#: ``launch(**runner_options)`` starts one "bot process": a store on the test's database
#: file and a runner over it (see conftest.py).
Launch = Callable[..., Awaitable[tuple[Store, ScheduleRunner]]]


class SimulatedCrash(BaseException):
    """The process dies here. A BaseException, like a kill or a cancellation, so nothing
    in the runner may catch it as an ordinary failure."""


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class Sent:
    message_id: int
    channel_id: int
    schedule_id: int
    due_at: dt.datetime
    nonce: str
    since: dt.datetime | None
    at: dt.datetime


@dataclass
class FakePoster:
    """Records what it "posts"; can fail, crash or hang on demand."""

    clock: FakeClock
    history_visible: bool = True
    nonce_dedupe: bool = True
    nonce_window: dt.timedelta = dt.timedelta(minutes=5)
    new_articles: bool = True
    sent: list[Sent] = field(default_factory=list)
    post_calls: int = 0
    find_calls: int = 0
    has_new_calls: list[dt.datetime] = field(default_factory=list)
    #: Raised by the next ``post`` calls, one each, in order.
    errors: list[BaseException] = field(default_factory=list)
    #: Raised by every ``post`` to these channels (a channel gone for good).
    broken_channels: dict[int, Exception] = field(default_factory=dict)
    crash_before_send: bool = False
    crash_after_send: bool = False
    #: When set, ``post`` signals ``entered`` and then waits for this event.
    hang: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    _next_id: int = 1000

    async def post(
        self, schedule: Schedule, due_at: dt.datetime, nonce: str, since: dt.datetime | None
    ) -> int:
        self.post_calls += 1
        if self.crash_before_send:
            self.crash_before_send = False
            raise SimulatedCrash("before send")
        if self.hang is not None:
            self.entered.set()
            await self.hang.wait()
        if schedule.channel_id in self.broken_channels:
            raise self.broken_channels[schedule.channel_id]
        if self.errors:
            raise self.errors.pop(0)
        now = self.clock()
        if self.nonce_dedupe:
            for message in self.sent:
                if message.nonce == nonce and now - message.at <= self.nonce_window:
                    return message.message_id  # what enforce_nonce=True makes Discord do
        self._next_id += 1
        self.sent.append(
            Sent(self._next_id, schedule.channel_id, schedule.id, due_at, nonce, since, now)
        )
        if self.crash_after_send:
            self.crash_after_send = False
            raise SimulatedCrash("after send")
        return self._next_id

    async def find_posted(self, schedule: Schedule, due_at: dt.datetime, nonce: str) -> int | None:
        self.find_calls += 1
        if not self.history_visible:
            return None
        for message in self.sent:
            if message.nonce == nonce and message.channel_id == schedule.channel_id:
                return message.message_id
        return None

    async def has_new(self, schedule: Schedule, since: dt.datetime) -> bool:
        self.has_new_calls.append(since)
        return self.new_articles

    def posts_for(self, schedule_id: int) -> list[Sent]:
        return [m for m in self.sent if m.schedule_id == schedule_id]
