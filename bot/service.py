"""The one facade both skins (the CLI and the Discord cogs) call: articles, search, digests.

A ``NewsService`` owns the library, the search index and the topic model. A reload builds
the new state off to the side and swaps it in with one assignment, so a search running on
the event loop never sees half an update.

It also knows when each article was first seen: an article without a date is dated by the
day the library first saw it (``Article.added``), which digests' windows use, and "what is
new since T" (a schedule's only_new) is answered from the same times. A reload stamps
articles it has not seen before with its clock; whoever keeps the records (the bot, in the
database) stores those with ``unrecorded_first_seen`` and hands the stored times back with
``adopt_first_seen``, so a restart neither makes everything new again nor forgets.

A load can start warm: ``load(data_dir=...)`` restores the library's file records, the
search index and the topic model from the folder's snapshot (``bot.snapshot``), applies the
feed articles that differ from the snapshot's, then reloads as usual, so only files changed
since are read and the state equals a load from the files. First-seen times are not in the
snapshot; they come from the database as after any load. The snapshot is written again
after a load or reload that changed articles (in the bot on a background thread, debounced).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.corpus.library import Library, LibraryError, LibraryRecords
from bot.corpus.model import Article, Rejection, ReloadReport
from bot.corpus.uploads import (
    ArticleFileError,
    RemovalResult,
    UploadResult,
    add_article_file,
    remove_article_file,
    remove_stray_uploads,
)
from bot.digest import (
    ALL_TOPICS,
    Digest,
    DigestPoint,
    DigestSource,
    Topic,
    TopicModel,
    build_digest,
    load_catalogue,
    summarize,
)
from bot.limits import DEFAULT_DIGEST_POINTS, DEFAULT_PARSE_TIMEOUT, MAX_ARTICLE_BYTES
from bot.schedule.timespec import local_date
from bot.search import Completer, SearchIndex, SearchResult, complete
from bot.snapshot import Debouncer, Snapshot, gc_paused

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

#: Seconds of quiet after a change before the bot rewrites its snapshot (a burst of uploads
#: or feed fetches costs one write).
SNAPSHOT_SAVE_DELAY = 30.0
#: Feed articles changed since the last snapshot before feed updates alone rewrite it: more
#: than this many, and more than one in this share of all articles.
FEED_DRIFT_MIN = 500
FEED_DRIFT_SHARE = 20


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class _State:
    articles: dict[str, Article]
    index: SearchIndex
    topics: TopicModel

    @functools.cached_property
    def article_options(self) -> list[tuple[str, str]]:
        """(id, headline) of every article, built once per state for autocomplete."""
        return [(a.id, a.title) for a in self.articles.values()]

    @functools.cached_property
    def article_completer(self) -> Completer:
        """Autocomplete over :attr:`article_options`, folded once per state."""
        return Completer(self.article_options)


def _is_payload(payload: object) -> bool:
    """Whether a snapshot's payload has the shape ``save_snapshot`` writes."""
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("library"), LibraryRecords)
        and isinstance(payload.get("feed"), dict)
        and isinstance(payload.get("index"), SearchIndex)
        and isinstance(payload.get("topics"), TopicModel)
    )


def _differing(articles: Iterable[Article], held: Mapping[str, Article]) -> list[Article]:
    """The ``articles`` that ``held`` lacks or holds in another version."""
    return [a for a in articles if (old := held.get(a.id)) is not a and old != a]


class NewsService:
    """Articles, search and digests over one articles folder."""

    def __init__(
        self,
        articles_dir: Path | str,
        *,
        max_file_bytes: int = MAX_ARTICLE_BYTES,
        parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
        clock: Clock = _utc_now,
        data_dir: Path | str | None = None,
    ) -> None:
        self.library = Library(
            Path(articles_dir), max_file_bytes=max_file_bytes, parse_timeout=parse_timeout
        )
        #: The warm-start snapshot of this folder in ``data_dir`` (None: snapshots off).
        self.snapshot: Snapshot | None = None
        if data_dir is not None:
            self.snapshot = Snapshot(
                data_dir, articles_dir, settings=(max_file_bytes, parse_timeout)
            )
        #: Whether the last load started from a snapshot rather than from the files.
        self.loaded_from_snapshot = False
        self._saver: Debouncer | None = None
        self._save_delay = 0.0
        self._save_lock = threading.Lock()
        self.catalogue: tuple[Topic, ...] = load_catalogue()
        #: Stamps articles seen for the first time (the bot sets its own clock here).
        self.clock = clock
        self._reload_lock = threading.Lock()
        self._state: _State | None = None
        self.last_report: ReloadReport = ReloadReport()
        self._first_seen: dict[str, dt.datetime] = {}
        self._unrecorded: set[str] = set()
        # Articles from feeds (ids ``feed-<slug>/…``, which no file id can take): kept
        # across reloads of the folder, changed only through ``update_feed_articles``.
        self._feed_articles: dict[str, Article] = {}
        self._restored: _State | None = None  # a warm start's state, until its reload
        self._feed_drift = 0  # feed articles added, changed or gone since the last snapshot

    @classmethod
    def load(
        cls,
        articles_dir: Path | str,
        *,
        max_file_bytes: int = MAX_ARTICLE_BYTES,
        parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
        feed_articles: Iterable[Article] = (),
        data_dir: Path | str | None = None,
        save_delay: float | None = None,
    ) -> NewsService:
        """Create a service and load every article in ``articles_dir`` and the feed
        articles given (read from the store), removing upload temporary files a killed
        process left behind; with ``data_dir``, from a snapshot there when one is usable
        (see ``load_library``)."""
        service = cls(
            articles_dir,
            max_file_bytes=max_file_bytes,
            parse_timeout=parse_timeout,
            data_dir=data_dir,
        )
        service.load_library(feed_articles, save_delay=save_delay)
        return service

    def load_library(
        self, feed_articles: Iterable[Article] = (), *, save_delay: float | None = None
    ) -> ReloadReport:
        """The first load of a service made unloaded (``NewsService.load`` does it all):
        the feed articles given (read from the store) and every article in the folder,
        removing upload temporary files a killed process left behind. Slow at scale: run
        it off the event loop; ``progress`` says how far it has got meanwhile.

        A service made with ``data_dir`` starts from the folder's snapshot there when one
        is usable (a warm start: only files changed since are read, and feed articles that
        differ are applied, so the result equals a load from the files), and writes a
        fresh snapshot when the load built or changed anything. ``save_delay`` None writes
        it before returning (the CLI); a number of seconds writes it on a background
        thread, at once and then that long after each reload that changes articles (the
        bot). The report is of what changed since the snapshot on a warm start.
        """
        self._feed_articles = {a.id: a for a in feed_articles}
        remove_stray_uploads(self.library.root)
        if self.snapshot is not None and save_delay is not None:
            self._saver = Debouncer(self.save_snapshot)
            self._save_delay = save_delay
        warm = False
        try:
            with gc_paused():  # see gc_paused: the load makes objects, no garbage cycles
                warm = self._restore()
                report = self.reload(save=False) if warm else None
        except LibraryError:
            raise  # the folder itself: a cold load would fail the same way
        except Exception as error:
            # The checksum held, so the file is as written, but not by this code's rules
            # (planted, or a bug): never trusted, rebuilt from the files.
            assert self.snapshot is not None
            log.warning(
                "snapshot %s could not be used (%s); rebuilding it",
                self.snapshot.path,
                error or type(error).__name__,
            )
            self._forget_snapshot()
            warm, report = False, None
        if report is None:
            report = self.reload(save=False)
        changed = not warm or report.touched or self._drifted(len(self._s.articles))
        if self.snapshot is not None and changed:
            if self._saver is not None:
                self._saver.poke(0)
            else:
                self.save_snapshot()
        return report

    @property
    def ready(self) -> bool:
        """Whether the articles are loaded (until then, a question would wait for them)."""
        return self._state is not None

    @property
    def progress(self) -> tuple[int, int]:
        """(files done, files found) of the load or reload under way (see ``Library``)."""
        return self.library.progress

    # -- state -------------------------------------------------------------------------

    @property
    def _s(self) -> _State:
        if self._state is None:
            self.reload()
        assert self._state is not None
        return self._state

    def reload(self, *, save: bool = True) -> ReloadReport:
        """Re-scan the articles folder; only new or changed files are parsed again. A
        reload that changes articles schedules a snapshot write (when the service writes
        them in the background; ``save`` False: not this time)."""
        with self._reload_lock:
            report = self.library.reload()
            articles = dict(self.library.articles)
            articles.update(self._feed_articles)
            articles = self._dated(articles)
            old = self._state if self._state is not None else self._restored
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
            state = _State(articles, index, topics)
            state.article_completer.warm()  # here, not on the first keystroke
            self._state = state
            self._restored = None
            self.last_report = report
        if save and report.touched:
            self._save_soon()
        return report

    # -- snapshots ----------------------------------------------------------------------

    def _restore(self) -> bool:
        """Start from the snapshot, if there is a usable one: the library's records and a
        state for its articles and the current feed articles. The reload that follows
        applies what changed in the folder since."""
        if self.snapshot is None:
            return False
        payload = self.snapshot.load()
        if payload is None:
            return False
        if not _is_payload(payload):
            log.warning("snapshot %s holds something else; rebuilding it", self.snapshot.path)
            return False
        records: LibraryRecords = payload["library"]
        then: dict[str, Article] = payload["feed"]
        articles = dict(records.articles)
        articles.update(then)
        # Feed articles come from the store, which may have moved on since the snapshot.
        now = self._feed_articles
        upserts = _differing(now.values(), then)
        gone = [i for i in then if i not in now]
        index: SearchIndex = payload["index"]
        topics: TopicModel = payload["topics"]
        if upserts or gone:
            index = index.updated(upserts, gone)
            topics = topics.updated(upserts, gone)
            for article_id in gone:
                articles.pop(article_id, None)
            articles.update((a.id, a) for a in upserts)
            self._feed_drift = len(upserts) + len(gone)
        self.library.restore(records)
        with self._reload_lock:
            # Not the state yet (``ready`` stays False): the reload that follows starts
            # from it, as from the state of the previous reload.
            self._restored = _State(articles, index, topics)
        self.loaded_from_snapshot = True
        log.info(
            "loaded from snapshot %s: %d articles (feed: %d changed, %d gone)",
            self.snapshot.path,
            len(articles),
            len(upserts),
            len(gone),
        )
        return True

    def _forget_snapshot(self) -> None:
        """Undo a restore that went wrong: back to knowing no file and no state."""
        with self._reload_lock:
            self.library.restore(LibraryRecords({}, {}))
            self._restored = None
            self._state = None
            self._feed_drift = 0
            # Stamps only that reload made, of ids the bad records named.
            self._first_seen.clear()
            self._unrecorded.clear()
        self.loaded_from_snapshot = False

    def save_snapshot(self) -> bool:
        """Write the snapshot now (False when snapshots are off or the write failed,
        which is logged). Safe from any thread; reloads may run meanwhile."""
        if self.snapshot is None:
            return False
        with self._save_lock:
            with self._reload_lock:  # one consistent moment; the objects are immutable
                state = self._state
                if state is None:
                    return False
                self._feed_drift = 0
                payload = {
                    "library": self.library.records(),
                    "feed": dict(self._feed_articles),
                    "index": state.index,
                    "topics": state.topics,
                }
            started = time.perf_counter()
            saved = self.snapshot.save(payload)
            if saved:
                log.info(
                    "wrote snapshot %s in %.1f s", self.snapshot.path, time.perf_counter() - started
                )
            return saved

    def flush_snapshot(self) -> None:
        """Write a pending background snapshot now and wait for it (at shut-down, in tests)."""
        if self._saver is not None:
            self._saver.flush()

    def _drifted(self, articles: int) -> bool:
        """Whether feed articles moved on enough since the snapshot to rewrite it."""
        return self._feed_drift > max(FEED_DRIFT_MIN, articles // FEED_DRIFT_SHARE)

    def _save_soon(self) -> None:
        if self._saver is not None:
            self._saver.poke(self._save_delay)

    # -- first seen ---------------------------------------------------------------------

    def _dated(self, articles: dict[str, Article]) -> dict[str, Article]:
        """Stamp ids never seen before; give undated articles their ``added`` day."""
        fresh = [article_id for article_id in articles if article_id not in self._first_seen]
        if fresh:
            now = self.clock()
            for article_id in fresh:
                self._first_seen[article_id] = now
            self._unrecorded.update(fresh)
        for article_id, article in articles.items():
            if article.date is None:
                added = self._first_seen[article_id].astimezone(dt.UTC).date()
                if article.added != added:
                    articles[article_id] = dataclasses.replace(article, added=added)
        return articles

    @property
    def first_seen(self) -> Mapping[str, dt.datetime]:
        """When each article id was first seen (recorded, or stamped by a reload)."""
        return self._first_seen

    def unrecorded_first_seen(self) -> dict[str, dt.datetime]:
        """First-seen times stamped by reloads and not yet adopted from a record.

        Never waits (it is called on the event loop): while a reload runs it returns {} and
        the caller asks again later."""
        if not self._reload_lock.acquire(blocking=False):
            return {}
        try:
            return {i: self._first_seen[i] for i in self._unrecorded}
        finally:
            self._reload_lock.release()

    def adopt_first_seen(self, seen: Mapping[str, dt.datetime]) -> None:
        """Take these first-seen times as the record (they win over reload stamps)."""
        with self._reload_lock:
            changed = any(self._first_seen.get(i) != at for i, at in seen.items())
            self._first_seen.update(seen)
            self._unrecorded.difference_update(seen)
            state = self._state
            if state is not None and changed:
                self._state = dataclasses.replace(state, articles=self._dated(dict(state.articles)))

    def new_since(self, since: dt.datetime, timezone: str = "UTC") -> dict[str, Article]:
        """Articles new since ``since``: first seen after it, or dated after its day (in
        ``timezone``). From the service's own records; no file is looked at."""
        day = local_date(since, timezone)
        return {
            article_id: article
            for article_id, article in self._s.articles.items()
            if self._first_seen.get(article_id, since) > since
            or (article.date is not None and article.date > day)
        }

    def has_new_on_topic(
        self,
        topic: str | None,
        since: dt.datetime,
        timezone: str = "UTC",
        extra_topics: Sequence[Topic] = (),
    ) -> bool:
        """Whether any article new since ``since`` is about ``topic`` (None: any topic)."""
        fresh = self.new_since(since, timezone)
        if not fresh or topic is None:
            return bool(fresh)
        state = self._s
        digest = build_digest(
            topic,
            articles=fresh,
            index=state.index,
            topic_model=state.topics,
            limit=1,
            extra_topics=extra_topics,
        )
        return bool(digest.points)

    # -- feed articles ------------------------------------------------------------------

    def update_feed_articles(
        self, upserts: Iterable[Article] = (), removed: Iterable[str] = ()
    ) -> None:
        """Add or replace feed articles and drop removed ones; search, digests and
        ``/article`` see the change at once (only the changed articles are indexed)."""
        held = self._feed_articles
        # The same article handed over again (the feeds cog's start-up load after a load
        # that had them already) is no change.
        upserts = _differing(upserts, held)
        gone = [i for i in removed if i in held]
        if not upserts and not gone:
            return
        with self._reload_lock:
            for article in upserts:
                self._feed_articles[article.id] = article
            for article_id in gone:
                self._feed_articles.pop(article_id, None)
            old = self._state
            if old is None:
                restored = self._restored
                if restored is not None:  # a warm start, between its restore and its reload
                    articles = dict(restored.articles)
                    for article_id in gone:
                        articles.pop(article_id, None)
                    articles.update((a.id, a) for a in upserts)
                    self._restored = _State(
                        articles,
                        restored.index.updated(upserts, gone),
                        restored.topics.updated(upserts, gone),
                    )
                    self._feed_drift += len(upserts) + len(gone)
                return  # else the first load builds everything, these included
            articles = dict(old.articles)
            for article_id in gone:
                articles.pop(article_id, None)
            articles.update((a.id, a) for a in upserts)
            articles = self._dated(articles)  # new ids get their first-seen time
            upserts = [articles[a.id] for a in upserts]
            if len(upserts) + len(gone) > len(articles) // 2:
                # A first fetch of many feeds: indexing everything afresh is several times
                # quicker than one huge incremental segment (measured by benchmarks/feeds.py).
                index = SearchIndex.build(articles.values())
            else:
                index = old.index.updated(upserts, gone)
            self._state = _State(articles, index, old.topics.updated(upserts, gone))
            # Feed articles are in the database too, and a warm start applies the ones that
            # differ from the snapshot's; rewriting the whole snapshot (a minute at 100k
            # articles) for each fetch would cost more than it saves.
            self._feed_drift += len(upserts) + len(gone)
            rewrite = self._drifted(len(articles))
        if rewrite:
            self._save_soon()

    @property
    def feed_article_ids(self) -> frozenset[str]:
        """Ids of the articles that came from feeds."""
        return frozenset(self._feed_articles)

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

    def topic_articles(self, topic: Topic, extra_topics: Sequence[Topic] = ()) -> list[Article]:
        """The articles about ``topic``, most about it first."""
        state = self._s
        ranked = state.topics.articles_for(topic, extra_topics)
        return [state.articles[a] for a, _score in ranked if a in state.articles]

    def digest(
        self,
        topic: str,
        *,
        since: dt.date | None = None,
        limit: int = DEFAULT_DIGEST_POINTS,
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

    def all_topics_digest(
        self, *, since: dt.date | None = None, limit: int = DEFAULT_DIGEST_POINTS
    ) -> Digest:
        """A digest across every topic: the newest articles (by date, else the day they
        were added), each with its best sentence."""
        recent = [
            a
            for a in self._s.articles.values()
            if since is None or (a.dated or dt.date.min) >= since
        ]
        recent.sort(key=lambda a: (a.dated or dt.date.min, a.id), reverse=True)
        points: list[DigestPoint] = []
        sources: list[DigestSource] = []
        for article in recent:
            if len(points) >= limit:
                break
            lead = self.summary(article, 1)
            if not lead:
                continue
            title = " ".join((article.title or article.id).split())
            points.append(DigestPoint(lead[0], article.id, title))
            sources.append(DigestSource(article.id, title, article.url))
        return Digest(ALL_TOPICS, ALL_TOPICS, tuple(points), tuple(sources), (), since)

    # -- article files (moderators) ------------------------------------------------------

    def add_article_file(self, name: str, data: bytes, *, replace: bool = False) -> UploadResult:
        """Check an uploaded file, write it atomically into the articles folder and reload.

        Raises ``bot.corpus.uploads.ArticleFileError`` (a message for the moderator) when the
        name, type, size or content is refused; see ``bot.corpus.uploads``.
        """
        return add_article_file(self, name, data, replace=replace)

    def remove_article_file(self, article_id: str, *, whole_file: bool = False) -> RemovalResult:
        """Delete the file ``article_id`` came from (inside the articles folder) and reload."""
        if article_id in self._feed_articles:
            raise ArticleFileError(
                f"`{article_id}` came from a feed, not a file; remove the feed with "
                "`/admin feed remove` (or `newsbot feeds remove`) instead."
            )
        return remove_article_file(self, article_id, whole_file=whole_file)

    # -- autocomplete ------------------------------------------------------------------

    def complete_articles(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Up to ``limit`` (article id, label) pairs for what a user has typed so far."""
        return self._s.article_completer.complete(text, limit)

    def complete_topics(
        self, text: str, extra_topics: Iterable[Topic] = (), limit: int = 25
    ) -> list[tuple[str, str]]:
        """Up to ``limit`` (topic name, label) pairs for what a user has typed so far."""
        options = [
            (topic.name, f"{topic.name} ({count})")
            for topic, count in self._s.topics.counts(tuple(extra_topics))
        ]
        return complete(text, options, limit=limit)
