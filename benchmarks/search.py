"""Search speed and quality: our index against a plain rapidfuzz scan, on 10k–1M sentences.

Run: ``.venv/bin/python benchmarks/search.py [--sizes 10000,100000,1000000] [--queries 200]
[--complete 100000]``

First, autocomplete: the latency of each keystroke over ``--complete`` headlines.

The corpus mixes the real BBC sentences of ``../shared/corpora/bbc-news-2225`` (when present,
mojibake and all) with generated news-like sentences whose words follow a Zipfian law over
the BBC vocabulary (in its frequency order) extended by made-up words that look like words
(see :func:`rank_weights` and :class:`WordMaker`). Queries are 2–3 content words of a real
(BBC) sentence, picked three ways (see :func:`make_queries`), with one typo in a word of 5+
letters (a letter dropped, two swapped, a neighbouring key substituted or typed too). A query
scores a hit@5 when its sentence (same text) is among the top 5 hits. Latency is wall-clock
and, less at the mercy of other processes on a shared machine, the CPU time of the searching
thread (``time.thread_time``). "answerable" is the share of queries whose original words are
held together by at most 5 sentences, "typo is a word" the share whose typo is itself a corpus
word (:func:`ambiguity`). Prints a markdown table; asserts nothing.
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

import numpy as np
import psutil
from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.corpus.model import Article
from bot.search import SearchIndex
from bot.text import STOPWORDS, nfc, tokenize

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


# Word frequencies: Zipf–Mandelbrot (s = 1, q = 2.7) over the head of the vocabulary, steeper
# (s = 2.1) past rank 9,000, over a million possible words. Drawn for ~22M tokens (1M
# sentences) this gives ~200k distinct forms, ~45% of them seen once (Heaps' law as real news
# shows it; the BBC's 0.86M tokens hold 28k); a single Zipf law would use up every word.
HEAD_S, TAIL_S, KNEE, Q, VOCAB = 1.0, 2.1, 9_000, 2.7, 1_000_000


def rank_weights() -> np.ndarray:
    """The probability of each word rank (0 = most frequent)."""
    r = np.arange(1, VOCAB + 1, dtype=float) + Q
    w = r**-HEAD_S
    tail = slice(KNEE, None)
    w[tail] = (KNEE + Q) ** -HEAD_S * (r[tail] / (KNEE + Q)) ** -TAIL_S
    return w / w.sum()


class WordMaker:
    """Made-up words from a letter-trigram model of real words: they look like words.

    Trained on the distinct words of the BBC (rare names included), so lengths and letter
    patterns, and so how often two words lie one typo apart, are those of real words. Checked
    once against wordfreq's English list cut to the same size (~204k words) plus the BBC's:
    a typo of a BBC word is a word of the 1M-sentence corpus 4.4% of the time (9.8% for the
    typos of the queries), of the real-word list 5.4% (11.2%), so made-up words collide
    a little less than real ones, not more.
    """

    def __init__(self, words: list[str], rng: random.Random) -> None:
        follow: dict[str, Counter[str]] = {}
        for word in words:
            padded = "^^" + word + "$"
            for i in range(2, len(padded)):
                follow.setdefault(padded[i - 2 : i], Counter())[padded[i]] += 1
        self._next = {
            k: (list(c), list(itertools.accumulate(c.values()))) for k, c in follow.items()
        }
        self._rng = rng

    def word(self) -> str:
        out = "^^"
        while len(out) < 20:
            letters, cum = self._next[out[-2:]]
            c = self._rng.choices(letters, cum_weights=cum)[0]
            if c == "$":
                break
            out += c
        return out[2:]

    def fresh(self, n: int, taken: set[str]) -> list[str]:
        """``n`` new words (3+ letters), none in ``taken`` (which they join)."""
        out: list[str] = []
        while len(out) < n:
            word = self.word()
            if len(word) >= 3 and word not in taken:
                taken.add(word)
                out.append(word)
        return out


def vocabulary(real: list[list[str]]) -> list[str]:
    """The BBC's words, most frequent first (the head of every generated vocabulary)."""
    counts: Counter[str] = Counter()
    for sentences in real:
        for sentence in sentences:
            counts.update(w.lower() for w in _WORD.findall(sentence))
    words = [w for w, _ in counts.most_common()]
    return words or sorted(STOPWORDS)


def generated_sentences(words: list[str], n: int, seed: int) -> list[str]:
    """``n`` sentences of Zipf-distributed words: ``words`` first, then made-up words."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.normal(22, 8, n).astype(int), 4, 60)
    ranks = rng.choice(VOCAB, size=int(lengths.sum()), p=rank_weights())
    lookup: list[str | None] = [None] * VOCAB
    lookup[: len(words)] = words[:VOCAB]
    missing = [int(r) for r in np.unique(ranks) if lookup[r] is None]
    maker = WordMaker([w for w in words if len(w) >= 3], random.Random(seed))
    for r, word in zip(missing, maker.fresh(len(missing), set(words)), strict=True):
        lookup[r] = word
    tokens = [lookup[r] for r in ranks.tolist()]
    out = []
    pos = 0
    for length in lengths.tolist():
        out.append(" ".join(tokens[pos : pos + length]).capitalize() + ".")
        pos += length
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
    generated = generated_sentences(words, size - used, seed)
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


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {
    c: "".join(
        k
        for r2, row2 in enumerate(_ROWS)
        for c2, k in enumerate(row2)
        if abs(r2 - r) <= 1 and abs(c2 - c1) <= 1 and k != c
    )
    for r, row in enumerate(_ROWS)
    for c1, c in enumerate(row)
}


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one typo as people make them.

    A letter dropped, two neighbours swapped, a letter replaced by a neighbouring key, or a
    neighbouring key (or the same one again) typed after a letter.
    """
    for _ in range(20):
        i = rng.randrange(len(word))
        near = _NEAR_KEYS.get(word[i], string.ascii_lowercase)
        kind = rng.choice(("drop", "swap", "sub", "insert"))
        if kind == "drop":
            out = word[:i] + word[i + 1 :]
        elif kind == "swap" and i + 1 < len(word):
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == "insert":
            out = word[: i + 1] + rng.choice(near + word[i]) + word[i + 1 :]
        else:
            out = word[:i] + rng.choice(near) + word[i + 1 :]
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
    typo: str


def make_queries(
    articles: list[Article], n: int, seed: int, style: str = "distinctive"
) -> list[Query]:
    """``n`` queries, made from the real sentences when there are any.

    A query is 2–3 content words (letters only, 3+ long, not stopwords) of one sentence, in
    sentence order, chosen by ``style``: ``distinctive`` draws words with probability
    proportional to their idf (people remember "Haiti", not "said"); ``uniform`` draws
    them uniformly; ``consecutive`` takes neighbours (phrase-like, often a common
    collocation such as "world cup"). One word of 5+ letters gets one typo.
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
        typed = list(words)
        i = rng.choice(long)
        typed[i] = typo(words[i], rng)
        out.append(Query(" ".join(typed), nfc(sentence), tuple(words), typed[i]))
    return out


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ambiguity(articles: list[Article], queries: list[Query]) -> tuple[list[bool], list[bool]]:
    """Per query: is it answerable at all, and is its typo itself a word of the corpus?

    Answerable: at most 5 different sentences hold all of its words as they were before the
    typo (else nothing in the query tells them apart, and a top 5 may miss its sentence
    through no fault of the engine). A typo that is a corpus word (``station`` →
    ``statin``) must be matched as a near variant, not as typed.
    """
    wanted = {w for q in queries for w in (*q.words, q.typo)}
    holders: dict[str, set[str]] = {w: set() for w in wanted}
    for article in articles:
        for sentence in article.sentences:
            for token in set(tokenize(sentence)) & wanted:
                holders[token].add(sentence)
    answerable = [len(set.intersection(*(holders[w] for w in q.words))) <= 5 for q in queries]
    is_word = [bool(holders[q.typo]) for q in queries]
    return answerable, is_word


def same_sentence(found: str, source: str) -> bool:
    """``found`` is the query's sentence: itself, or its copy in a syndicated article that
    differs only in case or punctuation (search shows such a sentence once)."""
    return found == source or tokenize(found) == tokenize(source)


def run_engine(articles: list[Article], query_sets: dict[str, list[Query]]):
    before = rss()
    start = time.perf_counter()
    index = SearchIndex.build(articles)
    build = time.perf_counter() - start
    memory = rss() - before
    for warmup in ("government said", "the", "football match", "bank rates"):
        index.search(warmup)
    times: list[float] = []
    cpu: list[float] = []
    found: dict[str, list[bool]] = {}
    for style, queries in query_sets.items():
        found[style] = []
        for q in queries:
            start, start_cpu = time.perf_counter(), time.thread_time()
            result = index.search(q.text, limit=5)
            cpu.append(time.thread_time() - start_cpu)
            times.append(time.perf_counter() - start)
            found[style].append(any(same_sentence(h.sentence, q.source) for h in result.hits))
    return index, build, memory, times, cpu, found


def run_scan(articles: list[Article], queries: list[Query]):
    sentences = [nfc(s) for a in articles for s in a.sentences]
    times, hits = [], 0
    for q in queries:
        start = time.perf_counter()
        found = process.extract(
            q.text, sentences, scorer=fuzz.WRatio, processor=utils.default_process, limit=5
        )
        times.append(time.perf_counter() - start)
        hits += any(same_sentence(choice, q.source) for choice, _, _ in found)
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


def time_autocomplete(real: list[list[str]], size: int, seed: int) -> None:
    """Per-keystroke autocomplete latency over ``size`` headlines (BBC first sentences,
    repeated with a number so each is distinct): every prefix of 40 headlines as typed,
    then 40 with one typo in a word. The options are folded once, as the service does."""
    from bot.search.complete import Completer

    heads = [s[0][:90] for s in real] or ["Chancellor unveils the budget"]
    options = [(f"id{i}", f"{heads[i % len(heads)]} ({i})") for i in range(size)]
    start = time.perf_counter()
    completer = Completer(options).warm()
    warm = time.perf_counter() - start
    rng = random.Random(seed)
    typed, typos = [], []
    for head in rng.sample(heads, min(40, len(heads))):
        text = head[:20]
        typed += [text[:k] for k in range(1, len(text) + 1)]
        words = [w for w in text.split() if len(w) >= 5]
        if words:
            typos.append(text.replace(words[0], typo(words[0].lower(), rng), 1))
    for name, queries in (("prefix keystrokes", typed), ("with a typo", typos)):
        times = []
        for q in queries:
            start = time.perf_counter()
            completer.complete(q)
            times.append(time.perf_counter() - start)
        print(
            f"autocomplete over {size} headlines, {name}: p50 "
            f"{percentile(times, 0.5) * 1000:.2f} ms, p95 {percentile(times, 0.95) * 1000:.2f} "
            f"ms, max {max(times) * 1000:.2f} ms ({len(times)} calls; folding once {warm:.1f} s)"
        )


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
    parser.add_argument(
        "--complete", type=int, default=100_000, help="headlines for autocomplete (0: skip)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    scan_counts = [int(s) for s in args.scan_queries.split(",")] if args.scan_queries else []

    real = bbc_articles()
    if args.complete:
        time_autocomplete(real, args.complete, args.seed)
    words = vocabulary(real)
    print(f"BBC articles: {len(real)}; their words head a Zipf vocabulary of {VOCAB}")
    header = (
        "| engine | sentences | build s | memory MB | updated() ms | p50 ms | p95 ms "
        "| p50 CPU ms | p95 CPU ms "
        "| hit@5 distinctive | hit@5 uniform | hit@5 consecutive "
        "| answerable | hit@5 answerable | typo is a word | hit@5 typo is a word | queries |"
    )
    rows = []
    for n, size in enumerate(sizes):
        articles = corpus(size, real, words, args.seed + size)
        total = sum(len(a.sentences) for a in articles)
        query_sets = {s: make_queries(articles, args.queries, args.seed, s) for s in STYLES}
        main_set = query_sets["distinctive"]
        ok, is_word = ambiguity(articles, main_set)
        print(f"{total} sentences, load {os.getloadavg()[0]:.2f}: building…", flush=True)
        index, build, memory, times, cpu, found = run_engine(articles, query_sets)
        update_ms = time_update(index, articles)
        print(f"  {index.stats()}", flush=True)
        del index
        gc.collect()
        on_answerable = [f for f, a in zip(found["distinctive"], ok, strict=True) if a]
        on_words = [f for f, w in zip(found["distinctive"], is_word, strict=True) if w]
        for k in (2, 3):
            picked = [i for i, q in enumerate(main_set) if len(q.words) == k]
            hits = share([found["distinctive"][i] for i in picked])
            print(
                f"  distinctive, {k} words: hit@5 {hits}, answerable "
                f"{share([ok[i] for i in picked])} ({len(picked)} queries)",
                flush=True,
            )
        rows.append(
            (
                "index",
                total,
                f"{build:.1f}",
                f"{memory / 2**20:.0f}",
                f"{update_ms:.1f}",
                f"{percentile(times, 0.5) * 1000:.2f}",
                f"{percentile(times, 0.95) * 1000:.2f}",
                f"{percentile(cpu, 0.5) * 1000:.2f}",
                f"{percentile(cpu, 0.95) * 1000:.2f}",
                share(found["distinctive"]),
                share(found["uniform"]),
                share(found["consecutive"]),
                share(ok),
                share(on_answerable),
                share(is_word),
                share(on_words),
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
                "—",
                "—",
                f"{hit5_s:.3f}",
                "—",
                "—",
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
