"""Search speed and quality: our index against a plain rapidfuzz scan, on 10k–1M sentences.

Run: ``.venv/bin/python benchmarks/search.py [--sizes 10000,100000,1000000] [--queries 200]``

The corpus mixes the real BBC sentences of ``../shared/corpora/bbc-news-2225`` (when present,
mojibake and all) with generated news-like sentences whose words follow a Zipfian law over
the BBC vocabulary (in its frequency order) extended by made-up words. Queries are 2–3
content words of a real sentence, picked three ways (see :func:`make_queries`), with a
typo in one or two words of 5+ letters (a letter dropped, two swapped or one substituted).
A query scores a hit@5 when its sentence (same text) is among the top 5 hits. "answerable"
is the share of queries a perfect corrector could get right at all (:func:`answerable`).
Prints a markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import math
import os
import random
import re
import statistics
import string
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil
from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.corpus.model import Article
from bot.search import SearchIndex
from bot.search.tokens import STOPWORDS, nfc, tokenize

BBC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc-news-2225"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_WORD = re.compile(r"[A-Za-z]+")


def bbc_articles() -> list[list[str]]:
    """The BBC articles as lists of sentences (empty when the corpus is absent)."""
    if not BBC.is_dir():
        return []
    out = []
    for path in sorted(BBC.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                sentences = [s.strip() for s in _SPLIT.split(row["text"]) if s.strip()]
                if sentences:
                    out.append(sentences)
    return out


def _made_up_words(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    onsets = [c for c in "bcdfghjklmnprstvwz"] + ["br", "ch", "st", "tr", "gr", "pl", "sh"]
    vowels = ["a", "e", "i", "o", "u", "ea", "ou", "ai"]
    words: list[str] = []
    while len(words) < n:
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.5:
            word += rng.choice("nrstlmd")
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def vocabulary(real: list[list[str]], rng: random.Random, size: int = 300_000) -> list[str]:
    """News-ordered words: the BBC's by frequency, then made-up words to ``size``."""
    counts: Counter[str] = Counter()
    for sentences in real:
        for sentence in sentences:
            counts.update(w.lower() for w in _WORD.findall(sentence))
    words = [w for w, _ in counts.most_common()]
    if not words:
        words = sorted(STOPWORDS)
    return words + _made_up_words(rng, max(0, size - len(words)), set(words))


def generated_sentences(words: list[str], n: int, rng: random.Random) -> list[str]:
    """``n`` sentences of Zipf-distributed words (Zipf–Mandelbrot, s = 1.05, q = 2.7)."""
    weights = [1 / (rank + 2.7) ** 1.05 for rank in range(1, len(words) + 1)]
    cum = list(itertools.accumulate(weights))
    lengths = [max(4, min(60, int(rng.gauss(22, 8)))) for _ in range(n)]
    tokens = rng.choices(words, cum_weights=cum, k=sum(lengths))
    out = []
    pos = 0
    for length in lengths:
        chunk = tokens[pos : pos + length]
        pos += length
        out.append(" ".join(chunk).capitalize() + ".")
    return out


def corpus(size: int, real: list[list[str]], words: list[str], seed: int) -> list[Article]:
    """Articles totalling ``size`` sentences: real ones (up to half) plus generated ones."""
    rng = random.Random(seed)
    articles = []
    budget = size // 2 if size < 100_000 else size
    used = 0
    for i, sentences in enumerate(real):
        if used + len(sentences) > budget:
            break
        articles.append(_article(f"bbc-{i:05d}", sentences))
        used += len(sentences)
    generated = generated_sentences(words, size - used, rng)
    pos = 0
    n = 0
    while pos < len(generated):
        take = rng.randint(10, 30)
        articles.append(_article(f"gen-{n:07d}", generated[pos : pos + take]))
        pos += take
        n += 1
    rng.shuffle(articles)
    return articles


def _article(article_id: str, sentences: list[str]) -> Article:
    return Article(
        id=article_id, title=sentences[0][:80], body=" ".join(sentences), sentences=tuple(sentences)
    )


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one typo: a letter dropped, two neighbours swapped, or one substituted."""
    for _ in range(20):
        i = rng.randrange(len(word))
        kind = rng.choice(("drop", "swap", "sub"))
        if kind == "drop":
            out = word[:i] + word[i + 1 :]
        elif kind == "swap" and i + 1 < len(word):
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            out = word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
        if out != word:
            return out
    return word


STYLES = ("distinctive", "uniform", "consecutive")
MIN_TYPO_LEN = 5  # shorter words get no typo budget (Meilisearch's rule), so no typo here


@dataclass(frozen=True)
class Query:
    """A misspelled query, the sentence it came from, and the words before the typos."""

    text: str
    source: str
    words: tuple[str, ...]
    typos: tuple[str, ...]


def make_queries(
    articles: list[Article], n: int, seed: int, style: str = "distinctive"
) -> list[Query]:
    """``n`` queries, made from the real sentences when there are any.

    A query is 2–3 content words (letters only, 3+ long, not stopwords) of one sentence, in
    sentence order, chosen by ``style``: ``distinctive`` draws words with probability
    proportional to their idf (people remember "Haiti", not "said"); ``uniform`` draws
    them uniformly; ``consecutive`` takes neighbours (phrase-like, often a common
    collocation such as "world cup"). One or two words of 5+ letters get a typo.
    """
    rng = random.Random(seed)
    pool = [a for a in articles if a.id.startswith("bbc-")] or articles
    df: Counter[str] = Counter()
    for article in pool:
        for sentence in article.sentences:
            df.update(set(tokenize(sentence)))
    total = sum(len(a.sentences) for a in pool)
    out: list[Query] = []
    while len(out) < n:
        sentence = rng.choice(rng.choice(pool).sentences)
        content = [w for w in tokenize(sentence) if len(w) >= 3 and w.isalpha()]
        content = list(dict.fromkeys(w for w in content if w not in STOPWORDS))
        k = rng.choice((2, 3))
        if len(content) < k:
            continue
        if style == "consecutive":
            start = rng.randrange(len(content) - k + 1)
            picked = list(range(start, start + k))
        elif style == "uniform":
            picked = rng.sample(range(len(content)), k)
        else:
            weights = [math.log(total / max(1, df[w])) + 0.1 for w in content]
            picked = []
            while len(picked) < k:
                i = rng.choices(range(len(content)), weights=weights)[0]
                if i not in picked:
                    picked.append(i)
        words = [content[i] for i in sorted(picked)]
        long = [i for i, w in enumerate(words) if len(w) >= MIN_TYPO_LEN]
        if not long:
            continue
        hit = set(rng.sample(long, rng.randint(1, min(2, len(long)))))
        typed = [typo(w, rng) if i in hit else w for i, w in enumerate(words)]
        typos = tuple(t for t, w in zip(typed, words, strict=True) if t != w)
        out.append(Query(" ".join(typed), nfc(sentence), tuple(words), typos))
    return out


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def answerable(articles: list[Article], queries: list[Query]) -> list[bool]:
    """Whether each query could be answered at all by a perfect corrector.

    Not when a typo made another word of the corpus (``like`` → ``hike``: an exact word is
    never corrected), nor when more than 5 different sentences hold all its original words
    (nothing in the query tells them apart).
    """
    wanted = {w for q in queries for w in (*q.words, *q.typos)}
    holders: dict[str, set[str]] = {w: set() for w in wanted}
    for article in articles:
        for sentence in article.sentences:
            for token in set(tokenize(sentence)) & wanted:
                holders[token].add(sentence)
    out = []
    for q in queries:
        if any(holders[t] for t in q.typos):
            out.append(False)
            continue
        common = set.intersection(*(holders[w] for w in q.words))
        out.append(len(common) <= 5)
    return out


def run_engine(articles: list[Article], query_sets: dict[str, list[Query]]):
    before = rss()
    start = time.perf_counter()
    index = SearchIndex.build(articles)
    build = time.perf_counter() - start
    memory = rss() - before
    for warmup in ("government said", "the", "football match", "bank rates"):
        index.search(warmup)
    times: list[float] = []
    found: dict[str, list[bool]] = {}
    for style, queries in query_sets.items():
        found[style] = []
        for q in queries:
            start = time.perf_counter()
            result = index.search(q.text, limit=5)
            times.append(time.perf_counter() - start)
            found[style].append(any(h.sentence == q.source for h in result.hits))
    return index, build, memory, times, found


def run_scan(articles: list[Article], queries: list[Query]):
    sentences = [nfc(s) for a in articles for s in a.sentences]
    times, hits = [], 0
    for q in queries:
        start = time.perf_counter()
        found = process.extract(
            q.text, sentences, scorer=fuzz.WRatio, processor=utils.default_process, limit=5
        )
        times.append(time.perf_counter() - start)
        hits += any(choice == q.source for choice, _, _ in found)
    return times, hits / len(queries)


def time_update(index: SearchIndex, articles: list[Article]) -> float:
    """Milliseconds for ``updated()`` with one changed article (median of 5)."""
    article = articles[len(articles) // 2]
    changed = Article(
        id=article.id,
        title=article.title,
        body=article.body + " A correction was added.",
        sentences=(*article.sentences, "A correction was added."),
    )
    times = []
    for _ in range(5):
        start = time.perf_counter()
        new = index.updated([changed], [])
        times.append(time.perf_counter() - start)
    assert new.search("correction was added", article_id=article.id).hits
    return statistics.median(times) * 1000


def share(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):.3f}" if flags else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=200, help="per query style")
    parser.add_argument(
        "--scan-queries", default="", help="queries for the scan per size, e.g. 50,10,3"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    scan_counts = [int(s) for s in args.scan_queries.split(",")] if args.scan_queries else []

    rng = random.Random(args.seed)
    real = bbc_articles()
    words = vocabulary(real, rng)
    print(f"BBC articles: {len(real)}; words for generated text: {len(words)}")
    header = (
        "| engine | sentences | build s | memory MB | updated() ms | p50 ms | p95 ms "
        "| hit@5 distinctive | hit@5 uniform | hit@5 consecutive "
        "| answerable | hit@5 answerable | queries |"
    )
    rows = []
    for n, size in enumerate(sizes):
        articles = corpus(size, real, words, args.seed + size)
        total = sum(len(a.sentences) for a in articles)
        query_sets = {s: make_queries(articles, args.queries, args.seed, s) for s in STYLES}
        main_set = query_sets["distinctive"]
        ok = answerable(articles, main_set)
        print(f"{total} sentences, load {os.getloadavg()[0]:.2f}: building…", flush=True)
        index, build, memory, times, found = run_engine(articles, query_sets)
        update_ms = time_update(index, articles)
        print(f"  {index.stats()}", flush=True)
        del index
        gc.collect()
        on_answerable = [f for f, a in zip(found["distinctive"], ok, strict=True) if a]
        rows.append(
            (
                "index",
                total,
                f"{build:.1f}",
                f"{memory / 2**20:.0f}",
                f"{update_ms:.1f}",
                f"{percentile(times, 0.5) * 1000:.2f}",
                f"{percentile(times, 0.95) * 1000:.2f}",
                share(found["distinctive"]),
                share(found["uniform"]),
                share(found["consecutive"]),
                share(ok),
                share(on_answerable),
                len(times),
            )
        )
        scan_n = scan_counts[n] if n < len(scan_counts) else max(3, 500_000 // size)
        times_s, hit5_s = run_scan(articles, main_set[:scan_n])
        rows.append(
            (
                "rapidfuzz WRatio scan",
                total,
                "—",
                "—",
                "—",
                f"{percentile(times_s, 0.5) * 1000:.0f}",
                f"{percentile(times_s, 0.95) * 1000:.0f}",
                f"{hit5_s:.3f}",
                "—",
                "—",
                "—",
                "—",
                scan_n,
            )
        )
        print(f"  done, load {os.getloadavg()[0]:.2f}", flush=True)
    print()
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


if __name__ == "__main__":
    main()
