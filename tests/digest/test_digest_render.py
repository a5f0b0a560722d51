"""Digest text that fits Discord: numbered points, citations, sources, sensible trimming."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest import (
    Digest,
    DigestPoint,
    DigestSource,
    TopicModel,
    build_digest,
    load_catalogue,
    render_digest_text,
)
from bot.search import SearchIndex
from tests.support.digest_samples import ALL, make

EMBED_DESCRIPTION = 4096
MESSAGE_TOTAL = 6000


def huge_articles(n: int) -> list:
    """Articles whose every sentence is ~3,000 characters of trade news."""
    words = ["trade", "investment", "exports", "tariffs", "deal", "economy", "growth", "markets"]
    out = []
    for i in range(n):
        sentences = tuple(
            (f"Sentence {j} of article {i} on trade: " + " ".join(words * 60))[:3000] + "."
            for j in range(4)
        )
        out.append(make(f"huge-{i}", "Trade deal " + "very long headline " * 40, sentences))
    return out


def test_huge_articles_still_fit_discord_limits() -> None:
    articles = huge_articles(12)
    d = build_digest(
        "trade",
        articles={a.id: a for a in articles},
        index=SearchIndex.build(articles),
        topic_model=TopicModel.build(articles, load_catalogue()),
        limit=10,
    )
    assert len(d.points) == 10
    assert all(len(p.text) <= 600 for p in d.points)
    assert all(len(s.title) <= 256 for s in d.sources)  # an embed title's limit
    text = render_digest_text(d)
    assert len(text) <= 4000 <= EMBED_DESCRIPTION
    # Everything a message could carry (text + titles) stays under the 6,000 total.
    assert len(text) + sum(len(s.title) for s in d.sources[:1]) <= MESSAGE_TOTAL
    numbered = re.findall(r"^(\d+)\. .*\[(\d+)\]$", text, flags=re.MULTILINE)
    assert [int(n) for n, _c in numbered] == list(range(1, 11))
    assert {int(c) for _n, c in numbered} == set(range(1, len(d.sources) + 1))


def test_render_shows_numbered_points_citations_and_sources() -> None:
    d = Digest(
        topic="trade",
        matched_topic="Trade & investment",
        points=(
            DigestPoint("Kenya wants more trade.", "a", "Kenya and the US"),
            DigestPoint("Exports rose.", "b", "Exports up"),
            DigestPoint("Investment will follow.", "a", "Kenya and the US"),
        ),
        sources=(
            DigestSource("a", "Kenya and the US", "https://example.com/a"),
            DigestSource("b", "Exports up", None),
        ),
        since=dt.date(2024, 1, 1),
    )
    assert render_digest_text(d) == (
        "Digest: Trade & investment since 2024-01-01\n"
        "\n"
        "1. Kenya wants more trade. [1]\n"
        "2. Exports rose. [2]\n"
        "3. Investment will follow. [1]\n"
        "\n"
        "Sources:\n"
        "[1] Kenya and the US — https://example.com/a\n"
        "[2] Exports up — b"
    )


def test_long_points_are_cut_at_a_boundary_with_an_ellipsis() -> None:
    long = ("The budget grew. " * 10 + "Then ministers argued about everything for hours ") * 8
    d = Digest(
        "economy",
        "Economy & business",
        tuple(DigestPoint(long, "a", "T") for _ in range(5)),
        (DigestSource("a", "T", None),),
    )
    text = render_digest_text(d, max_chars=1000)
    assert len(text) <= 1000
    for line in text.splitlines()[2:7]:
        body = line.split(". ", 1)[1].rsplit(" [", 1)[0]
        assert body.endswith("…")
        kept = body[:-1]
        assert long.startswith(kept), "the cut keeps the start of the point"
        assert long[len(kept)] in " .", "never cut inside a word"


def test_empty_digest_says_so_and_offers_closest_topics() -> None:
    d = Digest("football", None, (), (), closest=("Sport", "Economy & business"))
    assert render_digest_text(d) == (
        "No articles about football.\nClosest topics with articles: Sport, Economy & business"
    )


_text = st.text(min_size=0, max_size=3500)


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.tuples(_text, st.integers(0, 9)), min_size=1, max_size=10),
    title=st.text(max_size=300),
    max_chars=st.integers(100, 6000),
)
def test_any_digest_renders_within_the_limit(points, title, max_chars) -> None:
    d = Digest(
        "t",
        None,
        tuple(DigestPoint(text, f"id{n}", title) for text, n in points),
        tuple(DigestSource(f"id{n}", title, None) for n in dict.fromkeys(n for _t, n in points)),
    )
    assert len(render_digest_text(d, max_chars)) <= max_chars


@settings(max_examples=60, deadline=None)
@given(topic=st.text(max_size=300), limit=st.integers(-5, 30))
def test_any_topic_string_never_raises(topic: str, limit: int) -> None:
    d = build_digest(
        topic,
        articles=_WORLD[0],
        index=_WORLD[1],
        topic_model=_WORLD[2],
        limit=limit,
    )
    assert len(d.points) <= max(min(limit, 25), 1)
    assert bool(d.points) or d.sources == ()
    assert len(render_digest_text(d)) <= 4000


_WORLD = (
    {a.id: a for a in ALL},
    SearchIndex.build(ALL),
    TopicModel.build(ALL, load_catalogue()),
)
