"""``/article``: one article's details and summary, and its full text page by page."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError, report_error
from bot.exts._checks import per_user_cooldown
from bot.exts._options import article_choices, resolve_article
from bot.exts.search import no_article_message
from bot.ui.embeds import article_embed, article_text_pages
from bot.ui.replies import answer, defer, show_pages

if TYPE_CHECKING:
    from bot.app import NewsBot
    from bot.corpus.model import Article

_log = logging.getLogger(__name__)

READ_BUTTON_TIMEOUT = 600.0


class ArticleView(discord.ui.View):
    """A "Read full text" button anyone may press; each reader gets private pages."""

    def __init__(self, article: Article, *, timeout: float | None = READ_BUTTON_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.article = article
        self.message: Any = None
        self._pages: list[discord.Embed] | None = None

    @discord.ui.button(label="Read full text", style=discord.ButtonStyle.primary)
    async def read(self, interaction: discord.Interaction, _button: Any) -> None:
        await defer(interaction, ephemeral=True)
        if self._pages is None:
            article = self.article
            bot: NewsBot = interaction.client  # type: ignore[assignment]
            self._pages = await bot.acks.work(lambda: article_text_pages(article))
        await show_pages(interaction, [page.copy() for page in self._pages], ephemeral=True)

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException as error:
            _log.debug("could not remove the read button: %s", error)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)


class Articles(commands.Cog):
    """Reading single articles."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="article", description="One article: details, summary and full text."
    )
    @app_commands.describe(article="The article (start typing its headline)")
    @app_commands.autocomplete(article=article_choices)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @per_user_cooldown(rate=3, per=10.0)
    async def article(self, interaction: discord.Interaction, article: str) -> None:
        if not article.strip():
            raise UserFacingError("Name an article: start typing its headline and pick one.")
        await defer(interaction)
        service = self.bot.service

        def build() -> tuple[Article, discord.Embed] | str:
            found, close = resolve_article(service, article)
            if found is None:
                return no_article_message(article, close)
            return found, article_embed(found, service.summary(found), service.topics_of(found.id))

        outcome = await self.bot.acks.work(build)
        if isinstance(outcome, str):
            raise UserFacingError(outcome)
        found, embed = outcome
        view = ArticleView(found)
        view.message = await answer(interaction, embed=embed, view=view)


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Articles(bot))
