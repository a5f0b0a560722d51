"""Query planning: what each query word may stand for, and how much each reading weighs.

A :class:`Planner` turns a parsed query into a :class:`Plan` over a :class:`Lexicon` (the
index's vocabulary and document frequencies). Each query word is read, in order of trust:

- as typed (``exact``), then as other forms of it (``stem``: ``prices`` for ``price``), as two
  words it may be written apart (``split``: ``healthcare`` → ``health care``) or one word two
  query words make (``joined``: ``broad band`` → ``broadband``): readings *as typed*;
- as near spellings within the typo budget (``typo``, Meilisearch-style: a typo is often
  another word of the corpus, so even a word the index has may stand for another), and, as
  a last resort, words that sound alike (``sound``: ``braun`` → ``brown``);
- on request (``related``: words the best passages lack, see ``SearchIndex.search``), as
  the words the library writes beside it far more often than chance (``related``:
  ``redundant`` → ``jobs``, see :mod:`bot.search.related`): weak readings, weighed below
  the word as typed, never counted as a correction.

A word's readings are weighed by their odds (see :meth:`Planner._weights`), so the word as
typed outweighs its other forms, and those outweigh near spellings. Which near spelling was
meant is left to the other words: passages are ranked by how many query words they hold,
so ``gordon braun`` is read as ``gordon brown`` because that is what the articles hold
together, and "Did you mean" reports the reading the best hit matched.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Protocol

from rapidfuzz.distance import OSA

from bot.search.correct import LONG_STEM, MAX_EDITS, slip
from bot.search.query import ParsedQuery
from bot.search.related import MAX_SHARE as RELATED_MAX_SHARE
from bot.text import STOPWORDS, correction_budget, stem, typo_budget

MAX_VARIANTS = 8  # near spellings looked up per query word, the likeliest
MAX_FORMS = 6  # other forms of a word (same stem) looked up, the commonest
TYPO_RATE = 0.03  # odds that a word was typed as one given near spelling of the one meant
FORM_ODDS = 0.3  # odds that a word was typed in another form than the one meant
SPLIT_ODDS = 0.5  # odds that a compound was typed joined or split
SOUND_ODDS = TYPO_RATE**2  # a sound-alike counts as two typos: below any one-edit match
MIN_SHARE = 0.02  # a near word less likely than this share of all is a weak variant
MIN_WEIGHT = 0.01  # a match still counts a little, however common the word
MIN_PART = 2  # the shortest half of a compound worth trying
MAX_COMPOUND = 30  # longer words are not cut in two
MAX_SPLITS = 3  # cuts into two indexed words checked per word
MAX_SOUNDS = 200  # sound-alikes compared per word
MAX_PLANNED = 16  # words planned per query, phrase words included (a longer phrase fails)
CONTEXT_SHARE = 0.1  # a spelling found with the other words this often is their reading
RELATED_SHARE = 1.0  # a related word weighs at most this share of the word as typed
MAX_RELATED_TERMS = 3  # query words given related words, at most (the rarest)
_CACHE_SIZE = 4096
_DF_CACHE = 65536

AS_TYPED = frozenset({"exact", "stem", "split", "joined"})


class Lexicon(Protocol):
    """What planning needs to know of an index: its words and how common they are."""

    @property
    def passages(self) -> int:
        """Live passages in the index."""
        ...

    def df(self, term: str) -> int:
        """Live passages holding ``term`` (two words with a space: holding them in a row)."""
        ...

    def near(self, term: str, edits: int) -> dict[str, int]:
        """Indexed words within ``edits`` edits of ``term`` (itself excluded), with distances."""
        ...

    def forms(self, term: str, known: bool = True) -> Collection[str]:
        """Indexed words with the stem of ``term`` (itself excluded); for a word the index
        lacks (not ``known``), only the stem itself or longer ones."""
        ...

    def sounds_like(self, term: str) -> Collection[str]:
        """Indexed words with the phonetic key of ``term`` (itself excluded)."""
        ...

    def related(self, term: str) -> list[tuple[str, float]]:
        """Words over-represented in passages holding ``term``, with their lift, most
        telling first (see :func:`bot.search.related.related_words`)."""
        ...


class Variant(NamedTuple):
    """An indexed word (or two, space-separated) a query word may stand for.

    ``kind`` says how it was found (see the module docstring). ``weak`` variants are unlikely
    readings: they count for passages that other query words bring, but bring none
    themselves (they would flood the query with passages).
    """

    word: str
    edits: int  # typing edits from the word as typed (0 for readings as typed)
    weak: bool = False
    kind: str = "exact"
    slip: float = 1.0  # for one edit, how likely fingers make it (see ``correct.slip``)

    @property
    def as_typed(self) -> bool:
        """True for the word as typed, its forms and its compounds (not a misspelling, not a
        related word)."""
        return self.kind in AS_TYPED


Variants = tuple[Variant, ...]  # the word as typed (when indexed) first, then likeliest first


@dataclass(frozen=True, slots=True)
class Plan:
    """How to run one parsed query against an index.

    ``alts`` are ``(bit, word)`` pairs; ``groups`` the bit masks of the query's words (a
    word is matched when any of its variants is; a joined compound's bit is in both words'
    groups); ``weak`` the bits of weak variants; ``typed`` the bits of readings as typed
    (other forms included), ``exact`` of the words as typed (and their compounds) (for a
    word the library lacks, all its readings are both); ``near`` of near spellings;
    ``soft`` of the function words beside content words (in no group, weak: holding
    them nudges a passage's BM25 a little, see ``rank.SOFT_SCORE``); ``related`` of
    related words (weak; a word matched only through one is not matched, see
    :meth:`value`);
    ``weights`` the BM25 idf of each bit, lower for a less likely reading (``ranked``:
    each group's bits, heaviest first); ``frequency``
    the passages holding each bit's word; ``slips`` how likely each near spelling is for
    fingers to make, against a one-edit slip (see :func:`bot.search.correct.slip`; each
    further edit ``TYPO_RATE`` as likely; 1 when absent).
    ``required`` are the groups every hit must match (the words of quoted phrases);
    ``phrases`` the accepted tokens at each position of each phrase. ``rerank_text`` is
    what rapidfuzz compares finalists with: the words as typed, so no variant is favoured.
    ``possible`` is False when a phrase word matches nothing. ``only_stopwords`` is True
    when the query holds nothing but function words.
    """

    parsed: ParsedQuery
    variants: dict[str, Variants]
    alts: tuple[tuple[int, str], ...]
    groups: tuple[int, ...]
    weak: int
    typed: int
    exact: int
    near: int
    soft: int
    weights: dict[int, float]
    ranked: dict[int, tuple[tuple[int, float], ...]]
    frequency: dict[int, int]
    required: tuple[int, ...]
    phrases: tuple[tuple[frozenset[str], ...], ...]
    rerank_text: str
    possible: bool
    only_stopwords: bool = False
    related: int = 0
    slips: dict[int, float] = field(default_factory=dict)

    def value(self, mask: int) -> tuple[int, float, bool, int, int, int, int]:
        """Words matched, summed idf, whether the required words are all there, the words
        matched exactly as typed, those matched as typed or in another form, the function
        words held, and the words stood in for by a related word (not matched: such a
        passage ranks above others that match as many words, never above one that
        matches more)."""
        coverage = 0
        typed = 0
        exact = 0
        related = 0
        total = 0.0
        for group in self.groups:
            hit = mask & group
            if hit:
                if not hit & ~self.related:
                    related += 1
                    total += next(w for b, w in self.ranked[group] if b & hit)
                    continue
                coverage += 1
                if hit & self.typed:
                    typed += 1
                    if hit & self.exact:
                        exact += 1
                total += next(w for b, w in self.ranked[group] if b & hit)
        soft = (mask & self.soft).bit_count()
        ok = all(mask & g for g in self.required)
        return coverage, total, ok, exact, typed, soft, related

    def in_context(self, counts: Mapping[int, int]) -> Plan:
        """This plan with each word's near spellings weighed by the company they keep.

        ``counts`` are the candidate passages per mask. Of a word's near spellings, the one
        found most often with the query's other words gets the weight of the strongest of
        them, the others proportionally less (down to half): ``gordon braun`` is ``gordon
        brown`` because the library says "Gordon Brown", not "Gordon brain".
        """
        near_groups = []
        for group in self.groups:
            near = [b for b, _w in self.alts if b & group & self.near]
            if len(near) > 1:
                near_groups.append((group, near))
        if not near_groups or len(self.groups) < 2:
            return self
        weights = dict(self.weights)
        for group, near in near_groups:
            others = 0
            for g in self.groups:
                if g != group:
                    others |= g
            company = {b: 0 for b in near}
            for mask, n in counts.items():
                if mask & others:
                    for b in near:
                        if mask & b:
                            company[b] += n
            # The share of each spelling's passages that hold another query word: a
            # common word keeps company with everything, so counts alone would favour it.
            # A far-key slip needs that much more company (``set ense``: tense, not ease).
            share = {
                b: company[b] / max(self.frequency.get(b, 1), 1) * self.slips.get(b, 1.0)
                for b in near
            }
            most = max(share.values())
            if most < CONTEXT_SHARE:
                continue
            strongest = max(self.weights[b] for b in near)
            for b in near:
                weights[b] = max(self.weights[b], strongest * (0.5 + 0.5 * share[b] / most))
        return replace(self, weights=weights, ranked=_ranked(self.groups, weights))

    def matched(self, tokens: Collection[str]) -> frozenset[str]:
        """The indexed words of a passage (its ``tokens``) that answer the query's words.

        Per query word: the word itself when the passage has it, else the variants it has
        (a split compound as ``"health care"``).
        """
        out: set[str] = set()
        for term, options in self.variants.items():
            if term in tokens:
                out.add(term)
            else:
                out.update(v.word for v in options if _held(v.word, tokens))
        return frozenset(out)

    def corrected(self, found: Collection[str] | None = None) -> str | None:
        """The query as understood, or None when every word stands as typed.

        ``found`` are the words the best hit matched (:meth:`matched`): a word found as
        typed (or in another form of it) stands; else the near spelling found (the
        likeliest, if several); a word the hit does not hold stays as typed (that reading
        was not used). With no hit (``found`` None), a word the index lacks is shown as its
        likeliest near spelling.
        """
        parts = []
        changed = False
        held_words = found or ()
        for tokens, quoted in self.parsed.parts:
            fixed: list[str] = []
            for token in tokens:
                options = self.variants.get(token, ())
                best = token
                if options and token not in held_words:
                    held = [v for v in options if v.word in held_words and v.kind != "related"]
                    # A word the library lacks has no other forms: what shares its stem
                    # is a correction too (``commissio`` → ``commissioner``).
                    lacked = _lacked(options)
                    if any(v.as_typed and not (lacked and v.kind == "stem") for v in held):
                        best = token
                    elif held:
                        best = held[0].word
                    elif found is None and options[0].edits > 0:
                        best = options[0].word
                if fixed and best == fixed[-1] and best != token:
                    continue  # "broad band" read as one word: "broadband" once
                changed = changed or best != token
                fixed.append(best)
            text = " ".join(fixed)
            parts.append(f'"{text}"' if quoted else text)
        return " ".join(parts) if changed else None


def _held(word: str, tokens: Collection[str]) -> bool:
    if " " in word:
        return all(part in tokens for part in word.split())
    return word in tokens


class Planner:
    """Plans queries over one :class:`Lexicon` (one per index; its caches are per index)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lex = lexicon
        self._cache: dict[str, Variants] = {}
        self._related: dict[str, Variants] = {}
        self._dfs: dict[str, int] = {}
        self._lock = threading.Lock()

    def _df(self, term: str) -> int:
        """The lexicon's frequency of ``term``, remembered (the index never changes)."""
        n = self._dfs.get(term)
        if n is None:
            if len(self._dfs) >= _DF_CACHE:
                self._dfs.clear()
            n = self._dfs[term] = self._lex.df(term)
        return n

    def known(self, term: str) -> bool:
        """True when the library holds ``term`` as typed."""
        return self._df(term) > 0

    def plan(self, parsed: ParsedQuery, related: Collection[str] = ()) -> Plan:
        """The plan for ``parsed``: each word's readings, weights and bits; for the words
        in ``related``, their related words too (weak readings)."""
        only_stopwords = all(t in STOPWORDS for t in parsed.terms)
        wanted = list(parsed.terms)
        for phrase in parsed.phrases:
            wanted.extend(t for t in phrase if only_stopwords or t not in STOPWORDS)
        terms = list(dict.fromkeys(wanted))[:MAX_PLANNED]
        variants = {t: self._in_query(t, terms) for t in terms}
        joined = self._joined(parsed, set(terms))
        for word, (left, right) in joined.items():
            for term in (left, right):
                if word not in {v.word for v in variants[term]}:
                    variants[term] = (*variants[term], Variant(word, 0, kind="joined"))
        if related and not only_stopwords:
            self._add_related(variants, [t for t in terms if t in related])
        soft: dict[str, Variants] = {
            t: (Variant(t, 0, weak=True),) for t in parsed.soft if self._df(t)
        }
        weights = {t: self._weights(v) for t, v in (*variants.items(), *soft.items())}
        plan = make_plan(parsed, variants, weights, only_stopwords, soft)
        return replace(plan, frequency={b: self._df(w) for b, w in plan.alts})

    def suggest(self, parsed: ParsedQuery, plan: Plan) -> tuple[str, ...]:
        """A few words or phrases close to the query, for when nothing was found.

        Only spellings near the words typed: a phrase the library does not hold gets its
        words' near spellings (or nothing), never unrelated frequent words.
        """
        out: list[str] = []
        if parsed.phrases and plan.groups:
            # The phrase's words without the quotes (corrected): they are in the library.
            out.append(plan.corrected() or " ".join(t for p, _ in parsed.parts for t in p))
            out[-1] = out[-1].replace('"', "")
        for term in parsed.terms[:3]:
            # A word the library has is no typo: only missing words get near spellings.
            if term in STOPWORDS or len(term) < 3 or self._df(term):
                continue
            edits = min(correction_budget(term, known=False) + 1, MAX_EDITS)
            found = self._lex.near(term, edits)
            # A suggestion must be at most a third of the word away: "the" is not near "tax".
            found = {w: d for w, d in found.items() if 3 * d <= max(len(term), len(w)) + 1}
            df = {w: self._df(w) for w in found if w != term}
            close = sorted((w for w in df if df[w]), key=lambda w: (found[w], -df[w], w))[:3]
            out.extend(close)
        return tuple(dict.fromkeys(out))[:5]

    # -- readings of one word -----------------------------------------------------------

    def _in_query(self, term: str, terms: list[str]) -> Variants:
        """``term``'s readings, less near spellings that are other words of the query
        (``oil prise rise`` is not ``oil rise rise``)."""
        others = set(terms) - {term}
        return tuple(v for v in self.variants(term) if v.as_typed or v.word not in others)

    def variants(self, term: str) -> Variants:
        """The term as typed (when indexed), its forms and compounds, then its likeliest
        near spellings and sound-alikes.

        A word the index has may still be a typo of another (``sadi`` for ``said``), so its
        near spellings are looked up too. A word's likelihood is its frequency times its
        odds (``TYPO_RATE`` per edit, times the keyboard's :func:`~bot.search.correct.slip`
        for one edit). A 3–4-letter word has no typo budget of its own: it gets near words
        only when it is missing or rarer than the likeliest of them (too many short words
        lie one edit apart for anything else). A near word is weak when it
        is less likely than the word as typed, or than ``MIN_SHARE`` of all readings.
        """
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        lex = self._lex
        df = self._df(term)
        typed: list[Variant] = []
        if df > 0 or len(stem(term)) >= LONG_STEM:
            # Other forms of a word the library has, or of a long one it lacks (of a short
            # one, the typos find them: "olde" is "older" more likely than "old").
            known = lex.forms(term, known=df > 0)
            forms = sorted((w for w in known if self._df(w)), key=lambda w: (-self._df(w), w))
            typed = [Variant(term, 0)] if df > 0 else []
            typed += [Variant(w, 0, kind="stem") for w in forms[:MAX_FORMS]]
        typed += [Variant(w, 0, kind="split") for w in self._splits(term)]
        taken = {v.word for v in typed}

        budget = correction_budget(term, known=False)
        # Two edits cost a long scan and are far less likely: only when nothing is closer.
        found = lex.near(term, min(budget, 1))
        if budget > 1 and not found and not df:
            found = lex.near(term, budget)
        found = {w: d for w, d in found.items() if w not in taken}
        slips = {w: slip(term, w) if d == 1 else 1.0 for w, d in found.items()}
        likely = {w: n * TYPO_RATE ** found[w] * slips[w] for w in found if (n := self._df(w)) > 0}
        if df and typo_budget(term) == 0 and max(likely.values(), default=0) <= df:
            likely = {}
        near = sorted(likely, key=lambda w: (-likely[w], w))[:MAX_VARIANTS]
        # A near spelling's other forms are near too: "prise" may be "prices" as well.
        for word in near[:3]:
            for form in lex.forms(word):
                if form not in likely and form not in taken and (n := self._df(form)) > 0:
                    found[form] = found[word] + 1  # a form away from a typo away
                    slips[form] = slips[word]
                    likely[form] = n * TYPO_RATE ** found[form] * slips[form]
        near = sorted(likely, key=lambda w: (-likely[w], w))[:MAX_VARIANTS]
        floor = MIN_SHARE * (df + sum(likely.values()))
        typos = [
            Variant(
                w,
                found[w],
                weak=(df > 0 and likely[w] < df) or (likely[w] < floor and (df > 0 or i > 0)),
                kind="typo",
                slip=slips[w],
            )
            for i, w in enumerate(near)
        ]
        # Sound-alikes, the last resort: weak unless nothing else reads the word.
        taken.update(near)
        sounds = self._sounds(term, taken)
        fallback = not typed and not typos
        result: Variants = (
            *typed,
            *typos,
            *(
                Variant(w, d, weak=not (fallback and i == 0), kind="sound")
                for i, (w, d) in enumerate(sounds)
            ),
        )
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[term] = result
        return result

    def _add_related(self, variants: dict[str, Variants], wanted: list[str]) -> None:
        """Add the related words of the ``wanted`` query words (the rarest few of those
        common enough to keep company, rare enough to say something) to their readings,
        unless another reading or query word has them already."""
        n = self._lex.passages
        fit = [t for t in wanted if t not in STOPWORDS and 0 < self._df(t) <= RELATED_MAX_SHARE * n]
        fit.sort(key=lambda t: (self._df(t), t))
        taken = set(variants) | {v.word for vs in variants.values() for v in vs}
        for term in fit[:MAX_RELATED_TERMS]:
            extra = tuple(v for v in self.related(term) if v.word not in taken)
            taken.update(v.word for v in extra)
            variants[term] = (*variants[term], *extra)

    def related(self, term: str) -> Variants:
        """``term``'s related words as weak readings (remembered)."""
        cached = self._related.get(term)
        if cached is not None:
            return cached
        found = tuple(
            Variant(w, 0, weak=True, kind="related")
            for w, _lift in self._lex.related(term)
            if self._df(w) > 0
        )
        with self._lock:
            if len(self._related) >= _CACHE_SIZE:
                self._related.clear()
            self._related[term] = found
        return found

    def _splits(self, term: str) -> list[str]:
        """``term`` cut into two indexed words the library writes in a row (at most two)."""
        if not 2 * MIN_PART + 1 <= len(term) <= MAX_COMPOUND or not term.isalpha():
            return []
        out = []
        tried = 0
        for i in range(MIN_PART, len(term) - MIN_PART + 1):
            left, right = term[:i], term[i:]
            if left in STOPWORDS or right in STOPWORDS or not (self._df(left) and self._df(right)):
                continue
            tried += 1  # each costs a look at passages holding both: a few at most
            if tried > MAX_SPLITS:
                break
            if self._df(f"{left} {right}"):
                out.append(f"{left} {right}")
        return sorted(out, key=lambda w: -self._df(w))[:2]

    def _sounds(self, term: str, taken: set[str]) -> list[tuple[str, int]]:
        """Words that sound like ``term`` and are spelt within a few edits of it, closest
        and commonest first (at most two)."""
        budget = typo_budget(term)
        if len(term) < 4 or not term.isalpha():
            return []
        limit = max(2, budget + 1)
        out = []
        words = self._lex.sounds_like(term)
        if len(words) > MAX_SOUNDS:
            words = sorted(words)[:MAX_SOUNDS]  # the same few, whatever the hash seed
        for word in words:
            if word in taken or abs(len(word) - len(term)) > 1 or word[0] != term[0]:
                continue
            d = OSA.distance(term, word, score_cutoff=limit)
            if d <= limit and self._df(word) > 0:
                out.append((word, d))
        out.sort(key=lambda wd: (wd[1], -self._df(wd[0]), wd[0]))
        return out[:2]

    def _joined(self, parsed: ParsedQuery, terms: set[str]) -> dict[str, tuple[str, str]]:
        """Indexed words that two neighbouring query words make (``broad band``)."""
        out: dict[str, tuple[str, str]] = {}
        for tokens, quoted in _runs(parsed):
            if quoted:
                continue
            for left, right in itertools.pairwise(tokens):
                word = left + right
                if left in terms and right in terms and left != right and self._df(word):
                    out.setdefault(word, (left, right))
        return out

    def _weights(self, variants: Variants) -> dict[str, float]:
        """The BM25 idf of each reading, as the evidence it gives for the typed word.

        The typed word may come from any reading, with that reading's odds (1 as typed,
        ``FORM_ODDS`` for another form, ``TYPO_RATE ** d`` for ``d`` edits, …); so the
        word's "document frequency" is those odds times the readings' frequencies, summed,
        and a reading weighs as a term that much rarer than its odds. The word as typed
        outweighs its other forms, which outweigh near spellings; a rare word typed in place
        of a frequent one weighs about as the frequent one does.
        """
        lex = self._lex
        readings = [v for v in variants if v.kind != "related"]
        # A word the library lacks is no form of anything: its "forms" (same stem) are
        # guesses, trusted less than a one-edit slip (``incentions``: ``inventions`` before
        # ``incentives``), more than two edits.
        lacked = _lacked(readings)
        odds = {
            v.word: _odds(v) * (TYPO_RATE if lacked and v.kind == "stem" else 1.0) for v in readings
        }
        background = sum(self._df(v.word) * odds[v.word] for v in readings)
        n = lex.passages
        out = {}
        for v in readings:
            df = min(background / odds[v.word], n)
            out[v.word] = max(math.log(1 + (n - df + 0.5) / (df + 0.5)), MIN_WEIGHT)
        # A related word is evidence of its own (it never lowers the word's weight), and
        # weighs at most a share of the word as typed.
        typed = max(out.values(), default=MIN_WEIGHT)
        for v in variants:
            if v.kind == "related":
                df = min(self._df(v.word), n)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                out[v.word] = max(RELATED_SHARE * min(idf, typed), MIN_WEIGHT)
        return out


def _ranked(
    groups: tuple[int, ...], weights: dict[int, float]
) -> dict[int, tuple[tuple[int, float], ...]]:
    """Each group's (bit, weight) pairs, heaviest first."""
    return {
        g: tuple(sorted(((b, w) for b, w in weights.items() if b & g), key=lambda bw: -bw[1]))
        for g in groups
    }


def _lacked(readings: Collection[Variant]) -> bool:
    """Whether the library lacks the word these are the readings of (none is as typed)."""
    return not any(v.kind == "exact" for v in readings)


def _odds(v: Variant) -> float:
    if v.kind == "exact":
        return 1.0
    if v.kind == "stem":
        return FORM_ODDS
    if v.kind in ("split", "joined"):
        return SPLIT_ODDS
    if v.kind == "sound":
        return SOUND_ODDS
    return TYPO_RATE**v.edits * v.slip


def _runs(parsed: ParsedQuery) -> list[tuple[tuple[str, ...], bool]]:
    """The query's unquoted words as one run per stretch between quotes, quoted parts as
    they are."""
    runs: list[tuple[tuple[str, ...], bool]] = []
    current: list[str] = []
    for tokens, quoted in parsed.parts:
        if quoted:
            if current:
                runs.append((tuple(current), False))
                current = []
            runs.append((tokens, True))
        else:
            current.extend(t for t in tokens if t not in STOPWORDS)
    if current:
        runs.append((tuple(current), False))
    return runs


def make_plan(
    parsed: ParsedQuery,
    variants: dict[str, Variants],
    weights: dict[str, dict[str, float]],
    only_stopwords: bool = False,
    soft: dict[str, Variants] | None = None,
) -> Plan:
    """Combine a parsed query with each term's variants (best first) and their weights;
    ``soft`` are the function words' (weak, in no group)."""
    alts: list[tuple[int, str]] = []
    groups: list[int] = []
    weak = 0
    typed = 0
    exact = 0
    near = 0
    related = 0
    bit_weights: dict[int, float] = {}
    slips: dict[int, float] = {}
    group_of: dict[str, int] = {}
    joined_bit: dict[str, int] = {}
    for term in parsed.terms:
        options = variants.get(term, ())
        if not options:
            continue
        mask = 0
        for variant in options:
            if variant.kind == "joined" and variant.word in joined_bit:
                bit = joined_bit[variant.word]  # one compound answers both its words
                bit_weights[bit] = max(bit_weights[bit], weights[term][variant.word])
                mask |= bit
                continue
            bit = 1 << len(alts)
            alts.append((bit, variant.word))
            bit_weights[bit] = weights[term][variant.word]
            # How likely fingers make this reading, against a one-edit slip: a form of a near
            # spelling is a further edit away, so it needs that much more company to win.
            odds = variant.slip
            if variant.kind == "typo" and variant.edits > 1:
                odds *= TYPO_RATE ** (variant.edits - 1)
            if odds != 1.0:
                slips[bit] = odds
            mask |= bit
            if variant.weak:
                weak |= bit
            if variant.as_typed:
                typed |= bit
            if variant.as_typed and variant.kind != "stem":
                exact |= bit
            if variant.kind == "related":
                related |= bit
            elif not variant.as_typed:
                near |= bit
            if variant.kind == "joined":
                joined_bit[variant.word] = bit
        if _lacked(options):
            # The library lacks the word: its readings (near spellings, and the words that
            # merely share its stem) are all there is, and rank as the word itself would.
            typed |= mask
            exact |= mask
        groups.append(mask)
        group_of[term] = mask

    soft_bits = 0
    for term, (variant,) in (soft or {}).items():
        bit = 1 << len(alts)
        alts.append((bit, variant.word))
        bit_weights[bit] = weights[term][variant.word]
        weak |= bit
        soft_bits |= bit

    required: list[int] = []
    phrases: list[tuple[frozenset[str], ...]] = []
    possible = True
    for phrase in parsed.phrases:
        positions = []
        for token in phrase:
            if token in STOPWORDS and not only_stopwords:
                positions.append(frozenset((token,)))
                continue
            options = tuple(v for v in variants.get(token, ()) if " " not in v.word)
            options = tuple(v for v in options if v.kind not in ("joined", "related"))
            if not options:
                possible = False
            # Quotes ask for the words as typed; a word the index lacks, its nearest spellings.
            nearest = min((v.edits for v in options), default=0)
            as_typed = [v.word for v in options if v.kind == "exact"]
            positions.append(frozenset(as_typed or [v.word for v in options if v.edits == nearest]))
            if token in group_of and group_of[token] not in required:
                required.append(group_of[token])
        phrases.append(tuple(positions))

    return Plan(
        parsed=parsed,
        variants=variants,
        alts=tuple(alts),
        groups=tuple(groups),
        weak=weak,
        typed=typed,
        exact=exact,
        near=near,
        soft=soft_bits,
        weights=bit_weights,
        ranked=_ranked(tuple(groups), bit_weights),
        frequency={},
        required=tuple(required),
        phrases=tuple(phrases),
        rerank_text=" ".join(parsed.terms),
        possible=possible,
        only_stopwords=only_stopwords,
        related=related,
        slips=slips,
    )
