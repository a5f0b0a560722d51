"""Feed ingestion at scale: ``--feeds`` feeds × ``--items`` items served on 127.0.0.1.

Each feed is an RSS 2.0 document whose items carry BBC article text (from
``../shared/corpora/bbc-news-2225`` when it is there, else generated sentences). Measured
through the real code (guarded fetcher, feedparser off the event loop, dedupe, one store
transaction per feed): the first full pass (every item new), the items ingested per second,
a second pass (every server answers 304), a third where one item per feed changed, and the
time from the start of a pass until the new articles are searchable (the pass plus the
index update of ``NewsService.update_feed_articles``).

    .venv/bin/python benchmarks/feeds.py                  # 200 feeds x 50 items
    .venv/bin/python benchmarks/feeds.py --feeds 20 --items 20
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.feeds.fetch import Fetcher, FetchPolicy  # noqa: E402
from bot.feeds.ingest import FeedIngestor  # noqa: E402
from bot.feeds.manage import add_feed  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.store import Store, utc_now  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-news-2225"


def texts(count: int) -> list[tuple[str, str]]:
    """``count`` (headline, body) pairs: BBC articles when the corpus is here."""
    rows: list[tuple[str, str]] = []
    if CORPUS.is_dir():
        for split in ("train", "val", "test"):
            for row in csv.DictReader((CORPUS / f"{split}.csv").open(encoding="utf-8")):
                words = row["text"].split()
                rows.append((" ".join(words[:6]), " ".join(words[6:])))
    if not rows:
        rows = [
            (f"Story {n}", f"Sentence one of story {n}. Sentence two follows.") for n in range(500)
        ]
    return [rows[i % len(rows)] for i in range(count)]


def feed_xml(number: int, items: list[tuple[str, str]], version: int) -> bytes:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>',
        f"<title>Bench feed {number}</title><link>https://bench.example/{number}/</link>",
    ]
    for index, (title, body) in enumerate(items):
        edited = " (updated)" if version and index == 0 else ""
        parts.append(
            f"<item><title>{escape(title)}{edited}</title>"
            f"<link>https://bench.example/{number}/{index}</link>"
            f"<guid>bench-{number}-{index}</guid>"
            f"<pubDate>{format_datetime(start + dt.timedelta(hours=index))}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


async def serve(feeds: int, items: int) -> tuple[web.AppRunner, int, dict[str, int]]:
    pool = texts(feeds * items)
    versions = {"current": 0}
    bodies = {
        (n, v): feed_xml(n, pool[n * items : (n + 1) * items], v)
        for n in range(feeds)
        for v in (0, 1)
    }

    async def handler(request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        version = versions["current"]
        etag = f'"{number}-{version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=bodies[(number, version)],
            headers={"Content-Type": "application/rss+xml", "ETag": etag},
        )

    app = web.Application()
    app.router.add_get("/feed/{n}.xml", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1], versions


async def bench(feeds: int, items: int, concurrency: int) -> None:
    runner, port, versions = await serve(feeds, items)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "articles"
            folder.mkdir()
            service = NewsService.load(folder)
            async with (
                await Store.open(Path(tmp) / "bench.db") as store,
                Fetcher(FetchPolicy(allow_private=True, timeout=60)) as fetcher,
            ):
                for n in range(feeds):
                    await add_feed(store, f"http://127.0.0.1:{port}/feed/{n}.xml", now=utc_now())
                ingestor = FeedIngestor(store, fetcher, clock=utc_now)
                rows = []
                for label, version in (
                    ("first pass (all new)", 0),
                    ("second pass (304)", 0),
                    ("third pass (1 changed/feed)", 1),
                ):
                    versions["current"] = version
                    all_feeds = await store.feeds.all()
                    start = time.perf_counter()
                    reports = await ingestor.fetch_all(all_feeds, concurrency=concurrency)
                    fetched = time.perf_counter()
                    upserts = [a for r in reports for a in r.upserts]
                    await asyncio.to_thread(service.update_feed_articles, upserts)
                    searchable = time.perf_counter()
                    errors = [r.error for r in reports if r.error]
                    new = sum(r.new for r in reports)
                    updated = sum(r.updated for r in reports)
                    rows.append((label, fetched - start, searchable - start, new, updated, errors))
                probe = service.search("the", limit=1)
    finally:
        await runner.cleanup()
    print(f"{feeds} feeds x {items} items, {concurrency} fetches at a time, on 127.0.0.1")
    print(
        f"{'pass':30} {'fetch pass':>11} {'items/s':>9} {'to searchable':>14} {'new':>6} {'upd':>5}"
    )
    for label, pass_s, search_s, new, updated, errors in rows:
        rate = (new + updated) / pass_s if pass_s else 0.0
        print(f"{label:30} {pass_s:10.2f}s {rate:9.0f} {search_s:13.2f}s {new:6} {updated:5}")
        for error in errors[:3]:
            print(f"   error: {error}")
    print(
        f"articles in the library: {len(service.articles)}; a search finds hits: {bool(probe.hits)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8, help="feeds fetched at a time (8)")
    args = parser.parse_args()
    asyncio.run(bench(args.feeds, args.items, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
