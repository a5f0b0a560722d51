"""Dedupe, failures and storage, end to end: a feed served on 127.0.0.1, fetched into the
store, read back as library articles that search and digests find."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from bot.feeds.fetch import Fetcher, FetchPolicy
from bot.feeds.ingest import FeedIngestor, feed_article, load_feed_articles
from bot.feeds.manage import add_feed
from bot.service import NewsService
from bot.store import Feed, Store
from tests.support.feed_clock import FakeClock
from tests.support.feed_samples import (
    FERRY,
    HTML_PAGE,
    LIGHTHOUSE,
    MARKET,
    SAMPLE_ATOM,
    SAMPLE_JSON,
    rss,
    rss_item,
)
from tests.support.feed_server import FeedServer


async def follow(store: Store, server: FeedServer, clock: FakeClock, path: str = "/rss") -> Feed:
    return await add_feed(store, server.url(path), now=clock(), name="Harbour Gazette")


async def alerts(store: Store, feed: Feed) -> dict[str, bool]:
    return {k: item.alert for k, item in (await store.feeds.items(feed.id)).items()}


async def test_the_first_fetch_adds_every_item_and_alerts_none(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE, MARKET))
    feed = await follow(store, feed_server, clock)

    first = await ingestor.fetch(feed)

    assert (first.new, first.updated, first.unchanged, first.error) == (3, 0, 0, None)
    assert list((await alerts(store, feed)).values()) == [False, False, False]  # no flood
    ids = {a.id for a in first.upserts}
    assert all(i.startswith("feed-harbour-gazette/") for i in ids)
    ferry = next(a for a in first.upserts if a.title.startswith("Ferry"))
    assert ferry.source == "Harbour Gazette"
    assert ferry.url == feed_server.url("/news/ferry-delays")
    assert ferry.date == dt.date(2026, 11, 30)
    assert ferry.tags == ("Transport", "Islands")
    market = next(a for a in first.upserts if a.title == "Fish market reopens")
    assert market.url is None and market.date == dt.date(2026, 11, 28)

    clock.advance(minutes=15)
    same = await ingestor.fetch(first.feed)  # the very same bytes: not even parsed again
    assert same.not_modified and (same.new, same.updated) == (0, 0)
    feed_server.serve("/rss", rss(MARKET, FERRY, LIGHTHOUSE))  # reordered: parsed, all known
    second = await ingestor.fetch(same.feed)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 3)

    later = rss_item("gazette-1002", "Harbour seals counted", "Volunteers counted 40 seals.")
    feed_server.serve("/rss", rss(later, FERRY, LIGHTHOUSE, MARKET))
    third = await ingestor.fetch(second.feed)
    assert (third.new, third.unchanged) == (1, 3)
    assert sorted((await alerts(store, feed)).values()) == [False, False, False, True]


async def test_a_changed_date_or_text_updates_the_article_and_is_never_new(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    feed_server.serve("/rss", rss(FERRY))
    feed = await follow(store, feed_server, clock)
    [original] = (await ingestor.fetch(feed)).upserts

    edited = FERRY.replace("Mon, 30 Nov 2026 09:00:00 GMT", "Tue, 01 Dec 2026 07:00:00 GMT")
    edited = edited.replace("three hours", "four hours")
    feed_server.serve("/rss", rss(edited))
    report = await ingestor.fetch((await store.feeds.get(feed.id)) or feed)

    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    [changed] = report.upserts
    assert changed.id == original.id
    assert changed.date == dt.date(2026, 12, 1) and "four hours" in changed.body
    assert list((await alerts(store, feed)).values()) == [False]


async def test_an_item_that_leaves_the_feed_and_comes_back_is_not_new(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    feed = await follow(store, feed_server, clock)
    await ingestor.fetch(feed)
    feed_server.serve("/rss", rss(LIGHTHOUSE))
    gone = await ingestor.fetch((await store.feeds.get(feed.id)) or feed)
    assert (gone.new, gone.unchanged) == (0, 1)
    assert len(await load_feed_articles(store)) == 2  # still in the library

    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    back = await ingestor.fetch((await store.feeds.get(feed.id)) or feed)
    assert (back.new, back.updated, back.unchanged) == (0, 0, 2)


async def test_duplicate_guids_within_one_feed_are_one_article(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    copy = FERRY.replace("delays at Gull Island", "delays (corrected)")
    feed_server.serve("/rss", rss(FERRY, copy, LIGHTHOUSE, LIGHTHOUSE))
    feed = await follow(store, feed_server, clock)

    report = await ingestor.fetch(feed)

    assert (report.new, report.error) == (2, None)
    titles = sorted(a.title for a in await load_feed_articles(store))
    assert titles == ["Ferry & pier – delays at Gull Island", "Lighthouse keeper retires"]


async def test_a_304_changes_nothing_and_keeps_the_validators(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    feed_server.serve("/rss", rss(FERRY), etag='"abc"')
    feed = await follow(store, feed_server, clock)
    first = await ingestor.fetch(feed)
    assert first.feed.etag == '"abc"'

    clock.advance(minutes=20)
    again = await ingestor.fetch(first.feed)

    assert again.not_modified and (again.new, again.updated) == (0, 0) and not again.error
    assert again.feed.etag == '"abc"'
    assert again.feed.last_ok_at == clock()
    assert feed_server.requests[-1].headers.get("If-None-Match") == '"abc"'


async def test_atom_and_json_feeds_are_ingested_too(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    feed_server.serve("/atom", SAMPLE_ATOM, content_type="application/atom+xml")
    feed_server.serve("/json", SAMPLE_JSON, content_type="application/feed+json")
    atom = await add_feed(store, feed_server.url("/atom"), now=clock())
    wire = await add_feed(store, feed_server.url("/json"), now=clock())

    reports = await ingestor.fetch_all([atom, wire])

    assert [(r.new, r.error) for r in reports] == [(2, None), (3, None)]
    sources = {a.source for a in await load_feed_articles(store)}
    assert sources == {"Coast Tidings", "Island Wire"}  # the feed's own title without --name
    assert atom.slug == "127-0-0-1" and wire.slug == "127-0-0-1-2"


async def test_failures_back_off_then_pause_after_a_day_with_an_audit_entry(
    feed_server: FeedServer, store: Store, fetcher: Fetcher, clock: FakeClock
) -> None:
    told: list[tuple[int, str]] = []

    async def on_pause(feed: Feed, reason: str) -> None:
        told.append((feed.id, reason))

    ingestor = FeedIngestor(store, fetcher, clock=clock, on_pause=on_pause, rng=lambda: 0.0)
    feed_server.serve("/rss", "upstream broke", status=500, content_type="text/plain")
    feed = await follow(store, feed_server, clock)

    waits = []
    for _attempt in range(6):
        report = await ingestor.fetch(feed)
        assert report.error == "HTTP 500 Internal Server Error" and not report.paused
        feed = report.feed
        waits.append((feed.next_fetch_at - clock()).total_seconds() / 60)
        clock.now = feed.next_fetch_at
    assert waits == [1, 5, 15, 60, 60, 60]
    assert await store.feeds.due(clock()) == [feed]

    clock.now = feed.failing_since + dt.timedelta(days=1)  # type: ignore[operator]
    feed_server.serve("/rss", HTML_PAGE, content_type="text/html")  # and now a web page
    report = await ingestor.fetch(feed)

    assert report.paused and report.error and report.error.startswith("not a feed")
    assert report.feed.paused and "failing for 24 hours" in (report.feed.pause_reason or "")
    assert told == [(feed.id, report.feed.pause_reason)]
    [entry] = await store.audit.recent(0, action="feed.paused")
    assert entry.result == "error" and feed.url in entry.details
    assert await store.feeds.due(clock() + dt.timedelta(days=7)) == []  # paused: not fetched

    resumed = await store.feeds.set_paused(feed.id, False, now=clock())
    assert not resumed.paused and resumed.failure_count == 0 and resumed.failing_since is None
    feed_server.serve("/rss", rss(FERRY))
    assert (await ingestor.fetch(resumed)).new == 1


async def test_a_success_clears_the_failures(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    feed_server.serve("/rss", "<rss><channel><<item>>&&&", content_type="application/xml")
    feed = await follow(store, feed_server, clock)
    failed = await ingestor.fetch(feed)
    assert failed.error and failed.error.startswith("malformed XML")
    feed_server.serve("/rss", rss(FERRY))
    ok = await ingestor.fetch(failed.feed)
    assert ok.new == 1 and ok.feed.failure_count == 0 and ok.feed.last_error is None


async def test_a_restart_keeps_every_article_and_repeats_nothing(
    feed_server: FeedServer, tmp_path: Path, clock: FakeClock
) -> None:
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    database = tmp_path / "restart.db"
    policy = FetchPolicy(allow_private=True)
    async with await Store.open(database) as store, Fetcher(policy) as fetcher:
        feed = await follow(store, feed_server, clock)
        await FeedIngestor(store, fetcher, clock=clock).fetch(feed)
        before = sorted(a.id for a in await load_feed_articles(store))

    async with await Store.open(database) as store, Fetcher(policy) as fetcher:
        assert sorted(a.id for a in await load_feed_articles(store)) == before
        [feed] = await store.feeds.all()
        feed_server.serve("/rss", rss(LIGHTHOUSE, FERRY))
        report = await FeedIngestor(store, fetcher, clock=clock).fetch(feed)
        assert (report.new, report.updated, report.unchanged) == (0, 0, 2)


async def test_retention_drops_old_articles_but_remembers_them(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    old = rss_item("old", "Old news", "Something old.", date="Sun, 01 Nov 2026 09:00:00 GMT")
    feed_server.serve("/rss", rss(FERRY, old))
    feed = await follow(store, feed_server, clock)
    await ingestor.fetch(feed)

    assert await ingestor.expire(0) == []  # 0 keeps everything
    expired = await ingestor.expire(14)

    assert len(expired) == 1 and expired[0].startswith("feed-harbour-gazette/")
    assert [a.title for a in await load_feed_articles(store)] == [
        "Ferry & pier – delays at Gull Island"
    ]
    feed_server.serve("/rss", rss(old, FERRY))
    again = await ingestor.fetch((await store.feeds.get(feed.id)) or feed)
    assert (again.new, again.unchanged) == (0, 2)  # the old item is not taken for a new one


async def test_full_text_replaces_a_teaser_with_the_linked_page(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the long story about the Gull Island pier repairs, which "
        f"the council approved after a long debate about costs and safety.</p>"
        for n in range(1, 8)
    )
    page = (
        "<html><head><title>Pier repairs</title></head><body><nav>Home | News</nav>"
        f"<article><h1>Pier repairs approved</h1>{paragraphs}</article>"
        "<footer>Copyright</footer></body></html>"
    )
    feed_server.serve("/story", page, content_type="text/html")
    teaser = rss_item("p1", "Pier repairs approved", "Teaser only.", link="/story", encoded=False)
    feed_server.serve("/rss", rss(teaser))
    feed = await add_feed(store, feed_server.url("/rss"), now=clock(), full_text=True)

    [article] = (await ingestor.fetch(feed)).upserts

    assert "Paragraph 7 of the long story" in article.body
    assert "Copyright" not in article.body and "Teaser only." not in article.body


async def test_feed_articles_are_searchable_and_digestible_like_files(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "budget.txt").write_text("Library budget approved\n\nThe council approved it.\n")
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    feed = await follow(store, feed_server, clock)
    report = await ingestor.fetch(feed)
    service = NewsService.load(folder)

    service.update_feed_articles(report.upserts)

    hits = service.search("lighthose keepr").hits
    assert hits and hits[0].title == "Lighthouse keeper retires"
    digest = service.digest("ferry delays")
    assert any(p.title.startswith("Ferry") for p in digest.points)
    service.reload()  # re-reading the folder keeps the feed articles
    assert len(service.articles) == 3
    ferry = next(a for a in report.upserts if a.title.startswith("Ferry"))
    service.update_feed_articles(removed=[ferry.id])
    assert service.article(ferry.id) is None
    assert not [h for h in service.search("ferry delayed").hits if h.article_id == ferry.id]


def test_a_stored_item_with_no_sentences_still_makes_an_article() -> None:
    from bot.store import FeedItemRecord

    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    record = FeedItemRecord(
        1,
        "id:x",
        "feed-x/1",
        "Only a headline",
        None,
        None,
        now,
        now,
        now,
        "X",
        (),
        "* * *",
        "feed",
        "h",
        False,
        False,
    )
    article = feed_article(record, "x")
    assert article.sentences == ("Only a headline",) and article.date == now.date()


async def test_an_expired_item_still_listed_by_an_unchanging_feed_never_returns_as_new(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    old = rss_item("old", "Old news", "Something old.", date="Sun, 01 Nov 2026 09:00:00 GMT")
    feed_server.serve("/rss", rss(old), etag='"same"')
    feed = (await ingestor.fetch(await follow(store, feed_server, clock))).feed
    for _day in range(30):  # a month of 304s, retention running every day
        clock.advance(days=1)
        feed = (await ingestor.fetch(feed)).feed
        await ingestor.expire(14)
    assert await load_feed_articles(store) == []  # expired from the library...

    feed_server.serve("/rss", rss(FERRY, old))  # ...and when the feed finally changes
    report = await ingestor.fetch(feed)
    assert (report.new, report.unchanged) == (1, 1)  # only the ferry is new


async def test_an_unexpected_parser_error_costs_only_that_feed(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock, monkeypatch
) -> None:
    import bot.feeds.ingest as ingest

    real = ingest.parse_feed

    def fragile(data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
        if b"Lighthouse" in data:
            raise TypeError("a parser bug")
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "parse_feed", fragile)
    feed_server.serve("/bad", rss(LIGHTHOUSE))
    feed_server.serve("/good", rss(FERRY))
    bad = await add_feed(store, feed_server.url("/bad"), now=clock())
    good = await add_feed(store, feed_server.url("/good"), now=clock())

    first, second = await ingestor.fetch_all([bad, good])

    assert first.error == "the feed could not be read (unexpected TypeError)"
    assert first.feed.failure_count == 1
    assert (second.new, second.error) == (1, None)


async def test_parsing_runs_off_the_event_loop(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock, monkeypatch
) -> None:
    import threading

    import bot.feeds.ingest as ingest

    real = ingest.parse_feed
    threads: list[threading.Thread] = []

    def watched(data: bytes, **kwargs: object):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "parse_feed", watched)
    feed_server.serve("/rss", rss(FERRY))
    report = await ingestor.fetch(await follow(store, feed_server, clock))

    assert report.new == 1
    assert threads and threads[0] is not threading.main_thread()


async def test_an_undated_item_keeps_the_day_it_was_first_seen_when_it_changes(
    feed_server: FeedServer, store: Store, ingestor: FeedIngestor, clock: FakeClock
) -> None:
    undated = (
        "<item><title>Pier notice</title><guid>n1</guid><description>Closed.</description></item>"
    )
    feed_server.serve("/rss", rss(undated))
    feed = await follow(store, feed_server, clock)
    [first] = (await ingestor.fetch(feed)).upserts
    assert first.date == dt.date(2026, 12, 1)

    clock.advance(days=3)
    feed_server.serve("/rss", rss(undated.replace("Closed.", "Closed until Friday.")))
    [changed] = (await ingestor.fetch((await store.feeds.get(feed.id)) or feed)).upserts
    assert changed.date == dt.date(2026, 12, 1) and changed.body == "Closed until Friday."
    [stored] = await load_feed_articles(store)
    assert stored == changed  # what the bot holds is what a restart reads back


async def test_feed_items_are_split_into_sentences_off_the_event_loop(
    feed_server: FeedServer,
    store: Store,
    ingestor: FeedIngestor,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tens of thousands of stored items take seconds to split: never on the event loop,
    # neither when fetched nor when the library reads them all back at start-up.
    import bot.feeds.ingest as ingest

    loop_thread = threading.get_ident()
    threads: list[int] = []
    real_split = ingest.split_sentences

    def split(text: str) -> list[str]:
        threads.append(threading.get_ident())
        return real_split(text)

    monkeypatch.setattr(ingest, "split_sentences", split)
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    report = await ingestor.fetch(await follow(store, feed_server, clock))
    loaded = await load_feed_articles(store)

    assert len(report.upserts) == len(loaded) == 2
    assert len(threads) == 4 and loop_thread not in threads
