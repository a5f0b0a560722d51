"""Autocomplete for slash-command options: Discord's limits and what a user expects."""

from __future__ import annotations

import pytest

from bot.search import complete
from bot.search.complete import complete as complete_fn

TITLES = [
    ("ruto-trump", "President Ruto Holds Strategic Call with Trump"),
    ("haiti-aid", "Aid reaches Haiti"),
    ("football", "Late goal settles derby"),
    ("cafe", "Café culture returns"),
    ("budget", "Chancellor unveils the budget"),
]


def test_the_package_exports_the_function() -> None:
    assert complete is complete_fn


def test_empty_text_gives_the_first_options_in_order() -> None:
    assert complete("", TITLES, limit=3) == TITLES[:3]
    assert complete("   ", TITLES) == TITLES


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pres", "ruto-trump"),  # prefix of the label
        ("haiti", "haiti-aid"),  # a word of the label
        ("ruto tru", "ruto-trump"),  # prefixes of two words
        ("foot", "football"),  # prefix of the value
        ("cafe", "cafe"),  # accents fold
        ("CHANCELLOR", "budget"),  # case folds
    ],
)
def test_prefix_and_word_prefix_matches(typed: str, expected: str) -> None:
    assert complete(typed, TITLES)[0][0] == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("presidnet", "ruto-trump"), ("chancelor", "budget"), ("deby", "football")],
)
def test_a_typo_still_finds_it(typed: str, expected: str) -> None:
    assert complete(typed, TITLES)[0][0] == expected


def test_weak_matches_are_dropped() -> None:
    assert complete("zzzzqqqq", TITLES) == []


def test_prefix_matches_come_before_fuzzy_ones() -> None:
    options = [
        ("typo", "Bduget row deepens"),
        ("word", "Tips on the budget"),
        ("prefix", "Budget day"),
        ("prefix2", "Budgets explained"),
        ("none", "Weather"),
    ]
    assert [v for v, _ in complete("budget", options)] == ["prefix", "prefix2", "word", "typo"]


@pytest.mark.parametrize("limit", [1, 25, 26, 100])
def test_at_most_25_choices(limit: int) -> None:
    options = [(f"t{i}", f"Topic number {i}") for i in range(200)]
    assert len(complete("topic", options, limit=limit)) == min(limit, 25)
    assert len(complete("", options, limit=limit)) == min(limit, 25)


def test_names_are_at_most_100_characters() -> None:
    options = [("long", "Word " * 60), ("short", "Word")]
    result = complete("word", options)
    assert {v for v, _ in result} == {"long", "short"}
    for _, label in result:
        assert 1 <= len(label) <= 100
    assert dict(result)["long"].endswith("…")


def test_an_empty_label_falls_back_to_the_value() -> None:
    assert complete("", [("topic-x", "")]) == [("topic-x", "topic-x")]


@pytest.mark.parametrize("text", ["", "🙂", "\x00", "a" * 5000, "?!", "@everyone"])
def test_any_text_is_safe(text: str) -> None:
    assert len(complete(text, TITLES)) <= 25


def test_many_options_are_handled() -> None:
    options = [(f"id{i}", f"Headline {i} about story {i % 97}") for i in range(20_000)]
    result = complete("story 42", options)
    assert len(result) == 25
    assert all(label.endswith("about story 42") for _, label in result)
