"""A member opens one article with /article and reads its full text page by page."""

from __future__ import annotations

import pytest

from bot.corpus.model import Article
from tests.support.discord_oracle import read_markdown
from tests.support.newsbot_sim import (
    Server,
    assert_never_pings,
    assert_no_pings_in,
    buttons,
    embed_of,
    private_answer,
    refusals,
)


async def test_an_article_shows_details_summary_and_a_read_button(server: Server) -> None:
    result = await server.alice.slash(server.channel, "article", article="rail_strike")

    assert not result.ephemeral
    embed = embed_of(result)
    assert embed.title == "Rail Workers Announce Weekend Strike"
    assert embed.url == "https://news.example.com/rail-strike_(weekend)"
    fields = {field.name: field.value for field in embed.fields}
    assert fields == {"Source": "Example Gazette", "Date": "2024-11-12", "Topics": "transport"}
    assert embed.description.startswith("Rail workers will walk out on Saturday and Sunday")
    assert embed.description.count(".") == 3  # a three-sentence summary
    assert buttons(result.response) == {"Read full text": True}
    assert_never_pings(server.env)


async def test_a_typed_headline_finds_the_article(server: Server) -> None:
    result = await server.alice.slash(
        server.channel, "article", article="  rail workers announce WEEKEND strike "
    )

    assert embed_of(result).title == "Rail Workers Announce Weekend Strike"


async def test_an_unknown_article_gets_a_private_did_you_mean(server: Server) -> None:
    result = await server.alice.slash(server.channel, "article", article="ferry fares freeze")

    content = private_answer(server, result).content
    assert content.startswith("There is no article “ferry fares freeze”. Did you mean:")
    assert "Council Freezes Ferry Fares For Island Residents" in content
    refusals(server.env)


async def test_missing_details_say_unknown_and_an_undated_article_says_when_it_was_added(
    server: Server,
) -> None:
    result = await server.alice.slash(server.channel, "article", article="harbour_ferry")

    fields = {field.name: field.value for field in embed_of(result).fields}
    # Undated: the day the library first saw it (SimCord's clock starts on 1 Jan 2026).
    assert fields["Source"] == "unknown" and fields["Date"] == "Added 1 Jan 2026"


async def test_anyone_can_read_the_full_text_privately(server: Server) -> None:
    shown = await server.alice.slash(server.channel, "article", article="harbour_ferry")

    reading = await server.bob.click(shown.response, label="Read full text")

    assert reading.ephemeral
    page = embed_of(reading)
    assert page.title == "Harbour Ferry Service Resumes After Winter Repairs"
    assert "six weeks in dry dock" in page.description
    assert "thanked residents for their patience" in page.description
    assert buttons(reading.response) == {}  # a short article is one page
    assert server.channel.history(viewer=server.alice)[-1].id == shown.response.id


async def test_a_long_article_pages_at_sentence_ends(server: Server, news_service) -> None:
    shown = await server.alice.slash(server.channel, "article", article="giant_sentences")
    reading = await server.alice.click(shown.response, label="Read full text")

    pages = [embed_of(reading)]
    while buttons(reading.response).get("▶"):
        turned = await server.alice.click(reading.response, label="▶")
        pages.append(embed_of(turned))

    assert len(pages) > 3
    assert all(len(page.description) <= 3500 for page in pages)
    assert [p.footer.text.split(" · ")[0] for p in pages] == [
        f"Page {n}/{len(pages)}" for n in range(1, len(pages) + 1)
    ]
    article: Article = news_service.article("giant_sentences")
    read = " ".join(read_markdown(p.description)[0] for p in pages)
    assert read.split() == article.body.split()
    # Whole sentences stay together when they fit on a page.
    assert any(p.description.endswith("published its final report on Tuesday.") for p in pages)


async def test_the_read_button_goes_away_after_ten_minutes(server: Server) -> None:
    shown = await server.alice.slash(server.channel, "article", article="rail_strike")

    await server.env.advance_time(601)

    assert buttons(shown.response) == {}
    assert embed_of(shown).title == "Rail Workers Announce Weekend Strike"


async def test_markdown_headlines_are_shown_as_written(server: Server) -> None:
    result = await server.alice.slash(server.channel, "article", article="markdown_mentions")

    embed = embed_of(result)
    assert read_markdown(embed.title)[0] == "**Breaking** _News_ For @everyone And <@&123>"
    assert_never_pings(server.env)


async def test_article_autocomplete_trims_long_headlines(server: Server) -> None:
    choices = await server.alice.autocomplete(server.channel, "article", "article", "coast review")

    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and 1 <= len(c["value"]) <= 100 for c in choices)
    assert choices[0]["value"] == "long_headline"
    assert choices[0]["name"].startswith("Regional Assembly Publishes Exhaustive Review")


@pytest.mark.parametrize(
    ("typed", "told"),
    [
        ("   ", "Name an article: start typing its headline and pick one."),
        ("x" * 6000, "There is no article “" + "x" * 99 + "…”."),
        ("**@everyone** <@456>", "There is no article “\\*\\*@\u200beveryone\\*\\* <\u200b@456>”."),
    ],
)
async def test_odd_article_names_get_a_clear_private_answer(
    server: Server, typed: str, told: str
) -> None:
    result = await server.alice.slash(server.channel, "article", article=typed)

    if typed.strip():  # looked up after the (public) defer, then told privately
        shown = private_answer(server, result)
    else:  # refused at once, before any work
        assert result.ephemeral
        shown = result.response
    assert shown.content.startswith(told)
    assert_no_pings_in(shown.message)
    assert_never_pings(server.env)
    refusals(server.env)
