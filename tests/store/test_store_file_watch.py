"""A database file deleted or replaced under a running store is reported, not written into.

And the first-seen record: kept across restarts, first time wins, readable by the CLI.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

import pytest

from bot.store import DatabaseFileGone, Store, StoreError, read_first_seen

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
GUILD = 10


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_a_write_after_the_file_is_deleted_or_replaced_is_refused_and_logged_once(
    tmp_path: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "newsbot.db"
    store = await Store.open(path)
    try:
        await store.guilds.update(GUILD, digest_days=3, now=NOW)
        if how == "deleted":
            path.unlink()
        else:
            other = tmp_path / "other.db"
            sqlite3.connect(other).close()
            os.replace(other, path)

        with caplog.at_level(logging.ERROR, logger="bot.store.database"):
            for _ in range(2):
                with pytest.raises(DatabaseFileGone, match=f"was {how}") as raised:
                    await store.guilds.update(GUILD, digest_days=5, now=NOW)
        assert isinstance(raised.value, StoreError)
        assert "restore the file or restart the bot" in str(raised.value)
        assert store.file_problem is not None
        # One clear line for the operator, however many writes are refused.
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and str(path) in errors[0].getMessage()
        # Nothing pretended to be saved: the open connection still reads the old value.
        assert (await store.guilds.get(GUILD)).digest_days == 3
    finally:
        await store.close()


async def test_an_untouched_file_keeps_taking_writes(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.db"
    async with await Store.open(path) as store:
        for days in (1, 2, 3):
            await store.guilds.update(GUILD, digest_days=days, now=NOW)
        assert store.file_problem is None
    async with await Store.open(path) as store:
        assert (await store.guilds.get(GUILD)).digest_days == 3


async def test_first_seen_times_survive_a_restart_and_the_first_time_wins(location: str) -> None:
    path = location
    later = NOW + dt.timedelta(days=2)
    async with await Store.open(path) as store:
        seen = await store.first_seen.record(["a", "b"], now=NOW)
        assert seen == {"a": NOW, "b": NOW}
    async with await Store.open(path) as store:
        seen = await store.first_seen.record({"b": later, "c": later})
        assert seen == {"a": NOW, "b": NOW, "c": later}
    assert read_first_seen(path) == {"a": NOW, "b": NOW, "c": later}  # the CLI's way in


async def test_many_first_seen_ids_are_recorded_in_batches(location: str) -> None:
    ids = [f"folder/{n:06d}" for n in range(12_345)]
    async with await Store.open(location) as store:
        seen = await store.first_seen.record(ids, now=NOW)
    assert len(seen) == len(ids) and seen[ids[-1]] == NOW


def test_the_cli_reading_first_seen_gets_nothing_from_no_file_or_a_foreign_one(
    tmp_path: Path,
) -> None:
    assert read_first_seen(tmp_path / "missing.db") == {}
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (x)")
    assert read_first_seen(foreign) == {}
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert read_first_seen(tmp_path / "junk.db") == {}
