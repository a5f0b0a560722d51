"""The bot is there while it loads: commands say how far the load has got, then answer."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from bot.app import LOAD_RETRY_FIRST, NewsBot, create_bot
from bot.config import Settings
from bot.corpus import library
from bot.corpus.loaders import ParseOutcome, parse_bytes
from tests.support.newsbot_sim import Server, assert_never_pings, embed_of

PARSED_BEFORE_THE_GATE = 3
REACHED = threading.Event()  # the loading thread is waiting at the gate


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Parsing (in process, not in the worker pool) stops after a few files until set."""
    opened = threading.Event()

    def parse_files(
        items: Iterable[tuple[str, bytes]], **_: Any
    ) -> Iterator[tuple[str, ParseOutcome]]:
        for number, (name, data) in enumerate(items):
            if number == PARSED_BEFORE_THE_GATE:
                REACHED.set()
                assert opened.wait(timeout=60), "the test never opened the gate"
            yield name, parse_bytes(name, data)

    monkeypatch.setattr(library, "parse_files", parse_files)
    REACHED.clear()
    yield opened
    opened.set()  # never leave the loading thread waiting


@pytest_asyncio.fixture
async def simcord_bot(settings: Settings, gate: threading.Event) -> AsyncIterator[NewsBot]:
    bot = await create_bot(settings)  # no service given: the bot loads ARTICLES_DIR itself
    yield bot
    gate.set()
    await bot.close()


async def test_commands_answer_privately_how_far_the_load_has_got(
    server: Server, simcord_bot: NewsBot
) -> None:
    assert REACHED.wait(timeout=30)  # the thread needs nothing from the event loop
    assert not simcord_bot.library_loaded
    total = simcord_bot.service.progress[1]
    assert total == 10  # the files of tests/support/discord_articles, all found

    result = await server.alice.slash(server.channel, "search", query="ferry")

    answers = [result.response, *result.followups]
    texts = [m.content for m in answers if m is not None]
    assert texts == [f"The library is loading (3 of {total} files); try again in a moment."]
    assert all(m.ephemeral for m in answers if m is not None)
    assert server.channel.history(viewer=server.bob) == []
    assert_never_pings(server.env)


async def test_once_loaded_the_same_command_answers(
    server: Server, simcord_bot: NewsBot, gate: threading.Event
) -> None:
    await server.alice.slash(server.channel, "search", query="ferry")
    gate.set()
    await simcord_bot.wait_until_library_loaded()

    result = await server.alice.slash(server.channel, "search", query="propeller shafts")

    assert "**propeller** **shafts**" in embed_of(result).description


async def test_suggestions_are_empty_while_loading(server: Server, simcord_bot: NewsBot) -> None:
    choices = await server.alice.autocomplete(server.channel, "article", "article", "ferr")

    assert choices == []


async def test_a_load_that_fails_says_so_instead_of_loading_for_ever(
    server: Server, simcord_bot: NewsBot, gate: threading.Event
) -> None:
    assert REACHED.wait(timeout=30)
    simcord_bot.service.library.stop()  # what a stop does; any failure reads the same
    gate.set()
    failed = await simcord_bot.wait_for("library_load_finished")
    assert failed is not None

    result = await server.alice.slash(server.channel, "search", query="ferry")

    answers = [m for m in (result.response, *result.followups) if m is not None]
    assert [m.content for m in answers] == [
        "The library could not be loaded (the load was stopped (newsbot is shutting down)); "
        "it is tried again every few minutes, and a moderator can find why in the bot's log."
    ]
    assert all(m.ephemeral for m in answers)


async def test_a_failed_load_is_tried_again_and_then_answers(
    server: Server, simcord_bot: NewsBot, gate: threading.Event
) -> None:
    assert REACHED.wait(timeout=30)
    library_of = simcord_bot.service.library
    library_of.stop()  # this attempt fails …
    gate.set()
    assert await simcord_bot.wait_for("library_load_finished") is not None
    library_of._stopping.clear()  # … and the cause goes away before the next one

    await server.env.advance_time(LOAD_RETRY_FIRST + 1)
    await simcord_bot.wait_until_library_loaded()

    result = await server.alice.slash(server.channel, "search", query="propeller shafts")
    assert "**propeller** **shafts**" in embed_of(result).description
