"""``/search``: the best passages for a query, typos welcome, five per page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.exts._checks import per_user_cooldown
from bot.exts._options import ArticleName, ArticleOption
from bot.ui.embeds import search_pages
from bot.ui.replies import answer_privately, defer, show_pages

if TYPE_CHECKING:
    from bot.app import NewsBot

RESULTS = 15
MAX_QUERY_CHARS = 300


class Search(commands.Cog):
    """Excerpt search over the library."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="search", description="Find passages in the news library (typos are fine)."
    )
    @app_commands.describe(
        query="The words to look for",
        article="Only search this article (start typing its headline)",
        private="Show the results only to you",
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @per_user_cooldown(rate=3, per=10.0)
    async def search(
        self,
        interaction: discord.Interaction,
        query: str,
        article: app_commands.Transform[ArticleName, ArticleOption] | None = None,
        private: bool = False,
    ) -> None:
        text = " ".join(query.split())
        if not text:
            raise UserFacingError(
                "Type some words to search for, e.g. `/search query:ferry strike`."
            )
        if len(text) > MAX_QUERY_CHARS:
            raise UserFacingError(
                f"That query is {len(text)} characters long; "
                f"keep it under {MAX_QUERY_CHARS} (a few words work best)."
            )
        await defer(interaction, ephemeral=private)
        service = self.bot.service
        latency = self.bot.search_latency

        def search_and_render() -> tuple[bool, list[discord.Embed]]:
            article_id = None
            if article is not None and article.given:
                article_id = article.find(service).id
            with latency.measure():  # for /admin stats
                result = service.search(text, limit=RESULTS, article_id=article_id)
            return bool(result.hits), search_pages(result)

        # Resolving, searching and rendering run off the event loop, after earlier
        # arrivals are acknowledged.
        found_any, pages = await self.bot.acks.work(search_and_render)
        if not found_any:  # "nothing found" clutters nobody's channel
            await answer_privately(interaction, embed=pages[0])
            return
        await show_pages(interaction, pages, ephemeral=private)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Search(bot))
