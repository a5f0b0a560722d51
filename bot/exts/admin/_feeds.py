"""``/admin feed add|list|remove|pause|resume|test``: the feeds the shared library follows.

Feeds belong to the library every server shares, so every change (and ``test``, which
makes the bot fetch an address) needs the same guard as ``/admin article add``: a
moderator of a server in ``LIBRARY_GUILD_IDS``, or the bot's owner. ``add`` fetches the
feed once at once: a feed that cannot be read is not added, and the reply says why. The
first fetch adds the items to the library without marking them as new (no alert flood).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.exts._access import audited, require_library_access
from bot.exts._cogs import FeedsCog, feeds_cog
from bot.exts._options import feed_choices
from bot.exts.admin._base import AdminBase
from bot.feeds.errors import FeedError
from bot.feeds.ingest import FeedPreview, FetchReport, summary_line
from bot.feeds.manage import add_feed, find_feed
from bot.store import Feed, StoreError
from bot.ui import limits
from bot.ui.embeds import COLOUR, NOTICE_COLOUR
from bot.ui.replies import answer, defer, show_pages
from bot.ui.text import fit, safe_url

_log = logging.getLogger(__name__)

FEEDS_PER_PAGE = 8
PREVIEW_ITEMS = 10


# -- embeds ------------------------------------------------------------------------------


def feed_status(feed: Feed) -> str:
    """Paused (why), retrying after failures, or active; with the last and next fetch."""
    if feed.paused:
        return f"⏸ paused: {fit(feed.pause_reason or 'paused', 300)}"
    if feed.failure_count:
        return (
            f"⚠ {feed.failure_count} failed fetch(es) in a row "
            f"({fit(feed.last_error or '', 200)}), "
            f"retrying {discord.utils.format_dt(feed.next_fetch_at, 'R')}"
        )
    last = (
        f"last fetched {discord.utils.format_dt(feed.last_ok_at, 'R')}, "
        if feed.last_ok_at
        else "not fetched yet, "
    )
    return f"active · {last}next {discord.utils.format_dt(feed.next_fetch_at, 'R')}"


def feed_pages(feeds: list[Feed], counts: dict[int, int]) -> list[discord.Embed]:
    """Every feed with its address, interval, articles and status, in pages."""
    if not feeds:
        embed = discord.Embed(
            title="Feeds",
            description="The library follows no feeds yet. Add one with `/admin feed add`.",
            colour=COLOUR,
        )
        return [limits.fit_embed(embed)]
    pages: list[discord.Embed] = []
    for start in range(0, len(feeds), FEEDS_PER_PAGE):
        embed = discord.Embed(title=f"Feeds ({len(feeds)})", colour=COLOUR)
        for feed in feeds[start : start + FEEDS_PER_PAGE]:
            extras = " · full text" if feed.full_text else ""
            embed.add_field(
                name=fit(f"#{feed.id} {feed.label}", limits.FIELD_NAME),
                value=fit(
                    f"{feed.url}\nevery {feed.interval_minutes} min{extras} · "
                    f"{counts.get(feed.id, 0)} articles",
                    500,
                )
                + "\n"
                + feed_status(feed),
                inline=False,
            )
        pages.append(embed)
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        if total > 1:
            page.set_footer(text=f"Page {number}/{total}")
        limits.fit_embed(page)
    return pages


def fetch_embed(title: str, report: FetchReport) -> discord.Embed:
    """The outcome of a fetch a moderator asked for."""
    feed = report.feed
    embed = discord.Embed(
        title=fit(title, limits.TITLE),
        url=safe_url(feed.url),
        description=fit(summary_line(report), 1000),
        colour=NOTICE_COLOUR if report.error else COLOUR,
    )
    embed.add_field(name="Feed", value=fit(f"#{feed.id} {feed.label}", 200), inline=True)
    embed.add_field(name="Interval", value=f"every {feed.interval_minutes} min", inline=True)
    if report.warning:
        embed.add_field(name="Warning", value=fit(report.warning, 500), inline=False)
    samples = [a.title for a in report.upserts[:5]]
    if samples:
        embed.add_field(
            name="Added or updated",
            value=fit("\n".join(f"• {t}" for t in samples), 1000),
            inline=False,
        )
    return limits.fit_embed(embed)


def preview_embed(preview: FeedPreview) -> discord.Embed:
    """What ``/admin feed test`` found: the feed, and the items a fetch would add."""
    new = preview.new_entries
    lines = [f"• {fit(e.title, 150)}" for e in new[:PREVIEW_ITEMS]]
    if len(new) > PREVIEW_ITEMS:
        lines.append(f"… and {len(new) - PREVIEW_ITEMS} more")
    embed = discord.Embed(
        title=fit(f"Test: {preview.title or preview.url}", limits.TITLE),
        url=safe_url(preview.url),
        description=(
            f"{preview.total} items ({preview.kind}); a fetch now would add {len(new)}. "
            "Nothing was added."
        ),
        colour=COLOUR,
    )
    if lines:
        embed.add_field(name="Would be added", value="\n".join(lines)[:1024], inline=False)
    if preview.warning:
        embed.add_field(name="Warning", value=fit(preview.warning, 500), inline=False)
    return limits.fit_embed(embed)


# -- commands ----------------------------------------------------------------------------


class FeedCommands(AdminBase):
    """The library's feeds."""

    feed = app_commands.Group(name="feed", description="Feeds that keep the library current")

    def _feeds_cog(self) -> FeedsCog:
        cog = feeds_cog(self.bot)
        if cog is None:
            raise UserFacingError("Feeds are not running in this bot; ask its operator.")
        return cog

    async def _feed_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await feed_choices(interaction, current)

    async def _feed(self, ref: str) -> Feed:
        try:
            return await find_feed(self.store, ref)
        except StoreError as error:
            raise UserFacingError(f"{str(error)[:1].upper()}{str(error)[1:]}.") from None

    @feed.command(name="add", description="Follow an RSS, Atom or JSON feed")
    @app_commands.describe(
        url="The feed's address (http or https)",
        name="What to call it (default: the feed's own title)",
        interval="Minutes between fetches (default 15, at least 5)",
        full_text="Fetch each new item's page for its full text (for feeds that give teasers)",
    )
    async def feed_add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        name: app_commands.Range[str, 1, 100] | None = None,
        interval: app_commands.Range[int, 5, 10080] = 15,
        full_text: bool = False,
    ) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        cog = self._feeds_cog()
        async with audited(self.bot, interaction, url=url[:300], name=name) as note:
            try:
                feed = await add_feed(
                    self.store,
                    url,
                    now=self.now(),
                    name=name,
                    interval=interval,
                    full_text=full_text,
                    guild_id=interaction.guild_id,
                    added_by=interaction.user.id,
                )
            except FeedError as error:
                raise UserFacingError(f"That feed was not added: {error}.") from None
            report = await cog.fetch_now(feed)
            cog.feeds_changed()
            if report.error:
                await self.store.feeds.remove(feed.id)
                raise UserFacingError(
                    f"That feed was not added: the first fetch failed ({report.error})."
                )
            note.update(feed=feed.id, new=report.new)
        title = f"Following {report.feed.label}"
        await answer(interaction, embed=fetch_embed(title, report), ephemeral=True)

    @feed.command(name="list", description="The feeds the library follows, and how they fare")
    async def feed_list(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        feeds = await self.store.feeds.all()
        counts = await self.store.feeds.article_counts()
        await show_pages(interaction, feed_pages(feeds, counts), ephemeral=True)

    @feed.command(name="remove", description="Stop following a feed and remove its articles")
    @app_commands.describe(feed="The feed (start typing its name, or its #number)")
    @app_commands.autocomplete(feed=_feed_choices)
    async def feed_remove(self, interaction: discord.Interaction, feed: str) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        cog = self._feeds_cog()
        async with audited(self.bot, interaction, feed=feed[:100]) as note:
            found = await self._feed(feed)
            removed, article_ids = await self.store.feeds.remove(found.id)
            await cog.forget(article_ids)
            note.update(feed=removed.id, url=removed.url, articles=len(article_ids))
        await answer(
            interaction,
            content=(
                f"Removed the feed #{removed.id} {fit(removed.label, 200)} and its "
                f"{len(article_ids)} articles."
            ),
            ephemeral=True,
        )

    @feed.command(name="pause", description="Stop fetching a feed for now")
    @app_commands.describe(feed="The feed (start typing its name, or its #number)")
    @app_commands.autocomplete(feed=_feed_choices)
    async def feed_pause(self, interaction: discord.Interaction, feed: str) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        async with audited(self.bot, interaction, feed=feed[:100]):
            found = await self._feed(feed)
            reason = f"paused by {interaction.user.name}"
            paused = await self.store.feeds.set_paused(
                found.id, True, now=self.now(), reason=reason
            )
        await answer(
            interaction,
            content=(
                f"Paused the feed #{paused.id} {fit(paused.label, 200)}; its articles stay in "
                "the library. `/admin feed resume` fetches it again."
            ),
            ephemeral=True,
        )

    @feed.command(name="resume", description="Fetch a paused or failing feed again, now")
    @app_commands.describe(feed="The feed (start typing its name, or its #number)")
    @app_commands.autocomplete(feed=_feed_choices)
    async def feed_resume(self, interaction: discord.Interaction, feed: str) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        cog = self._feeds_cog()
        async with audited(self.bot, interaction, feed=feed[:100]) as note:
            found = await self._feed(feed)
            resumed = await self.store.feeds.set_paused(found.id, False, now=self.now())
            report = await cog.fetch_now(resumed)
            cog.feeds_changed()
            note.update(feed=found.id, result=summary_line(report))
        await answer(
            interaction, embed=fetch_embed(f"Resumed {resumed.label}", report), ephemeral=True
        )

    @feed.command(name="test", description="Fetch a feed once and show what would be added")
    @app_commands.describe(url="A feed address, or a followed feed (its #number or name)")
    @app_commands.autocomplete(url=_feed_choices)
    async def feed_test(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        await defer(interaction, ephemeral=True)
        await require_library_access(self.bot, interaction)
        cog = self._feeds_cog()
        address = url.strip()
        if "://" not in address:
            address = (await self._feed(address)).url
        async with audited(self.bot, interaction, url=address[:300]):
            try:
                preview = await cog.ingestor.preview(address)
            except FeedError as error:
                raise UserFacingError(f"That feed cannot be read: {error}.") from None
        await answer(interaction, embed=preview_embed(preview), ephemeral=True)
