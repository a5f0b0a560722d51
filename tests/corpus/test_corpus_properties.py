"""Any input at all: the corpus functions answer, never crash."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.corpus.clean import clean_text
from bot.corpus.loaders import SUPPORTED_SUFFIXES, ParseOutcome, parse_bytes
from bot.corpus.sentences import split_sentences

SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

names = st.builds(
    lambda stem, suffix: stem + suffix,
    st.text(max_size=30),
    st.sampled_from((*SUPPORTED_SUFFIXES, ".TXT", ".pdf", "")),
)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=80)
        for key in ("id", "title", "body", "text", "date", "source", "url", "tags")
    },
)
front_matter_docs = st.builds(
    lambda meta, body: f"---\n{meta}\n---\n{body}",
    st.text(alphabet="abc:-[]{}'\"#\n ,0123456789tilgsdue", max_size=60),
    st.text(max_size=80),
)
contents = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.text(max_size=100).map(lambda t: t.encode("utf-16")),
    records.map(lambda r: json.dumps(r).encode()),
    st.lists(records, max_size=4).map(lambda rs: "\n".join(map(json.dumps, rs)).encode()),
    front_matter_docs.map(lambda t: t.encode("utf-8")),
)


def check_outcome(outcome: ParseOutcome) -> None:
    assert isinstance(outcome, ParseOutcome)
    for rejection in outcome.rejections:
        assert rejection.reason.strip()
        assert not rejection.reason.startswith("could not be parsed")  # the crash net
    for article in outcome.articles:
        assert SAFE_ID.fullmatch(article.id)
        assert article.title.strip() == article.title != ""
        assert "\n" not in article.title
        assert article.sentences
        assert all(s and s == s.strip() for s in article.sentences)


@PROPERTY_SETTINGS
@given(names, contents)
def test_parse_bytes_never_raises(name: str, data: bytes) -> None:
    check_outcome(parse_bytes(name, data))


@PROPERTY_SETTINGS
@given(records)
def test_any_json_record_is_loaded_or_rejected_cleanly(record: dict[str, object]) -> None:
    outcome = parse_bytes("record.json", json.dumps(record).encode())
    check_outcome(outcome)
    assert len(outcome.articles) + len(outcome.rejections) == 1


@PROPERTY_SETTINGS
@given(st.text())
def test_clean_text_never_raises_and_is_tidy(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip("\n")
    assert "\n\n\n" not in cleaned
    assert all(line == line.strip() for line in cleaned.split("\n"))
    assert "\t" not in cleaned and "  " not in cleaned


@PROPERTY_SETTINGS
@given(st.text())
def test_split_sentences_gives_stripped_pieces_of_the_text(text: str) -> None:
    for sentence in split_sentences(text):
        assert sentence and sentence == sentence.strip()
        assert "\n" not in sentence
        assert sentence in text


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [
                "Mr.",
                "U.S.",
                "J.",
                "said",
                "The",
                "3.5%",
                "“Yes.”",
                '"No,"',
                "etc.",
                "No.",
                "10",
                "...",
                "?",
                "!",
                "he",
                "\n",
            ]
        ),
        max_size=30,
    )
)
def test_split_sentences_on_news_like_tokens(tokens: list[str]) -> None:
    text = " ".join(tokens)
    sentences = split_sentences(text)
    assert all(s and s == s.strip() and s in text for s in sentences)
    # No letter or digit is lost or moved.
    assert re.sub(r"\W", "", "".join(sentences)) == re.sub(r"\W", "", text)


@settings(max_examples=500)
@given(st.text(alphabet="ab./ -é\\", max_size=14))
def test_path_parts_read_without_pathlib_match_pathlib(name: str) -> None:
    from pathlib import PurePosixPath

    from bot.corpus import _fields

    path = PurePosixPath(name)
    assert _fields._folders(name) == path.parent.parts
    assert _fields._stem_suffix(name) == (path.stem, path.suffix)
