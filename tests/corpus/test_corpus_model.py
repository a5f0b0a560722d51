"""Articles hold their text once, and read exactly as a body and a tuple of sentences."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.corpus import Article, parse_bytes, split_sentences

LONG = "\n\n".join(
    f"Paragraph {n} says something. It then says more about {n}." for n in range(200)
)


def article(body: str, sentences: tuple[str, ...] | None = None, **extra: object) -> Article:
    cut = tuple(split_sentences(body)) if sentences is None else sentences
    return Article(id="a", title="Headline", body=body, sentences=cut, **extra)  # type: ignore[arg-type]


def test_sentences_read_as_the_tuple_they_were_given() -> None:
    given_sentences = tuple(split_sentences(LONG))
    a = article(LONG)
    assert a.sentences == given_sentences
    assert given_sentences == a.sentences
    assert tuple(a.sentences) == given_sentences
    assert len(a.sentences) == 400
    assert a.sentences[0] == "Paragraph 0 says something."
    assert a.sentences[-1] == "It then says more about 199."
    assert a.sentences[1:3] == given_sentences[1:3]
    assert next(reversed(a.sentences)) == given_sentences[-1]
    assert "It then says more about 7." in a.sentences
    with pytest.raises(IndexError):
        a.sentences[400]


def test_the_text_is_held_once() -> None:
    a = article(LONG)
    # Stored (as a snapshot or a worker's answer would be): the body, not the body twice.
    assert len(pickle.dumps(a)) < 1.25 * len(LONG)


def test_sentences_that_are_not_pieces_of_the_body_are_kept_as_given() -> None:
    a = article("A body of its own.", ("Something else.", "And more.", ""))
    assert a.sentences == ("Something else.", "And more.", "")
    assert a.body == "A body of its own."


def test_equality_and_hash_mean_same_content() -> None:
    one = article(LONG)
    same = article(LONG[:], tuple(split_sentences(LONG)))
    assert one == same and hash(one) == hash(same)
    assert article("One. Two.") != article("One. Two.", ("One. Two.",))
    assert {one: 1}[same] == 1


def test_replace_and_pickle_keep_the_sentences_and_share_the_text() -> None:
    a = article(LONG)
    renamed = dataclasses.replace(a, id="b")
    assert renamed.sentences == a.sentences and renamed.id == "b"
    assert len(pickle.dumps([a, renamed])) < 1.3 * len(LONG)
    back = pickle.loads(pickle.dumps(a))
    assert back == a and back.sentences == a.sentences


def test_a_loaded_file_reads_as_before() -> None:
    (loaded,) = parse_bytes(
        "n.txt", b"Ferry news\n\nThe ferry sailed.  It was late.\n\nIt was late.\n"
    ).articles
    assert loaded.sentences == ("The ferry sailed.", "It was late.", "It was late.")


@given(st.text(max_size=300))
def test_any_body_reads_back_its_sentences(body: str) -> None:
    cut = tuple(split_sentences(body))
    a = article(body, cut)
    assert a.sentences == cut and list(a.sentences) == list(cut) and a.body == body
