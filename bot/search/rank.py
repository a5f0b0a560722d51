"""Ranking: candidates by coverage then BM25, the best re-ranked with rapidfuzz.

Ranking, as measured in DESIGN.md: passages are ordered first by how many distinct query
words they contain (a word counts when the passage holds any of its variants), then by BM25
(binary term frequency: a sentence rarely repeats a word; a variant weighs less than the
word as typed, see :meth:`SearchIndex._weights`); the best ``POOL`` are re-ranked by
blending BM25 with rapidfuzz's ``partial_ratio`` against the query as typed (which rewards
the words appearing together, in order), and the blend never overrides coverage.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import compress, repeat
from operator import add, ge, mul

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.corpus.model import Article
from bot.search.highlight import has_phrase, make_hit
from bot.search.model import Hit
from bot.search.plan import Plan
from bot.search.segment import MAX_LEN, Dead, Segment
from bot.text import tokenize

K1, B = 1.2, 0.75
POOL = 100  # finalists re-ranked with rapidfuzz
WANT = 400  # stop adding common-word-only candidates past this many
CAP = 4000  # at most this many passages holding every (common) query word, per segment
PHRASE_SCAN = 5000  # candidates checked for a quoted phrase before giving up
RF_SHARE = 0.5  # rapidfuzz's share of the blend, BM25 has the rest
# Each function word of the query a passage holds adds this to its BM25 score: enough to
# break a tie, never to outweigh a rarer word (``were made`` is no match for ``redundant``).
SOFT_SCORE = 0.25
# rank key = coverage * _LEVEL + exact * _EXACT + typed * _TYPED + related * _RELATED + BM25
# score (below 1e4; a float holds the lot exactly enough: 8e12 needs 13 of its ~16 digits;
# words stood in for by related words are at most 3)
_LEVEL, _EXACT, _TYPED, _RELATED = 1e12, 1e9, 1e6, 1e4

Within = tuple[int, tuple[int, int]]  # (segment number, passage id range)
# (coverage, words matched exactly, as typed or in another form, stood in for by a related
# word, BM25, segment, passage id)
Finalist = tuple[int, int, int, int, float, int, int]


def length_norms(avgdl: float) -> list[float]:
    """BM25's factor for a matched term (tf = 1) in a passage of each length."""
    return [(K1 + 1) / (1 + K1 * (1 - B + B * n / avgdl)) for n in range(MAX_LEN + 1)]


def scored(
    segments: Sequence[Segment],
    dead: Sequence[Dead],
    norms: list[float],
    plan: Plan,
    within: Within | None = None,
    *,
    want: int = WANT,
    cap: int = CAP,
    top: int | None = None,
) -> Iterator[tuple[list[float], list[float], int, list[int]]]:
    """Per segment, its candidates' rank keys, BM25 scores, the segment number, passage ids.

    The rank key orders by coverage, then by the words matched exactly as typed, then as
    typed or in another form (``prices`` for ``price``) rather than through a near
    spelling, then BM25. With ``top``, only the best-covered
    candidates that can be among the ``top`` of the segment are scored: near spellings of
    common words bring many passages that match one query word only. Candidates are scored
    with ``map`` over builtin look-ups rather than a Python loop: the hot path of a query.
    """
    norm = norms.__getitem__
    collected: list[tuple[int, Segment, dict[int, int]]] = []
    total: Counter[int] = Counter()
    for seg_no, seg in enumerate(segments):
        if within is not None and within[0] != seg_no:
            continue
        cand = seg.collect(
            plan.alts,
            plan.groups,
            want=want,
            cap=cap,
            weak=plan.weak,
            within=within[1] if within is not None else None,
            dead=dead[seg_no].pids,
        )
        collected.append((seg_no, seg, cand))
        total.update(cand.values())
    plan = plan.in_context(total)
    for seg_no, seg, cand in collected:
        # One segment (the usual case): its counts are the totals, counted once.
        counts = total if len(collected) == 1 else Counter(cand.values())
        values = {m: plan.value(m) for m in counts}
        kept = {m for m, v in values.items() if v[2]}
        if top is not None:
            kept = _best_covered(kept, counts, values, top)
        if len(kept) == len(values):
            pids, masks = list(cand), list(cand.values())
        else:
            flags = list(map(kept.__contains__, cand.values()))
            pids = list(compress(cand, flags))
            masks = list(compress(cand.values(), flags))
        weight = {m: v[1] + SOFT_SCORE * v[5] for m, v in values.items()}.__getitem__
        levels = {
            m: v[0] * _LEVEL + v[3] * _EXACT + v[4] * _TYPED + v[6] * _RELATED
            for m, v in values.items()
        }
        scores = list(map(mul, map(weight, masks), map(norm, map(seg.p_len.__getitem__, pids))))
        keys = list(map(add, map(levels.__getitem__, masks), scores))
        yield keys, scores, seg_no, pids


def _best_covered(
    masks: set[int],
    counts: Counter[int],
    values: dict[int, tuple[int, float, bool, int, int, int, int]],
    top: int,
) -> set[int]:
    """The masks of the candidates worth scoring: those that may rank among the ``top``.

    The best-covered tier is kept whole, as are lower tiers while fewer than ``top``
    candidates are kept; of the tier that reaches ``top`` (passages that miss some query
    word), only its highest-weighted masks, enough to reach it.
    """
    ordered = sorted(
        masks,
        key=lambda m: (
            -values[m][0],
            -values[m][3],
            -values[m][4],
            -values[m][6],
            -values[m][5],
            -values[m][1],
            m,
        ),
    )
    kept: set[int] = set()
    total = 0
    for m in ordered:
        if total >= top and values[m][0] < values[ordered[0]][0]:
            break
        kept.add(m)
        total += counts[m]
    return kept


def _largest(
    n: int, keys: list[float], scores: list[float], seg_no: int, pids: list[int]
) -> list[tuple[float, float, int, int]]:
    """``heapq.nlargest(n, zip(keys, scores, repeat(seg_no), pids))``, with the work in C:
    the floats sorted to find the ``n``-th key, then only the candidates that reach it."""
    if len(keys) > n:
        threshold = sorted(keys, reverse=True)[n - 1]
        flags = list(map(ge, keys, repeat(threshold)))
        keys = list(compress(keys, flags))
        scores = list(compress(scores, flags))
        pids = list(compress(pids, flags))
    return sorted(zip(keys, scores, repeat(seg_no), pids), reverse=True)[:n]


def _tier(level: int) -> tuple[int, int, int, int]:
    """Coverage, words exact, as typed and related, from a rank key's whole part."""
    coverage, rest = divmod(level, int(_LEVEL))
    exact, rest = divmod(rest, int(_EXACT))
    typed, rest = divmod(rest, int(_TYPED))
    return coverage, exact, typed, rest // int(_RELATED)


def finalists(
    segments: Sequence[Segment],
    dead: Sequence[Dead],
    norms: list[float],
    plan: Plan,
    within: Within | None = None,
) -> list[Finalist]:
    """The top ``POOL`` candidates by (coverage, BM25) that hold the quoted phrases."""
    take = PHRASE_SCAN if plan.phrases else POOL
    best: list[tuple[float, float, int, int]] = []
    for keys, scores, seg_no, pids in scored(segments, dead, norms, plan, within, top=take):
        best += _largest(take, keys, scores, seg_no, pids)
    if len(segments) > 1:
        best = heapq.nlargest(take, best)
    # key - score is the tier part of the key (whole, far from a float's rounding): decoded
    # once per tier, not per finalist.
    tiers: dict[int, tuple[int, int, int, int]] = {}
    ranked = []
    for key, score, seg_no, p in best:
        level = round(key - score)
        tier = tiers.get(level)
        if tier is None:
            tier = tiers[level] = _tier(level)
        ranked.append((*tier, score, seg_no, p))
    if not plan.phrases:
        return ranked
    kept = []
    for item in ranked:
        tokens = tokenize(segments[item[5]].text(item[6]))
        if all(has_phrase(tokens, phrase) for phrase in plan.phrases):
            kept.append(item)
            if len(kept) >= POOL:
                break
    return kept


def rerank(
    segments: Sequence[Segment],
    plan: Plan,
    pool: list[Finalist],
    limit: int,
    per_article: int,
) -> list[Hit]:
    """The best ``limit`` hits of ``pool``, at most ``per_article`` from one article.

    When passages hold the query's words exactly as typed, passages as well covered only
    through near spellings are left out (``ferry`` is not answered with ``Gerry``); when
    they hold only other forms of a word (``mining`` for ``mined``), its near spellings
    (``minded``) stay, ranked below them: a typo that is a word is likely then. Two hits never
    share a sentence: a hit's context leaves out sentences another hit shows. Ties
    are broken by article id, then sentence index, so results are deterministic.
    """
    if not pool:
        return []
    top = max(item[4] for item in pool) or 1.0
    best_coverage = max(item[0] for item in pool)
    exact_there = any(c == best_coverage and e == c for c, e, _t, *_ in pool)
    # Hits go by tier (coverage, then words exact, as typed, related), then by the blend:
    # rapidfuzz (the costly part) only scores the tiers the hits are taken from.
    tiers: dict[tuple[int, int, int, int], list[Finalist]] = {}
    for item in pool:
        coverage, exact, typed, related = item[:4]
        if exact_there and coverage == best_coverage and typed < coverage:
            continue
        tiers.setdefault((coverage, exact, typed, related), []).append(item)
    chosen: list[tuple[float, Article, int]] = []
    taken: dict[str, int] = {}
    # Syndicated copies put the same sentence in several articles: show it once.
    shown: set[str] = set()
    for tier in sorted(tiers, reverse=True):
        items = tiers[tier]
        texts = [segments[seg_no].text(pid) for *_x, seg_no, pid in items]
        similarity = [0.0] * len(items)
        scores = process.extract(
            plan.rerank_text,
            texts,
            scorer=fuzz.partial_ratio,
            processor=default_process,
            limit=None,
        )
        for _text, value, i in scores:
            similarity[i] = value
        finals = []
        for item, sim in zip(items, similarity, strict=True):
            seg = segments[item[5]]
            pid = item[6]
            blend = (1 - RF_SHARE) * item[4] / top + RF_SHARE * sim / 100
            article = seg.articles[seg.p_article[pid]]
            finals.append((-blend, article.id, seg.p_sent[pid], article))
        finals.sort(key=lambda f: f[:3])
        for neg_blend, article_id, index, article in finals:
            if taken.get(article_id, 0) >= per_article:
                continue
            text = " ".join(article.sentences[index].split()).casefold()
            if text in shown:
                continue
            shown.add(text)
            taken[article_id] = taken.get(article_id, 0) + 1
            score = tier[0] - 0.999 * neg_blend
            if chosen and int(chosen[-1][0]) == tier[0]:
                # A lower tier (fewer words exact) may blend higher: never shown above.
                score = min(score, chosen[-1][0])
            chosen.append((score, article, index))
            if len(chosen) >= limit:
                break
        if len(chosen) >= limit:
            break
    # Each hit's sentence is its own; context goes to the better hit first, never twice.
    used: dict[str, set[int]] = {}
    for _score, article, index in chosen:
        used.setdefault(article.id, set()).add(index)
    hits: list[Hit] = []
    for score, article, index in chosen:
        blocked = used[article.id] - {index}
        words = plan.matched(set(tokenize(article.sentences[index])))
        hit, excerpt = make_hit(article, index, score, words, plan.phrases, blocked)
        used[article.id].update(excerpt)
        hits.append(hit)
    return hits
