"""Fixtures every test folder may use: a private PostgreSQL schema for store tests, and a
private data folder (snapshots) for every test.

PostgreSQL tests run against the real server at ``NEWSBOT_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``, trust auth). Each test gets a fresh schema
(dropped afterwards) and an address that points the bot's store into it. Without a
reachable server the tests say skipped, unless ``NEWSBOT_REQUIRE_POSTGRES=1`` (``.ci/run``
sets it when ``pg_isready`` finds a server), which makes them fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

PG_URL = os.environ.get("NEWSBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def with_schema(url: str, schema: str) -> str:
    """``url`` with the store's tables kept in ``schema`` (asyncpg passes unknown query
    parameters to the server as settings)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


async def connect_or_skip() -> asyncpg.Connection:
    """A connection to the test server, or a skip (a failure under NEWSBOT_REQUIRE_POSTGRES)."""
    try:
        return await asyncpg.connect(PG_URL, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        reason = f"no PostgreSQL at {PG_URL} ({error or type(error).__name__})"
        if os.environ.get("NEWSBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and NEWSBOT_REQUIRE_POSTGRES=1 says there must be")
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Warm-start snapshots go to a folder of the test's own, never beside the checkout's
    default database (a test that cares sets ``DATA_DIR`` itself)."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest_asyncio.fixture
async def pg_url() -> AsyncIterator[str]:
    """The address of a fresh, empty PostgreSQL schema of its own, dropped after the test."""
    admin = await connect_or_skip()
    schema = f"newsbot_test_{uuid.uuid4().hex[:12]}"
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(PG_URL, schema)
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()
