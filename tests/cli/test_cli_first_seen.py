"""The CLI dates undated articles as the bot does: by the day the bot's database says it
first saw them (read-only), else today."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_3f7c58d4eaf15709.txt"
SEED_ID = "000_3f7c58d4eaf15709"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def digest(library: Path, since: dt.date) -> dict[str, object]:
    out = io.StringIO()
    code = main(
        ["digest", "diplomacy", "--since", since.isoformat(), "--json", "--articles", str(library)],
        out=out,
    )
    assert code in (0, 1)
    return json.loads(out.getvalue())


def test_the_cli_reads_first_seen_days_from_the_bots_database(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "newsbot.db"

    async def record() -> None:
        async with await Store.open(database) as store:
            await store.first_seen.record({SEED_ID: dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)})

    asyncio.run(record())  # the CLI runs its own event loop, so the test has none
    monkeypatch.setenv("DATABASE_PATH", str(database))
    before = database.read_bytes()

    assert digest(library, dt.date(2026, 1, 1))["points"]
    assert not digest(library, dt.date(2026, 2, 1))["points"]
    assert database.read_bytes() == before  # read, never written
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM article_first_seen").fetchone() == (1,)


def test_without_a_database_an_undated_article_counts_from_today(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "none.db"))
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)

    assert digest(library, yesterday)["points"]
    assert not (tmp_path / "none.db").exists()
