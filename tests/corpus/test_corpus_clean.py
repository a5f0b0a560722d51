"""Cleaning scraped news text: what a reader would otherwise see as garbage."""

from __future__ import annotations

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.corpus.clean import clean_line, clean_text


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("The deal is worth Â£5m.", "The deal is worth £5m."),
        ("itâ€™s a deal", "it’s a deal"),
        ("â€œWe won,â€\x9d he said.", "“We won,” he said."),
        ("Prices rose to â‚¬10.", "Prices rose to €10."),
        ("It was 5Â°C in the cafÃ©.", "It was 5°C in the café."),
    ],
)
def test_mojibake_is_repaired(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


def test_curly_quotes_are_kept() -> None:
    text = "“Stop,” she said. ‘Now.’ Kenya’s president agreed."
    assert clean_text(text) == text


def test_text_is_nfc() -> None:
    decomposed = "Cafe\u0301 society"
    assert clean_text(decomposed) == "Caf\u00e9 society"


def test_control_and_invisible_characters_are_removed() -> None:
    assert (
        clean_text("zero\u200bwidth\x07 bell\x00 and\u202e bidi\ufeff") == "zerowidth bell and bidi"
    )


def test_tabs_and_space_runs_become_one_space_and_lines_are_stripped() -> None:
    assert clean_text("  one \t two   three  \n\t four  ") == "one two three\nfour"


def test_paragraph_breaks_become_one_blank_line() -> None:
    text = "First para.\r\n\r\n\r\n\r\nSecond para.\n   \n\t\nThird\u2029Fourth"
    assert clean_text(text) == "First para.\n\nSecond para.\n\nThird\n\nFourth"


def test_single_line_breaks_are_kept() -> None:
    assert (
        clean_text("Line one.\rLine two.\u2028Line three.") == "Line one.\nLine two.\nLine three."
    )


def test_leading_and_trailing_blank_lines_are_dropped() -> None:
    assert clean_text("\n\n  \nHeadline\n\n") == "Headline"


def test_html_entities_are_unescaped() -> None:
    assert clean_text("Tom &amp; Jerry") == "Tom & Jerry"


def test_clean_line_folds_onto_one_line() -> None:
    assert clean_line("  A  headline\nin two\n\nlines ") == "A headline in two lines"


FTFY_REFERENCE = ftfy.TextFixerConfig(uncurl_quotes=False, explain=False)


@pytest.mark.parametrize(
    "text",
    [
        "Sales of Â£5m were reported. Itâ€™s a â€œgoodâ€\x9d year.",
        "The cafÃ© in MalmÃ¶ sold crÃªpes for â‚¬3 â€“ a bargain.",
        "Correct text: café, naïve, £5m, “quotes” and ‘apostrophes’ — all fine.",
        "Mixed: “real quotes” and itâ€™s broken; Tom &amp; Jerry’s show.",
        "Ligatures: ﬁnance and ﬂight; fullwidth ＡＢＣ１２３.",
        "Japanese 日本語 and Greek Ελληνικά stay as they are.",
        "C1 controls \x93quoted\x94 as Windows-1252 would show them.",
    ],
)
def test_repairs_match_ftfy_on_realistic_text(text: str) -> None:
    # clean_text runs only the ftfy fixers that can apply; the result must be ftfy's.
    assert clean_text(text) == clean_text(ftfy.fix_text(text, FTFY_REFERENCE))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Tom", " ", "&amp;", "&eacute;", "&", ";", "said.", "\n", "\t", "x"])
        | st.characters(max_codepoint=127, exclude_characters="<\x1b"),
        max_size=30,
    ).map("".join)
)
def test_plain_ascii_matches_ftfy(text: str) -> None:
    assert clean_text(text) == clean_text(ftfy.fix_text(text, FTFY_REFERENCE))
