"""Any text in, no crash out: search and autocomplete against arbitrary input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.search import SearchIndex, complete
from tests.support.search_samples import make_article

WORDS = ["haiti", "mission", "peace", "kenya's", "Café", "exports", "the", '"', "**", "@"]
queries = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
    st.lists(st.text(alphabet="aehikmnopst' \"", max_size=12), max_size=6).map(" ".join),
)
sentences = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries)
def test_any_query_never_raises_and_highlights_lie_in_excerpts(
    index: SearchIndex, query: str
) -> None:
    result = index.search(query, limit=10, per_article=3)
    assert result.query == query
    assert len(result.hits) <= 10
    for hit in result.hits:
        assert hit.sentence in hit.excerpt
        previous_end = 0
        for start, end in hit.highlights:
            assert previous_end <= start < end <= len(hit.excerpt)
            previous_end = end


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(sentences, min_size=1, max_size=6), query=queries)
def test_any_article_text_can_be_indexed_and_searched(texts: list[str], query: str) -> None:
    index = SearchIndex.build([make_article("a", "A", *texts)])
    for q in (query, texts[0]):
        for hit in index.search(q).hits:
            assert hit.article_id == "a"
            assert all(0 <= s < e <= len(hit.excerpt) for s, e in hit.highlights)
    index.updated([make_article("b", "B", *texts)], ["a"]).search(query)


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(max_size=200),
    options=st.lists(
        st.tuples(st.text(min_size=1, max_size=30), st.text(max_size=300)), max_size=40
    ),
)
def test_autocomplete_never_raises_and_respects_discord_limits(
    text: str, options: list[tuple[str, str]]
) -> None:
    result = complete(text, options)
    assert len(result) <= 25
    for value, label in result:
        assert (value, label) != ("", "")
        assert len(label) <= 100
        assert any(v == value for v, _ in options)
