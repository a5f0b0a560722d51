"""Article and topic options: autocomplete from the fuzzy core, and resolving what was typed.

Autocomplete must answer at once with at most 25 choices whose names are 1–100 characters
and whose values are valid, whatever the articles are called.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

from bot.ui.limits import CHOICE_NAME, CHOICE_VALUE, CHOICES
from bot.ui.text import shorten

if TYPE_CHECKING:
    from bot.app import NewsBot
    from bot.corpus.model import Article
    from bot.service import NewsService

_log = logging.getLogger(__name__)

T = TypeVar("T")

# Discord drops an autocomplete answer after 3 s; past this the member gets no choices
# rather than a stalled bot (the scoring runs in a thread, never on the event loop).
AUTOCOMPLETE_SECONDS = 2.5


async def off_loop(work: Callable[[], list[T]], timeout: float = AUTOCOMPLETE_SECONDS) -> list[T]:
    """``work()`` in a thread, or ``[]`` when it takes longer than ``timeout`` seconds."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), timeout)
    except TimeoutError:
        _log.warning("autocomplete took over %.1f s; answered with no choices", timeout)
        return []


def to_choices(
    pairs: Iterable[tuple[str, str]], limit: int = CHOICES
) -> list[app_commands.Choice[str]]:
    """Discord-valid choices from ``(value, label)`` pairs: unique, non-empty, short enough."""
    choices: list[app_commands.Choice[str]] = []
    seen: set[str] = set()
    for value, label in pairs:
        if not value or len(value) > CHOICE_VALUE or value in seen:
            continue
        name = shorten(" ".join(str(label).split()) or value, CHOICE_NAME)
        if not name.strip():
            name = shorten(value, CHOICE_NAME)
        seen.add(value)
        choices.append(app_commands.Choice(name=name, value=value))
        if len(choices) >= limit:
            break
    return choices


async def article_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Articles whose headline is close to what the member has typed."""
    bot: NewsBot = interaction.client  # type: ignore[assignment]
    try:
        service = bot.service
        found = await off_loop(lambda: service.complete_articles(current[:200], limit=CHOICES))
        return to_choices(found)
    except Exception:
        _log.exception("article autocomplete failed for %r", current[:200])
        return []


async def topic_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Topics (with article counts) close to what the member has typed."""
    bot: NewsBot = interaction.client  # type: ignore[assignment]
    try:
        extra = await bot.extra_topics(interaction.guild_id)
        service = bot.service
        found = await off_loop(lambda: service.complete_topics(current[:200], extra, limit=CHOICES))
        return to_choices(found)
    except Exception:
        _log.exception("topic autocomplete failed for %r", current[:200])
        return []


def resolve_article(service: NewsService, text: str) -> tuple[Article | None, list[str]]:
    """The article ``text`` names (an id from autocomplete, or a headline typed out).

    Returns the article, or ``None`` and up to three headlines that come close.
    """
    wanted = " ".join(text.split())
    found = service.article(wanted) or service.article(text)
    if found is not None:
        return found, []
    folded = wanted.casefold()
    for article in service.articles.values():
        if " ".join(article.title.split()).casefold() == folded:
            return article, []
    close = [label for _value, label in service.complete_articles(wanted[:200], limit=3)]
    return None, close
