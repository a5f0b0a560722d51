"""``bot.runner`` in-process: endpoint settings and log redaction (no bot started)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import DEFAULT_API_BASE_URL, DEFAULT_GATEWAY_URL, Settings
from bot.runner import configure_endpoints, run_bot, setup_logging


@pytest.fixture(autouse=True)
def discord_endpoints() -> Iterator[None]:
    """Leave discord.py pointed at Discord itself for every other test."""
    yield
    configure_endpoints(Settings())


def test_endpoints_point_discord_py_at_a_proxy() -> None:
    configure_endpoints(
        Settings(
            discord_api_base_url="http://127.0.0.1:8080/api/v10/",
            discord_gateway_url="ws://127.0.0.1:8081/",
        )
    )
    assert Route("GET", "/users/@me").url == "http://127.0.0.1:8080/api/v10/users/@me"
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:8081/"

    configure_endpoints(Settings())
    assert Route("GET", "/users/@me").url == f"{DEFAULT_API_BASE_URL}/users/@me"
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == DEFAULT_GATEWAY_URL


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("discord_api_base_url", "ws://127.0.0.1:8080/api/v10"),
        ("discord_api_base_url", "discord.com/api/v10"),
        ("discord_gateway_url", "https://gateway.discord.gg/"),
        ("discord_gateway_url", "wss://"),
    ],
)
def test_unusable_endpoint_is_named_in_one_line(
    setting: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(discord_token="fake-token", **{setting: value})
    assert run_bot(settings) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(setting.upper()) and repr(value) in err
    assert Route.BASE == DEFAULT_API_BASE_URL, "nothing was changed"


def test_logs_never_show_the_token(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        setup_logging(Settings(discord_token="s3cr3t-token", log_level="DEBUG"))
        logging.getLogger("discord.http").debug("headers: Authorization: Bot %s", "s3cr3t-token")
        try:
            raise RuntimeError("bad token s3cr3t-token")
        except RuntimeError:
            logging.getLogger("bot").exception("failed")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "Authorization: Bot [DISCORD_TOKEN]" in err
    assert "RuntimeError: bad token [DISCORD_TOKEN]" in err
    assert "s3cr3t-token" not in err
