"""Sentence splitting on news English: boundary accuracy against gold, and speed.

Gold: the 100 BBC articles of ``../shared/corpora/bbc-news-100`` (one sentence per line),
each paragraph rejoined into one line and split again. Speed: the 2,225 BBC articles.
Our rule splitter is always measured; pysbd and syntok are measured beside it when they
are installed (``pip install pysbd syntok``; not project dependencies).

    .venv/bin/python benchmarks/sentences.py
"""

from __future__ import annotations

import csv
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

from bot.corpus.clean import clean_text
from bot.corpus.sentences import split_sentences

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
Splitter = Callable[[str], list[str]]


def _by_line(split_line: Callable[[str], list[str]]) -> Splitter:
    def split(text: str) -> list[str]:
        return [s.strip() for line in text.splitlines() if line.strip() for s in split_line(line)]

    return split


def splitters() -> dict[str, Splitter]:
    found: dict[str, Splitter] = {"newsbot rules": split_sentences}
    if importlib.util.find_spec("pysbd"):
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False)
        found["pysbd"] = _by_line(segmenter.segment)
    if importlib.util.find_spec("syntok"):
        import syntok.segmenter as syntok

        found["syntok"] = _by_line(
            lambda line: [
                "".join(t.spacing + t.value for t in sentence)
                for paragraph in syntok.process(line)
                for sentence in paragraph
            ]
        )
    return found


def gold_paragraphs() -> list[list[str]]:
    paragraphs: list[list[str]] = []
    for path in sorted((CORPORA / "bbc-news-100" / "article").glob("*/*.txt")):
        current: list[str] = []
        for line in [*path.read_text(encoding="utf-8").split("\n")[1:], ""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                paragraphs.append(current)
                current = []
    return paragraphs


def boundaries(sentences: list[str]) -> set[int]:
    """Sentence ends as offsets into the text without white space."""
    position, ends = 0, set()
    for sentence in sentences:
        position += len("".join(sentence.split()))
        ends.add(position)
    return ends


def main() -> int:
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA} is not here")
        return 0
    gold = gold_paragraphs()
    rows = [
        row["text"]
        for split in ("train", "val", "test")
        for row in csv.DictReader((CORPORA / "bbc-news-2225" / f"{split}.csv").open())
    ]
    texts = [clean_text(text) for text in rows]
    print(
        f"gold: {len(gold)} paragraphs, {sum(map(len, gold))} sentences; "
        f"speed: {len(texts)} articles"
    )
    print("| splitter | gold precision | gold recall | gold F1 | sentences/s |")
    print("|---|---|---|---|---|")
    for name, split in splitters().items():
        tp = fp = fn = 0
        for paragraph in gold:
            expected, found = boundaries(paragraph), boundaries(split(" ".join(paragraph)))
            tp += len(expected & found)
            fp += len(found - expected)
            fn += len(expected - found)
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)
        start = time.perf_counter()
        count = sum(len(split(text)) for text in texts)
        rate = count / (time.perf_counter() - start)
        print(f"| {name} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {rate:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
