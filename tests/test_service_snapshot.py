"""Warm starts: a service loaded from its snapshot answers as one loaded from the files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest

import bot
import bot.corpus.library as library_module
import bot.service as service_module
import bot.snapshot as snapshot_module
from bot.corpus.model import Article
from bot.service import NewsService
from bot.snapshot import HEADER
from tests.support.library_folder import library_folder

ARTICLES = {
    "sport/final.md": (
        "---\ntitle: Harbour City win the cup final\ndate: 2026-10-02\ntags: [football]\n---\n"
        "Harbour City won the national football cup final on Saturday.\n\n"
        "The striker scored twice in the second half before a crowd of 40,000 fans.\n"
    ),
    "economy/rates.txt": (
        "Central bank raises interest rates\n\n"
        "The central bank raised interest rates by a quarter point to fight inflation.\n"
        "Mortgage lenders said borrowers would feel the rise within weeks.\n"
    ),
    "tech/phones.txt": (
        "Mobile phone makers cut prices\n\n"
        "Mobile phone makers cut prices as sales of smartphones slowed this year.\n"
        "Analysts expect cheaper handsets to lift the market in the new year.\n"
    ),
    "world/ferry.json": (
        '{"id": "ferry-strike", "title": "Ferry crews strike", "body": "Ferry crews walked '
        'out over pay, stranding thousands of passengers at the harbour."}'
    ),
}
QUERIES = ("footbal cup final", "interest rates", "mobile phone prices", "ferry strike", "harbour")
FEED = [
    Article("feed-news/1", "Election called", "The prime minister called an election.", ()),
    Article("feed-news/2", "Storm warning", "A storm will bring gales to the coast.", ()),
]


def feed(*articles: Article) -> list[Article]:
    """Feed articles as the store gives them (sentences split as ingestion does)."""
    return [dataclasses.replace(a, sentences=(a.body,)) for a in articles]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return library_folder(tmp_path / "articles", ARTICLES)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def answers(service: NewsService) -> tuple[object, ...]:
    """Everything a member could notice: articles, search results, topics, digests."""
    searches = tuple(service.search(q, limit=10) for q in QUERIES)
    # ``added`` is the day each load first saw an undated article: two loads either side
    # of midnight differ there, and nowhere else.
    undated = {i: dataclasses.replace(a, added=None) for i, a in service.articles.items()}
    return (
        undated,
        searches,
        service.topic_counts(),
        {i: service.topics_of(i) for i in service.articles},
        service.digest("sport"),
        service.complete_articles("harb"),
        service.rejected,
    )


def test_warm_start_answers_as_a_cold_load(folder: Path, data: Path) -> None:
    cold = NewsService.load(folder, data_dir=data, feed_articles=feed(*FEED))
    assert not cold.loaded_from_snapshot
    assert cold.snapshot is not None and cold.snapshot.path.is_file()
    warm = NewsService.load(folder, data_dir=data, feed_articles=feed(*FEED))
    assert warm.loaded_from_snapshot
    assert not warm.last_report.touched  # nothing to re-read
    plain = NewsService.load(folder, feed_articles=feed(*FEED))  # no snapshots at all
    assert answers(warm) == answers(plain) == answers(cold)
    assert warm.search("ferry strike").hits[0].article_id == "ferry-strike"


def test_files_changed_added_and_removed_between_runs_are_picked_up(
    folder: Path, data: Path
) -> None:
    NewsService.load(folder, data_dir=data)
    (folder / "economy/rates.txt").write_text(
        "Central bank holds interest rates\n\nThe central bank held interest rates steady.\n",
        encoding="utf-8",
    )
    (folder / "tech/phones.txt").unlink()
    (folder / "sport/derby.txt").write_text(
        "Derby ends in a draw\n\nThe derby ended in a goalless draw in heavy rain.\n",
        encoding="utf-8",
    )
    warm = NewsService.load(folder, data_dir=data)
    assert warm.loaded_from_snapshot
    report = warm.last_report
    assert (report.added, report.changed, report.removed) == (
        ("sport/derby",),
        ("economy/rates",),
        ("tech/phones",),
    )
    assert answers(warm) == answers(NewsService.load(folder))
    assert warm.search("goalless draw").hits[0].article_id == "sport/derby"
    assert not warm.search("mobile phone").hits
    # ... and the snapshot was written again: the next start has nothing to apply.
    again = NewsService.load(folder, data_dir=data)
    assert again.loaded_from_snapshot and not again.last_report.touched


def test_only_the_changed_file_is_read_on_a_warm_start(
    folder: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    NewsService.load(folder, data_dir=data)
    path = folder / "economy/rates.txt"
    path.write_text(path.read_text(encoding="utf-8") + "Markets rose.\n", encoding="utf-8")
    opened: list[str] = []

    def spy(file: str, *args: object, **kwargs: object) -> object:
        opened.append(Path(file).relative_to(folder).as_posix())
        return open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(library_module, "open", spy, raising=False)
    warm = NewsService.load(folder, data_dir=data)
    assert warm.loaded_from_snapshot
    assert opened == ["economy/rates.txt"]
    assert "Markets rose." in warm.article("economy/rates").body  # type: ignore[union-attr]


def test_feed_articles_that_moved_on_since_the_snapshot_are_applied(
    folder: Path, data: Path
) -> None:
    NewsService.load(folder, data_dir=data, feed_articles=feed(*FEED))
    edited = dataclasses.replace(FEED[1], body="A storm will bring floods to the valley.")
    fresh = Article("feed-news/3", "Budget passed", "Parliament passed the budget.", ())
    now = feed(edited, fresh)  # feed-news/1 expired, /2 edited, /3 new
    warm = NewsService.load(folder, data_dir=data, feed_articles=now)
    assert warm.loaded_from_snapshot
    assert answers(warm) == answers(NewsService.load(folder, feed_articles=now))
    assert warm.feed_article_ids == {"feed-news/2", "feed-news/3"}
    assert warm.search("floods valley").hits[0].article_id == "feed-news/2"
    assert not warm.search("election").hits


def flip(path: Path, where: int) -> None:
    data = bytearray(path.read_bytes())
    data[where] ^= 0x20
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda p: flip(p, 20), "another newsbot version"),  # a header byte
        (lambda p: flip(p, HEADER.size + 100), "corrupt"),  # a payload byte
        (lambda p: p.write_bytes(p.read_bytes()[:-50]), "truncated"),
        (lambda p: p.write_bytes(b""), "truncated"),
        (lambda p: p.write_bytes(b"\x00" * 1000), "not a newsbot snapshot"),
    ],
)
def test_a_spoilt_snapshot_is_logged_rebuilt_and_rewritten(
    folder: Path, data: Path, spoil, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = NewsService.load(folder, data_dir=data)
    assert first.snapshot is not None
    spoil(first.snapshot.path)
    caplog.clear()
    rebuilt = NewsService.load(folder, data_dir=data)
    assert not rebuilt.loaded_from_snapshot
    [line] = [r.getMessage() for r in caplog.records if "rebuilding" in r.getMessage()]
    assert reason in line and str(first.snapshot.path) in line
    assert answers(rebuilt) == answers(first)
    assert NewsService.load(folder, data_dir=data).loaded_from_snapshot  # rewritten


def test_an_older_format_or_newsbot_version_is_rebuilt(
    folder: Path, data: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(snapshot_module, "FORMAT_VERSION", 0)
    NewsService.load(folder, data_dir=data)
    monkeypatch.undo()
    assert not NewsService.load(folder, data_dir=data).loaded_from_snapshot
    assert "snapshot format 0" in caplog.text

    monkeypatch.setattr(bot, "__version__", "0.0.1")
    NewsService.load(folder, data_dir=data)  # an older newsbot wrote this one
    monkeypatch.undo()
    caplog.clear()
    assert not NewsService.load(folder, data_dir=data).loaded_from_snapshot
    assert "another newsbot version" in caplog.text
    assert NewsService.load(folder, data_dir=data).loaded_from_snapshot


def test_another_folders_snapshot_is_not_used(
    folder: Path, data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "lone.txt").write_text("Lone article\n\nNothing else here.\n", encoding="utf-8")
    theirs = NewsService.load(other, data_dir=data)
    ours = NewsService(folder, data_dir=data)
    assert theirs.snapshot is not None and ours.snapshot is not None
    os.replace(theirs.snapshot.path, ours.snapshot.path)
    service = NewsService.load(folder, data_dir=data)
    assert not service.loaded_from_snapshot
    assert "another articles folder" in caplog.text
    assert set(service.articles) == {"sport/final", "economy/rates", "tech/phones", "ferry-strike"}


def test_other_settings_do_not_reuse_the_snapshot(folder: Path, data: Path) -> None:
    NewsService.load(folder, data_dir=data)
    tight = NewsService.load(folder, data_dir=data, max_file_bytes=150)
    assert not tight.loaded_from_snapshot
    assert any("too big" in r.reason or "bytes" in r.reason for r in tight.rejected)


def test_an_unwritable_data_dir_still_loads(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("")
    service = NewsService.load(folder, data_dir=blocker / "data")
    assert len(service.articles) == 4
    assert "could not write the snapshot" in caplog.text


def test_background_writes_follow_reloads_and_feed_updates(folder: Path, data: Path) -> None:
    service = NewsService.load(folder, data_dir=data, save_delay=3600)
    service.flush_snapshot()  # the first write is due at once
    assert service.snapshot is not None and service.snapshot.path.is_file()
    (folder / "tech/phones.txt").unlink()
    service.reload()
    service.update_feed_articles(feed(FEED[0]))
    service.flush_snapshot()  # the change's write waits an hour unless flushed
    warm = NewsService.load(folder, data_dir=data, feed_articles=feed(FEED[0]))
    assert warm.loaded_from_snapshot and not warm.last_report.touched
    assert "tech/phones" not in warm.articles and "feed-news/1" in warm.articles


def test_handing_over_the_same_feed_articles_changes_nothing(folder: Path) -> None:
    service = NewsService.load(folder, feed_articles=feed(*FEED))
    index = service.index
    service.update_feed_articles(feed(*FEED))  # equal copies, as the feeds cog reads them
    assert service.index is index


def test_undated_articles_are_dated_by_first_seen_as_on_a_cold_load(
    folder: Path, data: Path
) -> None:
    NewsService.load(folder, data_dir=data)
    warm = NewsService.load(folder, data_dir=data)
    seen = dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC)
    warm.adopt_first_seen({"economy/rates": seen})
    assert warm.article("economy/rates").added == seen.date()  # type: ignore[union-attr]
    assert warm.article("sport/final").added is None  # type: ignore[union-attr]


def test_a_warm_start_is_not_ready_before_its_reload_and_keeps_feed_updates(
    folder: Path, data: Path
) -> None:
    NewsService.load(folder, data_dir=data, feed_articles=feed(FEED[0]))
    service = NewsService(folder, data_dir=data)
    service._feed_articles = {a.id: a for a in feed(FEED[0])}
    assert service._restore()
    assert not service.ready  # commands would answer from the snapshot's state otherwise
    service.update_feed_articles(feed(FEED[1]))  # arrives while the folder is rescanned
    service.reload()
    assert service.ready
    assert answers(service) == answers(NewsService.load(folder, feed_articles=feed(*FEED)))


def test_feed_updates_rewrite_the_snapshot_only_once_many_have_piled_up(
    folder: Path, data: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(service_module, "FEED_DRIFT_MIN", 2)
    caplog.set_level("INFO")
    service = NewsService.load(folder, data_dir=data, save_delay=3600)
    service.flush_snapshot()

    def applied_on_a_warm_start(feed_now: list[Article]) -> str:
        caplog.clear()
        assert NewsService.load(folder, data_dir=data, feed_articles=feed_now).loaded_from_snapshot
        lines = [r.getMessage() for r in caplog.records]
        return next(line for line in lines if "loaded from snapshot" in line)

    service.update_feed_articles(feed(FEED[0]))  # one: the next start applies it itself
    service.flush_snapshot()
    assert "feed: 1 changed" in applied_on_a_warm_start(feed(FEED[0]))
    assert "feed: 1 changed" in applied_on_a_warm_start(feed(FEED[0]))  # nor did that rewrite

    third = Article("feed-news/3", "Budget passed", "Parliament passed the budget.", ())
    service.update_feed_articles(feed(FEED[1], third))  # three in all: past the threshold
    service.flush_snapshot()
    assert "feed: 0 changed" in applied_on_a_warm_start(feed(*FEED, third))
