"""Related words, learnt from the library itself: the company a word keeps.

``made redundant`` is often written ``job losses``; no spelling or stem leads from one to
the other, but the passages holding ``redundant`` hold ``jobs`` and ``staff`` far more often
than passages at large do. :func:`related_words` ranks the words of a bounded sample of a
term's passages by that over-representation (lift: how many times more often than chance
they appear there), weighted by how often they appear (a local mutual information), so a
word seen once beside a rare term is no evidence.

The work is bounded by the sample (``SAMPLE`` passages, spread over the term's postings),
and done at query time only for the words that need it (see ``SearchIndex.search``), so
building the index costs nothing more.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from bot.text import NEWS_FILLER, STOPWORDS, stem, tokenize

SAMPLE = 160  # passages of a term read, at most, spread evenly over its postings
MAX_SHARE = 0.25  # a term in more than this share of passages keeps company with everything
MIN_TOGETHER = 3  # a related word appears beside the term in at least this many articles
MIN_SHARE = 0.06  # ...and in at least this share of them
MIN_LIFT = 6.0  # ...this many times more often than in passages at large
MAX_RELATED = 4  # related words kept per term
_SKIP = STOPWORDS | NEWS_FILLER


def sample_ids(ids: Sequence[int], n: int, size: int) -> list[int]:
    """At most ``size`` of the ``n`` passage ids ``ids``, evenly spread (the whole list when
    it is short enough)."""
    if n <= size:
        return list(ids)
    step = n / size
    return [ids[int(i * step)] for i in range(size)]


def related_words(
    term: str,
    stories: Iterable[Sequence[str]],
    df: Callable[[str], int],
    passages: int,
) -> list[tuple[str, float]]:
    """Words over-represented in ``stories`` (a sample of the passages holding ``term``,
    grouped by article: a word counts once per article), as ``(word, lift)``, most telling
    first (at most ``MAX_RELATED``).

    ``df`` is the library's document frequency and ``passages`` its size. Function words,
    news filler, numbers, short words and other forms of ``term`` are never related words.
    """
    counts: Counter[str] = Counter()
    sampled = 0
    for story in stories:
        sampled += 1
        words: set[str] = set()
        for text in story:
            words.update(tokenize(text))
        counts.update(words)
    if sampled < MIN_TOGETHER or passages <= 0:
        return []
    own = stem(term)
    floor = max(MIN_TOGETHER, MIN_SHARE * sampled)
    scored: list[tuple[float, str, float]] = []
    seen_stems: set[str] = set()
    for word, together in counts.most_common():
        if together < floor:
            break
        if word in _SKIP or len(word) < 3 or not word.isalpha() or word == term:
            continue
        key = stem(word)
        if key == own or key in seen_stems:
            continue  # another form of the term, or of a word already taken
        n = df(word)
        if n <= 0:
            continue
        lift = (together / sampled) / (n / passages)
        if lift < MIN_LIFT:
            continue
        seen_stems.add(key)
        scored.append((together * math.log(lift), word, lift))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [(word, lift) for _score, word, lift in scored[:MAX_RELATED]]
