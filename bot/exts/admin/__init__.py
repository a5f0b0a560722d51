"""``/admin``: the moderators' commands, one slash command group.

- ``_base``: ``AdminBase``, what every part shares (the bot, its store, the clock);
- ``_schedules``: ``/admin schedule add|list|remove|pause|resume|preview|run-now``;
- ``_articles``: ``/admin article add|remove`` and ``/admin reload``;
- ``_topics``: ``/admin topic add|remove|list`` and the server-topic provider;
- ``_settings``: ``/admin settings``, ``/admin stats`` and ``/admin audit``;
- ``_feeds``: ``/admin feed add|list|remove|pause|resume|test`` (the library's feeds);
- ``_alerts``: ``/admin alert add|list|remove|pause|resume|preview`` (new articles into
  a server's channels).

Each part is a mixin of the one ``Admin`` group cog, so they share one ``/admin`` group
and one check (``bot.exts._access``: who is a moderator, both guards, the audit trail).
The parts import only ``_base`` from here, never one another. Every reply is ephemeral;
every change is written to the audit log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.exts._access import moderator_only
from bot.exts.admin._alerts import AlertCommands
from bot.exts.admin._articles import ArticleCommands
from bot.exts.admin._feeds import FeedCommands
from bot.exts.admin._schedules import ScheduleCommands
from bot.exts.admin._settings import SettingsCommands
from bot.exts.admin._topics import TopicCommands, topic_provider

if TYPE_CHECKING:
    from bot.app import NewsBot


@moderator_only()
class Admin(
    ScheduleCommands,
    ArticleCommands,
    TopicCommands,
    SettingsCommands,
    FeedCommands,
    AlertCommands,
    commands.GroupCog,
    group_name="admin",
    group_description="Moderator tools: schedules, articles, feeds, alerts, topics, settings",
):
    """Moderator tools."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self._provider = topic_provider(bot)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.topic_providers.append(self._provider)

    async def cog_unload(self) -> None:
        if self._provider in self.bot.topic_providers:
            self.bot.topic_providers.remove(self._provider)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Admin(bot))
