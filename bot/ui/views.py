"""``NewsView``: the base of every view the bot sends (buttons that outlive one answer).

It keeps the message it is shown on, removes its buttons from that message when it times
out, and hands a failing button to the command tree's error handler, so a member sees the
same short private message as for a failing command (``bot.errors.NewsTree``).
"""

from __future__ import annotations

import logging
from typing import Any

import discord

_log = logging.getLogger(__name__)

AnyMessage = discord.Message | discord.InteractionMessage | discord.WebhookMessage


class NewsView(discord.ui.View):
    """A view that removes itself on timeout and reports errors through the tree."""

    def __init__(self, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        # The message showing the view; set by whoever sends it, so a timeout can edit it.
        self.message: AnyMessage | None = None

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException as error:  # deleted message or expired token
            _log.debug("could not remove the buttons of %s: %s", type(self).__name__, error)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        # The tree's handler is the one place errors are told and logged; looked up on the
        # client so that this module needs nothing from ``bot.errors``.
        tree = getattr(interaction.client, "tree", None)
        if tree is None:
            await super().on_error(interaction, error, item)
            return
        await tree.on_error(interaction, error)
