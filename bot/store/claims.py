"""The exactly-once ledger: one row per thing the bot posts on its own, claimed before any send.

Both ledger tables, ``digest_runs`` (a schedule's run for one due time, ``bot.store.ledger``)
and ``alert_posts`` (an alert's post of one article, ``bot.store.alerts``), have a UNIQUE
key naming what the row is for and the same columns for what became of it: ``state``,
``nonce``, ``attempts``, ``claimed_at``, ``completed_at``, ``message_id``, ``detail``.
``Claims`` is the one place those change:

* ``insert``: ``INSERT … ON CONFLICT (key) DO NOTHING`` as ``claimed`` (an attempt starts;
  committed before any send) or ``skipped`` (none ever will). Only one caller can insert
  the row, so it gets the row back and every other caller gets None;
* ``reclaim``: ``failed`` → ``claimed`` for another attempt (``attempts`` + 1);
* ``complete``: ``claimed`` → ``posted``, ``skipped`` or ``failed``.

The UPDATEs are conditional on the state they change, so a stale caller changes nothing
and learns so from the None it gets back. Each write reads its row back in its own
transaction: what it returns is the row as that write left it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.store.errors import InvalidValue
from bot.store.models import RunState
from bot.store.timeconv import to_epoch

if TYPE_CHECKING:
    from bot.store.database import Store

E = TypeVar("E")

OUTCOMES = frozenset({"posted", "skipped", "failed"})


@dataclass(frozen=True)
class LedgerTable(Generic[E]):
    """One ledger table: its name, its UNIQUE key, the columns read and the row they make."""

    name: str
    key: tuple[str, ...]
    columns: str
    row: Callable[[Sequence[Any]], E]
    #: What a row is, in an error: "a run", "a post".
    noun: str
    #: ``complete`` keeps at most this many characters of a detail (None: all of it).
    detail_chars: int | None = None


class Claims(Generic[E]):
    """Claim, reclaim, complete and read the rows of one ledger table.

    A row is picked by ``where`` (SQL with ``?`` placeholders, e.g. ``"id = ?"``) and its
    ``params``; ``select`` takes the rest of a query after ``FROM <table>``."""

    def __init__(self, store: Store, table: LedgerTable[E]) -> None:
        self._store = store
        self._table = table

    async def insert(
        self,
        key: Sequence[Any],
        state: RunState,
        *,
        now: dt.datetime,
        nonce: str | None,
        detail: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> E | None:
        """Insert the row for ``key`` (the UNIQUE key's values) as ``claimed`` or
        ``skipped``, with ``extra`` columns; None if it already has a row."""
        table = self._table
        extra = extra or {}
        at = to_epoch(now)
        names = (*table.key, *extra, "state", "nonce", "claimed_at", "completed_at", "detail")
        values = (
            *key,
            *extra.values(),
            state,
            nonce,
            at,
            None if state == "claimed" else at,
            detail,
        )
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)}) "
                f"ON CONFLICT ({', '.join(table.key)}) DO NOTHING",
                values,
            )
            if cursor.rowcount == 0:
                return None
            return await self.one(" AND ".join(f"{column} = ?" for column in table.key), key)

    async def reclaim(self, where: str, params: Sequence[Any], *, now: dt.datetime) -> E | None:
        """Start another attempt at a ``failed`` row; None unless it was ``failed``."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE {self._table.name} SET state = 'claimed', attempts = attempts + 1, "
                f"claimed_at = ?, completed_at = NULL WHERE ({where}) AND state = 'failed'",
                (to_epoch(now), *params),
            )
            if cursor.rowcount == 0:
                return None
            return await self.one(where, params)

    async def complete(
        self,
        where: str,
        params: Sequence[Any],
        state: RunState,
        *,
        now: dt.datetime,
        message_id: int | None = None,
        detail: str | None = None,
    ) -> E | None:
        """Finish a ``claimed`` row as posted, skipped or failed; None unless it was claimed."""
        table = self._table
        if state not in OUTCOMES:
            raise InvalidValue(
                f"{table.noun} completes as posted, skipped or failed, not {state!r}"
            )
        if table.detail_chars is not None:
            detail = detail and detail[: table.detail_chars]
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE {table.name} SET state = ?, completed_at = ?, message_id = ?, "
                f"detail = ? WHERE ({where}) AND state = 'claimed'",
                (state, to_epoch(now), message_id, detail, *params),
            )
            if cursor.rowcount == 0:
                return None
            return await self.one(where, params)

    async def select(self, rest: str, params: Sequence[Any] = ()) -> list[E]:
        """The rows of ``SELECT … FROM <table> <rest>``."""
        rows = await self._store.fetchall(
            f"SELECT {self._table.columns} FROM {self._table.name} {rest}", tuple(params)
        )
        return [self._table.row(row) for row in rows]

    async def unfinished(self, order: str) -> list[E]:
        """Rows left ``claimed`` (an attempt interrupted by a crash or a shutdown)."""
        return await self.select(f"WHERE state = 'claimed' ORDER BY {order}")

    async def message_recorded(self, message_id: int) -> bool:
        """Whether a row already records ``message_id``."""
        row = await self._store.fetchone(
            f"SELECT 1 FROM {self._table.name} WHERE message_id = ? LIMIT 1", (message_id,)
        )
        return row is not None

    async def one(self, where: str, params: Sequence[Any]) -> E | None:
        """The row ``where`` picks, or None."""
        found = await self.select(f"WHERE {where}", params)
        return found[0] if found else None
