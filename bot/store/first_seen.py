"""When the library first saw each article, kept so a restart neither makes every article
"new" again nor forgets when an undated one arrived.

The bot records every article id it loads (``record``: the first time wins, later calls
change nothing) and hands the stored times to the service, which dates undated articles
by them and answers "what is new since T" from them. ``read_first_seen`` is the read-only
way in for the CLI, which never writes the database.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bot.store.postgres import is_postgres_url, read_only_rows, run_outside_loop
from bot.store.timeconv import from_epoch, to_epoch

if TYPE_CHECKING:
    from bot.store.database import Store

#: Rows per INSERT statement (SQLite allows 32,766 parameters; two per row).
_BATCH = 5_000


class FirstSeenRepo:
    """Article ids and the instant the library first loaded them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(
        self, seen: Mapping[str, dt.datetime] | Iterable[str], *, now: dt.datetime | None = None
    ) -> dict[str, dt.datetime]:
        """Record ids not recorded yet (at their given time, or ``now``) in one transaction,
        and return every stored time (earlier records win)."""
        if isinstance(seen, Mapping):
            rows = [(article_id, to_epoch(at)) for article_id, at in seen.items()]
        else:
            if now is None:
                raise ValueError("record(ids) needs now=")
            at_now = to_epoch(now)
            rows = [(article_id, at_now) for article_id in seen]
        async with self._store.transaction() as conn:
            for start in range(0, len(rows), _BATCH):
                await conn.executemany(
                    "INSERT INTO article_first_seen (article_id, seen_at) VALUES (?, ?) "
                    "ON CONFLICT (article_id) DO NOTHING",
                    rows[start : start + _BATCH],
                )
        return await self.all()

    async def all(self) -> dict[str, dt.datetime]:
        """Every recorded article id with its first-seen instant."""
        rows = await self._store.fetchall("SELECT article_id, seen_at FROM article_first_seen")
        return {article_id: from_epoch(seen_at) for article_id, seen_at in rows}


def read_first_seen(path: str | Path) -> dict[str, dt.datetime]:
    """The first-seen times in the database at ``path`` (a file or a ``postgresql://``
    address), read-only; {} when there is no such file or it holds none (an older schema,
    not a newsbot database, locked, a server that cannot be reached)."""
    if is_postgres_url(str(path)):
        return run_outside_loop(_read_postgres(str(path)))
    where = Path(path)
    if not where.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"{where.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except (sqlite3.Error, ValueError, OSError):
        return {}
    try:
        rows = conn.execute("SELECT article_id, seen_at FROM article_first_seen").fetchall()
    except sqlite3.Error:
        return {}
    finally:
        conn.close()
    return {str(article_id): from_epoch(int(seen_at)) for article_id, seen_at in rows}


async def _read_postgres(url: str) -> dict[str, dt.datetime]:
    rows = await read_only_rows(url, "SELECT article_id, seen_at FROM article_first_seen")
    return {str(article_id): from_epoch(int(seen_at)) for article_id, seen_at in rows}
