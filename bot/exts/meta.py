"""``/topics`` and ``/help``: what there is and how to ask for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.exts._access import is_moderator
from bot.ui.embeds import COMMAND_HELP, help_embed, topics_pages
from bot.ui.replies import answer, defer, show_pages

if TYPE_CHECKING:
    from bot.app import NewsBot

_DESCRIBED = {usage.split()[0].lstrip("/") for usage, _text in COMMAND_HELP}


class Meta(commands.Cog):
    """Topics overview and help."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="topics", description="Every topic and how many articles it has.")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def topics(self, interaction: discord.Interaction) -> None:
        await defer(interaction)
        extra = await self.bot.extra_topics(interaction.guild_id)
        service = self.bot.service
        pages = await self.bot.acks.work(lambda: topics_pages(service.topic_counts(extra)))
        await show_pages(interaction, pages)

    @app_commands.command(name="help", description="What this bot does and how to use it.")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def help(self, interaction: discord.Interaction) -> None:
        tree = self.bot.tree
        # Commands other extensions add, unless they are for moderators only.
        others = sorted(
            (command.name, command.description)
            for command in tree.get_commands()
            if isinstance(command, app_commands.Command | app_commands.Group)
            and command.name not in _DESCRIBED
            and command.default_permissions is None
        )
        admin = tree.get_command("admin")
        groups: list[tuple[str, str]] = []
        if (
            isinstance(admin, app_commands.Group)
            and interaction.guild is not None
            and await is_moderator(self.bot, interaction.user, interaction.guild)
        ):
            groups = [(command.name, command.description) for command in admin.commands]
        embed = help_embed(others, articles=len(self.bot.service.articles), admin_groups=groups)
        await answer(interaction, embed=embed, ephemeral=True)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Meta(bot))
