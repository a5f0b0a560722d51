"""Adding and removing article files without Discord: names, checks, atomic writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.corpus.loaders import SUPPORTED_SUFFIXES
from bot.corpus.uploads import STRAY_UPLOAD_AGE_SECONDS, ArticleFileError, safe_filename
from bot.service import NewsService

BODY = b"Gull Island Lighthouse Turns 200\n\nThe lighthouse on Gull Island is 200 years old."


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/x.txt", "x.txt"),
        ("C:\\Users\\me\\Desktop\\news.md", "news.md"),
        ("  My Report (final).MD ", "My_Report_final.md"),
        (".hidden.json", "hidden.json"),
        ("-rf.txt", "rf.txt"),
        ("x.txt.", "x.txt"),
        ("CON.txt", "CON_.txt"),
        ("café news.jsonl", "café_news.jsonl"),
        ("a" * 300 + ".txt", "a" * 95 + ".txt"),
    ],
)
def test_names_are_reduced_to_a_safe_basename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("???.txt", "has no letters or digits left once made safe"),
        ("../.txt", "has no letters or digits left once made safe"),
        ("notes", "is not a supported article file (type (no extension))"),
        ("photo.JPG", "is not a supported article file (type .jpg)"),
    ],
)
def test_names_with_nothing_usable_are_refused(name: str, message: str) -> None:
    with pytest.raises(ArticleFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        safe_filename(name)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.sampled_from(SUPPORTED_SUFFIXES))
def test_any_name_becomes_a_plain_visible_file_name_or_is_refused(stem: str, suffix: str) -> None:
    try:
        safe = safe_filename(stem + suffix)
    except ArticleFileError:
        return
    assert safe.endswith(suffix)
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith((".", "-"))
    assert safe not in {".", ".."} and len(safe) <= 100
    assert os.path.basename(safe) == safe


def test_an_upload_is_written_whole_and_loaded(tmp_path: Path) -> None:
    service = NewsService.load(tmp_path)

    result = service.add_article_file("../lighthouse.txt", BODY)

    assert result.filename == "lighthouse.txt" and not result.replaced
    assert [a.id for a in result.articles] == ["lighthouse"]
    assert result.report.added == ("lighthouse",)
    assert [p.name for p in tmp_path.iterdir()] == ["lighthouse.txt"]
    assert (tmp_path / "lighthouse.txt").read_bytes() == BODY
    assert service.search("lighthouse").hits


def test_an_upload_that_holds_no_article_writes_nothing(tmp_path: Path) -> None:
    service = NewsService.load(tmp_path)

    with pytest.raises(ArticleFileError, match=r"`bad.jsonl` was not added: .*line 1"):
        service.add_article_file("bad.jsonl", b'{"title": 1}\n')

    assert list(tmp_path.iterdir()) == []


def test_a_jsonl_upload_reports_its_rejected_lines(tmp_path: Path) -> None:
    service = NewsService.load(tmp_path)
    data = b'{"title": "Good", "body": "A fine article."}\nnot json\n'

    result = service.add_article_file("mixed.jsonl", data)

    assert [a.title for a in result.articles] == ["Good"]
    assert [r.path for r in result.rejected] == ["mixed.jsonl:2"]


def test_removal_only_touches_the_articles_own_file(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "keep.txt").write_bytes(b"Keep Me\n\nThis one stays in the library.")
    service = NewsService.load(folder)
    service.add_article_file("lighthouse.txt", BODY)

    result = service.remove_article_file("lighthouse")

    assert result.filename == "lighthouse.txt"
    assert [a.id for a in result.removed] == ["lighthouse"]
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    with pytest.raises(ArticleFileError, match="There is no article with the id `lighthouse`"):
        service.remove_article_file("lighthouse")


def test_upload_temp_files_left_by_a_killed_process_are_removed_at_start_up(
    tmp_path: Path,
) -> None:
    (tmp_path / "lighthouse.txt").write_bytes(BODY)
    stray = tmp_path / ".upload-0123456789abcdef.tmp"
    stray.write_bytes(BODY[:20])  # what a SIGKILL between write and move leaves
    old = time.time() - STRAY_UPLOAD_AGE_SECONDS - 60
    os.utime(stray, (old, old))
    in_progress = tmp_path / ".upload-fedcba9876543210.tmp"  # another process, writing now
    in_progress.write_bytes(BODY[:20])
    other_hidden = tmp_path / ".notes.tmp"
    other_hidden.write_bytes(b"not ours")
    os.utime(other_hidden, (old, old))

    service = NewsService.load(tmp_path)

    assert not stray.exists()
    assert in_progress.exists() and other_hidden.exists()
    assert list(service.articles) == ["lighthouse"]
