"""Among passages that hold the same words: content length, near spellings beside other
forms, and the readings of a word the library lacks."""

from __future__ import annotations

from bot.search import SearchIndex
from bot.search.plan import Planner
from bot.search.query import parse_query
from tests.support.search_samples import make_article

# Passages that hold only one of the query words, so the two-word passages have company.
FILLER = [
    make_article(f"filler-{i}", f"Filler {i}", f"Aid arrived by truck number {i} on Monday.")
    for i in range(6)
]


def test_function_words_do_not_make_a_passage_rank_lower() -> None:
    index = SearchIndex.build(
        [
            make_article("busy", "A", "Storm damage closed schools and roads across the valley."),
            make_article("plain", "B", "There was a storm, and it was over the valley."),
        ]
    )
    # Both hold both words; the plain one says little else (its other words are "the",
    # "was", "it"), so it is the more about a storm in the valley.
    assert index.search("storm valley").hits[0].article_id == "plain"


def test_a_word_the_library_lacks_is_read_as_its_near_spelling_before_its_stem() -> None:
    index = SearchIndex.build(
        [
            make_article("bonus", "Pay", "Staff incentives were paid in March."),
            make_article("patent", "Patents", "Firms want to protect their inventions."),
        ]
    )
    # "incentions" is one key from "inventions"; "incentives" only shares its stem.
    result = index.search("incentions")
    assert result.hits[0].article_id == "patent"
    assert result.corrected == "inventions"


def test_every_reading_of_a_lacked_word_counts_before_passages_missing_it() -> None:
    index = SearchIndex.build(
        [
            *FILLER,
            make_article("commissioner", "A", "The aid commissioner visited the camp."),
            make_article("commission", "B", "The commission sent aid to the region."),
        ]
    )
    result = index.search("aid commissio")
    # "commissioner" (same stem) and "commission" (one letter) are both readings of the
    # word typed: both passages come before those that only say "aid".
    assert {h.article_id for h in result.hits[:2]} == {"commissioner", "commission"}
    assert all(int(h.score) == 1 for h in result.hits[2:])
    # What the best hit matched is a correction, not the word as typed.
    top = result.hits[0]
    assert result.corrected == f"aid {top.article_id}"


def test_a_form_of_a_near_spelling_needs_more_company_than_the_spelling_itself() -> None:
    index = SearchIndex.build(
        [
            make_article("changes", "A", "The world changes and so do we."),
            make_article("changed", "B", "The world changed and so did we."),
            *(make_article(f"prices-{i}", "P", f"Prices changed on day {i}.") for i in range(3)),
        ]
    )
    # "chznged" is one slip from "changed"; "changes" is a form of that, two edits away.
    plan = Planner(index).plan(parse_query("world chznged"))
    bit = {word: b for b, word in plan.alts}
    # "changes" keeps the company of "world" more often (1 in 1; "changed" 1 in 4), which
    # is not enough to outweigh the extra edit.
    counts = {bit["world"] | bit["changed"]: 1, bit["world"] | bit["changes"]: 1, bit["changed"]: 3}
    weights = plan.in_context(counts).weights
    assert weights[bit["changed"]] > weights[bit["changes"]]


def test_a_typo_that_is_a_word_is_still_read_when_only_its_forms_meet_the_others() -> None:
    index = SearchIndex.build(
        [
            make_article("meant", "A", "He was a fair-minded and dedicated public servant."),
            make_article("forms", "B", "Mining firms once hired a servant for every shaft."),
            make_article("coal", "C", "Coal was mined in the valley for a century."),
        ]
    )
    # "mined" is a word, and "mining" (its form) stands beside "servant"; but no passage
    # holds "mined" itself, so "minded" (one letter away) is offered too, below it.
    hits = index.search("mined servant").hits
    assert [h.article_id for h in hits[:2]] == ["forms", "meant"]
    assert "minded" in [w.lower() for w in hits[1].matched]


def test_a_near_spelling_is_left_out_when_the_word_as_typed_is_there() -> None:
    index = SearchIndex.build(
        [
            make_article("ferry", "A", "The ferry left the harbour late."),
            make_article("gerry", "B", "Gerry left the harbour late."),
        ]
    )
    assert [h.article_id for h in index.search("ferry harbour").hits] == ["ferry"]


def test_scores_never_rise_down_the_list() -> None:
    index = SearchIndex.build(
        [
            # The exact word in a long sentence; another form in a short one, which blends
            # higher (BM25, rapidfuzz) but ranks lower.
            make_article(
                "exact",
                "A",
                "The ferry company, which runs boats to six islands and employs many local "
                "crews from the coast, raised its price.",
            ),
            make_article("form", "B", "Ferry prices."),
        ]
    )
    hits = index.search("ferry price").hits
    assert [h.article_id for h in hits] == ["exact", "form"]  # the exact form comes first
    assert hits[0].score >= hits[1].score
