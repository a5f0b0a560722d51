"""Per-server settings, read with class-level defaults (``GuildSettings``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.limits import MAX_DIGEST_DAYS, MAX_DIGEST_POINTS, MIN_DIGEST_DAYS, MIN_DIGEST_POINTS
from bot.store.errors import InvalidValue
from bot.store.models import GUILD_SETTING_FIELDS, GuildSettings
from bot.store.schedules import check_timezone
from bot.store.timeconv import to_epoch, utc_now

if TYPE_CHECKING:
    from bot.store.database import Store

_LIMITS: dict[str, tuple[int, int]] = {
    "digest_limit": (MIN_DIGEST_POINTS, MAX_DIGEST_POINTS),
    "digest_days": (MIN_DIGEST_DAYS, MAX_DIGEST_DAYS),
}


class GuildSettingsRepo:
    """Read and change one server's settings; a server never seen reads the defaults."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, guild_id: int) -> GuildSettings:
        """The settings of ``guild_id``; unset values (or an unknown server) read the defaults."""
        row = await self._store.fetchone(
            f"SELECT {', '.join(GUILD_SETTING_FIELDS)} FROM guild_settings WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return GuildSettings(guild_id)
        chosen = {
            name: value
            for name, value in zip(GUILD_SETTING_FIELDS, row, strict=True)
            if value is not None
        }
        return replace(GuildSettings(guild_id), **chosen)

    async def update(
        self, guild_id: int, *, now: dt.datetime | None = None, **changes: Any
    ) -> GuildSettings:
        """Set some settings (names as in ``GuildSettings``) and return the result.

        ``moderator_role_id=None`` clears the role. Use ``reset`` to go back to a default.
        """
        for name, value in changes.items():
            _validate(name, value)
        if not changes:
            return await self.get(guild_id)
        names = list(changes)
        async with self._store.transaction() as conn:
            await conn.execute(
                f"INSERT INTO guild_settings (guild_id, updated_at, {', '.join(names)}) "
                f"VALUES (?, ?, {', '.join('?' for _ in names)}) "
                "ON CONFLICT (guild_id) DO UPDATE SET updated_at = excluded.updated_at, "
                + ", ".join(f"{n} = excluded.{n}" for n in names),
                (guild_id, to_epoch(now or utc_now()), *changes.values()),
            )
            return await self.get(guild_id)

    async def reset(self, guild_id: int, *names: str) -> GuildSettings:
        """Return the named settings (all when none are named) to their defaults."""
        for name in names:
            _check_name(name)
        async with self._store.transaction() as conn:
            if names:
                await conn.execute(
                    f"UPDATE guild_settings SET {', '.join(f'{n} = NULL' for n in names)} "
                    "WHERE guild_id = ?",
                    (guild_id,),
                )
            else:
                await conn.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
            return await self.get(guild_id)


def _check_name(name: str) -> None:
    if name not in GUILD_SETTING_FIELDS:
        raise InvalidValue(
            f"unknown server setting {name!r}; known: {', '.join(GUILD_SETTING_FIELDS)}"
        )


def _validate(name: str, value: object) -> None:
    _check_name(name)
    if name == "moderator_role_id":
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value <= 0
        ):
            raise InvalidValue("moderator_role_id must be a role id or None")
    elif name == "timezone":
        check_timezone(value)
    else:
        low, high = _LIMITS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidValue(f"{name} must be a whole number from {low} to {high}")
