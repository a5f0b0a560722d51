"""Answering an interaction the same way everywhere: defer, then show text or pages.

Two facts about an interaction are kept in ``interaction.extras`` so the error handler can
answer correctly later: whether the defer was ephemeral, and whether the deferred
"thinking…" message has been replaced by an answer yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.ui.acks import acknowledged
from bot.ui.limits import CONTENT, fit_embed, trim_markdown
from bot.ui.paginator import PAGE_TIMEOUT, Paginator
from bot.ui.text import escape, shorten
from bot.ui.views import AnyMessage

EPHEMERAL = "newsbot.ephemeral"
ANSWERED = "newsbot.answered"

PRIVATE_NOTE = "Answered privately."


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge now ("thinking…") so slow work cannot miss Discord's 3-second deadline."""
    interaction.extras[EPHEMERAL] = ephemeral
    try:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    finally:
        acknowledged(interaction)


async def answer(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
    followup: bool = False,
) -> AnyMessage | None:
    """Reply with ``content``/``embed`` (fitted to Discord's limits) and an optional view.

    Replaces the deferred response when there is one, responds otherwise, or sends a new
    message when ``followup`` is set. Returns the message when one is known.
    """
    if content is not None:
        content = trim_markdown(content, CONTENT)
    if embed is not None:
        fit_embed(embed)
    kwargs: dict[str, Any] = {}
    if content is not None:
        kwargs["content"] = content
    if embed is not None:
        kwargs["embed"] = embed
    if followup:
        if view is not None:
            kwargs["view"] = view
        return await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
    if interaction.response.is_done():
        message = await interaction.edit_original_response(view=view, **kwargs)
        interaction.extras[ANSWERED] = True
        return message
    if view is not None:
        kwargs["view"] = view
    interaction.extras[EPHEMERAL] = ephemeral
    try:
        callback = await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
    finally:
        acknowledged(interaction)
    interaction.extras[ANSWERED] = True
    resource = callback.resource
    return resource if isinstance(resource, discord.InteractionMessage) else None


async def show_pages(
    interaction: discord.Interaction,
    pages: Sequence[discord.Embed],
    *,
    ephemeral: bool = False,
    followup: bool = False,
    timeout: float | None = PAGE_TIMEOUT,
) -> None:
    """Answer with the first of ``pages``, and ◀ ▶ buttons for its owner when there are more."""
    view = Paginator(pages, interaction.user, timeout=timeout) if len(pages) > 1 else None
    message = await answer(
        interaction, embed=pages[0], view=view, ephemeral=ephemeral, followup=followup
    )
    if view is not None:
        view.message = message


async def answer_privately(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
) -> None:
    """Show ``content``/``embed`` to the member only, however far the interaction has got.

    After a public defer the first follow-up would replace the public "thinking…"
    message, so that message is completed, the answer sent privately, and it is removed.
    Raises ``discord.HTTPException`` when Discord refuses.
    """
    if interaction.type is discord.InteractionType.autocomplete:
        return  # autocomplete cannot show a message; it answers with choices or nothing
    if content is not None:
        content = trim_markdown(content, CONTENT)
    if embed is not None:
        fit_embed(embed)
    kwargs: dict[str, Any] = {"content": content}
    if embed is not None:
        kwargs["embed"] = embed
    response = interaction.response
    try:
        if not response.is_done():
            interaction.extras[EPHEMERAL] = True
            await response.send_message(ephemeral=True, **kwargs)
        elif (
            response.type is discord.InteractionResponseType.deferred_channel_message
            and not interaction.extras.get(ANSWERED)
        ):
            if interaction.extras.get(EPHEMERAL):  # the private "thinking…" becomes it
                embeds = [embed] if embed is not None else []
                await interaction.edit_original_response(content=content, embeds=embeds, view=None)
            else:
                # The public loading message must be completed; it says nothing and goes.
                await interaction.edit_original_response(content=PRIVATE_NOTE, embeds=[], view=None)
                await interaction.followup.send(ephemeral=True, **kwargs)
                await interaction.delete_original_response()
        else:
            await interaction.followup.send(ephemeral=True, **kwargs)
        interaction.extras[ANSWERED] = True
    finally:
        acknowledged(interaction)


def library_loading(done: int, total: int) -> str:
    """What commands answer while the bot loads its articles."""
    if total == 0:
        return "The library is loading; try again in a moment."
    unit = "file" if total == 1 else "files"
    return f"The library is loading ({done:,} of {total:,} {unit}); try again in a moment."


def library_failed(reason: str) -> str:
    """What commands answer when the articles could not be loaded at start-up."""
    return (
        f"The library could not be loaded ({escape(shorten(reason, 300))}); it is tried "
        "again every few minutes, and a moderator can find why in the bot's log."
    )
