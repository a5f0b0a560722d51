"""Checking and normalising article metadata (ids, dates, tags, urls) from any format."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any

from bot.corpus.clean import cap_combining_runs, clean_line

MAX_ID_LENGTH = 80  # ids travel in Discord autocomplete values (at most 100 characters)

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_DASH_RUNS = re.compile(r"-{2,}")


class FieldError(ValueError):
    """A metadata value of the wrong kind; the message names the field."""


def describe(value: object) -> str:
    """How a moderator would name ``value``'s kind: "a number", "a list", ..."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (key: value pairs)"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def safe_id(raw: str) -> str:
    """``raw`` reduced to ``[A-Za-z0-9._-]`` (accents folded), at most ``MAX_ID_LENGTH``.

    May return "" when nothing usable is left.
    """
    # Only the head of a huge value can matter (ids are cut to MAX_ID_LENGTH), and
    # normalising all of it could be slow (long runs of combining marks).
    head = cap_combining_runs(raw[: MAX_ID_LENGTH * 8])
    folded = unicodedata.normalize("NFKD", head).encode("ascii", "ignore").decode("ascii")
    cleaned = _DASH_RUNS.sub("-", _UNSAFE_ID_CHARS.sub("-", folded))
    # No leading dot (hidden-file look) and no dashes or dots at the edges.
    return cleaned.strip("-.")[:MAX_ID_LENGTH].strip("-.")


def id_from_name(stem: str, name: str) -> str:
    """The id of the file at ``name`` (its path inside the articles folder) whose stem is
    ``stem``: the path without the extension, each part reduced as by ``safe_id``
    (``sport/017.txt`` → ``sport/017``), so two files never share one by construction.

    A part with no usable characters (a name entirely in another script) becomes a stable
    hash of it; an id over ``MAX_ID_LENGTH`` is cut and ends with a hash of ``name``.
    """
    parts = [_part_id(part) for part in _folders(name) if part not in ("", ".", "/")]
    article_id = "/".join([*parts, _part_id(stem)])
    if len(article_id) > MAX_ID_LENGTH:
        article_id = article_id[: MAX_ID_LENGTH - 9].rstrip("-./") + "-" + _hash(name)
    return article_id


def is_path_id(article_id: str, name: str) -> bool:
    """Whether ``article_id`` is the one the file ``name`` gives an article without an
    explicit ``id`` (``STEM-LINE`` for a ``.jsonl`` line), not one written in the file."""
    stem, suffix = _stem_suffix(name)
    base = id_from_name(stem, name)
    if article_id == base:
        return True
    if suffix.lower() != ".jsonl":
        return False
    head, dash, line = article_id.rpartition("-")
    return bool(dash) and line.isdigit() and head == base[: MAX_ID_LENGTH - 8]


def fallback_ids(article_id: str, name: str) -> tuple[str, str]:
    """Ids for an article whose path id ``article_id`` another article's explicit ``id``
    (or a file of the same stem) took: the path with its extension, then with a hash."""
    path = PurePosixPath(name)
    base = id_from_name(path.stem, name)
    line = article_id[len(base[: MAX_ID_LENGTH - 8]) :] if article_id != base else ""
    suffix = safe_id(path.suffix.lower())
    first = f"{base}.{suffix}"[: MAX_ID_LENGTH - len(line)] + line
    second = f"{first[: MAX_ID_LENGTH - 9]}-{_hash(name + chr(0) + article_id)}"
    return first, second


@functools.lru_cache(maxsize=4096)  # folder names repeat in every path under them
def _part_id(part: str) -> str:
    return safe_id(part) or "article-" + _hash(part)


# Every reload asks for the path id of every article, so the common case (a clean relative
# path, as the library's scan makes them) avoids PurePosixPath; it gives the same parts.
def _is_clean(name: str) -> bool:
    return all(part not in ("", ".") for part in name.split("/"))


def _folders(name: str) -> tuple[str, ...]:
    """``PurePosixPath(name).parent.parts``."""
    if _is_clean(name):
        head, _, _final = name.rpartition("/")
        return tuple(head.split("/")) if head else ()
    return PurePosixPath(name).parent.parts


def _stem_suffix(name: str) -> tuple[str, str]:
    """``PurePosixPath(name).stem`` and ``.suffix``."""
    if not _is_clean(name):
        path = PurePosixPath(name)
        return path.stem, path.suffix
    final = name.rpartition("/")[2]
    dot = final.rfind(".")
    if 0 < dot < len(final) - 1:
        return final[:dot], final[dot:]
    return final, ""


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=4).hexdigest()


def explicit_id(value: object) -> str | None:
    """The normalised ``id`` field, None when absent; raises ``FieldError`` when unusable."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError(f'"id" must be text or a whole number, not {describe(value)}')
    article_id = safe_id(str(value))
    if not article_id:
        raise FieldError(
            f'"id" {str(value)[:40]!r} has no usable characters (letters, digits, ".", "_", "-")'
        )
    return article_id


def text_field(meta: dict[str, Any], key: str) -> str | None:
    """A one-line text field (numbers accepted, as YAML reads ``title: 1984`` as one)."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(f'"{key}" must be text, not {describe(value)}')
    return clean_line(str(value)) or None


def tags_field(value: object) -> tuple[str, ...]:
    """Tags from a list of words or a comma-separated string, cleaned and de-duplicated."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    else:
        raise FieldError(
            f'"tags" must be a list or a comma-separated string, not {describe(value)}'
        )
    tags: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise FieldError(f'"tags" item {position} must be text, not {describe(item)}')
        tag = clean_line(str(item))
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tuple(tags)


def date_field(value: object) -> tuple[dt.date | None, str | None]:
    """``(date, None)``, or ``(None, warning)`` when the value is not an ISO date.

    A bad date costs the article its date, not its place in the library: news without a
    date is still news.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(text).date(), None
        except ValueError:
            pass
        return (
            None,
            f'"date" {text[:40]!r} is not an ISO date like 2024-11-07; loaded without a date',
        )
    return (
        None,
        f'"date" must be text like 2024-11-07, not {describe(value)}; loaded without a date',
    )


def url_field(value: object) -> tuple[str | None, str | None]:
    """``(url, None)`` for an http(s) address, else ``(None, warning)``.

    Discord refuses a whole message whose embed links to anything else, so a bad url is
    dropped here rather than breaking every reply that cites the article.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        url = value.strip()
        if re.fullmatch(r"https?://[^\s/$.?#][^\s]*", url, flags=re.IGNORECASE):
            return url, None
        return None, f'"url" {url[:60]!r} is not an http(s) address; loaded without a url'
    return None, f'"url" must be text, not {describe(value)}; loaded without a url'
