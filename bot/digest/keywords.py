"""Counting topic keywords in tokenised text.

A keyword is a word (matching its other forms through the analyser's ``stem``; a
moderator's keyword, ``whole_words``, matches only as the word itself or its plural, so
``crossing`` never matches ``cross``), a prefix
("invest*": every word starting "invest"), or a phrase of those ("world cup",
"counter-terror*"). Matching works on the tokens of ``bot.text.tokenize`` so keywords and articles
are cut the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text import fold_text as fold
from bot.text import singular, stem
from bot.text import tokenize as words

_MIN_PREFIX = 3  # a shorter "prefix*" would match half the dictionary: treated as a word


@dataclass(frozen=True, slots=True)
class _Word:
    value: str
    prefix: bool
    whole: bool = False

    def matches(self, token: str) -> bool:
        if self.prefix:
            return token.startswith(self.value)
        return (singular(token) if self.whole else stem(token)) == self.value


def parse_keyword(keyword: str, whole_words: bool = False) -> tuple[_Word, ...]:
    """The words of ``keyword`` as matchers; empty when it has no letters or digits."""
    out: list[_Word] = []
    for part in keyword.split():
        star = part.endswith("*")
        tokens = words(part.rstrip("*"))
        for i, token in enumerate(tokens):
            if star and i == len(tokens) - 1 and len(token) >= _MIN_PREFIX:
                out.append(_Word(fold(token), True))
            elif whole_words:
                out.append(_Word(singular(token), False, True))
            else:
                out.append(_Word(stem(token), False))
    return tuple(out)


class KeywordMatcher:
    """Counts, per group (topic), the hits of each of its keywords in a token sequence."""

    def __init__(self, groups: Sequence[Sequence[str]], whole_words: bool = False) -> None:
        """``groups`` of keywords; ``whole_words`` matches each as itself or its plural
        only (a moderator's keywords), not through its stem."""
        self.whole_words = whole_words
        self.patterns: list[tuple[int, tuple[_Word, ...]]] = []
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._first: dict[str, tuple[int, ...]] = {}
        seen: set[tuple[int, tuple[_Word, ...]]] = set()
        for group, keywords in enumerate(groups):
            for keyword in keywords:
                pattern = parse_keyword(keyword, whole_words)
                if not pattern or (group, pattern) in seen:
                    continue
                seen.add((group, pattern))
                pid = len(self.patterns)
                self.patterns.append((group, pattern))
                head = pattern[0]
                if head.prefix:
                    self._prefix.setdefault(head.value[:2], []).append(pid)
                else:
                    self._exact.setdefault(head.value, []).append(pid)

    def _heads(self, token: str) -> tuple[int, ...]:
        """Pattern ids whose first word matches ``token`` (memoised per distinct token)."""
        ids = self._first.get(token)
        if ids is None:
            key = singular(token) if self.whole_words else stem(token)
            found = list(self._exact.get(key, ()))
            for pid in self._prefix.get(token[:2], ()):
                if token.startswith(self.patterns[pid][1][0].value):
                    found.append(pid)
            ids = self._first[token] = tuple(found)
        return ids

    def count(self, tokens: Sequence[str], tally: Counter[str] | None = None) -> Counter[int]:
        """Hits per pattern id in ``tokens`` (``tally``: ``Counter(tokens)`` if already made)."""
        hits: Counter[int] = Counter()
        phrase_heads: set[str] = set()
        first = self._first
        for token, n in (tally if tally is not None else Counter(tokens)).items():
            heads = first.get(token)
            if heads is None:
                heads = self._heads(token)
            if not heads:
                continue
            credited: set[int] = set()
            for pid in heads:
                group, pattern = self.patterns[pid]
                if len(pattern) > 1:
                    phrase_heads.add(token)
                elif group not in credited:
                    # Overlapping keywords ("president", "presiden*") credit a word once.
                    credited.add(group)
                    hits[pid] += n
        if phrase_heads:
            for i in [i for i, token in enumerate(tokens) if token in phrase_heads]:
                for pid in first[tokens[i]]:
                    pattern = self.patterns[pid][1]
                    if len(pattern) > 1 and _follows(pattern, tokens, i):
                        hits[pid] += 1
        return hits

    def group_of(self, pid: int) -> int:
        """The group (topic) pattern ``pid`` belongs to."""
        return self.patterns[pid][0]


def _follows(pattern: tuple[_Word, ...], tokens: Sequence[str], start: int) -> bool:
    if start + len(pattern) > len(tokens):
        return False
    return all(w.matches(tokens[start + k]) for k, w in enumerate(pattern) if k)
