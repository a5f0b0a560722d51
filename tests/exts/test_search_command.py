"""A member searches the library with /search: excerpts, typos, pages, privacy, limits."""

from __future__ import annotations

import pytest
import simcord

from tests.support.discord_oracle import embed_problems, has_unescaped_markup, read_markdown
from tests.support.newsbot_sim import (
    Server,
    assert_never_pings,
    assert_no_pings_in,
    buttons,
    callback_types,
    embed_of,
    private_answer,
    refusals,
)


async def test_results_show_headline_and_passage_with_matches_in_bold(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="propeller shafts")

    assert callback_types(server.env) == [5]  # "thinking…" first, then the answer
    assert not result.ephemeral
    embed = embed_of(result)
    assert embed.title == "Search: “propeller shafts”"
    assert "**1. Harbour Ferry Service Resumes After Winter Repairs**" in embed.description
    assert "**propeller** **shafts**" in embed.description
    # The passage comes with its context: the sentence before the match.
    assert "six weeks in dry dock" in embed.description
    assert_never_pings(server.env)


async def test_a_misspelled_query_is_corrected_and_says_so(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="hospitel")

    description = embed_of(result).description
    assert description.startswith("Did you mean “hospital”?")
    assert "**hospital**" in description


async def test_headline_links_to_the_article_when_it_has_a_url(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="weekend strike")

    description = embed_of(result).description
    assert (
        "[Rail Workers Announce Weekend Strike]"
        "(https://news.example.com/rail-strike_%28weekend%29)" in description
    )


async def test_nothing_found_says_so(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="xylophone")

    (embed,) = private_answer(server, result).embeds  # "nothing found" is private
    assert embed.title == "No results"
    assert "Nothing in the library matches “xylophone”." in embed.description


@pytest.mark.parametrize("query", ["   ", "\u3000\t"])
async def test_an_empty_query_gets_a_private_hint(server: Server, query: str) -> None:
    result = await server.alice.slash(server.channel, "search", query=query)

    assert result.ephemeral
    assert result.response.content.startswith("Type some words to search for")
    assert refusals(server.env) == [result.response.content]


async def test_a_huge_query_is_refused_with_its_length(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry " * 1000)

    assert result.ephemeral
    assert "5999 characters long" in result.response.content
    assert "keep it under 300" in result.response.content
    refusals(server.env)


async def test_markdown_and_mentions_in_articles_and_queries_never_render_or_ping(
    server: Server,
) -> None:
    result = await server.alice.slash(
        server.channel, "search", query="**bold** @everyone pings <@456> role"
    )

    embed = embed_of(result)
    plain, _bold = read_markdown(embed.description)
    # What the member reads is the article's text as written, markup and all ...
    assert "**Breaking** _News_ For @everyone And <@&123>" in plain
    assert "the role <@&123> and the user <@456>" in plain
    assert "“**bold** @everyone pings <@456> role”" in read_markdown(embed.title)[0]
    # ... but none of it is markdown, a mention pill or a ping.
    assert not has_unescaped_markup(embed.description)
    assert_no_pings_in(result.response.message)
    assert_never_pings(server.env)


async def test_private_results_are_seen_only_by_the_member(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry", private=True)

    assert result.ephemeral
    assert embed_of(result).title == "Search: “ferry”"
    assert server.channel.history(viewer=server.bob) == []
    assert len(server.channel.history(viewer=server.alice)) == 1


async def test_pages_turn_with_buttons_for_the_member_who_searched(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry")
    first = embed_of(result)
    assert first.footer.text.startswith("Page 1/3")
    assert buttons(result.response) == {"◀": False, "▶": True}

    turned = await server.alice.click(result.response, label="▶")
    second = embed_of(turned)
    assert second.footer.text.startswith("Page 2/3")
    assert "**4." in second.description and "**1." not in second.description
    assert buttons(turned.response) == {"◀": True, "▶": True}

    turned = await server.alice.click(result.response, label="▶")
    assert embed_of(turned).footer.text.startswith("Page 3/3")
    assert buttons(turned.response) == {"◀": True, "▶": False}

    await server.alice.click(result.response, label="◀")

    back = await server.alice.click(result.response, label="◀")
    assert embed_of(back).description == first.description
    assert_never_pings(server.env)


async def test_someone_else_cannot_turn_the_pages(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry")

    refused = await server.bob.click(result.response, label="▶")

    assert refused.ephemeral
    assert refused.response.content.startswith("Only alice can turn these pages.")
    assert embed_of(result).footer.text.startswith("Page 1/3")  # unchanged


async def test_a_page_of_hits_fits_one_screen(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry")

    page = embed_of(result).description
    assert page.count("\n\n") == 2  # three hits
    assert len(page) <= 3 * 700


async def test_page_buttons_disappear_when_the_view_times_out(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry")
    await server.alice.click(result.response, label="▶")

    await server.env.advance_time(179)
    assert buttons(result.response) == {"◀": True, "▶": True}
    await server.env.advance_time(2)

    assert buttons(result.response) == {}
    assert embed_of(result).footer.text.startswith("Page 2/3")  # the page stays
    with pytest.raises(simcord.SetupError):
        await server.alice.click(result.response, label="▶")


async def test_one_page_of_results_has_no_buttons(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="propeller")

    assert buttons(result.response) == {}


async def test_search_within_one_article(server: Server) -> None:
    result = await server.alice.slash(
        server.channel, "search", query="ferry", article="harbour_ferry"
    )

    description = embed_of(result).description
    assert "Harbour Ferry Service" in description
    assert "Council Freezes Ferry Fares" not in description


async def test_an_unknown_article_gets_a_private_did_you_mean(server: Server) -> None:
    result = await server.alice.slash(
        server.channel, "search", query="ferry", article="harbor ferry service"
    )

    content = private_answer(server, result).content
    assert content.startswith("There is no article “harbor ferry service”.")
    assert "Harbour Ferry Service Resumes After Winter Repairs" in content
    refusals(server.env)


async def test_a_match_inside_a_sentence_of_thousands_of_characters_fits(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="seagulls")

    embed = embed_of(result)
    assert embed_problems([embed]) == []
    assert "**seagulls**" in embed.description
    assert "…" in embed.description  # the passage was cut around the match
    read_markdown(embed.description)  # and its bold markers still pair up


async def test_article_autocomplete_offers_valid_choices(server: Server) -> None:
    choices = await server.alice.autocomplete(server.channel, "search", "article", "lighthouse")

    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices)
    assert "long_headline" in [c["value"] for c in choices]
    long_one = next(c for c in choices if c["value"] == "long_headline")
    assert long_one["name"].endswith("…")


async def test_three_searches_in_ten_seconds_then_a_pause(server: Server) -> None:
    for _ in range(3):
        result = await server.alice.slash(server.channel, "search", query="ferry")
        assert not result.ephemeral

    blocked = await server.alice.slash(server.channel, "search", query="ferry")
    assert blocked.ephemeral
    assert blocked.response.content.startswith("You're going a bit fast: try again in 10 s")
    assert len(refusals(server.env)) == 1

    other = await server.bob.slash(server.channel, "search", query="ferry")
    assert not other.ephemeral  # cooldowns are per member

    await server.env.advance_time(11)
    again = await server.alice.slash(server.channel, "search", query="ferry")
    assert not again.ephemeral


async def test_a_query_of_only_function_words_says_so_above_the_hits(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="what was it for")

    assert not result.ephemeral
    description = embed_of(result).description
    assert description.startswith("Your query has only common words")
    assert "**1. " in description  # the hits still follow
    assert_never_pings(server.env)


async def test_a_query_with_a_content_word_has_no_function_word_notice(server: Server) -> None:
    result = await server.alice.slash(server.channel, "search", query="what was the ferry for")

    assert "only common words" not in embed_of(result).description
