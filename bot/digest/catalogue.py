"""Topics: the ``Topic`` record and the catalogue shipped in ``topics.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

from bot.digest.text import clean_label, normalize_name

ORIGINS = ("catalogue", "tag", "guild")
MAX_NAME_CHARS = 100  # Discord's limit for an autocomplete choice name


@dataclass(frozen=True, slots=True)
class Topic:
    """A named subject articles can be about.

    ``origin`` says where it comes from: the shipped ``"catalogue"``, an article ``"tag"``,
    or a server's own ``"guild"`` topic (which overrides a catalogue topic of the same name
    for that server). ``keywords`` are evidence in an article's text; ``aliases`` are other
    names a user may type.
    """

    name: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    origin: str = "catalogue"
    description: str = ""

    @property
    def key(self) -> str:
        """The comparison form of the name (case, accents, "&"/"and" and spacing ignored)."""
        return topic_key(self.name)

    def names(self) -> tuple[str, ...]:
        """The name then the aliases."""
        return (self.name, *self.aliases)


def topic_key(name: str) -> str:
    """Comparison form of a topic name: "Trade & Investment" == "trade and investment"."""
    return " ".join(w for w in normalize_name(name).split() if w not in _NAME_FILLER)


_NAME_FILLER = frozenset({"and", "the", "of"})


class CatalogueError(ValueError):
    """The topic catalogue data is malformed; the message says where and how."""


def _strings(raw: object, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise CatalogueError(f"{where} must be a list of strings")
    out: list[str] = []
    seen: set[str] = set()
    for item in raw:
        item = " ".join(item.split())
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return tuple(out)


def parse_catalogue(data: dict[str, object]) -> tuple[Topic, ...]:
    """Topics from the parsed TOML ``data``; raises ``CatalogueError`` on malformed entries."""
    entries = data.get("topic")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("the catalogue has no [[topic]] entries")
    topics: list[Topic] = []
    owner: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise CatalogueError(f"topic #{n} is not a table")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(f"topic #{n} has no name")
        name = " ".join(name.split())
        if len(name) > MAX_NAME_CHARS:
            raise CatalogueError(f"topic {name[:40]!r}… is longer than {MAX_NAME_CHARS} chars")
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise CatalogueError(f"topic {name!r}: description must be a string")
        aliases: list[str] = []
        own = {topic_key(name)}
        for alias in _strings(entry.get("aliases", []), f"topic {name!r}: aliases"):
            if topic_key(alias) not in own:  # "Diplomacy" needs no alias "diplomacy"
                own.add(topic_key(alias))
                aliases.append(alias)
        topic = Topic(
            name=name,
            aliases=tuple(aliases),
            keywords=_strings(entry.get("keywords", []), f"topic {name!r}: keywords"),
            origin="catalogue",
            description=" ".join(description.split()),
        )
        for label in topic.names():
            key = topic_key(label)
            if not key:
                raise CatalogueError(f"topic {name!r}: {label!r} has no letters or digits")
            if owner.get(key, name) != name:
                raise CatalogueError(f"{label!r} names both {owner[key]!r} and {name!r}")
            owner[key] = name
        topics.append(topic)
    return tuple(topics)


def load_catalogue() -> tuple[Topic, ...]:
    """The topic catalogue shipped with the bot (``bot/digest/topics.toml``)."""
    text = resources.files("bot.digest").joinpath("topics.toml").read_text(encoding="utf-8")
    return parse_catalogue(tomllib.loads(text))


def tag_topic(tag: str) -> Topic | None:
    """The topic an article tag stands for, or None when the tag has no letters or digits."""
    name = clean_label(tag, MAX_NAME_CHARS)
    if not topic_key(name):
        return None
    return Topic(name=name, keywords=(name,), origin="tag")


def merge_topics(*groups: Iterable[Topic]) -> dict[str, Topic]:
    """Topics by key; a later group's topic replaces an earlier one of the same name."""
    merged: dict[str, Topic] = {}
    for group in groups:
        for topic in group:
            merged[topic.key] = topic
    return merged


def guild_topic(name: str, keywords: Sequence[str] = (), aliases: Sequence[str] = ()) -> Topic:
    """A server's own topic; its name is a keyword too when no keywords are given."""
    label = clean_label(name, MAX_NAME_CHARS)
    kws = tuple(k for k in (" ".join(k.split()) for k in keywords) if k) or (label,)
    return Topic(
        name=label,
        aliases=tuple(a for a in (" ".join(a.split()) for a in aliases) if a),
        keywords=kws,
        origin="guild",
    )
