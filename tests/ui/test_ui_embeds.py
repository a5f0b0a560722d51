"""Embed builders: whatever the core returns, members get readable, valid embeds."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.corpus.model import Article
from bot.digest import Digest, Topic
from bot.digest.digest import DigestPoint, DigestSource
from bot.search import Hit, SearchResult
from bot.ui.embeds import (
    article_embed,
    article_text_pages,
    digest_embed,
    help_embed,
    search_pages,
    topics_pages,
)
from tests.support.discord_oracle import embed_problems, has_unescaped_markup, read_markdown

_LINK = re.compile(r"\[(.*?)\]\(https://example\.com/[^)]*\)")
TEXT = st.text(
    alphabet=st.sampled_from(list("ab cd.*_~|`[]<>@#-\\\n")) | st.characters(),
    max_size=3000,
)


def _hit(n: int, excerpt: str, spans: tuple[tuple[int, int], ...] = ()) -> Hit:
    return Hit(
        article_id=f"a{n}",
        title=f"Headline {n} with **stars** and @everyone",
        excerpt=excerpt,
        sentence=excerpt,
        score=1.0,
        highlights=spans,
        url=f"https://example.com/{n}_(x)" if n % 2 else None,
        sentence_index=0,
    )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(TEXT, st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 3000)))),
        min_size=1,
        max_size=15,
    ),
    TEXT,
)
def test_search_pages_fit_whatever_the_excerpts(
    raw_hits: list[tuple[str, list[tuple[int, int]]]], query: str
) -> None:
    hits = tuple(_hit(n, text, tuple(spans)) for n, (text, spans) in enumerate(raw_hits))
    pages = search_pages(SearchResult(query=query, corrected=query[::-1], hits=hits))

    assert len(pages) == (len(hits) + 2) // 3
    for page in pages:  # each page is its own message
        assert embed_problems([page]) == []
        read_markdown(page.description or "")
        # Apart from the bot's own headline links, no markup survives.
        unlinked = _LINK.sub(r"\1", page.description or "")
        assert not has_unescaped_markup(unlinked)


def test_every_hit_is_numbered_across_pages() -> None:
    hits = tuple(_hit(n, f"Passage number {n}.") for n in range(12))
    pages = search_pages(SearchResult(query="passage", corrected=None, hits=hits))

    described = [page.description for page in pages]
    assert [sum(f"**{n}. " in d for n in range(1, 13)) for d in described] == [3, 3, 3, 3]
    link = "[Headline 1 with \\*\\*stars\\*\\* and @\u200beveryone](https://example.com/1_%28x%29)"
    assert link in described[0]
    assert pages[0].footer.text == "Page 1/4 · 12 passages · open one with /article"


def test_no_results_offers_the_suggestions() -> None:
    (page,) = search_pages(
        SearchResult(query="fery", corrected=None, hits=(), suggestions=("ferry", "fairy"))
    )

    assert page.title == "No results"
    assert page.description == (
        "Nothing in the library matches “fery”.\nDid you mean: **ferry**, **fairy**?"
    )


def test_a_big_digest_keeps_within_limits_and_cites_what_it_shows() -> None:
    sources = tuple(
        DigestSource(f"a{n}", f"Source {n} " + "long title " * 20, f"https://e.com/{n}" * 10)
        for n in range(40)
    )
    points = tuple(DigestPoint("A point. " * 80, f"a{n}", "t") for n in range(10))
    digest = Digest("economy", "Economy & business", points, sources)

    embed = digest_embed(digest)

    assert embed_problems([embed]) == []
    shown = embed.description.count("• ")
    assert 1 <= shown <= 10
    listed = "\n".join(field.value for field in embed.fields)
    assert all(f"\n{n}. " in "\n" + listed for n in range(1, shown + 1))
    assert f"\n{shown + 1}. " not in "\n" + listed  # uncited sources are not listed


def test_an_empty_digest_names_the_closest_topics() -> None:
    digest = Digest("crypto", None, (), (), ("Technology", "Economy & business"))

    embed = digest_embed(digest)

    assert embed.title == "No digest"
    assert embed.description == (
        "Nothing on “crypto” yet.\n"
        "Closest topics: **Technology**, **Economy & business**.\n"
        "See every topic with /topics."
    )


def _article(body: str, **extra: object) -> Article:
    sentences = tuple(s for s in body.split("\n") if s)
    return Article(id="x", title="A *starred* headline", body=body, sentences=sentences, **extra)


def test_article_embed_shows_details_and_hides_bad_urls() -> None:
    article = _article(
        "One.\nTwo.",
        date=dt.date(2024, 5, 1),
        source="Gazette",
        url="javascript:alert(1)",
    )

    embed = article_embed(article, ["One.", "Two."], ["Health", "Sport"])

    assert embed.title == "A \\*starred\\* headline"
    assert embed.url is None
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Source", "Gazette"),
        ("Date", "2024-05-01"),
        ("Topics", "Health, Sport"),
    ]


def test_article_pages_keep_all_the_text() -> None:
    body = "\n\n".join(f"Paragraph {n}. " + "Words and more words. " * 40 for n in range(30))

    pages = article_text_pages(_article(body))

    assert len(pages) > 1
    assert all(embed_problems([page]) == [] for page in pages)
    assert all(len(p.description) <= 3500 for p in pages)
    assert " ".join(read_markdown(p.description)[0] for p in pages).split() == body.split()


def test_many_topics_are_paged_busiest_first() -> None:
    counts = [(Topic(name=f"topic {n:02d}"), n % 7) for n in range(45)]  # 7 with none

    pages = topics_pages(counts)

    assert len(pages) == 2
    first_lines = pages[0].description.split("\n")
    assert first_lines[0] == "**topic 06**: 6 articles"
    assert "**topic 07**: 0 articles" not in pages[1].description
    assert pages[1].description.endswith("*7 topics with no articles yet are left out.*")
    assert pages[1].footer.text.startswith("Page 2/2 · 38 topics")


def test_one_topic_with_no_articles_is_left_out_in_the_singular() -> None:
    (page,) = topics_pages([(Topic(name="Sport"), 1), (Topic(name="Farming"), 0)])

    assert page.description == "**Sport**: 1 article\n\n*1 topic with no articles yet is left out.*"


def test_help_lists_extra_member_commands() -> None:
    embed = help_embed([("remind", "Remind me of something")])

    assert embed.fields[-1].name == "More commands"
    assert embed.fields[-1].value == "/remind: Remind me of something"
    assert embed_problems([embed]) == []
