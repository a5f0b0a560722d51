"""Every store test runs on both databases: ``location`` is an SQLite file or a fresh
PostgreSQL schema, ``store`` is it opened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a store lives: an SQLite file, or a PostgreSQL address (a schema of its own)."""
    if dialect == "sqlite":
        return str(tmp_path / "newsbot.db")
    return str(request.getfixturevalue("pg_url"))


@pytest_asyncio.fixture
async def store(location: str) -> AsyncIterator[Store]:
    async with await Store.open(location) as opened:
        yield opened
