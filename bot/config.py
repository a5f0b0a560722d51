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
        )


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
