"""Fixtures for the feed tests: a feed server on 127.0.0.1, a store, a fetcher allowed to
reach the server (tests set FEEDS_ALLOW_PRIVATE), and a clock the tests move."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.feeds.fetch import Fetcher, FetchPolicy
from bot.feeds.ingest import FeedIngestor
from bot.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from feed_server import FeedServer

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


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    yield server
    server.stop()


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
