"""What a search returns: hits with their context, and index statistics. Plain data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage that answers a query.

    ``excerpt`` is the previous sentence, the matched ``sentence`` and the next sentence
    (those that exist) joined by one space. ``highlights`` are sorted, non-overlapping
    ``[start, end)`` character spans into ``excerpt`` that cover the query words found in
    the matched sentence (corrected forms count). ``sentence_index`` indexes
    ``Article.sentences``. ``score`` is higher for better hits (never higher than the hit
    before it): its whole part is the number of query words the passage holds, its
    fraction blends BM25 and rapidfuzz. ``matched``
    are the highlighted words as the text writes them (``prices`` for a query's ``price``),
    each once, in order.
    """

    article_id: str
    title: str
    excerpt: str
    sentence: str
    score: float
    highlights: tuple[tuple[int, int], ...]
    url: str | None
    sentence_index: int
    matched: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer to one query.

    ``corrected`` is the query as it was understood when any word was read as another
    spelling: the near spellings the best hit matched, or for a word the index lacks, its
    likeliest one (``None`` when the best hit holds every word as typed).
    ``suggestions`` are a few close vocabulary words or phrases, offered only when nothing
    was found. ``notice`` says how the query was read when that needs saying (a query of
    only function words, which are searched for as they are).
    """

    query: str
    corrected: str | None
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...] = ()
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Size of a search index: live articles, passages and terms, and approximate memory."""

    articles: int
    passages: int
    terms: int
    approx_bytes: int
