"""Counting topic keywords in tokenised text.

A keyword is a word (matching its other forms through the analyser's ``stem``; a
moderator's keyword, ``whole_words``, matches only as the word itself or its plural, so
``crossing`` never matches ``cross``), a prefix
("invest*": every word starting "invest"), or a phrase of those ("world cup",
"counter-terror*"). Matching works on the tokens of ``bot.text.tokenize`` so keywords and articles
are cut the same way, given as strings or as ids of a :class:`TokenIds` (how the topic model
keeps its articles: a word's id takes 2 or 4 bytes where its string took ~60).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.text import fold_text as fold
from bot.text import singular, stem
from bot.text import tokenize as words

_MIN_PREFIX = 3  # a shorter "prefix*" would match half the dictionary: treated as a word

_T = TypeVar("_T", bound=Hashable)


class TokenIds:
    """Token strings numbered in order of first sight (append-only, so ids never change).

    Not locked: only one thread may ``encode`` at a time (the service's reload lock); any
    thread may read ``words``.
    """

    __slots__ = ("ids", "words")

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """The id of each token, numbering tokens never seen before."""
        ids = self.ids
        found = list(map(ids.get, tokens))  # a C loop; new words are rare after a while
        if None not in found:
            return found  # type: ignore[return-value]  # no None left
        words = self.words
        out: list[int] = []
        for token, tid in zip(tokens, found, strict=True):
            if tid is None:
                tid = ids.get(token)
                if tid is None:
                    tid = ids[token] = len(words)
                    words.append(token)
            out.append(tid)
        return out

    def __getstate__(self) -> list[str]:
        return self.words  # the dict is the list inverted: half the pickle

    def __setstate__(self, words: list[str]) -> None:
        self.words = words
        self.ids = {word: i for i, word in enumerate(words)}


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
        # The same memo by token id, for the one TokenIds table it was last used with.
        self._first_id: dict[int, tuple[int, ...]] = {}
        self._table: TokenIds | None = None
        self._scanned = 0  # ids of that table whose heads are all in ``_first_id``
        self._hit_ids: set[int] = set()
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
            ids = self._first[token] = self._match_heads(token)
        return ids

    def _match_heads(self, token: str) -> tuple[int, ...]:
        key = singular(token) if self.whole_words else stem(token)
        found = list(self._exact.get(key, ()))
        for pid in self._prefix.get(token[:2], ()):
            if token.startswith(self.patterns[pid][1][0].value):
                found.append(pid)
        return tuple(found)

    def count(self, tokens: Sequence[str], tally: Counter[str] | None = None) -> Counter[int]:
        """Hits per pattern id in ``tokens`` (``tally``: ``Counter(tokens)`` if already made)."""
        first = self._first
        return self._count(
            tokens, tally if tally is not None else Counter(tokens), first, self._heads, str
        )

    def count_ids(
        self, ids: Sequence[int], table: TokenIds, starts: set[int] | None = None
    ) -> Counter[int]:
        """Hits per pattern id in ``ids``, tokens encoded by ``table`` (as ``count`` would
        find in the tokens themselves). ``starts`` (``hit_ids(table)``) gives the same
        answer in fewer steps when few of the tokens can hit."""
        memo = self._memo_for(table)
        words = table.words
        if starts is None:
            tally = Counter(ids)
        else:
            # Only the tokens that start a keyword, counted in C, in order of first
            # appearance as Counter(ids) would have them (the scores sum in that order).
            present = sorted(starts.intersection(ids), key=ids.index)
            tally = Counter({tid: ids.count(tid) for tid in present})

        def heads(tid: int) -> tuple[int, ...]:
            found = memo[tid] = self._match_heads(words[tid])
            return found

        return self._count(ids, tally, memo, heads, words.__getitem__)

    def hit_ids(self, table: TokenIds) -> set[int]:
        """Ids of ``table`` that start some keyword: a document holding none has no hits.

        Each word of the table is matched once (and once more only when the table grew).
        """
        memo = self._memo_for(table)
        words = table.words
        for tid in range(self._scanned, len(words)):
            heads = memo.get(tid)
            if heads is None:
                heads = memo[tid] = self._match_heads(words[tid])
            if heads:
                self._hit_ids.add(tid)
        self._scanned = max(self._scanned, len(words))
        return self._hit_ids

    def _memo_for(self, table: TokenIds) -> dict[int, tuple[int, ...]]:
        if self._table is not table:
            self._table, self._first_id, self._scanned, self._hit_ids = table, {}, 0, set()
        return self._first_id

    def _count(
        self,
        tokens: Sequence[_T],
        tally: Counter[_T],
        memo: dict[_T, tuple[int, ...]],
        miss: Callable[[_T], tuple[int, ...]],
        spell: Callable[[_T], str],
    ) -> Counter[int]:
        hits: Counter[int] = Counter()
        phrase_heads: set[_T] = set()
        for token, n in tally.items():
            heads = memo.get(token)
            if heads is None:
                heads = miss(token)
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
                for pid in memo[tokens[i]]:
                    pattern = self.patterns[pid][1]
                    if len(pattern) > 1 and _follows(pattern, tokens, i, spell):
                        hits[pid] += 1
        return hits

    def group_of(self, pid: int) -> int:
        """The group (topic) pattern ``pid`` belongs to."""
        return self.patterns[pid][0]


def _follows(
    pattern: tuple[_Word, ...],
    tokens: Sequence[_T],
    start: int,
    spell: Callable[[_T], str],
) -> bool:
    """Whether the words of ``pattern`` after its first follow ``tokens[start]``
    (``spell``: a token as its string)."""
    if start + len(pattern) > len(tokens):
        return False
    return all(w.matches(spell(tokens[start + k])) for k, w in enumerate(pattern) if k)
