"""``newsbot run`` opens DATABASE_PATH at start-up (migrated) and closes it on the way out.

These start the real process against the end-to-end tier's fake Discord.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION
from tests.support.bot_process import make_workdir, start_bot
from tests.support.fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> FakeDiscord:
    fake = FakeDiscord()
    await fake.start()
    yield fake  # type: ignore[misc]
    await fake.close()


async def test_the_database_is_migrated_at_start_and_closed_at_stop(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    root = make_workdir(tmp_path)
    database = tmp_path / "data.db"
    bot = await start_bot(fake, root, DATABASE_PATH=str(database))
    try:
        await bot.until(lambda: fake.ready_sent and fake.commands)
        bot.signal()
        assert await bot.wait_exit() == 0
    finally:
        await bot.stop()
    # SQLite removes the write-ahead log when the last connection closes cleanly.
    assert not Path(f"{database}-wal").exists()
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    assert "Traceback" not in bot.stderr


@pytest.mark.parametrize("problem", ["folder", "newer"])
async def test_an_unusable_database_stops_the_start_with_one_line(
    fake: FakeDiscord, tmp_path: Path, problem: str
) -> None:
    root = make_workdir(tmp_path)
    database = tmp_path / "data.db"
    if problem == "folder":
        database.mkdir()
        expected = f"cannot open database {database}: it is a folder, not a file"
    else:
        with sqlite3.connect(database) as conn:
            conn.execute("PRAGMA user_version = 99")
        expected = f"{database}: database schema version 99 is newer than this newsbot"

    bot = await start_bot(fake, root, DATABASE_PATH=str(database))
    try:
        assert await bot.wait_exit() == 1
    finally:
        await bot.stop()

    assert "Traceback" not in bot.stderr
    assert bot.stderr.strip().splitlines()[-1].startswith(expected)
