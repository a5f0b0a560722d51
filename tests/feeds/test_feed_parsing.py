"""RSS 2.0, Atom and JSON Feed items become cleaned article fields; what is not a feed says so."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.feeds.errors import NotAFeed
from bot.feeds.html import html_to_text
from bot.feeds.identity import item_key, normalise_link
from bot.feeds.parse import MAX_ENTRIES, parse_feed
from tests.support.feed_samples import (
    HTML_PAGE,
    SAMPLE_ATOM,
    SAMPLE_JSON,
    SAMPLE_RSS,
    json_feed,
    rss,
    rss_item,
)

FEED_URL = "https://gazette.example/rss.xml"


def test_rss_items_are_cleaned_like_article_files() -> None:
    feed = parse_feed(SAMPLE_RSS.encode(), url=FEED_URL, content_type="application/rss+xml")

    assert feed.title == "Harbour Gazette & Coast"
    ferry, lighthouse, market = feed.entries
    assert ferry.title == "Ferry & pier – delays at Gull Island"  # entities decoded
    # content:encoded (CDATA) wins over the teaser; tags dropped, paragraphs kept, no script
    assert ferry.body == (
        "The Gull Island ferry was delayed for three hours on Monday.\n\n"
        "Officials said a storm had damaged the pier & the ramp.\n\nRead more"
    )
    assert ferry.link == "https://gazette.example/news/ferry-delays"  # relative link resolved
    assert ferry.guid == "gazette-1001"
    assert ferry.tags == ("Transport", "Islands")
    assert ferry.published == dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    assert lighthouse.guid is None and lighthouse.body.startswith("The keeper of the Gull")
    assert market.link is None
    assert market.body == "The fish market reopened after repairs, traders said."  # escaped HTML


def test_atom_entries_take_content_then_summary_and_their_dates() -> None:
    feed = parse_feed(SAMPLE_ATOM.encode(), url="https://tidings.example/atom.xml")

    assert feed.title == "Coast Tidings"
    dredging, tides = feed.entries
    assert dredging.title == "Harbour dredging starts"
    assert dredging.body == (
        "Dredging of the harbour channel began on Monday.\n\n"
        "It will take six weeks, the port authority said."
    )
    assert dredging.link == "https://tidings.example/articles/dredging.html"  # xml:base
    assert dredging.published == dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
    assert dredging.tags == ("Port works",)
    assert tides.body == "The new tide tables for the winter season are out."
    assert tides.published == dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)  # updated


def test_json_feed_items_are_read_without_feedparser() -> None:
    feed = parse_feed(SAMPLE_JSON.encode(), url="https://wire.example/feed.json")

    assert feed.title == "Island Wire" and feed.kind == "json"
    bridge, school, micro = feed.entries
    assert bridge.body == "The council postponed the bridge vote to January."
    assert bridge.link == "https://wire.example/stories/bridge"
    assert bridge.tags == ("Council", "Bridge")
    assert school.guid == "42"
    assert school.published == dt.datetime(2026, 11, 29, 7, 0, tzinfo=dt.UTC)
    assert micro.title == "A title-less micro post about the harbour seals."


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (HTML_PAGE, "text/html; charset=utf-8", "not a feed: the address returned a web page"),
        (HTML_PAGE, "application/xml", "not a feed: the address returned a web page"),
        ("<rss><channel><<item>>&&&</rss", "application/xml", "malformed XML"),
        ("plain words, no markup", "text/plain", "not a feed"),
        ('{"name": "not a feed"}', "application/json", "not a feed: JSON, but not a JSON Feed"),
        ('{"version": "https://jsonfeed.org/version/1", "items": ', None, "malformed JSON Feed"),
        ("", "application/rss+xml", "not a feed"),
    ],
)
def test_what_is_not_a_feed_is_refused_with_the_reason(
    body: str, content_type: str | None, reason: str
) -> None:
    with pytest.raises(NotAFeed) as error:
        parse_feed(body.encode(), url=FEED_URL, content_type=content_type)
    assert str(error.value).startswith(reason)


def test_an_item_without_text_keeps_its_headline_as_its_body() -> None:
    feed = parse_feed(
        rss("<item><title>Storm warning</title><guid>w1</guid></item>").encode(), url=FEED_URL
    )
    [entry] = feed.entries
    assert entry.title == entry.body == "Storm warning"


def test_items_beyond_the_cap_are_left_out_with_a_warning() -> None:
    items = [rss_item(f"g{i}", f"Item {i}", f"Text {i}.") for i in range(MAX_ENTRIES + 20)]
    feed = parse_feed(rss(*items).encode(), url=FEED_URL)
    assert len(feed.entries) == MAX_ENTRIES
    assert feed.warning and str(MAX_ENTRIES + 20) in feed.warning


def test_hostile_item_text_costs_only_itself() -> None:
    nested = "<div>" * 50_000 + "deep text" + "</div>" * 50_000
    repeated = "a" * 300_000
    body = rss(
        rss_item("deep", "Deep", nested),
        rss_item("long", "Long", repeated),
        rss_item("fine", "Fine", "<p>A normal item.</p>"),
    )
    deep, long, fine = parse_feed(body.encode(), url=FEED_URL).entries
    assert deep.body == "deep text"
    assert 0 < len(long.body) <= 200_000
    assert fine.body == "A normal item."


def test_html_to_text_drops_markup_and_keeps_paragraphs() -> None:
    text = html_to_text(
        "<h2>Head</h2><p>One &amp; two<br>three</p><style>p{}</style><ul><li>x</li></ul>"
    )
    assert [p.strip() for p in text.split("\n\n") if p.strip()] == ["Head", "One & two\nthree", "x"]


def test_item_identity_ignores_dates_text_and_tracking() -> None:
    assert normalise_link("HTTPS://Gazette.Example:443/a?utm_source=rss&b=2&a=1#top") == (
        "https://gazette.example/a?a=1&b=2"
    )
    feed = parse_feed(SAMPLE_RSS.encode(), url=FEED_URL)
    keys = [item_key(e) for e in feed.entries]
    assert keys[0] == "id:gazette-1001"
    assert keys[1] == "link:https://gazette.example/news/lighthouse"
    assert keys[2].startswith("hash:")
    edited = json_feed(
        [
            {
                "id": "x",
                "title": "A",
                "content_text": "One.",
                "date_published": "2026-11-01T00:00:00Z",
            }
        ]
    )
    changed = json_feed(
        [
            {
                "id": "x",
                "title": "A!",
                "content_text": "Two.",
                "date_published": "2026-11-02T00:00:00Z",
            }
        ]
    )
    [a] = parse_feed(edited.encode(), url=FEED_URL).entries
    [b] = parse_feed(changed.encode(), url=FEED_URL).entries
    assert item_key(a) == item_key(b)
