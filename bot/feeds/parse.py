"""Feed bytes to a ``ParsedFeed``: RSS 0.9x/1.0/2.0 and Atom through ``feedparser``, JSON Feed
(which feedparser 6 does not read) through ``json``; item text cleaned like article files.

Decisions: an item's body is its ``content:encoded``/Atom ``content`` when it has one, else
its summary/description (HTML turned into paragraphs); an item without any text keeps its
headline as its body, so it can still be found; an item without a headline takes the start
of its text. Relative links are resolved against the feed's address. Broken markup that
feedparser can still read is accepted with a warning; a body with no items and no feed
markup is "not a feed", and one whose XML is broken beyond reading is "malformed XML".
Each input is capped (``MAX_ENTRIES`` items, ``MAX_BODY_CHARS`` per body).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.corpus import _fields
from bot.corpus.clean import clean_line, clean_text
from bot.feeds.errors import NotAFeed
from bot.feeds.html import html_to_text
from bot.feeds.model import FeedEntry, ParsedFeed

MAX_ENTRIES = 500
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 300
MAX_TAGS = 20
_UNTITLED_CHARS = 100

JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")


def parse_feed(data: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one fetched body; raises ``NotAFeed`` (with the reason) when it is none."""
    if _looks_like_json(data, content_type):
        return _parse_json_feed(data, url)
    return _parse_xml_feed(data, url, content_type)


# -- RSS and Atom --------------------------------------------------------------------------


def _parse_xml_feed(data: bytes, url: str, content_type: str | None) -> ParsedFeed:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never the bytes themselves: feedparser treats a string as a possible URL or
    # file name, and must not open either.
    result = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = result.get("entries") or []
    version = result.get("version") or ""
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if not entries and not version:
        if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            kind = f" ({content_type})" if content_type else ""
            raise NotAFeed(f"not a feed: the response{kind} is neither XML nor JSON")
        if _looks_like_html(data, content_type):
            raise NotAFeed(
                "not a feed: the address returned a web page (HTML), not RSS, Atom or JSON "
                "Feed; look for the page's feed link"
            )
        if problem is not None and _is_markup_error(problem):
            raise NotAFeed(f"malformed XML: {_describe(problem)}")
        raise NotAFeed("not a feed: no RSS, Atom or JSON Feed found in the response")
    if not entries and problem is not None and _is_markup_error(problem):
        raise NotAFeed(f"malformed XML: {_describe(problem)}")
    feed = result.get("feed") or {}
    title = _title(feed.get("title"), feed.get("title_detail"))
    parsed = [e for e in (_xml_entry(entry, url) for entry in entries[:MAX_ENTRIES]) if e]
    if not parsed and problem is not None and _is_markup_error(problem):
        raise NotAFeed(f"malformed XML: {_describe(problem)}")
    warning = None
    if problem is not None and _is_markup_error(problem):
        warning = f"the feed's XML is broken ({_describe(problem)}); read what could be read"
    if len(entries) > MAX_ENTRIES:
        warning = f"the feed lists {len(entries)} items; only the first {MAX_ENTRIES} were read"
    return ParsedFeed(title or None, tuple(parsed), version or "rss", warning)


def _xml_entry(entry: Mapping[str, Any], base: str) -> FeedEntry | None:
    body = ""
    for content in entry.get("content") or ():
        body = _text(content.get("value"), content.get("type"))
        if body:
            break
    if not body:
        body = _text(entry.get("summary"), (entry.get("summary_detail") or {}).get("type"))
    title = _title(entry.get("title"), entry.get("title_detail"))
    link = _link(entry.get("link"), base)
    published = _struct_time(entry.get("published_parsed") or entry.get("updated_parsed"))
    terms = [tag.get("label") or tag.get("term") for tag in entry.get("tags") or ()]
    guid = entry.get("id") or None
    return _entry(guid, link, title, body, published, terms)


def _title(value: object, detail: Mapping[str, Any] | None) -> str:
    if not isinstance(value, str):
        return ""
    kind = (detail or {}).get("type") or ""
    text = html_to_text(value) if "html" in kind else value
    return clean_line(text)[:MAX_TITLE_CHARS]


def _text(value: object, kind: object) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    value = value[: MAX_BODY_CHARS * 4]  # markup is longer than its text; cap before parsing
    text = value if kind == "text/plain" else html_to_text(value)
    return _paragraphs(text)


def _paragraphs(text: str) -> str:
    cleaned = clean_text(text)[:MAX_BODY_CHARS]
    if "\n" in cleaned and "\n\n" not in cleaned:
        cleaned = cleaned.replace("\n", "\n\n")  # as article files: one paragraph per line
    return cleaned


def _struct_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


# -- JSON Feed -----------------------------------------------------------------------------


def _looks_like_json(data: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as error:
        raise NotAFeed(f"malformed JSON Feed: {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise NotAFeed("malformed JSON Feed: nested too deeply") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise NotAFeed("not a feed: JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise NotAFeed('malformed JSON Feed: "items" is not a list')
    title = _plain_title(document.get("title"))
    base = document.get("home_page_url") if _is_text(document.get("home_page_url")) else url
    base = urljoin(url, base)
    entries = [
        entry
        for item in items[:MAX_ENTRIES]
        if isinstance(item, dict) and (entry := _json_entry(item, base)) is not None
    ]
    warning = None
    if len(items) > MAX_ENTRIES:
        warning = f"the feed lists {len(items)} items; only the first {MAX_ENTRIES} were read"
    return ParsedFeed(title or None, tuple(entries), "json", warning)


def _json_entry(item: Mapping[str, Any], base: str) -> FeedEntry | None:
    body = ""
    if _is_text(item.get("content_html")):
        body = _text(item["content_html"], "text/html")
    if not body and _is_text(item.get("content_text")):
        body = _text(item["content_text"], "text/plain")
    if not body and _is_text(item.get("summary")):
        body = _text(item["summary"], "text/plain")
    title = _plain_title(item.get("title"))
    link_value = item.get("url") if _is_text(item.get("url")) else item.get("external_url")
    link = _link(link_value, base)
    published = None
    for key in ("date_published", "date_modified"):
        if _is_text(item.get(key)):
            published = _iso_datetime(item[key])
            if published is not None:
                break
    raw_tags = item.get("tags")
    tags: list[object] = raw_tags if isinstance(raw_tags, list) else []
    raw_id = item.get("id")
    guid = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
    return _entry(guid or None, link, title, body, published, tags)


def _iso_datetime(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# -- shared --------------------------------------------------------------------------------


def _entry(
    guid: str | None,
    link: str | None,
    title: str,
    body: str,
    published: dt.datetime | None,
    terms: Iterable[object],
) -> FeedEntry | None:
    """The entry, or None for an item with neither a headline nor any text."""
    if not title and not body:
        return None
    if not title:
        first = body.split("\n", 1)[0]
        title = first if len(first) <= _UNTITLED_CHARS else first[: _UNTITLED_CHARS - 1] + "…"
    if not body:
        body = title
    words = [str(t) for t in terms if isinstance(t, str | int) and not isinstance(t, bool)]
    try:
        tags = _fields.tags_field(words[: MAX_TAGS * 2])[:MAX_TAGS]
    except _fields.FieldError:
        tags = ()
    guid = " ".join(guid.split())[:500] if guid else None
    return FeedEntry(guid or None, link, title, body, published, tags)


def _plain_title(value: object) -> str:
    return clean_line(str(value))[:MAX_TITLE_CHARS] if _is_text(value) else ""


def _link(value: object, base: str) -> str | None:
    if not _is_text(value):
        return None
    url, _warning = _fields.url_field(urljoin(base, str(value).strip()))
    return url


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _looks_like_html(data: bytes, content_type: str | None) -> bool:
    if content_type and "html" in content_type.lower() and "xhtml+xml" not in content_type:
        return True
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _is_markup_error(problem: BaseException) -> bool:
    # Encoding overrides ("declared utf-8, read as windows-1252") are not broken markup.
    return not isinstance(
        problem, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType
    )


def _describe(problem: BaseException) -> str:
    getter = getattr(problem, "getMessage", None)
    message = getter() if callable(getter) else str(problem)
    line = getattr(problem, "getLineNumber", None)
    where = f" at line {line()}" if callable(line) else ""
    return f"{message}{where}"[:200]
