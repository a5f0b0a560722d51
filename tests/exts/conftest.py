"""The bot under SimCord: the real discord.py machinery against an in-memory Discord.

The news service is loaded once per session from ``tests/support/discord_articles/``
(small articles written for these tests, including one full of markdown and mentions and
one with sentences of thousands of characters); every test gets a fresh bot on top of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import simcord

from bot.app import NewsBot, create_bot
from bot.config import Settings
from bot.service import NewsService
from tests.support.newsbot_sim import FIXTURES, Server


@pytest.fixture(scope="session")
def news_service() -> NewsService:
    service = NewsService.load(FIXTURES)
    assert not service.rejected, service.rejected
    return service


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(articles_dir=FIXTURES, database_path=tmp_path / "newsbot.db")


@pytest_asyncio.fixture
async def simcord_bot(settings: Settings, news_service: NewsService) -> AsyncIterator[NewsBot]:
    bot = await create_bot(settings, news_service)
    yield bot
    await bot.close()  # SimCord never closes the bot; this closes its database


@pytest.fixture
def server(simcord_env: simcord.Env) -> Server:
    guild = simcord_env.create_guild("Newsroom")
    channel = guild.create_text_channel("news")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    return Server(simcord_env, guild, channel, alice, bob)
