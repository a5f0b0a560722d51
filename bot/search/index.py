"""The search index: query words and their near spellings → postings → coverage, BM25, rerank.

Each query word is matched as typed and as its likeliest near spellings in the vocabulary
(:mod:`bot.search.correct`), Meilisearch-style: a typo is often another word of the corpus
(``sadi``, ``booing``), so even a word the index has may stand for another. The variants
are looked up in each segment's postings (:mod:`bot.search.segment`) and ranked
(:mod:`bot.search.rank`).
An index is immutable. :meth:`SearchIndex.updated` returns a new index that shares the
unchanged segments with the old one, so searches running on the old object are undisturbed.
"""

from __future__ import annotations

import heapq
import math
import sys
import threading
from collections.abc import Iterable, Sequence

from bot.corpus.model import Article
from bot.search.correct import MAX_EDITS, correction_budget
from bot.search.model import IndexStats, SearchResult
from bot.search.plan import Plan, Variant, Variants, make_plan
from bot.search.query import ParsedQuery, parse_query
from bot.search.rank import finalists, length_norms, rerank, scored
from bot.search.segment import Dead, Segment
from bot.search.tokens import STOPWORDS, tokenize, typo_budget

MAX_LIMIT = 50
MAX_VARIANTS = 8  # near spellings looked up per query word, the likeliest
TYPO_RATE = 0.03  # odds that a word was typed as one given near spelling of the one meant
MIN_SHARE = 0.02  # a near word less likely than this share of all is a weak variant
MIN_WEIGHT = 0.01  # a match still counts a little, however common the word
MAX_SEGMENTS = 8
_CACHE_SIZE = 4096


class SearchIndex:
    """Typo-tolerant excerpt search over articles. Build with :meth:`build`."""

    def __init__(
        self,
        segments: Sequence[Segment],
        dead: Sequence[Dead],
        where: dict[str, tuple[int, int]],
    ) -> None:
        """Assemble an index from segments; use :meth:`build` or :meth:`updated` instead."""
        self._segments = tuple(segments)
        self._dead = tuple(dead)
        self._where = where
        total = sum(s.n_passages for s in self._segments)
        self._passages = total - sum(len(d.pids) for d in self._dead)
        tokens = sum(s.n_tokens for s in self._segments) - sum(d.tokens for d in self._dead)
        avgdl = tokens / self._passages if self._passages else 1.0
        self._norms = length_norms(avgdl)
        self._cache: dict[str, Variants] = {}
        self._cache_lock = threading.Lock()

    @classmethod
    def build(cls, articles: Iterable[Article]) -> SearchIndex:
        """Index ``articles`` (a later article with the same id replaces an earlier one)."""
        unique = list({a.id: a for a in articles}.values())
        segment = Segment(unique)
        where = {a.id: (0, i) for i, a in enumerate(unique)}
        return cls([segment], [Dead()], where)

    # -- updates -----------------------------------------------------------------------

    def updated(self, upserts: Iterable[Article], removed: Iterable[str]) -> SearchIndex:
        """A new index with ``upserts`` added or replaced and ``removed`` ids gone.

        Costs in proportion to the change: new articles go to a small new segment and the
        replaced passages are marked dead. Segments are merged again once there are many
        small ones or much is dead.
        """
        new = {a.id: a for a in upserts}
        gone = set(removed) - new.keys()
        where = dict(self._where)
        dead = list(self._dead)
        touched: dict[int, set[int]] = {}
        for article_id in (*new, *gone):
            loc = where.pop(article_id, None)
            if loc is not None:
                seg_no, ai = loc
                bounds = self._segments[seg_no].bounds
                touched.setdefault(seg_no, set()).update(range(bounds[ai], bounds[ai + 1]))
        for seg_no, pids in touched.items():
            dead[seg_no] = dead[seg_no].plus(self._segments[seg_no], pids)
        segments = list(self._segments)
        if new:
            segments.append(Segment(list(new.values())))
            dead.append(Dead())
            where.update((aid, (len(segments) - 1, i)) for i, aid in enumerate(new))
        return _compacted(segments, dead, where)

    # -- queries -----------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        article_id: str | None = None,
        per_article: int = 2,
    ) -> SearchResult:
        """The best passages for ``query``: at most ``limit`` hits, ``per_article`` per article.

        ``article_id`` restricts the search to one article (an unknown id finds nothing).
        Any string is a valid query; one with no words finds nothing.
        """
        limit = min(max(limit, 0), MAX_LIMIT)
        per_article = max(per_article, 1)
        parsed = parse_query(query)
        if not parsed.terms or limit == 0:
            return SearchResult(query, None, ())
        within = None
        if article_id is not None:
            loc = self._where.get(article_id)
            if loc is None:
                return SearchResult(query, None, ())
            seg_no, ai = loc
            bounds = self._segments[seg_no].bounds
            within = (seg_no, (bounds[ai], bounds[ai + 1]))
            per_article = max(per_article, limit)  # one article: the cap would only hide hits
        plan = self._plan(parsed)
        pool = []
        if plan.possible and plan.groups:
            pool = finalists(self._segments, self._dead, self._norms, plan, within)
        hits = rerank(self._segments, plan, pool, limit, per_article)
        if not hits:
            return SearchResult(query, plan.corrected(), (), self._suggest(parsed, plan))
        found = plan.matched(set(tokenize(hits[0].sentence)))
        return SearchResult(query, plan.corrected(found), tuple(hits))

    def article_ids_for(self, query: str, limit: int) -> list[tuple[str, float]]:
        """Articles ranked by relevance to free text (typo-corrected; quotes ignored).

        An article's score sums its best passages' BM25 scores with falling weights
        (1, 1/2, 1/3, …), so an article that keeps returning to the subject ranks above one
        that mentions it once.
        """
        parsed = parse_query(query.replace('"', " "))
        if not parsed.terms or limit <= 0:
            return []
        plan = self._plan(parsed)
        if not plan.groups:
            return []
        per_article: dict[str, list[float]] = {}
        candidates = scored(self._segments, self._dead, self._norms, plan, want=5000, cap=50000)
        for _, scores, seg_no, pids in candidates:
            seg = self._segments[seg_no]
            for score, pid in zip(scores, pids, strict=True):
                article_id = seg.articles[seg.p_article[pid]].id
                per_article.setdefault(article_id, []).append(score)
        ranked = []
        for article_id, scores in per_article.items():
            best = heapq.nlargest(5, scores)
            ranked.append((round(sum(s / (i + 1) for i, s in enumerate(best)), 4), article_id))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        return [(article_id, score) for score, article_id in ranked[:limit]]

    def stats(self) -> IndexStats:
        """Live articles, passages and distinct terms, and approximate memory in bytes."""
        terms = set(self._segments[0].postings) if len(self._segments) == 1 else set()
        if len(self._segments) > 1:
            for seg in self._segments:
                terms.update(seg.postings)
        size = sum(s.nbytes for s in self._segments) + sys.getsizeof(self._where)
        size += sum(sys.getsizeof(d.pids) + sys.getsizeof(d.df) for d in self._dead)
        return IndexStats(len(self._where), self._passages, len(terms), size)

    # -- internals ---------------------------------------------------------------------

    def _df(self, term: str) -> int:
        """Live passages containing ``term``."""
        total = sum(seg.df(term) for seg in self._segments)
        return total - sum(d.df.get(term, 0) for d in self._dead) if total else 0

    def _near(self, term: str, edits: int) -> dict[str, int]:
        found: dict[str, int] = {}
        for seg in self._segments:
            for word, distance in seg.vocab.near(term, edits).items():
                if distance < found.get(word, MAX_EDITS + 1):
                    found[word] = distance
        return found

    def _variants(self, term: str) -> Variants:
        """The term as typed (when indexed) and the likeliest words within its typo budget.

        A word the index has may still be a typo of another (``sadi`` for ``said``), so its
        near spellings are looked up too. A word's likelihood is its frequency times
        ``TYPO_RATE`` per edit: the typed word comes first, then the likeliest near words.
        A 3–4-letter word has no typo budget of its own: it gets near words only when it is
        missing or rarer than the likeliest of them (too many short words lie one edit
        apart for anything else). Near words with less than ``MIN_SHARE`` of the likelihood
        are weak (:class:`Variant`).
        """
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        df = self._df(term)
        budget = correction_budget(term, known=False)
        # Two edits cost a long scan and are far less likely: only when nothing is closer.
        found = self._near(term, min(budget, 1))
        if budget > 1 and not found and not df:
            found = self._near(term, budget)
        likely = {w: n * TYPO_RATE ** found[w] for w in found if (n := self._df(w)) > 0}
        if df and typo_budget(term) == 0 and max(likely.values(), default=0) <= df:
            likely = {}
        near = sorted(likely, key=lambda w: (-likely[w], w))[:MAX_VARIANTS]
        floor = MIN_SHARE * (df + sum(likely.values()))
        result: Variants = ((Variant(term, 0),) if df > 0 else ()) + tuple(
            Variant(w, found[w], weak=likely[w] < floor and (df > 0 or i > 0))
            for i, w in enumerate(near)
        )
        with self._cache_lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[term] = result
        return result

    def _weights(self, variants: Variants) -> dict[str, float]:
        """The BM25 idf of each variant, as the evidence it gives for the typed word.

        The typed word may come from any variant, from one ``d`` edits away with odds
        ``TYPO_RATE ** d``; so the word's "document frequency" is those odds times the
        variants' frequencies, summed, and a variant hit weighs as a term that much rarer
        than ``TYPO_RATE ** -d`` times it. An exact hit outweighs a variant hit; a rare
        word typed in place of a frequent one weighs about as the frequent one does.
        """
        background = sum(self._df(w) * TYPO_RATE**d for w, d, _ in variants)
        n = self._passages
        out = {}
        for word, d, _ in variants:
            df = min(background / TYPO_RATE**d, n)
            out[word] = max(math.log(1 + (n - df + 0.5) / (df + 0.5)), MIN_WEIGHT)
        return out

    def _plan(self, parsed: ParsedQuery) -> Plan:
        only_stopwords = all(t in STOPWORDS for t in parsed.terms)
        wanted = list(parsed.terms)
        for phrase in parsed.phrases:
            wanted.extend(t for t in phrase if only_stopwords or t not in STOPWORDS)
        variants = {t: self._variants(t) for t in dict.fromkeys(wanted)}
        weights = {t: self._weights(v) for t, v in variants.items()}
        return make_plan(parsed, variants, weights)

    def _suggest(self, parsed: ParsedQuery, plan: Plan) -> tuple[str, ...]:
        """A few words or phrases close to the query, for when nothing was found."""
        out: list[str] = []
        if parsed.phrases and plan.groups:
            out.append(plan.corrected() or " ".join(t for p, _ in parsed.parts for t in p))
            out[-1] = out[-1].replace('"', "")
        for term in parsed.terms[:3]:
            edits = min(correction_budget(term, known=False) + 1, MAX_EDITS)
            found = self._near(term, edits)
            df = {w: self._df(w) for w in found if w != term}
            close = sorted((w for w in df if df[w]), key=lambda w: (found[w], -df[w], w))[:3]
            out.extend(close)
        return tuple(dict.fromkeys(out))[:5]


def _compacted(
    segments: list[Segment], dead: list[Dead], where: dict[str, tuple[int, int]]
) -> SearchIndex:
    """Merge small segments (or rebuild) when they pile up or the base is mostly dead."""
    base_size = segments[0].n_passages
    small = sum(s.n_passages for s in segments[1:])
    if len(dead[0].pids) > base_size // 4 + 64 or small > base_size // 2 + 1024:
        return SearchIndex.build(_live(segments, where, range(len(segments))))
    if len(segments) > MAX_SEGMENTS:
        merged = Segment(list(_live(segments, where, range(1, len(segments)))))
        segments, dead = [segments[0], merged], [dead[0], Dead()]
        base = {aid: loc for aid, loc in where.items() if loc[0] == 0}
        base.update((a.id, (1, i)) for i, a in enumerate(merged.articles))
        where = base
    return SearchIndex(segments, dead, where)


def _live(
    segments: Sequence[Segment], where: dict[str, tuple[int, int]], numbers: Iterable[int]
) -> Iterable[Article]:
    for seg_no in numbers:
        for ai, article in enumerate(segments[seg_no].articles):
            if where.get(article.id) == (seg_no, ai):
                yield article
