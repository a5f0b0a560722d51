"""The embedded SQLite store: server settings, topics, schedules, the digest ledger, audit.

Open it with ``await Store.open(settings.database_path)`` and use its repositories::

    async with await Store.open("newsbot.db") as store:
        settings = await store.guilds.get(guild_id)
        topic = await store.topics.add(guild_id, "Energy", ["oil", "gas"], created_by=user_id)

Every method returns frozen dataclasses from ``bot.store.models``; errors are
``StoreError`` (or its subclasses) with messages fit to show a person.
"""

from bot.store.alerts import Alert, AlertPost, AlertRepo
from bot.store.audit import AuditRepo
from bot.store.database import Store
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
