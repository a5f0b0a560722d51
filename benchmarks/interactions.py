"""Acknowledgement latency under a burst of interactions, through the real ``newsbot run``.

Starts ``python -m bot run`` against the fake Discord of ``tests/support/fake_discord.py``
(REST and gateway on 127.0.0.1, in this process), waits until the bot is ready, then sends
N interactions back to back on the gateway (default 2,000: a mix of /search, /digest,
/article, /topics, /help and autocomplete, each from its own member so cooldowns do not
answer for the bot) and times, for each, the gap between the gateway frame being sent and
the bot's first callback (the acknowledgement Discord wants within 3 s) reaching the fake.
It prints ack latency p50/p95/max, how many acks came after 3 s, how many never came, and
how long the full answers took.

    .venv/bin/python benchmarks/interactions.py                 # 2,000 on the BBC 100
    .venv/bin/python benchmarks/interactions.py -n 200 --articles tests/support/e2e_articles
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test helpers are the package tests.support

from tests.support.bot_process import start_bot  # noqa: E402
from tests.support.fake_discord import FakeDiscord  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-news-100" / "article"
FALLBACK = ROOT / "tests" / "support" / "e2e_articles"
DISCORD_DEADLINE = 3.0
QUERIES = (
    "election result",
    "oil prices",
    "mobile phones",
    "film award",
    "football injury",
    "interest rates",
    "goverment plan",  # misspelt on purpose
    "music sales",
    "broadband",
    "tax",
)
TOPICS = ("economy", "sport", "technology", "politics", "film", "trade", "health")


def headlines(articles: Path) -> list[str]:
    """Headlines of the library, for /article (as a member would pick them)."""
    out = subprocess.run(
        [sys.executable, "-m", "bot", "articles", "--json", "--articles", str(articles)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    try:
        return [row["title"] for row in json.loads(out.stdout)][:50] or ["nothing"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return ["nothing"]


def option(name: str, value: object, *, type: int = 3, focused: bool = False) -> dict:
    data: dict = {"name": name, "type": type, "value": value}
    if focused:
        data["focused"] = True
    return data


def interactions(fake: FakeDiscord, count: int, titles: list[str]) -> list[tuple[str, dict]]:
    """``count`` (kind, payload) pairs, each from its own member."""
    kinds = itertools.cycle(
        ["search"] * 4 + ["digest"] * 2 + ["article", "topics", "help", "autocomplete"]
    )
    queries = itertools.cycle(QUERIES)
    topics = itertools.cycle(TOPICS)
    names = itertools.cycle(titles)
    made: list[tuple[str, dict]] = []
    for number in range(count):
        kind = next(kinds)
        user = 800000000000000000 + number
        if kind == "search":
            _token, payload = fake.interaction(
                "search", [option("query", next(queries))], user_id=user
            )
        elif kind == "digest":
            _token, payload = fake.interaction(
                "digest", [option("topic", next(topics))], user_id=user
            )
        elif kind == "article":
            _token, payload = fake.interaction(
                "article", [option("article", next(names))], user_id=user
            )
        elif kind == "autocomplete":
            _token, payload = fake.interaction(
                "article",
                [option("article", next(queries)[:4], focused=True)],
                autocomplete=True,
                user_id=user,
            )
        else:
            _token, payload = fake.interaction(kind, [], user_id=user)
        made.append((kind, payload))
    return made


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(count: int, articles: Path, timeout: float) -> int:
    fake = FakeDiscord()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "cwd").mkdir()
        bot = await start_bot(fake, root, ARTICLES_DIR=str(articles), LOG_LEVEL="WARNING")
        try:
            await bot.until(lambda: fake.ready_sent and fake.commands, timeout=120)
            titles = headlines(articles)
            burst = interactions(fake, count, titles)
            tokens = [payload["token"] for _kind, payload in burst]
            bot_cpu = psutil.Process(bot.proc.pid)
            cpu_before = sum(bot_cpu.cpu_times()[:2]), time.process_time()
            start = time.monotonic()
            sent = await fake.dispatch_burst("INTERACTION_CREATE", [p for _k, p in burst])
            burst_seconds = time.monotonic() - start

            acked: dict[str, float] = {}
            answered: dict[str, float] = {}
            wanted = set(tokens)
            seen = 0
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and (len(acked) < count or len(answered) < count):
                requests = fake.requests
                for request in requests[seen:]:
                    parts = request.path.split("/")
                    if request.method == "POST" and request.path.startswith("/interactions/"):
                        token = parts[3] if len(parts) > 3 else ""
                        acked.setdefault(token, request.at)
                        if (request.body or {}).get("type") in (4, 8):  # answered outright
                            answered.setdefault(token, request.at)
                    elif request.path.startswith("/webhooks/") and request.method in {
                        "PATCH",
                        "POST",
                    }:
                        token = parts[3] if len(parts) > 3 else ""
                        answered.setdefault(token, request.at)
                seen = len(requests)
                await asyncio.sleep(0.1)  # a benchmark polling the record, not a test

            cpu_bot = sum(bot_cpu.cpu_times()[:2]) - cpu_before[0]
            cpu_fake = time.process_time() - cpu_before[1]
            sent_at = dict(zip(tokens, sent, strict=True))
            kinds = {payload["token"]: kind for kind, payload in burst}
            ack = [acked[t] - sent_at[t] for t in tokens if t in acked and t in wanted]
            done = [answered[t] - sent_at[t] for t in tokens if t in answered]
            late = sum(1 for value in ack if value > DISCORD_DEADLINE)
            missing = count - len(ack)
            print(f"interactions: {count} ({articles}); burst written in {burst_seconds:.2f} s")
            if ack:
                print(
                    f"ack latency  p50 {percentile(ack, 0.5):.2f} s  p95 "
                    f"{percentile(ack, 0.95):.2f} s  max {max(ack):.2f} s  "
                    f"after 3 s: {late}  never: {missing}"
                )
            if done:
                print(
                    f"full answer  p50 {percentile(done, 0.5):.2f} s  p95 "
                    f"{percentile(done, 0.95):.2f} s  max {max(done):.2f} s  "
                    f"unanswered: {count - len(done)}"
                )
            print(f"CPU seconds: bot {cpu_bot:.1f}, fake Discord and this script {cpu_fake:.1f}")
            for kind in sorted(set(kinds.values())):
                values = [acked[t] - sent_at[t] for t in tokens if kinds[t] == kind and t in acked]
                if values:
                    print(
                        f"  {kind:<12} n={len(values):<5} ack p50 {statistics.median(values):.2f} s"
                        f"  max {max(values):.2f} s"
                    )
            return 0
        finally:
            await bot.stop()
            await fake.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="interactions at once")
    parser.add_argument(
        "--articles",
        type=Path,
        default=CORPUS if CORPUS.is_dir() else FALLBACK,
        help="articles folder (default: the BBC 100 when present)",
    )
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait")
    args = parser.parse_args()
    return asyncio.run(run(args.count, args.articles.resolve(), args.timeout))


if __name__ == "__main__":
    sys.exit(main())
