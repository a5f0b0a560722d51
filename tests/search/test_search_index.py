"""What a member sees from /search: typo-tolerant, diverse, highlighted excerpts."""

from __future__ import annotations

import itertools
import random

import pytest

from bot.corpus.model import Article
from bot.search import Hit, SearchIndex, SearchResult
from tests.support.search_samples import make_article


def highlighted(hit: Hit) -> list[str]:
    return [hit.excerpt[s:e] for s, e in hit.highlights]


def sentence_indexes(result: SearchResult, article_id: str = "ruto-trump") -> list[int]:
    return [h.sentence_index for h in result.hits if h.article_id == article_id]


@pytest.mark.parametrize(
    ("query", "corrected", "expected_sentence", "words"),
    [
        ("Hati mision", "haiti mission", 11, {"haiti", "mission"}),
        ("agricultral exports", "agricultural exports", 6, {"agricultural", "exports"}),
        ("peacekeping", "peacekeeping", 8, {"peacekeeping"}),
    ],
)
def test_misspelled_query_finds_the_sentence_and_reports_the_correction(
    index: SearchIndex, query: str, corrected: str, expected_sentence: int, words: set[str]
) -> None:
    result = index.search(query)
    assert result.corrected == corrected
    top = result.hits[0]
    assert (top.article_id, top.sentence_index) == ("ruto-trump", expected_sentence)
    assert {w.lower() for w in highlighted(top)} == words


def test_a_word_in_the_vocabulary_is_never_corrected(index: SearchIndex) -> None:
    result = index.search("Trump")
    assert result.corrected is None
    assert all("Trump" in h.sentence for h in result.hits)


def test_passages_matching_more_query_words_rank_first(index: SearchIndex) -> None:
    # "mission" alone is in several sentences; only a few also say "Haiti".
    result = index.search("haiti mission", limit=10, per_article=10)
    words = ("haiti", "mission")
    both = [h for h in result.hits if all(w in h.sentence.lower() for w in words)]
    assert len(both) == 2
    assert list(result.hits[:2]) == both


def test_quoted_phrase_matches_consecutive_words_only(index: SearchIndex) -> None:
    result = index.search('"security support"')
    assert [h.sentence_index for h in result.hits] == [9]
    assert highlighted(result.hits[0]) == ["Security Support"]


def test_quoted_phrase_is_corrected_too(index: SearchIndex) -> None:
    result = index.search('"securty suport" haiti')
    assert result.corrected == '"security support" haiti'
    assert [h.sentence_index for h in result.hits] == [9]


def test_phrase_in_the_wrong_order_finds_nothing_and_suggests_dropping_quotes(
    index: SearchIndex,
) -> None:
    result = index.search('"support security"')
    assert result.hits == ()
    assert "support security" in result.suggestions


def test_nothing_found_offers_close_words(index: SearchIndex) -> None:
    result = index.search("Kebyq")  # two edits from "kenya": beyond a 5-letter word's budget
    assert result.hits == ()
    assert "kenya" in result.suggestions
    assert len(result.suggestions) <= 5


def test_at_most_per_article_hits_from_one_article(index: SearchIndex) -> None:
    for per_article in (1, 2, 3):
        result = index.search(
            "Ruto Kenya Haiti mission security", limit=10, per_article=per_article
        )
        assert len(sentence_indexes(result)) == per_article


def test_limit_is_respected(index: SearchIndex) -> None:
    assert len(index.search("the", limit=3).hits) == 3
    assert index.search("the", limit=0).hits == ()


def test_search_restricted_to_one_article(index: SearchIndex) -> None:
    result = index.search("security mission", article_id="haiti-aid", per_article=5)
    assert result.hits
    assert {h.article_id for h in result.hits} == {"haiti-aid"}


def test_unknown_article_id_gives_an_empty_result(index: SearchIndex) -> None:
    result = index.search("security", article_id="no-such-article")
    assert result == SearchResult("security", None, ())


def test_repeated_standfirst_is_one_passage_at_its_first_position(index: SearchIndex) -> None:
    result = index.search("mutual interest good governance", limit=10, per_article=10)
    matches = [h for h in result.hits if "good governance" in h.sentence]
    assert len(matches) == 1
    assert matches[0].sentence_index == 0


def test_excerpt_is_the_sentence_with_one_sentence_of_context_either_side(
    index: SearchIndex, seed: Article
) -> None:
    hit = index.search("agricultral exports").hits[0]
    s = seed.sentences
    assert hit.sentence == s[6]
    assert hit.excerpt == f"{s[5]} {s[6]} {s[7]}"
    assert hit.title == seed.title
    assert hit.url == seed.url


def test_excerpt_at_the_edges_of_an_article(index: SearchIndex, seed: Article) -> None:
    first = index.search("significant diplomatic exchange").hits[0]
    assert first.sentence_index == 1  # sentence 0 is the standfirst: context before it
    last = index.search("prosperity Atlantic").hits[0]
    assert last.sentence_index == len(seed.sentences) - 1
    assert last.excerpt == f"{seed.sentences[-2]} {seed.sentences[-1]}"
    opening = index.search("football derby late goal").hits[0]
    assert opening.sentence_index == 0
    assert opening.excerpt.startswith(opening.sentence)


def test_highlights_cover_query_words_inside_the_excerpt(index: SearchIndex) -> None:
    for query in ("Kenya's peacekeeping", "kenya haiti", "cafe owners", "café"):
        for hit in index.search(query).hits:
            assert hit.highlights, query
            spans = list(hit.highlights)
            assert spans == sorted(spans)
            assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
            start = hit.excerpt.index(hit.sentence)
            for s, e in spans:
                assert start <= s < e <= start + len(hit.sentence)


def test_accents_and_apostrophes_fold(index: SearchIndex) -> None:
    cafe = index.search("cafe")
    assert [h.article_id for h in cafe.hits] == ["cafe"]
    assert highlighted(cafe.hits[0]) == ["café"]
    owner = index.search("owners coffee").hits[0]
    assert "owner’s" in highlighted(owner)


def test_a_query_of_only_stopwords_still_finds_passages(index: SearchIndex) -> None:
    result = index.search("the")
    assert result.hits
    assert all("the" in [w.lower() for w in highlighted(h)] for h in result.hits)


@pytest.mark.parametrize(
    "query",
    ["", "   ", "?!…", "🙂🙂", "@everyone", "**", "```", "\x00", "x" * 10_000, "a b c d e f g"],
)
def test_queries_without_findable_words_give_empty_results(index: SearchIndex, query: str) -> None:
    result = index.search(query)
    assert result.query == query
    assert result.hits == ()


def test_markdown_and_mentions_around_words_are_ignored(index: SearchIndex) -> None:
    result = index.search("**peacekeeping** @everyone")
    assert 8 in sentence_indexes(result)


def test_a_very_long_query_is_cut_not_rejected(index: SearchIndex) -> None:
    result = index.search("peacekeeping " * 2000)
    assert 8 in sentence_indexes(result)


def test_ordering_is_deterministic_whatever_the_build_order(articles: list[Article]) -> None:
    shuffled = list(articles)
    random.Random(4).shuffle(shuffled)
    a, b = SearchIndex.build(articles), SearchIndex.build(shuffled)
    for query in ("the", "haiti mission", "security", "football"):
        assert a.search(query, limit=10) == b.search(query, limit=10)


def test_ties_are_broken_by_article_id_then_sentence() -> None:
    # Same length, same one matching word: only the tie-break can order them.
    twins = [
        make_article(i, i.upper(), f"Storms hit the {place}.")
        for i, place in (("b", "north"), ("c", "south"), ("a", "coast"))
    ]
    hits = SearchIndex.build(twins).search("storms").hits
    assert [h.article_id for h in hits] == ["a", "b", "c"]


def test_article_ids_for_ranks_articles_about_a_topic(index: SearchIndex) -> None:
    ranked = index.article_ids_for("football", 5)
    assert ranked[0][0] == "football"
    assert index.article_ids_for("footbal", 5)[0][0] == "football"
    assert [a for a, _ in index.article_ids_for("haiti", 5)][:2] == ["ruto-trump", "haiti-aid"]
    assert index.article_ids_for("", 5) == []
    assert index.article_ids_for("football", 0) == []


def test_stats_count_live_articles_passages_and_terms(index: SearchIndex, seed: Article) -> None:
    stats = index.stats()
    assert stats.articles == 4
    # the seed repeats its standfirst: one passage fewer than sentences
    assert stats.passages == len(seed.sentences) - 1 + 4 + 3 + 2
    assert stats.terms > 100
    assert stats.approx_bytes > 0


def test_an_empty_index_answers_every_query() -> None:
    empty = SearchIndex.build([])
    assert empty.search("anything").hits == ()
    assert empty.article_ids_for("anything", 3) == []
    assert empty.stats().passages == 0
