"""Words as search sees them: one tokeniser for indexing, queries and highlighting.

A token is a run of Unicode letters and digits, possibly joined by apostrophes. Tokens are
lower-cased and accent-folded (``Café`` → ``cafe``); a possessive ``'s`` is dropped and other
apostrophes removed (``Kenya’s`` → ``kenya``, ``don't`` → ``dont``), so a query matches the
word whichever way the writer punctuated it.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})

# Left out of ranking (a query of nothing else still searches for them). One string keeps
# the list readable; ruff would rather see a list literal of 130 lines.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not of off on once
    only or other our ours ourselves out over own s same she should so some such t than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves
    """.split()  # noqa: SIM905
)


def fold(word: str) -> str:
    """Normalise one raw word: lower-case, fold accents, drop a possessive and apostrophes."""
    if word.isascii():
        token = word.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_APOSTROPHES))
        token = "".join(c for c in decomposed if c.isalnum() or c == "'")
    if "'" in token:
        if token.endswith("'s"):
            token = token[:-2]
        token = token.replace("'", "")
    return token


def nfc(text: str) -> str:
    """``text`` in composed form, so an accent never splits a word (a no-op for ASCII)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def tokenize(text: str) -> list[str]:
    """The tokens of ``text`` in order (the indexer's fast path for plain ASCII)."""
    text = nfc(text)
    if text.isascii():
        tokens = _WORD.findall(text.lower())
        if "'" in text:
            tokens = [fold(t) if "'" in t else t for t in tokens]
    else:
        tokens = [fold(t) for t in _WORD.findall(text)]
    return [t for t in tokens if t]


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for every token of ``text``; spans index ``text`` itself.

    ``text`` should already be NFC (see :func:`nfc`) for the spans to cover whole words.
    """
    spans = []
    for m in _WORD.finditer(text):
        token = fold(m.group())
        if token:
            spans.append((token, m.start(), m.end()))
    return spans


def typo_budget(term: str) -> int:
    """Edits tolerated when correcting ``term``: 0 up to 4 characters, 1 up to 8, else 2.

    Numbers are never corrected: ``2005`` and ``2006`` are different facts, not a typo.
    """
    if any(c.isdigit() for c in term):
        return 0
    n = len(term)
    if n <= 4:
        return 0
    return 1 if n <= 8 else 2
