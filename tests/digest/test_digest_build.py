"""Topic digests: cited, non-redundant points from the articles about a topic."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.corpus.model import Article
from bot.digest import Digest, Topic, TopicModel, build_digest, guild_topic, load_catalogue
from bot.search import SearchIndex
from tests.support.digest_samples import (
    ALL,
    CHIPS,
    FOOTBALL,
    SEED,
    SEED_STANDFIRST,
    TENNIS,
    UNDATED,
    make,
)


@pytest.fixture(scope="module")
def world() -> tuple[dict[str, Article], SearchIndex, TopicModel]:
    articles = {a.id: a for a in ALL}
    return articles, SearchIndex.build(ALL), TopicModel.build(ALL, load_catalogue())


def digest(world, topic: str, **kwargs) -> Digest:
    articles, index, model = world
    return build_digest(topic, articles=articles, index=index, topic_model=model, **kwargs)


def assert_well_formed(d: Digest, articles: dict[str, Article]) -> None:
    texts = [p.text for p in d.points]
    assert len(texts) == len(set(texts)), "a sentence was used twice"
    for point in d.points:
        article = articles[point.article_id]
        assert point.text in article.sentences, "a point must quote the article it cites"
        assert point.title == article.title
    cited = [s.article_id for s in d.sources]
    assert len(cited) == len(set(cited)), "each source is listed once"
    first_citations = list(dict.fromkeys(p.article_id for p in d.points))
    assert cited == first_citations, "sources are listed in order of first citation"


def test_catalogue_topic_digest_cites_the_right_article(world) -> None:
    d = digest(world, "Security & defence")
    assert d.topic == "Security & defence"
    assert d.matched_topic == "Security & defence"
    assert d.points and d.closest == ()
    assert {s.article_id for s in d.sources} == {SEED.id}
    assert d.sources[0].url == SEED.url
    assert any("Haiti" in p.text or "peacekeeping" in p.text for p in d.points)
    assert_well_formed(d, world[0])


def test_repeated_standfirst_appears_at_most_once(world) -> None:
    for topic in ("trade", "diplomacy", "politics", "security"):
        d = digest(world, topic, limit=10)
        assert [p.text for p in d.points].count(SEED_STANDFIRST) <= 1
        assert_well_formed(d, world[0])


def test_limit_is_honoured_and_clamped(world) -> None:
    assert len(digest(world, "diplomacy", limit=3).points) == 3
    assert len(digest(world, "diplomacy", limit=50).points) <= 25
    assert len(digest(world, "diplomacy", limit=0).points) == 1


def test_sport_digest_spreads_over_articles(world) -> None:
    d = digest(world, "sport", limit=6)
    assert d.matched_topic == "Sport"
    per_article = {s.article_id: 0 for s in d.sources}
    for p in d.points:
        per_article[p.article_id] += 1
    assert set(per_article) == {FOOTBALL.id, TENNIS.id, UNDATED.id}
    assert max(per_article.values()) <= 2, "at most two points per article when there are enough"
    assert_well_formed(d, world[0])


def test_typo_in_topic_name_still_finds_it(world) -> None:
    d = digest(world, "secuirty")
    assert d.topic == "secuirty"
    assert d.matched_topic == "Security & defence"
    assert d.points


def test_since_filters_by_date_and_drops_undated_articles(world) -> None:
    everything = digest(world, "sport")
    assert UNDATED.id in {s.article_id for s in everything.sources}
    recent = digest(world, "sport", since=dt.date(2024, 6, 1))
    assert recent.since == dt.date(2024, 6, 1)
    assert {s.article_id for s in recent.sources} == {TENNIS.id}


def test_newest_article_comes_first_when_relevance_is_close(world) -> None:
    d = digest(world, "sport")
    dated = [s.article_id for s in d.sources if world[0][s.article_id].date]
    assert dated.index(TENNIS.id) < dated.index(FOOTBALL.id)


def test_topic_without_articles_names_the_closest_ones(world) -> None:
    d = digest(world, "Health")
    assert d.matched_topic == "Health"
    assert d.points == () and d.sources == ()
    assert d.closest, "an empty digest suggests topics that have articles"
    counts = {t.name: c for t, c in world[2].counts()}
    assert all(counts.get(name, 0) > 0 for name in d.closest)
    assert "Health" not in d.closest


def test_nothing_since_a_future_date_is_an_empty_answer(world) -> None:
    d = digest(world, "sport", since=dt.date(2100, 1, 1))
    assert d.points == () and d.closest == ()


def test_free_text_topic_is_an_ad_hoc_search(world) -> None:
    d = digest(world, "football")
    assert d.matched_topic is None
    assert d.points
    assert d.sources[0].article_id == FOOTBALL.id
    assert_well_formed(d, world[0])
    haiti = digest(world, "Haiti")
    assert haiti.matched_topic is None
    assert {s.article_id for s in haiti.sources} == {SEED.id}
    assert any("Haiti" in p.text for p in haiti.points)


def test_ad_hoc_typo_is_corrected_by_the_index(world) -> None:
    d = digest(world, "wimbeldon")
    assert d.sources and d.sources[0].article_id == TENNIS.id


def test_unknown_words_give_an_empty_answer_not_an_error(world) -> None:
    d = digest(world, "xqzzy blorp")
    assert d.points == () and d.sources == ()
    assert d.closest == (), "nothing is near gibberish; unrelated topics would be noise"


def test_words_near_a_topic_name_suggest_it(world) -> None:
    d = digest(world, "sporting events in antarctica")
    assert d.matched_topic is None and d.points == ()
    assert d.closest == ("Sport",)


def test_guild_topic_digest(world) -> None:
    chips = guild_topic("Chips", keywords=["processor", "chip*"])
    d = digest(world, "chips", extra_topics=[chips])
    assert d.matched_topic == "Chips"
    assert {s.article_id for s in d.sources} == {CHIPS.id}


def test_tag_topic_digest(world) -> None:
    d = digest(world, "semiconductors")
    assert d.matched_topic == "Semiconductors"
    assert [s.article_id for s in d.sources] == [CHIPS.id]


def test_same_sentence_in_two_articles_is_one_point() -> None:
    shared = "The central bank raised interest rates to fight inflation on Thursday."
    a = make("a", "Rates rise", (shared, "Markets fell after the decision on interest rates."))
    b = make("b", "Bank raises rates", (shared, "Economists expect inflation to ease next year."))
    model = TopicModel.build([a, b], load_catalogue())
    d = build_digest(
        "economy",
        articles={"a": a, "b": b},
        index=SearchIndex.build([a, b]),
        topic_model=model,
        limit=10,
    )
    assert [p.text for p in d.points].count(shared) == 1


def test_digest_is_plain_data_for_the_cli(world) -> None:
    d = digest(world, "trade")
    data = dataclasses.asdict(d)
    assert set(data) >= {"topic", "matched_topic", "points", "sources"}
    assert set(data["points"][0]) == {"text", "article_id", "title"}
    assert set(data["sources"][0]) == {"article_id", "title", "url"}


def test_extra_topic_is_a_topic() -> None:
    assert isinstance(guild_topic("Kenya"), Topic)
    assert guild_topic("Kenya").keywords == ("Kenya",)
