"""Autocomplete over (value, label) pairs: prefix matches first, then fuzzy, typos welcome.

A :class:`Completer` folds its options once (one per library state: the service keeps it),
with the folded labels sorted and their words indexed, so a keystroke costs a binary search
for the labels starting with the text and a look at the labels holding its rarest word for
the other prefix tiers, which usually fill the answer; only when they do not, typos are found
through the labels' words: each typed word's near spellings (the analyser's typo budget, one
edit at least) pick the candidate labels, rarest word first, and rapidfuzz scores at most
``FUZZY_CANDIDATES`` of them. Discord allows
at most 25 choices whose names and values are 1–100 characters: labels are truncated here,
values are returned as given, so callers must keep them within 100 characters (they are
article ids and topic names).
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate

from rapidfuzz import fuzz, process

from bot.search.correct import Vocabulary
from bot.text import fold_text as _fold
from bot.text import tokenize, typo_budget

MAX_CHOICES = 25
MAX_NAME = 100
_CUTOFF = 75  # below this a fuzzy match is noise rather than a typo
_MAX_TEXT = 100
FUZZY_CANDIDATES = 300  # labels scored by rapidfuzz per keystroke, at most
_SCAN = 5000  # labels checked for "every typed word starts a word", at most
_MAX_STARTS = 200  # a typed word starting more label words than this is no filter
_SMALL = 500  # fewer options than this: score them all (cheap, and catches any typo)
_MANY = 20_000  # labels holding the rarest typed word: past this, a scan finds matches sooner
_VERIFY = 3000  # labels checked for the other typed words' near spellings, at most
_ALNUM = re.compile(r"[^\W_]+")  # a word of a folded label, as the word index cuts it


def complete(
    text: str, options: Sequence[tuple[str, str]], limit: int = 25
) -> list[tuple[str, str]]:
    """Up to ``limit`` (at most 25) ``(value, label)`` options matching what was typed.

    A one-off :class:`Completer`; keep one instead when the same options serve many
    keystrokes.
    """
    return Completer(options).complete(text, limit)


class Completer:
    """Autocomplete over fixed ``(value, label)`` options, folded once."""

    def __init__(self, options: Sequence[tuple[str, str]]) -> None:
        self.options = list(options)

    @functools.cached_property
    def _labels(self) -> _Folded:
        return _Folded([label for _, label in self.options])

    @functools.cached_property
    def _values(self) -> _Folded:
        return _Folded([value for value, _ in self.options])

    @functools.cached_property
    def _lines(self) -> list[str]:
        return self._labels.block.split("\n")

    @functools.cached_property
    def _sorted_words(self) -> list[str]:
        return sorted(self._words[0])

    @functools.cached_property
    def _words(self) -> tuple[dict[str, array], Vocabulary]:
        """Each label word → the labels holding it, and those words for typos.

        Words are the runs of letters and digits of the folded labels (apostrophes cut
        them: "kenya's" holds "kenya"); :meth:`_may_start_words` cuts the query alike.
        """
        index: dict[str, array] = {}
        get = index.get
        findall = _ALNUM.findall
        for i, line in enumerate(self._lines):
            for word in set(findall(line)):
                arr = get(word)
                if arr is None:
                    index[word] = arr = array("I")
                arr.append(i)
        return index, Vocabulary(index, forms=False)

    def warm(self) -> Completer:
        """Fold and index the options now (say, off the event loop after a reload), so
        the first keystroke does not pay for it."""
        _ = self._labels, self._values, self._lines, self._sorted_words, self._words
        _ = self._labels.ordered, self._values.ordered
        return self

    def complete(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Up to ``limit`` (at most 25) options matching what was typed.

        Empty ``text`` gives the first options in the given order. Otherwise, each tier in
        the given order: labels (or values) starting with the text; labels with a later
        word starting with it; labels where every typed word starts some word; then fuzzy
        matches by score, weak ones dropped. Labels come back truncated to 100 characters.
        """
        limit = max(0, min(limit, MAX_CHOICES))
        options = self.options
        query = " ".join(_fold(text[:_MAX_TEXT]).split())
        if limit == 0 or not options:
            return []
        if not query:
            return [_clip(option) for option in options[:limit]]

        chosen: dict[int, None] = {}
        if self._may_start_words(query):
            self._prefix_tiers(query, limit, chosen)
        else:
            chosen.update(dict.fromkeys(self._values.starting(query, limit)))
        if len(chosen) < limit and len(query) >= 3:
            for i in self._fuzzy(query, limit + len(chosen)):
                chosen.setdefault(i, None)
        return [_clip(options[i]) for i in list(chosen)[:limit]]

    def _may_start_words(self, query: str) -> bool:
        """False when some typed word starts no word of any label: then no label can
        start with the text or hold it at a word start, and the prefix tiers (scans of
        every label) are skipped for the typo tier."""
        if len(self.options) <= _SMALL or not query[0].isalnum():
            return True
        words = self._sorted_words
        for token in _ALNUM.findall(query):
            i = bisect_left(words, token)
            if i == len(words) or not words[i].startswith(token):
                return False
        return True

    def _prefix_tiers(self, query: str, limit: int, chosen: dict[int, None]) -> None:
        labels = self._labels
        chosen.update(dict.fromkeys(labels.starting(query, limit)))
        if len(chosen) < limit:
            chosen.update(dict.fromkeys(self._values.starting(query, limit)))
        if len(chosen) < limit:
            chosen.update(dict.fromkeys(self._at_word_start(query, limit)))
        words = query.split()
        if len(chosen) < limit and len(words) > 1:
            candidates = self._holding_starts(words)
            # From the word index, the first typed word is checked as the index cuts words
            # ("tv's" holds "tv" and "s"); from the scan, it is in the label as typed.
            tokens = _ALNUM.findall(words[0]) if candidates is not None else []
            if candidates is None:
                candidates = labels.containing(" " + words[0], at_start=words[0], limit=_SCAN)
            for i in candidates:
                text = labels.line(i)
                line = text.split()
                if all(any(w.startswith(q) for w in line) for q in words[1:]) and (
                    not tokens or _starts_words(tokens, text)
                ):
                    chosen[i] = None
                    if len(chosen) >= limit:
                        break

    def _at_word_start(self, query: str, limit: int) -> list[int]:
        """Labels where a later word starts with the text (`` query`` is in them), in
        option order, at most ``limit``: of the labels holding the text's rarest word (the
        last one may be cut short), those that hold the text; a scan when every word is
        common (matches are then soon found)."""
        labels = self._labels
        tokens = _ALNUM.findall(query)
        sources = [self._word_holders(t, prefix=i == len(tokens) - 1) for i, t in enumerate(tokens)]
        sized = [(sum(map(len, arrays)), arrays) for arrays in sources if arrays is not None]
        if not sized or len(self.options) <= _SMALL:
            return labels.containing(" " + query, limit=limit)
        size, arrays = min(sized, key=lambda sa: sa[0])
        if size > _MANY:
            return labels.containing(" " + query, limit=limit)
        part = " " + query
        found = []
        for i in sorted(set(itertools.chain.from_iterable(arrays))):
            if part in labels.line(i):
                found.append(i)
                if len(found) >= limit:
                    break
        return found

    def _word_holders(self, token: str, prefix: bool) -> list[array] | None:
        """The label lists of the words ``token`` is (or, ``prefix``, starts): None when it
        starts too many words to be worth it."""
        index, _vocab = self._words
        if not prefix:
            arr = index.get(token)
            return [arr] if arr is not None else []
        words = self._sorted_words
        lo = bisect_left(words, token)
        hi = bisect_left(words, token + "\U0010ffff", lo)
        if hi - lo > _MAX_STARTS:
            return None
        return [index[w] for w in words[lo:hi]]

    def _holding_starts(self, typed: list[str]) -> list[int] | None:
        """Candidate labels for "every typed word starts a word", through the word index
        (in option order, at most ``_SCAN``): those with a word starting with each of the
        two rarest typed words (the caller checks the others); None when every typed word
        starts too many words to be worth it (then the labels are scanned)."""
        if len(self.options) <= _SMALL:
            return None
        sources = [
            self._word_holders(t, prefix=True)
            for t in dict.fromkeys(t for w in typed for t in _ALNUM.findall(w))
        ]
        sized = sorted(
            ((sum(map(len, arrays)), arrays) for arrays in sources if arrays is not None),
            key=lambda sa: sa[0],
        )
        if not sized:
            return None
        common = set(itertools.chain.from_iterable(sized[0][1]))
        if len(sized) > 1 and len(common) > _SCAN // 10:
            second = set(itertools.chain.from_iterable(sized[1][1]))
            common &= second
        return sorted(common)[:_SCAN]

    def _fuzzy(self, query: str, limit: int) -> list[int]:
        """Labels like ``query`` despite typos, best first."""
        lines = self._lines
        if len(lines) <= _SMALL:
            picked: Sequence[str] | dict[int, str] = lines
        else:
            # Labels holding a near spelling of every typed word (of the longest words, if
            # none holds them all), in option order, at most FUZZY_CANDIDATES.
            index, vocab = self._words
            spellings: list[tuple[int, set[str], list[array]]] = []
            some: dict[int, None] = {}
            for word in sorted(set(tokenize(query)), key=len, reverse=True)[:4]:
                if len(word) < 3:
                    continue
                forms = {word, *vocab.near(word, max(1, typo_budget(word)))}
                arrays = [index[f] for f in forms if f in index]
                spellings.append((sum(map(len, arrays)), forms, arrays))
                if len(some) < FUZZY_CANDIDATES:
                    first = heapq.nsmallest(FUZZY_CANDIDATES, itertools.chain(*arrays))
                    some.update(dict.fromkeys(sorted(set(first))))
            # Labels holding a spelling of the rarest word, checked for the others' (a
            # label that holds them all is likelier than any other).
            keys: list[int] = []
            if spellings:
                spellings.sort(key=lambda s: s[0])
                others = [forms for _n, forms, _a in spellings[1:]]
                holders = sorted(set(itertools.chain.from_iterable(spellings[0][2])))
                for i in holders[:_VERIFY]:
                    # Within the label's text is enough: rapidfuzz has the last word.
                    line = lines[i]
                    if all(any(f in line for f in forms) for forms in others):
                        keys.append(i)
                        if len(keys) >= FUZZY_CANDIDATES:
                            break
            keys = keys or list(some)
            picked = {i: lines[i] for i in keys[:FUZZY_CANDIDATES]}
        return [
            key
            for _, _score, key in process.extract(
                query, picked, scorer=fuzz.partial_ratio, score_cutoff=_CUTOFF, limit=limit
            )
        ]


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

    @functools.cached_property
    def ordered(self) -> tuple[list[str], array]:
        """The texts sorted, and each one's index: texts starting alike are neighbours."""
        lines = self.block.split("\n")
        order = sorted(range(len(lines)), key=lines.__getitem__)
        return [lines[i] for i in order], array("I", order)

    def _index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def _find(self, part: str) -> Iterator[int]:
        """Positions of ``part`` in the block (``str.find``: far quicker than a regex)."""
        block = self.block
        pos = block.find(part)
        while pos >= 0:
            yield pos
            pos = block.find(part, pos + 1)

    def starting(self, prefix: str, limit: int | None = None) -> list[int]:
        """Indexes of the texts starting with ``prefix``, in order (at most ``limit``): a
        binary search of the sorted texts."""
        if "\n" in prefix:
            return []
        texts, order = self.ordered
        lo = bisect_left(texts, prefix)
        hi = bisect_left(texts, prefix + "\U0010ffff", lo)
        found = order[lo:hi]
        if limit is not None and len(found) > limit:
            return heapq.nsmallest(limit, found)
        return sorted(found)

    def containing(
        self, part: str, at_start: str | None = None, limit: int | None = None
    ) -> list[int]:
        """Indexes of the texts containing ``part`` (or starting with ``at_start``), in
        order; with ``limit``, the first that many of those containing ``part``."""
        found = dict.fromkeys(self.starting(at_start, limit)) if at_start else {}
        added = 0
        for pos in self._find(part):
            i = self._index(pos)
            if i not in found:
                found[i] = None
                added += 1
                if limit is not None and added >= limit:
                    break
        return sorted(found)


def _starts_words(tokens: list[str], text: str) -> bool:
    """True when each of ``tokens`` starts a word of ``text`` (words as the index cuts them)."""
    words = _ALNUM.findall(text)
    return all(any(w.startswith(t) for w in words) for t in tokens)


def _clip(option: tuple[str, str]) -> tuple[str, str]:
    value, label = option
    if len(label) > MAX_NAME:
        label = label[: MAX_NAME - 1].rstrip() + "…"
    return value, label.strip() or value[:MAX_NAME]
