"""Sentence splitting on news English: the cases that break naive splitters."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus.sentences import split_sentences

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_3f7c58d4eaf15709.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ruto said he had spoken with U.S. President-Elect Donald J. Trump. The call ended.",
            [
                "Ruto said he had spoken with U.S. President-Elect Donald J. Trump.",
                "The call ended.",
            ],
        ),
        (
            "The U.K. and the U.S. signed a deal. It takes effect in Jan. 2025.",
            ["The U.K. and the U.S. signed a deal.", "It takes effect in Jan. 2025."],
        ),
        (
            "Mr. Smith met Mrs. Jones and Dr. Brown. They talked.",
            ["Mr. Smith met Mrs. Jones and Dr. Brown.", "They talked."],
        ),
        (
            "The attacks of Sept. 11 changed everything. He lives at No. 10 Downing Street.",
            ["The attacks of Sept. 11 changed everything.", "He lives at No. 10 Downing Street."],
        ),
        (
            "Some fruit, e.g. apples, are cheap. Others, i.e. mangoes, are not.",
            ["Some fruit, e.g. apples, are cheap.", "Others, i.e. mangoes, are not."],
        ),
        (
            "They sell pens, paper, etc. at the shop. Prices rose.",
            ["They sell pens, paper, etc. at the shop.", "Prices rose."],
        ),
        (
            "Profits rose to $7.4bn, up 3.5%. Sales were £1.2m higher.",
            ["Profits rose to $7.4bn, up 3.5%.", "Sales were £1.2m higher."],
        ),
        ('"We will win." The crowd cheered.', ['"We will win."', "The crowd cheered."]),
        ("“We will win.” The crowd cheered.", ["“We will win.”", "The crowd cheered."]),
        ('"Stop," he said. She did.', ['"Stop," he said.', "She did."]),
        ('"Stop!" he shouted. She stopped.', ['"Stop!" he shouted.', "She stopped."]),
        ("“Why?” she asked. Nobody knew.", ["“Why?” she asked.", "Nobody knew."]),
        ("Is it over? Nobody knows! Maybe.", ["Is it over?", "Nobody knows!", "Maybe."]),
        ("He paused... Then he left.", ["He paused...", "Then he left."]),
        ("He paused… and then he left.", ["He paused… and then he left."]),
        ("He waited… Nothing happened.", ["He waited…", "Nothing happened."]),
        (
            "It was bought by Apple Inc. The deal closed.",
            ["It was bought by Apple Inc.", "The deal closed."],
        ),
        ("Shares in Apple Inc. rose 5%.", ["Shares in Apple Inc. rose 5%."]),
        ("He moved to the U.S. The move paid off.", ["He moved to the U.S.", "The move paid off."]),
        ("The U.S. Senate voted on Tuesday.", ["The U.S. Senate voted on Tuesday."]),
        (
            "The meeting starts at 9 a.m. Officials expect a deal.",
            ["The meeting starts at 9 a.m.", "Officials expect a deal."],
        ),
        ("Sales rose in 2004. 2005 was worse.", ["Sales rose in 2004.", "2005 was worse."]),
        (
            "Gen. Mark Milley spoke. Sen. Warren replied.",
            ["Gen. Mark Milley spoke.", "Sen. Warren replied."],
        ),
        ("The vote was 52 vs. 48 in the end.", ["The vote was 52 vs. 48 in the end."]),
        ("Yes, sir. The order stands.", ["Yes, sir.", "The order stands."]),
        (
            "Officials in Washington, D.C. The city agreed.",
            ["Officials in Washington, D.C.", "The city agreed."],
        ),
        ("He flew to St. Louis on Monday.", ["He flew to St. Louis on Monday."]),
        ("Take vitamin C. The doctor said so.", ["Take vitamin C.", "The doctor said so."]),
        ("It starts at 3 p.m. on Friday.", ["It starts at 3 p.m. on Friday."]),
        ("George W. Bush and J. K. Rowling met.", ["George W. Bush and J. K. Rowling met."]),
        ("He said . . . The end.", ["He said . . .", "The end."]),
        ('He left. "I am done," he said.', ["He left.", '"I am done," he said.']),
        ("1. The first point is clear.", ["1. The first point is clear."]),
    ],
)
def test_news_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_a_newline_always_ends_a_sentence() -> None:
    text = "A headline without a full stop\nFirst sentence with U.S.\nSecond one"
    assert split_sentences(text) == [
        "A headline without a full stop",
        "First sentence with U.S.",
        "Second one",
    ]


def test_blank_lines_and_bare_punctuation_are_not_sentences() -> None:
    assert split_sentences("\n\n  One.  \n\n* * *\n...\nTwo.\n") == ["One.", "Two."]


def test_sentences_are_stripped_and_keep_their_text() -> None:
    text = "  First one.   Second one!  "
    assert split_sentences(text) == ["First one.", "Second one!"]


def test_the_seed_splits_into_its_sentences() -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[1:])  # the first line is the headline
    expected: list[str] = []
    for line in lines[1:]:
        # The seed writes one sentence per line, except one line that holds two.
        if line.startswith("Trade and investment emerged"):
            first, second = line.split(" President Ruto highlighted", 1)
            expected += [first, "President Ruto highlighted" + second]
        elif line.strip():
            expected.append(line)
    assert split_sentences(body) == expected
    assert len(expected) == 17
    assert any("U.S. President-Elect Donald J. Trump." in s for s in expected)


def test_endless_sentence_is_cut_at_spaces_into_passages() -> None:
    words = " ".join(f"word{n}" for n in range(2000))  # ~15,000 characters, no full stop
    pieces = split_sentences(words)
    assert len(pieces) > 1
    assert all(len(p) <= 1000 for p in pieces)
    assert " ".join(pieces) == words  # nothing lost, no word split


def test_one_endless_word_is_cut_too() -> None:
    pieces = split_sentences("x" * 2500)
    assert [len(p) for p in pieces] == [1000, 1000, 500]
