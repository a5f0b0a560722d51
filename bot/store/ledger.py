"""The ledger of digest runs: one row per (schedule, due time), claimed before any send.

The UNIQUE (schedule_id, due_at) key is what makes a run happen at most once: ``claim`` is
an INSERT that succeeds for exactly one caller. State changes are conditional UPDATEs
(``claimed`` → outcome, ``failed`` → ``claimed`` for a retry), so a stale caller changes
nothing and learns so from the None it gets back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.store.errors import InvalidValue
from bot.store.models import LedgerEntry, RunState
from bot.store.timeconv import from_epoch, maybe_from_epoch, to_epoch

if TYPE_CHECKING:
    from bot.store.database import Store

_COLUMNS = (
    "id, schedule_id, due_at, state, nonce, attempts, claimed_at, completed_at, message_id, "
    "detail, manual"
)
_OUTCOMES = frozenset({"posted", "skipped", "failed"})


def _entry(row: Sequence[Any]) -> LedgerEntry:
    (
        id_,
        schedule_id,
        due_at,
        state,
        nonce,
        attempts,
        claimed_at,
        completed_at,
        message_id,
        detail,
        manual,
    ) = row
    return LedgerEntry(
        id=id_,
        schedule_id=schedule_id,
        due_at=from_epoch(due_at),
        state=state,
        nonce=nonce,
        attempts=attempts,
        claimed_at=from_epoch(claimed_at),
        completed_at=maybe_from_epoch(completed_at),
        message_id=message_id,
        detail=detail,
        manual=bool(manual),
    )


class LedgerRepo:
    """Claim, complete and look up digest runs."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def claim(
        self,
        schedule_id: int,
        due_at: dt.datetime,
        *,
        nonce: str,
        now: dt.datetime,
        manual: bool = False,
    ) -> LedgerEntry | None:
        """Record that the run for ``due_at`` is starting; None if it already has a row.

        ``manual`` marks a moderator's run-now: recorded and recovered like any run, but
        the timetable never counts from it (see ``latest``)."""
        return await self._insert(schedule_id, due_at, "claimed", now, nonce=nonce, manual=manual)

    async def skip(
        self, schedule_id: int, due_at: dt.datetime, detail: str, *, now: dt.datetime
    ) -> LedgerEntry | None:
        """Record a run that will not be attempted, and why; None if it already has a row."""
        return await self._insert(schedule_id, due_at, "skipped", now, detail=detail)

    async def reclaim(
        self, schedule_id: int, due_at: dt.datetime, *, now: dt.datetime
    ) -> LedgerEntry | None:
        """Start another attempt at a ``failed`` run; None unless it was ``failed``."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE digest_runs SET state = 'claimed', attempts = attempts + 1, "
                "claimed_at = ?, completed_at = NULL "
                "WHERE schedule_id = ? AND due_at = ? AND state = 'failed'",
                (to_epoch(now), schedule_id, to_epoch(due_at)),
            )
            if cursor.rowcount == 0:
                return None
            return await self.get(schedule_id, due_at)

    async def complete(
        self,
        schedule_id: int,
        due_at: dt.datetime,
        state: RunState,
        *,
        now: dt.datetime,
        message_id: int | None = None,
        detail: str | None = None,
    ) -> LedgerEntry | None:
        """Finish a ``claimed`` run as posted, skipped or failed; None unless it was claimed."""
        if state not in _OUTCOMES:
            raise InvalidValue(f"a run completes as posted, skipped or failed, not {state!r}")
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE digest_runs SET state = ?, completed_at = ?, message_id = ?, detail = ? "
                "WHERE schedule_id = ? AND due_at = ? AND state = 'claimed'",
                (state, to_epoch(now), message_id, detail, schedule_id, to_epoch(due_at)),
            )
            if cursor.rowcount == 0:
                return None
            return await self.get(schedule_id, due_at)

    async def get(self, schedule_id: int, due_at: dt.datetime) -> LedgerEntry | None:
        """The run of ``schedule_id`` for ``due_at``, or None."""
        found = await self._select(
            "WHERE schedule_id = ? AND due_at = ?", (schedule_id, to_epoch(due_at))
        )
        return found[0] if found else None

    async def history(self, schedule_id: int, *, limit: int = 20) -> list[LedgerEntry]:
        """The schedule's most recent runs, newest first."""
        return await self._select(
            "WHERE schedule_id = ? ORDER BY due_at DESC LIMIT ?", (schedule_id, max(0, limit))
        )

    async def unfinished(self) -> list[LedgerEntry]:
        """Runs left ``claimed`` (an attempt interrupted by a crash or a shutdown)."""
        return await self._select("WHERE state = 'claimed' ORDER BY schedule_id, due_at", ())

    async def latest(self, schedule_id: int) -> LedgerEntry | None:
        """The schedule's timetabled run (not a run-now) with the latest due time."""
        found = await self._select(
            "WHERE schedule_id = ? AND manual = 0 ORDER BY due_at DESC LIMIT 1", (schedule_id,)
        )
        return found[0] if found else None

    async def latest_by_schedule(self) -> dict[int, LedgerEntry]:
        """Each schedule's timetabled run with the latest due time (one index seek each)."""
        found = await self._select(
            "WHERE id IN (SELECT (SELECT r.id FROM digest_runs AS r "
            "WHERE r.schedule_id = s.id AND r.manual = 0 ORDER BY r.due_at DESC LIMIT 1) "
            "FROM schedules AS s)",
            (),
        )
        return {entry.schedule_id: entry for entry in found}

    async def last_outcomes(self, schedule_ids: Sequence[int]) -> dict[int, LedgerEntry]:
        """Each schedule's most recently finished run (posted, skipped or failed; run-now
        included), for showing moderators how their schedules fare."""
        if not schedule_ids:
            return {}
        marks = ", ".join("?" for _ in schedule_ids)
        found = await self._select(
            f"WHERE id IN (SELECT (SELECT r.id FROM digest_runs AS r WHERE r.schedule_id = s.id "
            "AND r.state != 'claimed' ORDER BY r.completed_at DESC, r.id DESC LIMIT 1) "
            f"FROM schedules AS s WHERE s.id IN ({marks}))",
            tuple(schedule_ids),
        )
        return {entry.schedule_id: entry for entry in found}

    async def message_recorded(self, message_id: int) -> bool:
        """Whether a run is already recorded as posted with ``message_id``."""
        row = await self._store.fetchone(
            "SELECT 1 FROM digest_runs WHERE message_id = ? LIMIT 1", (message_id,)
        )
        return row is not None

    async def _insert(
        self,
        schedule_id: int,
        due_at: dt.datetime,
        state: RunState,
        now: dt.datetime,
        *,
        nonce: str | None = None,
        detail: str | None = None,
        manual: bool = False,
    ) -> LedgerEntry | None:
        at = to_epoch(now)
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO digest_runs (schedule_id, due_at, state, nonce, claimed_at, "
                "completed_at, detail, manual) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (schedule_id, due_at) DO NOTHING",
                (
                    schedule_id,
                    to_epoch(due_at),
                    state,
                    nonce,
                    at,
                    None if state == "claimed" else at,
                    detail,
                    int(manual),
                ),
            )
            if cursor.rowcount == 0:
                return None
            return await self.get(schedule_id, due_at)

    async def _select(self, where: str, params: tuple[Any, ...]) -> list[LedgerEntry]:
        rows = await self._store.fetchall(f"SELECT {_COLUMNS} FROM digest_runs {where}", params)
        return [_entry(row) for row in rows]
