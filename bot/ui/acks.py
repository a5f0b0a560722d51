"""Acknowledge first: work that can wait yields to interactions not yet acknowledged.

Discord drops an interaction that is not acknowledged (answered or deferred) within 3 s.
Under a burst (2,000 members at once) the acknowledgements of the last arrivals queue
behind the searches and digests of the first ones, on the event loop and for the GIL. So
the bot numbers every interaction as it arrives; a command that has deferred runs its slow
part through ``AckFirst.work``, which waits until every interaction that arrived before it
has been acknowledged (or has waited ``max_wait`` seconds, so nothing starves), then runs
the job in a thread with at most ``workers`` such jobs at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_SEQUENCE = "newsbot.arrival"
# Past Discord's deadline an unacknowledged interaction is lost anyway: stop waiting for it.
_DISCORD_DEADLINE = 3.0


class AckFirst:
    """Arrival order of interactions, and a lane for slow work that yields to their acks."""

    def __init__(self, *, workers: int = 2, max_wait: float = 2.5) -> None:
        self.max_wait = max_wait
        self._arrivals = itertools.count(1)
        self._latest = 0
        # Unacknowledged arrivals by number; insertion order is arrival order.
        self._pending: dict[int, float] = {}
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._tiebreak = itertools.count()
        self._workers = workers
        self._slots: asyncio.Semaphore | None = None

    @property
    def unacknowledged(self) -> int:
        """How many interactions have arrived and are not acknowledged yet."""
        return len(self._pending)

    def arrived(self, extras: dict[str, Any]) -> None:
        """Number a new interaction (its ``extras`` dict keeps the number)."""
        if _SEQUENCE in extras:
            return
        number = next(self._arrivals)
        self._latest = number
        extras[_SEQUENCE] = number
        self._pending[number] = time.monotonic()
        self._forget_expired()

    def acknowledged(self, extras: dict[str, Any]) -> None:
        """The interaction is acknowledged (or finished); idempotent."""
        number = extras.get(_SEQUENCE)
        if number is None or self._pending.pop(number, None) is None:
            return
        self._release()

    def _release(self) -> None:
        oldest = next(iter(self._pending), self._latest + 1)
        while self._waiters and self._waiters[0][0] < oldest:
            _horizon, _tie, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)

    async def turn(self) -> None:
        """Wait until everything that arrived before now is acknowledged (at most
        ``max_wait`` seconds)."""
        self._forget_expired()
        horizon = self._latest
        oldest = next(iter(self._pending), horizon + 1)
        if oldest > horizon:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (horizon, next(self._tiebreak), waiter))
        # Past max_wait those acks are late anyway; this answer should not be late too.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter, self.max_wait)

    def _forget_expired(self) -> None:
        expired = time.monotonic() - _DISCORD_DEADLINE
        stale = [
            number
            for number, _at in itertools.takewhile(
                lambda item: item[1] < expired, self._pending.items()
            )
        ]
        for number in stale:
            del self._pending[number]
        if stale:
            self._release()

    async def work(self, job: Callable[[], T]) -> T:
        """``job()`` in a thread, after earlier arrivals are acknowledged, few at a time."""
        await self.turn()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._workers)
        async with self._slots:
            return await asyncio.to_thread(job)


def acknowledged(interaction: Any) -> None:
    """Tell the bot's ``AckFirst`` (when it has one) that ``interaction`` is acknowledged."""
    acks = getattr(interaction.client, "acks", None)
    if isinstance(acks, AckFirst):
        acks.acknowledged(interaction.extras)
