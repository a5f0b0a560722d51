"""Hostile article files: each loads or is rejected with its reason, costs only itself,
and leaves a library that still answers searches (issue 9, the file side).

The sizes are ones that used to take seconds (or crash the process): 40 KB of "." took
~30 s in the sentence splitter, 50 KB of "[" ~33 s in the Markdown reducer, and a 60 KB
front matter nesting 30,000 levels deep killed the process inside libyaml.
"""

from __future__ import annotations

import json
import logging
import os
import unicodedata
from pathlib import Path

import pytest

from bot.corpus.clean import MAX_COMBINING_RUN, clean_text
from bot.corpus.library import Library
from bot.corpus.loaders import MAX_FRONT_MATTER_CHARS, MAX_LISTED_LINES, MAX_NESTING, parse_bytes
from bot.corpus.model import Rejection
from bot.corpus.sentences import split_sentences
from bot.service import NewsService

HEAD = b"Hostile headline\n"
NORMAL = b"Harbour Ferry Returns\n\nThe harbour ferry sailed again on Monday after repairs.\n"

# (file name, bytes, what must happen: "loaded" or a fragment of the rejection reason)
FAMILIES = [
    ("dots.txt", HEAD + b"." * 40_000, "has no words"),
    ("bangs.txt", HEAD + b"!" * 40_000, "has no words"),
    ("questions.txt", HEAD + b"?" * 40_000, "has no words"),
    ("dots-spaced.txt", HEAD + b"Word" + b". " * 50_000, "loaded"),
    ("mixed-terminators.txt", HEAD + b"Wait" + b"?!." * 20_000 + b"x", "loaded"),
    ("abbreviations.txt", HEAD + b"U.S. " * 20_000 + b"end.", "loaded"),
    ("titles.txt", HEAD + b"Mr. " * 25_000 + b"Smith.", "loaded"),
    ("nested.txt", HEAD + b"([{" * 20_000 + b"}])" * 20_000, "has no words"),
    ("brackets.md", b"# Brackets\n" + b"[" * 50_000, "has no words"),
    ("images.md", b"# Images\n" + b"![" * 25_000, "has no words"),
    ("links.md", b"# Links\n" + b"[a](" * 12_500, "loaded"),
    ("refs.md", b"# Refs\n" + b"[a][" * 12_500, "loaded"),
    ("emphasis.md", b"# Emphasis\n" + b"**a _b *c ~~d " * 5_000, "loaded"),
    ("autolinks.md", b"# Autolinks\n" + b"<http:" * 10_000, "loaded"),
    ("comments.md", b"# Comments\n" + b"<!--" * 12_500 + b"text", "loaded"),
    ("heading-spaces.md", b"#" + b" " * 50_000 + b"x\n\nBody.", "loaded"),
    ("table-spaces.md", b"# T\n" + b" " * 50_000 + b"x\n---" + b" " * 50_000 + b"y", "loaded"),
    (
        "yaml-bomb.md",
        b"---\na: " + b"[" * 30_000 + b"\n---\n# T\nBody.\n",
        f"front matter nests deeper than {MAX_NESTING} levels",
    ),
    (
        "yaml-bomb-100k.md",
        b"---\na: " + b"[" * 100_000 + b"\n---\n# T\nBody.\n",
        f"over the {MAX_FRONT_MATTER_CHARS:,}-character limit",
    ),
    (
        "yaml-dashes.md",
        b"---\na:\n  " + b"- " * 20_000 + b"x\n---\n# T\nBody.\n",
        f"front matter nests deeper than {MAX_NESTING} levels",
    ),
    (
        "yaml-maps.md",
        b"---\na: " + b"{a: " * 10_000 + b"\n---\n# T\nBody.\n",
        f"front matter nests deeper than {MAX_NESTING} levels",
    ),
    (
        "yaml-bigint.md",
        b"---\ntitle: !!int " + b"7" * 5_000 + b"\n---\nBody.\n",
        "a number has more than 4,300 digits",
    ),
    (
        "json-deep.json",
        b'{"title": "T", "body": "B.", "x": ' + b"[" * 1_000_000 + b"}",
        f"JSON nests deeper than {MAX_NESTING} levels",
    ),
    (
        "json-deep-closed.json",
        b'{"title": "T", "body": "B.", "x": ' + b"[" * 500 + b"]" * 500 + b"}",
        f"JSON nests deeper than {MAX_NESTING} levels",
    ),
    (
        "json-bigint.json",
        b'{"title": "T", "body": "B.", "x": ' + b"7" * 5_000 + b"}",
        "malformed JSON: a number has more than 4,300 digits",
    ),
    ("one-word.txt", HEAD + b"a" * 1_000_000, "loaded"),
    ("one-char-lines.txt", HEAD + b"a\n" * 200_000, "loaded"),
    ("combining.txt", HEAD + "a\u0301\u0316".encode() * 50_000, "loaded"),
    ("nul-bytes.txt", HEAD + b"\x00" * 100_000, "binary file (contains NUL bytes)"),
]


@pytest.fixture(scope="module")
def hostile_service(tmp_path_factory: pytest.TempPathFactory) -> NewsService:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "harbour.txt").write_bytes(NORMAL)
    for name, data, _expected in FAMILIES:
        (folder / name).write_bytes(data)
    return NewsService.load(folder)


@pytest.mark.parametrize(("name", "data", "expected"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_each_family_is_loaded_or_rejected_with_its_reason(
    hostile_service: NewsService, name: str, data: bytes, expected: str
) -> None:
    loaded = [a for a in hostile_service.articles.values() if a.source_path == name]
    reasons = [r.reason for r in hostile_service.rejected if r.path == name]
    if expected == "loaded":
        assert loaded and not reasons, reasons
    else:
        assert not loaded
        assert len(reasons) == 1 and expected in reasons[0], reasons


def test_a_library_with_every_family_in_still_serves_search(
    hostile_service: NewsService,
) -> None:
    result = hostile_service.search("harbor ferry")
    assert result.hits and result.hits[0].article_id == "harbour"
    assert hostile_service.digest("ferry").points or hostile_service.digest("ferry").closest


def test_a_number_too_long_for_python_is_a_plain_reason_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = b'{"title": "T", "body": "B.", "n": ' + b"9" * 5_000 + b"}"
    with caplog.at_level(logging.DEBUG):
        outcome = parse_bytes("big.json", data)
    [rejection] = outcome.rejections
    assert rejection.reason == "malformed JSON: a number has more than 4,300 digits"
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"


def test_front_matter_within_the_caps_still_loads() -> None:
    nested = "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1)
    data = f"---\ntitle: Deep but fine\nextra: {nested}\n---\nBody text.\n".encode()
    [article] = parse_bytes("fine.md", data).articles
    assert article.title == "Deep but fine"


def test_json_within_the_nesting_cap_still_loads() -> None:
    record = {"title": "T", "body": "Body.", "extra": json.loads("[" * 99 + "]" * 99)}
    [article] = parse_bytes("fine.json", json.dumps(record).encode()).articles
    assert article.body == "Body."


def test_a_link_whose_url_holds_parentheses_renders_without_a_stray_bracket() -> None:
    data = b"# Wiki\n\nSee [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) for more.\n"
    [article] = parse_bytes("wiki.md", data).articles
    assert article.body == "See Foo for more."


def test_runs_of_combining_marks_are_cut_to_the_stream_safe_limit() -> None:
    cleaned = clean_text("Zalgo" + "\u0301" * 10_000 + " text")
    # 30 marks kept; NFC then composes the first with its letter (o + U+0301 = ó).
    assert cleaned == unicodedata.normalize("NFC", "Zalgo" + "\u0301" * MAX_COMBINING_RUN + " text")
    assert cleaned.count("\u0301") == MAX_COMBINING_RUN - 1
    assert clean_text("cafe\u0301") == "café"


def test_spaced_ellipses_still_split_as_before() -> None:
    assert split_sentences("He paused . . . Then he spoke. It rained.") == [
        "He paused . . .",
        "Then he spoke.",
        "It rained.",
    ]
    assert split_sentences("Wait . . . and see.") == ["Wait . . . and see."]


def test_a_symlink_loop_is_rejected_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "harbour.txt").write_bytes(NORMAL)
    os.symlink("loop.txt", tmp_path / "loop.txt")
    os.symlink("b.txt", tmp_path / "a.txt")
    os.symlink("a.txt", tmp_path / "b.txt")
    library = Library(tmp_path)

    report = library.reload()

    assert list(library.articles) == ["harbour"]
    reasons = {r.path: r.reason for r in report.rejected}
    assert set(reasons) == {"loop.txt", "a.txt", "b.txt"}
    assert all("symbolic link loop" in reason for reason in reasons.values())
    assert library.reload().rejected == report.rejected  # and again, without breaking


def test_astral_combining_marks_are_capped_too() -> None:
    cleaned = clean_text("Music x" + "\U0001d165" * 5_000 + " end")
    assert cleaned.count("\U0001d165") == MAX_COMBINING_RUN
    assert cleaned.endswith(" end")


def test_a_jsonl_of_many_bad_lines_lists_the_first_ones_and_counts_the_rest() -> None:
    good = json.dumps({"title": "Late Good Line", "body": "It loads."}).encode()
    data = b"not json\n" * 10_000 + good + b"\n"

    outcome = parse_bytes("feed.jsonl", data)

    assert [a.title for a in outcome.articles] == ["Late Good Line"]
    assert len(outcome.rejections) == MAX_LISTED_LINES + 1
    assert outcome.rejections[0] == Rejection(
        "feed.jsonl:1", "malformed JSON at column 1: Expecting value"
    )
    assert outcome.rejections[-1] == Rejection(
        "feed.jsonl",
        f"{10_000 - MAX_LISTED_LINES:,} more lines were rejected too "
        f"(only the first {MAX_LISTED_LINES} are listed)",
    )
