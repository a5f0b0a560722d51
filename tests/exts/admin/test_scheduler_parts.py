"""The scheduler's pieces that need no Discord: error mapping, recognising a post, "new",
latency."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import discord
import pytest

from bot.exts.scheduler import is_post_of, poster_error
from bot.metrics import LatencyRecorder, percentile
from bot.schedule import ChannelGone, MissingAccess, NothingToPost, PosterError, TransientError
from bot.service import NewsService
from bot.store import Schedule
from tests.support.admin_sim import ARTICLES

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


def schedule(topic: str | None = None) -> Schedule:
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    return Schedule(
        id=4, guild_id=1, channel_id=2, topic=topic, local_time=dt.time(9), cadence="daily",
        weekday=None, timezone="UTC", only_new=False, paused=False, pause_reason=None,
        failure_count=0, next_retry_at=None, created_by=None, created_at=now,
        last_posted_at=None, armed_at=now,
    )  # fmt: skip


def test_a_post_is_recognised_by_its_title_and_due_time_not_an_id_in_the_footer() -> None:
    due = dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    embed = discord.Embed(title="Digest: Health", timestamp=due).set_footer(text="3 points")
    message = SimpleNamespace(embeds=[embed])

    assert is_post_of(message, schedule("Health"), due)  # type: ignore[arg-type]
    assert not is_post_of(message, schedule("Health"), due + dt.timedelta(days=1))  # type: ignore[arg-type]
    assert not is_post_of(message, schedule(None), due)  # type: ignore[arg-type]
    untimed = SimpleNamespace(embeds=[discord.Embed(title="Digest: Health")])
    assert not is_post_of(untimed, schedule("Health"), due)  # type: ignore[arg-type]
    assert not is_post_of(SimpleNamespace(embeds=[]), schedule("Health"), due)  # type: ignore[arg-type]


def test_new_means_first_seen_or_dated_after_the_last_digest(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    aside = tmp_path / "harbour_ferry.md"
    (folder / "harbour_ferry.md").rename(aside)
    last_post = dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    clock = [last_post - dt.timedelta(days=1)]
    service = NewsService(folder, clock=lambda: clock[0])
    service.reload()

    assert service.new_since(last_post, "UTC") == {}
    assert not service.has_new_on_topic(None, last_post, "UTC")

    clock[0] = last_post + dt.timedelta(hours=2)
    aside.rename(folder / "harbour_ferry.md")  # dated 2025-12-30, but arrives only now
    service.reload()
    assert set(service.new_since(last_post, "UTC")) == {"harbour_ferry"}
    assert service.has_new_on_topic("Transport", last_post, "UTC")
    assert not service.has_new_on_topic("Health", last_post, "UTC")
    # Dated after the day of the last digest counts as new too.
    assert set(service.new_since(dt.datetime(2025, 12, 30, tzinfo=UTC), "UTC")) >= {"clinic-hours"}
    # Editing a file the library already had does not make it new.
    (folder / "rovers_derby.txt").write_text(
        (folder / "rovers_derby.txt").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8",
    )
    clock[0] += dt.timedelta(hours=1)
    service.reload()
    assert "rovers_derby" not in service.new_since(last_post, "UTC")


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


def test_asking_for_unrecorded_first_seen_days_never_waits_for_a_reload(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    service = NewsService.load(folder)
    assert set(service.unrecorded_first_seen()) == set(service.articles)
    with service._reload_lock:  # a reload is running in a worker thread
        assert service.unrecorded_first_seen() == {}
    service.adopt_first_seen(service.unrecorded_first_seen())
    assert service.unrecorded_first_seen() == {}
