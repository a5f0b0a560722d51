"""Typo correction of query terms against the indexed vocabulary.

The vocabulary is bucketed by (length, first letter) and by (length, second letter), so a
term is compared with a few thousand words of similar length rather than all of them, while
a typo in the first letter (substituted, dropped, doubled or swapped with the second) still
finds its word. Distances are optimal-string-alignment edits: a transposition is one edit.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.text import STOPWORDS, sound_key, stems

MAX_EDITS = 3
LONG_STEM = 6  # a stem this long that starts another is the same word (electrif/electrifi)
MAX_LONGER = 8  # longer stems looked at per stem
STEM_SLACK = 2  # ...at most this many letters longer or shorter
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
FAR_KEY = 0.2  # odds of a letter swapped for (or typed beside) a far key, against a near one
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {
    c: frozenset(
        k
        for r2, row2 in enumerate(_ROWS)
        for c2, k in enumerate(row2)
        if abs(r2 - r) <= 1 and abs(c2 - c1) <= 1 and k != c
    )
    for r, row in enumerate(_ROWS)
    for c1, c in enumerate(row)
}


class Vocabulary:
    """The words of one index segment, bucketed for fast approximate look-up."""

    __slots__ = (
        "_by_first",
        "_by_prefix",
        "_by_second",
        "_by_sound",
        "_by_stem",
        "_stem_keys",
        "_words",
    )

    def __init__(self, terms: Iterable[str], *, forms: bool = True) -> None:
        """Bucket ``terms``; ``forms`` also keys them by stem and sound (search needs that,
        autocomplete does not)."""
        by_first: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
        by_second: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
        by_prefix: defaultdict[tuple[int, str], list[str]] = defaultdict(list)
        words = set()
        for term in terms:
            # Numbers are never corrected, and nothing is corrected into a number or into a
            # short stopword (``thre`` → ``the`` would find every passage and mean nothing;
            # ``withni`` → ``within`` is fine).
            if len(term) < 2 or not term.isalpha() or (term in STOPWORDS and len(term) <= 4):
                continue
            words.add(term)
            by_first[len(term), term[0]].append(term)
            by_second[len(term), term[1]].append(term)
            by_prefix[len(term), term[:2]].append(term)
        self._words = frozenset(words)
        # Other forms (one stem) and sound-alikes (one phonetic key). Every key is kept,
        # even one word's: its other forms may be in another segment.
        ordered = sorted(words) if forms else []
        self._by_stem = _shared(zip(stems(ordered), ordered, strict=True))
        self._by_sound = _shared((sound_key(w), w) for w in ordered)
        self._stem_keys = sorted(self._by_stem)
        self._by_first = dict(by_first)
        self._by_second = dict(by_second)
        self._by_prefix = dict(by_prefix)

    def near(self, term: str, edits: int) -> dict[str, int]:
        """Words within ``edits`` OSA edits of ``term`` (``term`` itself excluded)."""
        n = len(term)
        if edits <= 0 or n < 2:
            return {}
        if edits == 1 and term.isascii():
            return self._one_edit(term)
        first, second = term[0], term[1]
        keys = [(self._by_first, k, first) for k in range(n - edits, n + edits + 1)]
        rest = edits - 1  # edits left after one at the first letter
        # First letter substituted: the second letter still lines up.
        keys += [(self._by_second, k, second) for k in range(n - rest, n + rest + 1)]
        # First letter dropped: the typed first letter is the word's second.
        keys += [(self._by_second, k, first) for k in range(n + 1 - rest, n + 2 + rest)]
        # A letter typed before the word, or the first two swapped.
        keys += [(self._by_first, k, second) for k in range(n - 1 - rest, n + 1 + rest)]
        return self._scan(term, edits, [table.get((k, c)) for table, k, c in keys])

    def forms(self, stem: str, shorter: bool = True) -> list[str]:
        """The words whose stem is ``stem``, or (for a stem of ``LONG_STEM`` letters or
        more) whose stem starts it (with ``shorter``) or starts with it, a letter or two
        apart: Snowball leaves ``electrification`` and ``electrified`` apart (``electrif``,
        ``electrifi``)."""
        out = list(self._by_stem.get(stem, ()))
        if len(stem) < LONG_STEM:
            return out
        if shorter:
            for k in range(max(LONG_STEM, len(stem) - STEM_SLACK), len(stem)):
                out.extend(self._by_stem.get(stem[:k], ()))
        keys = self._stem_keys
        i = bisect_left(keys, stem)
        for key in keys[i : i + 1 + MAX_LONGER]:
            if not key.startswith(stem):
                break
            if key != stem and len(key) - len(stem) <= STEM_SLACK:
                out.extend(self._by_stem[key])
        return out

    def sounds(self, key: str) -> tuple[str, ...]:
        """The words whose phonetic key is ``key``."""
        return self._by_sound.get(key, ()) if key else ()

    def _one_edit(self, term: str) -> dict[str, int]:
        # An edit after the first two letters leaves them in place: scan those buckets.
        n = len(term)
        found = self._scan(term, 1, [self._by_prefix.get((k, term[:2])) for k in (n - 1, n, n + 1)])
        # An edit among the first letters: try every such variant (about a hundred).
        variants = {term[1:], term[0] + term[2:], term[1] + term[0] + term[2:]}
        if n > 2:
            variants.add(term[0] + term[2] + term[1] + term[3:])
        for c in _LETTERS:
            variants.update(
                (c + term, c + term[1:], term[0] + c + term[1:], term[0] + c + term[2:])
            )
        variants.discard(term)
        for word in variants & self._words:
            found[word] = 1
        return found

    @staticmethod
    def _scan(term: str, edits: int, buckets: list[list[str] | None]) -> dict[str, int]:
        found: dict[str, int] = {}
        seen: set[int] = set()
        for bucket in buckets:
            if not bucket or id(bucket) in seen:
                continue
            seen.add(id(bucket))
            for word, distance, _ in process.extract(
                term, bucket, scorer=OSA.distance, score_cutoff=edits, limit=None
            ):
                if distance > 0 and distance < found.get(word, MAX_EDITS + 1):
                    found[word] = distance
        return found


def _shared(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for key, word in pairs:
        if key:
            groups.setdefault(key, []).append(word)
    return {k: tuple(ws) for k, ws in groups.items()}


def slip(typed: str, word: str) -> float:
    """How likely ``typed`` is as a one-edit slip for ``word``, against the likeliest slips.

    A dropped letter, two letters swapped, a key hit beside the one meant, or a letter
    doubled or typed beside its neighbour on the keyboard are the slips fingers make (1);
    a letter replaced by (or typed next to) a far one is ``FAR_KEY`` as likely: ``trush`` is
    ``trust`` (``h`` is beside ``t``) before ``truth``. Letters off the QWERTY rows, and pairs
    not one edit apart, are not judged (1).
    """
    n, m = len(typed), len(word)
    if n == m:
        diff = [i for i in range(n) if typed[i] != word[i]]
        if len(diff) != 1:
            return 1.0  # a transposition (or more than one edit)
        return _near_key(typed[diff[0]], word[diff[0]])
    if n == m + 1:
        i = next((i for i in range(m) if typed[i] != word[i]), m)
        extra = typed[i]
        around = {typed[j] for j in (i - 1, i + 1) if 0 <= j < n}
        if extra in around:
            return 1.0  # a doubled letter
        return max((_near_key(extra, c) for c in around), default=1.0)
    return 1.0  # a dropped letter (or not one edit)


def _near_key(typed: str, meant: str) -> float:
    near = _NEAR_KEYS.get(meant)
    if near is None or typed not in _NEAR_KEYS:
        return 1.0
    return 1.0 if typed in near else FAR_KEY
