"""When something breaks, the member gets a short private message and the log the details."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.errors import UNEXPECTED
from bot.service import NewsService
from tests.support.newsbot_sim import Server, assert_never_pings, embed_of, refusals


class Boom(RuntimeError):
    pass


def _explode(*_args: object, **_kwargs: object) -> None:
    raise Boom("secret internals at /srv/newsbot/index.py line 42")


@pytest.fixture
def broken_search(monkeypatch: pytest.MonkeyPatch, news_service: NewsService) -> None:
    monkeypatch.setattr(news_service, "search", _explode)


def _assert_plain_apology(text: str) -> None:
    assert text == UNEXPECTED
    assert "Traceback" not in text and "secret internals" not in text and "Boom" not in text


@pytest.mark.usefixtures("broken_search")
async def test_a_failure_after_a_public_defer_is_told_privately(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        result = await server.alice.slash(server.channel, "search", query="ferry boats")

    assert result.response is None  # the public "thinking…" message is gone
    assert [f.ephemeral for f in result.followups] == [True]
    _assert_plain_apology(result.followups[0].content)
    assert server.channel.history(viewer=server.bob) == []
    assert_never_pings(server.env)

    assert [type(e).__name__ for e in server.env.errors] == ["CommandInvokeError"]
    (record,) = caplog.records
    message = record.getMessage()
    assert "'command': 'search'" in message
    assert f"'user_id': {server.alice.id}" in message
    assert f"'guild_id': {server.guild.id}" in message
    assert "'query': 'ferry boats'" in message
    assert record.exc_info is not None and record.exc_info[0] is Boom


@pytest.mark.usefixtures("broken_search")
async def test_a_failure_after_a_private_defer_replaces_the_thinking_message(
    server: Server,
) -> None:
    result = await server.alice.slash(server.channel, "search", query="ferry", private=True)

    assert result.ephemeral
    _assert_plain_apology(result.response.content)
    assert result.followups == []
    refusals(server.env)


async def test_a_failure_before_answering_is_told_privately(
    server: Server, monkeypatch: pytest.MonkeyPatch, news_service: NewsService
) -> None:
    # /help answers at once, without deferring.
    monkeypatch.setattr(sys.modules["bot.exts.meta"], "help_embed", _explode)

    result = await server.alice.slash(server.channel, "help")

    assert result.ephemeral
    _assert_plain_apology(result.response.content)
    refusals(server.env)


async def test_a_failing_button_is_told_privately(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = await server.alice.slash(server.channel, "article", article="rail_strike")
    # load_extension gives each bot its own copy of the module: patch the loaded one.
    monkeypatch.setattr(sys.modules["bot.exts.articles"], "article_text_pages", _explode)

    clicked = await server.bob.click(shown.response, label="Read full text")

    assert clicked.ephemeral
    _assert_plain_apology(clicked.response.content)
    assert embed_of(shown).title == "Rail Workers Announce Weekend Strike"  # untouched
    refusals(server.env)


async def test_a_failing_autocomplete_offers_nothing_instead_of_crashing(
    server: Server, monkeypatch: pytest.MonkeyPatch, news_service: NewsService
) -> None:
    monkeypatch.setattr(news_service, "complete_articles", _explode)

    choices = await server.alice.autocomplete(server.channel, "article", "article", "ferry")

    assert choices == []
