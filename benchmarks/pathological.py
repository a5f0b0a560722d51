"""Hostile article files: does each load (or get rejected) in time linear in its size?

Each family of hostile text (one punctuation character repeated, nested brackets, deep YAML
front matter and JSON, one huge word, no whitespace, a million one-character lines,
combining marks, mixed scripts, NUL bytes...) is written as one file at each size and
loaded through ``Library.reload`` (parsing runs in the worker processes, under
``PARSE_TIMEOUT_SECONDS``); the table gives seconds, seconds per MB (flat when growth is
linear) and what happened. Target: every family at 5 MB loads or is rejected in ≤ 10 s.
``--service`` also times ``NewsService.load`` over the same folder (library + search index
+ topics), to see the stages after parsing. ``--snapshots`` times reading hostile snapshot
files of each size (garbage, one byte repeated, a truncated real one, a good header over a
wrong checksum, a checksum-valid pickle of lists nested as deep as the size allows): each
must be refused, in time linear in its size at worst.

    .venv/bin/python benchmarks/pathological.py --sizes 10000,100000
    .venv/bin/python benchmarks/pathological.py                 # 10 KB … 5 MB, a few minutes
    .venv/bin/python benchmarks/pathological.py --families dots,md-brackets --service
    .venv/bin/python benchmarks/pathological.py --snapshots --families none
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.corpus.library import Library  # noqa: E402
from bot.corpus.workers import DEFAULT_PARSE_TIMEOUT, parse_one  # noqa: E402

HEAD = b"Hostile headline\n"


def _fill(unit: bytes, size: int, prefix: bytes = HEAD, suffix: bytes = b"") -> bytes:
    room = max(0, size - len(prefix) - len(suffix))
    body = (unit * (room // len(unit) + 1))[:room]
    return prefix + body.decode("utf-8", "ignore").encode() + suffix  # whole characters


def _nested(open_: bytes, close: bytes, size: int, prefix: bytes, suffix: bytes) -> bytes:
    depth = max(1, (size - len(prefix) - len(suffix)) // (len(open_) + len(close)))
    return prefix + open_ * depth + close * depth + suffix


def _mixed_scripts(size: int) -> bytes:
    rng = random.Random(9)
    words = [
        "news",
        "Новости",
        "ειδήσεις",
        "أخبار",
        "新闻",
        "समाचार",
        "뉴스",
        "ニュース",
        "חדשות",
        "ข่าว",
        "😀🎉",
        "café",
    ]
    out: list[str] = ["Mixed scripts\n"]
    total = 0
    while total < size:
        word = rng.choice(words) + rng.choice(("", "", ".", ",", "!"))
        out.append(word)
        total += len(word.encode()) + 1
    return " ".join(out).encode()[:size].decode("utf-8", "ignore").encode()


def _no_whitespace(size: int) -> bytes:
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789.,;:!?-'\"()[]"
    return HEAD + "".join(rng.choice(alphabet) for _ in range(size - len(HEAD))).encode()


FAMILIES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "dots": (".txt", lambda n: _fill(b".", n)),
    "bangs": (".txt", lambda n: _fill(b"!", n)),
    "questions": (".txt", lambda n: _fill(b"?", n)),
    "dots-spaced": (".txt", lambda n: _fill(b". ", n)),
    "nested-brackets": (".txt", lambda n: _nested(b"([{", b"}])", n, HEAD, b"")),
    "md-brackets": (".md", lambda n: _fill(b"[", n, b"# Brackets\n")),
    "md-links": (".md", lambda n: _fill(b"[a](", n, b"# Links\n")),
    "md-emphasis": (".md", lambda n: _fill(b"**a _b ", n, b"# Emphasis\n")),
    "yaml-deep": (".md", lambda n: _nested(b"[", b"]", n, b"---\na: ", b"\n---\n# T\nBody.\n")),
    "yaml-dashes": (".md", lambda n: _fill(b"- ", n, b"---\na:\n  ", b"x\n---\n# T\nBody.\n")),
    "json-deep": (
        ".json",
        lambda n: _nested(b"[", b"]", n, b'{"title": "T", "body": "B.", "x": ', b"}"),
    ),
    "json-bigint": (
        ".json",
        lambda n: _fill(b"7", n, b'{"title": "T", "body": "B.", "x": ', b"}"),
    ),
    "jsonl-bad-lines": (".jsonl", lambda n: _fill(b"x\n", n, b"")),
    "jsonl-empty-objects": (".jsonl", lambda n: _fill(b"{}\n", n, b"")),
    "mojibake": (".txt", lambda n: _fill("Ã©tÃ© â€™ Â£5 ".encode(), n)),
    # ...and one broken sequence (a lone "Ã") in every line: ftfy's slow path throughout.
    "mojibake-broken": (".txt", lambda n: _fill("Ã©tÃ© â€™ Â£5 Ã\n".encode(), n)),
    "one-word": (".txt", lambda n: _fill(b"a", n)),
    "no-whitespace": (".txt", _no_whitespace),
    "one-char-lines": (".txt", lambda n: _fill(b"a\n", n)),
    "combining": (".txt", lambda n: _fill("a\u0301\u0316\u0300\u0317".encode(), n)),
    "mixed-scripts": (".txt", _mixed_scripts),
    "nul-bytes": (".txt", lambda n: _fill(b"\x00", n)),
    "nul-sprinkled": (".txt", lambda n: _fill(b"Some text here.\x00 ", n)),
}
SIZES = (10_000, 100_000, 1_000_000, 5_000_000)


def _label(size: int) -> str:
    return f"{size // 1_000_000} MB" if size >= 1_000_000 else f"{size // 1000} KB"


def _outcome(library: Library) -> str:
    if library.articles:
        article = next(iter(library.articles.values()))
        return f"loaded ({len(article.sentences):,} sentences)"
    if library.rejected:
        return "rejected: " + library.rejected[0].reason[:70]
    return "nothing"


def _snapshot_files(snapshot: Any, size: int) -> dict[str, bytes]:
    """Hostile files to put where ``snapshot`` (a ``bot.snapshot.Snapshot``) reads."""
    from bot.snapshot import FORMAT_VERSION, HEADER, MAGIC

    def framed(payload: bytes, checksum: bytes | None = None) -> bytes:
        digest = checksum if checksum is not None else hashlib.sha256(payload).digest()
        head = HEADER.pack(
            MAGIC, FORMAT_VERSION, snapshot.fingerprint, snapshot.folder, len(payload), digest
        )
        return head + payload

    depth = max(1, (size - HEADER.size) // 2)
    real = snapshot.path.read_bytes()
    return {
        "garbage": random.Random(size).randbytes(size),
        "one-byte": b"(" * size,
        "truncated": (real * (size // len(real) + 1))[:size] if size < len(real) else real[:-1],
        "bad-checksum": framed(b"\x00" * size, checksum=b"\x00" * 32),
        "deep-lists": framed(b"\x80\x05" + b"]" * depth + b"a" * (depth - 1) + b"."),
    }


def _time_snapshots(sizes: list[int]) -> float:
    """Read each hostile snapshot through ``Snapshot.load``; the slowest read's seconds."""
    from bot.service import NewsService

    worst = 0.0
    print(f"{'snapshot':<16} {'size':>6} {'seconds':>8} {'s/MB':>7}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        (folder / "one.txt").write_text("A headline\nOne sentence of text.\n", encoding="utf-8")
        snapshot = NewsService.load(folder, data_dir=Path(tmp) / "data").snapshot
        assert snapshot is not None
        for size in sizes:
            for name, data in _snapshot_files(snapshot, size).items():
                snapshot.path.write_bytes(data)
                began = time.perf_counter()
                payload = snapshot.load()
                seconds = time.perf_counter() - began
                worst = max(worst, seconds)
                outcome = (
                    "refused"
                    if payload is None
                    else f"read as a {type(payload).__name__}: the service refuses its shape"
                )
                per_mb = seconds / (len(data) / 1_000_000)
                row = f"{name:<16} {_label(len(data)):>6} {seconds:>8.3f} {per_mb:>7.2f}"
                print(f"{row}  {outcome}")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="bytes, comma-separated")
    parser.add_argument("--families", default="", help="comma-separated (default: all)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_PARSE_TIMEOUT)
    parser.add_argument("--service", action="store_true", help="also time NewsService.load")
    parser.add_argument("--snapshots", action="store_true", help="also hostile snapshot files")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # rejections are the table's business
    sizes = [int(s) for s in args.sizes.split(",") if s]
    names = [f for f in args.families.split(",") if f] or list(FAMILIES)
    if names == ["none"]:  # only the snapshots
        names = []
    unknown = sorted(set(names) - set(FAMILIES))
    if unknown:
        parser.error(f"unknown families: {', '.join(unknown)} (known: {', '.join(FAMILIES)})")

    start = time.perf_counter()
    parse_one("warm.txt", b"Warm\nUp.", max_bytes=100)  # start the worker pool first
    print(f"worker pool started in {time.perf_counter() - start:.2f} s")
    columns = f"{'family':<16} {'size':>6} {'seconds':>8} {'s/MB':>7}  outcome"
    if args.service:
        columns = columns.replace("  outcome", f" {'service':>8}  outcome")
    print(columns)
    worst = 0.0
    for name in names:
        suffix, make = FAMILIES[name]
        for size in sizes:
            data = make(size)
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                (folder / f"{name}{suffix}").write_bytes(data)
                library = Library(folder, parse_timeout=args.timeout)
                began = time.perf_counter()
                library.reload()
                seconds = time.perf_counter() - began
                worst = max(worst, seconds)
                per_mb = seconds / (len(data) / 1_000_000)
                row = f"{name:<16} {_label(size):>6} {seconds:>8.3f} {per_mb:>7.2f}"
                if args.service:
                    from bot.service import NewsService

                    began = time.perf_counter()
                    NewsService.load(folder, parse_timeout=args.timeout)
                    row += f" {time.perf_counter() - began:>8.3f}"
                print(f"{row}  {_outcome(library)}", flush=True)
    if args.snapshots:
        worst = max(worst, _time_snapshots(sizes))
    print(f"slowest: {worst:.2f} s (target: every family at 5 MB within 10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
