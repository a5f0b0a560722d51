"""The schema, as numbered migrations applied in order at start-up, on SQLite and PostgreSQL.

The database's version lives in ``PRAGMA user_version`` (SQLite) or the one-row table
``newsbot_schema`` (PostgreSQL). Migration N takes a version N-1 database to version N;
each runs in its own transaction together with the version bump, so a failure leaves the
database exactly as it was at N-1. Never edit a released migration: append a new one.

A migration is written in SQLite's dialect; on PostgreSQL its statements go through
``bot.store.postgres.postgres_ddl`` (``INTEGER`` → ``BIGINT``, ``INTEGER PRIMARY KEY
AUTOINCREMENT`` → an identity, ``GLOB`` → a regular expression, ``WITHOUT ROWID`` dropped).
When that is not enough, give the PostgreSQL statements as ``postgres=(...)``. Add every new
table to ``KNOWN_TABLES``. tests/store runs every migration on both databases.

Times are INTEGER epoch seconds in UTC (see ``bot.store.timeconv``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.postgres import postgres_ddl


@dataclass(frozen=True)
class Migration:
    """Statements that take the schema from ``version - 1`` to ``version``."""

    version: int
    description: str
    statements: tuple[str, ...]
    #: The same change for PostgreSQL, when ``postgres_ddl`` of ``statements`` is not it.
    postgres: tuple[str, ...] | None = None

    def statements_for(self, dialect: str) -> tuple[str, ...]:
        """The statements to run on ``dialect`` (``"sqlite"`` or ``"postgresql"``)."""
        if dialect == "sqlite":
            return self.statements
        if self.postgres is not None:
            return self.postgres
        return tuple(postgres_ddl(statement) for statement in self.statements)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "server settings, topics, schedules and the digest run ledger",
        (
            """
            CREATE TABLE guild_settings (
                guild_id          INTEGER PRIMARY KEY,
                moderator_role_id INTEGER,
                timezone          TEXT,
                digest_limit      INTEGER CHECK (digest_limit BETWEEN 1 AND 25),
                digest_days       INTEGER CHECK (digest_days BETWEEN 1 AND 3650),
                updated_at        INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE topics (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                guild_id   INTEGER NOT NULL,
                name       TEXT NOT NULL,
                name_key   TEXT NOT NULL,
                keywords   TEXT NOT NULL DEFAULT '[]',
                created_by INTEGER,
                created_at INTEGER NOT NULL,
                UNIQUE (guild_id, name_key)
            )
            """,
            """
            CREATE TABLE schedules (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                guild_id       INTEGER NOT NULL,
                channel_id     INTEGER NOT NULL,
                topic          TEXT,
                local_time     TEXT NOT NULL
                               CHECK (local_time GLOB '[0-2][0-9]:[0-5][0-9]'),
                cadence        TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly')),
                weekday        INTEGER CHECK (weekday BETWEEN 0 AND 6),
                timezone       TEXT NOT NULL,
                only_new       INTEGER NOT NULL DEFAULT 0 CHECK (only_new IN (0, 1)),
                paused         INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
                created_by     INTEGER,
                created_at     INTEGER NOT NULL,
                last_posted_at INTEGER,
                CHECK ((cadence = 'weekly') = (weekday IS NOT NULL))
            )
            """,
            "CREATE INDEX schedules_by_guild ON schedules (guild_id)",
            """
            CREATE TABLE digest_runs (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                schedule_id  INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
                due_at       INTEGER NOT NULL,
                state        TEXT NOT NULL
                             CHECK (state IN ('claimed', 'posted', 'skipped', 'failed')),
                claimed_at   INTEGER NOT NULL,
                completed_at INTEGER,
                message_id   INTEGER,
                detail       TEXT,
                UNIQUE (schedule_id, due_at)
            )
            """,
        ),
    ),
    Migration(
        2,
        "failure handling (backoff, pause reasons, run nonces) and the audit log",
        (
            "ALTER TABLE schedules ADD COLUMN pause_reason TEXT",
            "ALTER TABLE schedules ADD COLUMN failure_count INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE schedules ADD COLUMN next_retry_at INTEGER",
            "ALTER TABLE schedules ADD COLUMN armed_at INTEGER NOT NULL DEFAULT 0",
            "UPDATE schedules SET armed_at = created_at",
            "ALTER TABLE digest_runs ADD COLUMN nonce TEXT",
            "ALTER TABLE digest_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1",
            "CREATE INDEX digest_runs_unfinished ON digest_runs (state) WHERE state = 'claimed'",
            """
            CREATE TABLE audit_log (
                id       INTEGER PRIMARY KEY AUTOINCREMENT,
                guild_id INTEGER NOT NULL,
                user_id  INTEGER,
                action   TEXT NOT NULL,
                details  TEXT NOT NULL DEFAULT '',
                result   TEXT NOT NULL CHECK (result IN ('ok', 'refused', 'error')),
                at       INTEGER NOT NULL
            )
            """,
            "CREATE INDEX audit_log_by_guild ON audit_log (guild_id, id)",
        ),
    ),
    Migration(
        3,
        "run-now posts in the ledger, and when the library first saw each article",
        (
            # A moderator's run-now is a ledger run like any other, but it is not part of
            # the timetable: due runs never count from it.
            "ALTER TABLE digest_runs ADD COLUMN manual INTEGER NOT NULL DEFAULT 0 "
            "CHECK (manual IN (0, 1))",
            """
            CREATE TABLE article_first_seen (
                article_id TEXT PRIMARY KEY,
                seen_at    INTEGER NOT NULL
            ) WITHOUT ROWID
            """,
        ),
    ),
    Migration(
        4,
        "feeds: the feeds the library follows and their items (articles and dedupe records)",
        (
            """
            CREATE TABLE feeds (
                id               INTEGER PRIMARY KEY AUTOINCREMENT,
                slug             TEXT NOT NULL UNIQUE,
                url              TEXT NOT NULL UNIQUE,
                name             TEXT,
                title            TEXT,
                interval_minutes INTEGER NOT NULL DEFAULT 15 CHECK (interval_minutes >= 5),
                full_text        INTEGER NOT NULL DEFAULT 0 CHECK (full_text IN (0, 1)),
                guild_id         INTEGER,
                added_by         INTEGER,
                created_at       INTEGER NOT NULL,
                etag             TEXT,
                last_modified    TEXT,
                last_fetched_at  INTEGER,
                last_ok_at       INTEGER,
                next_fetch_at    INTEGER NOT NULL,
                failure_count    INTEGER NOT NULL DEFAULT 0,
                failing_since    INTEGER,
                last_error       TEXT,
                paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
                pause_reason     TEXT,
                primed           INTEGER NOT NULL DEFAULT 0 CHECK (primed IN (0, 1)),
                body_hash        TEXT
            )
            """,
            """
            CREATE TABLE feed_items (
                feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
                item_key      TEXT NOT NULL,
                article_id    TEXT NOT NULL UNIQUE,
                title         TEXT NOT NULL,
                url           TEXT,
                published_at  INTEGER,
                first_seen_at INTEGER NOT NULL,
                updated_at    INTEGER NOT NULL,
                last_seen_at  INTEGER NOT NULL,
                source        TEXT,
                tags          TEXT NOT NULL DEFAULT '[]',
                body          TEXT NOT NULL,
                body_origin   TEXT NOT NULL DEFAULT 'feed' CHECK (body_origin IN ('feed', 'page')),
                content_hash  TEXT NOT NULL,
                expired       INTEGER NOT NULL DEFAULT 0 CHECK (expired IN (0, 1)),
                alert         INTEGER NOT NULL DEFAULT 0 CHECK (alert IN (0, 1)),
                PRIMARY KEY (feed_id, item_key)
            )
            """,
            "CREATE INDEX feed_items_by_date ON feed_items (coalesce(published_at, first_seen_at))",
            "CREATE INDEX feed_items_to_alert ON feed_items (first_seen_at) WHERE alert = 1",
        ),
    ),
    Migration(
        5,
        "alerts: new feed articles posted to the channels that want them, and their ledger",
        (
            # The feed's own order of items first seen together, which alerts post in.
            "ALTER TABLE feed_items ADD COLUMN seq INTEGER NOT NULL DEFAULT 0",
            """
            CREATE TABLE alerts (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                guild_id      INTEGER NOT NULL,
                channel_id    INTEGER NOT NULL,
                feed_id       INTEGER REFERENCES feeds (id) ON DELETE CASCADE,
                topic         TEXT,
                keywords      TEXT NOT NULL DEFAULT '[]',
                exclude       TEXT NOT NULL DEFAULT '[]',
                thread        INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1)),
                created_by    INTEGER,
                created_at    INTEGER NOT NULL,
                paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
                pause_reason  TEXT,
                failure_count INTEGER NOT NULL DEFAULT 0,
                next_retry_at INTEGER,
                scanned_to    INTEGER NOT NULL
            )
            """,
            "CREATE INDEX alerts_by_guild ON alerts (guild_id)",
            # One row per (alert, article), claimed before any send: the alerts' ledger.
            """
            CREATE TABLE alert_posts (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                alert_id     INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
                article_id   TEXT NOT NULL,
                first_seen   INTEGER NOT NULL,
                state        TEXT NOT NULL
                             CHECK (state IN ('claimed', 'posted', 'skipped', 'failed')),
                nonce        TEXT NOT NULL,
                attempts     INTEGER NOT NULL DEFAULT 1,
                claimed_at   INTEGER NOT NULL,
                completed_at INTEGER,
                message_id   INTEGER,
                detail       TEXT,
                UNIQUE (alert_id, article_id)
            )
            """,
            "CREATE INDEX alert_posts_claimed ON alert_posts (state) WHERE state = 'claimed'",
            "CREATE INDEX alert_posts_failed ON alert_posts (alert_id) WHERE state = 'failed'",
        ),
    ),
)

SCHEMA_VERSION: int = MIGRATIONS[-1].version

#: Tables a newsbot database may hold; anything else in a version-0 file means the file
#: belongs to another program and must not be written into.
KNOWN_TABLES: frozenset[str] = frozenset(
    {
        "guild_settings",
        "topics",
        "schedules",
        "digest_runs",
        "audit_log",
        "article_first_seen",
        "sqlite_sequence",
        "feeds",
        "feed_items",
        "alerts",
        "alert_posts",
    }
)
