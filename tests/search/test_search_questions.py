"""Queries as members type them (issue 12's table), each on a small library of its own making.

Every case holds the sentence that answers it and a distractor that today's engine preferred
(or that a careless one would): the answer must come first.
"""

from __future__ import annotations

import pytest

from bot.corpus.model import Article
from bot.search import SearchIndex
from bot.search.index import ONLY_STOPWORDS


def article(article_id: str, *sentences: str) -> Article:
    return Article(
        id=article_id, title=f"Story {article_id}", body=" ".join(sentences), sentences=sentences
    )


FILLER = [
    article("f1", "The council met on Tuesday.", "Roads were closed for repairs."),
    article("f2", "Gordon Brown spoke to reporters.", "Gordon Brown later left for Brussels."),
    article("f3", "Gordon Brown met union leaders.", "Rain fell across the region."),
    article("f4", "A brain scan was ordered.", "The hospital said it was busy."),
    article("f5", "Gerry Adams spoke in Belfast.", "Gerry Adams was cheered."),
    article("f6", "Oil rose again.", "Shares rise and fall."),
]


def first_hit(query: str, *articles: Article) -> tuple[str, str | None]:
    index = SearchIndex.build([*FILLER, *articles])
    result = index.search(query, limit=5)
    assert result.hits, query
    return result.hits[0].sentence, result.corrected


def test_a_question_about_the_cost_of_living_finds_it_not_a_comedy() -> None:
    answer = "The cost of living rose again in March, official figures showed."
    sentence, corrected = first_hit(
        "is the cost of living going up",
        article("a", answer),
        article("b", "The comedy follows the goings-on in a family living room."),
    )
    assert sentence == answer
    assert corrected is None or "goings" not in corrected


def test_made_redundant_finds_the_redundancies_not_a_software_update() -> None:
    answer = "Some 400 staff were made redundant when the plant closed."
    sentence, _ = first_hit(
        "how many people were made redundant",
        article("a", answer),
        article("b", "Many people have made the Windows security update."),
    )
    assert sentence == answer


def test_jobs_cut_finds_cuts_not_jobs_created() -> None:
    answer = "The bank will cut 2,000 jobs next year."
    sentence, _ = first_hit(
        "how many jobs will be cut",
        article("a", answer),
        article("b", "The scheme created 500 jobs in the town."),
    )
    assert sentence == answer


def test_broad_band_finds_broadband_and_is_not_corrected_to_road() -> None:
    answer = "BT will double broadband speeds for its customers."
    sentence, corrected = first_hit(
        "broad band speeds",
        article("a", answer),
        article("b", "The driving game lets a road band race at top speed."),
    )
    assert sentence == answer
    assert corrected is None or "road" not in corrected


def test_gordon_braun_is_read_as_gordon_brown() -> None:
    answer = "Gordon Brown delivered his budget to the Commons."
    sentence, corrected = first_hit(
        "gordon braun budget",
        article("a", answer),
        article("b", "Gordon said the brain of the operation was the budget office."),
    )
    assert sentence == answer
    assert corrected == "gordon brown budget"


def test_oil_prise_rise_is_read_as_oil_price_rise_not_rise_rise() -> None:
    answer = "The oil price rise hit airlines."
    sentence, corrected = first_hit(
        "oil prise rise", article("a", answer), article("b", "The prise went to a rising star.")
    )
    assert sentence == answer
    assert corrected == "oil price rise"


def test_a_typo_that_is_a_word_is_read_against_the_other_words() -> None:
    answer = "The British Board of Film Classification said censors had passed it."
    sentence, corrected = first_hit(
        "film bored of censors",
        article("a", answer),
        article("b", "The film left its critics bored."),
    )
    assert sentence == answer
    assert corrected == "film board of censors"


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("wi fi hotspots", "T-Mobile will double its wi-fi hotspots."),
        ("wifi hotspots", "T-Mobile will double its wi-fi hotspots."),
        ("healthcare costs", "Rising health care costs hit GM."),
        ("health care reform", "Healthcare reform is on the agenda."),
    ],
)
def test_split_and_joined_words_meet(query: str, answer: str) -> None:
    index = SearchIndex.build(
        [*FILLER, article("a", answer), article("b", "Costs of hotspots and reform rose.")]
    )
    hit = index.search(query, limit=5).hits[0]
    assert hit.sentence == answer
    marked = [hit.excerpt[s:e].lower() for s, e in hit.highlights]
    assert marked, "the compound is highlighted"


def test_other_forms_meet_and_the_exact_form_comes_first() -> None:
    index = SearchIndex.build(
        [
            *FILLER,
            article("a", "Training was cancelled because of snow."),
            article("b", "The train was cancelled because of snow."),
            article("c", "Prices of electrified lines are falling."),
        ]
    )
    hits = index.search("train cancelled", limit=5).hits
    assert [h.article_id for h in hits[:2]] == ["b", "a"]
    assert hits[1].matched == ("Training", "cancelled")  # marked as the text writes it
    (hit,) = index.search("electrification price", limit=5).hits
    assert hit.article_id == "c"
    assert [hit.excerpt[s:e] for s, e in hit.highlights] == ["Prices", "electrified"]


def test_ferry_is_not_answered_with_gerry() -> None:
    index = SearchIndex.build([*FILLER, article("a", "The ferry crossed the channel at dawn.")])
    hits = index.search("ferry", limit=5).hits
    assert [h.article_id for h in hits] == ["a"]
    assert hits[0].matched == ("ferry",)


def test_every_hit_says_which_words_it_matched() -> None:
    index = SearchIndex.build(FILLER)
    for hit in index.search("gordon brown brussels", limit=5).hits:
        assert hit.matched
        assert all(word.lower() in {"gordon", "brown", "brussels"} for word in hit.matched)


def test_a_query_of_only_function_words_says_so_and_still_searches() -> None:
    index = SearchIndex.build([*FILLER, article("a", "What was it, and when did they go?")])
    result = index.search("what when did", limit=5)
    assert result.notice == ONLY_STOPWORDS
    assert result.hits and result.hits[0].article_id == "a"
    assert index.search("gordon brown", limit=5).notice is None


def test_function_words_never_make_a_query_fail() -> None:
    index = SearchIndex.build(FILLER)
    plain = index.search("gordon brown", limit=5).hits
    asked = index.search("what did gordon brown do and when will he", limit=5).hits
    assert asked and asked[0].sentence == plain[0].sentence


def test_a_failed_phrase_does_not_suggest_unrelated_frequent_words() -> None:
    index = SearchIndex.build(FILLER)
    result = index.search('"brown council"', limit=5)
    assert not result.hits
    assert result.suggestions == ("brown council",)
    nothing = index.search('"xqzv tax"', limit=5)
    assert not nothing.hits
    assert all(s not in ("the", "was", "fell", "for") for s in nothing.suggestions)


def test_a_missing_word_keeps_its_near_spellings_beside_exact_matches_of_others() -> None:
    index = SearchIndex.build(
        [
            article("keeper", "The keeper retired."),
            article("ferry", "The lighthouse ferry sails again."),
        ]
    )
    hits = index.search("lighthouse keepr", limit=5).hits
    assert {h.article_id for h in hits} == {"keeper", "ferry"}
