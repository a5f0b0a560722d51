"""The one text analyser: how every part of the bot reads words.

Search (indexing, queries, highlights, autocomplete) and digests (topic keywords, summaries,
topic names) all fold, tokenise, stem, drop function words and budget typos here, so one
word is read the same way everywhere.

A token is a run of Unicode letters and digits, possibly joined by apostrophes. Tokens are
lower-cased and accent-folded (``Café`` → ``cafe``); a possessive ``'s`` is dropped and other
apostrophes removed (``Kenya’s`` → ``kenya``, ``don't`` → ``dont``). Stems are Snowball
English (PyStemmer), so ``prices``/``price`` and ``training``/``train`` meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
# Combining marks left by NFKD decomposition (accents); stripping them folds "é" to "e".
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_STEMMER = Stemmer.Stemmer("english")
MAX_WORD_CHARS = 64  # longer "words" are not stemmed or keyed: no word is that long

# Function and question words: they count for nothing in search ranking (a query of only
# such words still searches for them) and are left out of topic and summary terms. One
# string keeps the list readable; ruff would rather see a list literal of 170 lines.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all almost along already also although always am
    among an and another any anyone anything are around as at be because been before being
    below between both but by can cannot could did do does doing down during each either
    else enough ever every few for from further had has have having he her here hers
    herself him himself his how however i if in into is it its itself just many me might
    more most much must my myself neither never no nor not of off often on once only or
    other others our ours ourselves out over own perhaps quite rather really s same several
    shall she should since so some something still such t than that the their theirs them
    themselves then there these they this those though through thus to too toward towards
    under until up upon very via was we were what whatever when where whether which while
    who whom whose why will with within without would yet you your yours yourself
    yourselves even
    """.split()  # noqa: SIM905
)

# Words news prose uses everywhere ("said", "year", "Mr"): they say nothing about a topic or
# a summary, but a searcher may well want them ("US", "May", "new year"), so only digests
# leave them out (with the stopwords).
NEWS_FILLER: frozenset[str] = frozenset(
    """
    became become done dr first get gets getting got last least less like made make may mr
    mrs ms new next now one per put said say says see seen take three told two us use used
    well year years
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


def fold_text(text: str) -> str:
    """``text`` lower-cased and accent-free, otherwise as it is (lengths may change)."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


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


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The Snowball English stem of a token (``prices`` → ``price``); numbers stay as they are."""
    if len(token) <= 3 or len(token) > MAX_WORD_CHARS or not token.isalpha():
        return token
    return _STEMMER.stemWord(token)


def singular(token: str) -> str:
    """``token`` without a plural ending (``ferries`` → ``ferry``, ``ports`` → ``port``):
    a word and its plural meet, other forms (``crossing``, ``cross``) stay apart."""
    if len(token) <= 3 or not token.isalpha() or token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "shes", "ches", "xes", "zes")):
        return token[:-2]
    if token.endswith("s"):
        return token[:-1]
    return token


def stems(tokens: list[str]) -> list[str]:
    """:func:`stem` of each token (one C call for the lot)."""
    return _STEMMER.stemWords(tokens)


def sound_key(token: str) -> str:
    """A phonetic key (Metaphone): ``braun`` and ``brown`` share one, ``ferry`` and ``gerry``
    do not. Empty for words too short or long to say anything, and for numbers."""
    if len(token) < 4 or len(token) > MAX_WORD_CHARS or not token.isalpha():
        return ""
    return jellyfish.metaphone(token)


_NOT_CONTENT = STOPWORDS | NEWS_FILLER


def content_terms(text: str) -> list[str]:
    """The words of ``text`` that carry meaning, plurals folded (no stopwords, no news
    filler, no 1-letter words): what summaries compare sentences by (plurals alone score
    better against the BBC reference summaries than full stems)."""
    return [singular(t) for t in tokenize(text) if len(t) > 1 and t not in _NOT_CONTENT]


def typo_budget(term: str) -> int:
    """Edits tolerated when correcting ``term``: 0 up to 4 characters, 1 up to 8, else 2.

    Numbers are never corrected: ``2005`` and ``2006`` are different facts, not a typo.
    Spaces do not count (a topic name of several words is budgeted as one).
    """
    if any(c.isdigit() for c in term):
        return 0
    n = len(term) - term.count(" ")
    if n <= 4:
        return 0
    return 1 if n <= 8 else 2


def correction_budget(term: str, known: bool) -> int:
    """Edits allowed between ``term`` and the indexed words it may stand for.

    :func:`typo_budget` (Meilisearch's budgets), widened to one edit for a 3–4-letter word
    the vocabulary lacks: such a word cannot match as typed, so a close guess
    (``hati`` → ``haiti``) costs nothing.
    """
    budget = typo_budget(term)
    if budget == 0 and not known and 3 <= len(term) <= 4 and term.isalpha():
        return 1
    return budget
