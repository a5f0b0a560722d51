"""Posting in a guild's channels, shared by the extensions that post on their own (scheduled
digests, alerts, feed notices): Discord's errors as the runner's, public notices, and the
channel a notice goes to. Not an extension."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.schedule import ChannelGone, MissingAccess, NothingToPost, PosterError, TransientError
from bot.ui.limits import CONTENT
from bot.ui.text import ZWSP, escape, fit

if TYPE_CHECKING:
    from discord.ext import commands

    from bot.store import AuditResult, Store

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


def notice_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """The system channel (or public updates channel) the bot may post a notice in."""
    me = guild.me
    for channel in (guild.system_channel, guild.public_updates_channel):
        if channel is None or me is None:
            continue
        allowed = channel.permissions_for(me)
        if allowed.view_channel and allowed.send_messages:
            return channel
    return None


async def notify_moderators(
    bot: commands.Bot,
    store: Store,
    guild_id: int,
    message: str,
    *,
    action: str,
    details: dict[str, object] | None = None,
    text: str | None = None,
) -> None:
    """Tell a server's moderators (system or public updates channel) and audit it as
    ``action``; ``text`` is what is posted when ``message`` is already made safe."""
    guild = bot.get_guild(guild_id)
    target = notice_channel(guild) if guild is not None else None
    recorded: dict[str, object] = {**(details or {}), "message": message}
    result: AuditResult = "error"
    if target is None:
        recorded["delivered"] = "no system or public updates channel the bot can post in"
    else:
        try:
            await target.send(
                notice_text(message) if text is None else text,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            recorded["delivered"] = f"Discord refused the notice: {error.status} {error.text}"
        else:
            recorded["channel_id"] = target.id
            result = "ok"
    await store.audit.record(
        guild_id,
        None,
        action,
        details=recorded,
        result=result,
        now=discord.utils.utcnow(),  # the clock the bot runs on (simulated in tests)
    )
