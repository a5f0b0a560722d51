"""Adding, finding and removing feeds: what the CLI and ``/admin feed`` share."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

from bot.config import Settings
from bot.corpus.model import Article
from bot.feeds.fetch import FetchPolicy, check_url
from bot.feeds.identity import make_slug
from bot.feeds.ingest import load_feed_articles
from bot.store import Feed, NotFound, Store, StoreError
from bot.store.postgres import is_postgres_url

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 15


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch limits for ``settings`` (``FEEDS_ALLOW_PRIVATE``)."""
    return FetchPolicy(allow_private=settings.feeds_allow_private)


async def add_feed(
    store: Store,
    url: str,
    *,
    now: dt.datetime,
    name: str | None = None,
    interval: int = DEFAULT_INTERVAL,
    full_text: bool = False,
    guild_id: int | None = None,
    added_by: int | None = None,
) -> Feed:
    """Follow the feed at ``url`` (checked to be an http(s) address; fetched later).

    Raises ``AddressRefused`` for a bad address and ``StoreError`` subclasses for a bad
    interval or a feed already followed.
    """
    parsed = check_url(url)
    text = str(parsed)
    slug = make_slug(name, text, await store.feeds.slugs())
    return await store.feeds.add(
        text,
        slug=slug,
        now=now,
        name=name,
        interval_minutes=interval,
        full_text=full_text,
        guild_id=guild_id,
        added_by=added_by,
    )


async def find_feed(store: Store, ref: str | int) -> Feed:
    """A feed by id (``3``, ``#3``) or slug; ``NotFound`` naming what was asked for."""
    text = str(ref).strip().lstrip("#")
    if text.isdigit():
        feed = await store.feeds.get(int(text))
        if feed is not None:
            return feed
    for feed in await store.feeds.all():
        if feed.slug == text or feed.url == text:
            return feed
    raise NotFound(f"there is no feed {str(ref)[:80]!r} (see the feed list for ids)")


def read_feed_articles(database_path: Path | str) -> list[Article]:
    """The feed articles stored in the database at ``database_path`` (a file or a
    ``postgresql://`` address, ``Settings.database``), for a command that is not running an
    event loop (the CLI). No database file yet: none. A database that cannot be read is
    logged and gives none, so search over the files still works."""
    if not is_postgres_url(str(database_path)) and not Path(database_path).is_file():
        return []

    async def read() -> list[Article]:
        async with await Store.open(database_path) as store:
            return await load_feed_articles(store)

    try:
        return asyncio.run(read())
    except StoreError as error:
        log.warning("feed articles not loaded: %s", error)
        return []
