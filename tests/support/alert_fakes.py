"""Fakes for the alert runner: a clock, a channel that records posts, feeds filled directly."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.schedule import MissingAccess
from bot.store import Alert, Feed, FeedItemRecord, Store
from bot.store.feeds import ItemWrite


class ProcessDied(BaseException):
    """What a SIGKILL would be, if it could be caught: nothing after it runs."""


class FakeClock:
    """An aware UTC clock that moves only when told."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class Posted:
    alert_id: int
    channel_id: int
    article_id: str
    title: str
    nonce: str
    message_id: int


@dataclass
class FakeSender:
    """Records every post; ``broken`` channels refuse; ``crash_after`` raises a
    BaseException after that many sends *reach* the channel (a process dying).

    Several processes' senders may share one ``posts`` (the channels, as Discord has
    them). Without ``history_visible`` and ``nonce_dedupe`` Discord is no help against a
    second post: only the ledger can stop it. With ``hang`` set, a send signals ``entered``
    and then waits for it before reaching the channel."""

    posts: list[Posted] = field(default_factory=list)
    broken: set[int] = field(default_factory=set)
    crash_after: int | None = None
    searches: int = 0
    stamp: Callable[[], float] | None = None  # when set, each post records its time
    times: dict[int, list[float]] = field(default_factory=dict)
    history_visible: bool = True
    nonce_dedupe: bool = True
    hang: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_alert(self, alert: Alert, item: FeedItemRecord, nonce: str) -> int:
        if alert.channel_id in self.broken:
            raise MissingAccess("the bot lacks Send Messages in #news")
        if self.hang is not None:
            self.entered.set()
            await self.hang.wait()
        for earlier in self.posts if self.nonce_dedupe else ():
            if earlier.nonce == nonce and earlier.channel_id == alert.channel_id:
                return earlier.message_id  # Discord enforces the nonce: the same message back
        message_id = 5000 + len(self.posts)
        if self.stamp is not None:
            self.times.setdefault(alert.channel_id, []).append(self.stamp())
        self.posts.append(
            Posted(alert.id, alert.channel_id, item.article_id, item.title, nonce, message_id)
        )
        if self.crash_after is not None and len(self.posts) >= self.crash_after:
            self.crash_after = None
            raise ProcessDied("the process died right after Discord took the message")
        return message_id

    async def find_alert_posts(self, alert: Alert, item: FeedItemRecord) -> list[int]:
        self.searches += 1
        if not self.history_visible:
            return []
        return [
            p.message_id
            for p in self.posts
            if p.alert_id == alert.id and p.article_id == item.article_id
        ]

    def titles(self, channel_id: int | None = None) -> list[str]:
        return [p.title for p in self.posts if channel_id is None or p.channel_id == channel_id]


def write(title: str, body: str = "", *, key: str | None = None) -> ItemWrite:
    key = key or hashlib.sha1(title.encode()).hexdigest()[:12]
    return ItemWrite(
        item_key=key,
        article_id=f"gazette/{key}",
        title=title,
        url=f"https://gazette.example/{key}",
        published_at=None,
        source="Harbour Gazette",
        tags=(),
        body=body or title,
        body_origin="feed",
        content_hash=hashlib.sha1((title + body).encode()).hexdigest(),
    )


async def add_feed(store: Store, now: dt.datetime, slug: str = "gazette") -> Feed:
    """A feed already fetched once (primed): its next items are new, for alerts."""
    feed = await store.feeds.add(f"https://{slug}.example/rss", slug=slug, now=now)
    return await store.feeds.apply_fetch(
        feed, now=now, next_fetch_at=now, title=slug.title(), etag=None, last_modified=None,
        inserts=[write(f"{slug} first-fetch item", key=f"{slug}-old")],
    )  # fmt: skip


async def arrive(store: Store, feed: Feed, now: dt.datetime, *items: ItemWrite) -> Feed:
    """A fetch at ``now`` brings ``items``."""
    current = await store.feeds.get(feed.id)
    assert current is not None
    return await store.feeds.apply_fetch(
        current, now=now, next_fetch_at=now, title=None, etag=None, last_modified=None,
        inserts=list(items),
    )  # fmt: skip
