"""A ◀ ▶ button paginator only its owner can turn, which removes itself on timeout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.text import fit
from bot.ui.views import NewsView

PAGE_TIMEOUT = 180.0


class Paginator(NewsView):
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
        resource = callback.resource if callback is not None else None
        if isinstance(resource, discord.InteractionMessage):
            self.message = resource

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
