"""The ``Store``: one SQLite file (or ``":memory:"``) opened with aiosqlite, or a PostgreSQL
database (``postgresql://…``, through asyncpg: see ``bot.store.postgres``), and its
repositories. The same repositories, migrations and checks serve both; PostgreSQL is the
one to use when several bot processes share the data (``Store.exclusive`` and the
ledger's atomic claims make that safe).

Opening checks the file before anything is written: a missing folder, a folder in place of
the file, a file that is not SQLite, another program's database, a schema newer than this
code, or a file that cannot be written each give a ``StoreError`` naming the file. Then the
pending migrations run in order, each in its own transaction, and the connection is put in
WAL mode with foreign keys on. On PostgreSQL the same checks apply to the database's
current schema (a server that cannot be reached, tables of another program, a newer
schema), and processes starting together migrate one at a time (an advisory lock).

One connection serves the whole bot process. All access goes through ``Store.transaction()`` (or
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
import hashlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import aiosqlite
import asyncpg

from bot.store.alerts import AlertRepo
from bot.store.audit import AuditRepo
from bot.store.errors import DatabaseFileGone, StoreError
from bot.store.feeds import FeedRepo
from bot.store.first_seen import FirstSeenRepo
from bot.store.guilds import GuildSettingsRepo
from bot.store.ledger import LedgerRepo
from bot.store.migrations import KNOWN_TABLES, MIGRATIONS, SCHEMA_VERSION, Migration
from bot.store.postgres import (
    VERSION_TABLE,
    PgConnection,
    identity_tables,
    is_postgres_url,
    translated_errors,
)
from bot.store.schedules import ScheduleRepo
from bot.store.topics import TopicRepo

log = logging.getLogger(__name__)

MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5_000
PG_CONNECT_TIMEOUT_S = 10.0
#: Advisory lock key held while a process checks and migrates a PostgreSQL schema.
_MIGRATION_LOCK = "newsbot:migrate"


class Store:
    """The bot's database and its repositories (``guilds``, ``topics``, ``schedules``,
    ``ledger``, ``audit``, ``first_seen``). Create with ``await Store.open(path)``; close
    with ``close()`` or use ``async with``."""

    def __init__(self, conn: aiosqlite.Connection | PgConnection, path: str) -> None:
        self._conn: Any = conn
        #: The file, or the PostgreSQL address without its password (for messages).
        self.path = path
        #: ``"sqlite"`` or ``"postgresql"``.
        self.dialect = "postgresql" if isinstance(conn, PgConnection) else "sqlite"
        # (device, inode) of the file opened, to notice it being deleted or replaced.
        try:
            self._identity = None if self.dialect == "postgresql" else _identity(path)
        except OSError:
            self._identity = None
        self._file_problem: str | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._in_transaction = False
        self._closed = False
        # PostgreSQL: the address to connect again at after the server dropped us.
        self._url: str | None = None
        # Advisory locks are database-wide: names are scoped by the schema, so two bots
        # sharing a database in separate schemas never hold each other's locks.
        self._lock_scope = ""
        # PostgreSQL: connections lost so far (each lost one took its advisory locks).
        self._generation = 0
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
        """Open (creating if needed) and migrate the database at ``path``: an SQLite file,
        ``":memory:"``, or a ``postgresql://`` address.

        Raises ``StoreError`` with a message naming the file when it cannot be used.
        """
        if is_postgres_url(path):
            return await _open_postgres(str(path))
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
            await self._close_connection()

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
            if self.dialect == "postgresql":
                return await _pg_version(_raw(conn))
            return await _user_version(conn)

    @property
    def shared(self) -> bool:
        """Whether other processes may be writing the same data (PostgreSQL)."""
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[Lease]:
        """Try to become the one process doing ``name`` (e.g. fetching feeds): yields a
        ``Lease``, true while this process holds it, false (at once, without waiting) when
        another does.

        On PostgreSQL it is a session advisory lock, so it is let go if the process dies,
        and also if its connection is lost: then ``Lease.lost`` turns True, and whoever
        holds it must stop before anything another process could then do too.
        SQLite serves one process, whose callers already take turns: always true.
        """
        if self.dialect != "postgresql":
            yield Lease(self, True)
            return
        key = _lock_key(f"{self._lock_scope}:{name}")
        async with self.reading() as conn:
            with translated_errors():
                got = bool(await _raw(conn).fetchval("SELECT pg_try_advisory_lock($1)", key))
        lease = Lease(self, got)
        try:
            yield lease
        finally:
            if got and not self._closed and not lease.lost:
                with suppress(StoreError, sqlite3.Error):
                    async with self.reading() as conn:
                        with translated_errors():
                            await _raw(conn).execute("SELECT pg_advisory_unlock($1)", key)

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
            if self._url is not None and self._conn.raw.is_closed():
                await self._reconnect()
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
                await self._conn.execute(
                    "BEGIN" if self.dialect == "postgresql" else "BEGIN IMMEDIATE"
                )
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

    async def _close_connection(self) -> None:
        await self._conn.close()

    async def _reconnect(self) -> None:
        """A new PostgreSQL connection after the old one was lost (a server restart, a
        network cut); the schema was checked when the store opened. Advisory locks held on
        the old connection are gone with it, so the server has let go of them already."""
        assert self._url is not None
        self._generation += 1  # the locks taken on the old connection are gone
        log.warning("the connection to the database %s was lost; connecting again", self.path)
        try:
            raw = await asyncpg.connect(self._url, timeout=PG_CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, asyncpg.PostgresError) as error:
            raise StoreError(
                f"lost the connection to the database {self.path} and cannot connect again: "
                f"{error or type(error).__name__}"
            ) from error
        self._conn = PgConnection(raw, self._conn.identity)


class Lease:
    """What ``Store.exclusive`` yields: true while this process holds the lock."""

    def __init__(self, store: Store, held: bool) -> None:
        self._store = store
        self._held = held
        self._generation = store._generation

    def __bool__(self) -> bool:
        return self._held

    @property
    def lost(self) -> bool:
        """True once the connection the lock was taken on is known to be gone (PostgreSQL
        let go of it with the connection: another process may hold it now)."""
        if not self._held or self._store.dialect != "postgresql":
            return False
        store = self._store
        return store._generation != self._generation or store._conn.raw.is_closed()

    async def still_held(self) -> bool:
        """Whether the lock is still this process's, asked of the server (one round trip
        on PostgreSQL): a connection lost unnoticed counts as lost."""
        if not self._held:
            return False
        if self._store.dialect != "postgresql":
            return True
        if self.lost:
            return False
        try:
            await self._store.fetchone("SELECT 1")
        except Exception:  # whatever the failure, the lock cannot be vouched for
            return False
        return not self.lost


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


# -- PostgreSQL ----------------------------------------------------------------------------


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def _redact(url: str) -> str:
    """The address without its password (in the user part or a ``password=`` parameter),
    for messages and logs."""
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:***@{host}"
    tail = re.sub(r"([?&]password=)[^&]*", r"\1***", tail, flags=re.IGNORECASE)
    return f"{scheme}://{netloc}{tail}" if scheme else netloc + tail


async def _open_postgres(url: str) -> Store:
    where = _redact(url)
    try:
        raw = await asyncpg.connect(url, timeout=PG_CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError, asyncpg.PostgresError, ValueError) as error:
        raise StoreError(
            f"cannot connect to the database {where}: {error or type(error).__name__}; "
            "check DATABASE_URL and that the server is running"
        ) from error
    conn = PgConnection(raw, identity_tables(s for m in MIGRATIONS for s in m.statements))
    try:
        scope = str(await raw.fetchval("SELECT current_schema()"))
        key = _lock_key(f"{scope}:{_MIGRATION_LOCK}")
        await raw.execute("SELECT pg_advisory_lock($1)", key)
        try:
            await _prepare_postgres(conn, where)
        finally:
            await raw.execute("SELECT pg_advisory_unlock($1)", key)
    except BaseException:
        await raw.close()
        raise
    store = Store(conn, where)
    store._url = url
    store._lock_scope = scope
    return store


async def _pg_version(raw: asyncpg.Connection) -> int:
    exists = await raw.fetchval("SELECT to_regclass($1) IS NOT NULL", VERSION_TABLE)
    if not exists:
        return 0
    return int(await raw.fetchval(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}"))


async def _prepare_postgres(conn: PgConnection, where: str) -> None:
    raw = conn.raw
    try:
        version = await _pg_version(raw)
        tables = {
            row[0]
            for row in await raw.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
    except asyncpg.PostgresError as error:
        raise StoreError(f"cannot read the database {where}: {error}") from error
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where}: database schema version {version} is newer than this newsbot "
            f"(knows {SCHEMA_VERSION}); upgrade newsbot"
        )
    foreign = sorted(tables - KNOWN_TABLES - {VERSION_TABLE})
    if version == 0 and foreign:
        raise StoreError(
            f"{where} holds tables of another program ({', '.join(foreign[:5])}); newsbot "
            "will not write into it (use an empty database or schema)"
        )
    for migration in MIGRATIONS:
        if migration.version > version:
            await _apply_postgres(raw, where, migration)
    try:
        async with raw.transaction():
            await raw.execute(f"UPDATE {VERSION_TABLE} SET version = version")
            raise _ProbeDone
    except _ProbeDone:
        pass
    except asyncpg.PostgresError as error:
        raise StoreError(
            f"cannot write to the database {where} ({error}); check the role's privileges"
        ) from error


class _ProbeDone(Exception):
    """Rolls the write probe back."""


async def _apply_postgres(raw: asyncpg.Connection, where: str, migration: Migration) -> None:
    log.info(
        "migrating %s to schema version %d: %s", where, migration.version, migration.description
    )
    try:
        async with raw.transaction():
            await raw.execute(
                f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)"
            )
            await raw.execute(
                f"INSERT INTO {VERSION_TABLE} (version) SELECT 0 "
                f"WHERE NOT EXISTS (SELECT 1 FROM {VERSION_TABLE})"
            )
            for statement in migration.statements_for("postgresql"):
                await raw.execute(statement)
            await raw.execute(f"UPDATE {VERSION_TABLE} SET version = $1", migration.version)
    except asyncpg.PostgresError as error:
        raise StoreError(
            f"{where}: migration to schema version {migration.version} "
            f"({migration.description}) failed and was rolled back: {error}"
        ) from error


def _raw(conn: Any) -> Any:
    """The asyncpg connection under a PostgreSQL store's connection wrapper."""
    return cast(PgConnection, conn).raw
