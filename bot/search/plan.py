"""A query plan: each query word's corrected alternatives, their bits and BM25 weights."""

from __future__ import annotations

from dataclasses import dataclass

from bot.search.query import ParsedQuery
from bot.search.tokens import STOPWORDS

ALT_WEIGHTS = (1.0, 0.8, 0.65)  # the most frequent of equally close corrections counts most


@dataclass(frozen=True, slots=True)
class Plan:
    """How to run one parsed query against an index.

    ``alts`` are ``(bit, term)`` pairs; ``groups`` the bit masks of the query's words (a
    word is matched when any of its alternatives is); ``weights`` the BM25 idf of each bit,
    scaled down for less likely corrections. ``required`` are the groups every hit must
    match (the words of quoted phrases); ``phrases`` the accepted tokens at each position of
    each phrase. ``possible`` is False when a phrase word matches nothing at all.
    """

    alts: tuple[tuple[int, str], ...]
    groups: tuple[int, ...]
    weights: dict[int, float]
    required: tuple[int, ...]
    phrases: tuple[tuple[frozenset[str], ...], ...]
    words: frozenset[str]
    rerank_text: str
    corrected: str | None
    possible: bool

    def value(self, mask: int) -> tuple[int, float, bool]:
        """Words matched, summed idf, and whether the required words are all there."""
        coverage = 0
        total = 0.0
        for group in self.groups:
            hit = mask & group
            if hit:
                coverage += 1
                total += max(w for b, w in self.weights.items() if b & hit)
        ok = all(mask & g for g in self.required)
        return coverage, total, ok


def make_plan(
    parsed: ParsedQuery,
    alternatives: dict[str, tuple[str, ...]],
    idf: dict[str, float],
) -> Plan:
    """Combine a parsed query with each term's alternatives (best first) and their idf."""
    alts: list[tuple[int, str]] = []
    groups: list[int] = []
    weights: dict[int, float] = {}
    group_of: dict[str, int] = {}
    by_alts: dict[tuple[str, ...], int] = {}
    for term in parsed.terms:
        options = alternatives.get(term, ())
        if not options:
            continue
        if options in by_alts:
            group_of[term] = by_alts[options]
            continue
        mask = 0
        for rank, alt in enumerate(options):
            bit = 1 << len(alts)
            alts.append((bit, alt))
            weights[bit] = idf[alt] * ALT_WEIGHTS[min(rank, len(ALT_WEIGHTS) - 1)]
            mask |= bit
        groups.append(mask)
        group_of[term] = by_alts[options] = mask

    only_stopwords = all(t in STOPWORDS for t in parsed.terms)
    required: list[int] = []
    phrases: list[tuple[frozenset[str], ...]] = []
    possible = True
    for phrase in parsed.phrases:
        positions = []
        for token in phrase:
            if token in STOPWORDS and not only_stopwords:
                positions.append(frozenset((token,)))
                continue
            options = alternatives.get(token, ())
            if not options:
                possible = False
            positions.append(frozenset(options))
            if token in group_of and group_of[token] not in required:
                required.append(group_of[token])
        phrases.append(tuple(positions))

    corrected_parts = []
    changed = False
    for tokens, quoted in parsed.parts:
        fixed = []
        for token in tokens:
            options = alternatives.get(token, ())
            best = options[0] if options else token
            changed = changed or best != token
            fixed.append(best)
        text = " ".join(fixed)
        corrected_parts.append(f'"{text}"' if quoted else text)
    rerank = " ".join(alternatives[t][0] for t in parsed.terms if alternatives.get(t))
    return Plan(
        alts=tuple(alts),
        groups=tuple(groups),
        weights=weights,
        required=tuple(required),
        phrases=tuple(phrases),
        words=frozenset(a for _, a in alts),
        rerank_text=rerank,
        corrected=" ".join(corrected_parts) if changed else None,
        possible=possible,
    )
