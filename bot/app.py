"""``create_bot``: the discord.py bot for members, with its extensions and command tree.

The bot asks for no privileged intents (guilds only: it answers slash commands and never
reads messages), never pings anyone (``AllowedMentions.none()`` for every message), loads
the library off the event loop, and syncs its slash commands at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.config import Settings
from bot.errors import NewsTree
from bot.metrics import LatencyRecorder
from bot.service import NewsService
from bot.store import DatabaseFileGone, Store, StoreError

if TYPE_CHECKING:
    from bot.digest import Topic

_log = logging.getLogger(__name__)

# Every extension the bot loads, in order. Add new features here.
EXTENSIONS: tuple[str, ...] = (
    "bot.exts.search",
    "bot.exts.digest",
    "bot.exts.articles",
    "bot.exts.meta",
    "bot.exts.scheduler",
    "bot.exts.feeds",
    "bot.exts.alerts",
    "bot.exts.admin",
)

TopicProvider = Callable[[int | None], Awaitable[Sequence["Topic"]]]


def intents() -> discord.Intents:
    """Guilds only: slash commands need nothing privileged and no message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class NewsBot(commands.Bot):
    """The newsbot client: settings, the news service, and the command tree."""

    def __init__(
        self,
        settings: Settings,
        service: NewsService | None = None,
        *,
        sync_commands: bool = True,
        extensions: Sequence[str] = EXTENSIONS,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands: slash only
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=NewsTree,
            max_messages=None,
        )
        self.settings = settings
        self._service = service
        self.sync_commands = sync_commands
        self.extension_names = tuple(extensions)
        # Sources of topics beyond the catalogue and article tags (e.g. a server's own
        # topics), asked for by guild id; /digest, /topics and autocomplete use them.
        self.topic_providers: list[TopicProvider] = []
        # The database (settings.database_path), opened in ``setup_hook``.
        self.store: Store | None = None
        self._store_holder: AsyncGenerator[Store, None] | None = None
        # Measurements for /admin stats (time.monotonic follows SimCord's clock in tests).
        self.search_latency = LatencyRecorder()
        self.started_at = time.monotonic()

    @property
    def service(self) -> NewsService:
        """The news service (loaded in ``setup_hook`` unless one was given)."""
        if self._service is None:
            raise RuntimeError("the news service is not loaded yet")
        return self._service

    async def extra_topics(self, guild_id: int | None) -> tuple[Topic, ...]:
        """Topics the providers add for ``guild_id`` (none by default)."""
        topics: list[Topic] = []
        for provider in self.topic_providers:
            topics.extend(await provider(guild_id))
        return tuple(topics)

    async def setup_hook(self) -> None:
        self.started_at = time.monotonic()
        if self.store is None:
            # First, so a database that cannot be used stops the start with one clear line
            # (a StoreError naming the file) before the articles are loaded.
            self._store_holder = _hold_store(self.settings.database_path)
            self.store = await anext(self._store_holder)
        if self._service is None:
            self._service = await asyncio.to_thread(self._load_service)
        self._service.clock = discord.utils.utcnow
        await self.record_first_seen(everything=True)
        for name in self.extension_names:
            await self.load_extension(name)
        if self.sync_commands:
            await self.sync_app_commands()

    async def record_first_seen(self, *, everything: bool = False) -> None:
        """Store the first-seen times of articles the service has not had from the database
        yet (stamped now), and give the service the stored times (earlier ones win).

        ``everything`` also reads back every record (at start-up: the service was loaded
        before the database could date anything). A database problem is logged; the
        service keeps its own stamps until the next try.
        """
        service, store = self._service, self.store
        if service is None or store is None or store.closed:
            return
        fresh = service.unrecorded_first_seen()
        if not fresh and not everything:
            return
        try:
            stored = await store.first_seen.record(list(fresh), now=discord.utils.utcnow())
        except DatabaseFileGone:
            return  # already reported, once; the service keeps its own stamps meanwhile
        except StoreError as error:
            _log.warning("could not record when %d articles were first seen: %s", len(fresh), error)
            return

        await asyncio.to_thread(service.adopt_first_seen, stored)

    def _load_service(self) -> NewsService:
        settings = self.settings
        service = NewsService.load(settings.articles_dir, max_file_bytes=settings.max_article_bytes)
        _log.info(
            "loaded %d articles from %s (%d rejected)",
            len(service.articles),
            settings.articles_dir,
            len(service.rejected),
        )
        for rejection in service.rejected:
            _log.warning("skipped %s: %s", rejection.path, rejection.reason)
        return service

    async def sync_app_commands(self) -> list[discord.app_commands.AppCommand]:
        """Register the slash commands: instantly in ``DEV_GUILD_ID``, else globally."""
        guild_id = self.settings.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            _log.info("synced %d slash commands to guild %d", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            _log.info("synced %d slash commands globally", len(synced))
        return synced

    async def close(self) -> None:
        await super().close()  # unloads the extensions first: nothing uses the store after
        holder, self._store_holder = self._store_holder, None
        if holder is not None:
            await holder.aclose()

    async def on_ready(self) -> None:
        user = self.user
        _log.info(
            "ready as %s (id %s) in %d guilds", user, user.id if user else "?", len(self.guilds)
        )


async def _hold_store(path: Path) -> AsyncGenerator[Store, None]:
    """The open store, closed when this generator is closed.

    ``NewsBot.close`` closes it. Holding it in an async generator also closes it when the
    bot is dropped without ``close()`` (test harnesses, the playground): the event loop
    finalises live async generators when it shuts down, and an open database would
    otherwise keep its worker thread, and so the process, alive.
    """
    store = await Store.open(path)
    try:
        yield store
    finally:
        await store.close()


def create_bot(
    settings: Settings, service: NewsService | None = None, *, sync_commands: bool = True
) -> NewsBot:
    """The bot for ``settings``; it loads ``settings.articles_dir`` unless given a service."""
    return NewsBot(settings, service, sync_commands=sync_commands)
