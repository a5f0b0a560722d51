"""Load time and memory of the whole service (library + search index + topics) at scale.

Writes the BBC 2,225-article CSV (``../shared/corpora/bbc-news-2225``) as ``.txt`` files,
``--copies`` times over (45 copies ≈ 100k articles), then measures, through ``NewsService``:
the first load, a no-change reload, a one-file-changed reload, and a search afterwards.

    .venv/bin/python benchmarks/load.py --copies 1
    .venv/bin/python benchmarks/load.py --copies 45   # ~100k articles, a few minutes
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.service import NewsService  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-news-2225"


def write_articles(folder: Path, copies: int) -> int:
    rows = [
        row
        for split in ("train", "val", "test")
        for row in csv.DictReader((CORPUS / f"{split}.csv").open(encoding="utf-8"))
    ]
    count = 0
    for copy in range(copies):
        for number, row in enumerate(rows):
            target = folder / f"copy{copy:03d}" / row["category"]
            target.mkdir(parents=True, exist_ok=True)
            words = row["text"].split()
            # The CSV runs the headline into the text: the first words stand in for it.
            text = " ".join(words[:6]) + "\n" + " ".join(words[6:]) + "\n"
            (target / f"{copy:03d}-{number:04d}.txt").write_text(text, encoding="utf-8")
            count += 1
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="copies of the 2,225 articles")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} is not here")
        return 0
    process = psutil.Process()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_articles(folder, args.copies)
        rss0 = process.memory_info().rss
        t0 = time.perf_counter()
        service = NewsService.load(folder)
        first = time.perf_counter() - t0
        rss1 = process.memory_info().rss
        # ru_maxrss is KiB on Linux: the high-water mark, temporaries of the load included.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        sentences = sum(len(a.sentences) for a in service.articles.values())

        t0 = time.perf_counter()
        service.reload()
        unchanged = time.perf_counter() - t0

        victim = next(folder.rglob("*.txt"))
        victim.write_text(victim.read_text(encoding="utf-8") + "One more sentence.\n")
        t0 = time.perf_counter()
        report = service.reload()
        one_changed = time.perf_counter() - t0

        latencies = []
        for query in ("footbal cup final", "interest rates", "mobile phone", "Blair elecshun"):
            t0 = time.perf_counter()
            service.search(query)
            latencies.append((time.perf_counter() - t0) * 1000)

        print(
            "| articles | sentences | first load | RSS added | process RSS | peak RSS "
            "| no-change reload | one-file reload | search (median of 4) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        print(
            f"| {len(service.articles):,} (of {files:,} files) | {sentences:,} | {first:.1f} s "
            f"| {(rss1 - rss0) / 2**20:,.0f} MiB | {rss1 / 2**20:,.0f} MiB "
            f"| {peak / 2**20:,.0f} MiB "
            f"| {unchanged:.2f} s | {one_changed:.2f} s "
            f"(changed {len(report.changed)}) | {statistics.median(latencies):.1f} ms |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
