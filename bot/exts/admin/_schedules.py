"""``/admin schedule …``: digests posted to a channel every day or week."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.digest import ALL_TOPICS
from bot.errors import UserFacingError
from bot.exts._access import audited
from bot.exts._cogs import scheduler_cog
from bot.exts._options import (
    ScheduleOption,
    ScheduleRef,
    ScheduleTopic,
    ScheduleTopicOption,
    TimezoneOption,
    ZoneName,
)
from bot.exts._permissions import missing_permissions, permission_names
from bot.exts.admin._base import AdminBase
from bot.schedule import (
    WEEKDAYS,
    RunNowRefused,
    ScheduleError,
    describe,
    digest_title,
    next_attempt,
    parse_time,
    parse_weekday,
    schedule_digest,
)
from bot.store import Schedule
from bot.ui.admin_embeds import schedule_pages, when
from bot.ui.embeds import scheduled_digest_embed
from bot.ui.limits import CHOICES
from bot.ui.replies import answer, defer, show_pages
from bot.ui.text import fit

MAX_SCHEDULES = CHOICES  # what one autocomplete list can offer

Schedules = app_commands.Transform[ScheduleRef, ScheduleOption]


def cadence_of(every: str | None, day: str | None) -> tuple[str, int | None]:
    """The cadence and weekday from ``every`` and ``day`` (a day alone means weekly)."""
    weekday = parse_weekday(day) if day else None
    cadence = every or ("weekly" if weekday is not None else "daily")
    if cadence == "weekly" and weekday is None:
        raise UserFacingError("A weekly digest needs a day, e.g. `day:monday`.")
    if cadence == "daily" and weekday is not None:
        raise UserFacingError(
            f"A daily digest has no day; use `every:weekly` to post on "
            f"{WEEKDAYS[weekday].title()}s only."
        )
    return cadence, weekday


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class ScheduleCommands(AdminBase):
    """Scheduled digests."""

    schedule = app_commands.Group(name="schedule", description="Digests posted on a timetable")

    # -- commands ----------------------------------------------------------------------

    @schedule.command(name="add", description="Post a digest to a channel every day or week")
    @app_commands.rename(at="time")
    @app_commands.describe(
        channel="Where to post the digest",
        at="Local time, HH:MM in 24-hour form (e.g. 09:00)",
        topic="A topic, or all (the default: the newest articles on every topic)",
        every="daily (the default) or weekly",
        day="The day for a weekly digest",
        timezone="IANA timezone, e.g. Europe/London (default: the server's setting)",
        only_new="Skip a run when nothing new arrived since the last digest",
    )
    @app_commands.choices(
        every=[app_commands.Choice(name=c, value=c) for c in ("daily", "weekly")],
        day=[app_commands.Choice(name=d.title(), value=d) for d in WEEKDAYS],
    )
    async def schedule_add(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        at: str,
        topic: app_commands.Transform[ScheduleTopic, ScheduleTopicOption] | None = None,
        every: str | None = None,
        day: str | None = None,
        timezone: app_commands.Transform[ZoneName, TimezoneOption] | None = None,
        only_new: bool = False,
    ) -> None:
        assert interaction.guild is not None
        # Answer "thinking…" at once: a late answer to a saved schedule invites a retry,
        # and the retry would add the same schedule twice.
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, channel_id=channel.id) as note:
            try:
                local_time = parse_time(at)
            except ScheduleError as error:
                raise UserFacingError(_capital(str(error)) + ".") from None
            cadence, weekday = cadence_of(every, day)
            settings = await self.guild_settings(interaction)
            zone_name = timezone.canonical() if timezone and timezone.text else settings.timezone
            wanted = topic or ScheduleTopic(None)
            name = await wanted.resolve(self.bot, interaction.guild_id)
            me = interaction.guild.me
            missing = missing_permissions(channel, me) if me is not None else []
            if missing:
                raise UserFacingError(
                    f"I can't post in {channel.mention}: I'm missing "
                    f"{permission_names(missing)} there. Give me View Channel, Send Messages "
                    "and Embed Links in that channel, then try again."
                )
            if await self.store.schedules.count(interaction.guild.id) >= MAX_SCHEDULES:
                raise UserFacingError(
                    f"This server already has {MAX_SCHEDULES} schedules, the most it can have; "
                    "remove one with `/admin schedule remove` first."
                )
            now = self.now()
            created = await self.store.schedules.create(
                interaction.guild.id,
                channel_id=channel.id,
                local_time=local_time,
                timezone=zone_name,
                cadence=cadence,
                weekday=weekday,
                topic=name,
                only_new=only_new,
                created_by=interaction.user.id,
                now=now,
            )
            self.schedules_changed()
            note.update(schedule_id=created.id, schedule=describe(created), topic=name)
        only = " (only when something is new)" if only_new else ""
        lines = [
            f"Scheduled digest **#{created.id}**: {fit(name or ALL_TOPICS, 100)} in "
            f"{channel.mention}, {describe(created)}{only}.",
            f"Next run: {when(next_attempt(created, now), settings.timezone)}.",
        ]
        if me is not None and not channel.permissions_for(me).read_message_history:
            lines.append(
                "Tip: give me Read Message History there too, so that after a restart I can "
                "check whether a digest already went out."
            )
        await answer(interaction, content="\n".join(lines), ephemeral=True)

    @schedule.command(name="list", description="This server's scheduled digests and next runs")
    async def schedule_list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await defer(interaction, ephemeral=True)
        schedules = await self.store.schedules.in_guild(interaction.guild_id)
        outcomes = await self.store.ledger.last_outcomes([s.id for s in schedules])
        settings = await self.guild_settings(interaction)
        pages = schedule_pages(schedules, self.now(), settings.timezone, outcomes)
        await show_pages(interaction, pages, ephemeral=True)

    @schedule.command(name="remove", description="Delete a scheduled digest")
    @app_commands.describe(schedule="The schedule (start typing its number or topic)")
    async def schedule_remove(self, interaction: discord.Interaction, schedule: Schedules) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, schedule_id=schedule.id) as note:
            found = await schedule.get(self.store, interaction.guild_id)
            note["schedule"] = describe(found)
            await self.store.schedules.delete(found.guild_id, found.id)
            self.schedules_changed()
        await answer(
            interaction,
            content=f"Removed scheduled digest **#{found.id}** ({_summary(found)}).",
            ephemeral=True,
        )

    @schedule.command(name="pause", description="Stop a scheduled digest until it is resumed")
    @app_commands.describe(schedule="The schedule (start typing its number or topic)")
    async def schedule_pause(self, interaction: discord.Interaction, schedule: Schedules) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, schedule_id=schedule.id):
            found = await schedule.get(self.store, interaction.guild_id)
            if found.paused:
                raise UserFacingError(f"Scheduled digest #{found.id} is already paused.")
            reason = f"paused by {interaction.user.name}"
            await self.store.schedules.pause(found.guild_id, found.id, reason)
            self.schedules_changed()
        await answer(
            interaction,
            content=f"Paused scheduled digest **#{found.id}** ({_summary(found)}). "
            "Resume it with `/admin schedule resume`.",
            ephemeral=True,
        )

    @schedule.command(name="resume", description="Start a paused scheduled digest again")
    @app_commands.describe(schedule="The schedule (start typing its number or topic)")
    async def schedule_resume(self, interaction: discord.Interaction, schedule: Schedules) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, schedule_id=schedule.id):
            found = await schedule.get(self.store, interaction.guild_id)
            if not found.paused:
                raise UserFacingError(f"Scheduled digest #{found.id} is not paused.")
            now = self.now()
            resumed = await self.store.schedules.resume(found.guild_id, found.id, now=now)
            self.schedules_changed()
        settings = await self.guild_settings(interaction)
        await answer(
            interaction,
            content=f"Resumed scheduled digest **#{found.id}** ({_summary(found)}). "
            f"Next run: {when(next_attempt(resumed, now), settings.timezone)}.",
            ephemeral=True,
        )

    @schedule.command(name="preview", description="See the next digest of a schedule, privately")
    @app_commands.describe(schedule="The schedule (start typing its number or topic)")
    async def schedule_preview(self, interaction: discord.Interaction, schedule: Schedules) -> None:
        await defer(interaction, ephemeral=True)
        found = await schedule.get(self.store, interaction.guild_id)
        now = self.now()
        at = next_attempt(found, now) or now
        extra = await self.bot.extra_topics(found.guild_id)
        digest = await schedule_digest(self.store, self.bot.service, found, at, extra)
        settings = await self.guild_settings(interaction)
        embed = scheduled_digest_embed(digest, digest_title(found), None)
        note = f"Preview of scheduled digest **#{found.id}** for {when(at, settings.timezone)}"
        if not digest.points:
            days = settings.digest_days
            note += f": nothing would be posted (no articles in the last {days} days)"
        await answer(interaction, content=note + ". Only you can see this.", embed=embed)

    @schedule.command(name="run-now", description="Post a schedule's digest right now")
    @app_commands.describe(schedule="The schedule (start typing its number or topic)")
    async def schedule_run_now(self, interaction: discord.Interaction, schedule: Schedules) -> None:
        await defer(interaction, ephemeral=True)
        async with audited(self.bot, interaction, schedule_id=schedule.id) as note:
            found = await schedule.get(self.store, interaction.guild_id)
            scheduler = scheduler_cog(self.bot)
            if scheduler is None:
                raise UserFacingError("The scheduler is not running; nothing was posted.")
            try:
                # Claimed in the ledger, posted and completed like any scheduled run.
                outcome = await scheduler.run_now(found.id)
            except RunNowRefused as refused:
                if refused.state == "failed":
                    raise UserFacingError(
                        f"The digest could not be posted: {fit(str(refused), 1500)}."
                    ) from None
                raise UserFacingError(f"Nothing was posted: {fit(str(refused), 1500)}.") from None
            message_id = outcome.message_id
            note["message_id"] = message_id
        link = f"https://discord.com/channels/{found.guild_id}/{found.channel_id}/{message_id}"
        await answer(
            interaction,
            content=f"Posted scheduled digest **#{found.id}** to <#{found.channel_id}>: {link}",
        )


def _summary(schedule: Schedule) -> str:
    topic = fit(schedule.topic or ALL_TOPICS, 100)
    return f"{topic} in <#{schedule.channel_id}>, {describe(schedule)}"
