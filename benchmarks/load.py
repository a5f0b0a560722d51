"""Load time and memory of the whole service (library + search index + topics) at scale.

Writes the BBC 2,225-article CSV (``../shared/corpora/bbc-news-2225``) as ``.txt`` files,
``--copies`` times over (45 copies ≈ 100k articles), then measures, through ``NewsService``:
the first load, a no-change reload, a one-file-changed reload, and a search afterwards.

Then the warm start (``bot/snapshot.py``), each in a fresh process as a restart is: a first
start with an empty data folder (time to the first answered search, then the snapshot
written in the background), a second start from that snapshot, and one more after a file
changed; with each process's peak RSS.

    .venv/bin/python benchmarks/load.py --copies 1
    .venv/bin/python benchmarks/load.py --copies 45   # ~100k articles, a few minutes
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
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
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one start of warm_start_figures, in this fresh process
        print(json.dumps(start(Path(args.child[0]), Path(args.child[1]))))
        return 0
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
        del service
        warm_start_figures(folder, Path(tmp) / "data")
    return 0


# -- warm start (each start in a fresh process) ---------------------------------------------


def start(folder: Path, data_dir: Path) -> dict[str, float | bool]:
    """One start of the service over ``folder`` with snapshots in ``data_dir`` (in a child
    process): seconds to a first answered search, the snapshot write, peak RSS."""
    t0 = time.perf_counter()
    service = NewsService.load(folder, data_dir=data_dir, save_delay=0.0)
    service.search("footbal cup final")
    ready = time.perf_counter() - t0
    # From the process's start: the interpreter and the imports are part of a restart.
    since_exec = time.time() - psutil.Process().create_time()
    t1 = time.perf_counter()
    service.flush_snapshot()  # a background write, when the load had to build anything
    t2 = time.perf_counter()
    latencies = []
    for query in ("interest rates", "mobile phone", "Blair elecshun"):
        q0 = time.perf_counter()
        service.search(query)
        latencies.append((time.perf_counter() - q0) * 1000)
    return {
        "ready": ready,
        "since_exec": since_exec,
        "write": t2 - t1,
        "search_ms": statistics.median(latencies),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "warm": service.loaded_from_snapshot,
    }


def warm_start_figures(folder: Path, data_dir: Path) -> None:
    def child(label: str) -> None:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(folder), str(data_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        write = f"{r['write']:.1f} s" if not r["warm"] or r["write"] > 0.05 else "—"
        print(
            f"| {label} | {'snapshot' if r['warm'] else 'files'} | {r['ready']:.1f} s "
            f"({r['since_exec']:.1f} s from exec) "
            f"| {r['peak_mib']:,.0f} MiB | {write} | {r['search_ms']:.1f} ms |"
        )

    print()
    print(
        "| start (fresh process) | from | first search answered | peak RSS | snapshot write "
        "| search (median of 3) |"
    )
    print("|---|---|---|---|---|---|")
    child("first start")
    child("warm start")
    victim = next(folder.rglob("*.txt"))
    victim.write_text(victim.read_text(encoding="utf-8") + "Yet another sentence.\n")
    child("warm, one file changed")
    size = sum(p.stat().st_size for p in data_dir.glob("snapshot-*.bin"))
    print(f"\nsnapshot file: {size / 2**20:,.0f} MiB")


if __name__ == "__main__":
    raise SystemExit(main())
