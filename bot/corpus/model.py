"""The article model every part of newsbot shares. Plain data, no behaviour worth testing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned news article.

    ``body`` is the cleaned text with paragraphs separated by a blank line; ``sentences``
    are the body's sentences in order (a sentence the text repeats appears each time it is
    written; search and digests treat repeats as one passage). The headline is not part of
    ``sentences``.
    """

    id: str
    title: str
    body: str
    sentences: tuple[str, ...]
    source_path: str = ""
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    #: For an article without a ``date``: the day the library first saw it (UTC), set by the
    #: service from its first-seen records. None for dated articles.
    added: dt.date | None = None

    @property
    def dated(self) -> dt.date | None:
        """The day the article counts from: its own date, else the day it was added."""
        return self.date if self.date is not None else self.added


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file (or one record of a file) that was not loaded, and why, in plain words."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReloadReport:
    """What a (re)load changed: article ids added, changed and removed, and the rejections."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = field(default_factory=tuple)

    @property
    def touched(self) -> bool:
        """True when any article was added, changed or removed."""
        return bool(self.added or self.changed or self.removed)
