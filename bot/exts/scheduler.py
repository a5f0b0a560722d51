"""Scheduled digests: the cog that runs the ``ScheduleRunner``, and its Discord sender.

The runner (``bot.schedule.runner``) decides what is due and guarantees each run is posted
at most once and, within the grace period, at least once; ``bot.schedule.delivery``
decides what a run says and what is new. This module does only the Discord part: find the
channel, render and send, and read the channel's history for an earlier post. The loop
body only calls ``run_due(now)``, so a test (or anything else) can run the schedules at a
chosen instant. The first iteration runs as soon as the bot is ready, which re-arms every
schedule from the database after a restart and finishes or skips whatever the last
process left half done.

The sender renders the digest embed with the schedule's title and the run's due time as
its timestamp, and sends it with the run's nonce (discord.py 2.7 asks Discord to enforce
it). Messages read back from history do not carry their nonce, so an earlier post is
recognised by what a reader sees: the bot's own message with that title and timestamp.
Discord's errors become the runner's: ``ChannelGone`` (channel deleted or unknown),
``MissingAccess`` (forbidden, or a permission missing before sending), ``TransientError``
(5xx, rate limits, timeouts, network).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands, tasks

from bot.digest import Digest
from bot.exts._permissions import missing_permissions, permission_names
from bot.exts._posting import notify_moderators, poster_error
from bot.schedule import (
    ChannelGone,
    DigestDelivery,
    MissingAccess,
    RunOutcome,
    ScheduleRunner,
    TransientError,
    digest_title,
    next_attempt,
    same_title,
)
from bot.store import Schedule, Store
from bot.ui.embeds import scheduled_digest_embed

if TYPE_CHECKING:
    from bot.app import NewsBot

_log = logging.getLogger(__name__)

LOOP_SECONDS = 30.0
# Between runs the loop only compares the time with the next due run; it still reads the
# whole database at least this often, in case the schedules changed behind its back.
MAX_IDLE = dt.timedelta(hours=1)
HISTORY_LIMIT = 100  # messages read back after a run's due time when looking for its post


def _store(bot: NewsBot) -> Store:
    store = bot.store
    if store.closed:
        raise TransientError("the bot's database is not open")
    return store


def is_post_of(message: discord.Message, schedule: Schedule, due_at: dt.datetime) -> bool:
    """Whether ``message`` looks like the post of ``schedule``'s run due at ``due_at``: an
    embed with the schedule's title and that due time as its timestamp."""
    for embed in message.embeds:
        stamp = embed.timestamp
        if (
            stamp is not None
            and int(stamp.timestamp()) == int(due_at.timestamp())
            and same_title(embed.title, schedule)
        ):
            return True
    return False


class DiscordSender:
    """``bot.schedule.ChannelSender`` over the bot's connection."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    async def channel(self, schedule: Schedule) -> discord.abc.Messageable:
        """The schedule's channel, or the runner's error saying why it cannot be used."""
        channel = self.bot.get_channel(schedule.channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(schedule.channel_id)
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
                raise poster_error(error) from error
        guild = getattr(channel, "guild", None)
        if guild is None or guild.id != schedule.guild_id:
            raise ChannelGone("the channel is not in this server any more")
        if not isinstance(channel, discord.abc.Messageable):
            raise ChannelGone("the channel can no longer hold messages")
        return channel

    async def send_digest(
        self, schedule: Schedule, digest: Digest, due_at: dt.datetime, nonce: str
    ) -> int:
        channel = await self.channel(schedule)
        me = channel.guild.me  # type: ignore[attr-defined]
        missing = missing_permissions(channel, me) if me is not None else []  # type: ignore[arg-type]
        if missing:
            raise MissingAccess(
                f"the bot lacks {permission_names(missing)} in #{getattr(channel, 'name', '?')}"
            )
        embed = scheduled_digest_embed(digest, digest_title(schedule), due_at)
        try:
            message = await channel.send(
                embed=embed, nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
            )
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            raise poster_error(error, sending=True) from error
        return message.id

    async def find_digests(self, schedule: Schedule, due_at: dt.datetime) -> list[int]:
        channel = await self.channel(schedule)
        me = self.bot.user
        # A run is claimed at or after its due time, so its post cannot be older. Newest
        # first: the check follows the claim closely, so chatter between the due time and
        # a late claim (after a restart) cannot push the post out of the scanned window.
        after = due_at - dt.timedelta(minutes=1)
        found: list[int] = []
        try:
            history = channel.history(limit=HISTORY_LIMIT, after=after, oldest_first=False)
            async for message in history:
                if (
                    me is not None
                    and message.author.id == me.id
                    and is_post_of(message, schedule, due_at)
                ):
                    found.append(message.id)
        except discord.Forbidden:
            return []  # no Read Message History: cannot tell (the nonce still guards)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            raise poster_error(error) from error
        return found


# -- the cog -----------------------------------------------------------------------------


class Scheduler(commands.Cog):
    """Posts scheduled digests; tells moderators when a schedule had to be paused."""

    def __init__(self, bot: NewsBot, *, interval: float = LOOP_SECONDS) -> None:
        self.bot = bot
        self.sender = DiscordSender(bot)
        self._delivery: DigestDelivery | None = None
        self._runner: ScheduleRunner | None = None
        # When the next run (or retry) is due; None: check at the next iteration.
        self._next_check: dt.datetime | None = None
        self.digests.change_interval(seconds=interval)

    @property
    def poster(self) -> DigestDelivery:
        """The runner's poster: the core's decisions around ``sender``."""
        if self._delivery is None:
            self._delivery = DigestDelivery(
                _store(self.bot),
                lambda: self.bot.service,
                self.sender,
                extra_topics=self.bot.extra_topics,
            )
        return self._delivery

    @property
    def runner(self) -> ScheduleRunner:
        """The runner over the bot's store (made on first use: the store opens at start)."""
        if self._runner is None:
            grace = dt.timedelta(minutes=self.bot.settings.schedule_grace_minutes)
            self._runner = ScheduleRunner(
                _store(self.bot),
                self.poster,
                clock=discord.utils.utcnow,
                grace=grace,
                notify=self.notify,
                owns=self.bot.settings.owns_guild,  # only the guilds of this process's shards
            )
        return self._runner

    async def cog_load(self) -> None:
        self.digests.start()

    async def cog_unload(self) -> None:
        self.digests.cancel()

    def schedules_changed(self) -> None:
        """Look at the schedules again at the next iteration (call after changing them)."""
        self._next_check = None

    async def run_now(self, schedule_id: int) -> RunOutcome:
        """Post a schedule's digest now (a ledger run like any other; see the runner)."""
        outcome = await self.runner.run_now(schedule_id, discord.utils.utcnow())
        self.schedules_changed()
        return outcome

    async def run_due(self, now: dt.datetime | None = None) -> list[RunOutcome]:
        """Post (or skip, or retry) every run due at ``now`` (default: the clock)."""
        now = now or discord.utils.utcnow()
        await self.bot.record_first_seen()  # before only_new asks what is new
        outcomes = await self.runner.tick(now)
        # Another process at a schedule may stop mid-post: look again at the next iteration.
        self._next_check = None if self.runner.contended else await self._earliest_due(now)
        for outcome in outcomes:
            _log.info(
                "scheduled digest #%d for %s: %s%s",
                outcome.schedule_id,
                outcome.due_at.isoformat(),
                outcome.state,
                f" ({outcome.detail})" if outcome.detail else "",
            )
        return outcomes

    async def _earliest_due(self, now: dt.datetime) -> dt.datetime:
        due = [
            moment
            for schedule in await _store(self.bot).schedules.all()
            if self.bot.settings.owns_guild(schedule.guild_id)
            and (moment := next_attempt(schedule, now)) is not None
        ]
        return min([*due, now + MAX_IDLE])

    async def run_if_due(self, now: dt.datetime | None = None) -> list[RunOutcome]:
        """``run_due`` if anything may be due at ``now``; the loop's whole body."""
        now = now or discord.utils.utcnow()
        if self._next_check is not None and now < self._next_check:
            return []
        return await self.run_due(now)

    @tasks.loop(seconds=LOOP_SECONDS)
    async def digests(self) -> None:
        try:
            # Articles a reload or an upload found since the last iteration: recorded now,
            # so a restart keeps the day they were first seen.
            await self.bot.record_first_seen()
            await self.run_if_due()
        except Exception:
            # The loop must survive a bad tick (a database hiccup); the next one retries.
            _log.exception("the scheduled digest tick failed")

    @digests.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.bot.wait_until_library_loaded()

    async def notify(self, guild_id: int, message: str) -> None:
        """Tell a server's moderators (system or public updates channel) and audit it."""
        await notify_moderators(
            self.bot, _store(self.bot), guild_id, message, action="schedule.notice"
        )


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Scheduler(bot))
