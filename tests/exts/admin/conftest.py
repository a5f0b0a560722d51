"""Fixtures for the /admin and scheduled-digest tests: a bot over a private copy of the
fixture articles and its own database file, in SimCord, and a newsroom server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import simcord

from bot.app import NewsBot
from bot.config import Settings
from tests.support.admin_sim import NEWSROOM_ID, Newsroom, build_newsroom, copy_articles, make_bot


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    return copy_articles(tmp_path / "articles")


@pytest.fixture
def settings(tmp_path: Path, articles_dir: Path) -> Settings:
    return Settings(
        articles_dir=articles_dir,
        database_path=tmp_path / "newsbot.db",
        max_article_bytes=20_000,
        schedule_grace_minutes=60,
        library_guild_ids=frozenset({NEWSROOM_ID}),
    )


@pytest_asyncio.fixture
async def simcord_bot(settings: Settings) -> AsyncIterator[NewsBot]:
    bot = await make_bot(settings)
    yield bot
    await bot.close()  # SimCord never closes the bot; this closes its database


@pytest.fixture
def room(simcord_env: simcord.Env, settings: Settings) -> Newsroom:
    return build_newsroom(simcord_env, settings)
