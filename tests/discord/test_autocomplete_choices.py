"""Autocomplete choices, as a pure function."""

from __future__ import annotations

from bot.exts._options import to_choices


def test_choices_are_valid_unique_and_at_most_25() -> None:
    pairs = [("a", "Alpha"), ("a", "Alpha again"), ("", "no value"), ("v" * 101, "too long")]
    pairs += [("b", "  "), ("c", "x" * 300), ("d", "two\nlines")]
    pairs += [(f"id{n}", f"Title {n}") for n in range(40)]

    choices = to_choices(pairs)

    assert len(choices) == 25
    assert [c.value for c in choices[:4]] == ["a", "b", "c", "d"]
    assert choices[0].name == "Alpha"
    assert choices[1].name == "b"  # a blank label falls back to the value
    assert len(choices[2].name) == 100 and choices[2].name.endswith("…")
    assert choices[3].name == "two lines"
