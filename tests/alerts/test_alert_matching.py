"""Which articles an alert wants: whole words, any case, phrases, exclusions; and limits on
what a moderator may type (huge, thousands of keywords, repeated characters)."""

from __future__ import annotations

import pytest

from bot.alerts import MAX_FILTER_CHARS, MAX_KEYWORDS, FilterError, KeywordFilter, parse_keywords


def wants(keywords: str = "", exclude: str = "", *texts: str) -> bool:
    return KeywordFilter.of(
        parse_keywords(keywords), parse_keywords(exclude, what="exclude")
    ).wants(*texts)


def test_keywords_match_whole_words_in_any_case() -> None:
    assert wants("rates", "", "Interest RATES rose again")
    assert not wants("rates", "", "Pirates seized a ferry")  # not inside another word
    assert not wants("rate", "", "Interest rates rose")  # a whole word, not a prefix
    assert wants("kenya", "", "Kenya’s harvest was late")  # possessive, curly apostrophe
    assert wants("cafe", "", "The Café reopened")  # accents folded


def test_any_keyword_is_enough_and_phrases_need_their_words_in_order() -> None:
    assert wants("ferry, lighthouse", "", "The lighthouse keeper retired")
    assert wants("interest rates", "", "Banks raised interest rates on Monday")
    assert not wants("interest rates", "", "Rates of interest are a worry")
    assert wants("bank of england", "", "The Bank of England held rates")


def test_the_headline_counts_as_well_as_the_text() -> None:
    assert wants("ferry", "", "Ferry delays", "Nothing about boats in the body.")


def test_exclude_wins_over_keywords() -> None:
    assert not wants("ferry", "football", "Ferry took the football team home")
    assert wants("ferry", "football", "Ferry delays at Gull Island")
    assert not wants("", "sport", "Sport: the island team won")  # exclude alone
    assert wants("", "", "anything at all")  # no filters: every article


def test_parsing_drops_blanks_and_duplicates_and_keeps_what_was_typed() -> None:
    assert parse_keywords(" Ferry ,, ferry, Gull  Island ,") == ("Ferry", "Gull Island")
    assert parse_keywords(None) == () and parse_keywords("  ") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (MAX_FILTER_CHARS + 1), f"at most {MAX_FILTER_CHARS}"),
        (", ".join(f"word{i}" for i in range(3000))[:MAX_FILTER_CHARS], f"at most {MAX_KEYWORDS}"),
        ("a" * 500, "no word is longer than 40"),
        ("one two three four five six seven", "at most 6"),
        ("!!!, ???", "has no letters or digits"),
    ],
    ids=["huge", "thousands", "repeated-characters", "long-phrase", "no-letters"],
)
def test_keywords_past_the_limits_are_refused_with_a_clear_reason(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message.replace("?", r"\?")):
        parse_keywords(text)


def test_thousands_of_keywords_in_a_long_string_are_refused_before_any_work() -> None:
    huge = ", ".join(f"keyword{i}" for i in range(5000))
    with pytest.raises(FilterError, match="characters long"):
        parse_keywords(huge)


def test_matching_a_huge_hostile_article_is_one_bounded_pass() -> None:
    matcher = KeywordFilter.of(parse_keywords("gull island, ferry"), ())
    body = ("aaaa " * 200_000) + "Gull Island"  # a megabyte of repeats, the match at the end
    assert matcher.wants("Title", body)
    assert not matcher.wants("Title", "a" * 1_000_000)
