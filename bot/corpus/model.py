"""The article model every part of newsbot shares. Plain data, no behaviour worth testing."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload


class Sentences(Sequence[str]):
    """An article's sentences as spans of one text, so their words are held once.

    Reads like the tuple of strings it replaces: indexing, slicing (a tuple), ``len``,
    iteration, and equality with a tuple or another ``Sentences`` of the same strings. Each
    read cuts the string from the text anew (a copy only as long as the caller keeps it).
    """

    __slots__ = ("_spans", "_text")

    def __init__(self, text: str, spans: array) -> None:
        """``spans`` holds a start and an end offset into ``text`` per sentence."""
        self._text = text
        self._spans = spans

    @classmethod
    def of(cls, body: str, sentences: Iterable[str]) -> Sentences:
        """``sentences`` as spans of ``body`` where they are its pieces in order (as the
        loaders cut them), else as spans of a text of their own."""
        if isinstance(sentences, Sentences) and sentences._text is body:
            return sentences
        items = tuple(sentences)
        offsets: list[int] = []
        pos = 0
        for sentence in items:
            # Leftmost first: if the sentences are pieces of the body in order, this finds
            # them; and the whole search reads the body about once.
            start = body.find(sentence, pos)
            if start < 0:
                break
            pos = start + len(sentence)
            offsets += (start, pos)
        else:
            return cls(body, _offsets(offsets, len(body)))
        # Sentences that are not the body's (a hand-made article): joined, and held once.
        text = "".join(items)
        offsets, pos = [], 0
        for sentence in items:
            offsets += (pos, pos + len(sentence))
            pos += len(sentence)
        return cls(text, _offsets(offsets, len(text)))

    def __len__(self) -> int:
        return len(self._spans) // 2

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("sentence index out of range")
        spans = self._spans
        return self._text[spans[2 * index] : spans[2 * index + 1]]

    def __iter__(self) -> Iterator[str]:
        text, spans = self._text, self._spans
        for i in range(0, len(spans), 2):
            yield text[spans[i] : spans[i + 1]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sentences):
            if other._text is self._text and other._spans == self._spans:
                return True
            return tuple(self) == tuple(other)
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))  # as the tuple it stands for

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[type[Sentences], tuple[str, array]]:
        return (Sentences, (self._text, self._spans))


def _offsets(values: list[int], limit: int) -> array:
    # Two bytes an offset for any text under 64 KiB (nearly every article), else four.
    return array("H" if limit < 1 << 16 else "I", values)


@dataclass(frozen=True, slots=True)
class Article:
    """One cleaned news article.

    ``body`` is the cleaned text with paragraphs separated by a blank line; ``sentences``
    are the body's sentences in order (a sentence the text repeats appears each time it is
    written; search and digests treat repeats as one passage). The headline is not part of
    ``sentences``. Any sequence of strings may be given as ``sentences``; it is kept as
    :class:`Sentences`, spans of the body, so the text is held once.
    """

    id: str
    title: str
    body: str
    sentences: Sequence[str]
    source_path: str = ""
    date: dt.date | None = None
    source: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    #: For an article without a ``date``: the day the library first saw it (UTC), set by the
    #: service from its first-seen records. None for dated articles.
    added: dt.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sentences", Sentences.of(self.body, self.sentences))

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
