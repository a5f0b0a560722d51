"""A newsroom server for the /admin tests: a moderator, a member, channels, helpers.

Time in SimCord starts at 2026-01-01 00:00 UTC (a Thursday); the fixture articles are
dated in the last days of 2025, so the default digest window (7 days) holds three of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import simcord
from simcord.backend.models import Overwrite
from simcord.enums import OverwriteType

from bot.app import NewsBot, create_bot
from bot.config import Settings
from bot.service import NewsService
from bot.store import AuditEntry, Schedule

ARTICLES = Path(__file__).parent / "admin_articles"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# The newsroom's server id, listed in LIBRARY_GUILD_IDS so its moderator may change articles.
NEWSROOM_ID = 111_222_333_444_555_666


def copy_articles(folder: Path) -> Path:
    """A private copy of the fixture articles (tests add and remove files)."""
    shutil.copytree(ARTICLES, folder)
    return folder


async def make_bot(settings: Settings) -> NewsBot:
    """A fresh bot process over ``settings`` (its articles and its database file)."""
    service = NewsService.load(settings.articles_dir, max_file_bytes=settings.max_article_bytes)
    return await create_bot(settings, service)


@dataclass
class Newsroom:
    """One guild: #news for digests, #mod-log as the system channel, a moderator and a member."""

    env: simcord.Env
    guild: simcord.GuildHandle
    news: simcord.ChannelHandle
    mod_log: simcord.ChannelHandle
    mod: simcord.MemberActor
    member: simcord.MemberActor
    settings: Settings

    @property
    def bot(self) -> NewsBot:
        return self.env.bot  # type: ignore[return-value]

    # -- commands ------------------------------------------------------------------------

    async def admin(
        self,
        command: str,
        *,
        by: simcord.MemberActor | None = None,
        where: simcord.ChannelHandle | None = None,
        **options: Any,
    ) -> simcord.InteractionResult:
        """``/admin <command>`` as the moderator (or ``by``), in #news (or ``where``)."""
        actor = by or self.mod
        return await actor.slash(where or self.news, f"admin {command}", **options)

    def admin_command_id(self) -> int:
        """The id Discord gave the /admin command (to re-grant it, as a server can)."""
        for scope in self.env.backend.commands.values():
            for (name, _type), command in scope.items():
                if name == "admin":
                    return int(command["id"])
        raise AssertionError("/admin was not synced")

    def grant_admin(self, actor: simcord.MemberActor) -> None:
        """The server lets ``actor`` see /admin despite lacking Manage Server."""
        self.guild.set_command_permissions(self.admin_command_id(), {actor: True})

    # -- what happened -------------------------------------------------------------------

    def bot_posts(self, channel: simcord.ChannelHandle | None = None) -> list[discord.Message]:
        """Messages the bot posted in a channel (not interaction replies)."""
        channel = channel or self.news
        me = self.env.backend.bot_user.id
        return [
            m
            for m in channel.history()
            if m.author.id == me and m.interaction_metadata is None and m.webhook_id is None
        ]

    async def schedules(self) -> list[Schedule]:
        assert self.bot.store is not None
        return await self.bot.store.schedules.in_guild(self.guild.id)

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        assert self.bot.store is not None
        return await self.bot.store.audit.recent(self.guild.id, limit=500, action=action)

    async def restart(self) -> NewsBot:
        """Stop this bot process and start a new one over the same files (the database)."""
        old = self.bot
        await self.env.restart_bot(await make_bot(self.settings))
        await old.close()  # SimCord never closes a bot; closing releases its database
        return self.bot

    def delete_channel(self, channel: simcord.ChannelHandle) -> None:
        """Someone deletes ``channel`` (SimCord has no public builder for it)."""
        self.env.backend.delete_channel(channel.id)

    def deny_bot(self, channel: simcord.ChannelHandle, **permissions: bool) -> None:
        """Someone takes permissions away from the bot in ``channel``."""
        deny = discord.Permissions(**permissions).value
        overwrite = Overwrite(target_id=self.env.backend.bot_user.id, type=OverwriteType.MEMBER)
        overwrite.deny = deny
        self.env.backend.set_overwrite(channel.id, overwrite)

    def stop_scheduler(self) -> None:
        """The running bot stops ticking, as if its process had died (until ``restart``)."""
        self.bot.get_cog("Scheduler").digests.cancel()  # type: ignore[union-attr]
        feeds = self.bot.get_cog("Feeds")
        if feeds is not None:
            feeds.fetch_feeds.cancel()  # type: ignore[attr-defined]
        alerts = self.bot.get_cog("Alerts")
        if alerts is not None:
            alerts.deliver.cancel()  # type: ignore[attr-defined]


def build_newsroom(env: simcord.Env, settings: Settings) -> Newsroom:
    guild = env.create_guild("Newsroom", id=NEWSROOM_ID)
    news = guild.create_text_channel("news")
    mod_log = guild.create_text_channel("mod-log")
    env.backend.edit_guild(guild.id, {"system_channel_id": mod_log.id})
    mods = guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
    mod = guild.add_member(env.create_user("morgan"), roles=[mods])
    member = guild.add_member(env.create_user("avery"))
    return Newsroom(env, guild, news, mod_log, mod, member, settings)


def database_snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table except the audit log (refusals are written there)."""
    with sqlite3.connect(path) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT IN ('audit_log', 'sqlite_sequence')"
            )
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}


def folder_snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too, not the database) with a hash."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("newsbot.db")
    }


def embed_text(message: discord.Message | Any) -> str:
    """All the text of a message's embeds."""
    parts: list[str] = []
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
        parts += [f"{f.name}\n{f.value}" for f in embed.fields]
        parts.append(embed.footer.text or "" if embed.footer else "")
    return "\n".join(parts)
