"""The bot under SimCord: the real discord.py machinery against an in-memory Discord.

The news service is loaded once per session from ``tests/support/discord_articles/``
(small articles written for these tests, including one full of markdown and mentions and
one with sentences of thousands of characters); every test gets a fresh bot on top of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.fixture
def simcord_bot(settings: Settings, news_service: NewsService) -> NewsBot:
    return create_bot(settings, news_service)


@pytest.fixture
def server(simcord_env: simcord.Env) -> Server:
    guild = simcord_env.create_guild("Newsroom")
    channel = guild.create_text_channel("news")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    return Server(simcord_env, guild, channel, alice, bob)
