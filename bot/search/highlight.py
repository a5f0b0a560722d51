"""Excerpts with context, and the spans of the query words inside them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.corpus.model import Article
from bot.search.model import Hit
from bot.text import nfc, token_spans


def excerpt_of(
    article: Article, index: int, blocked: Collection[int] = ()
) -> tuple[str, int, int, tuple[int, ...]]:
    """The excerpt around sentence ``index``, where that sentence lies in it, and the
    indexes of the sentences it shows.

    The context is the nearest sentence either side that differs from this one; one in
    ``blocked`` (another hit's sentence or context) is left out, so hits share no sentence.
    """
    sentences = article.sentences
    sentence = nfc(sentences[index])
    # A repeated sentence (a standfirst the body repeats) is no context for itself.
    before_i = next((i for i in range(index - 1, -1, -1) if nfc(sentences[i]) != sentence), None)
    after_i = next(
        (i for i in range(index + 1, len(sentences)) if nfc(sentences[i]) != sentence), None
    )
    if before_i is not None and before_i in blocked:
        before_i = None
    if after_i is not None and after_i in blocked:
        after_i = None
    before = nfc(sentences[before_i]) if before_i is not None else ""
    after = nfc(sentences[after_i]) if after_i is not None else ""
    start = len(before) + 1 if before else 0
    excerpt = " ".join(s for s in (before, sentence, after) if s)
    shown = tuple(i for i in (before_i, index, after_i) if i is not None)
    return excerpt, start, start + len(sentence), shown


def spans_in(
    text: str, words: Collection[str], phrases: Sequence[Sequence[Collection[str]]] = ()
) -> list[tuple[int, int]]:
    """Sorted, merged spans of ``text`` covering tokens in ``words`` and matched phrases.

    Each phrase is a sequence of positions, each the set of tokens accepted there; a word
    of two tokens (``"health care"``, a compound typed as one) is matched as a phrase.
    """
    tokens = token_spans(text)
    spans = [(s, e) for t, s, e in tokens if t in words]
    pairs = [tuple(frozenset((part,)) for part in w.split()) for w in words if " " in w]
    phrases = [*phrases, *pairs] if pairs else phrases
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + j][0] in phrase[j] for j in range(n)):
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def make_hit(
    article: Article,
    index: int,
    score: float,
    words: Collection[str],
    phrases: Sequence[Sequence[Collection[str]]] = (),
    blocked: Collection[int] = (),
) -> tuple[Hit, tuple[int, ...]]:
    """A :class:`Hit` for sentence ``index`` of ``article``, highlighting the matched words,
    and the sentences its excerpt shows (``blocked`` ones are not used as context).

    Only the matched sentence is highlighted: that is the passage the query found.
    """
    excerpt, start, end, shown = excerpt_of(article, index, blocked)
    sentence = excerpt[start:end]
    spans = tuple((start + s, start + e) for s, e in spans_in(sentence, words, phrases))
    matched = tuple(dict.fromkeys(excerpt[s:e] for s, e in spans))
    hit = Hit(
        article_id=article.id,
        title=article.title,
        excerpt=excerpt,
        sentence=sentence,
        score=round(score, 4),
        highlights=spans,
        url=article.url,
        sentence_index=index,
        matched=matched,
    )
    return hit, shown


def has_phrase(tokens: Sequence[str], phrase: Sequence[Collection[str]]) -> bool:
    """True when ``tokens`` hold the phrase as consecutive words."""
    n = len(phrase)
    first = phrase[0]
    for i in range(len(tokens) - n + 1):
        if tokens[i] in first and all(tokens[i + j] in phrase[j] for j in range(1, n)):
            return True
    return False
