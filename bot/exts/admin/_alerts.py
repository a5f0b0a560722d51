"""``/admin alert add|list|remove|pause|resume|preview``: new feed articles into a channel.

Alerts belong to each server (any moderator of it; the feeds they name belong to the
shared library, which any server may read). An alert posts only articles that arrive after
it was made; ``preview`` shows which of the newest feed articles it would have posted.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands

from bot.alerts import FilterError, KeywordFilter, describe_filters, parse_keywords
from bot.errors import UserFacingError
from bot.exts._access import audited, moderator_choices
from bot.exts._alert_posts import alert_embed, needed_permissions
from bot.exts._options import ScheduleTopic, ScheduleTopicOption, feed_choices
from bot.exts._permissions import permission_names
from bot.exts.admin._base import AdminBase
from bot.search import complete
from bot.store import Alert, Feed
from bot.ui import limits
from bot.ui.embeds import COLOUR
from bot.ui.limits import CHOICES
from bot.ui.replies import answer, defer, show_pages
from bot.ui.text import fit

_log = logging.getLogger(__name__)

MAX_ALERTS = 25  # per server: what one autocomplete list can offer
ALERTS_PER_PAGE = 8
PREVIEW_SCAN = 50  # newest feed articles a preview judges


def alert_status(alert: Alert) -> str:
    """Paused (why), retrying after failures, or active."""
    if alert.paused:
        return f"⏸ paused: {fit(alert.pause_reason or 'paused', 300)}"
    if alert.failure_count:
        retry = (
            f", retrying {discord.utils.format_dt(alert.next_retry_at, 'R')}"
            if alert.next_retry_at
            else ""
        )
        return f"⚠ {alert.failure_count} failed post(s) in a row{retry}"
    return "active"


def alert_pages(
    alerts: list[Alert], feeds: dict[int, Feed], posted: dict[int, int]
) -> list[discord.Embed]:
    """The server's alerts: channel, filters, delivery, status and articles posted."""
    if not alerts:
        embed = discord.Embed(
            title="Alerts",
            description="This server has no alerts. Add one with `/admin alert add`.",
            colour=COLOUR,
        )
        return [limits.fit_embed(embed)]
    pages: list[discord.Embed] = []
    for start in range(0, len(alerts), ALERTS_PER_PAGE):
        embed = discord.Embed(title=f"Alerts ({len(alerts)})", colour=COLOUR)
        for alert in alerts[start : start + ALERTS_PER_PAGE]:
            embed.add_field(
                name=fit(f"#{alert.id} → {_where(alert)}", limits.FIELD_NAME, render=str),
                value=fit(summary_of(alert, feeds), 600)
                + f"\n{posted.get(alert.id, 0)} posted · {alert_status(alert)}",
                inline=False,
            )
        pages.append(embed)
    if len(pages) > 1:
        for number, page in enumerate(pages, start=1):
            page.set_footer(text=f"Page {number}/{len(pages)}")
    return [limits.fit_embed(page) for page in pages]


def summary_of(alert: Alert, feeds: dict[int, Feed]) -> str:
    """The alert's filters in words."""
    feed = None
    if alert.feed_id is not None:
        known = feeds.get(alert.feed_id)
        feed = known.label if known is not None else f"#{alert.feed_id}"
    return describe_filters(feed, alert.topic, alert.keywords, alert.exclude)


def _where(alert: Alert) -> str:
    return f"<#{alert.channel_id}>" + (" (a thread each)" if alert.thread else "")


def _choice_label(guild: discord.Guild | None, alert: Alert) -> str:
    channel = guild.get_channel(alert.channel_id) if guild is not None else None
    where = f"#{channel.name}" if channel is not None else "a deleted channel"
    paused = " · paused" if alert.paused else ""
    filters = describe_filters(None, alert.topic, alert.keywords, alert.exclude)
    return f"#{alert.id} → {where}: {filters}{paused}"


def _keywords(text: str | None, what: str) -> tuple[str, ...]:
    try:
        return parse_keywords(text, what=what)
    except FilterError as error:
        raise UserFacingError(str(error)) from None


class AlertCommands(AdminBase):
    """New feed articles posted to a channel."""

    alert = app_commands.Group(name="alert", description="New feed articles posted to a channel")

    async def _alert_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None or not await moderator_choices(interaction):
            return []
        try:
            alerts = await self.store.alerts.in_guild(interaction.guild_id)
        except Exception:
            _log.exception("alert autocomplete failed")
            return []
        options = [
            (str(a.id), fit(_choice_label(interaction.guild, a), limits.CHOICE_NAME, render=str))
            for a in alerts
        ]
        typed = current.strip().lstrip("#")
        if typed.isdigit():
            picked = [(v, label) for v, label in options if v.startswith(typed)]
        else:
            picked = complete(typed[:100], options, limit=CHOICES)
        return [app_commands.Choice(name=label, value=int(v)) for v, label in picked[:CHOICES]]

    @alert.command(name="add", description="Post new feed articles that match to a channel")
    @app_commands.describe(
        channel="Where to post (a text channel, or a forum: one post per article)",
        feed="Only articles from this feed (default: every feed)",
        topic="Only articles on this topic",
        keywords="Only articles with any of these words or phrases, comma-separated",
        exclude="Never articles with any of these words or phrases, comma-separated",
        thread="In a text channel, open a thread on each article's post",
    )
    @app_commands.autocomplete(feed=feed_choices)
    async def alert_add(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
        feed: str | None = None,
        topic: app_commands.Transform[ScheduleTopic, ScheduleTopicOption] | None = None,
        keywords: str | None = None,
        exclude: str | None = None,
        thread: bool = False,
    ) -> None:
        assert interaction.guild is not None
        # "Thinking…" at once: a late answer invites a retry, which would add it twice.
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, channel_id=channel.id) as note:
            include = _keywords(keywords, "keywords")
            leave_out = _keywords(exclude, "exclude")
            found_feed = await self._feed(feed) if feed else None  # type: ignore[attr-defined]
            # The same topic names as scheduled digests (``all`` is every topic).
            name = await (topic or ScheduleTopic(None)).resolve(self.bot, interaction.guild_id)
            is_forum = isinstance(channel, discord.ForumChannel)
            threads = thread and not is_forum
            me = interaction.guild.me
            if me is not None:
                allowed = channel.permissions_for(me)
                wanted = needed_permissions(channel, thread=threads)
                missing = [p for p in wanted if not getattr(allowed, p)]
                if missing:
                    raise UserFacingError(
                        f"I can't post in {channel.mention}: I'm missing "
                        f"{permission_names(missing)} there. Give me "
                        f"{permission_names(wanted)} in that channel, then try again."
                    )
            if await self.store.alerts.count(interaction.guild.id) >= MAX_ALERTS:
                raise UserFacingError(
                    f"This server already has {MAX_ALERTS} alerts, the most it can have; "
                    "remove one with `/admin alert remove` first."
                )
            created = await self.store.alerts.add(
                interaction.guild.id,
                channel_id=channel.id,
                feed_id=found_feed.id if found_feed else None,
                topic=name,
                keywords=include,
                exclude=leave_out,
                thread=threads,
                created_by=interaction.user.id,
                now=self.now(),
            )
            self._alerts_changed()
            note.update(alert_id=created.id, filters=summary_of(created, _by_id(found_feed)))
        how = (
            "as a new post in the forum"
            if is_forum
            else "with a thread on each"
            if threads
            else "one message each"
        )
        filters = fit(summary_of(created, _by_id(found_feed)), 900)
        lines = [
            f"Alert **#{created.id}**: new articles ({filters}) will be posted in "
            f"{channel.mention}, {how}.",
            "Only articles that arrive from now on are posted; the first fetch of a new "
            "feed posts nothing.",
        ]
        if thread and is_forum:
            lines.append("(`thread` is not needed in a forum: every article is its own post.)")
        if me is not None and not channel.permissions_for(me).read_message_history:
            lines.append(
                "Tip: give me Read Message History there too, so that after a restart I can "
                "check whether an article already went out."
            )
        if not await self.store.feeds.all():
            lines.append("The library follows no feeds yet: add one with `/admin feed add`.")
        await answer(interaction, content="\n".join(lines), ephemeral=True)

    @alert.command(name="list", description="This server's alerts")
    async def alert_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await defer(interaction, ephemeral=True)
        alerts = await self.store.alerts.in_guild(interaction.guild_id)
        feeds = {f.id: f for f in await self.store.feeds.all()}
        posted = await self.store.alerts.counts([a.id for a in alerts])
        await show_pages(interaction, alert_pages(alerts, feeds, posted), ephemeral=True)

    @alert.command(name="remove", description="Delete an alert")
    @app_commands.describe(alert="The alert (start typing its number)")
    @app_commands.autocomplete(alert=_alert_choices)
    async def alert_remove(self, interaction: discord.Interaction, alert: int) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, alert_id=alert):
            found = await self._get_alert(interaction, alert)
            await self.store.alerts.remove(found.guild_id, found.id)
            self._alerts_changed()
        await answer(
            interaction,
            content=f"Removed alert **#{found.id}** (to <#{found.channel_id}>).",
            ephemeral=True,
        )

    @alert.command(name="pause", description="Stop an alert until it is resumed")
    @app_commands.describe(alert="The alert (start typing its number)")
    @app_commands.autocomplete(alert=_alert_choices)
    async def alert_pause(self, interaction: discord.Interaction, alert: int) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, alert_id=alert):
            found = await self._get_alert(interaction, alert)
            if found.paused:
                raise UserFacingError(f"Alert #{found.id} is already paused.")
            await self.store.alerts.pause(found.id, f"paused by {interaction.user.name}")
            self._alerts_changed()
        await answer(
            interaction,
            content=f"Paused alert **#{found.id}** (to <#{found.channel_id}>). Articles that "
            "arrive meanwhile are posted when you resume it with `/admin alert resume`.",
            ephemeral=True,
        )

    @alert.command(name="resume", description="Start a paused alert again")
    @app_commands.describe(alert="The alert (start typing its number)")
    @app_commands.autocomplete(alert=_alert_choices)
    async def alert_resume(self, interaction: discord.Interaction, alert: int) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, alert_id=alert):
            found = await self._get_alert(interaction, alert)
            if not found.paused:
                raise UserFacingError(f"Alert #{found.id} is not paused.")
            await self.store.alerts.resume(found.id)
            self._alerts_changed()
        await answer(
            interaction,
            content=f"Resumed alert **#{found.id}** (to <#{found.channel_id}>).",
            ephemeral=True,
        )

    @alert.command(name="preview", description="See which recent articles an alert would post")
    @app_commands.describe(alert="The alert (start typing its number)")
    @app_commands.autocomplete(alert=_alert_choices)
    async def alert_preview(self, interaction: discord.Interaction, alert: int) -> None:
        await defer(interaction, ephemeral=True)
        found = await self._get_alert(interaction, alert)
        items = await self.store.alerts.recent_items(found.feed_id, limit=PREVIEW_SCAN)
        wanted_by = KeywordFilter.of(found.keywords, found.exclude)
        cog = self.bot.get_cog("Alerts")
        matching = []
        for item in items:
            if not await asyncio.to_thread(wanted_by.wants, item.title, item.body):
                continue
            on_topic = found.topic is None or cog is None
            if not on_topic and not await cog.on_topic(found, item):  # type: ignore[union-attr]
                continue
            matching.append(item)
        feeds = {f.id: f for f in await self.store.feeds.all()}
        head = (
            f"Preview of alert **#{found.id}** ({fit(summary_of(found, feeds), 600)}): of the "
            f"{len(items)} newest feed articles, {len(matching)} match."
        )
        if not matching:
            await answer(interaction, content=head + " Only you can see this.", ephemeral=True)
            return
        listed = "\n".join(f"• {fit(i.title, 150)}" for i in matching[:10])
        first = matching[0]
        label = feeds[first.feed_id].label if first.feed_id in feeds else None
        await answer(
            interaction,
            content=fit(
                f"{head} The newest would look like this:\n{listed}\nOnly you can see this.",
                limits.CONTENT,
                render=str,
            ),
            embed=alert_embed(found, first, label),
            ephemeral=True,
        )

    def _alerts_changed(self) -> None:
        cog = self.bot.get_cog("Alerts")
        if cog is not None:
            cog.alerts_changed()  # type: ignore[attr-defined]

    async def _get_alert(self, interaction: discord.Interaction, alert_id: int) -> Alert:
        assert interaction.guild_id is not None
        found = await self.store.alerts.get(interaction.guild_id, alert_id)
        if found is None:
            raise UserFacingError(
                f"This server has no alert #{alert_id}; `/admin alert list` shows them."
            )
        return found


def _by_id(feed: Feed | None) -> dict[int, Feed]:
    return {feed.id: feed} if feed is not None else {}
