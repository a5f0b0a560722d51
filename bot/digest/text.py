"""Digest text helpers: sentence keys, topic-name forms, labels, trimming, stand-alone tests.

Words themselves (folding, tokens, stems, stopwords) come from the one analyser,
:mod:`bot.text`.
"""

from __future__ import annotations

import re

from bot.text import fold_text, tokenize

_SPACE_RE = re.compile(r"\s+")

# Words that, opening a sentence, point back at something the reader has not been shown.
_DANGLING_TEXT = """
    he she it they this these those that his her its their them him we our i
    however but also and so yet or nor meanwhile moreover furthermore additionally
    besides likewise similarly otherwise nevertheless nonetheless thus therefore hence
    instead still then such indeed anyway accordingly consequently
"""
DANGLING_OPENERS: frozenset[str] = frozenset(_DANGLING_TEXT.split())


def sentence_key(sentence: str) -> str:
    """A key under which two spellings of the same sentence collide (case, spacing, marks)."""
    return " ".join(tokenize(sentence))


def normalize_name(name: str) -> str:
    """The comparison form of a topic name or alias: folded, "and" for "&", single spaces."""
    folded = fold_text(name).replace("&", " and ")
    return " ".join(tokenize(folded))


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
    first = tokenize(stripped[:40])
    return not first or first[0] not in DANGLING_OPENERS
