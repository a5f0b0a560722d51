"""Article files to ``Article`` objects: one parser per format, every problem a ``Rejection``.

Formats (``name`` is the path relative to the articles folder):

- ``.txt``: the first non-empty line is the headline, the rest the body. Id: the path
  without the extension (``sport/017`` for ``sport/017.txt``).
- ``.md``/``.markdown``: optional YAML front matter between ``---`` lines (``id``,
  ``title``, ``date``, ``source``, ``url``, ``tags``); without a ``title`` the first line
  of the body (``#`` marks stripped) is the headline. Markdown markup is reduced to the
  text a reader sees. Id: ``id`` or the path id.
- ``.json``: one object with ``title`` and ``body`` (or ``text``) and the optional fields
  above. Id: ``id`` or the path id.
- ``.jsonl``: one such object per line; a bad line rejects that line only (path
  ``name:LINE``). Id: ``id`` or ``PATH-LINE``.

Decisions worth knowing: a date that is not ISO (``YYYY-MM-DD`` or an ISO datetime) and a
url that is not http(s) are dropped with a warning, keeping the article; ids are reduced to
``[A-Za-z0-9._-]``; a body given without blank lines has one paragraph per line.

Hostile input is refused before anything recursive reads it: front matter over
``MAX_FRONT_MATTER_CHARS`` or nesting deeper than ``MAX_NESTING`` levels, JSON nesting
deeper than ``MAX_NESTING``, an integer over Python's 4,300 digits. A ``.jsonl`` lists its
first ``MAX_LISTED_LINES`` rejected lines and counts the rest in one more rejection.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from bot.corpus import _fields
from bot.corpus._decode import DecodeError, decode_bytes
from bot.corpus._markdown import heading_text, markdown_to_text
from bot.corpus.clean import clean_line, clean_text
from bot.corpus.model import Article, Rejection
from bot.corpus.sentences import split_sentences
from bot.limits import MAX_ARTICLE_BYTES

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".json", ".jsonl")
# Front matter is a handful of fields; these caps are far above any real one and keep
# hostile ones from reaching libyaml, whose C loader recurses once per level and crashes
# the process at ~30,000 levels (a 60 KB "a: [[[[…" file).
MAX_FRONT_MATTER_CHARS = 64_000
MAX_NESTING = 100
# A .jsonl of a million bad lines is one bad file, not a million log lines.
MAX_LISTED_LINES = 50


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """What one file gave: its articles, its rejections, and warnings about kept articles
    (a bad date or url dropped), each a ``Rejection``-shaped (path, reason) pair."""

    articles: tuple[Article, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    warnings: tuple[Rejection, ...] = ()
    #: The parse was stopped (too slow) or its worker crashed: another try may succeed.
    transient: bool = False


class _Rejected(Exception):
    """Raised inside a parser to reject the record being read."""


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that reads plain scalars as text: a bad date is a warning, not a crash,
    and a headline "No" or an id "007" stays what the writer typed."""


_AS_TEXT = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _AS_TEXT]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def format_size(size: int) -> str:
    """Bytes as a moderator reads them: "512 bytes", "12.3 KB", "12.3 MB"."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1_000_000:.1f} MB"


def size_problem(size: int, max_bytes: int) -> str | None:
    """The rejection reason for a file of ``size`` bytes, or None when within the limit."""
    if size <= max_bytes:
        return None
    got, limit = format_size(size), format_size(max_bytes)
    if got == limit:  # 5,000,001 bytes would read "5.0 MB is over the 5.0 MB limit"
        got, limit = f"{size:,} bytes", f"{max_bytes:,}-byte"
    return f"{got} is over the {limit} limit"


def unsupported_reason(suffix: str) -> str:
    """The rejection reason for a file whose suffix no loader reads."""
    kind = suffix if suffix else "(no extension)"
    return f"unsupported file type {kind} (supported: {', '.join(SUPPORTED_SUFFIXES)})"


def parse_bytes(name: str, data: bytes, *, max_bytes: int = MAX_ARTICLE_BYTES) -> ParseOutcome:
    """Parse one file's bytes into articles; never raises: every problem is a Rejection."""
    try:
        return _parse(name, data, max_bytes)
    except Exception as exc:  # a bug here must cost one file, not the whole library
        log.exception("unexpected error parsing %s", name)
        return ParseOutcome(rejections=(Rejection(name, f"could not be parsed: {exc!r}"),))


def _parse(name: str, data: bytes, max_bytes: int) -> ParseOutcome:
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return _reject(name, unsupported_reason(suffix))
    problem = size_problem(len(data), max_bytes)
    if problem:
        return _reject(name, problem)
    if not data:
        return _reject(name, "empty file (0 bytes)")
    try:
        text = decode_bytes(data)
    except DecodeError as exc:
        return _reject(name, str(exc))
    if not text.strip():
        return _reject(name, "empty file: it holds only whitespace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stem = path.stem
    warnings: list[Rejection] = []
    try:
        if suffix == ".txt":
            return ParseOutcome(articles=(_parse_txt(name, stem, text),))
        if suffix in (".md", ".markdown"):
            article = _parse_md(name, stem, text, warnings)
            return ParseOutcome(articles=(article,), warnings=tuple(warnings))
        if suffix == ".json":
            record = _load_json(text, where="")
            article = _from_record(record, name, _fields.id_from_name(stem, name), warnings)
            return ParseOutcome(articles=(article,), warnings=tuple(warnings))
    except _Rejected as exc:
        return _reject(name, str(exc))
    return _parse_jsonl(name, stem, text)


def _reject(name: str, reason: str) -> ParseOutcome:
    return ParseOutcome(rejections=(Rejection(name, reason),))


# -- shared --------------------------------------------------------------------------------


def _paragraphs(body: str) -> str:
    """Cleaned body text; a body with no blank lines has one paragraph per line."""
    return _layout(clean_text(body))


def _layout(cleaned: str) -> str:
    if "\n" in cleaned and "\n\n" not in cleaned:
        return cleaned.replace("\n", "\n\n")
    return cleaned


def _article(
    name: str,
    article_id: str,
    title: str,
    body: str,
    *,
    meta: dict[str, Any] | None = None,
    warnings: list[Rejection] | None = None,
    where: str | None = None,
) -> Article:
    """Assemble an Article from a headline, a cleaned body and checked metadata."""
    title = clean_line(title)
    if not title:
        raise _Rejected("no headline: the title is empty")
    if not body:
        raise _Rejected(f"no body: the article has a headline ({_quote(title)}) but no text")
    sentences = tuple(split_sentences(body))
    if not sentences:
        raise _Rejected(f"no body: the text after the headline ({_quote(title)}) has no words")
    meta = meta or {}
    try:
        source = _fields.text_field(meta, "source")
        tags = _fields.tags_field(meta.get("tags"))
    except _fields.FieldError as exc:
        raise _Rejected(str(exc)) from None
    date, date_warning = _fields.date_field(meta.get("date"))
    url, url_warning = _fields.url_field(meta.get("url"))
    for warning in (date_warning, url_warning):
        if warning and warnings is not None:
            warnings.append(Rejection(where or name, warning))
    return Article(
        id=article_id,
        title=title,
        body=body,
        sentences=sentences,
        source_path=name,
        date=date,
        source=source,
        url=url,
        tags=tags,
    )


def _quote(text: str, limit: int = 60) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


def _split_headline(lines: Iterable[str]) -> tuple[str, list[str]]:
    """The first non-empty line and every line after it."""
    rest = list(lines)
    for index, line in enumerate(rest):
        if line.strip():
            return line, rest[index + 1 :]
    return "", []


# -- .txt ----------------------------------------------------------------------------------


def _parse_txt(name: str, stem: str, text: str) -> Article:
    cleaned = clean_text(text)
    headline, rest = _split_headline(cleaned.split("\n"))
    if not headline:
        raise _Rejected("no headline: the file has no text")
    body = _layout("\n".join(rest).strip("\n"))
    return _article(name, _fields.id_from_name(stem, name), headline, body)


# -- .md -----------------------------------------------------------------------------------


def _front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """Split YAML front matter off a Markdown file: ``(fields or None, body)``."""
    lines = text.split("\n")
    if lines[0].lstrip("\ufeff").rstrip() != "---":
        return None, text
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise _Rejected("malformed front matter: the --- on line 1 is never closed by a --- line")
    source = "\n".join(lines[1:index])
    if len(source) > MAX_FRONT_MATTER_CHARS:
        raise _Rejected(
            f"front matter is {len(source):,} characters long, over the "
            f"{MAX_FRONT_MATTER_CHARS:,}-character limit"
        )
    try:
        _check_yaml_depth(source)
        meta = yaml.load(source, Loader=_YamlLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _Rejected(f"malformed front matter{_yaml_problem(exc)}") from None
    except RecursionError:
        raise _Rejected(f"front matter nests deeper than {MAX_NESTING} levels") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a tagged value: !!int 1e9999…
        raise _Rejected(f"malformed front matter: {_value_problem(exc)}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _Rejected(
            f"malformed front matter: expected key: value pairs, not {_fields.describe(meta)}"
        )
    return {str(key).lower(): value for key, value in meta.items()}, "\n".join(lines[index + 1 :])


def _check_yaml_depth(source: str) -> None:
    """Reject YAML nesting deeper than ``MAX_NESTING`` before anything recursive reads it.

    libyaml's event parser keeps its own stack (no recursion), so walking its events is
    safe at any depth. Each level needs one of ``[ { - ? :``, so text with few of them is
    shallow enough and skips the walk.
    """
    if sum(source.count(ch) for ch in "[{-?:") <= MAX_NESTING:
        return
    depth = 0
    for event in yaml.parse(source, Loader=_YamlLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise _Rejected(f"front matter nests deeper than {MAX_NESTING} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _value_problem(exc: Exception) -> str:
    """A plain reason for a value Python refused to build (no exception class names)."""
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits():,} digits"
    return _short(str(exc))


def _short(text: str, limit: int = 120) -> str:
    text = text.split("\n")[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and what YAML's complaint is, with file line numbers (line 1 is the ---)."""

    def at(mark: yaml.Mark | None) -> str:
        return f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""

    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    text = f"{at(getattr(exc, 'problem_mark', None))}: {problem}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        text += f" ({context} started{at(context_mark)})"
    return text


def _parse_md(name: str, stem: str, text: str, warnings: list[Rejection]) -> Article:
    front, body = _front_matter(text)
    meta = front or {}
    try:
        title = _fields.text_field(meta, "title")
        article_id = _fields.explicit_id(meta.get("id")) or _fields.id_from_name(stem, name)
    except _fields.FieldError as exc:
        raise _Rejected(str(exc)) from None
    lines = body.split("\n")
    if title is None:
        for index, line in enumerate(lines):
            title = clean_line(heading_text(line))
            if title:
                body = "\n".join(lines[index + 1 :])
                break
        else:
            if front is not None:
                raise _Rejected("no headline: no title in the front matter and no text after it")
            raise _Rejected("no headline: the file has no text")
    else:
        # A first heading that repeats the front matter's title is the title, not body text.
        first, rest = _split_headline(lines)
        if first.lstrip().startswith("#") and clean_line(heading_text(first)) == title:
            body = "\n".join(rest)
    return _article(
        name, article_id, title, _paragraphs(markdown_to_text(body)), meta=meta, warnings=warnings
    )


# -- .json and .jsonl ----------------------------------------------------------------------


def _load_json(text: str, *, where: str) -> dict[str, Any]:
    """One JSON object from ``text``; ``where`` is "" for a whole file, else a line label."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        position = f"column {exc.colno}" if where else f"line {exc.lineno}, column {exc.colno}"
        raise _Rejected(f"malformed JSON at {position}: {exc.msg}") from None
    except RecursionError:
        raise _Rejected(f"JSON nests deeper than {MAX_NESTING} levels") from None
    except ValueError as exc:  # Python refuses to read integers over 4,300 digits
        raise _Rejected(f"malformed JSON: {_value_problem(exc)}") from None
    if (text.count("[") + text.count("{") > MAX_NESTING) and _json_depth(value) > MAX_NESTING:
        raise _Rejected(f"JSON nests deeper than {MAX_NESTING} levels")
    if not isinstance(value, dict):
        hint = "; put one article per line in a .jsonl file" if isinstance(value, list) else ""
        raise _Rejected(
            f"expected one JSON object (an article), found {_fields.describe(value)}{hint}"
        )
    return value


def _json_depth(value: object) -> int:
    """How deeply ``value`` nests lists and objects, without recursing (stops past the cap)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | dict):
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _from_record(
    record: dict[str, Any], name: str, default_id: str, warnings: list[Rejection], where: str = ""
) -> Article:
    try:
        article_id = _fields.explicit_id(record.get("id")) or default_id
        title = _fields.text_field(record, "title")
    except _fields.FieldError as exc:
        raise _Rejected(str(exc)) from None
    if title is None:
        raise _Rejected('no headline: the JSON object has no "title" (or it is empty)')
    key = "body" if record.get("body") is not None else "text"
    body = record.get(key)
    if body is None:
        raise _Rejected('no body: the JSON object has no "body" or "text"')
    if isinstance(body, list) and all(isinstance(part, str) for part in body):
        body = "\n\n".join(body)  # a list of paragraphs, as some feeds write them
    if not isinstance(body, str):
        raise _Rejected(
            f'"{key}" must be text (or a list of paragraphs), not {_fields.describe(body)}'
        )
    return _article(
        name, article_id, title, _paragraphs(body), meta=record, warnings=warnings, where=where
    )


def _parse_jsonl(name: str, stem: str, text: str) -> ParseOutcome:
    articles: list[Article] = []
    rejections: list[Rejection] = []
    warnings: list[Rejection] = []
    unlisted = 0  # rejected lines past MAX_LISTED_LINES, counted but not listed
    base_id = _fields.id_from_name(stem, name)
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        listing = len(rejections) < MAX_LISTED_LINES
        if not listing and not line.lstrip().startswith("{"):
            unlisted += 1  # cannot be an article; no need to say exactly why again
            continue
        where = f"{name}:{line_no}"
        try:
            record = _load_json(line, where=where)
            default_id = f"{base_id[: _fields.MAX_ID_LENGTH - 8]}-{line_no}"
            articles.append(_from_record(record, name, default_id, warnings, where))
        except _Rejected as exc:
            if listing:
                rejections.append(Rejection(where, str(exc)))
            else:
                unlisted += 1
    if unlisted:
        rejections.append(
            Rejection(
                name,
                f"{unlisted:,} more lines were rejected too (only the first "
                f"{MAX_LISTED_LINES} are listed)",
            )
        )
    return ParseOutcome(tuple(articles), tuple(rejections), tuple(warnings))
