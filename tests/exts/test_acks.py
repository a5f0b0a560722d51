"""Acknowledge first: slow work waits for the acks of interactions that arrived before it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.ui.acks import AckFirst


async def _settled(task: asyncio.Task[Any]) -> bool:
    for _ in range(5):  # let every ready callback run; no sleeping for time to pass
        await asyncio.sleep(0)
    return task.done()


async def test_work_waits_until_earlier_arrivals_are_acknowledged() -> None:
    acks = AckFirst(max_wait=60)
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}
    acks.arrived(first)
    acks.arrived(second)
    acks.acknowledged(first)  # the interaction whose work this is

    waiting = asyncio.ensure_future(acks.work(lambda: "answer"))
    assert not await _settled(waiting)
    assert acks.unacknowledged == 1

    acks.acknowledged(second)
    assert await waiting == "answer"
    assert acks.unacknowledged == 0


async def test_later_arrivals_do_not_hold_earlier_work_back() -> None:
    acks = AckFirst(max_wait=60)
    earlier: dict[str, Any] = {}
    acks.arrived(earlier)
    turn = asyncio.ensure_future(acks.turn())
    assert not await _settled(turn)  # waiting for ``earlier``
    acks.arrived({})  # arrives after the work was asked for; never acknowledged

    acks.acknowledged(earlier)
    assert await _settled(turn)


async def test_an_interaction_never_acknowledged_delays_work_by_at_most_max_wait() -> None:
    acks = AckFirst(max_wait=0.05)
    acks.arrived({})  # a command that hangs before acknowledging

    assert await asyncio.wait_for(acks.work(lambda: 7), timeout=5) == 7


def test_acknowledging_twice_or_unknown_interactions_is_harmless() -> None:
    acks = AckFirst()
    extras: dict[str, Any] = {}
    acks.acknowledged(extras)  # never arrived
    acks.arrived(extras)
    acks.arrived(extras)  # counted once
    assert acks.unacknowledged == 1
    acks.acknowledged(extras)
    acks.acknowledged(extras)
    assert acks.unacknowledged == 0


@pytest.mark.parametrize("count", [1, 2000])
async def test_a_burst_releases_every_waiter(count: int) -> None:
    acks = AckFirst(max_wait=60)
    arrivals = [{} for _ in range(count)]
    for extras in arrivals:
        acks.arrived(extras)
    turns = [asyncio.ensure_future(acks.turn()) for _ in range(3)]
    for extras in arrivals:
        acks.acknowledged(extras)
    await asyncio.wait_for(asyncio.gather(*turns), timeout=5)
