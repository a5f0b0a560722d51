"""What every part of ``/admin`` shares: the bot, its store, the clock, server settings."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.exts._access import store_of
from bot.exts._cogs import scheduler_cog
from bot.store import GuildSettings, Store

if TYPE_CHECKING:
    from bot.app import NewsBot


class AdminBase(commands.Cog):
    """Mixed into the ``Admin`` cog by each part (schedules, articles, topics, settings).

    A ``Cog`` itself, so that discord.py's decorators type-check on the parts' methods
    (their ``self`` must be a group or a cog); only ``Admin`` is ever made.
    """

    bot: NewsBot

    @property
    def store(self) -> Store:
        """The open store (a ``UserFacingError`` while it is not open)."""
        return store_of(self.bot)

    @staticmethod
    def now() -> dt.datetime:
        """The current time (SimCord's clock in tests)."""
        return discord.utils.utcnow()

    def schedules_changed(self) -> None:
        """Tell the scheduler to look at the schedules again at its next iteration."""
        scheduler = scheduler_cog(self.bot)
        if scheduler is not None:
            scheduler.schedules_changed()

    async def guild_settings(self, interaction: discord.Interaction) -> GuildSettings:
        """The settings of the server the command was used in."""
        assert interaction.guild_id is not None  # /admin is guild-only
        return await self.store.guilds.get(interaction.guild_id)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """A stored (already validated) timezone name as a zone, UTC if it has gone missing."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
