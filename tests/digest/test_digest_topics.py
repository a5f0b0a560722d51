"""Which articles are about which topics, and what a typed topic name means."""

from __future__ import annotations

from bot.digest import Topic, TopicModel, guild_topic, load_catalogue
from tests.support.digest_samples import ALL, CHIPS, FOOTBALL, PROFITS, SEED, UNDATED


def model() -> TopicModel:
    return TopicModel.build(ALL, load_catalogue())


def names(pairs: list[tuple[str, float]]) -> list[str]:
    return [name for name, _score in pairs]


def test_seed_is_about_trade_security_and_diplomacy_not_sport() -> None:
    topics = names(model().topics_of(SEED.id))
    assert {"Trade & investment", "Security & defence", "Diplomacy"} <= set(topics)
    assert "Sport" not in topics
    assert "Culture & entertainment" not in topics


def test_other_articles_get_their_obvious_topic_first() -> None:
    m = model()
    assert names(m.topics_of(FOOTBALL.id))[0] == "Sport"
    assert "Technology" in names(m.topics_of(CHIPS.id))
    assert names(m.topics_of(PROFITS.id)) == ["Economy & business"]
    assert m.topics_of("no-such-article") == []


def test_scores_are_sorted_and_between_zero_and_one() -> None:
    for article in ALL:
        scores = [s for _n, s in model().topics_of(article.id)]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)


def test_tags_become_topics_and_merge_with_catalogue_names() -> None:
    m = model()
    # "SPORT" is the catalogue's Sport whatever its case; "Welsh rugby" is a new tag topic.
    assert names(m.topics_of(UNDATED.id)) == ["Sport", "Welsh rugby"]
    tag_topics = {t.name: t for t in m.tag_topics}
    assert set(tag_topics) == {"Semiconductors", "Welsh rugby"}
    assert tag_topics["Welsh rugby"].origin == "tag"
    assert [a for a, _s in m.articles_for(tag_topics["Semiconductors"])] == [CHIPS.id]


def test_counts_cover_every_topic_sorted_by_count_then_name() -> None:
    counts = model().counts()
    names_ = [t.name for t, _c in counts]
    assert "Health" in names_ and "Welsh rugby" in names_
    assert dict((t.name, c) for t, c in counts)["Sport"] == 3
    assert counts == sorted(counts, key=lambda tc: (-tc[1], tc[0].name.casefold()))


def test_resolve_names_aliases_case_accents_and_typos() -> None:
    m = model()
    cases = {
        "Security & defence": "Security & defence",
        "security and defence": "Security & defence",
        "  SÉCURITY  ": "Security & defence",
        "secuirty": "Security & defence",
        "defense": "Security & defence",
        "business": "Economy & business",
        "tech": "Technology",
        "Trade and Investment": "Trade & investment",
        "trade investmnet": "Trade & investment",
        "welsh rugby": "Welsh rugby",
    }
    for typed, expected in cases.items():
        topic = m.resolve(typed)
        assert topic is not None and topic.name == expected, typed


def test_keywords_and_nonsense_do_not_resolve() -> None:
    m = model()
    for typed in ("football", "peacekeeping", "xqzzy", "", "   ", "&&", "te"):
        assert m.resolve(typed) is None, typed


def test_guild_topic_overrides_catalogue_topic_of_same_name() -> None:
    m = model()
    mine = guild_topic("Sport", keywords=["tennis", "wimbledon"])
    assert m.resolve("sport", [mine]) == mine
    assert m.resolve("sports", [mine]) == mine  # the catalogue's alias follows the override
    # Scored from its own keywords (not football), plus what is tagged with its name.
    assert [a for a, _s in m.articles_for(mine, [mine])] == [UNDATED.id, "wimbledon"]
    counts = {t.name: (t.origin, c) for t, c in m.counts([mine])}
    assert counts["Sport"] == ("guild", 2)


def test_guild_topic_is_scored_from_its_keywords() -> None:
    m = model()
    kenya = Topic("Kenya", keywords=("kenya", "ruto", "nairobi"), origin="guild")
    assert m.resolve("kenia", [kenya]) == kenya
    assert [a for a, _s in m.articles_for(kenya)] == [SEED.id]
    assert m.resolve("kenya") is None  # other servers do not see it


def test_build_handles_empty_and_odd_articles() -> None:
    from tests.support.digest_samples import make

    odd = make("odd", "", ())
    m = TopicModel.build([odd], load_catalogue())
    assert m.topics_of("odd") == []
    assert all(c == 0 for _t, c in m.counts())
    assert TopicModel.build([], load_catalogue()).counts()
