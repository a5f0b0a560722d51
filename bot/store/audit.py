"""The audit log: who did what in which server, with what result."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.store.errors import InvalidValue
from bot.store.models import AUDIT_RESULTS, AuditEntry, AuditResult
from bot.store.timeconv import from_epoch, to_epoch, utc_now

if TYPE_CHECKING:
    from bot.store.database import Store

MAX_ACTION_CHARS = 100
MAX_DETAILS_CHARS = 4000

_COLUMNS = "id, guild_id, user_id, action, details, result, at"


def _entry(row: Sequence[Any]) -> AuditEntry:
    id_, guild_id, user_id, action, details, result, at = row
    return AuditEntry(id_, guild_id, user_id, action, details, result, from_epoch(at))


def _details_text(details: Mapping[str, Any] | str | None) -> str:
    if details is None:
        return ""
    if isinstance(details, str):
        text = details
    else:
        text = json.dumps(dict(details), sort_keys=True, ensure_ascii=False, default=str)
    # An audit row must never fail to be written because a detail was long.
    return text if len(text) <= MAX_DETAILS_CHARS else text[: MAX_DETAILS_CHARS - 1] + "…"


class AuditRepo:
    """Append to and read the audit log."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(
        self,
        guild_id: int,
        user_id: int | None,
        action: str,
        *,
        details: Mapping[str, Any] | str | None = None,
        result: AuditResult = "ok",
        now: dt.datetime | None = None,
    ) -> AuditEntry:
        """Append an entry. ``details`` is text, or a mapping stored as JSON;
        ``user_id`` None means the bot acted on its own."""
        action = action.strip()
        if not action or len(action) > MAX_ACTION_CHARS:
            raise InvalidValue(f"an audit action must be 1 to {MAX_ACTION_CHARS} characters")
        if result not in AUDIT_RESULTS:
            raise InvalidValue(f"an audit result is ok, refused or error, not {result!r}")
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO audit_log (guild_id, user_id, action, details, result, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    user_id,
                    action,
                    _details_text(details),
                    result,
                    to_epoch(now or utc_now()),
                ),
            )
            entry_id = cursor.lastrowid
            await cursor.close()
            found = await self._select("WHERE id = ?", (entry_id,))
            return found[0]

    async def recent(
        self,
        guild_id: int,
        *,
        limit: int = 20,
        before_id: int | None = None,
        action: str | None = None,
    ) -> list[AuditEntry]:
        """The server's entries, newest first; page back with ``before_id``."""
        where = ["guild_id = ?"]
        params: list[Any] = [guild_id]
        if before_id is not None:
            where.append("id < ?")
            params.append(before_id)
        if action is not None:
            where.append("action = ?")
            params.append(action)
        params.append(max(0, limit))
        return await self._select(
            f"WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?", tuple(params)
        )

    async def _select(self, where: str, params: tuple[Any, ...]) -> list[AuditEntry]:
        rows = await self._store.fetchall(f"SELECT {_COLUMNS} FROM audit_log {where}", params)
        return [_entry(row) for row in rows]
