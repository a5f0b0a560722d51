"""Parsing article files of every supported format, and refusing bad ones with a reason."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.corpus.loaders import SUPPORTED_SUFFIXES, ParseOutcome, parse_bytes
from bot.corpus.model import Article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
LIST_HINT = (
    "expected one JSON object (an article), found a list; put one article per line in a .jsonl file"
)


def one(outcome: ParseOutcome) -> Article:
    assert outcome.rejections == ()
    assert len(outcome.articles) == 1
    return outcome.articles[0]


def reason(outcome: ParseOutcome) -> str:
    assert outcome.articles == ()
    assert len(outcome.rejections) == 1
    return outcome.rejections[0].reason


def md(text: str) -> bytes:
    return text.encode("utf-8")


# -- .txt ---------------------------------------------------------------------------------


def test_txt_headline_then_body_with_paragraphs() -> None:
    data = (FIXTURES / "business" / "time-warner.txt").read_bytes()
    article = one(parse_bytes("business/time-warner.txt", data))
    assert article.id == "business/time-warner"
    assert article.title == "Profits surge at Time Warner"
    assert article.source_path == "business/time-warner.txt"
    assert article.body.split("\n\n") == [
        "Quarterly profits jumped 76% to $1.13bn (£600m) for the three months to December.\n"
        "The firm said it’s pleased with the results.",
        '"We had a strong year," the chief executive said.',
    ]
    assert article.sentences == (
        "Quarterly profits jumped 76% to $1.13bn (£600m) for the three months to December.",
        "The firm said it’s pleased with the results.",
        '"We had a strong year," the chief executive said.',
    )
    assert (article.date, article.source, article.url, article.tags) == (None, None, None, ())


def test_txt_without_blank_lines_has_one_paragraph_per_line() -> None:
    article = one(parse_bytes("a.txt", b"Headline\nFirst line.\nSecond line.\n"))
    assert article.body == "First line.\n\nSecond line."
    assert article.sentences == ("First line.", "Second line.")


def test_txt_headline_is_first_non_empty_line() -> None:
    article = one(parse_bytes("a.txt", b"\n\n   \n  The Headline  \nBody text here."))
    assert article.title == "The Headline"
    assert article.sentences == ("Body text here.",)


def test_txt_repeated_standfirst_stays_in_sentences() -> None:
    data = b"Headline\nThe standfirst.\nA middle sentence.\nThe standfirst.\n"
    article = one(parse_bytes("a.txt", data))
    assert article.sentences == ("The standfirst.", "A middle sentence.", "The standfirst.")


def test_seed_article_loads() -> None:
    seed = Path(__file__).resolve().parents[2] / "seeds" / "000_3f7c58d4eaf15709.txt"
    article = one(parse_bytes(seed.name, seed.read_bytes()))
    assert article.id == "000_3f7c58d4eaf15709"
    assert article.title == "President Ruto Holds Strategic Call with Trump"
    assert len(article.sentences) == 17
    assert article.sentences[0] == article.sentences[3]  # the standfirst, repeated


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        ("world/Ruto & Trump (call).txt", "world/Ruto-Trump-call"),
        ("Café-Müller.txt", "Cafe-Muller"),
        ("..hidden-ish.txt", "hidden-ish"),
        ("a" * 200 + ".txt", "a" * 80),
    ],
)
def test_ids_are_safe(name: str, expected_id: str) -> None:
    assert one(parse_bytes(name, b"Headline\nBody.")).id == expected_id


def test_a_name_with_no_usable_characters_gets_a_stable_id() -> None:
    first = one(parse_bytes("新闻.txt", b"Headline\nBody."))
    again = one(parse_bytes("新闻.txt", b"Other\nText."))
    other = one(parse_bytes("日本.txt", b"Headline\nBody."))
    assert first.id.startswith("article-")
    assert first.id == again.id != other.id


def test_suffix_is_case_insensitive() -> None:
    assert one(parse_bytes("SHOUT.TXT", b"Headline\nBody.")).id == "SHOUT"


# -- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Café news\nThe café opened.".encode("utf-8-sig"),
        "Café news\nThe café opened.".encode("utf-16"),  # with its byte-order mark
        "Café news\nThe café opened.".encode("utf-32"),
        "Café news\nThe café opened.".encode("cp1252"),
    ],
    ids=["utf-8-bom", "utf-16-bom", "utf-32-bom", "cp1252"],
)
def test_encodings_are_detected(data: bytes) -> None:
    article = one(parse_bytes("a.txt", data))
    assert (article.title, article.sentences) == ("Café news", ("The café opened.",))


def test_windows_line_endings() -> None:
    article = one(parse_bytes("a.txt", b"Headline\r\nOne.\r\n\r\nTwo.\r\n"))
    assert article.body == "One.\n\nTwo."


# -- rejections common to every format ----------------------------------------------------


def test_empty_file() -> None:
    assert reason(parse_bytes("a.txt", b"")) == "empty file (0 bytes)"


def test_whitespace_only_file() -> None:
    assert reason(parse_bytes("a.md", b" \n\t\n ")) == "empty file: it holds only whitespace"


def test_binary_file_with_nul_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert reason(parse_bytes("photo.txt", png)).startswith("binary file (contains NUL bytes)")


def test_utf16_without_bom_is_called_binary_with_a_hint() -> None:
    text = reason(parse_bytes("a.txt", "Headline\nBody.".encode("utf-16-le")))
    assert "UTF-16 text needs a byte-order mark" in text


def test_mostly_control_characters_is_binary() -> None:
    data = bytes(range(1, 32)) * 20 + b"Headline\nbody"
    assert reason(parse_bytes("a.txt", data)).startswith("binary file: ")


def test_undecodable_says_what_was_tried() -> None:
    # 0x81 is invalid in UTF-8 and undefined in Windows-1252.
    text = reason(parse_bytes("a.txt", b"Headline\nBody \x81\x8d text."))
    assert text.startswith("cannot decode: not UTF-8 (invalid byte 0x81 at offset 14)")
    assert "UTF-16" in text and "Windows-1252" in text


def test_not_text_in_any_encoding() -> None:
    data = bytes(range(0xA0, 0x100)) * 4  # valid Windows-1252, but no plausible text
    assert reason(parse_bytes("a.txt", data)).startswith("cannot decode")


def test_bad_bom_says_which_encoding() -> None:
    data = b"\xef\xbb\xbfHeadline\n\xff\xfe body"
    assert reason(parse_bytes("a.txt", data)).startswith(
        "cannot decode: starts with a UTF-8 byte-order mark but is not valid UTF-8"
    )


def test_over_the_size_cap() -> None:
    data = b"Headline\n" + b"x" * 12_300_000
    assert reason(parse_bytes("big.txt", data)) == "12.3 MB is over the 5.0 MB limit"
    assert reason(parse_bytes("a.txt", b"x" * 1500, max_bytes=1000)) == (
        "1.5 KB is over the 1.0 KB limit"
    )
    assert reason(parse_bytes("a.txt", b"x" * 1001, max_bytes=1000)) == (
        "1,001 bytes is over the 1,000-byte limit"
    )


def test_invisible_characters_only_has_no_headline() -> None:
    data = "\u200b\n\u200b\ufeff\n".encode()
    assert reason(parse_bytes("a.txt", data)) == "no headline: the file has no text"


def test_headline_only() -> None:
    assert reason(parse_bytes("a.txt", b"Just a headline\n\n")) == (
        'no body: the article has a headline ("Just a headline") but no text'
    )


def test_body_without_words() -> None:
    assert reason(parse_bytes("a.txt", b"Headline\n* * *\n---")).startswith("no body")


@pytest.mark.parametrize("name", ["report.pdf", "data.csv", "README", "page.html"])
def test_unsupported_suffix(name: str) -> None:
    text = reason(parse_bytes(name, b"Headline\nBody."))
    suffix = Path(name).suffix or "(no extension)"
    assert text == (f"unsupported file type {suffix} (supported: {', '.join(SUPPORTED_SUFFIXES)})")


# -- .md ----------------------------------------------------------------------------------


def test_markdown_with_full_front_matter() -> None:
    data = (FIXTURES / "world" / "ruto-trump.md").read_bytes()
    outcome = parse_bytes("world/ruto-trump.md", data)
    article = one(outcome)
    assert outcome.warnings == ()
    assert article.id == "world/ruto-trump"
    assert article.title == "Ruto holds call with Trump"
    assert article.date == dt.date(2024, 11, 7)
    assert article.source == "Capital FM"
    assert article.url == "https://example.com/news/ruto-trump"
    assert article.tags == ("Kenya", "diplomacy", "United States")
    # The soft-wrapped first paragraph is joined; sentences come from the text, not lines.
    assert article.sentences == (
        "Kenyan President William Ruto said he had spoken with U.S. President-Elect Donald J. "
        "Trump.",
        "The two leaders discussed trade, investment and security.",
        "Security was another key topic, with Ruto briefing Mr. Trump on the mission in Haiti.",
    )
    assert article.body.count("\n\n") == 1


def test_markdown_without_front_matter_uses_the_heading() -> None:
    data = md("# Storm *hits* coast\n\nWinds reached **100mph** on [Tuesday](https://x.y).\n")
    article = one(parse_bytes("storm.md", data))
    assert article.title == "Storm hits coast"
    assert article.sentences == ("Winds reached 100mph on Tuesday.",)
    assert article.date is None and article.tags == ()


def test_markdown_first_line_need_not_be_a_heading() -> None:
    article = one(parse_bytes("plain.markdown", md("Plain headline\nBody sentence.\n")))
    assert (article.title, article.sentences) == ("Plain headline", ("Body sentence.",))


def test_markdown_front_matter_without_title_uses_first_line() -> None:
    data = md("---\ndate: 2024-01-02\ntags: politics, economy\n---\n## The headline\n\nBody.\n")
    article = one(parse_bytes("a.md", data))
    assert article.title == "The headline"
    assert article.tags == ("politics", "economy")
    assert article.date == dt.date(2024, 1, 2)
    assert article.sentences == ("Body.",)


def test_markdown_heading_repeating_the_title_is_not_body_text() -> None:
    data = md("---\ntitle: Storm hits coast\n---\n# Storm hits coast\n\nWinds rose.\n")
    assert one(parse_bytes("a.md", data)).sentences == ("Winds rose.",)


def test_markdown_id_from_front_matter() -> None:
    data = md("---\nid: Kenya/US call 2024\ntitle: T\n---\nBody.\n")
    assert one(parse_bytes("a.md", data)).id == "Kenya-US-call-2024"


def test_markdown_markup_is_reduced_to_text() -> None:
    data = md(
        "Headline\n\n"
        "> A quoted paragraph that is\n> wrapped over two lines.\n\n"
        "- First point.\n- Second point.\n\n"
        "Some `code` and ~~struck~~ text and ![a chart](c.png) here.\n\n"
        "---\n\n"
        "## Subheading\n\n"
        "Last paragraph with snake_case_words kept.\n"
    )
    article = one(parse_bytes("a.md", data))
    assert article.sentences == (
        "A quoted paragraph that is wrapped over two lines.",
        "First point.",
        "Second point.",
        "Some code and struck text and a chart here.",
        "Subheading",
        "Last paragraph with snake_case_words kept.",
    )


def test_markdown_datetime_date() -> None:
    data = md("---\ntitle: T\ndate: 2024-11-07T18:30:00+03:00\n---\nBody.\n")
    assert one(parse_bytes("a.md", data)).date == dt.date(2024, 11, 7)


def test_markdown_bad_date_keeps_the_article_with_a_warning() -> None:
    outcome = parse_bytes("a.md", md("---\ntitle: T\ndate: 2024-13-45\n---\nBody.\n"))
    assert one(outcome).date is None
    assert [(w.path, w.reason) for w in outcome.warnings] == [
        ("a.md", "\"date\" '2024-13-45' is not an ISO date like 2024-11-07; loaded without a date")
    ]


def test_markdown_bad_url_keeps_the_article_with_a_warning() -> None:
    outcome = parse_bytes("a.md", md("---\ntitle: T\nurl: javascript:alert(1)\n---\nBody.\n"))
    assert one(outcome).url is None
    assert "is not an http(s) address" in outcome.warnings[0].reason


def test_malformed_front_matter_names_the_line() -> None:
    data = md("---\ntitle: Fine\ndate: 2024-01-01\ntags: [a, b\nsource: X\n---\nBody.\n")
    text = reason(parse_bytes("a.md", data))
    assert text.startswith("malformed front matter at line 5, column ")


def test_unclosed_front_matter() -> None:
    text = reason(parse_bytes("a.md", md("---\ntitle: T\n\nBody.\n")))
    assert text == "malformed front matter: the --- on line 1 is never closed by a --- line"


def test_front_matter_must_be_a_mapping() -> None:
    text = reason(parse_bytes("a.md", md("---\n- a\n- b\n---\nHeadline\nBody.\n")))
    assert text == "malformed front matter: expected key: value pairs, not a list"


def test_yaml_words_and_numbers_stay_as_typed() -> None:
    text = "---\ntitle: No\nsource: YES\nid: 007\ntags: [on, 2024]\n---\nBody text here.\n"
    (article,) = parse_bytes("a.md", md(text)).articles
    assert (article.title, article.source, article.id) == ("No", "YES", "007")
    assert article.tags == ("on", "2024")


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        (
            "tags: {a: 1}",
            '"tags" must be a list or a comma-separated string, not a mapping (key: value pairs)',
        ),
        ("tags: [a, [b]]", '"tags" item 2 must be text, not a list'),
        ("title: [a, b]", '"title" must be text, not a list'),
        ("source: {a: 1}", '"source" must be text, not a mapping (key: value pairs)'),
        ("id: [1, 2]", '"id" must be text or a whole number, not a list'),
        ("id: '***'", '"id" \'***\' has no usable characters (letters, digits, ".", "_", "-")'),
    ],
)
def test_markdown_wrong_types(front: str, expected: str) -> None:
    data = md(f"---\n{front}\n---\nHeadline\nBody.\n")
    assert reason(parse_bytes("a.md", data)) == expected


def test_markdown_front_matter_only_has_no_headline() -> None:
    text = reason(parse_bytes("a.md", md("---\nsource: X\n---\n\n")))
    assert text == "no headline: no title in the front matter and no text after it"


def test_markdown_numeric_title_is_text() -> None:
    assert one(parse_bytes("a.md", md("---\ntitle: 1984\n---\nBody.\n"))).title == "1984"


# -- .json --------------------------------------------------------------------------------


def test_json_with_optional_fields() -> None:
    data = (FIXTURES / "tech" / "gadget.json").read_bytes()
    article = one(parse_bytes("tech/gadget.json", data))
    assert article.id == "tech/gadget"
    assert article.title == "Phone makers chase foldable screens"
    assert article.body == (
        "Phone makers are betting on foldable screens.\n\nSales rose 3.5% last year, to $7.4bn."
    )
    assert article.sentences == (
        "Phone makers are betting on foldable screens.",
        "Sales rose 3.5% last year, to $7.4bn.",
    )
    assert article.date == dt.date(2024, 5, 1)
    assert article.url == "https://example.com/tech/foldables"


def test_json_minimal_with_text_and_id() -> None:
    data = json.dumps({"id": 42, "title": "T", "text": "Body one. Body two."}).encode()
    article = one(parse_bytes("x.json", data))
    assert (article.id, article.sentences) == ("42", ("Body one.", "Body two."))


def test_malformed_json_names_line_and_column() -> None:
    text = reason(parse_bytes("x.json", b'{\n  "title": "T",\n  "body": "B"\n  "x": 1\n}'))
    assert text == "malformed JSON at line 4, column 3: Expecting ',' delimiter"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"body": "B"}, 'no headline: the JSON object has no "title" (or it is empty)'),
        (
            {"title": "  ", "body": "B"},
            'no headline: the JSON object has no "title" (or it is empty)',
        ),
        ({"title": "T"}, 'no body: the JSON object has no "body" or "text"'),
        ({"title": "T", "body": 3}, '"body" must be text (or a list of paragraphs), not a number'),
        ({"title": "T", "body": ""}, 'no body: the article has a headline ("T") but no text'),
        (
            {"title": "T", "body": "B", "tags": 7},
            '"tags" must be a list or a comma-separated string, not a number',
        ),
    ],
)
def test_json_missing_or_wrong_fields(record: dict[str, object], expected: str) -> None:
    assert reason(parse_bytes("x.json", json.dumps(record).encode())) == expected


def test_json_list_is_rejected_with_a_hint() -> None:
    text = reason(parse_bytes("x.json", b'[{"title": "T", "body": "B"}]'))
    assert text == LIST_HINT


# -- .jsonl -------------------------------------------------------------------------------


def test_jsonl_bad_line_rejects_only_that_line() -> None:
    data = (FIXTURES / "feeds" / "wire.jsonl").read_bytes()
    outcome = parse_bytes("feeds/wire.jsonl", data)
    assert [a.id for a in outcome.articles] == ["wire-001", "feeds/wire-2"]
    first, second = outcome.articles
    assert first.tags == ("transport", "unions")
    assert first.date == dt.date(2024, 3, 4)
    assert second.source == "Wire"
    assert second.sentences == (
        "Heavy rain flooded homes in three towns.",
        "The Environment Agency issued warnings.",
    )
    assert [(r.path, r.reason) for r in outcome.rejections] == [
        ("feeds/wire.jsonl:3", "malformed JSON at column 77: Expecting ',' delimiter")
    ]


def test_jsonl_ids_use_physical_line_numbers_and_skip_blank_lines() -> None:
    lines = [
        json.dumps({"title": "A", "body": "Alpha."}),
        "",
        "[1, 2]",
        json.dumps({"title": "B", "body": "Beta.", "date": "yesterday"}),
        json.dumps({"body": "No title."}),
    ]
    outcome = parse_bytes("feed.jsonl", "\n".join(lines).encode())
    assert [a.id for a in outcome.articles] == ["feed-1", "feed-4"]
    assert [(r.path, r.reason) for r in outcome.rejections] == [
        (
            "feed.jsonl:3",
            LIST_HINT,
        ),
        ("feed.jsonl:5", 'no headline: the JSON object has no "title" (or it is empty)'),
    ]
    assert [w.path for w in outcome.warnings] == ["feed.jsonl:4"]
