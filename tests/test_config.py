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
