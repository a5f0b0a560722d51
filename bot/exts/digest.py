"""``/digest``: the main points on a topic with numbered citations and sources."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.exts._checks import per_user_cooldown
from bot.exts._options import TopicOption
from bot.ui.embeds import digest_embed
from bot.ui.replies import answer, answer_privately, defer

if TYPE_CHECKING:
    from bot.app import NewsBot

MAX_DAYS = 365


class Digest(commands.Cog):
    """Topic digests."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="digest", description="The main points on a topic, with citations.")
    @app_commands.describe(
        topic="A topic (start typing for suggestions)",
        days=f"Only articles from the last N days (1–{MAX_DAYS})",
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @per_user_cooldown(rate=3, per=10.0)
    async def digest(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Transform[str, TopicOption],
        days: app_commands.Range[int, 1, MAX_DAYS] | None = None,
    ) -> None:
        name = topic  # blanks folded, and refused when empty or too long
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise UserFacingError(
                f"`days` must be between 1 and {MAX_DAYS}, not {days}. "
                "Leave it out to include every article."
            )
        since = discord.utils.utcnow().date() - dt.timedelta(days=days) if days else None
        await defer(interaction)
        extra = await self.bot.extra_topics(interaction.guild_id)
        service = self.bot.service

        def build() -> tuple[bool, discord.Embed]:
            digest = service.digest(name, since=since, extra_topics=extra)
            return bool(digest.points), digest_embed(digest)

        found_any, embed = await self.bot.acks.work(build)
        if not found_any:  # "nothing found" clutters nobody's channel
            await answer_privately(interaction, embed=embed)
            return
        await answer(interaction, embed=embed)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Digest(bot))
