"""Autocomplete over (value, label) pairs: prefix matches first, then fuzzy, typos welcome.

Pure and quick on large option lists: the labels are folded and searched as one string (a
few C-speed passes instead of a Python loop per option), and one
``rapidfuzz.process.extract`` call with a cutoff and a limit finds the typos. Discord allows
at most 25 choices whose names and values are 1–100 characters: labels are truncated here,
values are returned as given, so callers must keep them within 100 characters (they are
article ids and topic names).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from rapidfuzz import fuzz, process

from bot.text import fold_text as _fold

MAX_CHOICES = 25
MAX_NAME = 100
_CUTOFF = 75  # below this a fuzzy match is noise rather than a typo
_MAX_TEXT = 100


def complete(
    text: str, options: Sequence[tuple[str, str]], limit: int = 25
) -> list[tuple[str, str]]:
    """Up to ``limit`` (at most 25) ``(value, label)`` options matching what was typed.

    Empty ``text`` gives the first options in the given order. Otherwise, each tier in the
    given order: labels (or values) starting with the text; labels with a later word
    starting with it; labels where every typed word starts some word; then fuzzy matches
    by score, weak ones dropped. Labels come back truncated to 100 characters.
    """
    limit = max(0, min(limit, MAX_CHOICES))
    query = " ".join(_fold(text[:_MAX_TEXT]).split())
    if limit == 0 or not options:
        return []
    if not query:
        return [_clip(option) for option in options[:limit]]

    labels = _Folded([label for _, label in options])
    chosen = dict.fromkeys(labels.starting(query, limit))
    if len(chosen) < limit:
        chosen.update(dict.fromkeys(_Folded([value for value, _ in options]).starting(query)))
    if len(chosen) < limit:
        chosen.update(dict.fromkeys(labels.containing(" " + query)))
    words = query.split()
    if len(chosen) < limit and len(words) > 1:
        for i in labels.containing(" " + words[0], at_start=words[0]):
            line = labels.line(i).split()
            if all(any(w.startswith(q) for w in line) for q in words[1:]):
                chosen[i] = None
    if len(chosen) < limit and len(query) >= 3:
        for _, _score, i in process.extract(
            query,
            labels.block.split("\n"),
            scorer=fuzz.partial_ratio,
            score_cutoff=_CUTOFF,
            limit=limit + len(chosen),
        ):
            chosen.setdefault(i, None)
    return [_clip(options[i]) for i in list(chosen)[:limit]]


class _Folded:
    """Texts folded (lower-case, accent-free) into one newline-joined string."""

    def __init__(self, texts: list[str]) -> None:
        block = "\n".join(texts)
        if block.count("\n") != len(texts) - 1:  # a text with a newline of its own
            block = "\n".join(t.replace("\n", " ") for t in texts)
        if block.isascii():
            lengths = map(len, texts)  # ASCII case-folding keeps every length
            self.block = block.casefold()
        else:
            self.block = _fold(block)
            lengths = map(len, self.block.split("\n"))
        # Where each text starts in the block.
        self.starts = [0, *accumulate(n + 1 for n in lengths)]

    def line(self, i: int) -> str:
        return self.block[self.starts[i] : self.starts[i + 1] - 1]

    def _index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def starting(self, prefix: str, limit: int | None = None) -> list[int]:
        """Indexes of the texts starting with ``prefix``, in order (at most ``limit``)."""
        found = [0] if self.block.startswith(prefix) else []
        for m in re.finditer(re.escape("\n" + prefix), self.block):
            if limit is not None and len(found) >= limit:
                break
            found.append(self._index(m.start() + 1))
        return found

    def containing(self, part: str, at_start: str | None = None) -> list[int]:
        """Indexes of the texts containing ``part`` (or starting with ``at_start``)."""
        found = dict.fromkeys(self.starting(at_start)) if at_start else {}
        for m in re.finditer(re.escape(part), self.block):
            found[self._index(m.start())] = None
        return sorted(found)


def _clip(option: tuple[str, str]) -> tuple[str, str]:
    value, label = option
    if len(label) > MAX_NAME:
        label = label[: MAX_NAME - 1].rstrip() + "…"
    return value, label.strip() or value[:MAX_NAME]
