"""Article text and queries reach members escaped, highlighted where they matched, and cut
to size at sentence or word boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ui.limits import trim_markdown
from bot.ui.text import (
    ELLIPSIS,
    escape,
    fit,
    highlight,
    link,
    plural,
    safe_url,
    sentences_of,
    shorten,
    split_pages,
)
from tests.support.discord_oracle import has_unescaped_markup, pings_or_pills, read_markdown

# Text without URLs (which are deliberately left unescaped) but full of markdown, mentions
# and odd characters.
MARKDOWNY = st.text(
    alphabet=st.sampled_from(list("ab cd.!?\n*_~|`[]()<>@#-:\\&é😀")) | st.characters(),
    max_size=300,
).filter(lambda t: "://" not in t and ":/" not in t)

NASTY = "**bold** _x_ ||spoiler|| ```code``` @everyone <@&123> <@456> [click](https://evil.example)"


def test_escape_shows_markdown_and_mentions_as_typed() -> None:
    rendered = escape(NASTY)
    plain, bold = read_markdown(rendered)
    assert plain == NASTY
    assert not bold
    assert not has_unescaped_markup(rendered)
    assert not pings_or_pills(rendered)


def test_escape_keeps_urls_clickable() -> None:
    assert escape("see https://example.com/a_b_c now") == "see https://example.com/a_b_c now"


@settings(max_examples=200, deadline=None)
@given(MARKDOWNY)
def test_escape_round_trips_any_text(text: str) -> None:
    rendered = escape(text)
    assert read_markdown(rendered)[0] == text.replace("\u200b", "")
    assert not has_unescaped_markup(rendered)
    assert not pings_or_pills(rendered)


def test_highlight_bolds_matched_words_after_escaping() -> None:
    text = "The *prime* minister met @everyone."
    rendered = highlight(text, [(5, 10), (26, 34)])
    plain, bold = read_markdown(rendered)
    assert plain == text
    assert "".join(plain[i] for i in sorted(bold)) == "primeeveryone"
    assert not pings_or_pills(rendered)


def test_highlight_tolerates_bad_and_overlapping_spans() -> None:
    text = "budget talks resume"
    rendered = highlight(text, [(7, 12), (0, 6), (3, 9), (50, 60), (5, 2), (-4, 0)])
    plain, bold = read_markdown(rendered)
    assert plain == text
    assert "".join(plain[i] for i in sorted(bold)) == "budget talks"


@settings(max_examples=200, deadline=None)
@given(
    MARKDOWNY,
    st.lists(st.tuples(st.integers(-5, 320), st.integers(-5, 320)), max_size=6),
)
def test_highlight_marks_exactly_the_spans(text: str, spans: list[tuple[int, int]]) -> None:
    text = text.replace("\u200b", "")
    plain, bold = read_markdown(highlight(text, spans))
    assert plain == text
    expected = {
        i
        for start, end in spans
        for i in range(max(start, 0), min(end, len(text)))
        if not text[i].isspace()
    }
    in_spans = {i for start, end in spans for i in range(max(start, 0), min(end, len(text)))}
    assert expected <= bold <= in_spans


@settings(max_examples=200, deadline=None)
@given(
    MARKDOWNY,
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=4),
    st.integers(1, 400),
)
def test_highlight_respects_the_limit(text: str, spans: list[tuple[int, int]], limit: int) -> None:
    rendered = highlight(text, spans, limit)
    assert len(rendered) <= limit
    read_markdown(rendered)  # balanced bold, no dangling backslash
    assert not has_unescaped_markup(rendered)


def test_long_passage_keeps_the_window_around_the_match() -> None:
    text = "filler words " * 400 + "the harbour ferry sank" + " more filler" * 400
    start = text.index("harbour")
    rendered = highlight(text, [(start, start + len("harbour"))], 300)
    assert len(rendered) <= 300
    assert "**harbour**" in rendered
    assert rendered.startswith(ELLIPSIS) and rendered.endswith(ELLIPSIS)


def test_shorten_prefers_sentence_then_word_boundaries() -> None:
    text = "First sentence is here. Second sentence is longer than that one."
    assert shorten(text, 40) == "First sentence is here. …"
    assert shorten("alpha beta gamma delta", 15) == "alpha beta…"
    assert shorten("x" * 50, 10) == "x" * 9 + ELLIPSIS
    assert shorten("short", 10) == "short"


@settings(max_examples=200, deadline=None)
@given(MARKDOWNY, st.integers(0, 200))
def test_fit_never_exceeds_the_limit(text: str, limit: int) -> None:
    rendered = fit(text, limit)
    assert len(rendered) <= limit
    if len(escape(text)) <= limit:
        assert rendered == escape(text)


@settings(max_examples=100, deadline=None)
@given(MARKDOWNY, st.integers(4, 200))
def test_trim_markdown_leaves_no_dangling_markup(text: str, limit: int) -> None:
    rendered = trim_markdown(highlight(text, [(0, len(text) // 2)]), limit)
    assert len(rendered) <= limit
    read_markdown(rendered)


def test_split_pages_cuts_at_paragraphs_and_sentences() -> None:
    body = "One. Two is a sentence.\n\nThree starts a paragraph. Four ends it."
    pages = split_pages(body, 30)
    assert pages == ["One. Two is a sentence.", "Three starts a paragraph.", "Four ends it."]


def test_split_pages_breaks_a_sentence_of_thousands_of_characters() -> None:
    body = "Short opener. " + " ".join(["word*"] * 2000) + ". Closing line."
    pages = split_pages(body, 3500)
    assert all(len(page) <= 3500 for page in pages)
    words = " ".join(read_markdown(page)[0] for page in pages).split()
    assert words == body.split()


@settings(max_examples=100, deadline=None)
@given(MARKDOWNY, st.integers(20, 300))
def test_split_pages_keeps_every_word_within_the_limit(text: str, limit: int) -> None:
    text = text.replace("\u200b", "")
    pages = split_pages(text, limit)
    assert all(0 < len(page) <= limit for page in pages)
    assert "".join("".join(read_markdown(p)[0] for p in pages).split()) == "".join(text.split())


def test_sentences_keep_closing_quotes() -> None:
    assert sentences_of('He said "yes." Then he left! Why? Dunno') == [
        'He said "yes."',
        "Then he left!",
        "Why?",
        "Dunno",
    ]


def test_links_only_for_safe_urls() -> None:
    assert link("Title", "https://example.com/a_(b)") == "[Title](https://example.com/a_%28b%29)"
    assert link("Title", "javascript:alert(1)") == "Title"
    assert link("Title", None) == "Title"
    assert safe_url("https://example.com/x y") is None
    assert safe_url("ftp://example.com") is None


@pytest.mark.parametrize(
    ("count", "noun", "shown"),
    [
        (1, "search", "1 search"),
        (2, "search", "2 searches"),
        (0, "article", "0 articles"),
        (1200, "article", "1,200 articles"),
        (1, "file or record", "1 file or record"),
    ],
)
def test_counts_agree_with_their_nouns(count: int, noun: str, shown: str) -> None:
    assert plural(count, noun) == shown
