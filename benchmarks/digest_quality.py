"""Digest quality: article summaries against reference summaries, and topic purity/recall.

Run: ``.venv/bin/python benchmarks/digest_quality.py`` (from the repository root). Reads
``/work/shared/corpora`` (or ``$NEWSBOT_CORPORA``) and skips with a message when it is absent.

1. Summaries of the 100 BBC articles with reference extractive summaries. Every system picks
   from the same body sentences (headline excluded) and gets exactly as many sentences as the
   reference has (equal length in sentences; the mean words per summary is printed too, so
   a system that wins by picking longer sentences shows it). ROUGE is computed here: tokens
   are lowercase ``[a-z0-9]+`` runs, no stemming, no stopword removal; ROUGE-N recall is
   clipped n-gram overlap / reference n-grams, precision / system n-grams, macro-averaged
   over articles. Baselines: Lead-N, and sumy's TextRank and LexRank (with a tokenizer
   object of our own, so sumy needs no NLTK data download; sumy's bundled English
   stopwords and NLTK's Snowball stemmer, which needs no download either).
2. Topic assignment on the 2,225 labelled BBC articles (no tags given to the model: the
   labels are only used for scoring). Purity: share of the articles that
   ``build_digest(<label word>)`` cites that carry the label; recall: share of the label's
   articles the topic model assigns the matching catalogue topic.
3. Timings: TopicModel build, SearchIndex build (when bot.search exists) and one digest.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.corpus.model import Article
from bot.digest.summarize import summarize

CORPORA = Path(os.environ.get("NEWSBOT_CORPORA", "/work/shared/corpora"))
BBC100 = CORPORA / "bbc-news-100"
BBC2225 = CORPORA / "bbc-news-2225"

_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")

Summarizer = Callable[[Article, int], list[str]]


# -- ROUGE ---------------------------------------------------------------------------------


def _ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _ROUGE_TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_n(system: str, reference: str, n: int) -> tuple[float, float]:
    """(recall, precision) of clipped n-gram overlap."""
    sys_grams, ref_grams = _ngrams(system, n), _ngrams(reference, n)
    overlap = sum((sys_grams & ref_grams).values())
    recall = overlap / max(sum(ref_grams.values()), 1)
    precision = overlap / max(sum(sys_grams.values()), 1)
    return recall, precision


# -- the systems ---------------------------------------------------------------------------


def lead_n(article: Article, n: int) -> list[str]:
    return list(article.sentences[:n])


class _LineTokenizer:
    """A sumy tokenizer that needs no NLTK data: sentences are given, words are regex runs."""

    language = "english"
    _word = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

    def to_sentences(self, paragraph: str) -> list[str]:
        return [line for line in paragraph.split("\n") if line.strip()]

    def to_words(self, sentence: str) -> list[str]:
        return self._word.findall(sentence)


def sumy_system(kind: str) -> Summarizer:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    cls = {"textrank": TextRankSummarizer, "lexrank": LexRankSummarizer}[kind]
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = _LineTokenizer()

    def run(article: Article, n: int) -> list[str]:
        doc = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in article.sentences])])
        return [str(s) for s in summarizer(doc, n)]

    return run


# -- corpora -------------------------------------------------------------------------------


def load_bbc100() -> list[tuple[Article, list[str]]]:
    pairs = []
    for path in sorted((BBC100 / "article").glob("*/*.txt")):
        lines = [
            ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").split("\n")
        ]
        lines = [ln for ln in lines if ln]
        ref_path = BBC100 / "summary" / path.parent.name / path.name
        reference = [
            ln.strip()
            for ln in ref_path.read_text(encoding="utf-8", errors="replace").split("\n")
            if ln.strip()
        ]
        article = Article(
            id=f"{path.parent.name}/{path.stem}",
            title=lines[0],
            body="\n".join(lines[1:]),
            sentences=tuple(lines[1:]),
            tags=(),
        )
        pairs.append((article, reference))
    return pairs


def bench_summaries() -> None:
    pairs = load_bbc100()
    systems: dict[str, Summarizer] = {"newsbot summarize": summarize, "Lead-N": lead_n}
    for kind, label in (("textrank", "sumy TextRank"), ("lexrank", "sumy LexRank")):
        try:
            systems[label] = sumy_system(kind)
        except Exception as exc:  # a missing optional dependency must not hide the rest
            print(f"({label} unavailable: {exc})")
    print(f"## Summaries: {len(pairs)} BBC articles vs reference extractive summaries\n")
    print("Equal length: each system picks as many sentences as the reference has.\n")
    print("| system | ROUGE-1 R | ROUGE-2 R | ROUGE-1 P | ROUGE-2 P | words/summary | s |")
    print("|---|---|---|---|---|---|---|")
    for name, system in systems.items():
        r1, r2, p1, p2, lengths = [], [], [], [], []
        start = time.perf_counter()
        for article, reference in pairs:
            picked = system(article, len(reference))
            text, ref = "\n".join(picked), "\n".join(reference)
            rec1, prec1 = rouge_n(text, ref, 1)
            rec2, prec2 = rouge_n(text, ref, 2)
            r1.append(rec1)
            r2.append(rec2)
            p1.append(prec1)
            p2.append(prec2)
            lengths.append(len(_ROUGE_TOKEN.findall(text.lower())))
        elapsed = time.perf_counter() - start
        print(
            f"| {name} | {statistics.mean(r1):.3f} | {statistics.mean(r2):.3f} "
            f"| {statistics.mean(p1):.3f} | {statistics.mean(p2):.3f} "
            f"| {statistics.mean(lengths):.0f} | {elapsed:.2f} |"
        )
    print()


LABEL_TOPICS = {
    "business": "Economy & business",
    "entertainment": "Culture & entertainment",
    "politics": "Politics & governance",
    "sport": "Sport",
    "tech": "Technology",
}


def load_bbc2225() -> tuple[list[Article], dict[str, str]]:
    """Articles (no tags: the label is what is being predicted) and their labels."""
    from bot.corpus.clean import clean_text
    from bot.corpus.sentences import split_sentences

    articles: list[Article] = []
    labels: dict[str, str] = {}
    for split in ("train", "val", "test"):
        path = BBC2225 / f"{split}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle)):
                text = clean_text(row["text"])
                sentences = split_sentences(text)
                if not sentences:
                    continue
                article_id = f"{split}-{n:04d}"
                # The headline is run into the first sentence: that sentence stands as title.
                articles.append(
                    Article(
                        id=article_id,
                        title=sentences[0],
                        body=text,
                        sentences=tuple(sentences),
                    )
                )
                labels[article_id] = row["category"].strip()
    return articles, labels


def bench_topics() -> None:
    from bot.digest import TopicModel, build_digest, load_catalogue
    from bot.search import SearchIndex

    articles, labels = load_bbc2225()
    by_id = {a.id: a for a in articles}
    catalogue = load_catalogue()
    start = time.perf_counter()
    model = TopicModel.build(articles, catalogue)
    model_s = time.perf_counter() - start
    start = time.perf_counter()
    index = SearchIndex.build(articles)
    index_s = time.perf_counter() - start
    totals = Counter(labels.values())

    print(f"## Topics: {len(articles)} labelled BBC articles (labels hidden from the model)\n")
    print(
        "| label → topic | resolved as | digest points | cited articles | purity "
        "| purity@50 | recall | assigned | assigned with label | digest ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    timings = []
    for label, expected in LABEL_TOPICS.items():
        resolved = model.resolve(label)
        start = time.perf_counter()
        digest = build_digest(label, articles=by_id, index=index, topic_model=model, limit=8)
        elapsed = time.perf_counter() - start
        timings.append(elapsed)
        cited = [s.article_id for s in digest.sources]
        purity = sum(labels[a] == label for a in cited) / max(len(cited), 1)
        topic = next(t for t in catalogue if t.name == expected)
        assigned = [a for a, _s in model.articles_for(topic)]
        top50 = [a for a, _s in model.articles_for(resolved)][:50] if resolved else []
        purity50 = sum(labels[a] == label for a in top50) / max(len(top50), 1)
        hit = sum(labels[a] == label for a in assigned)
        print(
            f"| {label} → {expected} | {resolved.name if resolved else None} "
            f"| {len(digest.points)} | {len(cited)} | {purity:.2f} | {purity50:.2f} "
            f"| {hit / totals[label]:.3f} "
            f"| {len(assigned)} | {hit / max(len(assigned), 1):.2f} | {elapsed * 1000:.0f} |"
        )
    start = time.perf_counter()
    adhoc = build_digest("footbal", articles=by_id, index=index, topic_model=model, limit=8)
    adhoc_s = time.perf_counter() - start
    adhoc_purity = sum(labels[s.article_id] == "sport" for s in adhoc.sources) / max(
        len(adhoc.sources), 1
    )
    print()
    print("Purity: share of the digest's cited articles that carry the label; purity@50: the")
    print("same over the 50 articles the topic ranks first (what a digest draws from).")
    print("Recall: share of the label's articles assigned the topic. Assigned with label:")
    print("the topic's precision as a multi-label assignment (a tech story about a firm's")
    print("profits is business too, so this is not expected to reach 1).\n")
    print("| timing | value |")
    print("|---|---|")
    print(f"| TopicModel.build, {len(articles)} articles | {model_s:.2f} s |")
    print(f"| SearchIndex.build, {len(articles)} articles | {index_s:.2f} s |")
    print(f"| one catalogue digest (median of 5) | {statistics.median(timings) * 1000:.0f} ms |")
    print(f"| one catalogue digest (slowest of 5) | {max(timings) * 1000:.0f} ms |")
    print(
        f"| ad-hoc digest 'footbal' (typo), {len(adhoc.points)} points, "
        f"sport purity {adhoc_purity:.2f} | {adhoc_s * 1000:.0f} ms |"
    )
    print()


def main(argv: Sequence[str] = ()) -> int:
    if not CORPORA.is_dir():
        print(f"skipped: no corpora at {CORPORA} (set NEWSBOT_CORPORA to point elsewhere)")
        return 0
    if BBC100.is_dir():
        bench_summaries()
    else:
        print(f"skipped summaries: {BBC100} is absent")
    if BBC2225.is_dir():
        bench_topics()
    else:
        print(f"skipped topics: {BBC2225} is absent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
