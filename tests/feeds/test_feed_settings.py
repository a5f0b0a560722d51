"""The feed settings: FEEDS_ALLOW_PRIVATE and FEEDS_KEEP_DAYS."""

from __future__ import annotations

import pytest

from bot.config import Settings, SettingsError


def test_feed_settings_default_to_refusing_private_addresses_and_keeping_everything() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert settings.feeds_allow_private is False and settings.feeds_keep_days == 0


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("1", True), ("No", False), ("off", False)]
)
def test_feeds_allow_private_reads_true_and_false(raw: str, value: bool) -> None:
    assert (
        Settings.from_env({"FEEDS_ALLOW_PRIVATE": raw}, env_file=None).feeds_allow_private is value
    )


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("FEEDS_ALLOW_PRIVATE", "maybe", "FEEDS_ALLOW_PRIVATE must be true or false, not 'maybe'"),
        ("FEEDS_KEEP_DAYS", "a week", "FEEDS_KEEP_DAYS must be a whole number"),
        ("FEEDS_KEEP_DAYS", "-3", "FEEDS_KEEP_DAYS must be at least 0"),
    ],
)
def test_bad_feed_settings_name_the_setting(name: str, raw: str, message: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({name: raw}, env_file=None)
    assert str(error.value).startswith(message)


def test_feeds_keep_days_reads_a_number_of_days() -> None:
    assert Settings.from_env({"FEEDS_KEEP_DAYS": "30"}, env_file=None).feeds_keep_days == 30
