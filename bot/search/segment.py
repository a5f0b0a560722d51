"""One immutable slice of the index: passages, postings and the vocabulary of some articles.

An index is a base segment plus small segments for later upserts, so an update never has to
rebuild or copy the base. Passage ids are local to a segment and follow article order, so
one article's passages are a contiguous range.

Postings are ``array('I')`` of passage ids. A term in many passages also gets a bitmap: the
query never walks such a long list; it tests candidates against the bitmap, or ANDs bitmaps
as Python integers to find passages that match several common words.
"""

from __future__ import annotations

import itertools
import re
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import overload

from bot.corpus.model import Article
from bot.search.correct import Vocabulary
from bot.text import STOPWORDS, tokenize

MAX_LEN = 1023  # passage length cap for BM25: longer "sentences" are junk anyway
_BITMAP_MIN_DF = 1024
_BITMAP_FRACTION = 256  # a term in ≥ 1/256 of the passages gets a bitmap
_NONZERO = re.compile(rb"[^\x00]+")
PAIR_SCAN = 300  # passages checked for two words in a row (a split compound), at most
_PAIR_CACHE = 1024
_BITS = tuple(tuple(i for i in range(8) if v >> i & 1) for v in range(256))


class Passages(Sequence[str]):
    """The sentence of each passage, cut from its article when asked for (not copied)."""

    __slots__ = ("_articles", "_p_article", "_p_sent")

    def __init__(self, articles: Sequence[Article], p_article: array, p_sent: array) -> None:
        self._articles, self._p_article, self._p_sent = articles, p_article, p_sent

    def __len__(self) -> int:
        return len(self._p_article)

    @overload
    def __getitem__(self, pid: int) -> str: ...

    @overload
    def __getitem__(self, pid: slice) -> list[str]: ...

    def __getitem__(self, pid: int | slice) -> str | list[str]:
        if isinstance(pid, slice):
            return [self[i] for i in range(*pid.indices(len(self)))]
        return self._articles[self._p_article[pid]].sentences[self._p_sent[pid]]


class Segment:
    """Passages and postings of a fixed set of articles (never modified once built)."""

    __slots__ = (
        "_pairs",
        "articles",
        "bitmaps",
        "bounds",
        "n_tokens",
        "nbytes",
        "p_article",
        "p_len",
        "p_sent",
        "postings",
        "texts",
        "vocab",
    )

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles: tuple[Article, ...] = tuple(articles)
        p_article, p_sent, p_len = array("I"), array("I"), array("H")
        bounds = array("I", [0])
        postings: dict[str, array] = {}
        n_tokens = 0
        pid = 0
        for ai, article in enumerate(self.articles):
            seen: set[tuple[str, ...]] = set()
            for si, sentence in enumerate(article.sentences):
                tokens = tokenize(sentence)
                key = tuple(tokens)
                # A repeated sentence (a standfirst the body repeats) is one passage.
                if not tokens or key in seen:
                    continue
                seen.add(key)
                # BM25's length counts content words: "the", "of" make no passage less
                # about its subject.
                length = min(max(1, sum(1 for t in tokens if t not in STOPWORDS)), MAX_LEN)
                p_article.append(ai)
                p_sent.append(si)
                p_len.append(length)
                n_tokens += length
                for term in set(tokens):
                    arr = postings.get(term)
                    if arr is None:
                        postings[term] = arr = array("I")
                    arr.append(pid)
                pid += 1
            bounds.append(pid)
        self.p_article, self.p_sent, self.p_len, self.bounds = p_article, p_sent, p_len, bounds
        # The passages' sentences, read from the articles (which hold the text once).
        self.texts = Passages(self.articles, p_article, p_sent)
        self.postings = postings
        self.n_tokens = n_tokens
        self.bitmaps = self._bitmaps(postings, pid)
        self.vocab = Vocabulary(postings)
        self.nbytes = self._measure()
        self._pairs: dict[str, array] = {}

    def __getstate__(self) -> dict[str, object]:
        # For snapshots (bot.snapshot): everything but the cache of phrase look-ups.
        return {name: getattr(self, name) for name in self.__slots__ if name != "_pairs"}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._pairs = {}

    @staticmethod
    def _bitmaps(postings: dict[str, array], n: int) -> dict[str, bytes]:
        threshold = max(_BITMAP_MIN_DF, n // _BITMAP_FRACTION)
        out = {}
        for term, arr in postings.items():
            if len(arr) >= threshold:
                bm = bytearray(n // 8 + 1)
                for p in arr:
                    bm[p >> 3] |= 1 << (p & 7)
                out[term] = bytes(bm)
        return out

    def _measure(self) -> int:
        size = sum(sys.getsizeof(a) for a in (self.p_article, self.p_sent, self.p_len))
        size += sys.getsizeof(self.postings) + sys.getsizeof(self.bitmaps)
        size += sum(sys.getsizeof(t) + sys.getsizeof(a) for t, a in self.postings.items())
        size += sum(sys.getsizeof(b) for b in self.bitmaps.values())
        size += 16 * len(self.postings)  # the vocabulary's two bucket references per word
        return size

    @property
    def n_passages(self) -> int:
        """Passages in this segment, dead or alive."""
        return len(self.p_article)

    def df(self, term: str) -> int:
        """Passages of this segment containing ``term``."""
        arr = self.postings.get(term)
        return len(arr) if arr is not None else 0

    def lookup(self, term: str) -> array | None:
        """The postings of ``term``; for two words with a space, passages holding them in
        a row (the first ``PAIR_SCAN`` passages holding both are checked)."""
        if " " not in term:
            return self.postings.get(term)
        found = self._pairs.get(term)
        if found is not None:
            return found or None
        left, _, right = term.partition(" ")
        a, b = self.postings.get(left), self.postings.get(right)
        found = array("I")
        if a is not None and b is not None:
            if len(a) > len(b):
                a, b = b, a
                left, right = right, left
                flipped = True
            else:
                flipped = False
            bm = self.bitmaps.get(right)
            if bm is not None:
                both = [p for p in a[: 8 * PAIR_SCAN] if bm[p >> 3] >> (p & 7) & 1]
            else:
                both = sorted(set(a).intersection(b))
            first, second = (right, left) if flipped else (left, right)
            for p in both[:PAIR_SCAN]:
                tokens = tokenize(self.texts[p])
                if any(x == first and y == second for x, y in itertools.pairwise(tokens)):
                    found.append(p)
        if len(self._pairs) >= _PAIR_CACHE:
            self._pairs.clear()
        self._pairs[term] = found
        return found or None

    def text(self, pid: int) -> str:
        """The sentence of passage ``pid``."""
        return self.texts[pid]

    def collect(
        self,
        alts: Sequence[tuple[int, str]],
        groups: Sequence[int],
        *,
        want: int,
        cap: int,
        weak: int = 0,
        within: tuple[int, int] | None = None,
        dead: frozenset[int] = frozenset(),
    ) -> dict[int, int]:
        """Candidate passages for a query, as ``{passage id: mask of matched alternatives}``.

        ``alts`` pairs each term with its bit; ``groups`` are the masks of the query's
        words (a word matches when any of its alternatives does). Every passage holding a
        rare term is a candidate. Passages holding only common (bitmapped) terms are added
        best-covered first when they can compete: those holding every query word (at most
        ``cap``), a sample of ``want`` from a tier that ties the rare-term candidates, and
        lower tiers only while there are fewer than ``want`` candidates. The ``weak``
        alternatives only mark the candidates the others bring. ``within`` restricts the
        passage ids (one article).
        """
        drivers: list[tuple[int, Sequence[int]]] = []
        probes: list[tuple[int, bytes, Sequence[int]]] = []
        weaklings: list[tuple[int, bytes | None, Sequence[int]]] = []
        for bit, term in alts:
            arr = self.lookup(term)
            if arr is None:
                continue
            bm = self.bitmaps.get(term) if " " not in term else None
            if within is not None:
                lo, hi = bisect_left(arr, within[0]), bisect_left(arr, within[1])
                arr, bm = arr[lo:hi], None
            if bit & weak:
                weaklings.append((bit, bm, arr))
            elif bm is None:
                drivers.append((bit, arr))
            else:
                probes.append((bit, bm, arr))

        # The near spellings of a query's words bring many passages: set operations (in C)
        # find the few that hold several of them, and only those take a Python loop.
        cand: dict[int, int] = {}
        for bit, ids in drivers:
            both = {p: cand[p] | bit for p in cand.keys() & ids} if cand else {}
            cand.update(dict.fromkeys(ids, bit))
            cand.update(both)
        for bit, bm, ids in probes:
            _mark(cand, bit, bm, ids)
        if probes:
            best = max((_coverage(m, groups) for m in set(cand.values())), default=0)
            self._add_common(cand, [(bit, bm) for bit, bm, _ in probes], groups, best, want, cap)
        for bit, bm, ids in weaklings:
            _mark(cand, bit, bm, ids)
        if dead:
            if len(dead) < len(cand):
                for p in dead:
                    cand.pop(p, None)
            else:
                cand = {p: m for p, m in cand.items() if p not in dead}
        return cand

    def _add_common(
        self,
        cand: dict[int, int],
        probes: Sequence[tuple[int, bytes]],
        groups: Sequence[int],
        best: int,
        want: int,
        cap: int,
    ) -> None:
        """Add passages that match only common terms, best-covered first."""
        probe_bits = 0
        for bit, _ in probes:
            probe_bits |= bit
        words: list[int] = []
        for group in groups:
            if not group & probe_bits:
                continue
            x = 0
            for bit, bm in probes:
                if bit & group:
                    x |= int.from_bytes(bm, "little")
            words.append(x)
        if len(words) < best and len(cand) >= want:
            return
        # at_least[c]: passages matching at least c of these words (bit-sliced counting).
        at_least = [0] * (len(words) + 2)
        for x in words:
            for c in range(len(words), 1, -1):
                at_least[c] |= at_least[c - 1] & x
            at_least[1] |= x
        nbytes = self.n_passages // 8 + 1
        for c in range(len(words), 0, -1):
            if c < best and len(cand) >= want:
                break
            # All passages with every word; of a partial tier, which is often huge and
            # mostly beaten by the rare-word candidates, a sample in passage order.
            limit = cap if c == len(groups) else want
            added = 0
            tier = at_least[c] & ~at_least[c + 1]
            if not tier:
                continue
            data = tier.to_bytes(nbytes, "little")
            for m in _NONZERO.finditer(data):
                base = m.start() * 8
                for offset, value in enumerate(m.group()):
                    for b in _BITS[value]:
                        p = base + offset * 8 + b
                        if p in cand:
                            continue
                        mask = 0
                        for bit, bm in probes:
                            if bm[p >> 3] >> (p & 7) & 1:
                                mask |= bit
                        cand[p] = mask
                        added += 1
                if added >= limit:
                    break


@dataclass(frozen=True, slots=True)
class Dead:
    """The passages of one segment that were replaced or removed, and what they held.

    Their term counts are subtracted from the segment's, so an updated index ranks exactly
    as a fresh build of the same articles would.
    """

    pids: frozenset[int] = frozenset()
    df: dict[str, int] = field(default_factory=dict)
    tokens: int = 0

    def plus(self, segment: Segment, pids: Iterable[int]) -> Dead:
        """This plus ``pids`` (a new object: the old one may be in use)."""
        new = set(pids) - self.pids
        df = dict(self.df)
        tokens = self.tokens
        for pid in new:
            for term in set(tokenize(segment.texts[pid])):
                df[term] = df.get(term, 0) + 1
            tokens += segment.p_len[pid]
        return Dead(self.pids | new, df, tokens)


def _mark(cand: dict[int, int], bit: int, bitmap: bytes | None, ids: Sequence[int]) -> None:
    """Add ``bit`` to the candidates among passages ``ids`` (whose bitmap is ``bitmap``)."""
    if not cand:
        return
    if bitmap is None or len(ids) < 4 * len(cand):
        for p in cand.keys() & ids:
            cand[p] |= bit
    else:
        for p in cand:
            if bitmap[p >> 3] >> (p & 7) & 1:
                cand[p] |= bit


def _coverage(mask: int, groups: Sequence[int]) -> int:
    return sum(1 for g in groups if mask & g)
