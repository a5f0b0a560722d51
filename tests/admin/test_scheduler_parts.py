"""The scheduler's pieces that need no Discord: error mapping, nonces, "new", latency."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import discord
import pytest
from admin_sim import ARTICLES

from bot.exts.scheduler import carries_nonce, has_new_on_topic, new_articles, poster_error
from bot.metrics import LatencyRecorder, percentile
from bot.schedule import ChannelGone, MissingAccess, NothingToPost, PosterError, TransientError
from bot.service import NewsService

UTC = dt.UTC


def http_error(kind: type[discord.HTTPException], status: int, code: int) -> Exception:
    response = SimpleNamespace(status=status, reason="x")
    return kind(response, {"code": code, "message": "boom"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "sending", "expected"),
    [
        (http_error(discord.NotFound, 404, 10003), False, ChannelGone),
        (http_error(discord.NotFound, 404, 10008), True, NothingToPost),
        (http_error(discord.Forbidden, 403, 50013), True, MissingAccess),
        (http_error(discord.DiscordServerError, 503, 0), True, TransientError),
        (http_error(discord.HTTPException, 429, 0), True, TransientError),
        (http_error(discord.HTTPException, 400, 50035), True, PosterError),
        (aiohttp.ClientConnectionError("reset"), True, TransientError),
        (TimeoutError(), True, TransientError),
    ],
)
def test_discord_errors_become_the_runners_errors(
    error: Exception, sending: bool, expected: type[Exception]
) -> None:
    mapped = poster_error(error, sending=sending)
    assert type(mapped) is expected
    assert str(mapped)


def test_a_post_is_recognised_by_the_nonce_in_its_footer() -> None:
    embed = discord.Embed(title="Digest").set_footer(text="3 points · scheduled digest #4 · nb4.9")
    message = SimpleNamespace(embeds=[embed])

    assert carries_nonce(message, "nb4.9")  # type: ignore[arg-type]
    assert not carries_nonce(message, "nb4.90")  # type: ignore[arg-type]
    assert not carries_nonce(SimpleNamespace(embeds=[]), "nb4.9")  # type: ignore[arg-type]


def test_new_means_written_or_dated_after_the_last_digest(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    last_post = dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    before = (last_post - dt.timedelta(days=1)).timestamp()
    for path in folder.iterdir():
        os.utime(path, (before, before))
    service = NewsService.load(folder)

    assert new_articles(service, last_post, "UTC") == {}
    assert not has_new_on_topic(service, None, last_post, "UTC", ())

    later = (last_post + dt.timedelta(hours=2)).timestamp()
    os.utime(folder / "harbour_ferry.md", (later, later))
    assert set(new_articles(service, last_post, "UTC")) == {"harbour_ferry"}
    assert has_new_on_topic(service, "Transport", last_post, "UTC", ())
    assert not has_new_on_topic(service, "Health", last_post, "UTC", ())
    # Dated after the day of the last digest counts as new too.
    assert set(new_articles(service, dt.datetime(2025, 12, 30, tzinfo=UTC), "UTC")) >= {
        "clinic-hours"
    }


def test_latency_percentiles_cover_the_recent_window() -> None:
    recorder = LatencyRecorder(window=100)
    assert recorder.summary().p50 is None
    for ms in range(1, 201):
        recorder.record(ms / 1000)

    summary = recorder.summary()

    assert (summary.count, summary.window) == (200, 100)
    assert summary.p50 == pytest.approx(0.150)
    assert summary.p95 == pytest.approx(0.195)
    assert summary.worst == pytest.approx(0.200)
    assert percentile([1.0], 0.95) == 1.0
