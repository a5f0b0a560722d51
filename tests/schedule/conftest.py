"""Fixtures for the runner tests: a database file, a fake clock, a fake poster, and
``launch()``, which starts one "bot process" (a store on the file plus a runner)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.schedule import ScheduleRunner
from bot.store import Store
from tests.support.schedule_fakes import START, FakeClock, FakePoster, Launch


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def poster(clock: FakeClock) -> FakePoster:
    return FakePoster(clock)


@pytest.fixture
def notes() -> list[tuple[int, str]]:
    """What the runner told moderators, as (guild id, message)."""
    return []


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The runner tests run on both databases: a file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "newsbot.db")
    return str(request.getfixturevalue("pg_url"))


@pytest_asyncio.fixture
async def launch(
    store_location: str, clock: FakeClock, poster: FakePoster, notes: list[tuple[int, str]]
) -> AsyncIterator[Launch]:
    stores: list[Store] = []

    async def notify(guild_id: int, message: str) -> None:
        notes.append((guild_id, message))

    async def start(**options: Any) -> tuple[Store, ScheduleRunner]:
        store = await Store.open(store_location)
        stores.append(store)
        options.setdefault("notify", notify)
        options.setdefault("grace", dt.timedelta(minutes=60))
        return store, ScheduleRunner(store, options.pop("poster", poster), clock=clock, **options)

    yield start
    for store in stores:
        await store.close()
