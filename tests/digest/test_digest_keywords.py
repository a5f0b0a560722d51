"""Counting keywords in token ids gives what counting them in the token strings gives."""

from __future__ import annotations

import pickle
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.keywords import KeywordMatcher, TokenIds

WORDS = ["world", "cup", "cups", "invest", "investing", "investor", "rate", "rates", "the", "a"]
KEYWORDS = ["world cup", "invest*", "interest rate*", "cup", "rates", "the world", "a"]


@settings(max_examples=200, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from([*WORDS, "interest"]), max_size=30), max_size=5),
    whole=st.booleans(),
)
def test_ids_count_as_strings_do(docs: list[list[str]], whole: bool) -> None:
    table = TokenIds()
    by_string = KeywordMatcher([KEYWORDS[:3], KEYWORDS[3:]], whole_words=whole)
    by_id = KeywordMatcher([KEYWORDS[:3], KEYWORDS[3:]], whole_words=whole)
    for tokens in docs:
        ids = table.encode(tokens)
        assert [table.words[i] for i in ids] == tokens
        expected = by_string.count(tokens)
        for got in (by_id.count_ids(ids, table), by_id.count_ids(ids, table, by_id.hit_ids(table))):
            assert got == expected
            assert list(got) == list(expected)  # the same order: scores sum in that order


def test_hit_ids_are_the_words_that_start_a_keyword_and_grow_with_the_table() -> None:
    table = TokenIds()
    matcher = KeywordMatcher([["world cup", "invest*"]])
    table.encode(["the", "world", "investors"])
    assert {table.words[i] for i in matcher.hit_ids(table)} == {"world", "investors"}
    table.encode(["investing", "cup"])
    assert {table.words[i] for i in matcher.hit_ids(table)} == {"world", "investors", "investing"}


def test_a_table_pickles_and_keeps_numbering() -> None:
    table = TokenIds()
    ids = table.encode(["b", "a", "b"])
    back = pickle.loads(pickle.dumps(table))
    assert back.encode(["a", "b", "c"]) == [ids[1], ids[0], 2]
    assert Counter(back.words) == Counter(["b", "a", "c"])
