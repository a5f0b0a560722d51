"""``create_bot``: the discord.py bot for members, with its extensions and command tree.

The bot asks for no privileged intents (guilds only: it answers slash commands and never
reads messages), never pings anyone (``AllowedMentions.none()`` for every message), loads
the library off the event loop, and syncs its slash commands at start-up.

With ``SHARD_COUNT`` set the bot is a ``ShardedNewsBot`` (discord.py's ``AutoShardedBot``)
over the shards ``SHARD_IDS`` names (all of them when unset); several such processes share
one PostgreSQL database (``DATABASE_URL``), each posting only for its own shards' guilds.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.ext import commands

from bot.config import Settings
from bot.errors import NewsTree
from bot.metrics import LatencyRecorder
from bot.service import NewsService
from bot.store import DatabaseFileGone, Store, StoreError
from bot.ui.acks import AckFirst
from bot.ui.replies import library_failed, library_loading

if TYPE_CHECKING:
    from bot.corpus.model import Article
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

# Connections kept open to Discord's REST API (see NewsBot.login).
HTTP_CONNECTIONS = 64
# A first load that failed is tried again after this many seconds, doubling up to the max.
LOAD_RETRY_FIRST = 30
LOAD_RETRY_MAX = 600
# How long a stop waits for a pending snapshot write (bot/snapshot.py) to finish.
SNAPSHOT_FLUSH_SECONDS = 6.0

TopicProvider = Callable[[int | None], Awaitable[Sequence["Topic"]]]


# What the bot needs in a channel: View Channel, Send Messages, Embed Links and Read Message
# History (to check a scheduled digest was not already posted). 84992 as an integer.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, read_message_history=True
)


def invite_url(application_id: int) -> str:
    """The OAuth2 link that adds the bot (with its slash commands) to a server."""
    return discord.utils.oauth_url(
        application_id,
        permissions=INVITE_PERMISSIONS,
        scopes=("bot", "applications.commands"),
    )


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
        store: Store,
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
            **self._shard_options(settings),
        )
        self.settings = settings
        self._service = service
        self.sync_commands = sync_commands
        self.extension_names = tuple(extensions)
        # Sources of topics beyond the catalogue and article tags (e.g. a server's own
        # topics), asked for by guild id; /digest, /topics and autocomplete use them.
        self.topic_providers: list[TopicProvider] = []
        # The open database (``create_bot`` opens settings.database before the bot).
        self.store: Store = store
        # Set when the bot owns the store (``create_bot``): ``close`` closes it.
        self._store_holder: AsyncGenerator[Store, None] | None = None
        # Measurements for /admin stats (time.monotonic follows SimCord's clock in tests).
        self.search_latency = LatencyRecorder()
        # Slow work waits for earlier interactions to be acknowledged (bot/ui/acks.py).
        self.acks = AckFirst()
        self.started_at = time.monotonic()
        # The articles load in a thread while the bot connects (``prepare``); commands
        # answer "the library is loading" (``loading_notice``) until it is done.
        self._library_loaded = False
        self._loading: asyncio.Task[None] | None = None
        self._load_failure: str | None = None

    @staticmethod
    def _shard_options(settings: Settings) -> dict[str, Any]:
        """What the client class is given about shards (nothing: one unsharded session)."""
        return {}

    @property
    def service(self) -> NewsService:
        """The news service (made in ``prepare`` unless one was given; its articles may
        still be loading: see ``library_loaded``)."""
        if self._service is None:
            raise RuntimeError("the news service is not loaded yet")
        return self._service

    @property
    def library_loaded(self) -> bool:
        """Whether the articles are loaded and every command can answer."""
        return self._library_loaded

    async def wait_until_library_loaded(self) -> None:
        """Return once the articles are loaded (background loops start with this)."""
        if not self._library_loaded:
            await self.wait_for("library_loaded")

    def loading_notice(self) -> str | None:
        """What a command answers while the articles load (None once they have)."""
        if self._library_loaded:
            return None
        if self._load_failure is not None:
            return library_failed(self._load_failure)
        done, total = self._service.progress if self._service is not None else (0, 0)
        return library_loading(done, total)

    async def extra_topics(self, guild_id: int | None) -> tuple[Topic, ...]:
        """Topics the providers add for ``guild_id`` (none by default)."""
        topics: list[Topic] = []
        for provider in self.topic_providers:
            topics.extend(await provider(guild_id))
        return tuple(topics)

    async def login(self, token: str) -> None:
        if getattr(self.http, "connector", None) is discord.utils.MISSING:
            # discord.py opens a new connection per concurrent request (no limit); under a
            # burst of interactions that is thousands of TCP (and TLS) handshakes. A pool
            # of kept-alive connections answers the same burst with far less work.
            self.http.connector = aiohttp.TCPConnector(limit=HTTP_CONNECTIONS)
        await super().login(token)

    async def prepare(self) -> None:
        """Start loading the articles (once); the load goes on while the bot connects.

        ``newsbot run`` calls this before logging in, so a bad ``ARTICLES_DIR`` is reported
        as that, not hidden behind Discord being out of reach; ``setup_hook`` calls it
        otherwise. The load runs in a thread: the gateway connects and the commands are
        synced meanwhile, and they answer "the library is loading (N of M files)" until
        it is done. A service given to the bot counts as loaded once it is (tests, the
        playground): an unloaded one is loaded here, before going on.
        """
        if self._loading is not None or self._library_loaded:
            return
        if self._service is not None:
            if not self._service.ready:
                await asyncio.to_thread(self._service.reload)
            self._library_loaded = True
            return
        service = self._new_service()
        await asyncio.to_thread(service.library.check_root)  # the folder fails as itself, now
        self._service = service
        self._loading = asyncio.create_task(self._load_library(service), name="newsbot-load")

    async def _load_library(self, service: NewsService) -> None:
        """Load the articles in a daemon thread (``_in_daemon_thread``), then let
        everything waiting go on. A load that fails is tried again, less and less often
        (30 s, doubling, at most every 10 minutes); meanwhile commands say it failed.
        """
        retry = LOAD_RETRY_FIRST
        while True:
            started = time.monotonic()
            # Read here, through the bot's open store: no second connection in the thread,
            # which a stop mid-load would leave open (and its SQLite log behind).
            feed = await self._stored_feed_articles()
            error = await self._in_daemon_thread(
                "library_load", functools.partial(self._load_articles, service, feed)
            )
            if error is None:
                break
            # The bot stays up (moderators can read why); commands say it failed.
            self._load_failure = str(error) or type(error).__name__
            _log.error(
                "could not load the articles (trying again in %d s): %s",
                retry,
                self._load_failure,
                exc_info=error,
            )
            await asyncio.sleep(retry)
            retry = min(2 * retry, LOAD_RETRY_MAX)
            self._load_failure = None
        service.clock = discord.utils.utcnow
        await self.record_first_seen(everything=True)
        self._library_loaded = True
        self.dispatch("library_loaded")
        # Logged once commands answer (tests and operators wait for this line).
        _log.info(
            "loaded %d articles from %s in %.1f s (%d rejected)",
            len(service.articles),
            self.settings.articles_dir,
            time.monotonic() - started,
            len(service.rejected),
        )

    async def setup_hook(self) -> None:
        self.started_at = time.monotonic()
        await self.prepare()
        if self.application_id is not None:  # known once logged in
            _log.info("invite the bot to a server: %s", invite_url(self.application_id))
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
        if service is None or store.closed:
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

    def _new_service(self) -> NewsService:
        """The service over ``ARTICLES_DIR``, its articles not loaded yet."""
        settings = self.settings
        return NewsService(
            settings.articles_dir,
            max_file_bytes=settings.max_article_bytes,
            parse_timeout=settings.parse_timeout_seconds,
            data_dir=settings.snapshot_dir,
        )

    async def _stored_feed_articles(self) -> list[Article]:
        """The feed articles the bot's own store holds (none when it cannot be read: the
        feeds cog hands them over again once it can)."""
        from bot.feeds.ingest import load_feed_articles

        try:
            return await load_feed_articles(self.store)
        except StoreError as error:
            _log.warning("could not read the stored feed articles: %s", error)
            return []

    def _load_articles(self, service: NewsService, feed: Sequence[Article]) -> None:
        """Load every article (in a thread), logging what was loaded and rejected."""
        from bot.service import SNAPSHOT_SAVE_DELAY

        service.load_library(
            # The stored feed articles too, so a warm start's state is the one a cold load
            # gives (the feeds cog's later hand-over of the same articles changes nothing).
            feed,
            save_delay=SNAPSHOT_SAVE_DELAY,
        )
        for rejection in service.rejected:
            _log.warning("skipped %s: %s", rejection.path, rejection.reason)

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
        if self._loading is not None and not self._loading.done():
            # The loading thread is a daemon and hands no more files to the parsers.
            if self._service is not None:
                self._service.library.stop()
            self._loading.cancel()
        await self._flush_snapshot()
        await super().close()  # unloads the extensions first: nothing uses the store after
        holder, self._store_holder = self._store_holder, None
        if holder is not None:
            await holder.aclose()

    async def _flush_snapshot(self) -> None:
        """Write a pending snapshot before the process exits, waiting at most
        ``SNAPSHOT_FLUSH_SECONDS`` (runner's close budget is 10 s). A write cut short
        leaves the previous snapshot in place; the next start reads the files changed
        since it."""
        service = self._service
        if service is None or service.snapshot is None or not service.ready:
            return
        with contextlib.suppress(TimeoutError):
            await self._in_daemon_thread(
                "snapshot_flush", service.flush_snapshot, timeout=SNAPSHOT_FLUSH_SECONDS
            )

    async def _in_daemon_thread(
        self, name: str, work: Callable[[], object], *, timeout: float | None = None
    ) -> Exception | None:
        """Run ``work`` in a daemon thread; wait (at most ``timeout``) for what it raised.

        Not ``asyncio.to_thread``: the loop's executor threads are joined when
        ``asyncio.run`` ends, so a stop during a long first load would wait for all of it.
        The thread reports back as the bot event ``<name>_finished``, awaited with
        ``wait_for`` like any other.
        """
        loop = asyncio.get_running_loop()
        event = f"{name}_finished"

        def target() -> None:
            error: Exception | None = None
            try:
                work()
            except Exception as exc:  # handed to the waiting task, which reports it
                error = exc
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self.dispatch, event, error)

        thread = threading.Thread(target=target, name=f"newsbot-{name}", daemon=True)
        loop.call_soon(thread.start)  # after wait_for below has registered its listener
        error: Exception | None = await self.wait_for(event, timeout=timeout)
        return error

    async def on_ready(self) -> None:
        user = self.user
        _log.info(
            "ready as %s (id %s) in %d guilds", user, user.id if user else "?", len(self.guilds)
        )


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """The newsbot client over the shards this process owns (``SHARD_COUNT``,
    ``SHARD_IDS``): one gateway session per shard, all in one process."""

    @staticmethod
    def _shard_options(settings: Settings) -> dict[str, Any]:
        options: dict[str, Any] = {"shard_count": settings.shard_count}
        if settings.shard_ids is not None:
            options["shard_ids"] = list(settings.shard_ids)
        return options


async def _hold_store(path: Path | str) -> AsyncGenerator[Store, None]:
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


async def create_bot(
    settings: Settings,
    service: NewsService | None = None,
    *,
    sync_commands: bool = True,
    extensions: Sequence[str] = EXTENSIONS,
) -> NewsBot:
    """The bot for ``settings`` (sharded when ``SHARD_COUNT`` is set) over its open
    database, which the bot closes when it does.

    The database opens first, so one that cannot be used stops the start with one clear
    line (a ``StoreError`` naming it) before anything else; the bot loads
    ``settings.articles_dir`` (in ``prepare``) unless given a service.
    """
    holder = _hold_store(settings.database)
    store = await anext(holder)
    kind = ShardedNewsBot if settings.shard_count is not None else NewsBot
    bot = kind(settings, service, store=store, sync_commands=sync_commands, extensions=extensions)
    bot._store_holder = holder
    return bot
