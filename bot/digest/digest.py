"""Topic digests: the few sentences that say the most about a topic, each with its source.

1. The topic is resolved (catalogue, tag or a server's own topic, typos tolerated); text that
   names no topic ("football") becomes an ad-hoc topic answered through the search index.
2. The articles about it are ranked by relevance and recency; with ``since``, only articles
   dated that day or later count (``Article.dated``: an undated article counts from the day
   the library first saw it; one with neither is left out then, and without ``since`` takes
   part, ranked as the oldest).
3. From the best ``limit`` articles, every distinct sentence is scored by how well it stands
   for its article (``summarize``'s centrality, lead and stand-alone scores) and how much it
   speaks to the topic (its keywords, or the query's words), weighted by its article's rank.
4. Maximal marginal relevance picks the points so no two say the same thing; the same
   sentence is never used twice (even from two articles), and an article gives at most two
   points unless there are too few articles to fill the digest.
5. Points are grouped by source in rank order, so citation numbers read 1, 1, 2, 3, 3, …

An empty digest is an answer, not an error: ``closest`` then names topics that do have
articles, nearest to what was asked.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.corpus.model import Article
from bot.digest.catalogue import MAX_NAME_CHARS, Topic, topic_key
from bot.digest.keywords import KeywordMatcher
from bot.digest.summarize import ScoredSentence, overlap, score_sentences
from bot.digest.text import clean_label, sentence_key, trim
from bot.digest.topics import TopicModel
from bot.limits import DEFAULT_DIGEST_POINTS, MAX_DIGEST_POINTS
from bot.search import SearchIndex
from bot.text import STOPWORDS
from bot.text import tokenize as words

# Discord skins ask for ≤ 10 (what an embed holds); the CLI may ask for more.
MAX_POINTS = MAX_DIGEST_POINTS
MAX_POINT_CHARS = 600  # a point is one sentence; a 3,000-character "sentence" is cut
MAX_TITLE_CHARS = 200
_MAX_QUERY_CHARS = 200
_AD_HOC_ARTICLES = 200
_PER_ARTICLE = 2
_REDUNDANCY = 0.5  # across articles one story is told many times: push hard for variety
_RECENCY_SHARE = 0.3  # how much of an article's rank comes from being recent
_HALF_LIFE_DAYS = 30.0
_TOPIC_SHARE = 0.55  # how much of a sentence's score is about the topic, not its article
_CLOSEST = 5


@dataclass(frozen=True, slots=True)
class DigestPoint:
    """One point of a digest: a sentence quoted from an article."""

    text: str
    article_id: str
    title: str


@dataclass(frozen=True, slots=True)
class DigestSource:
    """An article a digest cites."""

    article_id: str
    title: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Digest:
    """A topic digest: points with their sources, or, when empty, the closest topics.

    ``topic`` is the text asked for; ``matched_topic`` the name of the catalogue, tag or
    server topic it resolved to (None for an ad-hoc topic). ``sources`` lists each cited
    article once, in order of first citation; ``closest`` is filled only when there are no
    points.
    """

    topic: str
    matched_topic: str | None
    points: tuple[DigestPoint, ...]
    sources: tuple[DigestSource, ...]
    closest: tuple[str, ...] = ()
    since: dt.date | None = None

    def citation(self, article_id: str) -> int:
        """The 1-based number of ``article_id`` in ``sources`` (0 when it is not cited)."""
        for n, source in enumerate(self.sources, 1):
            if source.article_id == article_id:
                return n
        return 0


#: The name of the digest across every topic (what a schedule without a topic posts).
ALL_TOPICS = "All topics"


@dataclass(frozen=True, slots=True)
class _Candidate:
    sentence: ScoredSentence
    score: float
    article: Article
    rank: int


def build_digest(
    topic: str,
    *,
    articles: Mapping[str, Article],
    index: SearchIndex,
    topic_model: TopicModel,
    since: dt.date | None = None,
    limit: int = DEFAULT_DIGEST_POINTS,
    extra_topics: Sequence[Topic] = (),
) -> Digest:
    """A digest of ``topic`` with at most ``limit`` (1–25) points, each citing its article."""
    asked = clean_label(topic, MAX_NAME_CHARS)
    limit = min(max(limit, 1), MAX_POINTS)
    resolved = topic_model.resolve(topic, extra_topics)
    if resolved is not None and _is_other_word(topic, resolved, index):
        resolved = None  # "wealth" is a word of the articles, not a typo of "Health"
    if resolved is not None:
        ranked = topic_model.articles_for(resolved, extra_topics)
        matcher = topic_model.matcher_for(resolved)
    else:
        query = _ad_hoc_query(topic, index)
        # With a date filter the recent articles may rank anywhere: rank them all.
        wanted = len(articles) if since is not None else _AD_HOC_ARTICLES
        ranked = index.article_ids_for(query, wanted) if query else []
        matcher = _query_matcher(query)
    chosen = _rank_articles(ranked, articles, since)[:limit]
    points = _select_points(chosen, matcher, limit)
    matched = resolved.name if resolved is not None else None
    if not points:
        closest = _closest(topic, resolved, topic_model, extra_topics, articles, index, since)
        return Digest(asked, matched, (), (), closest, since)
    sources: dict[str, DigestSource] = {}
    out: list[DigestPoint] = []
    for cand in points:
        article = cand.article
        title = clean_label(article.title or article.id, MAX_TITLE_CHARS)
        if article.id not in sources:
            sources[article.id] = DigestSource(article.id, title, article.url)
        out.append(DigestPoint(trim(cand.sentence.text, MAX_POINT_CHARS), article.id, title))
    return Digest(asked, matched, tuple(out), tuple(sources.values()), (), since)


def _is_other_word(typed: str, resolved: Topic, index: SearchIndex) -> bool:
    """True when ``typed`` only resembles ``resolved``'s names but is itself words the
    articles use as typed, so the reader meant those words, not a misspelt topic."""
    if topic_key(typed) in {topic_key(name) for name in resolved.names()}:
        return False
    result = index.search(typed[:_MAX_QUERY_CHARS], limit=1)
    return bool(result.hits) and result.corrected is None


def _ad_hoc_query(topic: str, index: SearchIndex) -> str:
    """The free-text topic as the search index understood it (typos corrected)."""
    text = " ".join(topic.split())[:_MAX_QUERY_CHARS]
    if not words(text):
        return ""
    corrected = index.search(text, limit=1).corrected
    return corrected or text


def _query_matcher(query: str) -> KeywordMatcher:
    tokens = words(query)
    meaningful = [t for t in tokens if t not in STOPWORDS] or tokens
    return KeywordMatcher([meaningful])


def _rank_articles(
    ranked: Sequence[tuple[str, float]], articles: Mapping[str, Article], since: dt.date | None
) -> list[tuple[Article, float]]:
    """Articles about the topic, most relevant and recent first, ``since`` applied."""
    kept = []
    for article_id, score in ranked:
        article = articles.get(article_id)
        if article is None or (
            since is not None and (article.dated is None or article.dated < since)
        ):
            continue
        kept.append((article, score))
    if not kept:
        return []
    top = max(score for _a, score in kept) or 1.0
    newest = max((a.dated for a, _s in kept if a.dated is not None), default=None)

    def combined(pair: tuple[Article, float]) -> float:
        article, score = pair
        recency = 0.0
        if newest is not None and article.dated is not None:
            recency = 0.5 ** ((newest - article.dated).days / _HALF_LIFE_DAYS)
        return (1 - _RECENCY_SHARE) * score / top + _RECENCY_SHARE * recency

    scored = [(article, combined((article, score))) for article, score in kept]
    scored.sort(key=lambda pair: (-pair[1], pair[0].id))
    return scored


def _in_range(article: Article, since: dt.date | None) -> bool:
    """Whether ``article`` counts for ``since`` (by its date, else the day it was added)."""
    return since is None or (article.dated is not None and article.dated >= since)


def _select_points(
    chosen: Sequence[tuple[Article, float]], matcher: KeywordMatcher, limit: int
) -> list[_Candidate]:
    if not chosen:
        return []
    top = chosen[0][1] or 1.0
    pool: list[_Candidate] = []
    seen: set[str] = set()
    for rank, (article, weight) in enumerate(chosen):
        article_weight = 0.5 + 0.5 * weight / top
        for s in score_sentences(article):
            key = sentence_key(s.text)
            if key in seen:  # the same sentence in two articles is one point
                continue
            seen.add(key)
            about = min(1.0, len(matcher.count(words(s.text))) / 2)
            score = article_weight * ((1 - _TOPIC_SHARE) * s.salience + _TOPIC_SHARE * about)
            pool.append(_Candidate(s, score, article, rank))
    cap = max(_PER_ARTICLE, math.ceil(limit / len(chosen)))
    picked: list[_Candidate] = []
    per_article: dict[str, int] = {}
    while pool and len(picked) < limit:
        best = max(
            pool,
            key=lambda c: (
                c.score
                - _REDUNDANCY
                * max((overlap(c.sentence.terms, p.sentence.terms) for p in picked), default=0.0)
            ),
        )
        picked.append(best)
        taken = per_article[best.article.id] = per_article.get(best.article.id, 0) + 1
        if taken >= cap:
            pool = [c for c in pool if c.article.id != best.article.id]
        else:
            pool.remove(best)
    picked.sort(key=lambda c: (c.rank, c.sentence.index))
    return picked


def _closest(
    asked: str,
    resolved: Topic | None,
    topic_model: TopicModel,
    extra_topics: Sequence[Topic],
    articles: Mapping[str, Article],
    index: SearchIndex,
    since: dt.date | None,
) -> tuple[str, ...]:
    """Topics that have articles (since ``since``), nearest to what was asked.

    Nearness is the name's likeness to what was typed plus the topics of the articles a
    search for the words finds. A known topic with no articles,
    with nothing near, falls back to the best-covered topics; unknown words near nothing get
    no suggestions rather than unrelated ones.
    """

    def live(topic: Topic) -> int:
        ids = [a for a, _s in topic_model.articles_for(topic, extra_topics)]
        if since is None:
            return len(ids)
        return sum(
            1
            for a in ids
            if (art := articles.get(a)) is not None and art.dated and art.dated >= since
        )

    available = {
        t.name: t
        for t in topic_model.effective_topics(extra_topics)
        if (resolved is None or t.key != resolved.key) and live(t) > 0
    }
    if not available:
        return ()
    closeness: dict[str, float] = {}
    key = topic_key(asked)
    if key:
        for name, topic in available.items():
            best = max(fuzz.WRatio(key, topic_key(label)) for label in topic.names())
            if best >= 75:  # WRatio: below this, short names "match" on a letter or two
                closeness[name] = best / 100
    # What the words are about: the topics of the articles a search for them finds.
    text = " ".join(asked.split())[:_MAX_QUERY_CHARS]
    found = index.article_ids_for(text, 20) if words(text) else []
    for rank, (article_id, _score) in enumerate(found):
        for name, score in topic_model.topics_of(article_id):
            if name in available:
                closeness[name] = closeness.get(name, 0.0) + score / (rank + 2)
    if not closeness:
        if resolved is None:  # unknown words near nothing: suggesting anything would be noise
            return ()
        # A real topic with nothing (in the period): the best-covered ones are the alternative.
        counts = sorted(available.values(), key=lambda t: (-live(t), t.name.casefold()))
        return tuple(t.name for t in counts[:3])
    ordered = sorted(closeness.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return tuple(name for name, _c in ordered[:_CLOSEST])
