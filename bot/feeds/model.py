"""What a fetched feed holds once parsed: plain data, no behaviour worth testing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, cleaned: the fields an article is made from.

    ``guid`` is the item's own id (RSS ``guid``, Atom ``id``, JSON Feed ``id``) when it has
    one; ``body`` is cleaned text with paragraphs separated by blank lines.
    """

    guid: str | None
    link: str | None
    title: str
    body: str
    published: dt.datetime | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title and its items, in the feed's order; ``warning`` when the parser had to
    recover from broken markup but still found items."""

    title: str | None
    entries: tuple[FeedEntry, ...]
    kind: str = ""
    warning: str | None = None
