"""What Discord would accept and how it would read the bot's markdown, written from the
API documentation independently of the code under test."""

from __future__ import annotations

import re
from typing import Any

import discord

ZWSP = "\u200b"


def embed_problems(embeds: list[dict[str, Any]] | list[discord.Embed]) -> list[str]:
    """Every way ``embeds`` break Discord's documented limits (empty list: none)."""
    problems: list[str] = []
    dicts = [e.to_dict() if isinstance(e, discord.Embed) else e for e in embeds]
    if len(dicts) > 10:
        problems.append(f"{len(dicts)} embeds > 10")
    total = 0
    for i, embed in enumerate(dicts):
        texts = [
            ("title", embed.get("title"), 256),
            ("description", embed.get("description"), 4096),
            ("footer", (embed.get("footer") or {}).get("text"), 2048),
            ("author", (embed.get("author") or {}).get("name"), 256),
        ]
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"embed {i}: {len(fields)} fields > 25")
        for j, field in enumerate(fields):
            texts.append((f"field {j} name", field.get("name"), 256))
            texts.append((f"field {j} value", field.get("value"), 1024))
            for key in ("name", "value"):
                if not str(field.get(key) or "").strip():
                    problems.append(f"embed {i}: field {j} {key} is blank")
        for name, text, limit in texts:
            if text is None:
                continue
            if len(text) > limit:
                problems.append(f"embed {i}: {name} has {len(text)} > {limit}")
            total += len(text)
    if total > 6000:
        problems.append(f"embeds total {total} > 6000")
    return problems


_TOKEN = re.compile(r"\\(.)|(\*\*)|(.)", re.DOTALL)


def read_markdown(rendered: str) -> tuple[str, set[int]]:
    """The plain text a reader sees and the positions (in it) shown in bold.

    Understands only what the bot writes into article text: backslash escapes and
    ``**bold**``; zero-width spaces are invisible. Raises if a bold marker is unclosed or
    a backslash dangles.
    """
    plain: list[str] = []
    bold: set[int] = set()
    inside = False
    for match in _TOKEN.finditer(rendered):
        escaped, marker, char = match.groups()
        if marker:
            inside = not inside
            continue
        text = escaped if escaped is not None else char
        if text == "\\" and escaped is None:
            raise AssertionError(f"dangling backslash in {rendered!r}")
        if text == ZWSP:
            continue
        if inside:
            bold.add(len(plain))
        plain.append(text)
    if inside:
        raise AssertionError(f"unclosed bold in {rendered!r}")
    return "".join(plain), bold


def has_unescaped_markup(rendered: str) -> bool:
    """True when a markdown character other than the bot's bold markers is not escaped."""
    return any(bool(char) and char in "*_~|`[]" for _e, _m, char in _TOKEN.findall(rendered))


def pings_or_pills(rendered: str) -> bool:
    """True when the text would show a mention pill or ping (@everyone, <@1>, <@&1>, <#1>)."""
    return bool(re.search(r"@(everyone|here)|<[@#][!&]?\d+>", rendered))
