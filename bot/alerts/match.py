"""Which articles an alert wants: keywords in, keywords out, whole words, any case.

Keywords are what a moderator types, separated by commas (``interest rates, inflation``);
each is a word or a phrase, matched as whole words, case- and accent-insensitively, through
the one text analyser's tokeniser (``bot.text``), so ``rates`` matches "Rates rose" but
not "pirates", and ``Kenya`` matches "Kenya's". An article is wanted when its headline or
text holds any ``keywords`` (or there are none) and none of ``exclude``.

Work is bounded whatever is typed: the text is refused past ``MAX_FILTER_CHARS``, more
than ``MAX_KEYWORDS`` keywords, a phrase longer than ``MAX_PHRASE_WORDS`` words or a word
longer than ``MAX_WORD_CHARS`` letters, each with a message saying so. Matching one article
is one pass over its tokens plus one set lookup per phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.text import tokenize

MAX_FILTER_CHARS = 1000
MAX_KEYWORDS = 25
MAX_PHRASE_WORDS = 6
MAX_WORD_CHARS = 40


class FilterError(ValueError):
    """A keyword list that cannot be used; ``str(error)`` says why, for the moderator."""


Phrase = tuple[str, ...]


def parse_keywords(text: str | None, *, what: str = "keywords") -> tuple[str, ...]:
    """The keywords of ``text`` (comma-separated phrases), duplicates dropped, in order.

    Raises ``FilterError`` for input past the limits or a keyword with no letters or digits.
    """
    if text is None or not text.strip():
        return ()
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(
            f"`{what}` is {len(text)} characters long; at most {MAX_FILTER_CHARS} please."
        )
    pieces = [" ".join(piece.split()) for piece in text.split(",")]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) > MAX_KEYWORDS:
        raise FilterError(
            f"`{what}` has {len(pieces)} keywords; at most {MAX_KEYWORDS} please "
            "(separate them with commas)."
        )
    seen: dict[Phrase, str] = {}
    for piece in pieces:
        phrase = phrase_of(piece, what=what)
        seen.setdefault(phrase, piece)
    return tuple(seen.values())


def phrase_of(keyword: str, *, what: str = "keywords") -> Phrase:
    """The tokens a keyword matches, or ``FilterError`` when it has none or is too long."""
    tokens = tuple(tokenize(keyword[: MAX_FILTER_CHARS + 1]))
    if not tokens:
        raise FilterError(f"“{keyword[:50]}” in `{what}` has no letters or digits to match.")
    if len(tokens) > MAX_PHRASE_WORDS:
        raise FilterError(
            f"“{keyword[:50]}…” in `{what}` has {len(tokens)} words; a keyword may have at "
            f"most {MAX_PHRASE_WORDS}."
        )
    for token in tokens:
        if len(token) > MAX_WORD_CHARS:
            raise FilterError(
                f"A word in `{what}` is {len(token)} letters long; no word is longer than "
                f"{MAX_WORD_CHARS}."
            )
    return tokens


@dataclass(frozen=True)
class KeywordFilter:
    """Include and exclude phrases, ready to test texts against."""

    include: tuple[Phrase, ...] = ()
    exclude: tuple[Phrase, ...] = ()

    @classmethod
    def of(cls, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> KeywordFilter:
        """A filter from stored keywords (as ``parse_keywords`` returned them)."""
        return cls(
            tuple(phrase_of(k) for k in include),
            tuple(phrase_of(k, what="exclude") for k in exclude),
        )

    @property
    def longest(self) -> int:
        """Words in the longest phrase (how long the n-grams of a text need to be)."""
        return max((len(p) for p in (*self.include, *self.exclude)), default=0)

    def wants(self, *texts: str) -> bool:
        """Whether texts (headline, body…) hold an include phrase (or there are none) and
        no exclude phrase."""
        if not self.include and not self.exclude:
            return True
        grams = _ngrams([token for text in texts for token in tokenize(text)], self.longest)
        if any(phrase in grams for phrase in self.exclude):
            return False
        return not self.include or any(phrase in grams for phrase in self.include)

    def first_match(self, *texts: str) -> str | None:
        """The first include phrase found (for telling a moderator why), or None."""
        grams = _ngrams([token for text in texts for token in tokenize(text)], self.longest)
        for phrase in self.include:
            if phrase in grams:
                return " ".join(phrase)
        return None


def _ngrams(tokens: Sequence[str], longest: int) -> set[Phrase]:
    # Linear in the text: at most ``MAX_PHRASE_WORDS`` tuples per token.
    grams: set[Phrase] = set()
    for size in range(1, longest + 1):
        for start in range(len(tokens) - size + 1):
            grams.add(tuple(tokens[start : start + size]))
    return grams


def describe_filters(
    feed: str | None, topic: str | None, keywords: Sequence[str], exclude: Sequence[str]
) -> str:
    """The filters in words: ``feed Gazette · topic Economy · any of: rates · none of: sport``."""
    parts: list[str] = []
    if feed:
        parts.append(f"feed {feed}")
    if topic:
        parts.append(f"topic {topic}")
    if keywords:
        parts.append("any of: " + ", ".join(keywords))
    if exclude:
        parts.append("none of: " + ", ".join(exclude))
    return " · ".join(parts) or "every new article"
