"""Adding and removing article files in the articles folder, safely, for moderators.

An upload is checked completely before anything touches the disk: a name reduced to a
safe basename (``../../etc/x.txt`` becomes ``x.txt``; a name with nothing usable left is
refused), a supported type, the size limit, and the content itself (it must parse into at
least one article whose id no other file uses). Only then is it written, atomically: to a
hidden temporary file in the same folder (the library skips hidden files), then moved into
place, so a reload running at that moment sees the old file or the new one, never half of
one. An existing file is never overwritten unless the caller says ``replace``.

Removal deletes only a regular file (or a link) that lies inside the articles folder.

A process killed between writing the temporary file and moving it leaves the temporary
file behind; ``remove_stray_uploads`` (run when the service starts) deletes such files once
they are older than any upload in progress could be.

Nothing here knows about Discord; ``ArticleFileError`` messages are written to be shown to
a moderator as they are.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.corpus._fields import is_path_id
from bot.corpus.loaders import SUPPORTED_SUFFIXES, size_problem
from bot.corpus.model import Article, Rejection, ReloadReport

if TYPE_CHECKING:
    from bot.corpus.library import Library


class LibraryOwner(Protocol):
    """What uploads need of whoever holds the library (``NewsService``): the library, its
    articles, and a reload that also brings the search index up to date."""

    @property
    def library(self) -> Library: ...

    @property
    def articles(self) -> Mapping[str, Article]: ...

    def article(self, article_id: str) -> Article | None: ...

    def reload(self) -> ReloadReport: ...


log = logging.getLogger(__name__)

MAX_NAME_CHARS = 100
_REASONS_SHOWN = 3
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(1, 10)}
    | {f"lpt{n}" for n in range(1, 10)}
)
_RUNS = re.compile(r"_{2,}")
# One writer at a time: the exists-check and the move must not interleave between uploads.
_WRITE_LOCK = threading.Lock()


class ArticleFileError(ValueError):
    """An upload or removal was refused; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What adding a file did: its safe name, the articles it now holds, the reload."""

    filename: str
    replaced: bool
    articles: tuple[Article, ...]
    rejected: tuple[Rejection, ...]
    warnings: tuple[Rejection, ...]
    report: ReloadReport


@dataclass(frozen=True, slots=True)
class RemovalResult:
    """What removing a file did: its name, the articles it held, the reload."""

    filename: str
    removed: tuple[Article, ...]
    report: ReloadReport


def safe_filename(name: str, max_chars: int = MAX_NAME_CHARS) -> str:
    """A file name that is safe to create in the articles folder, or ``ArticleFileError``.

    Only the last path part counts (any ``/`` or ``\\``); characters other than letters,
    digits, ``-``, ``_`` and ``.`` become ``_``; leading dots (hidden files) and dashes go;
    the suffix is lower-cased and must be one the library reads.
    """
    shown = _show(name)
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", str(name)))[-1].strip().rstrip(". ")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = f".{suffix.lower()}" if dot else ""
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    stem = _RUNS.sub("_", stem).strip("._-")
    if suffix not in SUPPORTED_SUFFIXES:
        kind = suffix or "(no extension)"
        raise ArticleFileError(
            f"{shown} is not a supported article file (type {kind}); "
            f"upload one of: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if not any(ch.isalnum() for ch in stem):
        raise ArticleFileError(
            f"{shown} has no letters or digits left once made safe; "
            f"rename it, e.g. `harbour-news{suffix}`"
        )
    stem = stem[: max(1, max_chars - len(suffix) - 1)].rstrip("._-")
    if stem.casefold() in _WINDOWS_RESERVED:
        stem += "_"  # CON.txt and friends cannot be created on Windows
    return stem + suffix


def add_article_file(
    service: LibraryOwner, name: str, data: bytes, *, replace: bool = False
) -> UploadResult:
    """Check, write and load one uploaded file (see the module docstring for the rules)."""
    root = _root(service)
    filename = safe_filename(name)
    problem = size_problem(len(data), service.library.max_file_bytes)
    if problem:
        raise ArticleFileError(f"`{filename}` was not added: {problem}")
    # Parsed in a worker process within the time budget, before anything is written.
    outcome = service.library.check(filename, data)
    if not outcome.articles:
        raise ArticleFileError(f"`{filename}` was not added: {_reasons(outcome.rejections)}")
    for article in outcome.articles:
        other = service.article(article.id)
        # Only two explicit ids collide; an id derived from a path yields (see Library).
        if (
            other is not None
            and other.source_path != filename
            and not is_path_id(article.id, filename)
            and not is_path_id(other.id, other.source_path)
        ):
            raise ArticleFileError(
                f"`{filename}` was not added: its article id `{article.id}` is already used "
                f"by {_show(other.source_path, 80)}; give the article another id "
                "(or file name), or remove the other one first"
            )
    target = root / filename
    with _WRITE_LOCK:
        existed = target.exists() or target.is_symlink()
        if existed and not replace:
            raise ArticleFileError(
                f"There is already a file named `{filename}`; "
                "add `replace:true` to replace it, or rename your file."
            )
        if target.is_dir():
            raise ArticleFileError(
                f"`{filename}` is a folder in the articles folder; rename your file"
            )
        _write_atomically(root, filename, data, replace=replace)
    report = service.reload()
    loaded = tuple(a for a in service.articles.values() if a.source_path == filename)
    rejected = tuple(r for r in report.rejected if _of_file(r.path, filename))
    warnings = tuple(w for w in service.library.warnings if _of_file(w.path, filename))
    return UploadResult(filename, existed, loaded, rejected, warnings, report)


def remove_article_file(
    service: LibraryOwner, article_id: str, *, whole_file: bool = False
) -> RemovalResult:
    """Delete the file ``article_id`` came from and reload.

    A file holding several articles (a ``.jsonl``) is removed only with ``whole_file``.
    """
    article = service.article(article_id)
    if article is None:
        raise ArticleFileError(
            f"There is no article with the id {_show(article_id, 80)}; pick one from the list."
        )
    root = _root(service)
    rel = article.source_path
    path = root / rel
    parent = Path(os.path.realpath(path.parent))
    if not rel or not parent.is_relative_to(root) or path.name != Path(rel).name:
        raise ArticleFileError(
            f"The file of `{article.id}` is not inside the articles folder; it was not touched."
        )
    if path.is_dir() and not path.is_symlink():
        raise ArticleFileError(f"{_show(rel, 80)} is a folder; it was not touched.")
    siblings = tuple(a for a in service.articles.values() if a.source_path == rel)
    if len(siblings) > 1 and not whole_file:
        raise ArticleFileError(
            f"{_show(rel, 80)} holds {len(siblings)} articles; removing it removes them "
            "all. Run the command again with `whole_file:true` to do that."
        )
    with _WRITE_LOCK, contextlib.suppress(FileNotFoundError):  # already gone: just reload
        path.unlink()
    report = service.reload()
    return RemovalResult(rel, siblings, report)


_TEMP_PREFIX, _TEMP_SUFFIX = ".upload-", ".tmp"
# An upload's temporary file lives for the few seconds of one write; an older one was left
# by a process that died. (A younger one may belong to another process writing right now.)
STRAY_UPLOAD_AGE_SECONDS = 600


def remove_stray_uploads(root: Path, *, older_than: float = STRAY_UPLOAD_AGE_SECONDS) -> list[str]:
    """Delete upload temporary files older than ``older_than`` seconds at the top of
    ``root``; returns their names. Never raises: this is tidying, not loading."""
    removed: list[str] = []
    now = time.time()
    try:
        with os.scandir(root) as entries:
            strays = [
                e
                for e in entries
                if e.name.startswith(_TEMP_PREFIX) and e.name.endswith(_TEMP_SUFFIX)
            ]
    except OSError:
        return removed
    for entry in strays:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < older_than:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(entry.name)
        log.info("removed %s, left in the articles folder by an interrupted upload", entry.name)
    return removed


def _root(service: LibraryOwner) -> Path:
    root = service.library.root
    if not root.is_dir():
        raise ArticleFileError(
            f"The articles folder {root} does not exist; ask the bot's operator."
        )
    return root.resolve()


def _write_atomically(root: Path, filename: str, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``root/filename`` so that no reader ever sees a partial file."""
    temporary = root / f"{_TEMP_PREFIX}{secrets.token_hex(8)}{_TEMP_SUFFIX}"
    target = root / filename
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                raise ArticleFileError(
                    f"There is already a file named `{filename}`; add `replace:true` to replace it."
                ) from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise ArticleFileError(
                        f"There is already a file named `{filename}`; "
                        "add `replace:true` to replace it."
                    ) from None
                os.replace(temporary, target)
    except OSError as error:
        raise ArticleFileError(
            f"`{filename}` could not be written to the articles folder: "
            f"{error.strerror or error}; ask the bot's operator to check its permissions."
        ) from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _of_file(path: str, filename: str) -> bool:
    return path == filename or path.startswith(filename + ":")


def _reasons(rejections: tuple[Rejection, ...]) -> str:
    reasons = [_where(r) + r.reason for r in rejections[:_REASONS_SHOWN]]
    reasons = reasons or ["it holds no article"]
    more = len(rejections) - _REASONS_SHOWN
    text = "; ".join(reasons)
    return text + (f" (and {more} more problems)" if more > 0 else "")


def _where(rejection: Rejection) -> str:
    """``"line 3: "`` for one record of a ``.jsonl`` (its path is ``name:3``), else ``""``."""
    _name, colon, line = rejection.path.rpartition(":")
    return f"line {line}: " if colon and line.isdigit() else ""


def _show(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return "`" + shown.replace("`", "'") + "`"


__all__ = [
    "MAX_NAME_CHARS",
    "ArticleFileError",
    "RemovalResult",
    "UploadResult",
    "add_article_file",
    "remove_article_file",
    "remove_stray_uploads",
    "safe_filename",
]
