"""The one facade both skins (the CLI and the Discord cogs) call: articles, search, digests.

A ``NewsService`` owns the library, the search index and the topic model. A reload builds
the new state off to the side and swaps it in with one assignment, so a search running on
the event loop never sees half an update.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.article_files import (
    RemovalResult,
    UploadResult,
    add_article_file,
    remove_article_file,
    remove_stray_uploads,
)
from bot.corpus.library import Library
from bot.corpus.model import Article, Rejection, ReloadReport
from bot.corpus.workers import DEFAULT_PARSE_TIMEOUT
from bot.digest import Digest, Topic, TopicModel, build_digest, load_catalogue, summarize
from bot.search import SearchIndex, SearchResult, complete


@dataclass(frozen=True)
class _State:
    articles: dict[str, Article]
    index: SearchIndex
    topics: TopicModel

    @functools.cached_property
    def article_options(self) -> list[tuple[str, str]]:
        """(id, headline) of every article, built once per state for autocomplete."""
        return [(a.id, a.title) for a in self.articles.values()]


class NewsService:
    """Articles, search and digests over one articles folder."""

    def __init__(
        self,
        articles_dir: Path | str,
        *,
        max_file_bytes: int = 5_000_000,
        parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
    ) -> None:
        self.library = Library(
            Path(articles_dir), max_file_bytes=max_file_bytes, parse_timeout=parse_timeout
        )
        self.catalogue: tuple[Topic, ...] = load_catalogue()
        self._reload_lock = threading.Lock()
        self._state: _State | None = None
        self.last_report: ReloadReport = ReloadReport()

    @classmethod
    def load(
        cls,
        articles_dir: Path | str,
        *,
        max_file_bytes: int = 5_000_000,
        parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
    ) -> NewsService:
        """Create a service and load every article in ``articles_dir`` (removing upload
        temporary files a killed process left behind)."""
        service = cls(articles_dir, max_file_bytes=max_file_bytes, parse_timeout=parse_timeout)
        remove_stray_uploads(service.library.root)
        service.reload()
        return service

    # -- state -------------------------------------------------------------------------

    @property
    def _s(self) -> _State:
        if self._state is None:
            self.reload()
        assert self._state is not None
        return self._state

    def reload(self) -> ReloadReport:
        """Re-scan the articles folder; only new or changed files are parsed again."""
        with self._reload_lock:
            report = self.library.reload()
            articles = dict(self.library.articles)
            old = self._state
            if old is None:
                index = SearchIndex.build(articles.values())
            elif report.touched:
                index = old.index.updated(
                    (articles[i] for i in (*report.added, *report.changed)), report.removed
                )
            else:
                index = old.index
            if old is None:
                topics = TopicModel.build(articles.values(), self.catalogue)
            elif report.touched:
                topics = old.topics.updated(
                    (articles[i] for i in (*report.added, *report.changed)), report.removed
                )
            else:
                topics = old.topics
            self._state = _State(articles, index, topics)
            self.last_report = report
            return report

    @property
    def articles(self) -> dict[str, Article]:
        """Loaded articles by id."""
        return self._s.articles

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """Files (or records) the last load rejected, with reasons."""
        return self.library.rejected

    @property
    def index(self) -> SearchIndex:
        """The current search index."""
        return self._s.index

    @property
    def topic_model(self) -> TopicModel:
        """The current topic assignments."""
        return self._s.topics

    # -- questions ---------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """One article by its exact id."""
        return self._s.articles.get(article_id)

    def search(self, query: str, *, limit: int = 5, article_id: str | None = None) -> SearchResult:
        """The best excerpts for ``query`` (typos welcome)."""
        return self._s.index.search(query, limit=limit, article_id=article_id)

    def summary(self, article: Article, sentences: int = 3) -> list[str]:
        """The sentences that best stand for ``article``, in article order."""
        return summarize(article, sentences)

    def topics_of(self, article_id: str) -> list[str]:
        """Names of the topics ``article_id`` is about, best first."""
        return [name for name, _score in self._s.topics.topics_of(article_id)]

    def topic_counts(self, extra_topics: Sequence[Topic] = ()) -> list[tuple[Topic, int]]:
        """Every topic (catalogue, article tags, ``extra_topics``) with its article count."""
        return self._s.topics.counts(extra_topics)

    def digest(
        self,
        topic: str,
        *,
        since: dt.date | None = None,
        limit: int = 8,
        extra_topics: Sequence[Topic] = (),
    ) -> Digest:
        """A digest of ``topic`` built from the articles, with citations."""
        state = self._s
        return build_digest(
            topic,
            articles=state.articles,
            index=state.index,
            topic_model=state.topics,
            since=since,
            limit=limit,
            extra_topics=extra_topics,
        )

    # -- article files (moderators) ------------------------------------------------------

    def add_article_file(self, name: str, data: bytes, *, replace: bool = False) -> UploadResult:
        """Check an uploaded file, write it atomically into the articles folder and reload.

        Raises ``bot.article_files.ArticleFileError`` (a message for the moderator) when the
        name, type, size or content is refused; see ``bot.article_files``.
        """
        return add_article_file(self, name, data, replace=replace)

    def remove_article_file(self, article_id: str, *, whole_file: bool = False) -> RemovalResult:
        """Delete the file ``article_id`` came from (inside the articles folder) and reload."""
        return remove_article_file(self, article_id, whole_file=whole_file)

    # -- autocomplete ------------------------------------------------------------------

    def complete_articles(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Up to ``limit`` (article id, label) pairs for what a user has typed so far."""
        return complete(text, self._s.article_options, limit=limit)

    def complete_topics(
        self, text: str, extra_topics: Iterable[Topic] = (), limit: int = 25
    ) -> list[tuple[str, str]]:
        """Up to ``limit`` (topic name, label) pairs for what a user has typed so far."""
        options = [
            (topic.name, f"{topic.name} ({count})")
            for topic, count in self._s.topics.counts(tuple(extra_topics))
        ]
        return complete(text, options, limit=limit)
