"""Fixtures for the feed tests: a feed server on 127.0.0.1, a store, a fetcher allowed to
reach the server (tests set FEEDS_ALLOW_PRIVATE), and a clock the tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.feeds.fetch import Fetcher, FetchPolicy
from bot.feeds.ingest import FeedIngestor
from bot.store import Store
from tests.support.feed_clock import FakeClock
from tests.support.feed_server import FeedServer, feed_server  # noqa: F401 - a fixture


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The feed store tests run on both databases."""
    if request.param == "sqlite":
        return str(tmp_path / "newsbot.db")
    return str(request.getfixturevalue("pg_url"))


@pytest_asyncio.fixture
async def store(store_location: str) -> AsyncIterator[Store]:
    async with await Store.open(store_location) as opened:
        yield opened


@pytest_asyncio.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchPolicy(allow_private=True, timeout=5.0)) as opened:
        yield opened


@pytest.fixture
def ingestor(store: Store, fetcher: Fetcher, clock: FakeClock) -> FeedIngestor:
    return FeedIngestor(store, fetcher, clock=clock, rng=lambda: 0.0)
