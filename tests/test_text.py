"""The one text analyser: folding, tokens, stems, plurals, sound keys, stopwords, typo budget."""

from __future__ import annotations

import importlib

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest import keywords as digest_keywords
from bot.search import plan as search_plan
from bot.text import (
    NEWS_FILLER,
    STOPWORDS,
    content_terms,
    correction_budget,
    fold,
    fold_text,
    nfc,
    singular,
    sound_key,
    stem,
    token_spans,
    tokenize,
    typo_budget,
)


def test_tokens_fold_case_accents_possessives_and_apostrophes() -> None:
    assert tokenize("Kenya’s CAFÉ don't e-mail") == ["kenya", "cafe", "dont", "e", "mail"]
    assert fold("Café") == "cafe" and fold_text("Ça VA") == "ca va"
    assert [t for t, _s, _e in token_spans("Wi-Fi hotspots")] == ["wi", "fi", "hotspots"]


def test_stems_join_word_forms() -> None:
    assert stem("prices") == stem("price")
    assert stem("training") == stem("train")
    assert stem("congratulate") == stem("congratulations")
    assert stem("redundancies") == stem("redundant")
    assert stem("2005") == "2005" and stem("x" * 500) == "x" * 500  # numbers, junk untouched


def test_singular_joins_plurals_only() -> None:
    assert singular("ferries") == "ferry" and singular("ports") == "port"
    assert singular("crossing") != singular("cross")
    assert singular("news") == "new" or singular("news") == "news"  # a plural-looking word
    assert singular("bus") == "bus" and singular("glass") == "glass"


def test_sound_keys_join_sound_alikes() -> None:
    assert sound_key("braun") == sound_key("brown")
    assert sound_key("bored") == sound_key("board")
    assert sound_key("ferry") != sound_key("gerry")
    assert sound_key("ab") == "" and sound_key("2005") == ""


def test_one_stopword_list_and_news_filler_for_digests_only() -> None:
    for word in ("what", "when", "how", "did", "will", "who", "does", "the", "many"):
        assert word in STOPWORDS
    assert "us" not in STOPWORDS and "may" not in STOPWORDS  # "US", "May" are searched for
    assert {"said", "year", "mr"} <= NEWS_FILLER
    assert content_terms("Mr Brown said the prices were rising") == ["brown", "price", "rising"]


def test_one_typo_budget() -> None:
    assert [typo_budget(w) for w in ("tax", "haiti", "election", "parliament")] == [0, 1, 1, 2]
    assert typo_budget("2005") == 0
    assert typo_budget("trade and") == 1  # spaces do not count
    assert correction_budget("hati", known=False) == 1
    assert correction_budget("hati", known=True) == 0


def test_search_digests_and_autocomplete_read_words_through_it() -> None:
    # No module keeps a tokeniser, stopword list or typo budget of its own.
    assert search_plan.STOPWORDS is STOPWORDS
    assert importlib.import_module("bot.search.complete").typo_budget is typo_budget
    assert digest_keywords.stem is stem


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_spans_of_any_text_are_its_tokens_in_order(text: str) -> None:
    composed = nfc(text)
    spans = token_spans(composed)
    assert [t for t, _s, _e in spans] == tokenize(text)
    ends = [0] + [e for _t, _s, e in spans]
    assert all(ends[i] <= s < e for i, (_t, s, e) in enumerate(spans))
    assert all(e <= len(composed) for _t, _s, e in spans)
    for token in tokenize(text):
        assert stem(token)
