"""The search index: parse → plan → rank, over immutable segments.

``SearchIndex.search`` parses the query (:mod:`bot.search.query`), plans each word's
readings (as typed, other forms, compounds, near spellings, sound-alikes:
:mod:`bot.search.plan`, over this index as its :class:`~bot.search.plan.Lexicon`), looks
them up in each segment's postings (:mod:`bot.search.segment`) and ranks the passages
(:mod:`bot.search.rank`). An index is immutable. :meth:`SearchIndex.updated` returns a new
index that shares the unchanged segments with the old one, so searches running on the old
object are undisturbed.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.corpus.model import Article
from bot.search.correct import MAX_EDITS
from bot.search.model import IndexStats, SearchResult
from bot.search.plan import Plan, Planner
from bot.search.query import parse_query
from bot.search.rank import finalists, length_norms, rerank, scored
from bot.search.related import SAMPLE, related_words, sample_ids
from bot.search.segment import Dead, Segment
from bot.text import sound_key, stem, tokenize

MAX_LIMIT = 50
MAX_SEGMENTS = 8
ONLY_STOPWORDS = (
    "Your query has only common words (such as “what”, “the”, “how”), so they were searched "
    "for as they are; add a word about the subject for better results."
)


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
        self._planner = Planner(self)

    def __getstate__(self) -> dict[str, object]:
        # For snapshots (bot.snapshot): the planner holds only caches; a new one is made.
        state = dict(self.__dict__)
        del state["_planner"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._planner = Planner(self)

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
        plan = self._planner.plan(parsed)
        pool = []
        if plan.possible and plan.groups:
            pool = finalists(self._segments, self._dead, self._norms, plan, within)
            if (
                pool
                and max(item[0] for item in pool) < len(plan.groups)
                and not plan.phrases
                and all(self._planner.known(t) for t in parsed.terms)
            ):
                # Some word is in none of the best passages: words the library writes
                # beside it may stand for it. Only then, and only for words spelt as the
                # library spells them (a typo's company says nothing): it costs a second
                # look.
                best = max(pool)
                held = plan.matched(set(tokenize(self._segments[best[5]].text(best[6]))))
                missing = [t for t in parsed.terms if not held & _words_of(plan, t)]
                wider = self._planner.plan(parsed, related=missing)
                if len(wider.alts) > len(plan.alts):
                    plan = wider
                    pool = finalists(self._segments, self._dead, self._norms, plan, within)
        hits = rerank(self._segments, plan, pool, limit, per_article)
        notice = ONLY_STOPWORDS if plan.only_stopwords else None
        if not hits:
            suggestions = self._planner.suggest(parsed, plan)
            return SearchResult(query, plan.corrected(), (), suggestions, notice)
        found = plan.matched(set(tokenize(hits[0].sentence)))
        return SearchResult(query, plan.corrected(found), tuple(hits), (), notice)

    def article_ids_for(self, query: str, limit: int) -> list[tuple[str, float]]:
        """Articles ranked by relevance to free text (typo-corrected; quotes ignored).

        An article's score sums its best passages' BM25 scores with falling weights
        (1, 1/2, 1/3, …), so an article that keeps returning to the subject ranks above one
        that mentions it once.
        """
        parsed = parse_query(query.replace('"', " "))
        if not parsed.terms or limit <= 0:
            return []
        # Function words do not nudge an article's relevance (only a passage's rank).
        plan = replace(self._planner.plan(parsed), soft=0)
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

    # -- the lexicon planning reads (see bot.search.plan.Lexicon) -------------------------

    @property
    def passages(self) -> int:
        """Live passages."""
        return self._passages

    def df(self, term: str) -> int:
        """Live passages containing ``term`` (or, for ``"a b"``, the two words in a row)."""
        if " " in term:
            total = 0
            for seg, dead in zip(self._segments, self._dead, strict=True):
                arr = seg.lookup(term)
                if arr is not None:
                    total += len(arr) - (sum(1 for p in arr if p in dead.pids) if dead.pids else 0)
            return total
        total = sum(seg.df(term) for seg in self._segments)
        return total - sum(d.df.get(term, 0) for d in self._dead) if total else 0

    def near(self, term: str, edits: int) -> dict[str, int]:
        """Indexed words within ``edits`` edits of ``term``, with their distances."""
        found: dict[str, int] = {}
        for seg in self._segments:
            for word, distance in seg.vocab.near(term, edits).items():
                if distance < found.get(word, MAX_EDITS + 1):
                    found[word] = distance
        return found

    def forms(self, term: str, known: bool = True) -> set[str]:
        """Indexed words sharing ``term``'s stem (see ``Vocabulary.forms``; a word the
        index lacks (not ``known``) only meets stems its own starts)."""
        key = stem(term)
        out = {w for seg in self._segments for w in seg.vocab.forms(key, shorter=known)}
        out.discard(term)
        return out

    def related(self, term: str) -> list[tuple[str, float]]:
        """Words over-represented in a sample of the live passages holding ``term`` or
        another form of it (``redundant``, ``redundancies``: one subject)."""
        if " " in term:
            return []
        words = sorted({term, *self.forms(term)})
        total = sum(seg.df(w) for seg in self._segments for w in words)
        if total <= 0:
            return []
        # Grouped by article: a story that names someone in every sentence is one story.
        stories: dict[tuple[int, int], list[str]] = {}
        for seg_no, (seg, dead) in enumerate(zip(self._segments, self._dead, strict=True)):
            for word in words:
                arr = seg.postings.get(word)
                if arr is None:
                    continue
                share = max(1, round(SAMPLE * len(arr) / total))
                for pid in sample_ids(arr, len(arr), share):
                    if pid not in dead.pids:
                        stories.setdefault((seg_no, seg.p_article[pid]), []).append(seg.texts[pid])
        return related_words(term, stories.values(), self.df, self._passages)

    def sounds_like(self, term: str) -> set[str]:
        """Indexed words sharing ``term``'s phonetic key."""
        key = sound_key(term)
        out = {w for seg in self._segments for w in seg.vocab.sounds(key)}
        out.discard(term)
        return out


def _words_of(plan: Plan, term: str) -> set[str]:
    """The words that may stand for ``term`` in ``plan`` (itself and its readings)."""
    return {term, *(v.word for v in plan.variants.get(term, ()))}


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
