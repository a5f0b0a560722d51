"""Alerts while the bot runs: the cog that drives the ``AlertRunner``, and its sender.

The runner (``bot.alerts.delivery``) decides which new feed articles each alert posts and
guarantees each is posted once; this module does only the Discord part: find the channel,
render one embed per article and send it (into the channel, then a thread on it when the
alert asks for threads; as a new post when the channel is a forum), and read back the
bot's own posts to recognise an earlier one after a crash. A post is recognised the way a
reader would see it: the bot's embed linking the article (its title when it has no link),
footed with the alert's number.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands, tasks

from bot.alerts import AlertOutcome, AlertRunner
from bot.exts._alert_posts import (
    AlertChannel,
    alert_embed,
    is_alert_post,
    needed_permissions,
    thread_name,
)
from bot.exts._permissions import permission_names
from bot.exts._posting import notify_moderators, poster_error
from bot.schedule import ChannelGone, MissingAccess, TransientError
from bot.store import Alert, FeedItemRecord, Store

if TYPE_CHECKING:
    from bot.app import NewsBot

_log = logging.getLogger(__name__)

LOOP_SECONDS = 30.0
# Between rounds the loop only asks the store whether feed items arrived (one cheap query;
# none while the bot has no alerts) and compares the time with the next retry; it still
# runs a whole round at least this often.
MAX_IDLE = dt.timedelta(hours=1)
# While the bot has no alerts, a round only this often (alerts are made by /admin, which
# asks for one at once; this covers another process sharing the database).
NO_ALERTS_IDLE = dt.timedelta(hours=6)
HISTORY_LIMIT = 100  # messages read back (newest first) when looking for an earlier post
ARCHIVED_LIMIT = 50  # archived forum posts read back when looking for an earlier post
class DiscordAlertSender:
    """``bot.alerts.AlertSender`` over the bot's connection."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    async def channel(self, alert: Alert) -> AlertChannel:
        """The alert's channel, or the runner's error saying why it cannot be used."""
        channel = self.bot.get_channel(alert.channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(alert.channel_id)
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
                raise poster_error(error) from error
        guild = getattr(channel, "guild", None)
        if guild is None or guild.id != alert.guild_id:
            raise ChannelGone("the channel is not in this server any more")
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
            raise ChannelGone("the channel can no longer hold articles")
        return channel

    async def _label(self, item: FeedItemRecord) -> str | None:
        store = self.bot.store
        if store is None:
            return None
        feed = await store.feeds.get(item.feed_id)
        return feed.label if feed is not None else None

    async def send_alert(self, alert: Alert, item: FeedItemRecord, nonce: str) -> int:
        channel = await self.channel(alert)
        me = channel.guild.me
        if me is not None:
            allowed = channel.permissions_for(me)
            missing = [
                p
                for p in needed_permissions(channel, thread=alert.thread)
                if not getattr(allowed, p)
            ]
            if missing:
                raise MissingAccess(f"the bot lacks {permission_names(missing)} in #{channel.name}")
        embed = alert_embed(alert, item, await self._label(item))
        none = discord.AllowedMentions.none()
        try:
            if isinstance(channel, discord.ForumChannel):
                # A forum post takes no nonce; recovery finds it by its starter message.
                created = await channel.create_thread(
                    name=thread_name(item), embed=embed, allowed_mentions=none
                )
                return created.message.id
            message = await channel.send(embed=embed, nonce=nonce, allowed_mentions=none)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            raise _sending_error(error) from error
        if alert.thread:
            await self._thread_on(message, item)
        return message.id

    async def _thread_on(self, message: discord.Message, item: FeedItemRecord) -> None:
        if message.thread is not None:
            return
        try:
            await message.create_thread(name=thread_name(item))
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            # The article is posted (and recorded); only its thread is missing.
            _log.warning("could not open a thread on message %d: %s", message.id, error)

    async def find_alert_posts(self, alert: Alert, item: FeedItemRecord) -> list[int]:
        channel = await self.channel(alert)
        me = self.bot.user
        if me is None:
            return []
        try:
            if isinstance(channel, discord.ForumChannel):
                return await self._find_in_forum(channel, alert, item, me.id)
            found: list[discord.Message] = []
            after = item.first_seen_at - dt.timedelta(minutes=1)
            history = channel.history(limit=HISTORY_LIMIT, after=after, oldest_first=False)
            async for message in history:
                if message.author.id == me.id and is_alert_post(message, alert, item):
                    found.append(message)
        except discord.Forbidden:
            return []  # no Read Message History: cannot tell (the nonce still guards)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
            raise poster_error(error) from error
        if alert.thread and found:
            await self._thread_on(found[0], item)  # the crash may have come before the thread
        return [message.id for message in found]

    async def _find_in_forum(
        self, forum: discord.ForumChannel, alert: Alert, item: FeedItemRecord, me: int
    ) -> list[int]:
        name = thread_name(item)
        threads = {t.id: t for t in forum.threads}
        async for thread in forum.archived_threads(limit=ARCHIVED_LIMIT):
            threads.setdefault(thread.id, thread)
        found: list[int] = []
        for thread in threads.values():
            if thread.name != name or thread.owner_id != me:
                continue
            # The post's first message (in Discord its id is the thread's; read it from
            # the thread's history rather than rely on that).
            starter = thread.starter_message
            if starter is None:
                async for message in thread.history(limit=1, oldest_first=True):
                    starter = message
            if starter is not None and is_alert_post(starter, alert, item):
                found.append(starter.id)
        return found


def _sending_error(error: BaseException) -> BaseException:
    """The runner's error for a failed send, worded for an article rather than a digest."""
    mapped = poster_error(error, sending=True)
    if mapped is error:
        return mapped
    return type(mapped)(str(mapped).replace("digest", "article"))


def _store(bot: NewsBot) -> Store:
    store = bot.store
    if store is None or store.closed:
        raise TransientError("the bot's database is not open")
    return store


class Alerts(commands.Cog):
    """Posts new feed articles to the channels whose alerts want them."""

    def __init__(self, bot: NewsBot, *, interval: float = LOOP_SECONDS) -> None:
        self.bot = bot
        self.sender = DiscordAlertSender(bot)
        self._runner: AlertRunner | None = None
        # What the last round saw, so an idle loop iteration costs one query or none.
        self._changed = True
        self._last_round: dt.datetime | None = None
        self._watermark: tuple[int | None, int | None] = (None, None)
        self._has_alerts = True
        self._retry_at: dt.datetime | None = None
        self.deliver.change_interval(seconds=interval)

    @property
    def runner(self) -> AlertRunner:
        """The runner over the bot's store (made on first use: the store opens at start)."""
        if self._runner is None:
            grace = dt.timedelta(minutes=self.bot.settings.schedule_grace_minutes)
            self._runner = AlertRunner(
                _store(self.bot),
                self.sender,
                topic_check=self.on_topic,
                clock=discord.utils.utcnow,
                grace=grace,
                notify=self.notify,
                owns=self.bot.settings.owns_guild,  # only the guilds of this process's shards
            )
        return self._runner

    async def cog_load(self) -> None:
        self.deliver.start()

    async def cog_unload(self) -> None:
        self.deliver.cancel()

    async def on_topic(self, alert: Alert, item: FeedItemRecord) -> bool | None:
        """Whether the library files ``item`` under the alert's topic (None: not loaded)."""
        service = self.bot.service
        if item.article_id not in service.articles:
            return None
        extra = await self.bot.extra_topics(alert.guild_id)
        name = alert.topic or ""

        def about() -> bool:
            topic = service.topic_model.resolve(name, extra)
            if topic is None:
                return False
            return any(i == item.article_id for i, _ in service.topic_model.articles_for(topic))

        return await asyncio.to_thread(about)

    def alerts_changed(self) -> None:
        """Run a whole round at the next iteration (call after changing alerts)."""
        self._changed = True

    async def run_if_due(self, now: dt.datetime | None = None) -> list[AlertOutcome]:
        """``run_due`` unless nothing can have changed since the last round; the loop body."""
        now = now or discord.utils.utcnow()
        idle = MAX_IDLE if self._has_alerts else NO_ALERTS_IDLE
        recent = self._last_round is not None and now - self._last_round < idle
        if not self._changed and recent:
            if not self._has_alerts:
                return []
            retry_due = self._retry_at is not None and now >= self._retry_at
            if not retry_due and await _store(self.bot).alerts.watermark() == self._watermark:
                return []
        return await self.run_due(now)

    async def run_due(self, now: dt.datetime | None = None) -> list[AlertOutcome]:
        """Post (or retry, or recover) every alert's new articles at ``now``."""
        now = now or discord.utils.utcnow()
        store = _store(self.bot)
        self._changed = False
        # Read before the round: items arriving during it make the next iteration look.
        watermark = await store.alerts.watermark()
        outcomes = await self.runner.tick(now)
        alerts = await store.alerts.all()
        self._watermark = watermark
        self._last_round = now
        self._has_alerts = bool(alerts)
        retries = [
            a.next_retry_at
            for a in alerts
            if a.next_retry_at and not a.paused and self.bot.settings.owns_guild(a.guild_id)
        ]
        self._retry_at = min(retries, default=None)
        if self.runner.more_waiting:
            self._changed = True
        for outcome in outcomes:
            _log.info(
                "alert #%d, %s: %s%s",
                outcome.alert_id,
                outcome.article_id,
                outcome.state,
                f" ({outcome.detail})" if outcome.detail else "",
            )
        return outcomes

    @tasks.loop(seconds=LOOP_SECONDS)
    async def deliver(self) -> None:
        try:
            await self.run_if_due()
        except Exception:
            # The loop must survive a bad tick (a database hiccup); the next one retries.
            _log.exception("the alert tick failed")

    @deliver.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.bot.wait_until_library_loaded()

    async def notify(self, guild_id: int, message: str) -> None:
        """Tell a server's moderators (system or public updates channel) and audit it."""
        await notify_moderators(
            self.bot, _store(self.bot), guild_id, message, action="alert.notice"
        )


async def setup(bot: NewsBot) -> None:
    await bot.add_cog(Alerts(bot))
