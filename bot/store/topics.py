"""Topics a server's moderators define: a name (unique per server, any case) and keywords."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from bot.store.errors import AlreadyExists, InvalidValue, NotFound
from bot.store.models import StoredTopic
from bot.store.timeconv import from_epoch, to_epoch, utc_now

if TYPE_CHECKING:
    from bot.store.database import Store

MAX_NAME_CHARS = 100  # Discord's limit for an autocomplete choice name
MAX_KEYWORDS = 50
MAX_KEYWORD_CHARS = 100

_COLUMNS = "id, guild_id, name, keywords, created_by, created_at"


def name_key(name: str) -> str:
    """The key topic names are compared by: trimmed, inner spaces collapsed, casefolded."""
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    """A topic name as stored, or ``InvalidValue`` saying what is wrong with it."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise InvalidValue("a topic name cannot be empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise InvalidValue(f"a topic name can be at most {MAX_NAME_CHARS} characters")
    return cleaned


def clean_keywords(keywords: Iterable[str]) -> tuple[str, ...]:
    """Keywords trimmed, blanks dropped, duplicates (any case) removed, order kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for raw in keywords:
        word = " ".join(str(raw).split())
        if not word or word.casefold() in seen:
            continue
        if len(word) > MAX_KEYWORD_CHARS:
            raise InvalidValue(f"a keyword can be at most {MAX_KEYWORD_CHARS} characters")
        seen.add(word.casefold())
        kept.append(word)
    if not kept:
        raise InvalidValue("a topic needs at least one keyword")
    if len(kept) > MAX_KEYWORDS:
        raise InvalidValue(f"a topic can have at most {MAX_KEYWORDS} keywords")
    return tuple(kept)


def _topic(row: Sequence[Any]) -> StoredTopic:
    id_, guild_id, name, keywords, created_by, created_at = row
    return StoredTopic(
        id=id_,
        guild_id=guild_id,
        name=name,
        keywords=tuple(json.loads(keywords)),
        created_by=created_by,
        created_at=from_epoch(created_at),
    )


class TopicRepo:
    """Add, find, change and remove a server's topics."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(
        self,
        guild_id: int,
        name: str,
        keywords: Iterable[str],
        *,
        created_by: int | None = None,
        now: dt.datetime | None = None,
    ) -> StoredTopic:
        """Create a topic; ``AlreadyExists`` if the server has one of that name in any case."""
        cleaned = clean_name(name)
        words = clean_keywords(keywords)
        async with self._store.transaction() as conn:
            existing = await self.get(guild_id, cleaned)
            if existing is not None:
                raise AlreadyExists(f"this server already has a topic named {existing.name!r}")
            cursor = await conn.execute(
                "INSERT INTO topics (guild_id, name, name_key, keywords, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    cleaned,
                    name_key(cleaned),
                    json.dumps(list(words)),
                    created_by,
                    to_epoch(now or utc_now()),
                ),
            )
            topic_id = cursor.lastrowid
            await cursor.close()
            return await self._by_id(int(topic_id or 0))

    async def get(self, guild_id: int, name: str) -> StoredTopic | None:
        """The server's topic called ``name`` (any case), or None."""
        row = await self._store.fetchone(
            f"SELECT {_COLUMNS} FROM topics WHERE guild_id = ? AND name_key = ?",
            (guild_id, name_key(name)),
        )
        return None if row is None else _topic(row)

    async def in_guild(self, guild_id: int) -> list[StoredTopic]:
        """All of the server's topics, by name."""
        rows = await self._store.fetchall(
            f"SELECT {_COLUMNS} FROM topics WHERE guild_id = ? ORDER BY name_key", (guild_id,)
        )
        return [_topic(row) for row in rows]

    async def count(self, guild_id: int) -> int:
        """How many topics the server has."""
        row = await self._store.fetchone(
            "SELECT COUNT(*) FROM topics WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else 0

    async def set_keywords(self, guild_id: int, name: str, keywords: Iterable[str]) -> StoredTopic:
        """Replace a topic's keywords; ``NotFound`` if the server has no such topic."""
        words = clean_keywords(keywords)
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE topics SET keywords = ? WHERE guild_id = ? AND name_key = ?",
                (json.dumps(list(words)), guild_id, name_key(name)),
            )
            if cursor.rowcount == 0:
                raise NotFound(f"this server has no topic named {name!r}")
            topic = await self.get(guild_id, name)
            assert topic is not None
            return topic

    async def rename(self, guild_id: int, name: str, new_name: str) -> StoredTopic:
        """Rename a topic (a change of case alone is allowed)."""
        cleaned = clean_name(new_name)
        async with self._store.transaction() as conn:
            current = await self.get(guild_id, name)
            if current is None:
                raise NotFound(f"this server has no topic named {name!r}")
            clash = await self.get(guild_id, cleaned)
            if clash is not None and clash.id != current.id:
                raise AlreadyExists(f"this server already has a topic named {clash.name!r}")
            await conn.execute(
                "UPDATE topics SET name = ?, name_key = ? WHERE id = ?",
                (cleaned, name_key(cleaned), current.id),
            )
            return await self._by_id(current.id)

    async def remove(self, guild_id: int, name: str) -> bool:
        """Delete a topic; False if there was none of that name."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM topics WHERE guild_id = ? AND name_key = ?",
                (guild_id, name_key(name)),
            )
            return cursor.rowcount > 0

    async def _by_id(self, topic_id: int) -> StoredTopic:
        row = await self._store.fetchone(f"SELECT {_COLUMNS} FROM topics WHERE id = ?", (topic_id,))
        if row is None:
            raise NotFound(f"no topic with id {topic_id}")
        return _topic(row)
