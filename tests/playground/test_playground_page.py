"""The playground page over HTTP: what a visitor's browser asks for, and what they see.

These tests drive the real bot through the page's own HTTP API (see ``playground_page``),
so they exercise SimCord's Preview, the playground's world and its live clock together.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.exts.scheduler import LOOP_SECONDS
from bot.playground.session import Playground
from tests.support.playground_page import START, OpenPage, PlaygroundPage, buttons, message_text


async def test_the_page_is_served_on_loopback_and_needs_its_key(
    playground: Playground, http: aiohttp.ClientSession
) -> None:
    base, _, key = playground.url.partition("/#")
    assert base.startswith("http://127.0.0.1:")
    async with http.get(base + "/") as response:
        assert response.status == 200
        assert "<html" in (await response.text()).lower()
    async with http.post(base + "/api/pages", json={}) as response:
        assert response.status == 401  # no key, no session
    async with http.post(
        base + "/api/pages", json={}, headers={"X-Simcord-Capability": key}
    ) as response:
        assert response.status == 200


async def test_a_chosen_port_is_used(settings: Settings, http: aiohttp.ClientSession) -> None:
    from bot.app import create_bot

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with Playground(await create_bot(settings), port=port, tick_seconds=None) as running:
        assert running.url.startswith(f"http://127.0.0.1:{port}/#")
        page = PlaygroundPage(http, running.url)
        assert (await page.open())["channel"]["name"] == "news"


async def test_the_member_sees_the_channel_and_the_member_commands(open_page: OpenPage) -> None:
    page = await open_page("member")
    assert page.snapshot["channel"]["name"] == "news"
    offered = {entry["invocation"] for entry in await page.catalog()}
    assert {"search", "digest", "article", "topics", "help"} <= offered
    assert not any(name.startswith("admin") for name in offered)


async def test_the_moderator_is_offered_the_admin_commands(open_page: OpenPage) -> None:
    offered = {entry["invocation"] for entry in await (await open_page("moderator")).catalog()}
    assert {"search", "digest", "article", "topics", "help"} <= offered
    assert {"admin schedule add", "admin schedule list", "admin stats", "admin reload"} <= offered


async def test_an_admin_answer_is_shown_to_the_moderator_alone(open_page: OpenPage) -> None:
    moderator = await open_page("moderator")
    member = await open_page("member")

    receipt = await moderator.run("admin stats")

    answer = moderator.response_to(receipt)
    assert answer["ephemeral"]
    assert "7 articles" in message_text(answer)  # the fixture library
    assert answer["id"] not in (await member.state())["messages"]


async def test_a_digest_scheduled_for_two_minutes_later_appears_without_a_refresh(
    playground: Playground, open_page: OpenPage
) -> None:
    moderator = await open_page("moderator")
    member = await open_page("member")
    now = playground.env.now()
    due = (now + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)

    receipt = await moderator.run(
        "admin schedule add",
        channel=str(playground.world.channel.id),
        time=due.strftime("%H:%M"),
        topic="trade",
        timezone="UTC",
    )
    confirmation = message_text(moderator.response_to(receipt))
    assert "Scheduled digest **#1**: Trade & investment" in confirmation
    assert f"daily at {due:%H:%M} (UTC)" in confirmation

    await playground.live.advance((due - now).total_seconds() - 5)
    assert not _digests(await member.state())  # not before its time

    # Due now; the scheduler looks every LOOP_SECONDS of simulated time.
    await playground.live.advance(5 + LOOP_SECONDS)

    # Reads only, as the pages' polls do: the playground republished after the post.
    for page in (member, moderator):
        [digest] = _digests(await page.state())
        assert not digest["ephemeral"]
        shown = message_text(digest)
        assert "Digest: Trade & investment" in shown
        assert "Harbour exports climb" in shown
        # No internal ids in public; the embed carries the run's due time instead.
        assert "scheduled digest #1" not in shown and "nb1." not in shown
        assert dt.datetime.fromisoformat(digest["timestamp"]) == due


async def test_a_scheduled_digest_is_posted_while_the_clock_follows_real_time(
    settings: Settings, http: aiohttp.ClientSession
) -> None:
    from bot.app import create_bot

    # Ticking as ``newsbot playground`` does, only a minute of simulated time per second,
    # so the scheduler's own loop posts the digest within seconds and no test moves time.
    async with Playground(
        await create_bot(settings), start_at=START, tick_seconds=0.05, time_scale=60
    ) as running:
        page = PlaygroundPage(http, running.url)
        await page.open(running.world.moderator.id)
        # Three minutes: the clock runs while the command is on its way (about 3 s here).
        due = (running.env.now() + dt.timedelta(minutes=3)).replace(second=0, microsecond=0)
        receipt = await page.run(
            "admin schedule add",
            channel=str(running.world.channel.id),
            time=due.strftime("%H:%M"),
            timezone="UTC",
        )
        confirmation = message_text(page.response_to(receipt))
        assert f"Next run: {due:%a %d %b %Y %H:%M} UTC" in confirmation, "it arrived after its time"
        async with asyncio.timeout(60):  # about 3 s; the deadline is for a loaded machine
            while not _digests(await page.state()):
                await asyncio.sleep(0.05)
        [digest] = _digests(page.snapshot)
        assert "Digest: All topics" in message_text(digest)
        assert dt.datetime.fromisoformat(digest["timestamp"]) >= due


def _digests(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The scheduled digests a page shows (the bot's posts that answer no command)."""
    # A scheduled digest is a digest embed stamped with its run's due time (/digest answers
    # carry no timestamp).
    return [
        snapshot["messages"][i]
        for i in snapshot["timeline"]
        if any(
            (embed.get("title") or "").startswith("Digest: ") and embed.get("timestamp")
            for embed in snapshot["messages"][i].get("embeds", [])
        )
    ]


async def test_search_answers_with_an_embed_despite_typos(open_page: OpenPage) -> None:
    page = await open_page()
    receipt = await page.run("search", query="harbor exprts")
    shown = message_text(page.response_to(receipt))
    assert "Harbour exports climb" in shown
    assert "avocados" in shown or "tariffs" in shown


async def test_article_suggestions_follow_what_is_typed(open_page: OpenPage) -> None:
    page = await open_page()
    choices = await page.suggest("search", "article", "marathn", query="record")
    assert choices, "no suggestions for a misspelled headline word"
    assert "marathon" in choices[0]["name"].lower()
    receipt = await page.run("search", query="record", article=choices[0]["value"])
    assert "Marathon record falls" in message_text(page.response_to(receipt))


async def test_pages_turn_and_the_other_viewer_sees_it_without_refreshing(
    open_page: OpenPage,
) -> None:
    member = await open_page("member")
    moderator = await open_page("moderator")
    receipt = await member.run("search", query="rivr")
    answer = member.response_to(receipt)
    first_page = message_text(answer)
    assert "▶" in [b.get("label") for b in buttons(answer)], "the search has a single page"
    seen_by_moderator = (await moderator.state())["publishedRevision"]

    await member.click(answer["id"], "▶")

    turned = member.snapshot["messages"][answer["id"]]
    assert message_text(turned) != first_page
    # The moderator's page polls; the playground republished it after the click.
    state = await moderator.state()
    assert state["publishedRevision"] > seen_by_moderator
    assert message_text(state["messages"][answer["id"]]) == message_text(turned)


async def test_page_buttons_go_away_on_timeout_without_a_refresh(
    playground: Playground, open_page: OpenPage
) -> None:
    page = await open_page()
    receipt = await page.run("search", query="rivr")
    answer_id = page.response_to(receipt)["id"]
    assert buttons(page.snapshot["messages"][answer_id])
    revision = page.snapshot["publishedRevision"]

    await playground.live.advance(200)  # past the paginator's three-minute timeout

    state = await page.state()  # a read, as the page's poll does; no refresh action
    assert state["publishedRevision"] > revision
    assert buttons(state["messages"][answer_id]) == []


async def test_the_clock_starts_now_and_follows_real_time(settings: Settings) -> None:
    from bot.app import create_bot

    start = dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)
    async with Playground(await create_bot(settings), start_at=start, tick_seconds=0.02) as running:
        first = running.env.now()
        assert abs((first - start).total_seconds()) < 60
        # Wait for the clock to move on its own (bounded; no fixed sleep).
        async with asyncio.timeout(30):
            while (running.env.now() - first).total_seconds() < 0.1:
                await asyncio.sleep(0.02)


async def test_answers_carry_the_simulated_time(open_page: OpenPage) -> None:
    page = await open_page()
    receipt = await page.run("topics")
    stamp = dt.datetime.fromisoformat(page.response_to(receipt)["timestamp"])
    assert abs((stamp - START).total_seconds()) < 60


@pytest.mark.parametrize(
    ("topic", "source"),
    [("trade", "Harbour exports climb"), ("Security & defence", "Haiti security mission")],
)
async def test_digest_cites_its_sources(open_page: OpenPage, topic: str, source: str) -> None:
    page = await open_page()
    receipt = await page.run("digest", topic=topic)
    shown = message_text(page.response_to(receipt))
    assert "Digest:" in shown
    assert source in shown


async def test_topics_and_help_answer(open_page: OpenPage) -> None:
    page = await open_page()
    topics = message_text(page.response_to(await page.run("topics")))
    assert "Trade" in topics
    help_text = message_text(page.response_to(await page.run("help")))
    assert "/search" in help_text


async def test_cooldowns_run_on_the_simulated_clock(
    playground: Playground, open_page: OpenPage
) -> None:
    page = await open_page()
    for query in ("river", "harbour", "marathon"):
        await page.run("search", query=query)
    # A refusal is an answer, not a failed action (``run`` insists on "settled").
    refused = page.response_to(await page.run("search", query="ferry"))
    assert refused["ephemeral"]
    assert "try again in" in message_text(refused)

    await playground.live.advance(11)

    answered = page.response_to(await page.run("search", query="ferry"))
    assert "River ferry returns" in message_text(answered)


async def test_relative_times_are_measured_from_the_moment_of_the_answer(
    playground: Playground, open_page: OpenPage
) -> None:
    page = await open_page()
    await playground.live.advance(25)  # quiet seconds: the bot posts nothing

    await page.run("topics")

    shown_at = dt.datetime.fromisoformat((await page.state())["profile"]["presentationTime"])
    # What the page shows as "in 1 minute" is measured from now, not from the last post.
    assert abs((shown_at - playground.env.now()).total_seconds()) < 2


async def test_an_open_page_keeps_its_relative_times_current(
    playground: Playground, open_page: OpenPage
) -> None:
    page = await open_page()
    await playground.live.advance(600)  # ten quiet minutes with the page open

    shown_at = dt.datetime.fromisoformat((await page.state())["profile"]["presentationTime"])
    assert abs((shown_at - playground.env.now()).total_seconds()) < 2
