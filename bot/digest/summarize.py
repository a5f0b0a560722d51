"""Extractive article summaries: the few sentences that best stand for an article.

Each distinct sentence is scored by its centrality in the article (TextRank-style PageRank
over a graph whose edges are shared words, the headline taking part as one more node), mixed
with a lead prior because news puts its point first. Sentences that open with a pronoun or
connective ("He", "However") lean on a sentence the reader will not see, and fragments say
little, so both are marked down; picks that repeat what is already chosen are marked down too
(maximal marginal relevance).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.corpus.model import Article
from bot.digest.text import sentence_key, stands_alone
from bot.text import content_terms

# Round values chosen on general grounds (a mild lead prior, a mild stand-alone preference);
# benchmarks/digest_quality.py checks them against BBC reference summaries, it did not fit them.
_LEAD_WEIGHT = 0.15  # share of the score that comes from position: 1, 1/2, 1/3, ...
_DANGLING_FACTOR = 0.8  # score kept by a sentence that does not stand alone
_SHORT_WORDS = 6  # fewer content words than this: a fragment, marked down
# An article seldom repeats itself (exact repeats are dropped anyway), so MMR only nudges
# here; across articles, where one story is told many times, digests push much harder.
_REDUNDANCY = 0.1
_DAMPING = 0.85
_MAX_GRAPH_NODES = 200  # past this, PageRank's n² edges cost too much: use degree instead


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    """One distinct sentence of an article with its salience in that article (0..1)."""

    index: int  # position of its first occurrence in ``Article.sentences``
    text: str
    terms: frozenset[str]
    salience: float
    alone: bool


def unique_sentences(sentences: Sequence[str]) -> list[tuple[int, str]]:
    """``(index, sentence)`` for the first occurrence of each distinct, non-empty sentence."""
    seen: set[str] = set()
    out: list[tuple[int, str]] = []
    for i, sentence in enumerate(sentences):
        key = sentence_key(sentence)
        if key and key not in seen:
            seen.add(key)
            out.append((i, sentence.strip()))
    return out


def _centrality(nodes: Sequence[frozenset[str]]) -> list[float]:
    """PageRank over sentences linked by shared words (TextRank's edge weight)."""
    m = len(nodes)
    lengths = [math.log(2 + len(ts)) for ts in nodes]
    holders: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(nodes):
        for term in ts:
            holders[term].append(i)
    if m > _MAX_GRAPH_NODES:
        # A sentence's degree (the sum of its edge weights) without building the edges,
        # whose number grows with the square of the sentences: each word it holds links
        # it to every other sentence holding that word.
        return [
            sum(len(holders[term]) - 1 for term in ts) / lengths[i]
            for i, ts in enumerate(nodes)
        ]
    edges: list[dict[int, float]] = [defaultdict(float) for _ in range(m)]
    for ids in holders.values():
        for a, i in enumerate(ids):
            for j in ids[a + 1 :]:
                edges[i][j] += 1.0
                edges[j][i] += 1.0
    for i in range(m):
        for j in edges[i]:
            edges[i][j] /= lengths[i] + lengths[j]
    out_weight = [sum(e.values()) for e in edges]
    rank = [1.0 / m] * m
    for _ in range(60):
        new = [(1 - _DAMPING) / m] * m
        for j in range(m):
            if out_weight[j]:
                share = _DAMPING * rank[j] / out_weight[j]
                for i, w in edges[j].items():
                    new[i] += share * w
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < 1e-6:
            break
    return rank


def score_sentences(article: Article) -> list[ScoredSentence]:
    """Every distinct sentence of ``article`` with how well it stands for the article."""
    items = unique_sentences(article.sentences)
    if not items:
        return []
    term_lists = [content_terms(text) for _i, text in items]
    term_sets = [frozenset(ts) for ts in term_lists]
    title = frozenset(content_terms(article.title))
    centrality = _centrality([*term_sets, title] if title else term_sets)[: len(items)]
    top = max(centrality) or 1.0

    scored = []
    for rank, ((index, text), ts, terms, central) in enumerate(
        zip(items, term_sets, term_lists, centrality, strict=True)
    ):
        score = (1 - _LEAD_WEIGHT) * central / top + _LEAD_WEIGHT / (1 + rank)
        alone = stands_alone(text)
        if not alone:
            score *= _DANGLING_FACTOR
        if len(terms) < _SHORT_WORDS:
            score *= 0.5 + 0.5 * len(terms) / _SHORT_WORDS
        scored.append(ScoredSentence(index, text, ts, score, alone))
    return scored


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine similarity of two sets of terms (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def select_mmr(
    candidates: Sequence[ScoredSentence], n: int, redundancy: float = _REDUNDANCY
) -> list[ScoredSentence]:
    """Greedily pick ``n`` candidates by salience minus similarity to what is already picked."""
    chosen: list[ScoredSentence] = []
    pool = list(candidates)
    while pool and len(chosen) < n:
        best = max(
            pool,
            key=lambda s: (
                s.salience
                - redundancy * max((overlap(s.terms, c.terms) for c in chosen), default=0.0)
            ),
        )
        chosen.append(best)
        pool.remove(best)
    return chosen


def summarize(article: Article, n: int = 3) -> list[str]:
    """The ``n`` sentences that best stand for ``article``, in article order, never repeated.

    An article with ``n`` distinct sentences or fewer comes back whole (repeats dropped).
    """
    if n <= 0:
        return []
    scored = score_sentences(article)
    if len(scored) <= n:
        return [s.text for s in scored]
    picked = select_mmr(scored, n)
    return [s.text for s in sorted(picked, key=lambda s: s.index)]
