"""Undated articles (the seed is one .txt file) count from the day the library first saw
them, kept in the database across restarts; a skipped run shows in /admin schedule list and
/admin stats, not only in the log."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.store import read_first_seen
from tests.support.admin_sim import NEWSROOM_ID, START, Newsroom, embed_text

SEEDS = Path(__file__).parents[3] / "seeds"
SEED_ID = "000_3f7c58d4eaf15709"


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, articles_dir: Path) -> Settings:
    return Settings(
        articles_dir=articles_dir,
        database_path=tmp_path / "newsbot.db",
        schedule_grace_minutes=60,
        library_guild_ids=frozenset({NEWSROOM_ID}),
    )


async def test_with_the_seed_alone_a_digest_scheduled_two_minutes_ahead_appears(
    room: Newsroom,
) -> None:
    await room.admin("schedule add", channel=room.news, time="00:02", topic="security")

    await room.env.advance_time(3 * 60)

    [post] = room.bot_posts()
    assert post.embeds[0].title == "Digest: Security & defence"
    assert "President Ruto Holds Strategic Call with Trump" in embed_text(post)
    assert post.embeds[0].timestamp == START + dt.timedelta(minutes=2)


async def test_the_article_says_when_it_was_added_and_a_restart_keeps_that_day(
    room: Newsroom, settings: Settings
) -> None:
    shown = await room.member.slash(room.news, "article", article=SEED_ID)
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert fields["Date"] == "Added 1 Jan 2026"
    assert read_first_seen(settings.database_path) == {SEED_ID: START}

    room.stop_scheduler()  # the bot is down for three days (cheap to skip through) …
    await room.env.advance_time(3 * 24 * 3600)
    await room.restart()  # … and comes back on 4 Jan

    shown = await room.member.slash(room.news, "article", article=SEED_ID)
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert fields["Date"] == "Added 1 Jan 2026"  # not "new" again on 4 Jan
    digest = await room.member.slash(room.news, "digest", topic="diplomacy", days=1)
    [answer] = digest.followups  # "nothing found" is answered privately
    assert answer.ephemeral
    assert answer.embeds[0].title == "No digest"  # added 3 days ago: not in 1 day


async def test_only_new_skips_are_shown_with_the_next_run_and_new_articles_count(
    room: Newsroom, articles_dir: Path
) -> None:
    await room.admin("schedule add", channel=room.news, time="00:05", topic="trade", only_new=True)
    await room.env.advance_time(6 * 60)
    assert len(room.bot_posts()) == 1  # the first digest always goes out

    await room.env.advance_time(24 * 3600)  # 2 Jan 00:06: nothing arrived since
    assert len(room.bot_posts()) == 1
    listed = embed_text((await room.admin("schedule list")).response)
    assert "Last run: skipped at 00:05 on Fri 02 Jan: nothing new on Trade & investment" in listed
    assert "Next run: Sat 03 Jan 2026 00:05 UTC" in listed
    stats = embed_text((await room.admin("stats")).response)
    assert "nothing new on Trade & investment" in stats
    assert "Sat 03 Jan 2026 00:05 UTC" in stats

    # An undated file dropped in and reloaded is new, and on the topic.
    (articles_dir / "port-deal.txt").write_text(
        "Kenya Signs Port Trade Deal\n"
        "Kenya signed a trade and investment deal for its main port on Friday.\n"
        "Exports and imports through the port are expected to grow, officials said.\n",
        encoding="utf-8",
    )
    await room.admin("reload")
    await room.env.advance_time(24 * 3600)
    assert len(room.bot_posts()) == 2
    assert "Kenya Signs Port Trade Deal" in embed_text(room.bot_posts()[-1])
