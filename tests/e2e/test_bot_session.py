"""One real ``newsbot run`` session against the fake Discord: login, sync, commands.

The bot process is shared by the tests of this module (starting it takes a second or two);
each test waits for its own answer, so the order they run in does not matter.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support.bot_process import TOKEN, BotProcess, make_workdir, start_bot
from tests.support.fake_discord import APPLICATION_ID, FakeDiscord

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

HAITI_SENTENCE = (
    "Specifically, he spoke about Kenya’s leadership in the Multinational Security Support "
    "Mission in Haiti, an initiative aimed at stabilizing the Caribbean nation amid ongoing "
    "political and social unrest."
)
SEED_TITLE = "President Ruto Holds Strategic Call with Trump"


@dataclass
class Session:
    """The fake Discord and the bot process connected to it."""

    fake: FakeDiscord
    bot: BotProcess


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Session]:
    fake = FakeDiscord()
    await fake.start()
    root = make_workdir(Path(tmp_path_factory.mktemp("session")))
    # DEBUG logging, so the token check below covers the most talkative logs.
    bot = await start_bot(fake, root, LOG_LEVEL="DEBUG")
    try:
        await bot.until(lambda: fake.ready_sent and fake.commands and bot.library_loaded)
        yield Session(fake, bot)
    finally:
        await bot.stop()
        await fake.close()


def _option(name: str, value: Any, *, type: int = 3, focused: bool = False) -> dict[str, Any]:
    option: dict[str, Any] = {"name": name, "type": type, "value": value}
    if focused:
        option["focused"] = True
    return option


def _embeds(fake: FakeDiscord, token: str) -> list[dict[str, Any]]:
    """Every embed the bot sent for an interaction: in its reply, edits or follow-ups."""
    messages = [c.get("data") or {} for c in fake.callbacks(token) if c.get("type") in (4, 7)]
    messages += fake.followups(token)
    return [embed for message in messages for embed in message.get("embeds") or []]


def _embed_text(embed: dict[str, Any]) -> str:
    """An embed's visible text, without the bold and escapes Discord would render away."""
    parts = [embed.get("title") or "", embed.get("description") or ""]
    for item in embed.get("fields") or []:
        parts += [item.get("name") or "", item.get("value") or ""]
    parts += [(embed.get("footer") or {}).get("text") or ""]
    parts += [(embed.get("author") or {}).get("name") or ""]
    return re.sub(r"\\(.)", r"\1", "\n".join(parts).replace("**", ""))


def _options(command: dict[str, Any]) -> set[str]:
    return {option["name"] for option in command.get("options") or []}


async def test_logs_in_with_the_token(session: Session) -> None:
    fake = session.fake
    identify = fake.identify
    assert identify is not None and identify["token"] == TOKEN
    (login,) = fake.find("GET", "/users/@me")
    assert login.authorization == f"Bot {TOKEN}"


async def test_gateway_setting_wins_over_the_urls_discord_hands_out(session: Session) -> None:
    fake = session.fake
    await fake.reconnect()

    def resumed() -> dict[str, Any] | None:
        return next((m["d"] for m in fake.gateway_received if m.get("op") == 6), None)

    # Done when the bot has resumed on a new socket and left the old one (or went astray).
    await session.bot.until(
        lambda: (resumed() and fake.live_connections == 1) or fake.advertised_attempts
    )
    # The resume went to DISCORD_GATEWAY_URL, not to READY's resume_gateway_url.
    assert fake.advertised_attempts == 0
    assert fake.connections == 2
    resume = resumed()
    assert resume is not None
    assert resume["session_id"] == "fake-session"
    assert resume["token"] == TOKEN


async def test_syncs_the_member_commands(session: Session) -> None:
    synced = [c for scope in session.fake.commands.values() for c in scope]
    by_name = {c["name"]: c for c in synced}
    assert {"search", "digest", "article", "topics", "help"} <= by_name.keys()
    assert _options(by_name["search"]) == {"query", "article", "private"}
    assert _options(by_name["digest"]) == {"topic", "days"}
    assert _options(by_name["article"]) == {"article"}
    assert _options(by_name["topics"]) == set()
    assert len(by_name) == len(synced), "a command name is synced twice"


async def test_search_with_typos_answers_with_the_haiti_excerpt(session: Session) -> None:
    fake = session.fake
    token = await fake.interact("search", [_option("query", "Hati mision")])
    embeds = await session.bot.until(
        lambda: [e for e in _embeds(fake, token) if HAITI_SENTENCE in _embed_text(e)]
    )
    assert embeds
    first = fake.callbacks(token)[0]
    assert first["type"] in (4, 5), "the interaction was answered (or deferred) first"


async def test_autocomplete_offers_the_seed_article(session: Session) -> None:
    fake = session.fake
    token = await fake.interact(
        "article", [_option("article", "ruto trump", focused=True)], autocomplete=True
    )
    (callback,) = await session.bot.until(lambda: fake.callbacks(token))
    assert callback["type"] == 8
    choices = callback["data"]["choices"]
    assert 1 <= len(choices) <= 25
    assert any(SEED_TITLE in choice["name"] for choice in choices)


async def test_token_never_appears_in_debug_logs(session: Session) -> None:
    fake = session.fake
    # Make the bot talk: one more command, answered, before reading its logs.
    token = await fake.interact("topics", [])
    await session.bot.until(lambda: fake.callbacks(token))
    logs = session.bot.stderr
    assert "DEBUG" in logs and "INTERACTION_CREATE" in logs, "DEBUG logging is on"
    assert TOKEN not in logs


async def test_prints_the_invite_link_from_the_application_id(session: Session) -> None:
    # Commands are synced after setup_hook, which logs the link.
    await session.bot.until(lambda: session.fake.commands)
    link = (
        f"https://discord.com/oauth2/authorize?client_id={APPLICATION_ID}"
        "&scope=bot+applications.commands&permissions=84992"
    )
    assert f"invite the bot to a server: {link}" in session.bot.stderr


async def test_a_burst_of_interactions_is_each_acknowledged_then_answered(
    session: Session,
) -> None:
    fake = session.fake
    kinds = [
        ("search", [_option("query", "Haiti mission")]),
        ("topics", []),
        ("digest", [_option("topic", "security")]),
    ]
    # Each from its own member, so no cooldown answers in the bot's place.
    burst = [
        fake.interaction(*kinds[number % 3], user_id=800000000000000000 + number)
        for number in range(60)
    ]
    await fake.dispatch_burst("INTERACTION_CREATE", [payload for _token, payload in burst])
    tokens = [token for token, _payload in burst]

    def all_answered() -> bool:
        return all(fake.callbacks(t) and (fake.followups(t) or _answered(fake, t)) for t in tokens)

    await session.bot.until(all_answered, timeout=60)
    for token in tokens:
        assert fake.callbacks(token)[0]["type"] in (4, 5)  # answered or deferred first


def _answered(fake: FakeDiscord, token: str) -> bool:
    return any(c.get("type") == 4 for c in fake.callbacks(token))
