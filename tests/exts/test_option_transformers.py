"""The option transformers of ``bot/exts/_options.py`` and the view base, as units: what a
member typed becomes a typed value (or a clear refusal), whatever was typed."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.errors import UserFacingError
from bot.exts._options import (
    ArticleName,
    ArticleOption,
    ScheduleOption,
    ScheduleRef,
    ScheduleTopic,
    ScheduleTopicOption,
    TimezoneOption,
    TopicOption,
    ZoneName,
)
from bot.service import NewsService
from bot.ui.views import NewsView
from tests.support.newsbot_sim import FIXTURES

HOSTILE = ["", "   ", "\n\t", "x" * 1_000_000, "**@everyone** <@456>", "(" * 10_000, "\x00\u202e"]


def transform(transformer: Any, value: object) -> Any:
    return asyncio.run(transformer.transform(SimpleNamespace(), value))


def test_a_topic_is_folded_and_refused_at_once_when_blank_or_too_long() -> None:
    assert transform(TopicOption(), "  public \n health ") == "public health"
    with pytest.raises(UserFacingError, match="Name a topic"):
        transform(TopicOption(), " \t ")
    with pytest.raises(UserFacingError, match="at most 100 characters"):
        transform(TopicOption(), "y" * 1_000_000)


@pytest.mark.parametrize("typed", ["all", " ALL  Topics ", "*", "everything", "", "  "])
def test_every_way_of_saying_all_topics_means_none(typed: str) -> None:
    assert transform(ScheduleTopicOption(), typed) == ScheduleTopic(None)


def test_a_schedule_topic_keeps_its_words() -> None:
    assert transform(ScheduleTopicOption(), "  Public   Health ") == ScheduleTopic("Public Health")


def test_a_timezone_becomes_its_canonical_name_or_a_refusal_with_a_suggestion() -> None:
    assert transform(TimezoneOption(), "europe/london").canonical() == "Europe/London"
    with pytest.raises(UserFacingError, match="Did you mean Europe/London"):
        ZoneName("Europe/Londn").canonical()


@pytest.mark.parametrize("typed", HOSTILE)
def test_any_typed_timezone_is_refused_in_words(typed: str) -> None:
    with pytest.raises(UserFacingError) as refused:
        ZoneName(typed).canonical()
    assert 0 < len(str(refused.value)) < 600


def test_a_schedule_is_an_integer_option_and_a_number() -> None:
    assert ScheduleOption().type is discord.AppCommandOptionType.integer
    assert transform(ScheduleOption(), 7) == ScheduleRef(7)


def test_an_unknown_schedule_is_refused_with_where_to_look() -> None:
    class Schedules:
        async def get(self, guild_id: int, schedule_id: int) -> None:
            return None

    store: Any = SimpleNamespace(schedules=Schedules())
    with pytest.raises(UserFacingError, match=r"no scheduled digest #9; `/admin schedule list`"):
        asyncio.run(ScheduleRef(9).get(store, 1))


@pytest.fixture(scope="module")
def service() -> NewsService:
    return NewsService.load(FIXTURES)


def test_an_article_is_found_by_id_or_by_its_headline_typed_out(service: NewsService) -> None:
    some = next(iter(service.articles.values()))
    assert transform(ArticleOption(), some.id).find(service) is some
    typed = "  " + some.title.upper().replace(" ", "   ") + " "
    assert ArticleName(typed).find(service) is some


@pytest.mark.parametrize("typed", HOSTILE[2:])
def test_any_unknown_article_is_refused_in_words(service: NewsService, typed: str) -> None:
    with pytest.raises(UserFacingError) as refused:
        ArticleName(typed).find(service)
    message = str(refused.value)
    assert message.startswith("There is no article “") and len(message) < 1_000
    assert "@everyone" not in message.replace("@\u200beveryone", "")


def test_blank_article_text_counts_as_not_given() -> None:
    assert not ArticleName(" \n ").given and ArticleName(" x ").given


async def test_a_failing_button_goes_to_the_trees_handler() -> None:
    told: list[tuple[object, BaseException]] = []

    async def on_error(interaction: object, error: BaseException) -> None:
        told.append((interaction, error))

    interaction: Any = SimpleNamespace(
        client=SimpleNamespace(tree=SimpleNamespace(on_error=on_error))
    )
    view = NewsView(timeout=None)
    error = RuntimeError("boom")
    await view.on_error(interaction, error, discord.ui.Button())
    assert told == [(interaction, error)]


async def test_a_timed_out_view_removes_its_buttons_even_if_the_message_is_gone() -> None:
    edits: list[dict[str, object]] = []

    class Message:
        async def edit(self, **changes: object) -> None:
            edits.append(changes)
            raise discord.NotFound(SimpleNamespace(status=404, reason="gone"), "Unknown Message")

    view = NewsView(timeout=None)
    await view.on_timeout()  # never sent: nothing to edit, nothing raised
    view.message = Message()  # type: ignore[assignment]
    await view.on_timeout()
    assert edits == [{"view": None}]
