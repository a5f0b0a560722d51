"""Settings read from the environment and a ``.env`` file (python-dotenv).

The environment wins over ``.env``; ``.env`` wins over the defaults below. Every name is
documented in ``.env.example``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.limits import DEFAULT_PARSE_TIMEOUT, MAX_ARTICLE_BYTES


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


DEFAULT_API_BASE_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
DEFAULT_DATA_DIR_NAME = "newsbot-data"


@dataclass(frozen=True)
class Settings:
    """Everything the bot and the CLI can be configured with."""

    articles_dir: Path = Path("seeds")
    discord_token: str | None = field(default=None, repr=False)
    database_path: Path = Path("newsbot.db")
    log_level: str = "INFO"
    max_article_bytes: int = MAX_ARTICLE_BYTES
    # Seconds one article file may take to parse before it is stopped and rejected.
    parse_timeout_seconds: float = DEFAULT_PARSE_TIMEOUT
    dev_guild_id: int | None = None
    discord_api_base_url: str = DEFAULT_API_BASE_URL
    discord_gateway_url: str = DEFAULT_GATEWAY_URL
    schedule_grace_minutes: int = 60
    # Servers whose moderators may change the article library every server shares.
    library_guild_ids: frozenset[int] = frozenset()
    # Feeds: may a feed's address resolve to a private/loopback address; days to keep feed
    # articles (0: keep them all).
    feeds_allow_private: bool = False
    feeds_keep_days: int = 0
    # PostgreSQL instead of the SQLite file (several processes share it); None: SQLite.
    database_url: str | None = field(default=None, repr=False)
    # Sharding: how many shards the bot has in all (None: one process, Discord's count),
    # and which of them this process runs (None: all of them).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # Where warm-start snapshots are kept (None: beside the database, see ``snapshot_dir``);
    # ``snapshots`` False turns them off.
    data_dir: Path | None = None
    snapshots: bool = True

    @property
    def snapshot_dir(self) -> Path | None:
        """The folder for warm-start snapshots: ``DATA_DIR``, else a ``newsbot-data``
        folder beside the SQLite file (with PostgreSQL, which has no file here, the user's
        cache folder is chosen when the settings are read; without a home folder, the
        working directory); None when turned off."""
        if not self.snapshots:
            return None
        if self.data_dir is not None:
            return self.data_dir
        beside = Path(".") if self.database_url else self.database_path.parent
        return beside / DEFAULT_DATA_DIR_NAME

    @property
    def database(self) -> str:
        """Where the store is: ``DATABASE_URL`` when set, else the ``DATABASE_PATH`` file."""
        return self.database_url or str(self.database_path)

    def owns_guild(self, guild_id: int) -> bool:
        """Whether this process runs the shard of ``guild_id`` (and so posts for it)."""
        if self.shard_count is None or self.shard_ids is None:
            return True
        return shard_of(guild_id, self.shard_count) in self.shard_ids

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Read settings from ``environ`` (default: ``os.environ``) over ``env_file``."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            try:
                from_file = dotenv_values(env_file, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SettingsError(f"{env_file} cannot be read as UTF-8 text: {exc}") from None
            values.update({k: v for k, v in from_file.items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            raw = values.get(name)
            return raw.strip() if raw is not None and raw.strip() else None

        def get_int(name: str, default: int | None, minimum: int = 0) -> int | None:
            raw = get(name)
            if raw is None:
                return default
            try:
                number = int(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
            if number < minimum:
                raise SettingsError(f"{name} must be at least {minimum}, not {number}")
            return number

        def get_seconds(name: str, default: float) -> float:
            raw = get(name)
            if raw is None:
                return default
            try:
                seconds = float(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
            if not 0 < seconds <= 3600:  # also refuses nan and inf
                raise SettingsError(f"{name} must be more than 0 and at most 3600, not {raw}")
            return seconds

        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(
                f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not {level!r}"
            )
        shard_count = get_int("SHARD_COUNT", None, minimum=1)
        if shard_count is not None and shard_count > MAX_SHARDS:
            raise SettingsError(f"SHARD_COUNT must be at most {MAX_SHARDS}, not {shard_count}")
        shard_ids = parse_shard_ids(get("SHARD_IDS"), shard_count)
        database_url = parse_database_url(get("DATABASE_URL"))
        partial = shard_ids is not None and len(shard_ids) < (shard_count or 0)
        if partial and database_url is None:
            raise SettingsError(
                f"SHARD_IDS={get('SHARD_IDS')} runs only some of the {shard_count} shards, "
                "so other processes run the rest, and they must share one database: set "
                "DATABASE_URL to a PostgreSQL database (an SQLite file cannot be shared)"
            )
        return cls(
            articles_dir=Path(get("ARTICLES_DIR") or "seeds"),
            discord_token=get("DISCORD_TOKEN"),
            database_path=Path(get("DATABASE_PATH") or "newsbot.db"),
            log_level=level,
            max_article_bytes=get_int("MAX_ARTICLE_BYTES", MAX_ARTICLE_BYTES, minimum=1)
            or MAX_ARTICLE_BYTES,
            parse_timeout_seconds=get_seconds("PARSE_TIMEOUT_SECONDS", DEFAULT_PARSE_TIMEOUT),
            dev_guild_id=get_int("DEV_GUILD_ID", None, minimum=1),
            discord_api_base_url=(get("DISCORD_API_BASE_URL") or DEFAULT_API_BASE_URL).rstrip("/"),
            discord_gateway_url=get("DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY_URL,
            schedule_grace_minutes=get_int("SCHEDULE_GRACE_MINUTES", 60) or 0,
            library_guild_ids=parse_guild_ids("LIBRARY_GUILD_IDS", get("LIBRARY_GUILD_IDS")),
            feeds_allow_private=parse_bool("FEEDS_ALLOW_PRIVATE", get("FEEDS_ALLOW_PRIVATE")),
            feeds_keep_days=get_int("FEEDS_KEEP_DAYS", 0) or 0,
            database_url=database_url,
            shard_count=shard_count,
            shard_ids=shard_ids,
            data_dir=_data_dir(get("DATA_DIR"), database_url, get("XDG_CACHE_HOME"), get("HOME")),
            snapshots=parse_bool("SNAPSHOTS", get("SNAPSHOTS"), default=True),
        )


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends ``guild_id``'s events to: ``(guild_id >> 22) % shard_count``."""
    return (guild_id >> 22) % shard_count


#: At most this many shards: far beyond any bot, and it keeps SHARD_IDS ranges small.
MAX_SHARDS = 10_000


def parse_database_url(raw: str | None) -> str | None:
    """``DATABASE_URL``: a ``postgresql://`` address, or unset (SQLite)."""
    if raw is None:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        shown = raw.split("://", 1)[0] + "://…" if "://" in raw else raw[:40]
        raise SettingsError(
            f"DATABASE_URL must be a postgresql:// address (e.g. "
            f"postgresql://newsbot@db.example:5432/newsbot), not {shown!r}; "
            "unset it to use the SQLite file DATABASE_PATH"
        )
    return raw


def parse_shard_ids(raw: str | None, shard_count: int | None) -> tuple[int, ...] | None:
    """``SHARD_IDS``: comma-separated shard numbers or ranges (``0,2``, ``0-3``), each below
    ``SHARD_COUNT``; unset: every shard."""
    if raw is None:
        return None
    if shard_count is None:
        raise SettingsError("SHARD_IDS needs SHARD_COUNT (the number of shards in all)")
    ids: set[int] = set()
    for part in raw.split(","):
        text = part.strip()
        if not text:
            continue
        low, sep, high = text.partition("-")
        bounds = [low.strip(), high.strip()] if sep else [low.strip()]
        if not all(b.isascii() and b.isdigit() for b in bounds):
            raise SettingsError(
                f"SHARD_IDS must be comma-separated shard numbers or ranges (0,1 or 0-3), "
                f"not {text[:40]!r}"
            )
        first, last = int(bounds[0]), int(bounds[-1])
        if first > last or last >= shard_count:
            raise SettingsError(
                f"SHARD_IDS: {text!r} is not within 0 to {shard_count - 1} (SHARD_COUNT is "
                f"{shard_count})"
            )
        ids.update(range(first, last + 1))
    if not ids:
        raise SettingsError("SHARD_IDS is set but names no shard")
    return tuple(sorted(ids))


def parse_guild_ids(name: str, raw: str | None) -> frozenset[int]:
    """Comma-separated Discord server ids (``"123, 456"``); empty or unset → none."""
    ids: set[int] = set()
    for part in (raw or "").split(","):
        text = part.strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise SettingsError(
                f"{name} must be comma-separated server ids (whole numbers), not {text!r}"
            )
        ids.add(int(text))
    return frozenset(ids)


def parse_bool(name: str, raw: str | None, default: bool = False) -> bool:
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``, ``on``/``off``); unset → default."""
    if raw is None:
        return default
    text = raw.strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _data_dir(
    given: str | None, database_url: str | None, cache_home: str | None, home: str | None
) -> Path | None:
    """``DATA_DIR`` as given; else, with PostgreSQL, ``$XDG_CACHE_HOME/newsbot`` (by default
    ``~/.cache/newsbot``), so the CLI run from any folder finds the bot's snapshots; else
    None (beside the SQLite file, see ``Settings.snapshot_dir``)."""
    if given:
        return Path(given)
    if not database_url:
        return None
    if cache_home:
        return Path(cache_home) / "newsbot"
    return Path(home) / ".cache" / "newsbot" if home else None
