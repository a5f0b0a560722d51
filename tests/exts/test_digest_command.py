"""A member asks for a topic digest with /digest: points, citations, sources, periods."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from simcord.backend.errors import OptionError

from tests.support.newsbot_sim import (
    Server,
    assert_never_pings,
    embed_of,
    private_answer,
    refusals,
    text_of,
)


async def test_a_digest_has_points_with_numbered_citations_and_sources(server: Server) -> None:
    result = await server.alice.slash(server.channel, "digest", topic="Sport")

    embed = embed_of(result)
    assert embed.title == "Digest: Sport"
    points = embed.description.split("\n")
    assert len(points) >= 2
    assert all(re.fullmatch(r"• .+ \\\[[12]\\\]", p) for p in points), points
    assert "named player of the match. \\[1\\]" in embed.description
    assert [field.name for field in embed.fields] == ["Sources"]
    sources = embed.fields[0].value.split("\n")
    assert sources[0] == "1. Underdogs Win Football Cup Final On Penalties"
    assert [line[:3] for line in sources] == [f"{n}. " for n in range(1, len(sources) + 1)]
    assert embed.footer.text == f"{len(points)} points · {len(sources)} articles"
    assert_never_pings(server.env)


async def test_citations_and_sources_link_to_articles_with_urls(server: Server) -> None:
    result = await server.alice.slash(server.channel, "digest", topic="transport")

    embed = embed_of(result)
    assert "[\\[1\\]](https://news.example.com/" in embed.description
    sources = embed.fields[0].value
    assert "(https://news.example.com/rail-strike_%28weekend%29)" in sources
    assert "[City Orders Forty Electric Buses](https://news.example.com/electric-buses)" in sources


async def test_a_misspelled_topic_still_finds_it(server: Server) -> None:
    result = await server.alice.slash(server.channel, "digest", topic="helth")

    assert embed_of(result).title == "Digest: Health"


async def test_days_keeps_only_recent_articles(server: Server) -> None:
    # SimCord's clock starts on 2026-01-01; only the bus article (2025-12-20) is that recent.
    result = await server.alice.slash(server.channel, "digest", topic="transport", days=30)

    embed = embed_of(result)
    assert "electric buses" in embed.description
    assert "Rail workers" not in embed.description
    assert embed.footer.text.endswith("since 2025-12-02")


async def test_a_topic_with_nothing_yet_names_the_closest_topics(server: Server) -> None:
    result = await server.alice.slash(server.channel, "digest", topic="Agriculture")

    (embed,) = private_answer(server, result).embeds  # "nothing found" is private
    assert embed.title == "No digest"
    assert embed.description.startswith("Nothing on “Agriculture” yet.")
    assert "Closest topics: **" in embed.description


async def test_an_undated_article_counts_from_the_day_the_library_first_saw_it(
    server: Server,
) -> None:
    # The Sport articles are .txt files without a date, first seen today (1 Jan 2026).
    result = await server.alice.slash(server.channel, "digest", topic="Sport", days=7)

    embed = embed_of(result)
    assert embed.title == "Digest: Sport"
    assert "Underdogs Win Football Cup Final On Penalties" in embed.fields[0].value


async def test_nothing_in_the_period_says_since_when(server: Server) -> None:
    service = server.env.bot.service  # type: ignore[attr-defined]
    undated = [i for i, a in service.articles.items() if a.date is None]
    # As if the database recorded them first seen two months ago.
    service.adopt_first_seen(dict.fromkeys(undated, dt.datetime(2025, 11, 1, tzinfo=dt.UTC)))

    result = await server.alice.slash(server.channel, "digest", topic="Sport", days=7)

    (embed,) = private_answer(server, result).embeds
    assert embed.description.startswith("Nothing on “Sport” since 2025-12-25 yet.")


def test_days_has_its_range_in_the_command_definition(server: Server) -> None:
    command = server.bot.tree.get_command("digest")
    assert command is not None
    options = command.to_dict(server.bot.tree)["options"]
    days = next(option for option in options if option["name"] == "days")
    assert (days["min_value"], days["max_value"]) == (1, 365)


@pytest.mark.parametrize("days", [0, -3, 366, 10**6])
async def test_days_out_of_range_is_refused_by_discord(server: Server, days: int) -> None:
    with pytest.raises(OptionError, match="Option 'days' of 'digest' must be"):
        await server.alice.slash(server.channel, "digest", topic="Sport", days=days)


async def test_an_empty_or_huge_topic_is_refused_privately(server: Server) -> None:
    empty = await server.alice.slash(server.channel, "digest", topic="  ")
    huge = await server.alice.slash(server.channel, "digest", topic="x" * 6000)

    assert empty.ephemeral and empty.response.content.startswith("Name a topic")
    assert huge.ephemeral and huge.response.content.startswith("Topic names are at most 100")
    assert len(refusals(server.env)) == 2


async def test_markdown_and_mentions_in_a_topic_are_shown_as_typed(server: Server) -> None:
    result = await server.alice.slash(
        server.channel, "digest", topic="**@everyone** <@&123> ||secret||"
    )

    embed = embed_of(result)
    assert "\\*\\*@\u200beveryone\\*\\* <\u200b@&123> \\|\\|secret\\|\\|" in text_of(embed)
    assert_never_pings(server.env)


async def test_topic_autocomplete_offers_valid_choices(server: Server) -> None:
    choices = await server.alice.autocomplete(server.channel, "digest", "topic", "sprt")

    assert choices[0]["value"] == "Sport"
    assert choices[0]["name"].startswith("Sport (")  # with its article count
    everything = await server.alice.autocomplete(server.channel, "digest", "topic", "")
    assert 1 <= len(everything) <= 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in everything)


async def test_server_topics_from_a_provider_are_offered_and_used(server: Server) -> None:
    from bot.digest.catalogue import guild_topic

    async def harbour_topics(guild_id: int | None) -> list:
        return [guild_topic("Harbour life", keywords=["ferry", "harbour"])] if guild_id else []

    server.bot.topic_providers.append(harbour_topics)

    choices = await server.alice.autocomplete(server.channel, "digest", "topic", "harbour")
    assert "Harbour life" in [c["value"] for c in choices]
    result = await server.alice.slash(server.channel, "digest", topic="Harbour life")
    assert embed_of(result).title == "Digest: Harbour life"
