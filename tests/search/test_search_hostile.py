"""Whatever a member types costs bounded work: huge, repeated, many-worded or odd queries,
autocomplete strings and topic names (issue 9). Work is counted, not timed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.digest import TopicModel, build_digest, guild_topic, load_catalogue
from bot.search import Completer, SearchIndex
from bot.search import segment as segment_module
from tests.support.search_samples import make_article, other_articles, seed_article

HOSTILE = [
    "a" * 1_000_000,
    "." * 1_000_000,
    '"' * 100_000,
    "(" * 100_000 + ")" * 100_000,
    "haiti " * 50_000,
    " ".join(f"word{i}" for i in range(20_000)),
    " ".join(["kenya", "haiti", "mission", "peace", "trump", "ruto", "exports"] * 3_000),
    '"' + " ".join(f"w{i}" for i in range(5_000)) + '"',
    "healthcare" * 30_000,
    "ü" * 200_000 + "\u0301" * 200_000,
    "\x00" * 100_000,
    "🙂" * 100_000,
]


@pytest.fixture(scope="module")
def counted() -> tuple[SearchIndex, dict[str, int]]:
    """An index whose vocabulary look-ups and passage tokenisations are counted."""
    index = SearchIndex.build([seed_article(), *other_articles()])
    calls = {"df": 0, "tokenize": 0}
    df = index.df

    def counting_df(term: str) -> int:
        calls["df"] += 1
        return df(term)

    index.df = counting_df  # type: ignore[method-assign]
    return index, calls


def _work(index: SearchIndex, calls: dict[str, int], query: str, monkeypatch) -> int:
    original = segment_module.tokenize

    def counting(text: str) -> list[str]:
        calls["tokenize"] += 1
        return original(text)

    monkeypatch.setattr(segment_module, "tokenize", counting)
    calls["df"] = calls["tokenize"] = 0
    result = index.search(query, limit=10)
    for hit in result.hits:
        assert all(0 <= s < e <= len(hit.excerpt) for s, e in hit.highlights)
    return calls["df"] + calls["tokenize"]


# Vocabulary look-ups and passage tokenisations one query may cost, whatever it holds: a
# constant (16 words planned, a few dozen readings each, a few hundred passages checked);
# without the caps, the 20,000-word query alone would cost 20,000 look-ups.
MAX_WORK = 1000


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: f"{q[:12]!r}x{len(q)}")
def test_a_hostile_query_costs_bounded_work(counted, query: str, monkeypatch) -> None:
    index, calls = counted
    assert _work(index, calls, query, monkeypatch) <= MAX_WORK


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.one_of(
        st.text(max_size=2000),
        st.lists(
            st.sampled_from(["haiti", "mision", "kenya's", '"', "broad", "band", "wifi", "the"]),
            max_size=400,
        ).map(" ".join),
    )
)
def test_any_query_costs_bounded_work_with_valid_highlights(
    counted, query: str, monkeypatch
) -> None:
    index, calls = counted
    assert _work(index, calls, query, monkeypatch) <= MAX_WORK


@pytest.mark.parametrize("text", HOSTILE[:6], ids=lambda q: f"{q[:12]!r}x{len(q)}")
def test_a_huge_autocomplete_string_is_cut_and_answered(text: str) -> None:
    options = [(f"id{i}", f"Headline {i} about Haiti and Kenya") for i in range(2_000)]
    result = Completer(options).complete(text)
    assert len(result) <= 25


@pytest.mark.parametrize("name", [HOSTILE[0], HOSTILE[4], HOSTILE[5], HOSTILE[9]])
def test_a_huge_topic_name_gives_an_answer_not_a_stall(name: str) -> None:
    articles = [seed_article(), *other_articles()]
    index = SearchIndex.build(articles)
    model = TopicModel.build(articles, load_catalogue())
    extra = [guild_topic(name[:200], keywords=[name[:500]])]
    assert model.resolve(name, extra) is None or model.resolve(name, extra) in extra
    digest = build_digest(
        name,
        articles={a.id: a for a in articles},
        index=index,
        topic_model=model,
        extra_topics=extra,
    )
    assert len(digest.topic) <= 100
    assert len(digest.points) <= 8


def test_a_library_of_one_word_repeated_still_searches() -> None:
    index = SearchIndex.build([make_article("a", "A", "buffalo " * 2_000 + "end.")])
    assert index.search("buffalo").hits
    assert index.search("bufallo buffalo " * 1000).hits
