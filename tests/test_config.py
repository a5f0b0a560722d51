"""Settings come from the environment over `.env` over defaults, with clear errors."""

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE_URL, Settings, SettingsError


def test_defaults_without_env_or_file(tmp_path: Path) -> None:
    settings = Settings.from_env({}, env_file=tmp_path / "missing.env")
    assert settings.articles_dir == Path("seeds")
    assert settings.database_path == Path("newsbot.db")
    assert settings.discord_token is None
    assert settings.log_level == "INFO"
    assert settings.discord_api_base_url == DEFAULT_API_BASE_URL
    assert settings.max_article_bytes == 5_000_000


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ARTICLES_DIR=from-file\nLOG_LEVEL=debug\nDISCORD_TOKEN=abc\n")
    settings = Settings.from_env({"ARTICLES_DIR": "from-env"}, env_file=env_file)
    assert settings.articles_dir == Path("from-env")
    assert settings.log_level == "DEBUG"
    assert settings.discord_token == "abc"


def test_token_is_not_in_repr() -> None:
    settings = Settings.from_env({"DISCORD_TOKEN": "very-secret"}, env_file=None)
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of"),
        ("MAX_ARTICLE_BYTES", "five", "MAX_ARTICLE_BYTES must be a whole number"),
        ("MAX_ARTICLE_BYTES", "0", "MAX_ARTICLE_BYTES must be at least 1"),
        ("DEV_GUILD_ID", "-3", "DEV_GUILD_ID must be at least 1"),
        ("LIBRARY_GUILD_IDS", "123, newsroom", "LIBRARY_GUILD_IDS must be comma-separated"),
        ("LIBRARY_GUILD_IDS", "-5", "LIBRARY_GUILD_IDS must be comma-separated"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value}, env_file=None)


def test_empty_values_mean_default() -> None:
    settings = Settings.from_env({"DEV_GUILD_ID": "", "DISCORD_API_BASE_URL": " "}, env_file=None)
    assert settings.dev_guild_id is None
    assert settings.discord_api_base_url == DEFAULT_API_BASE_URL


def test_env_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"ARTICLES_DIR=caf\xe9\n")
    with pytest.raises(SettingsError, match="cannot be read as UTF-8"):
        Settings.from_env({}, env_file=env_file)


def test_library_guild_ids_are_read_as_a_set_of_server_ids() -> None:
    assert Settings.from_env({}, env_file=None).library_guild_ids == frozenset()
    settings = Settings.from_env({"LIBRARY_GUILD_IDS": " 123, 456,,123 "}, env_file=None)
    assert settings.library_guild_ids == frozenset({123, 456})


def test_parse_timeout_seconds_is_read_and_checked() -> None:
    assert Settings.from_env({}, env_file=None).parse_timeout_seconds == 5.0
    assert (
        Settings.from_env({"PARSE_TIMEOUT_SECONDS": "2.5"}, env_file=None).parse_timeout_seconds
        == 2.5
    )
    for bad, message in [
        ("soon", "PARSE_TIMEOUT_SECONDS must be a number of seconds, not 'soon'"),
        ("0", "PARSE_TIMEOUT_SECONDS must be more than 0 and at most 3600, not 0"),
        ("-1", "PARSE_TIMEOUT_SECONDS must be more than 0"),
        ("nan", "PARSE_TIMEOUT_SECONDS must be more than 0"),
        ("inf", "PARSE_TIMEOUT_SECONDS must be more than 0"),
    ]:
        with pytest.raises(SettingsError) as caught:
            Settings.from_env({"PARSE_TIMEOUT_SECONDS": bad}, env_file=None)
        assert str(caught.value).startswith(message)


# -- PostgreSQL and shards ---------------------------------------------------------------


def test_the_store_is_the_sqlite_file_unless_a_postgres_address_is_given() -> None:
    assert Settings.from_env({}, env_file=None).database == "newsbot.db"
    url = "postgresql://bot:pw@db:5432/newsbot"
    settings = Settings.from_env({"DATABASE_URL": url}, env_file=None)
    assert settings.database == url
    assert "pw" not in repr(settings)


def test_a_database_url_that_is_not_postgres_is_refused_without_echoing_it() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL must be a postgresql:// address") as e:
        Settings.from_env({"DATABASE_URL": "mysql://root:hunter2@db/x"}, env_file=None)
    assert "hunter2" not in str(e.value)


PG = {"DATABASE_URL": "postgresql://bot@db/newsbot"}


def test_shard_ids_take_numbers_and_ranges_and_decide_which_guilds_are_ours() -> None:
    settings = Settings.from_env({"SHARD_COUNT": "4", "SHARD_IDS": "0, 2-3"} | PG, env_file=None)
    assert (settings.shard_count, settings.shard_ids) == (4, (0, 2, 3))
    assert settings.owns_guild(0 << 22) and not settings.owns_guild(1 << 22)
    assert not settings.owns_guild((5 << 22) + 12345)  # shard 5 % 4 == 1
    assert settings.owns_guild(6 << 22)  # shard 2
    everything = Settings.from_env({"SHARD_COUNT": "4"}, env_file=None)
    assert everything.shard_ids is None and everything.owns_guild(1 << 22)


def test_one_process_may_run_every_shard_on_the_sqlite_file() -> None:
    settings = Settings.from_env({"SHARD_COUNT": "2", "SHARD_IDS": "0-1"}, env_file=None)
    assert settings.shard_ids == (0, 1) and settings.database == "newsbot.db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be at least 1"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "99999999"}, "SHARD_COUNT must be at most"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, "must share one database: set DATABASE_URL"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "not within 0 to 1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1-0"}, "not within 0 to 1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "a"}, "comma-separated shard numbers"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "-1"}, "comma-separated shard numbers"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": " , "}, "names no shard"),
    ],
)
def test_bad_shard_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env, env_file=None)


def test_snapshot_folder_defaults_beside_the_database() -> None:
    def folder(**env: str) -> Path | None:
        return Settings.from_env(env, env_file=None).snapshot_dir

    assert folder() == Path("newsbot-data")
    assert folder(DATABASE_PATH="/srv/bot/newsbot.db") == Path("/srv/bot/newsbot-data")
    # PostgreSQL: no database file to sit beside; the user's cache folder, from any folder.
    pg = "postgresql://db.example/newsbot"
    assert folder(DATABASE_URL=pg, HOME="/home/bot") == Path("/home/bot/.cache/newsbot")
    assert folder(DATABASE_URL=pg, XDG_CACHE_HOME="/c", HOME="/h") == Path("/c/newsbot")
    assert folder(DATABASE_URL=pg) == Path("newsbot-data")  # no home folder known
    assert folder(DATA_DIR="/var/cache/newsbot", DATABASE_PATH="/srv/x.db") == Path(
        "/var/cache/newsbot"
    )
    assert folder(SNAPSHOTS="false", DATA_DIR="/var/cache/newsbot") is None
    with pytest.raises(SettingsError, match="SNAPSHOTS"):
        folder(SNAPSHOTS="maybe")
