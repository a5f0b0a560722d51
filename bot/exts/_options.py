"""What members type into options: autocomplete and conversion together, in one place.

Each kind of option (an article, a topic, a server's schedule topic, a timezone, a
schedule) is an ``app_commands.Transformer``: its ``autocomplete`` offers choices from the
fuzzy core, and its ``transform`` turns what was typed into a small typed value. Checks
that cost nothing (a blank or over-long topic) refuse at once; a lookup that reads the
library or the database (``ArticleName.find``, ``ScheduleRef.get``, …) runs when the
command calls it, after it has deferred, inside its audit trail, and off the event loop.
Commands annotate an option as ``app_commands.Transform[ArticleName, ArticleOption]``.

Autocomplete must answer at once with at most 25 choices whose names are 1–100 characters
and whose values are valid, whatever the articles are called.
"""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.digest import ALL_TOPICS
from bot.errors import UserFacingError
from bot.exts._access import moderator_choices
from bot.limits import MAX_TOPIC_CHARS
from bot.schedule import (
    MAX_TYPED_CHARS,
    ScheduleError,
    describe,
    parse_timezone,
    suggest_timezones,
)
from bot.search import complete
from bot.store import Schedule, StoreError
from bot.ui.limits import CHOICE_NAME, CHOICE_VALUE, CHOICES
from bot.ui.text import fit, shorten

if TYPE_CHECKING:
    from bot.app import NewsBot
    from bot.corpus.model import Article
    from bot.service import NewsService
    from bot.store import Store

_log = logging.getLogger(__name__)

T = TypeVar("T")

# Discord drops an autocomplete answer after 3 s; past this the member gets no choices
# rather than a stalled bot (the scoring runs in a thread, never on the event loop).
AUTOCOMPLETE_SECONDS = 2.5
# What a moderator may type for "every topic" in a schedule.
ALL_WORDS = frozenset({"all", "all topics", "*", "everything"})
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Africa/Nairobi",
)


async def off_loop(work: Callable[[], list[T]], timeout: float | None = None) -> list[T]:
    """``work()`` in a thread, or ``[]`` when it takes longer than ``timeout`` seconds
    (``AUTOCOMPLETE_SECONDS`` unless given)."""
    limit = AUTOCOMPLETE_SECONDS if timeout is None else timeout
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), limit)
    except TimeoutError:
        _log.warning("autocomplete took over %.1f s; answered with no choices", limit)
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


def _bot(interaction: discord.Interaction) -> NewsBot:
    return interaction.client  # type: ignore[return-value]  # every tree here is NewsBot's


async def article_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Articles whose headline is close to what the member has typed."""
    bot = _bot(interaction)
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
    bot = _bot(interaction)
    try:
        extra = await bot.extra_topics(interaction.guild_id)
        service = bot.service
        found = await off_loop(lambda: service.complete_topics(current[:200], extra, limit=CHOICES))
        return to_choices(found)
    except Exception:
        _log.exception("topic autocomplete failed for %r", current[:200])
        return []


async def feed_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The library's feeds, by number or by name, for a moderator."""
    if not await moderator_choices(interaction):
        return []
    try:
        feeds = await _bot(interaction).store.feeds.all()
    except StoreError:
        _log.exception("feed autocomplete failed")
        return []
    options = [
        (str(f.id), fit(f"#{f.id} {f.label} ({f.url})", CHOICE_NAME, render=str))
        for f in feeds
    ]
    typed = current.strip().lstrip("#")
    if typed.isdigit():
        picked = [(value, label) for value, label in options if value.startswith(typed)]
    else:
        picked = complete(typed, options, limit=CHOICES)
    return [app_commands.Choice(name=label, value=value) for value, label in picked[:CHOICES]]


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


def no_article_message(text: str, close: list[str]) -> str:
    """What a member sees when the article they named does not exist."""
    message = f"There is no article “{fit(text, 100)}”."
    if close:
        message += " Did you mean: " + "; ".join(f"“{fit(t, 100)}”" for t in close) + "?"
    return message + " Pick one from the suggestions as you type."


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Timezone names for what was typed (common ones first when nothing was)."""
    text = current.strip()
    if not text:
        return [app_commands.Choice(name=z, value=z) for z in COMMON_ZONES]
    if len(text) > MAX_TYPED_CHARS:
        return []  # longer than any zone name: nothing to match, and no work spent on it
    names = [(z, z) for z in _zone_names()]
    picked = complete(text.replace(" ", "_"), names, limit=CHOICES)
    if not picked:
        picked = [(z, z) for z in suggest_timezones(text, limit=5)]
    return to_choices(picked)


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- typed values ------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleName:
    """An article as typed: an id picked from autocomplete, or a headline typed out."""

    text: str

    @property
    def given(self) -> bool:
        """Whether anything but blanks was typed."""
        return bool(self.text.strip())

    def find(self, service: NewsService) -> Article:
        """The article named, or a ``UserFacingError`` with close headlines (run it in a
        thread: a miss scores every headline)."""
        found, close = resolve_article(service, self.text)
        if found is None:
            raise UserFacingError(no_article_message(self.text, close))
        return found


@dataclass(frozen=True)
class ScheduleTopic:
    """A schedule's topic as typed; ``name`` is ``None`` for "all topics"."""

    name: str | None

    async def resolve(self, bot: NewsBot, guild_id: int | None) -> str | None:
        """The canonical name of the topic meant (``None``: all), or a refusal with
        suggestions."""
        name = self.name
        if name is None:
            return None
        extra = await bot.extra_topics(guild_id)
        service = bot.service
        resolved = await asyncio.to_thread(service.topic_model.resolve, name, extra)
        if resolved is not None:
            return resolved.name
        found = await asyncio.to_thread(service.complete_topics, name[:200], extra, 3)
        close = [topic for topic, _label in found]
        hint = f" Did you mean {', '.join(f'“{fit(c, 80)}”' for c in close)}?" if close else ""
        raise UserFacingError(
            f"There is no topic “{fit(name, 100)}”.{hint} Pick one from the suggestions, "
            "leave `topic` out for all topics, or make a server topic with `/admin topic add`."
        )


@dataclass(frozen=True)
class ZoneName:
    """A timezone as typed."""

    text: str

    def canonical(self) -> str:
        """The IANA name meant, or a ``UserFacingError`` with suggestions."""
        try:
            return parse_timezone(self.text).key
        except ScheduleError as error:
            raise UserFacingError(_capital(str(error))) from None


@dataclass(frozen=True)
class ScheduleRef:
    """A schedule's number as picked or typed."""

    id: int

    async def get(self, store: Store, guild_id: int | None) -> Schedule:
        """This server's schedule with that number, or a ``UserFacingError``."""
        assert guild_id is not None  # /admin is guild-only
        found = await store.schedules.get(guild_id, self.id)
        if found is None:
            raise UserFacingError(
                f"This server has no scheduled digest #{self.id}; "
                "`/admin schedule list` shows them."
            )
        return found


# -- transformers ------------------------------------------------------------------------


class ArticleOption(app_commands.Transformer):
    """An article: headlines close to what is typed; the value is an ``ArticleName``."""

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> ArticleName:
        return ArticleName(str(value))

    async def autocomplete(  # type: ignore[override]  # discord.py's is loosely typed
        self, interaction: discord.Interaction, value: Any, /
    ) -> list[app_commands.Choice[str]]:
        return await article_choices(interaction, str(value))


class TopicOption(app_commands.Transformer):
    """A topic for ``/digest``: its name with blanks folded, refused at once when blank
    or longer than any topic."""

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        name = " ".join(str(value).split())
        if not name:
            raise UserFacingError("Name a topic, e.g. `/digest topic:economy`; /topics lists them.")
        if len(name) > MAX_TOPIC_CHARS:
            raise UserFacingError(
                f"Topic names are at most {MAX_TOPIC_CHARS} characters; "
                "pick one from the suggestions or from /topics."
            )
        return name

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: Any, /
    ) -> list[app_commands.Choice[str]]:
        return await topic_choices(interaction, str(value))


class ScheduleTopicOption(app_commands.Transformer):
    """A schedule's topic: the topics, and "all" (the newest articles on every topic)."""

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> ScheduleTopic:
        name = " ".join(str(value or "").split())
        return ScheduleTopic(None if not name or name.casefold() in ALL_WORDS else name)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: Any, /
    ) -> list[app_commands.Choice[str]]:
        current = str(value)
        found = await topic_choices(interaction, current)
        text = current.strip().casefold()
        if not text or ALL_TOPICS.casefold().startswith(text) or text in ALL_WORDS:
            every = app_commands.Choice(name=f"{ALL_TOPICS} (the newest articles)", value="all")
            found.insert(0, every)
        return found[:CHOICES]


class TimezoneOption(app_commands.Transformer):
    """An IANA timezone: names close to what is typed; the value is a ``ZoneName``."""

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> ZoneName:
        return ZoneName(str(value))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: Any, /
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(str(value))


class ScheduleOption(app_commands.Transformer):
    """One of the server's schedules, by number; offered to moderators only."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.integer

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> ScheduleRef:
        return ScheduleRef(int(value))

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: Any, /
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None or not await moderator_choices(interaction):
            return []
        bot = _bot(interaction)
        try:
            schedules = await bot.store.schedules.in_guild(interaction.guild_id)
        except Exception:
            _log.exception("schedule autocomplete failed")
            return []
        labels = {str(s.id): schedule_label(interaction.guild, s) for s in schedules}
        typed = str(value).strip().lstrip("#")
        options = list(labels.items())
        if typed.isdigit():
            picked = [(v, labels[v]) for v in labels if v.startswith(typed)]
        else:
            picked = complete(typed, options, limit=CHOICES)
        return [
            app_commands.Choice(name=choice.name, value=int(choice.value))
            for choice in to_choices(picked)
        ]


def schedule_label(guild: discord.Guild | None, schedule: Schedule) -> str:
    """A schedule as a choice: number, topic, channel, cadence."""
    channel = guild.get_channel(schedule.channel_id) if guild is not None else None
    where = f"#{channel.name}" if channel is not None else "a deleted channel"
    paused = " · paused" if schedule.paused else ""
    topic = schedule.topic or ALL_TOPICS
    return f"#{schedule.id} {topic} → {where}, {describe(schedule)}{paused}"
