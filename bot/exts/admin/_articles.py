"""``/admin article add|remove`` and ``/admin reload``: the articles folder."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from bot.corpus.library import LibraryError
from bot.corpus.loaders import format_size, size_problem
from bot.corpus.uploads import safe_filename
from bot.errors import UserFacingError
from bot.exts._access import audited, require_library_access
from bot.exts._options import ArticleName, ArticleOption
from bot.exts.admin._base import AdminBase
from bot.ui.admin_embeds import reload_embed, removal_embed, upload_embed
from bot.ui.replies import answer, defer


class ArticleCommands(AdminBase):
    """Adding, removing and re-reading article files."""

    article = app_commands.Group(name="article", description="Add or remove article files")

    @article.command(name="add", description="Add an article file (.txt, .md, .json, .jsonl)")
    @app_commands.describe(
        file="The article file: .txt, .md, .json or .jsonl",
        replace="Replace the file of the same name if there is one",
    )
    async def article_add(
        self, interaction: discord.Interaction, file: discord.Attachment, replace: bool = False
    ) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        service = self.bot.service
        limit = min(self.bot.settings.max_article_bytes, service.library.max_file_bytes)
        async with audited(
            self.bot, interaction, file=file.filename, size=file.size, replace=replace
        ) as note:
            filename = safe_filename(file.filename)  # refuse a bad name before downloading
            problem = size_problem(file.size, limit)
            if problem:
                raise UserFacingError(
                    f"`{filename}` was not added: it is {format_size(file.size)}, over the "
                    f"{format_size(limit)} limit for an article file."
                )
            try:
                data = await file.read()
            except discord.HTTPException:
                raise UserFacingError(
                    "I could not download that file from Discord; please try again."
                ) from None
            result = await asyncio.to_thread(
                service.add_article_file, file.filename, data, replace=replace
            )
            note.update(
                filename=result.filename,
                replaced=result.replaced,
                articles=[a.id for a in result.articles],
                rejected=len(result.rejected),
            )
        await answer(interaction, embed=upload_embed(result), ephemeral=True)

    @article.command(name="remove", description="Delete an article's file and reload")
    @app_commands.describe(
        article="The article (start typing its headline)",
        whole_file="Also remove the other articles of its file (a .jsonl holds several)",
    )
    async def article_remove(
        self,
        interaction: discord.Interaction,
        article: app_commands.Transform[ArticleName, ArticleOption],
        whole_file: bool = False,
    ) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        service = self.bot.service
        async with audited(self.bot, interaction, article=article.text[:200]) as note:
            found = await asyncio.to_thread(article.find, service)
            note.update(article=found.id, file=found.source_path)
            result = await asyncio.to_thread(
                service.remove_article_file, found.id, whole_file=whole_file
            )
            note["removed"] = [a.id for a in result.removed]
        await answer(interaction, embed=removal_embed(result), ephemeral=True)

    @app_commands.command(name="reload", description="Re-read the articles folder and report")
    async def reload(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        service = self.bot.service
        async with audited(self.bot, interaction) as note:
            try:
                report = await asyncio.to_thread(service.reload)
            except LibraryError as error:
                raise UserFacingError(f"Nothing was reloaded: {error}.") from None
            note.update(
                added=len(report.added),
                changed=len(report.changed),
                removed=len(report.removed),
                rejected=len(report.rejected),
            )
        await answer(interaction, embed=reload_embed(report, service.articles), ephemeral=True)
