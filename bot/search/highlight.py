"""Excerpts with context, and the spans of the query words inside them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.corpus.model import Article
from bot.search.model import Hit
from bot.text import nfc, token_spans


def excerpt_of(article: Article, index: int) -> tuple[str, int, int]:
    """The excerpt around sentence ``index`` and where that sentence lies in it."""
    sentences = article.sentences
    sentence = nfc(sentences[index])
    # A repeated sentence (a standfirst the body repeats) is no context for itself.
    earlier = (nfc(s) for s in reversed(sentences[:index]))
    later = (nfc(s) for s in sentences[index + 1 :])
    before = next((s for s in earlier if s != sentence), "")
    after = next((s for s in later if s != sentence), "")
    start = len(before) + 1 if before else 0
    excerpt = " ".join(s for s in (before, sentence, after) if s)
    return excerpt, start, start + len(sentence)


def spans_in(
    text: str, words: Collection[str], phrases: Sequence[Sequence[Collection[str]]] = ()
) -> list[tuple[int, int]]:
    """Sorted, merged spans of ``text`` covering tokens in ``words`` and matched phrases.

    Each phrase is a sequence of positions, each the set of tokens accepted there.
    """
    tokens = token_spans(text)
    spans = [(s, e) for t, s, e in tokens if t in words]
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
) -> Hit:
    """A :class:`Hit` for sentence ``index`` of ``article``, highlighting the matched words.

    Only the matched sentence is highlighted: that is the passage the query found.
    """
    excerpt, start, end = excerpt_of(article, index)
    sentence = excerpt[start:end]
    spans = tuple((start + s, start + e) for s, e in spans_in(sentence, words, phrases))
    return Hit(
        article_id=article.id,
        title=article.title,
        excerpt=excerpt,
        sentence=sentence,
        score=round(score, 4),
        highlights=spans,
        url=article.url,
        sentence_index=index,
    )


def has_phrase(tokens: Sequence[str], phrase: Sequence[Collection[str]]) -> bool:
    """True when ``tokens`` hold the phrase as consecutive words."""
    n = len(phrase)
    first = phrase[0]
    for i in range(len(tokens) - n + 1):
        if tokens[i] in first and all(tokens[i + j] in phrase[j] for j in range(1, n)):
            return True
    return False
