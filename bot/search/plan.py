"""A query plan: each query word's variants (as typed and near spellings), bits and weights."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from bot.search.query import ParsedQuery
from bot.text import STOPWORDS


class Variant(NamedTuple):
    """An indexed word a query word may stand for.

    ``weak`` variants are unlikely readings: they count for passages that other query words
    bring, but bring none themselves (they would flood the query with passages).
    """

    word: str
    edits: int  # from the word as typed
    weak: bool = False


Variants = tuple[Variant, ...]  # the word as typed (when indexed) first, then likeliest first


@dataclass(frozen=True, slots=True)
class Plan:
    """How to run one parsed query against an index.

    ``alts`` are ``(bit, word)`` pairs; ``groups`` the bit masks of the query's words (a
    word is matched when any of its variants is); ``weak`` the bits of weak variants;
    ``weights`` the BM25 idf of each bit, lower for a variant than for the word as typed.
    ``required`` are the groups every hit must match (the words of quoted phrases);
    ``phrases`` the accepted tokens at each position of each phrase. ``rerank_text`` is
    what rapidfuzz compares finalists with: the words as typed, so no variant is favoured.
    ``possible`` is False when a phrase word matches nothing.
    """

    parsed: ParsedQuery
    variants: dict[str, Variants]
    alts: tuple[tuple[int, str], ...]
    groups: tuple[int, ...]
    weak: int
    weights: dict[int, float]
    required: tuple[int, ...]
    phrases: tuple[tuple[frozenset[str], ...], ...]
    rerank_text: str
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

    def matched(self, tokens: Collection[str]) -> frozenset[str]:
        """The words of a passage (its ``tokens``) that answer the query's words.

        Per query word: the word itself when the passage has it, else the variants it has.
        """
        out: set[str] = set()
        for term, options in self.variants.items():
            if term in tokens:
                out.add(term)
            else:
                out.update(v.word for v in options if v.word in tokens)
        return frozenset(out)

    def corrected(self, found: Collection[str] = ()) -> str | None:
        """The query as understood, or None when every word stands as typed.

        ``found`` are the words the best hit matched (:meth:`matched`). A word found as
        typed stands; else the variant found (the likeliest, if several); a word not found
        is shown as its likeliest variant when the index does not have it as typed.
        """
        parts = []
        changed = False
        for tokens, quoted in self.parsed.parts:
            fixed = []
            for token in tokens:
                options = self.variants.get(token, ())
                best = token
                if options and token not in found:
                    held = [v.word for v in options if v.word in found]
                    if held:
                        best = held[0]
                    elif options[0].edits > 0:
                        best = options[0].word
                changed = changed or best != token
                fixed.append(best)
            text = " ".join(fixed)
            parts.append(f'"{text}"' if quoted else text)
        return " ".join(parts) if changed else None


def make_plan(
    parsed: ParsedQuery, variants: dict[str, Variants], weights: dict[str, dict[str, float]]
) -> Plan:
    """Combine a parsed query with each term's variants (best first) and their weights."""
    alts: list[tuple[int, str]] = []
    groups: list[int] = []
    weak = 0
    bit_weights: dict[int, float] = {}
    group_of: dict[str, int] = {}
    for term in parsed.terms:
        options = variants.get(term, ())
        if not options:
            continue
        mask = 0
        for variant in options:
            bit = 1 << len(alts)
            alts.append((bit, variant.word))
            bit_weights[bit] = weights[term][variant.word]
            mask |= bit
            if variant.weak:
                weak |= bit
        groups.append(mask)
        group_of[term] = mask

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
            options = variants.get(token, ())
            if not options:
                possible = False
            # Quotes ask for the words as typed; a word the index lacks, its nearest spellings.
            nearest = min((v.edits for v in options), default=0)
            positions.append(frozenset(v.word for v in options if v.edits == nearest))
            if token in group_of and group_of[token] not in required:
                required.append(group_of[token])
        phrases.append(tuple(positions))

    return Plan(
        parsed=parsed,
        variants=variants,
        alts=tuple(alts),
        groups=tuple(groups),
        weak=weak,
        weights=bit_weights,
        required=tuple(required),
        phrases=tuple(phrases),
        rerank_text=" ".join(parsed.terms),
        possible=possible,
    )
