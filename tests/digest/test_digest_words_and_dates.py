"""A word of the articles is not a misspelt topic; a date filter finds recent articles."""

from __future__ import annotations

import datetime as dt

from bot.digest import TopicModel, build_digest, load_catalogue
from bot.search import SearchIndex
from tests.support.digest_samples import make


def digest_over(articles, topic: str, **kwargs):
    by_id = {a.id: a for a in articles}
    return build_digest(
        topic,
        articles=by_id,
        index=SearchIndex.build(articles),
        topic_model=TopicModel.build(articles, load_catalogue()),
        **kwargs,
    )


WEALTH = make(
    "rich-list",
    "Music stars top the rich list",
    (
        "The wealth of British music millionaires rose again this year.",
        "Their combined wealth passed five billion pounds, the list says.",
    ),
)
HOSPITAL = make(
    "hospital",
    "Hospital waiting times fall",
    (
        "Hospital waiting times for patients fell as the health service hired more nurses.",
        "Doctors said the NHS still needed more money for cancer treatment.",
    ),
)


def test_a_word_the_articles_use_is_not_taken_for_a_nearby_topic_name() -> None:
    d = digest_over([WEALTH, HOSPITAL], "wealth")
    assert d.matched_topic is None
    assert {p.article_id for p in d.points} == {"rich-list"}


def test_a_real_typo_of_a_topic_name_still_finds_the_topic() -> None:
    assert digest_over([WEALTH, HOSPITAL], "helth").matched_topic == "Health"


def test_since_finds_a_recent_article_ranked_below_many_old_ones() -> None:
    old = [
        make(
            f"old-{n}",
            f"Zebra herd {n}",
            (f"The zebra herd {n} zebra zebra grazed.",),
            date=dt.date(2020, 1, 1),
        )
        for n in range(260)
    ]
    new = make(
        "new",
        "A zebra sighting",
        ("A lone zebra was seen near the town.",),
        date=dt.date(2024, 6, 1),
    )
    d = digest_over([*old, new], "zebra", since=dt.date(2024, 1, 1))
    assert [p.article_id for p in d.points] == ["new"]
