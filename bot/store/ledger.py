"""The ledger of digest runs: one row per (schedule, due time), claimed before any send.

The UNIQUE (schedule_id, due_at) key is what makes a run happen at most once: ``claim`` is
an INSERT that succeeds for exactly one caller. State changes are conditional UPDATEs
(``claimed`` → outcome, ``failed`` → ``claimed`` for a retry), so a stale caller changes
nothing and learns so from the None it gets back. Those writes are ``bot.store.claims``',
which the alerts' ledger shares; this module says which table and row they are about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.store.claims import Claims, LedgerTable
from bot.store.models import LedgerEntry, RunState
from bot.store.timeconv import from_epoch, maybe_from_epoch, to_epoch

if TYPE_CHECKING:
    from bot.store.database import Store

_ROW = "schedule_id = ? AND due_at = ?"


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


_RUNS = LedgerTable(
    name="digest_runs",
    key=("schedule_id", "due_at"),
    columns=(
        "id, schedule_id, due_at, state, nonce, attempts, claimed_at, completed_at, "
        "message_id, detail, manual"
    ),
    row=_entry,
    noun="a run",
)


class LedgerRepo:
    """Claim, complete and look up digest runs."""

    def __init__(self, store: Store) -> None:
        self._runs = Claims(store, _RUNS)

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
        return await self._runs.insert(
            (schedule_id, to_epoch(due_at)),
            "claimed",
            now=now,
            nonce=nonce,
            extra={"manual": int(manual)},
        )

    async def skip(
        self, schedule_id: int, due_at: dt.datetime, detail: str, *, now: dt.datetime
    ) -> LedgerEntry | None:
        """Record a run that will not be attempted, and why; None if it already has a row."""
        return await self._runs.insert(
            (schedule_id, to_epoch(due_at)),
            "skipped",
            now=now,
            nonce=None,
            detail=detail,
            extra={"manual": 0},
        )

    async def reclaim(
        self, schedule_id: int, due_at: dt.datetime, *, now: dt.datetime
    ) -> LedgerEntry | None:
        """Start another attempt at a ``failed`` run; None unless it was ``failed``."""
        return await self._runs.reclaim(_ROW, (schedule_id, to_epoch(due_at)), now=now)

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
        return await self._runs.complete(
            _ROW,
            (schedule_id, to_epoch(due_at)),
            state,
            now=now,
            message_id=message_id,
            detail=detail,
        )

    async def get(self, schedule_id: int, due_at: dt.datetime) -> LedgerEntry | None:
        """The run of ``schedule_id`` for ``due_at``, or None."""
        return await self._runs.one(_ROW, (schedule_id, to_epoch(due_at)))

    async def history(self, schedule_id: int, *, limit: int = 20) -> list[LedgerEntry]:
        """The schedule's most recent runs, newest first."""
        return await self._runs.select(
            "WHERE schedule_id = ? ORDER BY due_at DESC LIMIT ?", (schedule_id, max(0, limit))
        )

    async def unfinished(self) -> list[LedgerEntry]:
        """Runs left ``claimed`` (an attempt interrupted by a crash or a shutdown)."""
        return await self._runs.unfinished("schedule_id, due_at")

    async def latest(self, schedule_id: int) -> LedgerEntry | None:
        """The schedule's timetabled run (not a run-now) with the latest due time."""
        found = await self._runs.select(
            "WHERE schedule_id = ? AND manual = 0 ORDER BY due_at DESC LIMIT 1", (schedule_id,)
        )
        return found[0] if found else None

    async def latest_by_schedule(self) -> dict[int, LedgerEntry]:
        """Each schedule's timetabled run with the latest due time (one index seek each)."""
        found = await self._runs.select(
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
        found = await self._runs.select(
            f"WHERE id IN (SELECT (SELECT r.id FROM digest_runs AS r WHERE r.schedule_id = s.id "
            "AND r.state != 'claimed' ORDER BY r.completed_at DESC, r.id DESC LIMIT 1) "
            f"FROM schedules AS s WHERE s.id IN ({marks}))",
            tuple(schedule_ids),
        )
        return {entry.schedule_id: entry for entry in found}

    async def message_recorded(self, message_id: int) -> bool:
        """Whether a run is already recorded as posted with ``message_id``."""
        return await self._runs.message_recorded(message_id)
