"""The store: server settings, topics, schedules, the digest ledger, audit, first-seen days,
feeds. An embedded SQLite file by default, or PostgreSQL (``DATABASE_URL``) for several
processes sharing it.

Open it with ``await Store.open(settings.database)`` (a file, ``":memory:"`` or a
``postgresql://`` address) and use its repositories::

    async with await Store.open("newsbot.db") as store:
        settings = await store.guilds.get(guild_id)
        topic = await store.topics.add(guild_id, "Energy", ["oil", "gas"], created_by=user_id)

Every method returns frozen dataclasses from ``bot.store.models``; errors are
``StoreError`` (or its subclasses) with messages fit to show a person.

Adding to the store, for both databases
---------------------------------------
* **A migration**: append a ``Migration`` to ``bot.store.migrations.MIGRATIONS`` written in
  SQLite's dialect and add its tables to ``KNOWN_TABLES``. On PostgreSQL it runs through
  ``bot.store.postgres.postgres_ddl`` (``INTEGER`` → ``BIGINT``, ``INTEGER PRIMARY KEY
  AUTOINCREMENT`` → an identity whose INSERTs give ``lastrowid``, ``GLOB`` → a regular
  expression, ``WITHOUT ROWID`` dropped); where that is not enough, give the PostgreSQL
  statements as ``postgres=(...)``.
* **A repository**: a class taking the ``Store``, added in ``Store.__init__``. Write its
  SQL once with ``?`` placeholders, in what both databases accept: ``INSERT … ON CONFLICT
  (…) DO NOTHING``/``DO UPDATE SET x = excluded.x`` (not ``INSERT OR …``), ``coalesce``,
  ``CAST(? AS TEXT) IS NULL`` rather than a bare ``? IS NULL`` (PostgreSQL must know a
  parameter's type), 0/1 integers for flags, no ``rowid``. Use ``store.transaction()`` /
  ``store.fetchall()`` as the other repositories do; catch ``sqlite3.IntegrityError`` for
  a unique or check violation (the PostgreSQL driver's errors are raised as it).
* **Tests**: the ``store`` fixture of ``tests/store/conftest.py`` (and ``store_location`` in
  tests/schedule and tests/feeds) runs each test on both databases.
* Work that one process of several must do alone: ``async with store.exclusive(name) as
  mine:`` (a PostgreSQL advisory lock; always yours on SQLite; ``mine.lost`` once the
  connection it was taken on is gone). Claims that must happen
  once go through a UNIQUE key and ``ON CONFLICT DO NOTHING``, as the ledgers' do
  (``bot.store.claims``).
"""

from bot.store.alerts import Alert, AlertPost, AlertRepo
from bot.store.audit import AuditRepo
from bot.store.database import Lease, Store
from bot.store.errors import AlreadyExists, DatabaseFileGone, InvalidValue, NotFound, StoreError
from bot.store.feeds import Feed, FeedItemRecord, FeedRepo
from bot.store.first_seen import FirstSeenRepo, read_first_seen
from bot.store.guilds import GuildSettingsRepo
from bot.store.ledger import LedgerRepo
from bot.store.migrations import SCHEMA_VERSION
from bot.store.models import (
    AuditEntry,
    AuditResult,
    Cadence,
    GuildSettings,
    LedgerEntry,
    RunState,
    Schedule,
    StoredTopic,
)
from bot.store.schedules import ScheduleRepo
from bot.store.timeconv import utc_now
from bot.store.topics import TopicRepo

__all__ = [
    "SCHEMA_VERSION",
    "Alert",
    "AlertPost",
    "AlertRepo",
    "AlreadyExists",
    "AuditEntry",
    "AuditRepo",
    "AuditResult",
    "Cadence",
    "DatabaseFileGone",
    "Feed",
    "FeedItemRecord",
    "FeedRepo",
    "FirstSeenRepo",
    "GuildSettings",
    "GuildSettingsRepo",
    "InvalidValue",
    "Lease",
    "LedgerEntry",
    "LedgerRepo",
    "NotFound",
    "RunState",
    "Schedule",
    "ScheduleRepo",
    "Store",
    "StoreError",
    "StoredTopic",
    "TopicRepo",
    "read_first_seen",
    "utc_now",
]
