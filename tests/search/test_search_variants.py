"""A typo may be another word of the corpus: every query word also matches its near spellings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.search import Hit, SearchIndex
from tests.support.search_samples import make_article

# Enough passages saying "said" that it is by far the likeliest word behind a typed "sadi".
CHATTER = [
    make_article(f"chatter-{i}", f"Chatter {i}", f"Officials said talk number {i} went well.")
    for i in range(60)
]


def highlighted(hit: Hit) -> list[str]:
    return [hit.excerpt[s:e].lower() for s, e in hit.highlights]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(
        [
            *CHATTER,
            make_article("carnot", "Heat", "Sadi Carnot studied heat engines in Paris."),
            make_article("budget", "Budget", "The finance minister said the budget would pass."),
            make_article("fans", "Derby", "Fans were booing the referee at the derby."),
            make_article("boom", "Boom", "The booming economy lifted wages across the north."),
            make_article("x-exact", "Press", "The minister met the press on Monday."),
            make_article("a-plural", "Press", "The ministers met the press on Monday."),
            make_article("goal", "Goal", "A late goal won the cup."),
            make_article("coal", "Coal", "The coal mine closed in May."),
        ]
    )


def test_a_typo_that_is_a_rare_word_finds_the_frequent_word_meant(index: SearchIndex) -> None:
    result = index.search("sadi minister")
    top = result.hits[0]
    assert top.article_id == "budget"
    assert result.corrected == "said minister"
    assert set(highlighted(top)) == {"said", "minister"}


def test_the_rare_word_as_typed_still_ranks_first_when_alone(index: SearchIndex) -> None:
    result = index.search("sadi")
    assert result.hits[0].article_id == "carnot"
    assert result.corrected is None


def test_a_longer_typo_that_is_a_word_finds_the_passage_holding_all_words(
    index: SearchIndex,
) -> None:
    # "booing" is in the corpus, but only "booming" appears beside "economy".
    result = index.search("booing economy")
    assert result.hits[0].article_id == "boom"
    assert result.corrected == "booming economy"
    assert set(highlighted(result.hits[0])) == {"booming", "economy"}


@pytest.mark.parametrize(
    ("query", "first", "second"),
    [("minister press", "x-exact", "a-plural"), ("ministers press", "a-plural", "x-exact")],
)
def test_the_word_as_typed_beats_its_variant(
    index: SearchIndex, query: str, first: str, second: str
) -> None:
    result = index.search(query, limit=2)
    assert [h.article_id for h in result.hits] == [first, second]
    assert result.corrected is None  # the best hit holds the words as typed


def test_a_variant_is_highlighted_where_the_typed_word_is_missing(index: SearchIndex) -> None:
    plural = index.search("minister press", limit=2).hits[1]
    assert set(highlighted(plural)) == {"ministers", "press"}


def test_a_short_word_the_index_has_is_taken_as_typed(index: SearchIndex) -> None:
    # "coal" is one edit from "goal" but no likelier: short words are not read as others.
    assert [h.article_id for h in index.search("goal").hits] == ["goal"]


def test_a_slip_of_the_fingers_is_read_before_a_far_key() -> None:
    # "trush": h is beside t on the keyboard, s is far from t ("truth").
    index = SearchIndex.build(
        [
            make_article("truth", "Truth", "Voters want the truth from the party."),
            make_article("trust", "Trust", "Voters want trust from the party."),
            make_article("tense", "Tennis", "She took the second set after a tense tiebreak."),
            make_article("ease", "Tennis", "She took the second set with ease today."),
        ]
    )
    assert index.search("trush voters").hits[0].article_id == "trust"
    # "ense": a dropped "t", not an "a" typed as the far "n".
    assert index.search("set ense").hits[0].article_id == "tense"


def test_slip_odds_by_keyboard() -> None:
    from bot.search.correct import FAR_KEY, slip

    assert slip("trush", "trust") == 1.0  # h beside t
    assert slip("trush", "truth") == FAR_KEY  # s far from t
    assert slip("ense", "tense") == 1.0  # a letter dropped
    assert slip("tennse", "tense") == 1.0  # a letter doubled
    assert slip("frorecast", "forecast") == 1.0  # r (beside f) typed after it
    assert slip("forecastz", "forecast") == FAR_KEY  # z beside neither t nor the end
    assert slip("froecast", "forecast") == 1.0  # a swap


_SAME_EVERY_RUN = """
from bot.search import SearchIndex
from tests.support.search_samples import make_article
forms = "connected connecting connection connections connects connective connectivity"
index = SearchIndex.build(
    [make_article(f"a-{w}", w, f"The {w} story made news.") for w in forms.split()]
    + [make_article(f"b-{i}", "Rail", f"Rail link {i} was cut.") for i in range(3)]
)
print([(h.article_id, h.score) for h in index.search("connect story", limit=10).hits])
"""


def test_the_same_query_finds_the_same_hits_in_every_process() -> None:
    # Sets iterate in an order that changes with the hash seed of each process: seven
    # forms of one frequency, more than are looked up, must still be the same few.
    root = Path(__file__).resolve().parents[2]
    runs = {
        subprocess.run(
            [sys.executable, "-c", _SAME_EVERY_RUN],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(1, 6)
    }
    assert len(runs) == 1
