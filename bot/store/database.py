"""The ``Store``: one SQLite file (or ``":memory:"``) opened with aiosqlite, and its repositories.

Opening checks the file before anything is written: a missing folder, a folder in place of
the file, a file that is not SQLite, another program's database, a schema newer than this
code, or a file that cannot be written each give a ``StoreError`` naming the file. Then the
pending migrations run in order, each in its own transaction, and the connection is put in
WAL mode with foreign keys on.

One connection serves the whole bot. All access goes through ``Store.transaction()`` (or
``Store.reading()``), which holds an asyncio lock, so statements from two coroutines never
interleave inside each other's transaction. The lock is re-entrant for the task holding it:
a repository method called inside ``async with store.transaction():`` joins that
transaction, which lets callers make several repository calls atomic. (So do not start
new tasks that use the store from inside a transaction: they would wait for it forever.)
Never hold a transaction across a network call; the runner commits its claim before it
posts.

The file is watched: every write transaction checks, just before its COMMIT, that the path
still names the file that was opened (same device and inode). A database deleted or
replaced while the bot runs would otherwise take every later write into a file nobody can
open again, and the writes would vanish at the next start. Instead the transaction is
rolled back and raises ``DatabaseFileGone`` (a ``StoreError`` whose message says what
happened and what to do, shown to the moderator whose command it was), and the operator
gets one ERROR line in the log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from bot.store.alerts import AlertRepo
from bot.store.audit import AuditRepo
from bot.store.errors import DatabaseFileGone, StoreError
from bot.store.feeds import FeedRepo
from bot.store.first_seen import FirstSeenRepo
from bot.store.guilds import GuildSettingsRepo
from bot.store.ledger import LedgerRepo
from bot.store.migrations import KNOWN_TABLES, MIGRATIONS, SCHEMA_VERSION, Migration
from bot.store.schedules import ScheduleRepo
from bot.store.topics import TopicRepo

log = logging.getLogger(__name__)

MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5_000


class Store:
    """The bot's database and its repositories (``guilds``, ``topics``, ``schedules``,
    ``ledger``, ``audit``, ``first_seen``). Create with ``await Store.open(path)``; close
    with ``close()`` or use ``async with``."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        # (device, inode) of the file opened, to notice it being deleted or replaced.
        try:
            self._identity = _identity(path)
        except OSError:
            self._identity = None
        self._file_problem: str | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._in_transaction = False
        self._closed = False
        self.guilds = GuildSettingsRepo(self)
        self.topics = TopicRepo(self)
        self.schedules = ScheduleRepo(self)
        self.ledger = LedgerRepo(self)
        self.audit = AuditRepo(self)
        self.first_seen = FirstSeenRepo(self)
        self.feeds = FeedRepo(self)
        self.alerts = AlertRepo(self)

    # -- life cycle --------------------------------------------------------------------

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the database at ``path``.

        Raises ``StoreError`` with a message naming the file when it cannot be used.
        """
        where = str(path)
        if where != MEMORY:
            _check_location(Path(path))
        try:
            conn = await aiosqlite.connect(where, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open database {where}: {error}") from error
        try:
            await _prepare(conn, where)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, where)

    async def close(self) -> None:
        """Close the connection (waits for a transaction in progress). Safe to call twice."""
        if self._closed:
            return
        async with self._lock:
            self._closed = True
            await self._conn.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        """Whether ``close()`` has been called."""
        return self._closed

    async def schema_version(self) -> int:
        """The schema version of the open database (``SCHEMA_VERSION`` after opening)."""
        async with self.reading() as conn:
            return await _user_version(conn)

    # -- access ------------------------------------------------------------------------

    @asynccontextmanager
    async def _held(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        async with self._lock:
            if self._closed:
                raise StoreError(f"database {self.path} is closed")
            self._owner = task
            try:
                yield
            finally:
                self._owner = None

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection for reads, with the lock held (joins a transaction if inside one)."""
        async with self._held():
            try:
                yield self._conn
            except sqlite3.Error as error:
                raise StoreError(f"database {self.path}: {error}") from error

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """All rows of one query (a plain read; joins a transaction if inside one)."""
        async with self.reading() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any | None:
        """The first row of one query, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed on normal exit, rolled back on any exception.

        Nested use by the same task joins the outer transaction.
        """
        async with self._held():
            if self._in_transaction:
                yield self._conn
                return
            self._in_transaction = True
            try:
                # BEGIN inside the try: if a cancellation interrupts the await, the BEGIN may
                # still run, and must be rolled back rather than left open.
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                self._check_file()
                await self._conn.execute("COMMIT")
            except BaseException as error:
                await self._rollback_quietly()
                if isinstance(error, sqlite3.Error):
                    raise StoreError(f"database {self.path}: {error}") from error
                raise
            finally:
                self._in_transaction = False

    @property
    def file_problem(self) -> str | None:
        """Why writes are refused (the file was deleted or replaced), or None."""
        return self._file_problem

    def _check_file(self) -> None:
        """Raise ``DatabaseFileGone`` unless the path still names the file opened."""
        if self._identity is None:
            return
        if self._file_problem is None:
            try:
                now = _identity(self.path)
            except OSError:
                now = None
            if now == self._identity:
                return
            what = "deleted" if now is None else "replaced by another file"
            self._file_problem = (
                f"the database file {self.path} was {what} while the bot was running, so "
                "nothing more can be saved (it would be lost at the next start); restore the "
                "file or restart the bot"
            )
            log.error("%s", self._file_problem)
        raise DatabaseFileGone(self._file_problem[:1].upper() + self._file_problem[1:])

    async def _rollback_quietly(self) -> None:
        # After a cancelled COMMIT (or a failed BEGIN) there may be nothing to roll back, and
        # SQLite says so, which is fine.
        with suppress(sqlite3.Error, ValueError):
            await self._conn.execute("ROLLBACK")


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``; None for an in-memory database.

    Raises ``OSError`` when there is no file there.
    """
    if path == MEMORY:
        return None
    info = os.stat(path)
    return (info.st_dev, info.st_ino)


def _check_location(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"cannot open database {path}: it is a folder, not a file")
    parent = path.parent
    if not parent.is_dir():
        raise StoreError(f"cannot open database {path}: the folder {parent} does not exist")


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _prepare(conn: aiosqlite.Connection, where: str) -> None:
    """Check the file is ours and writable, migrate it, then switch on WAL."""
    # PRAGMAs that answer with a row are read to the end (execute_fetchall): an unread
    # result keeps its statement active for as long as the cursor object lives, and SQLite
    # then refuses every COMMIT ("SQL statements in progress").
    await conn.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    try:
        version = await _user_version(conn)
        async with conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cursor:
            tables = {row[0] for row in await cursor.fetchall()}
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"{where} is not a newsbot database (SQLite says: {error}); "
            "set DATABASE_PATH to a new file or to the bot's database"
        ) from error
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: database schema version {version} is newer than this newsbot "
            f"(knows {SCHEMA_VERSION}); upgrade newsbot"
        )
    foreign = sorted(tables - KNOWN_TABLES)
    if version == 0 and foreign:
        raise StoreError(
            f"{where} is an SQLite database of another program (tables: "
            f"{', '.join(foreign[:5])}); newsbot will not write into it"
        )
    await _check_writable(conn, where, version)
    for migration in MIGRATIONS:
        if migration.version > version:
            await _apply(conn, where, migration)
    if where != MEMORY:
        try:
            await conn.execute_fetchall("PRAGMA journal_mode = WAL")
        except sqlite3.Error as error:
            raise StoreError(f"cannot switch database {where} to WAL mode: {error}") from error


async def _check_writable(conn: aiosqlite.Connection, where: str, version: int) -> None:
    # SQLite opens a write-protected file read-only without complaint; find out now rather
    # than at the first admin command. Rewriting user_version is a real write, rolled back.
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await conn.execute(f"PRAGMA user_version = {version}")
        finally:
            await conn.execute("ROLLBACK")
    except sqlite3.Error as error:
        raise StoreError(
            f"cannot write to database {where} ({error}); "
            "check the permissions of the file and of its folder"
        ) from error


async def _apply(conn: aiosqlite.Connection, where: str, migration: Migration) -> None:
    log.info(
        "migrating %s to schema version %d: %s", where, migration.version, migration.description
    )
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration.statements:
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as error:
        raise StoreError(
            f"{where}: migration to schema version {migration.version} "
            f"({migration.description}) failed and was rolled back: {error}"
        ) from error
