"""Heavy commands allow each member three uses per ten seconds, then say when to retry."""

from __future__ import annotations

import pytest

from tests.support.newsbot_sim import Server, embed_of, refusals


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("search", {"query": "ferry"}),
        ("digest", {"topic": "Sport"}),
        ("article", {"article": "rail_strike"}),
    ],
)
async def test_a_fourth_use_within_ten_seconds_waits(
    server: Server, command: str, options: dict[str, str]
) -> None:
    for _ in range(3):
        assert not (await server.alice.slash(server.channel, command, **options)).ephemeral

    await server.env.advance_time(4)
    blocked = await server.alice.slash(server.channel, command, **options)

    assert blocked.ephemeral
    assert blocked.response.content == "You're going a bit fast: try again in 6 s."
    assert refusals(server.env) == ["You are on cooldown. Try again in 6.00s"]

    await server.env.advance_time(7)
    assert not (await server.alice.slash(server.channel, command, **options)).ephemeral


async def test_light_commands_have_no_cooldown(server: Server) -> None:
    for _ in range(5):
        assert embed_of(await server.alice.slash(server.channel, "topics")).title == "Topics"
