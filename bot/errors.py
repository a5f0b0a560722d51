"""The one error handler for slash commands and buttons.

Members see a short ephemeral message in plain words, never a traceback, whether or not
the interaction was already answered; the log gets the details with the interaction's
context (command, user, guild, channel, options).
"""

from __future__ import annotations

import contextlib
import logging
import math
from typing import Any

import discord
from discord import app_commands

from bot.ui.acks import AckFirst
from bot.ui.replies import answer_privately
from bot.ui.text import shorten

_log = logging.getLogger(__name__)

UNEXPECTED = "Sorry, something went wrong on my side. It has been logged; please try again later."


class UserFacingError(app_commands.AppCommandError):
    """A problem with what the member asked for; ``str(error)`` is shown to them as is.

    Raise it from a command (before or after deferring) with a message that says what was
    wrong and what to do instead.
    """


def describe(error: BaseException) -> tuple[str, bool]:
    """The message a member sees for ``error``, and whether the error was expected."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserFacingError):
        return str(error), True
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = max(1, math.ceil(error.retry_after))
        return f"You're going a bit fast: try again in {seconds} s.", True
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server, not in direct messages.", True
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"You need the {needed} permission to do that.", True
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I need the {needed} permission here to do that.", True
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't understand {shorten(str(error.value), 100)!r} there.", True
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here.", True
    return UNEXPECTED, False


def interaction_context(interaction: discord.Interaction) -> dict[str, Any]:
    """Who did what where, for the log (option values shortened; never a token)."""
    command = interaction.command
    options = {name: shorten(str(value), 200) for name, value in iter(interaction.namespace)}
    custom_id = (interaction.data or {}).get("custom_id") if interaction.data else None
    return {
        "command": command.qualified_name if command else None,
        "component": custom_id,
        "user_id": interaction.user.id if interaction.user else None,
        "guild_id": interaction.guild_id,
        "channel_id": interaction.channel_id,
        "options": options,
    }


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Log ``error`` with its context and tell the member in a short ephemeral message."""
    message, expected = describe(error)
    context = interaction_context(interaction)
    if expected:
        _log.debug("refused %s: %s", context, message)
    else:
        original = getattr(error, "original", error)
        _log.error(
            "command failed: %s",
            context,
            exc_info=(type(original), original, original.__traceback__),
        )
    await tell(interaction, message)


async def tell(interaction: discord.Interaction, message: str) -> None:
    """Send ``message`` to the member only, however far the interaction has got."""
    try:
        await answer_privately(interaction, content=message)
    except discord.HTTPException as failure:  # expired token, deleted message, outage
        _log.warning("could not tell user %s about an error: %s", interaction.user.id, failure)


class NewsTree(app_commands.CommandTree):
    """The command tree with newsbot's error handler; it numbers every interaction on
    arrival for the bot's ``AckFirst`` and lets it go once the command has finished."""

    def _from_interaction(self, interaction: discord.Interaction) -> None:
        acks = getattr(self.client, "acks", None)
        if not isinstance(acks, AckFirst):
            super()._from_interaction(interaction)
            return
        acks.arrived(interaction.extras)

        # discord.py's own wrapper, plus the release when the command is done.
        async def invoke() -> None:
            try:
                await self._call(interaction)
            except app_commands.AppCommandError as error:
                await self._dispatch_error(interaction, error)
            finally:
                acks.acknowledged(interaction.extras)

        self.client.loop.create_task(invoke(), name="CommandTree-invoker")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every command (and autocomplete) waits for the library: while the articles
        load, a command is answered privately with how far the load has got, and
        suggestions are empty."""
        notice = getattr(self.client, "loading_notice", None)
        message = notice() if callable(notice) else None
        if message is None:
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            with contextlib.suppress(discord.HTTPException):
                await interaction.response.autocomplete([])
        else:
            await tell(interaction, message)
        return False

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Commands' errors, and (through ``bot.ui.views.NewsView``) buttons' errors."""
        await report_error(interaction, error)
