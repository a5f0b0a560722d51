"""Who an item is: its dedupe key, its article id, and a feed's slug.

An item is identified by its guid (RSS ``guid``, Atom ``id``, JSON Feed ``id``), else by its
link normalised (scheme and host lower-cased, default port, fragment and tracking
parameters dropped, query sorted), else by a hash of its headline and link. The key never
depends on the date or the text, so a feed that edits an item or bumps its date updates the
article instead of adding a new one. An item's article id is ``feed-<slug>/<hash of key>``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.corpus._fields import safe_id
from bot.feeds.model import FeedEntry

MAX_SLUG_CHARS = 40
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ocid|cmpid)$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_link(url: str) -> str:
    """``url`` in one canonical spelling, so one article linked two ways is one item."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, query, ""))


def item_key(entry: FeedEntry) -> str:
    """The entry's identity within its feed (see the module docstring)."""
    if entry.guid:
        return "id:" + entry.guid
    if entry.link:
        return "link:" + normalise_link(entry.link)
    digest = hashlib.blake2b(f"{entry.title}\n{entry.link or ''}".encode(), digest_size=12)
    return "hash:" + digest.hexdigest()


def article_id(slug: str, key: str) -> str:
    """The library id of the item with ``key`` in the feed with ``slug``."""
    return f"feed-{slug}/{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"


def content_hash(entry: FeedEntry) -> str:
    """A hash of everything the feed says about an item: a change means "updated"."""
    stamp = entry.published.isoformat() if entry.published else ""
    text = "\x1f".join((entry.title, entry.link or "", stamp, "\x1e".join(entry.tags), entry.body))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def make_slug(name: str | None, url: str, taken: Iterable[str]) -> str:
    """A short, unique, id-safe name for a feed: from ``name``, else the url's host."""
    base = safe_id((name or "").lower()).replace(".", "-")
    if not base:
        host = (urlsplit(url).hostname or "feed").lower().removeprefix("www.")
        base = safe_id(host).replace(".", "-") or "feed"
    base = base[:MAX_SLUG_CHARS].strip("-.") or "feed"
    used = set(taken)
    slug, number = base, 2
    while slug in used:
        suffix = f"-{number}"
        slug = base[: MAX_SLUG_CHARS - len(suffix)] + suffix
        number += 1
    return slug
