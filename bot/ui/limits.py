"""Discord's size limits for messages and embeds, and one place that enforces them.

Builders aim to stay within budget; ``fit_embed`` and ``fit_message`` are the safety net
every message passes through before it is sent, so no article, however long or odd, can
make Discord reject a reply.
"""

from __future__ import annotations

import re

import discord

from bot.ui.text import ELLIPSIS, shorten

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100

_EMPTY_FIELD = "\u200b"
_MARKUP_TOKEN = re.compile(r"\\.|\*\*|\*|\\$", re.DOTALL)


def trim_markdown(text: str, limit: int) -> str:
    """Cut markdown ``text`` to ``limit`` chars at a boundary, leaving no dangling markup.

    Used on text that is already escaped and may hold the bot's own ``**bold**``: a cut
    must not leave a lone backslash, half a bold marker or an unclosed bold behind.
    """
    if len(text) <= limit:
        return text
    if limit <= 3:
        return ELLIPSIS[:limit]
    cut = shorten(text, limit - 2)  # room to close a bold marker
    body = cut[: -len(ELLIPSIS)]
    opened_at: int | None = None
    for match in _MARKUP_TOKEN.finditer(body):
        token = match.group()
        if token == "**":
            opened_at = match.start() if opened_at is None else None
        elif token in ("*", "\\"):  # half a bold marker, or a backslash cut from its char
            body = body[: match.start()]
            break
    if opened_at is not None:
        inside = body[opened_at + 2 :].rstrip()
        body = body[:opened_at] if not inside else body[:opened_at] + "**" + inside + "**"
    return body + ELLIPSIS


def _text(value: object) -> str:
    return "" if value is None else str(value)


def embed_size(embed: discord.Embed) -> int:
    """Characters counted against Discord's 6000-per-message embed budget."""
    return len(embed)


def fit_embed(embed: discord.Embed, budget: int = EMBED_TOTAL) -> discord.Embed:
    """Make ``embed`` obey every per-field limit and fit in ``budget`` characters (in place)."""
    if embed.title:
        embed.title = trim_markdown(_text(embed.title), TITLE)
    if embed.description:
        embed.description = trim_markdown(_text(embed.description), DESCRIPTION)
    if embed.author and embed.author.name:
        embed.set_author(
            name=trim_markdown(embed.author.name, AUTHOR),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    if embed.footer and embed.footer.text:
        embed.set_footer(
            text=trim_markdown(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url
        )
    fields = embed.fields[:FIELDS]
    embed.clear_fields()
    for field in fields:
        name = trim_markdown(_text(field.name), FIELD_NAME)
        value = trim_markdown(_text(field.value), FIELD_VALUE)
        # Discord rejects blank field names and values.
        name = name if name.strip() else _EMPTY_FIELD
        value = value if value.strip() else _EMPTY_FIELD
        embed.add_field(name=name, value=value, inline=bool(field.inline))
    _fit_total(embed, budget)
    return embed


def _fit_total(embed: discord.Embed, budget: int) -> None:
    """Shrink the description, then drop trailing fields, then shorten the rest."""
    excess = embed_size(embed) - budget
    if excess <= 0:
        return
    if embed.description:
        keep = max(0, len(embed.description) - excess)
        embed.description = trim_markdown(embed.description, keep) or None
        excess = embed_size(embed) - budget
    while excess > 0 and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
        excess = embed_size(embed) - budget
    if excess > 0 and embed.footer and embed.footer.text:
        keep = max(0, len(embed.footer.text) - excess)
        embed.set_footer(text=trim_markdown(embed.footer.text, keep) or None)
        excess = embed_size(embed) - budget
    if excess > 0 and embed.author and embed.author.name:
        embed.remove_author()
        excess = embed_size(embed) - budget
    if excess > 0 and embed.title:
        keep = max(1, len(embed.title) - excess)
        embed.title = trim_markdown(embed.title, keep)


def fit_message(
    content: str | None = None, embeds: list[discord.Embed] | None = None
) -> tuple[str | None, list[discord.Embed]]:
    """Content and embeds trimmed to Discord's message limits (≤ 10 embeds, 6000 in all)."""
    if content is not None:
        content = trim_markdown(content, CONTENT)
    kept: list[discord.Embed] = []
    remaining = EMBED_TOTAL
    for embed in (embeds or [])[:EMBEDS]:
        if remaining <= 0:
            break
        fit_embed(embed, remaining)
        remaining -= embed_size(embed)
        kept.append(embed)
    return content, kept
