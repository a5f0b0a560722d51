"""A ◀ ▶ button paginator only its owner can turn, which removes itself on timeout."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.text import fit

_log = logging.getLogger(__name__)

PAGE_TIMEOUT = 180.0


class Paginator(discord.ui.View):
    """Turns through ``pages`` (embeds) for ``owner``; others get a polite refusal."""

    def __init__(
        self,
        pages: Sequence[discord.Embed],
        owner: discord.abc.User,
        *,
        timeout: float | None = PAGE_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("a paginator needs at least one page")
        self.pages = list(pages)
        self.index = 0
        self.owner_id = owner.id
        self.owner_name = owner.display_name
        # The message showing the pages; set by whoever sends it, so a timeout can edit it.
        self.message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None
        self.message = None
        self._sync_buttons()

    @property
    def page(self) -> discord.Embed:
        """The page being shown."""
        return self.pages[self.index]

    def _sync_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        callback = await interaction.response.edit_message(embed=self.page, view=self)
        # Editing through the newest interaction keeps working after the first one's
        # 15-minute token has expired.
        if isinstance(callback.resource, discord.InteractionMessage):
            self.message = callback.resource

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, _button: Any) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction, _button: Any) -> None:
        await self._show(interaction, self.index + 1)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        name = fit(self.owner_name, 80)
        await interaction.response.send_message(
            f"Only {name} can turn these pages. Run the command yourself to get your own.",
            ephemeral=True,
        )
        return False

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException as error:  # deleted message or expired token
            _log.debug("could not remove the page buttons: %s", error)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        from bot.errors import report_error  # the one place errors are told and logged

        await report_error(interaction, error)
