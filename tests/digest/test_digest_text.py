"""Word-level helpers: tokens, stand-alone sentences, trimming."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.text import stands_alone, trim
from bot.text import stem
from bot.text import tokenize as words


def test_words_fold_case_accents_and_possessives() -> None:
    assert words("Kenya’s CAFÉ don't e-mail") == ["kenya", "cafe", "dont", "e", "mail"]


def test_stem_folds_plurals_and_verb_forms_together() -> None:
    assert stem("tariffs") == stem("tariff")
    assert stem("prices") == stem("priced") == stem("price")
    assert stem("investments") == stem("investment")


def test_stands_alone() -> None:
    for dangling in (
        "He said so.",
        "However, it fell.",
        "But not today.",
        "This is it.",
        "Also, rain.",
        "It rose.",
        "they left.",
        "\u201cHe did it,\u201d she said.",
    ):
        assert not stands_alone(dangling), dangling
    for fine in ("Kenya's president called.", "The bank raised rates.", "There are fears."):
        assert stands_alone(fine), fine


def test_trim_prefers_sentence_then_word_boundaries() -> None:
    assert trim("One two three. Four five six seven.", 25) == "One two three.…"
    assert trim("Alpha beta gamma delta", 15) == "Alpha beta…"
    assert trim("short", 10) == "short"
    assert trim("x" * 30, 10) == "x" * 9 + "…"


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=500), room=st.integers(1, 400))
def test_trim_never_exceeds_the_room(text: str, room: int) -> None:
    out = trim(text, room)
    assert len(out) <= room
    assert "\n" not in out
