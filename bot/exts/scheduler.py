"""Scheduled digests: the cog that runs the ``ScheduleRunner``, and its Discord poster.

The runner (``bot.schedule.runner``) decides what is due and guarantees each run is posted
at most once and, within the grace period, at least once; this module does the Discord
part. The loop body only calls ``run_due(now)``, so a test (or anything else) can run the
schedules at a chosen instant. The first iteration runs as soon as the bot is ready, which
re-arms every schedule from the database after a restart and finishes or skips whatever
the last process left half done.

The poster renders the digest embed, sends it with the run's nonce (discord.py 2.7 asks
Discord to enforce it) and writes the nonce in the embed footer: messages read back from
history do not carry their nonce, so ``find_posted`` recognises an earlier post by that
footer. Discord's errors become the runner's: ``ChannelGone`` (channel deleted or unknown),
``MissingAccess`` (forbidden, or a permission missing before sending), ``TransientError``
(5xx, rate limits, timeouts, network).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands, tasks

from bot.corpus.model import Article
from bot.digest import Digest, DigestPoint, DigestSource, Topic, build_digest
from bot.schedule import (
    ChannelGone,
    MissingAccess,
    NothingToPost,
    PosterError,
    RunOutcome,
    ScheduleRunner,
    TransientError,
    next_attempt,
)
from bot.store import AuditResult, Schedule, Store, StoreError
from bot.ui.embeds import digest_embed
from bot.ui.limits import CONTENT, fit_embed
from bot.ui.text import ZWSP, escape, fit

if TYPE_CHECKING:
    from bot.app import NewsBot
    from bot.service import NewsService

_log = logging.getLogger(__name__)

LOOP_SECONDS = 30.0
# Between runs the loop only compares the time with the next due run; it still reads the
# whole database at least this often, in case the schedules changed behind its back.
MAX_IDLE = dt.timedelta(hours=1)
HISTORY_LIMIT = 100  # messages read back after a run's due time when looking for its post
ALL_TOPICS = "All topics"
# Permissions a scheduled digest needs in its channel (history only for recovery).
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")
# Discord's JSON error code for a message that no longer exists.
UNKNOWN_MESSAGE = 10008
# A channel mention after ``escape`` (which stops every ``<#…>`` from rendering).
_ESCAPED_CHANNEL = re.compile("<" + ZWSP + r"#(\d+)>")


def notice_text(message: str) -> str:
    """A notice fit for a public channel: markdown and mentions in it escaped (it quotes
    channel names and Discord's error text), except the bare ``<#id>`` channel mentions
    the bot wrote, which still link to the channel."""

    def render(text: str) -> str:
        return _ESCAPED_CHANNEL.sub(r"<#\1>", escape(text))

    return fit(message, CONTENT, render=render)


def permission_names(names: Sequence[str]) -> str:
    """``("view_channel", "embed_links")`` → ``"View Channel, Embed Links"``."""
    return ", ".join(name.replace("_", " ").title() for name in names)


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """The ``POST_PERMISSIONS`` the bot lacks in ``channel``."""
    allowed = channel.permissions_for(me)
    return [name for name in POST_PERMISSIONS if not getattr(allowed, name)]


# -- what a scheduled digest says --------------------------------------------------------


def all_topics_digest(service: NewsService, *, since: dt.date | None, limit: int) -> Digest:
    """A digest across every topic: the newest articles, each with its best sentence."""
    articles = service.articles
    recent = [a for a in articles.values() if since is None or (a.date and a.date >= since)]
    recent.sort(key=lambda a: (a.date or dt.date.min, a.id), reverse=True)
    points: list[DigestPoint] = []
    sources: list[DigestSource] = []
    for article in recent:
        if len(points) >= limit:
            break
        lead = service.summary(article, 1)
        if not lead:
            continue
        title = " ".join((article.title or article.id).split())
        points.append(DigestPoint(lead[0], article.id, title))
        sources.append(DigestSource(article.id, title, article.url))
    return Digest(ALL_TOPICS, ALL_TOPICS, tuple(points), tuple(sources), (), since)


def schedule_topic_label(schedule: Schedule) -> str:
    """What a schedule digests, as shown to moderators."""
    return schedule.topic or ALL_TOPICS


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    """The calendar date of ``moment`` in ``timezone``."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()


async def schedule_digest(bot: NewsBot, schedule: Schedule, *, at: dt.datetime) -> Digest:
    """The digest ``schedule`` posts at ``at``: its topic over the server's ``digest_days``,
    at most ``digest_limit`` points (both from the server's settings)."""
    store = _store(bot)
    settings = await store.guilds.get(schedule.guild_id)
    since = local_date(at, schedule.timezone) - dt.timedelta(days=settings.digest_days)
    extra = await bot.extra_topics(schedule.guild_id)
    service = bot.service
    topic = schedule.topic
    limit = settings.digest_limit

    def build() -> Digest:
        if topic is None:
            return all_topics_digest(service, since=since, limit=limit)
        return service.digest(topic, since=since, limit=limit, extra_topics=extra)

    return await asyncio.to_thread(build)


def new_articles(service: NewsService, since: dt.datetime, timezone: str) -> dict[str, Article]:
    """Articles new since ``since``: their file was written after it, or they are dated
    after its day (in the schedule's timezone)."""
    day = local_date(since, timezone)
    cutoff = since.timestamp()
    root = service.library.root
    written: dict[str, float] = {}
    found: dict[str, Article] = {}
    for article in service.articles.values():
        path = article.source_path
        if path not in written:
            try:
                written[path] = os.stat(root / path).st_mtime
            except OSError:
                written[path] = 0.0
        if written[path] > cutoff or (article.date is not None and article.date > day):
            found[article.id] = article
    return found


def has_new_on_topic(
    service: NewsService,
    topic: str | None,
    since: dt.datetime,
    timezone: str,
    extra: Sequence[Topic],
) -> bool:
    """Whether any article new since ``since`` is about ``topic`` (None: any topic)."""
    fresh = new_articles(service, since, timezone)
    if not fresh or topic is None:
        return bool(fresh)
    digest = build_digest(
        topic,
        articles=fresh,
        index=service.index,
        topic_model=service.topic_model,
        limit=1,
        extra_topics=extra,
    )
    return bool(digest.points)


def scheduled_embed(
    digest: Digest, schedule: Schedule, nonce: str, due_at: dt.datetime | None
) -> discord.Embed:
    """The digest embed with the schedule and the run's nonce in its footer."""
    embed = digest_embed(digest)
    parts = [embed.footer.text] if embed.footer and embed.footer.text else []
    parts += [f"scheduled digest #{schedule.id}", nonce]
    embed.set_footer(text=" · ".join(parts))
    if due_at is not None:
        embed.timestamp = due_at
    return fit_embed(embed)


def carries_nonce(message: discord.Message, nonce: str) -> bool:
    """Whether ``message`` is the post of the run with ``nonce`` (see ``scheduled_embed``)."""
    for embed in message.embeds:
        footer = embed.footer.text if embed.footer else None
        if footer and nonce in footer.split(" · "):
            return True
    return False


def nothing_message(digest: Digest, schedule: Schedule, days: int) -> str:
    """Why a run posts nothing: the topic has no articles in the period."""
    topic = digest.matched_topic or schedule_topic_label(schedule)
    return f"nothing on {topic} in the last {days} days"


def _store(bot: NewsBot) -> Store:
    store = bot.store
    if store is None or store.closed:
        raise TransientError("the bot's database is not open")
    return store


# -- talking to Discord ------------------------------------------------------------------


def poster_error(error: BaseException, *, sending: bool = False) -> BaseException:
    """The runner's error for what Discord (or the network) said."""
    if isinstance(error, discord.NotFound):
        if sending and error.code == UNKNOWN_MESSAGE:
            # Discord matched the nonce to an earlier post that has since been deleted.
            return NothingToPost("the earlier post of this digest was deleted by a moderator")
        return ChannelGone(f"the channel no longer exists (Discord: {error.text or 'not found'})")
    if isinstance(error, discord.Forbidden):
        return MissingAccess(f"Discord refused: {error.text or 'missing access'}")
    if isinstance(error, discord.HTTPException):
        if error.status >= 500 or error.status == 429:
            return TransientError(f"Discord answered {error.status}; it may be a passing outage")
        return PosterError(f"Discord rejected the digest ({error.status}): {error.text}")
    if isinstance(error, aiohttp.ClientError | TimeoutError | OSError):
        return TransientError(f"could not reach Discord: {type(error).__name__}")
    return error


class DiscordPoster:
    """``bot.schedule.DigestPoster`` over the bot's connection."""

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

    async def post(
        self, schedule: Schedule, due_at: dt.datetime, nonce: str, since: dt.datetime | None
    ) -> int:
        channel = await self.channel(schedule)
        me = channel.guild.me  # type: ignore[attr-defined]
        missing = missing_permissions(channel, me) if me is not None else []  # type: ignore[arg-type]
        if missing:
            raise MissingAccess(
                f"the bot lacks {permission_names(missing)} in #{getattr(channel, 'name', '?')}"
            )
        try:
            digest = await schedule_digest(self.bot, schedule, at=due_at)
        except StoreError as error:
            raise TransientError(f"the database failed: {error}") from error
        if not digest.points:
            days = (await _store(self.bot).guilds.get(schedule.guild_id)).digest_days
            raise NothingToPost(nothing_message(digest, schedule, days))
        embed = scheduled_embed(digest, schedule, nonce, due_at)
        try:
            message = await channel.send(
                embed=embed, nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
            )
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            raise poster_error(error, sending=True) from error
        return message.id

    async def find_posted(self, schedule: Schedule, due_at: dt.datetime, nonce: str) -> int | None:
        channel = await self.channel(schedule)
        me = self.bot.user
        # A run is claimed at or after its due time, so its post cannot be older. Newest
        # first: the check follows the claim closely, so chatter between the due time and
        # a late claim (after a restart) cannot push the post out of the scanned window.
        after = due_at - dt.timedelta(minutes=1)
        try:
            history = channel.history(limit=HISTORY_LIMIT, after=after, oldest_first=False)
            async for message in history:
                if me is not None and message.author.id == me.id and carries_nonce(message, nonce):
                    return message.id
        except discord.Forbidden:
            return None  # no Read Message History: cannot tell (the nonce still guards)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            raise poster_error(error) from error
        return None

    async def has_new(self, schedule: Schedule, since: dt.datetime) -> bool:
        extra = await self.bot.extra_topics(schedule.guild_id)
        service = self.bot.service
        return await asyncio.to_thread(
            has_new_on_topic, service, schedule.topic, since, schedule.timezone, extra
        )


# -- the cog -----------------------------------------------------------------------------


class Scheduler(commands.Cog):
    """Posts scheduled digests; tells moderators when a schedule had to be paused."""

    def __init__(self, bot: NewsBot, *, interval: float = LOOP_SECONDS) -> None:
        self.bot = bot
        self.poster = DiscordPoster(bot)
        self._runner: ScheduleRunner | None = None
        # When the next run (or retry) is due; None: check at the next iteration.
        self._next_check: dt.datetime | None = None
        self.digests.change_interval(seconds=interval)

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
            )
        return self._runner

    async def cog_load(self) -> None:
        self.digests.start()

    async def cog_unload(self) -> None:
        self.digests.cancel()

    def schedules_changed(self) -> None:
        """Look at the schedules again at the next iteration (call after changing them)."""
        self._next_check = None

    async def run_due(self, now: dt.datetime | None = None) -> list[RunOutcome]:
        """Post (or skip, or retry) every run due at ``now`` (default: the clock)."""
        now = now or discord.utils.utcnow()
        outcomes = await self.runner.tick(now)
        self._next_check = await self._earliest_due(now)
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
            if (moment := next_attempt(schedule, now)) is not None
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
            await self.run_if_due()
        except Exception:
            # The loop must survive a bad tick (a database hiccup); the next one retries.
            _log.exception("the scheduled digest tick failed")

    @digests.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def notify(self, guild_id: int, message: str) -> None:
        """Tell a server's moderators (system or public updates channel) and audit it."""
        store = _store(self.bot)
        guild = self.bot.get_guild(guild_id)
        target = _notice_channel(guild) if guild is not None else None
        details: dict[str, object] = {"message": message}
        result: AuditResult = "error"
        if target is None:
            details["delivered"] = "no system or public updates channel the bot can post in"
        else:
            try:
                await target.send(
                    notice_text(message),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException as error:
                details["delivered"] = f"Discord refused the notice: {error.status} {error.text}"
            else:
                details["channel_id"] = target.id
                result = "ok"
        await store.audit.record(
            guild_id,
            None,
            "schedule.notice",
            details=details,
            result=result,
            now=discord.utils.utcnow(),
        )


def _notice_channel(guild: discord.Guild) -> discord.TextChannel | None:
    me = guild.me
    for channel in (guild.system_channel, guild.public_updates_channel):
        if channel is None or me is None:
            continue
        allowed = channel.permissions_for(me)
        if allowed.view_channel and allowed.send_messages:
            return channel
    return None


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Scheduler(bot))
