"""``/article``: one article's details and summary, and its full text page by page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.exts._checks import per_user_cooldown
from bot.exts._options import ArticleName, ArticleOption
from bot.ui.embeds import article_embed, article_text_pages
from bot.ui.replies import answer, defer, show_pages
from bot.ui.views import NewsView

if TYPE_CHECKING:
    from bot.app import NewsBot
    from bot.corpus.model import Article

READ_BUTTON_TIMEOUT = 600.0


class ArticleView(NewsView):
    """A "Read full text" button anyone may press; each reader gets private pages."""

    def __init__(self, article: Article, *, timeout: float | None = READ_BUTTON_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.article = article
        self._pages: list[discord.Embed] | None = None

    @discord.ui.button(label="Read full text", style=discord.ButtonStyle.primary)
    async def read(self, interaction: discord.Interaction, _button: Any) -> None:
        await defer(interaction, ephemeral=True)
        if self._pages is None:
            article = self.article
            bot: NewsBot = interaction.client  # type: ignore[assignment]
            self._pages = await bot.acks.work(lambda: article_text_pages(article))
        await show_pages(interaction, [page.copy() for page in self._pages], ephemeral=True)


class Articles(commands.Cog):
    """Reading single articles."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="article", description="One article: details, summary and full text."
    )
    @app_commands.describe(article="The article (start typing its headline)")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @per_user_cooldown(rate=3, per=10.0)
    async def article(
        self,
        interaction: discord.Interaction,
        article: app_commands.Transform[ArticleName, ArticleOption],
    ) -> None:
        if not article.given:
            raise UserFacingError("Name an article: start typing its headline and pick one.")
        await defer(interaction)
        service = self.bot.service

        def build() -> tuple[Article, discord.Embed]:
            found = article.find(service)
            return found, article_embed(found, service.summary(found), service.topics_of(found.id))

        found, embed = await self.bot.acks.work(build)
        view = ArticleView(found)
        view.message = await answer(interaction, embed=embed, view=view)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Articles(bot))
