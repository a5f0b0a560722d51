"""Which articles are about which topics.

An article is about a catalogue topic when it uses enough of the topic's keywords: each
keyword it uses adds ``1 + ln(hits)`` (breadth counts more than repetition), a hit in the
headline counts as three, and the sum is divided by the square root of the article's length
relative to a short article, so long pieces need proportionally more evidence. A topic is
kept when its score passes an absolute floor and is not far behind the article's best topic
(multi-label, but not every passing mention). An article's own tags are topics too, and
a tag that names a catalogue topic (or one of its aliases) is that topic.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.corpus.model import Article
from bot.digest.catalogue import MAX_NAME_CHARS, Topic, tag_topic, topic_key
from bot.digest.keywords import KeywordMatcher, TokenIds
from bot.text import tokenize as words
from bot.text import typo_budget

_TITLE_WEIGHT = 3  # a headline hit counts as this many body hits
_REFERENCE_TOKENS = 150  # articles longer than this need proportionally more evidence
_MIN_SCORE = 2.0  # absolute floor for a catalogue topic
_RELATIVE = 0.5  # ...and at least this share of the article's best topic score
_MIN_SCORE_EXTRA = 1.0  # floor for topics scored on the fly (few keywords, chosen by people)
_TAG_SCORE = 1.0
# Server topics scored on the fly: enough for many servers' worth (100 topics each).
_EXTRA_CACHE = 4096


def _tokens(article: Article) -> tuple[list[str], list[str]]:
    """The headline's tokens and the body's (a repeated sentence once)."""
    title = words(article.title)
    body: list[str] = []
    seen: set[str] = set()
    for sentence in article.sentences or (article.body,):
        tokens = words(sentence)
        key = " ".join(tokens)
        if key not in seen:  # a repeated standfirst is one piece of evidence, not two
            seen.add(key)
            body.extend(tokens)
    return title, body


def _pack(title: Sequence[int], body: Sequence[int]) -> array:
    """One article's evidence as one array: the headline's length, its ids, the body's ids.

    Two bytes an id while the ids are small (most words, in any library), else four; one
    array an article, not two, to halve the per-object overhead.
    """
    values = [len(title), *title, *body]
    try:
        return array("H", values)
    except OverflowError:
        return array("I", values)


def _unpack(doc: array) -> tuple[array, array]:
    n = doc[0]
    return doc[1 : 1 + n], doc[1 + n :]


def _raw_scores(
    matcher: KeywordMatcher,
    title: Sequence[int],
    body: Sequence[int],
    table: TokenIds,
    starts: set[int] | None = None,
) -> dict[int, float]:
    """Score per matcher group for one document (see the module docstring)."""
    body_hits = matcher.count_ids(body, table, starts)
    title_hits = matcher.count_ids(title, table, starts)
    sums: dict[int, float] = {}
    for pid in body_hits.keys() | title_hits.keys():
        hits = body_hits[pid] + _TITLE_WEIGHT * title_hits[pid]
        group = matcher.group_of(pid)
        sums[group] = sums.get(group, 0.0) + 1.0 + math.log(hits)
    length = len(title) + len(body)
    scale = math.sqrt(max(length, _REFERENCE_TOKENS) / _REFERENCE_TOKENS)
    return {group: total / scale for group, total in sums.items()}


def _unit(score: float) -> float:
    """Map an unbounded evidence score onto 0..1 for display and ranking."""
    return round(score / (score + 3.0), 4)


@dataclass(frozen=True, slots=True)
class _Assignment:
    """One article's evidence (``_pack``) and topics: (topic, score) best first."""

    doc: array
    topics: tuple[tuple[Topic, float], ...]
    tag_keys: tuple[str, ...]


class _Assigner:
    """Scores single articles against one catalogue (shared by build and update)."""

    def __init__(self, catalogue: Sequence[Topic]) -> None:
        self.catalogue = tuple(catalogue)
        self.matcher = KeywordMatcher([t.keywords for t in self.catalogue])
        # Shared by every model updated from this one: ids stay valid across reloads.
        self.table = TokenIds()
        self.label_owner: dict[str, Topic] = {}
        for topic in self.catalogue:
            for label in topic.names():
                self.label_owner.setdefault(topic_key(label), topic)

    def assign(self, article: Article) -> _Assignment:
        title_tokens, body_tokens = _tokens(article)
        title, body = self.table.encode(title_tokens), self.table.encode(body_tokens)
        raw = _raw_scores(self.matcher, title, body, self.table)
        best = max(raw.values(), default=0.0)
        floor = max(_MIN_SCORE, _RELATIVE * best)
        scores: dict[str, tuple[Topic, float]] = {}
        for group, score in raw.items():
            if score >= floor:
                topic = self.catalogue[group]
                scores[topic.key] = (topic, _unit(score))
        tag_keys: list[str] = []
        for tag in article.tags:
            as_topic = tag_topic(tag)
            if as_topic is None:
                continue
            owner = self.label_owner.get(as_topic.key, as_topic)
            tag_keys.append(owner.key)
            scores[owner.key] = (owner, _TAG_SCORE)
        ranked = sorted(scores.values(), key=lambda ts: (-ts[1], ts[0].name))
        return _Assignment(_pack(title, body), tuple(ranked), tuple(tag_keys))


class TopicModel:
    """Topic assignments for a set of articles; build with ``TopicModel.build``."""

    def __init__(self, assigner: _Assigner, assignments: dict[str, _Assignment]) -> None:
        self._assigner = assigner
        self._assignments = assignments
        self.catalogue = assigner.catalogue
        self._by_topic: dict[str, list[tuple[str, float]]] = {t.key: [] for t in self.catalogue}
        self._tags_by_key: dict[str, list[str]] = {}
        tag_topics: dict[str, Topic] = {}
        catalogue_keys = set(self._by_topic)
        # Articles in id order so that tag topics and ties come out the same on every load.
        for article_id in sorted(assignments):
            assignment = assignments[article_id]
            for topic, score in assignment.topics:
                if topic.key not in catalogue_keys:
                    tag_topics.setdefault(topic.key, topic)
                self._by_topic.setdefault(topic.key, []).append((article_id, score))
            for key in assignment.tag_keys:
                self._tags_by_key.setdefault(key, []).append(article_id)
        for hits in self._by_topic.values():
            hits.sort(key=lambda pair: (-pair[1], pair[0]))
        self.tag_topics = tuple(sorted(tag_topics.values(), key=lambda t: t.name.casefold()))
        self._known = {t.key: t for t in (*self.catalogue, *self.tag_topics)}
        self._extra_cache: dict[Topic, list[tuple[str, float]]] = {}
        self._matchers: dict[Topic, KeywordMatcher] = {}
        # Digests, /topics and autocomplete read the caches from worker threads.
        self._cache_lock = threading.Lock()

    def __getstate__(self) -> dict[str, object]:
        # For snapshots (bot.snapshot): no lock and no caches. The assigner is kept: it
        # holds the token table the stored evidence is written in.
        state = dict(self.__dict__)
        for name in ("_extra_cache", "_matchers", "_cache_lock"):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._extra_cache = {}
        self._matchers = {}
        self._cache_lock = threading.Lock()

    @classmethod
    def build(cls, articles: Iterable[Article], catalogue: Sequence[Topic]) -> TopicModel:
        """Assign every article its topics from ``catalogue`` and its own tags."""
        assigner = _Assigner(catalogue)
        return cls(assigner, {a.id: assigner.assign(a) for a in articles})

    def updated(self, upserts: Iterable[Article], removed: Iterable[str]) -> TopicModel:
        """A new model with ``upserts`` (re)assigned and ``removed`` gone; only those are
        scored again, so a reload that touches a few files stays cheap at any size."""
        assignments = dict(self._assignments)
        for article_id in removed:
            assignments.pop(article_id, None)
        for article in upserts:
            assignments[article.id] = self._assigner.assign(article)
        return TopicModel(self._assigner, assignments)

    # -- questions ---------------------------------------------------------------------

    def topics_of(self, article_id: str) -> list[tuple[str, float]]:
        """(topic name, score 0..1) for the topics ``article_id`` is about, best first."""
        assignment = self._assignments.get(article_id)
        return [(t.name, s) for t, s in assignment.topics] if assignment is not None else []

    def effective_topics(self, extra_topics: Sequence[Topic] = ()) -> list[Topic]:
        """Catalogue, tag and extra topics, an extra topic replacing one of the same name."""
        merged: dict[str, Topic] = {}
        for topic in (*self.catalogue, *self.tag_topics, *extra_topics):
            merged[topic.key] = topic
        return list(merged.values())

    def counts(self, extra_topics: Sequence[Topic] = ()) -> list[tuple[Topic, int]]:
        """Every topic with the number of articles about it; most covered first, then by name."""
        pairs = [
            (topic, len(self.articles_for(topic, extra_topics)))
            for topic in self.effective_topics(extra_topics)
        ]
        pairs.sort(key=lambda tc: (-tc[1], tc[0].name.casefold()))
        return pairs

    def articles_for(
        self, topic: Topic, extra_topics: Sequence[Topic] = ()
    ) -> list[tuple[str, float]]:
        """(article id, score 0..1) of the articles about ``topic``, most about it first.

        Catalogue and tag topics come from the assignments made at build time; any other
        topic (a server's own) is scored now from its keywords, and articles tagged with
        its name count too. ``extra_topics`` is accepted for symmetry with ``resolve``.
        """
        del extra_topics  # the topic itself says all that is needed
        if self._known.get(topic.key) == topic:
            return list(self._by_topic.get(topic.key, ()))
        cached = self._extra_cache.get(topic)
        if cached is None:
            cached = self._score_extra(topic)
            with self._cache_lock:
                if len(self._extra_cache) >= _EXTRA_CACHE:
                    self._extra_cache.pop(next(iter(self._extra_cache)), None)
                self._extra_cache[topic] = cached
        return list(cached)

    def _score_extra(self, topic: Topic) -> list[tuple[str, float]]:
        matcher = self.matcher_for(topic)
        table = self._assigner.table
        # Words that start no keyword are skipped by a set test in C: most articles have
        # none of a server topic's few words.
        starts = matcher.hit_ids(table)
        found: dict[str, float] = {}
        for article_id, assignment in self._assignments.items():
            doc = assignment.doc
            if starts.isdisjoint(doc):
                continue
            title, body = _unpack(doc)
            score = _raw_scores(matcher, title, body, table, starts).get(0, 0.0)
            if score >= _MIN_SCORE_EXTRA:
                found[article_id] = _unit(score)
        for article_id in self._tags_by_key.get(topic.key, ()):
            found[article_id] = _TAG_SCORE
        return sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))

    def matcher_for(self, topic: Topic) -> KeywordMatcher:
        """A keyword matcher for ``topic`` (its keywords, else its name and aliases)."""
        matcher = self._matchers.get(topic)
        if matcher is None:
            # A server's topic is a moderator's list of words: each matches as itself.
            whole = topic.origin == "guild"
            matcher = KeywordMatcher([topic.keywords or topic.names()], whole_words=whole)
            with self._cache_lock:
                if len(self._matchers) >= _EXTRA_CACHE:
                    self._matchers.pop(next(iter(self._matchers)), None)
                self._matchers[topic] = matcher
        return matcher

    def resolve(self, name: str, extra_topics: Sequence[Topic] = ()) -> Topic | None:
        """The topic ``name`` means: a name or alias, ignoring case, accents and "&"/"and",
        else the one name within a typo or two (``secuirty`` → Security & defence).

        Keywords are not names: ``football`` resolves to None (the caller searches for it).
        A server's own topic wins over a catalogue topic of the same name.
        """
        query = topic_key(name[: 4 * MAX_NAME_CHARS])
        if not query or len(query) > MAX_NAME_CHARS + 2:  # no name is that long, typos or not
            return None
        labels = self._labels(extra_topics)
        exact = labels.get(query)
        if exact is not None:
            return exact
        budget = typo_budget(query)
        if budget == 0:
            return None
        matches = process.extract(
            query,
            list(labels),
            scorer=DamerauLevenshtein.distance,
            score_cutoff=budget,
            limit=None,
        )
        if not matches:
            return None
        closest = min(distance for _label, distance, _i in matches)
        found = {labels[label] for label, distance, _i in matches if distance == closest}
        return found.pop() if len(found) == 1 else None

    def _labels(self, extra_topics: Sequence[Topic]) -> dict[str, Topic]:
        """Every name and alias (as a key) → its topic; later sources override earlier."""
        topics = self.effective_topics(extra_topics)
        replaced = {t.key: t for t in topics}
        labels: dict[str, Topic] = {}
        for source in (self.catalogue, self.tag_topics, extra_topics):
            for topic in source:
                owner = replaced.get(topic.key, topic)
                for label in topic.names():
                    key = topic_key(label)
                    if key:
                        labels[key] = owner
        return labels
