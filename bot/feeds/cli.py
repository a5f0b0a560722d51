"""``newsbot feeds add|list|remove|pause|resume`` and ``newsbot fetch``: the feed commands of
the command line (``bot.cli`` parses the arguments and calls these).

They use the store at ``DATABASE_PATH``; what ``fetch`` stores is what ``newsbot search``
and ``newsbot digest`` read next. Exit codes as every command: 2 for usage, 1 for "not
found" or a feed that failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from bot.config import Settings
from bot.feeds.errors import AddressRefused
from bot.feeds.fetch import Fetcher
from bot.feeds.ingest import FeedIngestor, FetchReport, summary_line
from bot.feeds.manage import add_feed, fetch_policy, find_feed
from bot.store import AlreadyExists, Feed, InvalidValue, NotFound, Store, StoreError, utc_now

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Failed(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _run(settings: Settings, work: Callable[[Store], Awaitable[int]]) -> int:
    async def main() -> int:
        async with await Store.open(settings.database) as store:
            return await work(store)

    try:
        return asyncio.run(main())
    except _Failed as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return error.code
    except (InvalidValue, AddressRefused) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (AlreadyExists, NotFound) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except StoreError as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return EXIT_USAGE


def feed_json(feed: Feed, articles: int) -> dict[str, Any]:
    """The ``newsbot feeds list --json`` object of one feed."""

    def when(moment: dt.datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": feed.id,
        "slug": feed.slug,
        "name": feed.label,
        "url": feed.url,
        "interval": feed.interval_minutes,
        "full_text": feed.full_text,
        "paused": feed.paused,
        "pause_reason": feed.pause_reason,
        "last_error": feed.last_error,
        "failures": feed.failure_count,
        "last_fetched": when(feed.last_fetched_at),
        "next_fetch": when(feed.next_fetch_at),
        "articles": articles,
    }


def status_text(feed: Feed) -> str:
    """``active``, ``retrying (…)`` or ``paused (…)``."""
    if feed.paused:
        return f"paused ({feed.pause_reason})" if feed.pause_reason else "paused"
    if feed.failure_count:
        return f"retrying after {feed.failure_count} failures ({feed.last_error})"
    return "active" if feed.last_ok_at else "not fetched yet"


def feeds_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """``newsbot feeds ACTION``."""
    action = args.feeds_command

    async def work(store: Store) -> int:
        if action == "add":
            if args.interval < 5:
                raise _Failed("--interval must be at least 5 minutes", EXIT_USAGE)
            feed = await add_feed(
                store,
                args.url,
                now=utc_now(),
                name=args.name,
                interval=args.interval,
                full_text=args.full_text,
            )
            out.write(
                f"added feed #{feed.id} {feed.slug} ({feed.url}), fetched every "
                f"{feed.interval_minutes} minutes{' with full text' if feed.full_text else ''}"
                "; `newsbot fetch` fetches it now\n"
            )
            return EXIT_OK
        if action == "list":
            feeds = await store.feeds.all()
            counts = await store.feeds.article_counts()
            if args.json:
                data = {"feeds": [feed_json(f, counts.get(f.id, 0)) for f in feeds]}
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
                return EXIT_OK
            for feed in feeds:
                out.write(
                    f"#{feed.id}\t{feed.slug}\t{feed.label}\tevery {feed.interval_minutes} min\t"
                    f"{counts.get(feed.id, 0)} articles\t{status_text(feed)}\t{feed.url}\n"
                )
            out.write(f"{len(feeds)} feed(s)\n")
            return EXIT_OK
        feed = await find_feed(store, args.id)
        if action == "remove":
            removed, ids = await store.feeds.remove(feed.id)
            out.write(f"removed feed #{removed.id} {removed.slug} and its {len(ids)} articles\n")
        elif action == "pause":
            await store.feeds.set_paused(feed.id, True, now=utc_now(), reason="paused from the CLI")
            out.write(f"paused feed #{feed.id} {feed.slug}\n")
        else:
            await store.feeds.set_paused(feed.id, False, now=utc_now())
            out.write(f"resumed feed #{feed.id} {feed.slug}; it is fetched at the next pass\n")
        return EXIT_OK

    return _run(settings, work)


def fetch_json(reports: list[FetchReport]) -> dict[str, Any]:
    """The ``newsbot fetch --json`` object."""
    return {
        "feeds": [
            {
                "id": r.feed.id,
                "url": r.feed.url,
                "new": r.new,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "error": r.error,
            }
            for r in reports
        ]
    }


def fetch_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """``newsbot fetch``: every feed once now, due or not (paused ones are reported, not
    fetched); exit 1 when any failed."""

    async def work(store: Store) -> int:
        feeds = await store.feeds.all()
        async with Fetcher(fetch_policy(settings)) as fetcher:
            ingestor = FeedIngestor(store, fetcher, clock=utc_now)
            active = [f for f in feeds if not f.paused]
            fetched = {r.feed.id: r for r in await ingestor.fetch_all(active)}
            await ingestor.expire(settings.feeds_keep_days)
        reports = [
            fetched.get(f.id)
            or FetchReport(f, error=f"paused: {f.pause_reason or 'by a moderator'}; not fetched")
            for f in feeds
        ]
        if args.json:
            out.write(json.dumps(fetch_json(reports), ensure_ascii=False) + "\n")
        else:
            for report in reports:
                feed = report.feed
                out.write(f"#{feed.id} {feed.slug}  {feed.url}  {summary_line(report)}\n")
            if not reports:
                out.write("no feeds yet; add one with `newsbot feeds add URL`\n")
        return EXIT_FAILURE if any(r.error for r in reports) else EXIT_OK

    return _run(settings, work)
