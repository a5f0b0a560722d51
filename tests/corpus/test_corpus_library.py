"""The library over a folder: first load, incremental reloads, duplicates, bad folders."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

import bot.corpus.library as library_module
from bot.corpus.library import Library, LibraryError
from bot.corpus.loaders import ParseOutcome

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
FIXTURE_IDS = (
    "business/time-warner",
    "feeds/wire-2",
    "tech/gadget",
    "wire-001",
    "world/ruto-trump",
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(FIXTURES, folder)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def bump_mtime(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))


def test_first_load_adds_everything(root: Path) -> None:
    library = Library(root)
    report = library.reload()
    assert report.added == FIXTURE_IDS
    assert (report.changed, report.removed) == ((), ())
    assert sorted(library.articles) == list(FIXTURE_IDS)
    assert [r.path for r in report.rejected] == ["feeds/wire.jsonl:3"]
    assert library.rejected == report.rejected
    assert library.get("world/ruto-trump").title == "Ruto holds call with Trump"
    assert library.get("nope") is None
    assert library.root == root


def test_reload_without_changes_reports_nothing_but_keeps_rejections(root: Path) -> None:
    library = Library(root)
    library.reload()
    report = library.reload()
    assert not report.touched
    assert [r.path for r in report.rejected] == ["feeds/wire.jsonl:3"]


def test_add_change_remove(root: Path) -> None:
    library = Library(root)
    library.reload()
    write(root / "new" / "fresh.txt", "Fresh news\nSomething happened.")
    write(root / "business" / "time-warner.txt", "Profits surge at Time Warner\nNew body.")
    (root / "tech" / "gadget.json").unlink()
    report = library.reload()
    assert report.added == ("new/fresh",)
    assert report.changed == ("business/time-warner",)
    assert report.removed == ("tech/gadget",)
    assert library.get("business/time-warner").sentences == ("New body.",)
    assert "tech/gadget" not in library.articles


def test_touch_without_change_is_not_a_change(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = Library(root)
    library.reload()
    parsed: list[str] = []
    real_parse = library_module.parse_bytes

    def counting_parse(name: str, data: bytes, **kwargs: int) -> ParseOutcome:
        parsed.append(name)
        return real_parse(name, data, **kwargs)

    monkeypatch.setattr(library_module, "parse_bytes", counting_parse)
    bump_mtime(root / "world" / "ruto-trump.md")
    report = library.reload()
    assert not report.touched
    assert parsed == []  # read again (new mtime) but the same bytes: not parsed again


def test_an_unchanged_file_is_not_read_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = Library(root)
    library.reload()
    opened: list[str] = []

    def spy(file: str, *args: object, **kwargs: object) -> object:
        opened.append(file)
        return open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(library_module, "open", spy, raising=False)
    assert not library.reload().touched
    assert opened == []  # the files' stat is unchanged: not one is read


def test_an_edit_keeping_size_and_mtime_is_seen(root: Path) -> None:
    library = Library(root)
    library.reload()
    path = root / "business" / "time-warner.txt"
    info = path.stat()
    # Same length, mtime set back (``cp -p``, ``rsync -a``): the change time still moved.
    path.write_bytes(path.read_bytes().replace(b"Profits", b"Prafits"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert library.reload().changed == ("business/time-warner",)
    assert library.get("business/time-warner").title == "Prafits surge at Time Warner"


def test_a_file_turning_bad_is_removed_and_rejected(root: Path) -> None:
    library = Library(root)
    library.reload()
    write(root / "world" / "ruto-trump.md", "---\ntitle: [unclosed\n---\nBody.\n")
    report = library.reload()
    assert report.removed == ("world/ruto-trump",)
    assert [r.path for r in report.rejected] == ["feeds/wire.jsonl:3", "world/ruto-trump.md"]
    assert report.rejected[1].reason == (
        "malformed front matter at line 3, column 1: did not find expected ',' or ']'"
        " (while parsing a flow sequence started at line 2, column 8)"
    )


def test_same_file_names_in_different_folders_all_load(tmp_path: Path) -> None:
    for folder in ("business", "sport", "tech"):
        write(tmp_path / folder / "017.txt", f"{folder.title()} story\nFrom {folder}.")
    write(tmp_path / "000_3f7c58d4eaf15709.txt", "Seed\nAt the top.")
    library = Library(tmp_path)
    report = library.reload()
    assert report.added == ("000_3f7c58d4eaf15709", "business/017", "sport/017", "tech/017")
    assert report.rejected == ()
    assert library.get("sport/017").title == "Sport story"


def test_only_two_explicit_ids_that_collide_are_a_rejection(tmp_path: Path) -> None:
    write(tmp_path / "a" / "story.txt", "First\nFrom a.")
    write(tmp_path / "c" / "story.md", "---\nid: other\n---\nThird\nFrom c.")
    write(tmp_path / "d.jsonl", '{"id": "story", "title": "Fourth", "body": "From d."}')
    write(tmp_path / "e.md", "---\nid: story\n---\nFifth\nFrom e.")
    write(tmp_path / "story.txt", "Sixth\nAt the top.")
    library = Library(tmp_path)
    report = library.reload()
    assert library.get("a/story").title == "First"
    assert library.get("other").title == "Third"
    assert library.get("story").title == "Fourth"  # an explicit id wins over a path id
    assert library.get("story.txt").title == "Sixth"  # ... which keeps its extension
    assert [(r.path, r.reason) for r in report.rejected] == [
        ("e.md", "duplicate id story (already used by d.jsonl)"),
    ]
    assert [(w.path, w.reason) for w in library.warnings] == [
        ("story.txt", "id story is already used by d.jsonl; this one is story.txt"),
    ]
    # When the explicit winner goes, the next explicit one takes the id over.
    (tmp_path / "d.jsonl").unlink()
    report = library.reload()
    assert library.get("story").title == "Fifth"
    assert report.rejected == ()


def test_files_of_one_name_and_two_types_both_load(tmp_path: Path) -> None:
    write(tmp_path / "news" / "story.md", "Markdown\nFrom md.")
    write(tmp_path / "news" / "story.txt", "Text\nFrom txt.")
    library = Library(tmp_path)
    report = library.reload()
    assert report.added == ("news/story", "news/story.txt")
    assert report.rejected == ()
    assert library.get("news/story").title == "Markdown"


def test_hidden_and_junk_files_are_skipped_other_files_rejected(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "Headline\nBody.")
    write(tmp_path / ".git" / "notes.txt", "Hidden\nNot an article.")
    write(tmp_path / ".draft.md", "Hidden\nNot an article.")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    write(tmp_path / "ok.txt~", "Backup\nOf ok.")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    library = Library(tmp_path)
    report = library.reload()
    assert report.added == ("ok",)
    assert [(r.path, r.reason) for r in report.rejected] == [
        ("scan.pdf", "unsupported file type .pdf (supported: .txt, .md, .markdown, .json, .jsonl)")
    ]


def test_symlinks_out_of_root_are_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", "Secret\nDo not load.")
    root = tmp_path / "root"
    inside = write(root / "real" / "story.txt", "Story\nBody.")
    (root / "escape.txt").symlink_to(outside)
    (root / "alias.txt").symlink_to(inside)
    (root / "escape-dir").symlink_to(outside.parent, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "broken.txt").symlink_to(root / "missing.txt")
    library = Library(root)
    report = library.reload()
    assert report.added == ("alias", "real/story")
    assert [(r.path, r.reason) for r in report.rejected] == [
        ("broken.txt", "broken symbolic link (its target does not exist)"),
        ("escape-dir", "symbolic link to a place outside the articles folder; not followed"),
        ("escape.txt", "symbolic link to a place outside the articles folder; not followed"),
    ]


def test_oversized_file_is_rejected(tmp_path: Path) -> None:
    write(tmp_path / "big.txt", "Headline\n" + "word " * 400)
    write(tmp_path / "small.txt", "Headline\nBody.")
    library = Library(tmp_path, max_file_bytes=1000)
    report = library.reload()
    assert report.added == ("small",)
    assert [(r.path, r.reason) for r in report.rejected] == [
        ("big.txt", "2.0 KB is over the 1.0 KB limit")
    ]


def test_unreadable_file_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "locked.txt", "Headline\nBody.")
    write(tmp_path / "open.txt", "Headline\nBody.")

    def deny(path: str, *args: object, **kwargs: object) -> object:
        if path.endswith("locked.txt"):
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kwargs)

    monkeypatch.setattr(library_module, "open", deny, raising=False)
    report = Library(tmp_path).reload()
    assert report.added == ("open",)
    assert [(r.path, r.reason) for r in report.rejected] == [
        ("locked.txt", "could not be read: Permission denied")
    ]


def test_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(LibraryError, match=f"articles folder {missing} does not exist"):
        Library(missing).reload()


def test_root_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "file.txt", "x")
    with pytest.raises(LibraryError, match="is not a folder"):
        Library(path).reload()
    assert issubclass(LibraryError, ValueError)


def test_root_vanishing_keeps_the_loaded_articles(root: Path) -> None:
    library = Library(root)
    library.reload()
    shutil.rmtree(root)
    with pytest.raises(LibraryError):
        library.reload()
    assert sorted(library.articles) == list(FIXTURE_IDS)


def test_empty_folder_is_fine(tmp_path: Path) -> None:
    library = Library(tmp_path)
    report = library.reload()
    assert report == report.__class__()
    assert dict(library.articles) == {}


def test_articles_view_is_read_only_and_a_snapshot(root: Path) -> None:
    library = Library(root)
    library.reload()
    before = library.articles
    with pytest.raises(TypeError):
        before["x"] = before["tech/gadget"]  # type: ignore[index]
    (root / "tech" / "gadget.json").unlink()
    library.reload()
    assert "tech/gadget" in before
    assert "tech/gadget" not in library.articles


def test_new_rejections_are_logged_once(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    library = Library(root)
    with caplog.at_level(logging.WARNING, logger="bot.corpus.library"):
        library.reload()
        library.reload()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert messages == [
        "rejected feeds/wire.jsonl:3: malformed JSON at column 77: Expecting ',' delimiter"
    ]


def test_warnings_for_kept_articles(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "---\ntitle: T\ndate: soon\n---\nBody.\n")
    library = Library(tmp_path)
    report = library.reload()
    assert report.added == ("a",) and report.rejected == ()
    assert [w.path for w in library.warnings] == ["a.md"]
