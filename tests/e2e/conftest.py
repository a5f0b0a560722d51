"""Fixtures for end-to-end smoke tests: the real ``newsbot run`` against a fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.bot_process import make_workdir
from tests.support.fake_discord import FakeDiscord
from tests.support.feed_server import feed_server  # noqa: F401 - a fixture


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: end-to-end smoke test running `python -m bot run` against a fake Discord"
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with a private copy of the fixture articles and an empty working folder."""
    return make_workdir(tmp_path)


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord listening on 127.0.0.1."""
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.close()
