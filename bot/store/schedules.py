"""Digest schedules: where, what, when, and how they are faring (failures, pause)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.limits import MAX_TOPIC_CHARS
from bot.store.errors import InvalidValue, NotFound
from bot.store.models import CADENCES, Schedule
from bot.store.timeconv import from_epoch, maybe_from_epoch, maybe_to_epoch, to_epoch, utc_now

if TYPE_CHECKING:
    from bot.store.database import Store


_COLUMNS = (
    "id, guild_id, channel_id, topic, local_time, cadence, weekday, timezone, only_new, "
    "paused, pause_reason, failure_count, next_retry_at, created_by, created_at, "
    "last_posted_at, armed_at"
)
#: Changing any of these re-arms the schedule: due runs count from the change on.
_TIMING = frozenset({"local_time", "timezone", "cadence", "weekday"})
_EDITABLE = frozenset({"channel_id", "topic", "only_new"}) | _TIMING


def _schedule(row: Sequence[Any]) -> Schedule:
    (
        id_,
        guild_id,
        channel_id,
        topic,
        local_time,
        cadence,
        weekday,
        timezone,
        only_new,
        paused,
        pause_reason,
        failure_count,
        next_retry_at,
        created_by,
        created_at,
        last_posted_at,
        armed_at,
    ) = row
    return Schedule(
        id=id_,
        guild_id=guild_id,
        channel_id=channel_id,
        topic=topic,
        local_time=dt.time.fromisoformat(local_time),
        cadence=cadence,
        weekday=weekday,
        timezone=timezone,
        only_new=bool(only_new),
        paused=bool(paused),
        pause_reason=pause_reason,
        failure_count=failure_count,
        next_retry_at=maybe_from_epoch(next_retry_at),
        created_by=created_by,
        created_at=from_epoch(created_at),
        last_posted_at=maybe_from_epoch(last_posted_at),
        armed_at=from_epoch(armed_at),
    )


def check_timezone(name: object) -> str:
    """``name`` if ZoneInfo can load it, else ``InvalidValue`` (the cogs should have turned
    what a person typed into a canonical name with ``bot.schedule.parse_timezone``)."""
    if not isinstance(name, str) or not name or name == "localtime":
        raise InvalidValue(f"unknown timezone {name!r}; use an IANA name such as Europe/London")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidValue(
            f"unknown timezone {name!r}; use an IANA name such as Europe/London"
        ) from None
    return name


def _check_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and convert schedule fields to their column values."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "channel_id":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise InvalidValue("channel_id must be a channel id")
            out[name] = value
        elif name == "topic":
            if value is not None:
                value = " ".join(str(value).split())
                if not value or len(value) > MAX_TOPIC_CHARS:
                    raise InvalidValue(
                        f"a schedule's topic must be 1 to {MAX_TOPIC_CHARS} characters, "
                        "or None for all topics"
                    )
            out[name] = value
        elif name == "local_time":
            if not isinstance(value, dt.time) or value.tzinfo is not None:
                raise InvalidValue("local_time must be a time of day without a timezone")
            out[name] = value.strftime("%H:%M")
        elif name == "timezone":
            out[name] = check_timezone(value)
        elif name == "cadence":
            if value not in CADENCES:
                raise InvalidValue("cadence must be daily or weekly")
            out[name] = value
        elif name == "weekday":
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6
            ):
                raise InvalidValue("weekday must be 0 (Monday) to 6 (Sunday)")
            out[name] = value
        elif name == "only_new":
            out[name] = int(bool(value))
        else:
            raise InvalidValue(
                f"a schedule has no editable field {name!r}; "
                f"editable: {', '.join(sorted(_EDITABLE))}"
            )
    return out


def _check_weekday_matches(cadence: str, weekday: int | None) -> None:
    if cadence == "weekly" and weekday is None:
        raise InvalidValue("a weekly schedule needs a weekday")
    if cadence == "daily" and weekday is not None:
        raise InvalidValue("a daily schedule has no weekday; choose weekly to post on one day")


class ScheduleRepo:
    """Create, list, change, pause and delete digest schedules.

    Methods a cog calls take the server's id first and never touch another server's
    schedules; ``find``, ``all`` and the ``record_*`` methods are for the runner.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(
        self,
        guild_id: int,
        *,
        channel_id: int,
        local_time: dt.time,
        timezone: str,
        cadence: str = "daily",
        weekday: int | None = None,
        topic: str | None = None,
        only_new: bool = False,
        created_by: int | None = None,
        now: dt.datetime | None = None,
    ) -> Schedule:
        """Add a schedule; its first run is the first due time after ``now``."""
        values = _check_values(
            {
                "channel_id": channel_id,
                "topic": topic,
                "local_time": local_time,
                "timezone": timezone,
                "cadence": cadence,
                "weekday": weekday,
                "only_new": only_new,
            }
        )
        _check_weekday_matches(values["cadence"], values["weekday"])
        at = to_epoch(now or utc_now())
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO schedules (guild_id, channel_id, topic, local_time, cadence, "
                "weekday, timezone, only_new, created_by, created_at, armed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    values["channel_id"],
                    values["topic"],
                    values["local_time"],
                    values["cadence"],
                    values["weekday"],
                    values["timezone"],
                    values["only_new"],
                    created_by,
                    at,
                    at,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
            await cursor.close()
            schedule = await self.find(new_id)
            assert schedule is not None
            return schedule

    async def get(self, guild_id: int, schedule_id: int) -> Schedule | None:
        """The server's schedule ``schedule_id``, or None (also when it is another server's)."""
        schedule = await self.find(schedule_id)
        return schedule if schedule is not None and schedule.guild_id == guild_id else None

    async def in_guild(self, guild_id: int) -> list[Schedule]:
        """The server's schedules, oldest first."""
        return await self._select("WHERE guild_id = ? ORDER BY id", (guild_id,))

    async def count(self, guild_id: int) -> int:
        """How many schedules the server has."""
        row = await self._store.fetchone(
            "SELECT COUNT(*) FROM schedules WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else 0

    async def update(
        self,
        guild_id: int,
        schedule_id: int,
        *,
        now: dt.datetime | None = None,
        **changes: Any,
    ) -> Schedule:
        """Change fields (channel_id, topic, local_time, timezone, cadence, weekday,
        only_new). A change of timing re-arms the schedule from ``now``; switching to daily
        clears the weekday."""
        values = _check_values(changes)
        async with self._store.transaction() as conn:
            current = await self.get(guild_id, schedule_id)
            if current is None:
                raise NotFound(f"this server has no schedule #{schedule_id}")
            if values.get("cadence") == "daily" and "weekday" not in values:
                values["weekday"] = None
            cadence = values.get("cadence", current.cadence)
            weekday = values.get("weekday", current.weekday)
            _check_weekday_matches(cadence, weekday)
            if not values:
                return current
            if _TIMING & values.keys():
                values["armed_at"] = to_epoch(now or utc_now())
            await conn.execute(
                f"UPDATE schedules SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                (*values.values(), schedule_id),
            )
            updated = await self.find(schedule_id)
            assert updated is not None
            return updated

    async def pause(self, guild_id: int, schedule_id: int, reason: str) -> Schedule:
        """Stop a schedule from posting until it is resumed; ``reason`` is shown in lists."""
        return await self._set(
            guild_id,
            schedule_id,
            "paused = 1, pause_reason = ?, next_retry_at = NULL",
            (reason.strip() or None,),
        )

    async def resume(
        self, guild_id: int, schedule_id: int, *, now: dt.datetime | None = None
    ) -> Schedule:
        """Resume a paused schedule: failures forgotten, runs count again from ``now``."""
        return await self._set(
            guild_id,
            schedule_id,
            "paused = 0, pause_reason = NULL, failure_count = 0, next_retry_at = NULL, "
            "armed_at = ?",
            (to_epoch(now or utc_now()),),
        )

    async def delete(self, guild_id: int, schedule_id: int) -> bool:
        """Delete a schedule and its run history; False if the server has no such schedule."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM schedules WHERE id = ? AND guild_id = ?", (schedule_id, guild_id)
            )
            return cursor.rowcount > 0

    # -- for the runner ----------------------------------------------------------------

    async def find(self, schedule_id: int) -> Schedule | None:
        """Schedule ``schedule_id`` in any server, or None."""
        found = await self._select("WHERE id = ?", (schedule_id,))
        return found[0] if found else None

    async def all(self) -> list[Schedule]:
        """Every schedule of every server, paused ones too, by id."""
        return await self._select("ORDER BY id", ())

    async def record_success(self, schedule_id: int, *, posted_at: dt.datetime) -> None:
        """A digest went out: failures forgotten, ``last_posted_at`` moves on."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET failure_count = 0, next_retry_at = NULL, "
                "last_posted_at = ? WHERE id = ?",
                (to_epoch(posted_at), schedule_id),
            )

    async def record_failure(
        self,
        schedule_id: int,
        *,
        next_retry_at: dt.datetime | None,
        pause_reason: str | None = None,
    ) -> Schedule | None:
        """Count one more consecutive failure; retry at ``next_retry_at``, or pause with
        ``pause_reason`` when one is given."""
        async with self._store.transaction() as conn:
            if pause_reason is not None:
                await conn.execute(
                    "UPDATE schedules SET failure_count = failure_count + 1, paused = 1, "
                    "pause_reason = ?, next_retry_at = NULL WHERE id = ?",
                    (pause_reason, schedule_id),
                )
            else:
                await conn.execute(
                    "UPDATE schedules SET failure_count = failure_count + 1, "
                    "next_retry_at = ? WHERE id = ?",
                    (maybe_to_epoch(next_retry_at), schedule_id),
                )
            return await self.find(schedule_id)

    async def clear_retry(self, schedule_id: int) -> None:
        """Forget a pending retry (the failure count stays)."""
        async with self._store.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET next_retry_at = NULL WHERE id = ?", (schedule_id,)
            )

    # -- helpers -----------------------------------------------------------------------

    async def _select(self, where: str, params: tuple[Any, ...]) -> list[Schedule]:
        rows = await self._store.fetchall(f"SELECT {_COLUMNS} FROM schedules {where}", params)
        return [_schedule(row) for row in rows]

    async def _set(
        self, guild_id: int, schedule_id: int, assignments: str, params: tuple[Any, ...]
    ) -> Schedule:
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE schedules SET {assignments} WHERE id = ? AND guild_id = ?",
                (*params, schedule_id, guild_id),
            )
            if cursor.rowcount == 0:
                raise NotFound(f"this server has no schedule #{schedule_id}")
            updated = await self.find(schedule_id)
            assert updated is not None
            return updated
