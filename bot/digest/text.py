"""Word-level text helpers for topics and summaries: folding, tokens, stems, stand-alone tests.

Deliberately small and dependency-free: the digest code needs consistent tokens on both sides
(keywords and articles), not linguistic perfection.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SPACE_RE = re.compile(r"\s+")
# Combining marks left by NFKD decomposition (accents); stripping them folds "é" to "e".
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

_STOPWORD_TEXT = """
    a about above after again against all almost along already also although always am
    among an and another any anyone anything are around as at be became because become been
    before being below between both but by can cannot could did do does doing done down
    during each either else enough even ever every few for from further get gets getting got
    had has have having he her here hers herself him himself his how however i if in into is
    it its itself just last least less like made make many may me might more most much must
    my myself neither never next no nor not now of off often on once one only or other others
    our ours ourselves out over own per perhaps put quite rather really said same say says
    see seen several shall she should since so some something still such take than that the
    their theirs them themselves then there these they this those though through thus to too
    toward towards under until up upon us use used very via was we well were what whatever
    when where whether which while who whom whose why will with within without would yet you
    your yours yourself yourselves mr mrs ms dr also told year years new two three first
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

# Words that, opening a sentence, point back at something the reader has not been shown.
_DANGLING_TEXT = """
    he she it they this these those that his her its their them him we our i
    however but also and so yet or nor meanwhile moreover furthermore additionally
    besides likewise similarly otherwise nevertheless nonetheless thus therefore hence
    instead still then such indeed anyway accordingly consequently
"""
DANGLING_OPENERS: frozenset[str] = frozenset(_DANGLING_TEXT.split())


def fold(text: str) -> str:
    """Casefold ``text`` and strip accents, so "Café" and "cafe" compare equal."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """Folded word tokens of ``text``; possessive 's dropped, inner apostrophes removed."""
    folded = fold(text)
    tokens = _TOKEN_RE.findall(folded)
    if "'" not in folded and "’" not in folded:
        return tokens
    out: list[str] = []
    for token in tokens:
        if "'" in token or "’" in token:
            token = token.replace("’", "'")
            if token.endswith("'s"):
                token = token[:-2]
            token = token.replace("'", "")
        if token:
            out.append(token)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light, consistent English stem: plurals, -ing/-ed and a final e folded away.

    ``investments`` → ``investment``, ``prices``/``priced`` → ``pric``, ``making`` → ``mak``.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 4 and any(v in base for v in "aeiouy"):
            if base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            word = base
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def content_terms(text: str) -> list[str]:
    """Stems of the words of ``text`` that carry meaning (no stopwords, no 1-letter words)."""
    return [stem(w) for w in words(text) if len(w) > 1 and w not in STOPWORDS]


def sentence_key(sentence: str) -> str:
    """A key under which two spellings of the same sentence collide (case, spacing, marks)."""
    return " ".join(words(sentence))


def normalize_name(name: str) -> str:
    """The comparison form of a topic name or alias: folded, "and" for "&", single spaces."""
    folded = fold(name).replace("&", " and ")
    return " ".join(words(folded))


def clean_label(text: str, max_len: int = 100) -> str:
    """``text`` on one line with single spaces, cut to ``max_len`` characters at a word end."""
    text = _SPACE_RE.sub(" ", text).strip()
    if len(text) <= max_len:
        return text
    cut = text[: max_len - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def trim(text: str, max_chars: int) -> str:
    """``text`` on one line, cut to at most ``max_chars`` characters with "…".

    The cut falls at the end of a sentence when one ends in the second half of the room,
    else at the end of a word; only a single word longer than the room is cut inside.
    """
    text = _SPACE_RE.sub(" ", text).strip()
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return "…"[:max_chars]
    room = text[: max_chars - 1]
    ends = [room.rfind(mark) for mark in (". ", "! ", "? ", "… ")]
    end = max(ends)
    if end >= len(room) // 2:
        return room[: end + 1] + "…"
    space = room.rfind(" ")
    if space > 0 and not text[max_chars - 1].isspace():
        room = room[:space]
    return room.rstrip(" ,;:-–—") + "…"


def stands_alone(sentence: str) -> bool:
    """False when ``sentence`` opens with a pronoun or connective that needs the one before."""
    stripped = sentence.lstrip(" \"'“‘(-–—")
    if not stripped:
        return False
    if stripped[0].islower():
        return False
    first = words(stripped[:40])
    return not first or first[0] not in DANGLING_OPENERS
