"""The schedule list and stats embeds show each schedule's last outcome within Discord's
limits, however long or odd the reason, with the reason's markdown escaped."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.metrics import LatencySummary
from bot.search.model import IndexStats
from bot.store import LedgerEntry, Schedule
from bot.ui.admin_embeds import StatsView, last_run_line, schedule_pages, stats_embed
from tests.support.discord_oracle import embed_problems

UTC = dt.UTC
NOW = dt.datetime(2026, 1, 2, 9, 30, tzinfo=UTC)


def schedule(n: int, topic: str | None) -> Schedule:
    return Schedule(
        id=n, guild_id=1, channel_id=100 + n, topic=topic, local_time=dt.time(9),
        cadence="daily", weekday=None, timezone="UTC", only_new=True, paused=False,
        pause_reason=None, failure_count=0, next_retry_at=None, created_by=None,
        created_at=NOW, last_posted_at=None, armed_at=NOW,
    )  # fmt: skip


def run(n: int, state: str, detail: str | None, manual: bool = False) -> LedgerEntry:
    due = dt.datetime(2026, 1, 2, 9, tzinfo=UTC)
    return LedgerEntry(
        id=n, schedule_id=n, due_at=due, state=state, nonce=None, attempts=1,  # type: ignore[arg-type]
        claimed_at=due, completed_at=due, message_id=None, detail=detail, manual=manual,
    )  # fmt: skip


def test_the_last_outcome_reads_as_a_sentence() -> None:
    skipped = run(1, "skipped", "nothing new on Trade & investment")
    assert last_run_line(skipped, "UTC") == (
        "Last run: skipped at 09:00 on Fri 02 Jan: nothing new on Trade & investment"
    )
    assert last_run_line(skipped, "Asia/Tokyo").startswith("Last run: skipped at 18:00 on Fri")
    assert last_run_line(run(1, "posted", None, manual=True), "UTC") == (
        "Last run: run-now posted at 09:00 on Fri 02 Jan"
    )
    assert last_run_line(None, "UTC") == "Last run: none yet"
    odd = last_run_line(run(1, "failed", "Discord said **no** @everyone"), "UTC")
    assert "**no**" not in odd and "\\*\\*no\\*\\*" in odd


@settings(max_examples=30, deadline=None)
@given(
    count=st.integers(1, 25),
    topic=st.text(min_size=1, max_size=100),
    detail=st.text(max_size=3000),
)
def test_any_number_of_schedules_with_any_reason_fit(count: int, topic: str, detail: str) -> None:
    schedules = [schedule(n, topic) for n in range(1, count + 1)]
    last = {n: run(n, "skipped", detail) for n in range(1, count + 1)}

    pages = schedule_pages(schedules, NOW, "UTC", last)

    assert embed_problems(pages) == []
    view = StatsView(
        articles=1,
        sentences=1,
        rejected=0,
        index=IndexStats(1, 1, 1, 1),
        search=LatencySummary(0, 0, None, None, None),
        uptime_seconds=60,
        upcoming=[(NOW, s) for s in schedules[:5]],
        timezone="UTC",
        guilds=1,
        last_runs=last,
    )
    assert embed_problems([stats_embed(view)]) == []
