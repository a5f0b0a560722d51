"""``Playground``: one bot, one simulated Discord (SimCord), one live Preview on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import replace
from types import TracebackType
from typing import Any

import discord
import simcord

from bot.config import Settings
from bot.playground.live import LiveSync
from bot.playground.world import BOT_NAME, World, build_world

_log = logging.getLogger(__name__)


class Playground:
    """The real bot running against SimCord, shown in a browser page that acts like Discord.

    ``async with Playground(bot) as pg:`` starts the bot, builds the world (see
    ``bot.playground.world``), serves the Preview on ``127.0.0.1:port`` (0: any free port) and
    keeps it live; ``pg.url`` is the page's address, including its secret capability.
    Simulated time starts at ``start_at`` (default: now) and follows real time in steps of
    ``tick_seconds``, ``time_scale`` times as fast (1: as in a server); with ``None`` it moves
    only through ``pg.live.advance()`` (tests).
    Leaving the block (or ``close()``) stops everything; ``wait_closed()`` returns when the
    page's "End preview session" was used.
    """

    def __init__(
        self,
        bot: discord.Client,
        *,
        port: int = 0,
        guild_id: int | None = None,
        tick_seconds: float | None = 1.0,
        time_scale: float = 1.0,
        settle_timeout: float = 30.0,
        start_at: dt.datetime | None = None,
    ) -> None:
        if not time_scale > 0:
            raise ValueError("time_scale must be positive")
        self.bot = bot
        self.port = port
        self._guild_id = guild_id
        self._tick = tick_seconds
        self._scale = time_scale
        self._start_at = start_at
        # Errors are logged as they happen (LiveSync), not re-raised at shutdown: a visitor's
        # bad input must never turn Ctrl-C into a traceback.
        self.env = simcord.Env(bot, check_errors=False, settle_timeout=settle_timeout)
        self._preview: simcord.Preview | None = None
        self._world: World | None = None
        self._live: LiveSync | None = None
        self._env_started = False

    # -- what a caller reads -----------------------------------------------------------

    @property
    def url(self) -> str:
        """The page's address; it carries the session's secret, so share it with care."""
        return self.preview.url

    @property
    def preview(self) -> simcord.Preview:
        """The running SimCord Preview."""
        if self._preview is None:
            raise RuntimeError("the playground is not running")
        return self._preview

    @property
    def world(self) -> World:
        """The guild, channel and people the playground created."""
        if self._world is None:
            raise RuntimeError("the playground is not running")
        return self._world

    @property
    def live(self) -> LiveSync:
        """The clock and live-update driver."""
        if self._live is None:
            raise RuntimeError("the playground is not running")
        return self._live

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Playground:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _start(self) -> None:
        env = self.env
        self._align_clock(self._start_at or dt.datetime.now(dt.UTC))
        env.backend.edit_bot_profile(BOT_NAME)
        # The server exists before the bot logs in, as a real one does: READY lists it.
        self._world = build_world(env, guild_id=self._guild_id)
        _allow_library_changes(self.bot, self._world.guild.id)
        tree: Any = getattr(self.bot, "tree", None)
        bots_handler = tree.on_error if tree is not None else None
        await env.start()
        self._env_started = True
        if tree is not None:
            _treat_refusals_as_answers(tree, bots_handler)
        await self._sync_commands()
        await env.settle()
        self._preview = env.preview(
            self._world.channel, viewers=list(self._world.viewers), layout="channel", port=self.port
        )
        await self._preview.__aenter__()
        self._live = LiveSync(env, self._preview, tick_seconds=self._tick, time_scale=self._scale)
        self._live.start()

    async def wait_closed(self) -> None:
        """Return once the page ended the session (or ``close()`` ran)."""
        await self.preview.wait_closed()

    async def close(self) -> None:
        """Stop the clock, the Preview and the bot (idempotent)."""
        if self._live is not None:
            await self._live.stop()
        if self._preview is not None:
            await self._preview.close()
        if self._env_started:
            self._env_started = False
            await self.env.shutdown()

    # -- helpers ---------------------------------------------------------------------------

    def _align_clock(self, start_at: dt.datetime) -> None:
        # SimCord's clock starts at a fixed date; start it at the visitor's "now" instead, so
        # message times, "the last 7 days" and a digest scheduled "at 09:00" read naturally.
        # Only forward, and only before the bot starts, when nothing is waiting on it yet.
        ahead = (start_at - self.env.now()).total_seconds()
        if ahead > 0:
            self.env.backend.advance_clock(ahead)

    async def _sync_commands(self) -> None:
        """Register the tree's slash commands if the bot did not sync them at start-up.

        A real deployment syncs once (or from a command); the page can offer only what the
        simulated Discord has registered, so the playground does that one sync itself.
        """
        tree: Any = getattr(self.bot, "tree", None)
        if tree is None:
            return
        scopes = (None, discord.Object(self.world.guild.id))
        wanted = {c.name for scope in scopes for c in tree.get_commands(guild=scope)}
        registered = self.env.backend.commands
        have = {name for scope in scopes for name, _type in registered.get(_scope_id(scope), {})}
        if wanted <= have:
            return
        _log.info("registering the slash commands the bot did not sync: %s", sorted(wanted - have))
        for scope in scopes:
            if tree.get_commands(guild=scope):
                await tree.sync(guild=scope)


def _treat_refusals_as_answers(tree: Any, bots_handler: Any) -> None:
    """Let the bot's error handler answer refusals without SimCord calling them failures.

    SimCord records every error that reaches the command tree, and the page then reports
    the action as failed. A cooldown or a mistyped article is not a failure: the bot's
    handler answers it with a polite message, which is all the visitor should see. Only
    unexpected errors still go through SimCord's recording handler (and the terminal log).
    """
    from bot.errors import describe

    recording = tree.on_error

    async def on_error(interaction: discord.Interaction, error: Exception) -> None:
        _message, expected = describe(error)
        await (bots_handler if expected else recording)(interaction, error)

    tree.on_error = on_error


def _allow_library_changes(bot: Any, guild_id: int) -> None:
    """Make the playground's server a library server, so its moderator can try uploads."""
    settings = getattr(bot, "settings", None)
    if isinstance(settings, Settings) and guild_id not in settings.library_guild_ids:
        bot.settings = replace(settings, library_guild_ids=settings.library_guild_ids | {guild_id})


def _scope_id(scope: discord.Object | None) -> int | None:
    return None if scope is None else scope.id


async def run_until_closed(playground: Playground, stop: asyncio.Event) -> None:
    """Wait for the page to end the session or for ``stop`` to be set."""
    closed = asyncio.ensure_future(playground.wait_closed())
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({closed, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (closed, stopping):
            task.cancel()
        await asyncio.gather(closed, stopping, return_exceptions=True)
