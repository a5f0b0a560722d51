"""Fixtures for the alert tests: a store, a clock the tests move, feeds filled directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.store import Store
from tests.support.alert_fakes import FakeClock

START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The alert store and runner tests run on both databases."""
    if request.param == "sqlite":
        return str(tmp_path / "newsbot.db")
    return str(request.getfixturevalue("pg_url"))


@pytest_asyncio.fixture
async def store(store_location: str) -> AsyncIterator[Store]:
    async with await Store.open(store_location) as opened:
        yield opened
