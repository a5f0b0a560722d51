"""Article summaries: the sentences that best stand for an article."""

from __future__ import annotations

from bot.digest import summarize
from tests.support.digest_samples import SEED, SEED_STANDFIRST, make


def test_returns_n_distinct_sentences_in_article_order() -> None:
    picked = summarize(SEED, 3)
    assert len(picked) == 3
    assert len(set(picked)) == 3
    positions = [SEED.sentences.index(s) for s in picked]
    assert positions == sorted(positions)


def test_repeated_standfirst_is_never_used_twice() -> None:
    for n in range(1, len(SEED.sentences) + 2):
        picked = summarize(SEED, n)
        assert picked.count(SEED_STANDFIRST) <= 1
        assert len(picked) == len(set(picked))
    # All distinct sentences, once each, when asked for more than there are.
    assert len(summarize(SEED, 50)) == len(set(SEED.sentences))


def test_short_articles_come_back_whole_and_deduplicated() -> None:
    article = make("short", "Title", ("One thing happened.", "One thing happened.", "Then more."))
    assert summarize(article, 3) == ["One thing happened.", "Then more."]
    assert summarize(make("empty", "Title", ()), 3) == []
    assert summarize(article, 0) == []


def test_prefers_sentences_that_stand_alone() -> None:
    # Two sentences say the same thing; the one opening with "He" leans on an earlier one.
    article = make(
        "council",
        "Council approves new bridge over the river",
        (
            "The city council approved a new bridge over the river on Monday.",
            "He said the bridge over the river would cut journeys across the city by half.",
            "The mayor said the new bridge over the river would cut journeys across the city.",
            "Work on the bridge starts in spring and should take two years.",
            "Local shops hope more visitors will come.",
        ),
    )
    picked = summarize(article, 2)
    assert not any(s.startswith("He ") for s in picked)
    assert any(s.startswith("The mayor said") for s in picked)


def test_lead_and_central_sentences_beat_asides() -> None:
    article = make(
        "rates",
        "Central bank raises interest rates to fight inflation",
        (
            "The central bank raised interest rates by half a point to fight rising inflation.",
            "Inflation reached 6% last month, the highest level in a decade.",
            "The weather in the capital was mild for the time of year.",
            "Economists expect the bank to raise interest rates again if inflation keeps rising.",
            "A spokesperson for the zoo declined to comment on the new penguins.",
        ),
    )
    picked = summarize(article, 2)
    assert picked[0].startswith("The central bank raised")
    assert not any("weather" in s or "penguins" in s for s in picked)


def test_a_long_article_is_ranked_by_degree_without_pairing_its_sentences() -> None:
    # Past the graph limit a sentence's score is its degree (shared words with the others),
    # computed from how many sentences hold each word: the same numbers as pairing every
    # two sentences, which for thousands of sentences sharing words was quadratic.
    import importlib
    import math
    import random
    from collections import defaultdict

    summarize_module = importlib.import_module("bot.digest.summarize")
    rng = random.Random(7)
    words = [f"word{i}" for i in range(400)]
    nodes = [frozenset([*rng.sample(words, 8), "harbour"]) for _ in range(300)]
    holders: dict[str, list[int]] = defaultdict(list)
    for i, terms in enumerate(nodes):
        for term in terms:
            holders[term].append(i)
    degree = [0.0] * len(nodes)
    for ids in holders.values():
        for a, i in enumerate(ids):
            for j in ids[a + 1 :]:
                degree[i] += 1
                degree[j] += 1
    expected = [d / math.log(2 + len(terms)) for d, terms in zip(degree, nodes, strict=True)]
    got = summarize_module._centrality(nodes)
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-9
