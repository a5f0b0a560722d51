"""Turning what a user typed into words, quoted phrases and the terms to look up."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import STOPWORDS, tokenize

MAX_QUERY_CHARS = 300  # longer input is cut: nobody types more to find a passage
MAX_TERMS = 8  # distinct terms looked up; more only slows the query down
MAX_SOFT = 4  # function words that nudge the ranking, at most
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]*)[\"“”„«»]")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query split into its parts.

    ``parts`` keeps the user's order: each part is a tuple of tokens and whether it was
    quoted. ``phrases`` are the quoted parts of two or more tokens (they must match as
    consecutive words). ``terms`` are the distinct tokens to look up: the content words,
    or every word when the query holds nothing but stopwords. ``soft`` are the function
    words beside content words: they never count as words matched, but a passage holding
    them ranks a little higher than one that does not (``must remember``).
    """

    parts: tuple[tuple[tuple[str, ...], bool], ...]
    phrases: tuple[tuple[str, ...], ...]
    terms: tuple[str, ...]
    soft: tuple[str, ...] = ()


def parse_query(query: str) -> ParsedQuery:
    """Parse ``query`` (any string; never raises)."""
    text = query[:MAX_QUERY_CHARS]
    parts: list[tuple[tuple[str, ...], bool]] = []
    pos = 0
    for m in _QUOTED.finditer(text):
        for token in tokenize(text[pos : m.start()]):
            parts.append(((token,), False))
        quoted = tuple(tokenize(m.group(1)))
        if len(quoted) > 1:
            parts.append((quoted, True))
        elif quoted:
            parts.append((quoted, False))
        pos = m.end()
    for token in tokenize(text[pos:]):
        parts.append(((token,), False))

    words = [t for tokens, _ in parts for t in tokens]
    content = [t for t in words if t not in STOPWORDS]
    terms = list(dict.fromkeys(content or words))[:MAX_TERMS]
    soft = [t for t in dict.fromkeys(words) if t in STOPWORDS] if content else []
    phrases = tuple(tokens for tokens, quoted in parts if quoted)
    return ParsedQuery(tuple(parts), phrases, tuple(terms), tuple(soft[:MAX_SOFT]))
