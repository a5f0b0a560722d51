"""Fixtures for the playground: the real bot in SimCord, served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.config import Settings
from bot.playground.session import Playground
from bot.service import NewsService
from tests.support.playground_page import ARTICLES, START, OpenPage, PlaygroundPage


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a playground over the fixture articles with a private database."""
    return Settings(articles_dir=ARTICLES, database_path=tmp_path / "playground.db")


@pytest_asyncio.fixture
async def playground(settings: Settings) -> AsyncIterator[Playground]:
    """A running playground whose clock moves only when a test calls ``live.advance``."""
    from bot.app import create_bot

    service = NewsService.load(settings.articles_dir)
    bot = await create_bot(settings, service)
    async with Playground(bot, start_at=START, tick_seconds=None) as running:
        yield running


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client for 127.0.0.1."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def open_page(playground: Playground, http: aiohttp.ClientSession) -> OpenPage:
    """Open a page on the playground, as the member (default) or as ``viewer``."""

    async def open_as(viewer: str = "member") -> PlaygroundPage:
        person = {"member": playground.world.member, "moderator": playground.world.moderator}
        page = PlaygroundPage(http, playground.url)
        await page.open(person[viewer].id)
        return page

    return open_as
