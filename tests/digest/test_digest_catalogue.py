"""The shipped topic catalogue and its validation."""

from __future__ import annotations

import pytest

from bot.digest import CatalogueError, Topic, load_catalogue
from bot.digest.catalogue import parse_catalogue, topic_key

REQUIRED = (
    "Trade & investment",
    "Security & defence",
    "Diplomacy",
    "Politics & governance",
    "Economy & business",
    "Technology",
    "Health",
    "Environment & climate",
    "Agriculture",
    "Sport",
    "Culture & entertainment",
    "Crime & justice",
)


def test_catalogue_has_the_required_topics() -> None:
    names = {t.name for t in load_catalogue()}
    assert set(REQUIRED) <= names


def test_names_and_aliases_are_unique_short_and_keyed() -> None:
    topics = load_catalogue()
    keys = [topic_key(label) for t in topics for label in t.names()]
    assert len(keys) == len(set(keys)), "a name or alias points at two topics"
    for topic in topics:
        assert isinstance(topic, Topic)
        assert topic.origin == "catalogue"
        assert 0 < len(topic.name) <= 100
        assert topic.keywords, f"{topic.name} has no keywords"


def test_bbc_labels_are_aliases() -> None:
    by_alias = {topic_key(a): t.name for t in load_catalogue() for a in t.aliases}
    assert by_alias["business"] == "Economy & business"
    assert by_alias["entertainment"] == "Culture & entertainment"
    assert by_alias["politics"] == "Politics & governance"
    assert by_alias["tech"] == "Technology"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, r"no \[\[topic\]\]"),
        ({"topic": [{"aliases": ["x"]}]}, "has no name"),
        ({"topic": [{"name": "A", "keywords": "oops"}]}, "keywords must be a list"),
        ({"topic": [{"name": "A" * 101}]}, "longer than 100"),
        (
            {"topic": [{"name": "Sport"}, {"name": "Games", "aliases": ["sport"]}]},
            "names both 'Sport' and 'Games'",
        ),
    ],
)
def test_malformed_catalogue_says_what_is_wrong(data: dict, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)
