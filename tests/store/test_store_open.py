"""Opening the database: migrations, refusing files it must not touch, transactions."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

import bot.store.database as database
from bot.store import SCHEMA_VERSION, Store, StoreError
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.postgres import postgres_ddl, to_numbered

# The schema as version 1 shipped it, written out by hand: an old user's database file.
V1_SCHEMA = """
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY, moderator_role_id INTEGER, timezone TEXT,
    digest_limit INTEGER CHECK (digest_limit BETWEEN 1 AND 25),
    digest_days INTEGER CHECK (digest_days BETWEEN 1 AND 3650), updated_at INTEGER NOT NULL);
CREATE TABLE topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER NOT NULL, name TEXT NOT NULL,
    name_key TEXT NOT NULL, keywords TEXT NOT NULL DEFAULT '[]', created_by INTEGER,
    created_at INTEGER NOT NULL, UNIQUE (guild_id, name_key));
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL, topic TEXT,
    local_time TEXT NOT NULL CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    cadence TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly')),
    weekday INTEGER CHECK (weekday BETWEEN 0 AND 6), timezone TEXT NOT NULL,
    only_new INTEGER NOT NULL DEFAULT 0 CHECK (only_new IN (0, 1)),
    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)), created_by INTEGER,
    created_at INTEGER NOT NULL, last_posted_at INTEGER,
    CHECK ((cadence = 'weekly') = (weekday IS NOT NULL)));
CREATE INDEX schedules_by_guild ON schedules (guild_id);
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    due_at INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('claimed', 'posted', 'skipped', 'failed')),
    claimed_at INTEGER NOT NULL, completed_at INTEGER, message_id INTEGER, detail TEXT,
    UNIQUE (schedule_id, due_at));
INSERT INTO guild_settings (guild_id, timezone, digest_limit, updated_at)
    VALUES (1, 'Europe/Paris', 5, 1700000000);
INSERT INTO topics (guild_id, name, name_key, keywords, created_by, created_at)
    VALUES (1, 'Energy', 'energy', '["oil", "gas"]', 9, 1700000000);
INSERT INTO schedules (guild_id, channel_id, topic, local_time, cadence, weekday, timezone,
                       created_by, created_at, last_posted_at)
    VALUES (1, 50, 'Energy', '08:30', 'weekly', 4, 'Europe/Paris', 9, 1700000000, 1700600000);
INSERT INTO digest_runs (schedule_id, due_at, state, claimed_at, completed_at, message_id)
    VALUES (1, 1700600000, 'posted', 1700600000, 1700600001, 4242);
PRAGMA user_version = 1;
"""


def sqlite_file(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return path


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


async def test_a_new_file_is_created_at_the_current_version_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.db"
    async with await Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        assert (await store.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await store.fetchone("PRAGMA foreign_keys"))[0] == 1
    assert user_version(path) == SCHEMA_VERSION


async def test_a_new_store_is_at_the_current_version(store: Store) -> None:
    assert await store.schema_version() == SCHEMA_VERSION
    assert (await store.guilds.get(5)).digest_limit == 8


async def test_memory_databases_work_for_tests() -> None:
    async with await Store.open(":memory:") as store:
        assert await store.schema_version() == SCHEMA_VERSION
        assert (await store.guilds.get(5)).digest_limit == 8


def test_migrations_are_numbered_one_by_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


async def test_an_old_database_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "old.db", V1_SCHEMA)
    async with await Store.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        settings = await store.guilds.get(1)
        assert (settings.timezone, settings.digest_limit, settings.digest_days) == (
            "Europe/Paris", 5, 7,
        )  # fmt: skip
        topic = await store.topics.get(1, "ENERGY")
        assert topic is not None and topic.keywords == ("oil", "gas")
        schedule = await store.schedules.get(1, 1)
        assert schedule is not None
        assert (schedule.cadence, schedule.weekday, schedule.local_time.hour) == ("weekly", 4, 8)
        assert schedule.failure_count == 0 and schedule.next_retry_at is None
        assert schedule.armed_at == schedule.created_at
        (run,) = await store.ledger.history(1)
        assert (run.state, run.message_id, run.nonce, run.attempts) == ("posted", 4242, None, 1)
        entry = await store.audit.record(1, 9, "schedule.list")  # the new table is there
        assert entry.id == 1


async def test_a_failing_migration_is_rolled_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "newsbot.db"
    async with await Store.open(path) as store:
        await store.topics.add(1, "Energy", ["oil"])
    broken = Migration(
        SCHEMA_VERSION + 1,
        "a broken step",
        ("CREATE TABLE extra (x INTEGER)", "INSERT INTO no_such_table VALUES (1)"),
    )
    monkeypatch.setattr(database, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    message = str(caught.value)
    assert str(path) in message and f"schema version {SCHEMA_VERSION + 1}" in message
    assert "rolled back" in message
    assert user_version(path) == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "extra" not in tables and "topics" in tables


async def test_a_newer_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "future.db", "CREATE TABLE topics (x); PRAGMA user_version = 7;")
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    assert str(caught.value) == (
        f"{path}: database schema version 7 is newer than this newsbot "
        f"(knows {SCHEMA_VERSION}); upgrade newsbot"
    )
    assert user_version(path) == 7


async def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20)
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    assert str(path) in str(caught.value)
    assert "not a newsbot database" in str(caught.value)
    assert path.read_bytes() == before


async def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "app.db", "CREATE TABLE users (id INTEGER);")
    with pytest.raises(StoreError, match=r"another program.*users"):
        await Store.open(path)


async def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "newsbot.db"
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    assert str(path) in str(caught.value) and "does not exist" in str(caught.value)


async def test_a_folder_in_place_of_the_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        await Store.open(tmp_path)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anything")
async def test_a_read_only_database_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.db"
    async with await Store.open(path):
        pass
    path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StoreError) as caught:
            await Store.open(path)
    finally:
        tmp_path.chmod(0o755)
        path.chmod(0o644)
    assert str(path) in str(caught.value) and "permissions" in str(caught.value)


async def test_the_write_probe_catches_a_file_sqlite_opened_read_only(tmp_path: Path) -> None:
    # SQLite silently opens a write-protected file read-only; the probe must notice. (The
    # test above shows the whole path but cannot run as root; this one runs everywhere.)
    path = sqlite_file(tmp_path / "newsbot.db", "CREATE TABLE topics (x);")
    conn = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        with pytest.raises(StoreError) as caught:
            await database._check_writable(conn, str(path), 0)
    finally:
        await conn.close()
    assert str(caught.value).startswith(f"cannot write to database {path}")


async def test_a_closed_store_says_so(location: str) -> None:
    store = await Store.open(location)
    await store.close()
    await store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        await store.guilds.get(1)


async def test_a_transaction_is_all_or_nothing(location: str) -> None:
    async with await Store.open(location) as store:
        with pytest.raises(RuntimeError):
            async with store.transaction():
                await store.topics.add(1, "Energy", ["oil"])
                await store.guilds.update(1, digest_limit=3)
                raise RuntimeError("changed my mind")
        assert await store.topics.in_guild(1) == []
        assert (await store.guilds.get(1)).digest_limit == 8


async def test_concurrent_writers_do_not_share_a_transaction(location: str) -> None:
    async with await Store.open(location) as store:
        inside = asyncio.Event()
        go_on = asyncio.Event()

        async def abandoned() -> None:
            async with store.transaction():
                await store.topics.add(1, "Doomed", ["x"])
                inside.set()
                await go_on.wait()
                raise RuntimeError("rolled back")

        async def independent() -> None:
            await inside.wait()
            adding = asyncio.create_task(store.topics.add(1, "Kept", ["y"]))
            await asyncio.sleep(0)  # let it queue behind the open transaction
            go_on.set()
            await adding

        results = await asyncio.gather(abandoned(), independent(), return_exceptions=True)
        assert isinstance(results[0], RuntimeError) and results[1] is None
        assert [t.name for t in await store.topics.in_guild(1)] == ["Kept"]


async def test_a_cancelled_transaction_is_rolled_back_and_the_store_stays_usable(
    location: str,
) -> None:
    async with await Store.open(location) as store:
        inside = asyncio.Event()

        async def interrupted() -> None:
            async with store.transaction():
                await store.topics.add(1, "Doomed", ["x"])
                inside.set()
                await asyncio.Event().wait()  # until cancelled, as at shutdown

        task = asyncio.create_task(interrupted())
        await inside.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await store.topics.add(1, "Kept", ["y"])
        assert [t.name for t in await store.topics.in_guild(1)] == ["Kept"]


# -- PostgreSQL ----------------------------------------------------------------------------


async def pg_admin(url: str) -> asyncpg.Connection:
    """A plain connection into the test's schema, to set up what a store must refuse."""
    return await asyncpg.connect(url)


async def test_postgres_keeps_its_version_and_data_across_opens(pg_url: str) -> None:
    async with await Store.open(pg_url) as store:
        assert store.dialect == "postgresql"
        await store.topics.add(1, "Energy", ["oil"])
    async with await Store.open(pg_url) as store:
        assert await store.schema_version() == SCHEMA_VERSION
        assert [t.name for t in await store.topics.in_guild(1)] == ["Energy"]
    raw = await pg_admin(pg_url)
    try:
        assert await raw.fetchval("SELECT version FROM newsbot_schema") == SCHEMA_VERSION
    finally:
        await raw.close()


async def test_a_newer_postgres_schema_is_refused(pg_url: str) -> None:
    async with await Store.open(pg_url):
        pass
    raw = await pg_admin(pg_url)
    await raw.execute("UPDATE newsbot_schema SET version = $1", SCHEMA_VERSION + 3)
    await raw.close()
    with pytest.raises(StoreError, match=f"version {SCHEMA_VERSION + 3} is newer"):
        await Store.open(pg_url)


async def test_another_programs_postgres_tables_are_refused_and_left_alone(pg_url: str) -> None:
    raw = await pg_admin(pg_url)
    await raw.execute("CREATE TABLE users (id integer)")
    try:
        with pytest.raises(StoreError, match="tables of another program \\(users\\)"):
            await Store.open(pg_url)
        tables = {
            r[0]
            for r in await raw.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
        assert tables == {"users"}
    finally:
        await raw.close()


async def test_a_failing_postgres_migration_is_rolled_back_whole(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with await Store.open(pg_url) as store:
        await store.topics.add(1, "Energy", ["oil"])
    broken = Migration(
        SCHEMA_VERSION + 1,
        "a broken step",
        ("CREATE TABLE extra (x INTEGER)", "INSERT INTO no_such_table VALUES (1)"),
    )
    monkeypatch.setattr(database, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="rolled back"):
        await Store.open(pg_url)
    raw = await pg_admin(pg_url)
    try:
        assert await raw.fetchval("SELECT version FROM newsbot_schema") == SCHEMA_VERSION
        assert await raw.fetchval("SELECT to_regclass('extra')") is None
    finally:
        await raw.close()


async def test_an_unreachable_postgres_is_named_without_its_password() -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    with pytest.raises(StoreError) as caught:
        await Store.open("postgresql://bot:s3cret@127.0.0.1:9/newsbot")
    message = str(caught.value)
    assert "cannot connect to the database postgresql://bot:***@127.0.0.1:9/newsbot" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://bot:s3cret@h:5432/db", "postgresql://bot:***@h:5432/db"),
        ("postgresql://bot:s3c@ret@h/db", "postgresql://bot:***@h/db"),
        (
            "postgresql://h/db?user=bot&password=s3cret&x=1",
            "postgresql://h/db?user=bot&password=***&x=1",
        ),
        ("postgresql://bot@h/db", "postgresql://bot@h/db"),
    ],
)
def test_a_postgres_address_is_shown_without_its_password(url: str, shown: str) -> None:
    assert database._redact(url) == shown


async def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    stores = await asyncio.gather(*(Store.open(pg_url) for _ in range(4)))
    try:
        assert [await s.schema_version() for s in stores] == [SCHEMA_VERSION] * 4
        await stores[0].topics.add(1, "Energy", ["oil"])
        assert [t.name for t in await stores[3].topics.in_guild(1)] == ["Energy"]
    finally:
        for opened in stores:
            await opened.close()


async def test_only_one_process_at_a_time_holds_an_exclusive_task(pg_url: str) -> None:
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        async with first.exclusive("feeds") as mine:
            assert mine
            async with second.exclusive("feeds") as theirs:
                assert not theirs
            async with second.exclusive("something else") as other:
                assert other
        async with second.exclusive("feeds") as theirs:
            assert theirs  # let go by the first
    finally:
        await first.close()
        await second.close()


async def test_a_closed_connection_lets_go_of_its_exclusive_task(pg_url: str) -> None:
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        holding = first.exclusive("feeds")
        assert await holding.__aenter__()
        await first._conn.raw.close()  # as if the process died: the server lets go
        async with second.exclusive("feeds") as theirs:
            assert theirs
    finally:
        await second.close()


async def test_a_lock_taken_on_a_lost_connection_is_known_lost(pg_url: str) -> None:
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        async with first.exclusive("feeds") as mine:
            assert mine and await mine.still_held()
            row = await first.fetchone("SELECT pg_backend_pid()")
            await second.fetchone("SELECT pg_terminate_backend(?)", (row[0],))
            # The store reconnects as it must, but the lock went with the old connection.
            assert not await mine.still_held() and mine.lost
            async with second.exclusive("feeds") as theirs:
                assert theirs  # the server let go: another process may hold it now
        assert (await first.fetchone("SELECT 1"))[0] == 1  # and the store works on
    finally:
        await first.close()
        await second.close()


def test_sqlite_schema_statements_translate_to_postgres() -> None:
    assert postgres_ddl(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, g INTEGER NOT NULL, "
        "hhmm TEXT CHECK (hhmm GLOB '[0-2][0-9]:[0-5][0-9]')) WITHOUT ROWID"
    ) == (
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        "g BIGINT NOT NULL, hhmm TEXT CHECK (hhmm ~ '^[0-2][0-9]:[0-5][0-9]$'))"
    )
    assert postgres_ddl("CREATE INDEX i ON t (coalesce(a, b))") == (
        "CREATE INDEX i ON t ((coalesce(a, b)))"
    )
    assert postgres_ddl("CREATE INDEX i ON t (a) WHERE b = 1") == (
        "CREATE INDEX i ON t (a) WHERE b = 1"
    )
    assert to_numbered("SELECT '?' , ? FROM t WHERE a = ? AND b = 'it''s ?'") == (
        "SELECT '?' , $1 FROM t WHERE a = $2 AND b = 'it''s ?'"
    )


async def test_a_schedule_time_check_holds_on_postgres_too(pg_url: str) -> None:
    async with await Store.open(pg_url) as store:
        with pytest.raises(StoreError):
            async with store.transaction() as conn:
                await conn.execute(
                    "INSERT INTO schedules (guild_id, channel_id, local_time, cadence, timezone, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (1, 2, "8:30am", "daily", "UTC", 0),
                )


async def test_a_lost_postgres_connection_is_made_again_at_the_next_use(pg_url: str) -> None:
    async with await Store.open(pg_url) as store:
        await store.topics.add(1, "Energy", ["oil"])
        await store._conn.raw.close()  # as a server restart would leave it
        assert [t.name for t in await store.topics.in_guild(1)] == ["Energy"]
        await store.topics.add(1, "Trade", ["port"])
        assert len(await store.topics.in_guild(1)) == 2


async def test_a_postgres_role_that_cannot_write_is_refused_at_open(pg_url: str) -> None:
    if not pg_url.startswith("postgresql://postgres@"):
        pytest.skip("needs the test server's postgres role to make a read-only one")
    async with await Store.open(pg_url):
        pass
    schema = pg_url.rsplit("search_path=", 1)[1]
    role = f"ro_{schema[-12:]}"
    raw = await pg_admin(pg_url)
    await raw.execute(f"CREATE ROLE {role} LOGIN")
    await raw.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    await raw.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")
    try:
        with pytest.raises(StoreError, match="cannot write to the database"):
            await Store.open(pg_url.replace("postgresql://postgres@", f"postgresql://{role}@"))
    finally:
        await raw.execute(f"DROP OWNED BY {role}")
        await raw.execute(f"DROP ROLE {role}")
        await raw.close()


async def test_a_postgres_server_that_never_answers_is_given_up_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A listener that accepts the connection and then says nothing, as a hung server does.
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    monkeypatch.setattr(database, "PG_CONNECT_TIMEOUT_S", 0.5)
    try:
        with pytest.raises(StoreError, match=f"cannot connect to the database .*:{port}/"):
            await Store.open(f"postgresql://bot@127.0.0.1:{port}/newsbot")
    finally:
        server.close()
        await server.wait_closed()
