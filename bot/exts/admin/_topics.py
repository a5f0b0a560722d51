"""``/admin topic add|remove|list``: a server's own topics, used by /digest in that server.

The topics are stored per server; ``guild_topics`` is registered as one of the bot's
``topic_providers``, so ``/digest``, ``/topics`` and topic autocomplete offer them in that
server only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.digest import Topic, guild_topic
from bot.errors import UserFacingError
from bot.exts._access import audited, moderator_choices
from bot.exts._options import to_choices
from bot.exts.admin._base import AdminBase
from bot.search import complete
from bot.store import AlreadyExists, StoreError
from bot.ui.admin_embeds import topics_pages
from bot.ui.limits import CHOICES, CONTENT
from bot.ui.replies import answer, defer, show_pages
from bot.ui.text import fit, shorten

if TYPE_CHECKING:
    from bot.app import NewsBot

_log = logging.getLogger(__name__)

MAX_TOPICS = 100
SHOWN_HEADLINES = 3  # matching headlines shown when a topic is added


def split_keywords(text: str) -> list[str]:
    """``"oil, gas ,, wind power"`` → ``["oil", "gas", "wind power"]``."""
    return [word for word in (" ".join(part.split()) for part in text.split(",")) if word]


def topic_provider(bot: NewsBot) -> Callable[[int | None], Coroutine[Any, Any, list[Topic]]]:
    """The provider of a server's own topics, for ``bot.topic_providers``."""

    async def guild_topics(guild_id: int | None) -> list[Topic]:
        store = bot.store
        if guild_id is None or store.closed:
            return []
        try:
            stored = await store.topics.in_guild(guild_id)
        except StoreError:
            _log.exception("could not read the topics of guild %s", guild_id)
            return []
        return [guild_topic(t.name, keywords=t.keywords) for t in stored]

    return guild_topics


class TopicCommands(AdminBase):
    """Server topics."""

    topic = app_commands.Group(name="topic", description="This server's own digest topics")

    async def _server_topic_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await moderator_choices(interaction):
            return []
        stored = await self.store.topics.in_guild(interaction.guild_id)
        options = [(t.name, f"{t.name}: {', '.join(t.keywords)}") for t in stored]
        return to_choices(complete(current, options, limit=CHOICES))

    @topic.command(name="add", description="Add a topic for /digest in this server")
    @app_commands.describe(
        name="The topic's name, e.g. Harbour life",
        keywords="Words that mark an article as on this topic, separated by commas",
    )
    async def topic_add(self, interaction: discord.Interaction, name: str, keywords: str) -> None:
        assert interaction.guild_id is not None
        await defer(interaction, ephemeral=True)  # counting its articles may take a moment
        async with audited(self.bot, interaction, name=name[:200], keywords=keywords[:500]) as note:
            if await self.store.topics.count(interaction.guild_id) >= MAX_TOPICS:
                raise StoreError(
                    f"this server already has {MAX_TOPICS} topics, the most it can have; "
                    "remove one first"
                )
            try:
                created = await self.store.topics.add(
                    interaction.guild_id,
                    name,
                    split_keywords(keywords),
                    created_by=interaction.user.id,
                    now=self.now(),
                )
            except AlreadyExists:
                # The store quotes the name raw; a name is member text, so escape it.
                stored = await self.store.topics.in_guild(interaction.guild_id)
                wanted = " ".join(name.split()).casefold()
                same = [t.name for t in stored if " ".join(t.name.split()).casefold() == wanted]
                raise UserFacingError(
                    f"This server already has a topic named “{fit((same or [name])[0], 100)}”."
                ) from None
            note.update(topic_id=created.id, name=created.name, keywords=list(created.keywords))
        service = self.bot.service
        extra = await self.bot.extra_topics(interaction.guild_id)
        topic = guild_topic(created.name, keywords=created.keywords)
        found = await asyncio.to_thread(service.topic_articles, topic, extra)
        count = len(found)
        catalogue = {t.key for t in service.catalogue}
        replaces = topic.key in catalogue
        lines = [
            f"Added the topic **{fit(created.name, 100)}** "
            f"({', '.join(fit(k, 60) for k in created.keywords)}): "
            f"{count} article{'s' if count != 1 else ''} so far.",
        ]
        if found:
            # What the keywords catch, so a moderator can see a keyword that misfires.
            lines.append("Matching headlines, best first:")
            lines += [f"• {fit(a.title or a.id, 120)}" for a in found[:SHOWN_HEADLINES]]
            if count > SHOWN_HEADLINES:
                lines.append(f"…and {count - SHOWN_HEADLINES} more.")
        else:
            lines.append("No article uses these words yet (each keyword matches as a whole word).")
        lines.append("Members of this server can now use it with `/digest`.")
        if replaces:
            lines.append("It takes the place of the built-in topic of that name in this server.")
        await answer(interaction, content=shorten("\n".join(lines), CONTENT), ephemeral=True)

    @topic.command(name="remove", description="Remove one of this server's topics")
    @app_commands.describe(name="The topic (start typing its name)")
    @app_commands.autocomplete(name=_server_topic_choices)
    async def topic_remove(self, interaction: discord.Interaction, name: str) -> None:
        assert interaction.guild_id is not None
        async with audited(self.bot, interaction, name=name[:200]):
            if not await self.store.topics.remove(interaction.guild_id, name):
                raise StoreError(
                    f"this server has no topic named “{fit(name, 100)}”; "
                    "`/admin topic list` shows them"
                )
        await answer(
            interaction, content=f"Removed the topic **{fit(name, 100)}**.", ephemeral=True
        )

    @topic.command(name="list", description="This server's own topics and their keywords")
    async def topic_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await defer(interaction, ephemeral=True)
        stored = await self.store.topics.in_guild(interaction.guild_id)
        extra = await self.bot.extra_topics(interaction.guild_id)
        counts = await asyncio.to_thread(self.bot.service.topic_counts, extra)
        by_name = {t.name: n for t, n in counts if t.origin == "guild"}
        await show_pages(interaction, topics_pages(stored, by_name), ephemeral=True)
