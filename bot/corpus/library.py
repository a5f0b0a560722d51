"""The article library: a folder of article files, loaded and kept up to date incrementally.

Scanning rules:

- Every file under the root is considered, recursively, except hidden files and folders
  (a name starting with ``.``, e.g. ``.git``, ``.DS_Store``) and common junk that is
  never an article (images, editor backups and swap files, ``Thumbs.db``), which is
  skipped silently. Any other file without a supported suffix is reported as rejected, so
  a moderator who drops in a ``.pdf`` or ``.csv`` learns why it did not load.
- A symbolic link is followed only when it points to a file inside the root; one that
  points outside is rejected; one to a folder inside the root is skipped (that folder is
  scanned where it really is).
- A file whose (size, mtime, ctime) is unchanged since the last reload is not read again; a file
  read again whose bytes hash the same is not parsed again.
- An article's id is its path without the extension (``sport/017``) unless the file gives
  an explicit ``id``. Two explicit ids that collide: the first file in sorted path order
  wins (within a ``.jsonl``, the earlier line); the other is rejected. A path id taken by
  an explicit one (or by a same-named file of another type) becomes the path with its
  extension (``sport/017.txt``), with a warning.
- Files are parsed in worker processes (``bot.corpus.workers``): one that takes longer than
  ``parse_timeout`` seconds, or crashes its parser, is rejected with that reason.
- A symbolic link loop (a link that leads back to itself) is rejected, not followed.
- Each new rejection or warning is logged once at WARNING; one that persists across
  reloads is still reported but not logged again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from bot.corpus import _fields
from bot.corpus.loaders import (
    SUPPORTED_SUFFIXES,
    ParseOutcome,
    parse_bytes,
    size_problem,
    unsupported_reason,
)
from bot.corpus.model import Article, Rejection, ReloadReport
from bot.corpus.workers import DEFAULT_PARSE_TIMEOUT, Parser, parse_files, parse_one
from bot.limits import MAX_ARTICLE_BYTES

log = logging.getLogger(__name__)

IGNORED_SUFFIXES = frozenset(
    """.png .jpg .jpeg .gif .webp .svg .ico .bmp .tif .tiff .heic .avif .tmp .temp .swp
    .swo .bak .orig .part .crdownload .lock""".split()  # noqa: SIM905 - a word list
)
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})


class LibraryError(ValueError):
    """The articles folder itself cannot be used; the message names the folder."""


@dataclass(frozen=True, slots=True)
class _Seen:
    """A file as last scanned: its stat signature, content hash and what parsing gave.

    The signature has the change time too: a tool that keeps a file's size and restores
    its mtime (``cp -p``, ``rsync -a``, ``touch -d``) cannot set the ctime, which every
    write moves on."""

    size: int
    mtime_ns: int
    ctime_ns: int
    digest: bytes | None
    outcome: ParseOutcome


@dataclass(frozen=True, slots=True)
class LibraryRecords:
    """A library's file records and articles, as ``Library.records`` gives them."""

    seen: Mapping[str, _Seen]
    articles: Mapping[str, Article]


@dataclass(frozen=True, slots=True)
class _Found:
    path: str
    size: int
    mtime_ns: int
    ctime_ns: int


class Library:
    """Articles loaded from the files under ``root``; call ``reload()`` to (re)scan."""

    def __init__(
        self,
        root: Path,
        *,
        max_file_bytes: int = MAX_ARTICLE_BYTES,
        parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
        parser: Parser = parse_bytes,
    ) -> None:
        self.root = Path(root)
        self.max_file_bytes = max_file_bytes
        self.parse_timeout = parse_timeout
        self.parser = parser
        # Outcomes of ``check`` (an upload about to be written), by (name, content hash),
        # so the reload that follows the write does not parse the same bytes again.
        self._checked: dict[tuple[str, bytes], ParseOutcome] = {}
        self._checked_lock = threading.Lock()
        self._seen: dict[str, _Seen] = {}
        self._articles: Mapping[str, Article] = MappingProxyType({})
        self._rejected: tuple[Rejection, ...] = ()
        self._warnings: tuple[Rejection, ...] = ()
        self._progress: tuple[int, int] = (0, 0)
        self._stopping = threading.Event()

    @property
    def progress(self) -> tuple[int, int]:
        """(files done, files found) of the reload under way, or of the last one; read
        from any thread (one tuple, assigned whole)."""
        return self._progress

    def stop(self) -> None:
        """Make a reload under way (on another thread) give up soon, raising
        ``LibraryError``; no file is handed to a parser after this (the bot is stopping)."""
        self._stopping.set()

    def check_root(self) -> None:
        """Raise ``LibraryError`` (naming the folder) when the root cannot be used."""
        self._checked_root()

    @property
    def articles(self) -> Mapping[str, Article]:
        """The loaded articles by id (a read-only view that later reloads do not alter)."""
        return self._articles

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """Every file or record the last reload did not load, with the reason."""
        return self._rejected

    @property
    def warnings(self) -> tuple[Rejection, ...]:
        """Problems with loaded articles (a bad date or url dropped), as (path, reason)."""
        return self._warnings

    def get(self, article_id: str) -> Article | None:
        """The article with exactly this id, if loaded."""
        return self._articles.get(article_id)

    def check(self, name: str, data: bytes) -> ParseOutcome:
        """Parse ``data`` as the file ``name`` would be (in a worker, within the time
        budget), without touching the folder; for checking an upload before writing it."""
        outcome = parse_one(
            name,
            data,
            max_bytes=self.max_file_bytes,
            timeout=self.parse_timeout,
            parser=self.parser,
        )
        with self._checked_lock:  # uploads may be checked on several threads at once
            if len(self._checked) >= _CHECKED_KEPT:
                self._checked.pop(next(iter(self._checked)), None)
            self._checked[(name, _digest(data))] = outcome
        return outcome

    def records(self) -> LibraryRecords:
        """What the last reload knew, for a snapshot (``restore`` takes it back): each
        file's stat signature, hash and parse outcome, and the articles by id."""
        return LibraryRecords(self._seen, dict(self._articles))

    def restore(self, records: LibraryRecords) -> None:
        """Take ``records`` (from ``records``, in an earlier process) as what the last
        reload found, so the next ``reload`` reads only files whose size, mtime or ctime differ
        and reports articles against these. Files not read last time (too big, or
        unreadable) are looked at again. Rejections and warnings are not restored: the next
        reload reports (and logs) them as a first load does."""
        self._seen = {rel: seen for rel, seen in records.seen.items() if seen.digest is not None}
        self._articles = MappingProxyType(dict(records.articles))

    def reload(self) -> ReloadReport:
        """Re-scan the folder and report what changed; raises ``LibraryError`` when the
        folder is missing or unreadable (the loaded articles are then kept)."""
        root = self._checked_root()
        found, problems = self._scan(root)
        seen = self._refresh(found)

        rejected_by_path: dict[str, list[Rejection]] = {rel: [r] for rel, r in problems.items()}
        warnings: list[Rejection] = []
        for rel in sorted(seen):
            outcome = seen[rel].outcome
            rejected_by_path.setdefault(rel, []).extend(outcome.rejections)
            warnings.extend(outcome.warnings)
        articles = _assign_ids(
            [(rel, seen[rel].outcome.articles) for rel in sorted(seen)],
            rejected_by_path,
            warnings,
        )
        rejected = tuple(r for rel in sorted(rejected_by_path) for r in rejected_by_path[rel])

        old = self._articles
        added = sorted(articles.keys() - old.keys())
        removed = sorted(old.keys() - articles.keys())
        changed = sorted(
            i
            for i in articles.keys() & old.keys()
            if articles[i] is not old[i] and articles[i] != old[i]
        )
        self._log_new(rejected, self._rejected, "rejected")
        self._log_new(tuple(warnings), self._warnings, "warning")
        # One assignment per attribute, so a reader on another thread sees old or new state.
        self._seen = seen
        self._articles = MappingProxyType(articles)
        self._rejected = rejected
        self._warnings = tuple(warnings)
        return ReloadReport(tuple(added), tuple(changed), tuple(removed), rejected)

    # -- scanning ------------------------------------------------------------------------

    def _checked_root(self) -> Path:
        root = self.root
        if not root.exists():
            raise LibraryError(f"the articles folder {root} does not exist")
        if not root.is_dir():
            raise LibraryError(f"the articles folder {root} is not a folder")
        if not os.access(root, os.R_OK | os.X_OK):
            raise LibraryError(f"the articles folder {root} cannot be read (permission denied)")
        return root.resolve()

    def _scan(self, root: Path) -> tuple[dict[str, _Found], dict[str, Rejection]]:
        """Every candidate file by relative posix path, and the problems met on the way."""
        found: dict[str, _Found] = {}
        problems: dict[str, Rejection] = {}
        pending: list[tuple[str, str]] = [(str(root), "")]
        while pending:
            directory, prefix = pending.pop()
            try:
                with os.scandir(directory) as iterator:
                    entries = list(iterator)
            except OSError as exc:
                if not prefix:
                    raise LibraryError(
                        f"the articles folder {self.root} cannot be read: {_why(exc)}"
                    ) from None
                rel_dir = prefix.rstrip("/")
                problems[rel_dir] = Rejection(rel_dir, f"folder could not be read: {_why(exc)}")
                continue
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                rel = prefix + name
                try:
                    if entry.is_symlink():
                        result = self._follow_link(root, entry.path, rel)
                        if isinstance(result, Rejection):
                            problems[rel] = result
                            continue
                        if result is None:
                            continue
                        info = result
                    elif entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, rel + "/"))
                        continue
                    elif entry.is_file(follow_symlinks=False):
                        info = entry.stat(follow_symlinks=False)
                    else:
                        continue  # sockets, pipes, devices
                except OSError as exc:
                    problems[rel] = Rejection(rel, f"could not be read: {_why(exc)}")
                    continue
                suffix = os.path.splitext(name)[1].lower()
                if suffix not in SUPPORTED_SUFFIXES:
                    if not _is_junk(name, suffix):
                        problems[rel] = Rejection(rel, unsupported_reason(suffix))
                    continue
                found[rel] = _Found(entry.path, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        return found, problems

    @staticmethod
    def _follow_link(root: Path, path: str, rel: str) -> os.stat_result | Rejection | None:
        """The stat of a symlink's target file, a rejection, or None to skip it."""
        try:
            target = Path(path).resolve()
        except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop
            return Rejection(
                rel, "symbolic link loop (the link leads back to itself); not followed"
            )
        if not target.is_relative_to(root):
            return Rejection(
                rel, "symbolic link to a place outside the articles folder; not followed"
            )
        try:
            info = target.stat()
        except FileNotFoundError:
            return Rejection(rel, "broken symbolic link (its target does not exist)")
        if stat.S_ISDIR(info.st_mode) or not stat.S_ISREG(info.st_mode):
            return None
        return info

    # -- reading -------------------------------------------------------------------------

    def _refresh(self, found: dict[str, _Found]) -> dict[str, _Seen]:
        """Every file's parse outcome, re-reading and re-parsing only what changed."""
        seen: dict[str, _Seen] = {}
        reading: dict[str, tuple[_Found, bytes]] = {}
        total = len(found)
        self._progress = (0, total)

        def changed() -> Iterator[tuple[str, bytes]]:
            # A generator, so files are read as the workers are ready for them rather than
            # all held in memory at once.
            for rel in sorted(found):
                if self._stopping.is_set():
                    raise LibraryError("the load was stopped (newsbot is shutting down)")
                entry = found[rel]
                old = self._seen.get(rel)
                if old is not None and (old.size, old.mtime_ns, old.ctime_ns) == (
                    entry.size,
                    entry.mtime_ns,
                    entry.ctime_ns,
                ):
                    seen[rel] = old
                    continue
                problem = size_problem(entry.size, self.max_file_bytes)
                if problem:
                    outcome = ParseOutcome(rejections=(Rejection(rel, problem),))
                    seen[rel] = _Seen(entry.size, entry.mtime_ns, entry.ctime_ns, None, outcome)
                    continue
                try:
                    with open(entry.path, "rb") as handle:
                        data = handle.read(self.max_file_bytes + 1)
                except FileNotFoundError:
                    continue  # removed since the scan: it is simply gone
                except OSError as exc:
                    outcome = ParseOutcome(
                        rejections=(Rejection(rel, f"could not be read: {_why(exc)}"),)
                    )
                    seen[rel] = _Seen(entry.size, entry.mtime_ns, entry.ctime_ns, None, outcome)
                    continue
                digest = _digest(data)
                if old is not None and old.digest == digest:
                    seen[rel] = replace(old, mtime_ns=entry.mtime_ns, ctime_ns=entry.ctime_ns)
                    continue
                with self._checked_lock:
                    checked = self._checked.pop((rel, digest), None)
                if checked is not None:
                    seen[rel] = _Seen(entry.size, entry.mtime_ns, entry.ctime_ns, digest, checked)
                    continue
                reading[rel] = (entry, digest)
                yield rel, data

        for rel, outcome in parse_files(
            changed(),
            max_bytes=self.max_file_bytes,
            timeout=self.parse_timeout,
            parser=self.parser,
        ):
            entry, digest = reading.pop(rel)
            # A parse stopped for taking too long or crashing may go through another time
            # (a busy machine, a worker killed for memory): kept without its hash, so a
            # warm start (which drops such records) reads the file again.
            kept = None if outcome.transient else digest
            seen[rel] = _Seen(entry.size, entry.mtime_ns, entry.ctime_ns, kept, outcome)
            # Files taken unchanged are counted as they are passed over, parsed ones here.
            self._progress = (len(seen), total)
        self._progress = (total, total)
        return seen

    @staticmethod
    def _log_new(
        current: tuple[Rejection, ...], previous: tuple[Rejection, ...], label: str
    ) -> None:
        before = set(previous)
        for item in current:
            if item not in before:
                log.warning("%s %s: %s", label, item.path, item.reason)


def _assign_ids(
    files: list[tuple[str, tuple[Article, ...]]],
    rejected_by_path: dict[str, list[Rejection]],
    warnings: list[Rejection],
) -> dict[str, Article]:
    """The articles by id, in path order. Explicit ``id`` fields claim first (in path
    order); a second file claiming one is rejected. An id derived from a path is unique
    unless an explicit id or a same-named file of another type took it: that article then
    gets ``fallback_ids`` and a warning says so."""
    owner: dict[str, str] = {}
    derived: list[tuple[str, int]] = []
    final: dict[tuple[str, int], Article] = {}
    for rel, found in files:
        for index, article in enumerate(found):
            if _fields.is_path_id(article.id, rel):
                derived.append((rel, index))
            elif article.id in owner:
                rejected_by_path.setdefault(rel, []).append(
                    Rejection(
                        rel, f"duplicate id {article.id} (already used by {owner[article.id]})"
                    )
                )
            else:
                owner[article.id] = rel
                final[rel, index] = article
    by_path = dict(files)
    for rel, index in derived:
        article = by_path[rel][index]
        if article.id in owner:
            wanted, taken_by = article.id, owner[article.id]
            new_id = next((i for i in _fields.fallback_ids(wanted, rel) if i not in owner), None)
            if new_id is None:
                rejected_by_path.setdefault(rel, []).append(
                    Rejection(rel, f"duplicate id {wanted} (already used by {taken_by})")
                )
                continue
            article = replace(article, id=new_id)
            warnings.append(
                Rejection(rel, f"id {wanted} is already used by {taken_by}; this one is {new_id}")
            )
        owner[article.id] = rel
        final[rel, index] = article
    return {final[key].id: final[key] for key in sorted(final)}


_CHECKED_KEPT = 8


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _is_junk(name: str, suffix: str) -> bool:
    return (
        suffix in IGNORED_SUFFIXES
        or name.lower() in IGNORED_NAMES
        or name.endswith("~")
        or (name.startswith("#") and name.endswith("#"))
    )


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
