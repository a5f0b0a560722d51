"""The playground's sample feed: served on 127.0.0.1, a new story at each fetch after the
first, and, in a running playground, an alert on it arrives in #news."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import feedparser

from bot.config import Settings
from bot.playground.sample_feed import STORIES, SampleFeed
from bot.playground.session import Playground
from tests.support.playground_page import START, PlaygroundPage, message_text


async def test_the_sample_feed_adds_a_story_at_each_fetch(http: aiohttp.ClientSession) -> None:
    async with SampleFeed() as sample:
        assert sample.url.startswith("http://127.0.0.1:")
        seen = []
        for _ in range(3):
            async with http.get(sample.url) as response:
                parsed = feedparser.parse(await response.read())
            seen.append([entry.title for entry in parsed.entries])

    assert not parsed.bozo and parsed.feed.title == "Playground Harbour News"
    assert [len(titles) for titles in seen] == [3, 4, 5]
    assert seen[1][0] == STORIES[3].title  # the new story first, as feeds list them
    assert set(seen[0]) < set(seen[1]) < set(seen[2])


def _alerts(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        snapshot["messages"][i]
        for i in snapshot["timeline"]
        if any(
            (embed.get("footer") or {}).get("text", "").startswith("Alert #")
            for embed in snapshot["messages"][i].get("embeds", [])
        )
    ]


async def test_a_newcomer_follows_the_sample_feed_and_watches_an_alert_arrive(
    settings: Settings, http: aiohttp.ClientSession
) -> None:
    from dataclasses import replace

    from bot.app import create_bot
    from bot.service import NewsService

    # As ``newsbot playground`` runs it (private addresses allowed for the sample feed),
    # with a minute of simulated time per real second so the 5-minute fetch comes quickly.
    # The library is loaded before the simulated clock starts, as ``newsbot playground``
    # does (its parse workers must not start under the simulated clock).
    service = await asyncio.to_thread(NewsService.load, settings.articles_dir)
    bot = await create_bot(replace(settings, feeds_allow_private=True), service)
    async with (
        SampleFeed() as sample,
        Playground(bot, start_at=START, tick_seconds=0.05, time_scale=60) as running,
    ):
        page = PlaygroundPage(http, running.url)
        await page.open(running.world.moderator.id)
        added = await page.run("admin feed add", url=sample.url, interval="5")
        assert "Following Playground Harbour News" in message_text(page.response_to(added))
        made = await page.run(
            "admin alert add", channel=str(running.world.channel.id), keywords="ferry"
        )
        assert "Alert **#1**" in message_text(page.response_to(made))

        async with asyncio.timeout(90):  # about 6 s; the deadline is for a loaded machine
            while not _alerts(await page.state()):
                await asyncio.sleep(0.05)
        shown = [message_text(alert) for alert in _alerts(page.snapshot)]
        # Ferry stories a fetch brought after the alert was made: not the first fetch's.
        later_ferries = [s.title for s in STORIES[3:] if "ferry" in s.title.lower()]
        assert all(any(text.startswith(t) for t in later_ferries) for text in shown), shown
        assert sample.fetches >= 2
