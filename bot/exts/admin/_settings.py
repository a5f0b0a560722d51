"""``/admin settings``, ``/admin stats`` and ``/admin audit``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.exts._access import audited, require_manage_guild
from bot.exts._options import TimezoneOption, ZoneName
from bot.exts.admin._base import AdminBase
from bot.limits import MAX_DIGEST_DAYS, MAX_DIGEST_POINTS, MIN_DIGEST_DAYS, MIN_DIGEST_POINTS
from bot.schedule import next_attempt
from bot.ui.admin_embeds import AUDIT_PAGE_SIZE, StatsView, audit_pages, settings_embed, stats_embed
from bot.ui.replies import answer, defer, show_pages

AUDIT_ENTRIES = 200  # how far back /admin audit pages


class SettingsCommands(AdminBase):
    """Server settings, bot statistics and the audit log."""

    @app_commands.command(name="settings", description="See or change this server's settings")
    @app_commands.describe(
        moderator_role="Members with this role may use /admin (besides Manage Server)",
        clear_moderator_role="Stop giving a role /admin access (Manage Server still works)",
        timezone="The server's timezone for schedules, e.g. Europe/London",
        digest_points=f"Points in a scheduled digest ({MIN_DIGEST_POINTS}–{MAX_DIGEST_POINTS})",
        digest_days=f"How many days back a scheduled digest looks ({MIN_DIGEST_DAYS}–"
        f"{MAX_DIGEST_DAYS})",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        moderator_role: discord.Role | None = None,
        timezone: app_commands.Transform[ZoneName, TimezoneOption] | None = None,
        digest_points: app_commands.Range[int, MIN_DIGEST_POINTS, MAX_DIGEST_POINTS] | None = None,
        digest_days: app_commands.Range[int, MIN_DIGEST_DAYS, MAX_DIGEST_DAYS] | None = None,
        clear_moderator_role: bool = False,
    ) -> None:
        assert interaction.guild is not None
        await defer(interaction, ephemeral=True)
        guild = interaction.guild
        changes: dict[str, Any] = {}
        given = (moderator_role, timezone, digest_points, digest_days)
        if moderator_role is not None or clear_moderator_role:
            # Who counts as a moderator is Manage Server's to decide, not the role's own.
            await require_manage_guild(self.bot, interaction)
        if all(value is None for value in given) and not clear_moderator_role:
            current = await self.guild_settings(interaction)
            await answer(interaction, embed=settings_embed(current, guild), ephemeral=True)
            return
        async with audited(self.bot, interaction) as note:
            if moderator_role is not None and clear_moderator_role:
                raise UserFacingError(
                    "Give either `moderator_role` or `clear_moderator_role`, not both."
                )
            if moderator_role is not None:
                if moderator_role.is_default():
                    raise UserFacingError(
                        "@everyone cannot be the moderator role: pick a role only moderators have."
                    )
                changes["moderator_role_id"] = moderator_role.id
            if clear_moderator_role:
                changes["moderator_role_id"] = None
            if timezone is not None:
                changes["timezone"] = timezone.canonical()
            if digest_points is not None:
                changes["digest_limit"] = digest_points
            if digest_days is not None:
                changes["digest_days"] = digest_days
            before = await self.guild_settings(interaction)
            after = await self.store.guilds.update(guild.id, now=self.now(), **changes)
            note.update({name: [getattr(before, name), getattr(after, name)] for name in changes})
        await answer(
            interaction,
            content="Settings saved.",
            embed=settings_embed(after, guild),
            ephemeral=True,
        )

    @app_commands.command(name="stats", description="Library, search speed, uptime, next digests")
    async def stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await defer(interaction, ephemeral=True)
        service = self.bot.service
        articles = service.articles
        sentences = await asyncio.to_thread(
            lambda: sum(len(a.sentences) for a in articles.values())
        )
        index = await asyncio.to_thread(service.index.stats)
        now = self.now()
        schedules = await self.store.schedules.in_guild(interaction.guild_id)
        upcoming = sorted(
            (
                (moment, schedule)
                for schedule in schedules
                if (moment := next_attempt(schedule, now)) is not None
            ),
            key=lambda pair: (pair[0], pair[1].id),  # Schedules themselves do not compare
        )
        settings = await self.guild_settings(interaction)
        shown = [schedule for _moment, schedule in upcoming[:5]]
        last_runs = await self.store.ledger.last_outcomes([s.id for s in shown])
        view = StatsView(
            articles=len(articles),
            sentences=sentences,
            rejected=len(service.rejected),
            index=index,
            search=self.bot.search_latency.summary(),
            uptime_seconds=max(0.0, time.monotonic() - self.bot.started_at),
            upcoming=[(moment, schedule) for moment, schedule in upcoming[:5]],
            timezone=settings.timezone,
            guilds=len(self.bot.guilds),
            last_runs=last_runs,
        )
        await answer(interaction, embed=stats_embed(view), ephemeral=True)

    @app_commands.command(name="audit", description="Recent admin actions in this server")
    @app_commands.describe(action="Only this action, e.g. schedule.add (optional)")
    async def audit(self, interaction: discord.Interaction, action: str | None = None) -> None:
        assert interaction.guild_id is not None
        await defer(interaction, ephemeral=True)
        wanted = " ".join(action.split()).replace(" ", ".") if action else None
        entries = await self.store.audit.recent(
            interaction.guild_id, limit=AUDIT_ENTRIES, action=wanted or None
        )
        settings = await self.guild_settings(interaction)
        pages = audit_pages(entries, settings.timezone, per_page=AUDIT_PAGE_SIZE, action=wanted)
        await show_pages(interaction, pages, ephemeral=True)
