"""How words are normalised, and how far a typo may be corrected."""

from __future__ import annotations

import pytest

from bot.search.correct import Vocabulary
from bot.search.query import MAX_TERMS, parse_query
from bot.text import correction_budget, token_spans, tokenize, typo_budget


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Kenya’s leaders", ["kenya", "leaders"]),
        ("Kenya's", ["kenya"]),
        ("don't stop", ["dont", "stop"]),
        ("Café CRÈME", ["cafe", "creme"]),
        ("U.S. President-Elect", ["u", "s", "president", "elect"]),
        ("the 47th President, in 2024", ["the", "47th", "president", "in", "2024"]),
        ("snake_case and emoji 🙂", ["snake", "case", "and", "emoji"]),
        ("Straße", ["strasse"]),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_token_spans_point_at_the_original_words() -> None:
    text = "Ruto’s call, Café"
    assert [(t, text[s:e]) for t, s, e in token_spans(text)] == [
        ("ruto", "Ruto’s"),
        ("call", "call"),
        ("cafe", "Café"),
    ]


def test_decomposed_accents_do_not_split_words() -> None:
    assert tokenize("Cafe\u0301 culture") == ["cafe", "culture"]


@pytest.mark.parametrize(
    ("word", "budget"),
    [("haiti", 1), ("hati", 0), ("mission", 1), ("exportsss", 2), ("agricultral", 2), ("2024", 0)],
)
def test_typo_budget_grows_with_word_length(word: str, budget: int) -> None:
    assert typo_budget(word) == budget


def test_an_unknown_short_word_gets_one_edit() -> None:
    assert correction_budget("hati", known=False) == 1
    assert correction_budget("hati", known=True) == 0
    assert correction_budget("ab", known=False) == 0


def test_vocabulary_finds_typos_anywhere_including_the_first_letter() -> None:
    vocab = Vocabulary(["mission", "haiti", "kenya", "the", "2024", "exports"])
    assert vocab.near("misison", 1) == {"mission": 1}  # transposition is one edit
    assert vocab.near("nission", 1) == {"mission": 1}  # first letter substituted
    assert vocab.near("ission", 1) == {"mission": 1}  # first letter dropped
    assert vocab.near("amission", 1) == {"mission": 1}  # letter typed before
    assert vocab.near("imssion", 1) == {"mission": 1}  # first two swapped
    assert vocab.near("xepotrs", 1) == {}
    assert vocab.near("xepotrs", 2) == {"exports": 2}  # two edits, one at the front
    assert vocab.near("exports", 1) == {}  # the word itself is not a correction
    assert vocab.near("thx", 1) == {}  # never corrected into a stopword
    assert vocab.near("2025", 1) == {}  # nor into a number


def test_query_parsing_keeps_phrases_and_drops_stopwords_from_terms() -> None:
    parsed = parse_query('the "Security Support" of Haiti')
    assert parsed.phrases == (("security", "support"),)
    assert parsed.terms == ("security", "support", "haiti")
    assert parse_query("the of and").terms == ("the", "of", "and")
    assert parse_query('"haiti"').phrases == ()
    assert parse_query('unbalanced "quote').terms == ("unbalanced", "quote")


def test_query_terms_are_capped() -> None:
    words = " ".join(f"word{i}" for i in range(50))
    assert len(parse_query(words).terms) == MAX_TERMS
