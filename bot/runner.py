"""Run the Discord bot as ``newsbot run`` does: endpoints, logging, signals, exit codes.

``run_bot`` is the one entry point. It turns every way a start can fail that an operator can
fix (no token, a rejected token, a bad endpoint setting, Discord out of reach) into one
line on stderr and an exit code, and stops cleanly on SIGINT or SIGTERM.

Exit codes: 0 after a requested stop, 1 when the bot could not run, 2 when the settings
are unusable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import DEFAULT_API_BASE_URL, DEFAULT_GATEWAY_URL, Settings, SettingsError
from bot.corpus.library import LibraryError
from bot.store.errors import StoreError

_log = logging.getLogger(__name__)

# How long a requested stop may take before the remaining work is cancelled.
_CLOSE_TIMEOUT = 10.0

MISSING_TOKEN_MESSAGE = (
    "DISCORD_TOKEN is not set: create a bot in the Discord developer portal "
    "(https://discord.com/developers/applications → your app → Bot → Reset Token), "
    "then export DISCORD_TOKEN=<token> or put it in .env"
)
REJECTED_TOKEN_MESSAGE = (
    "Discord rejected DISCORD_TOKEN: copy a fresh token from the "
    "developer portal (Bot → Reset Token) into the environment or .env"
)
PRIVILEGED_INTENTS_MESSAGE = (
    "Discord refused the privileged intents this bot asks for: enable them in the developer "
    "portal (your app → Bot → Privileged Gateway Intents)"
)


@dataclass(frozen=True)
class _Failure:
    """A failure one line explains to an operator, and the exit code it ends with."""

    message: str
    code: int = 1


# -- endpoints ---------------------------------------------------------------------------

# The gateway every websocket must use, or None to let discord.py choose. discord.py picks a
# gateway in three places: DiscordWebSocket.DEFAULT_GATEWAY for a fresh connection, the
# ``url`` from GET /gateway/bot (AutoShardedClient), and READY's ``resume_gateway_url`` for
# every resume. A gateway proxy must see all of them, so one wrapper around
# DiscordWebSocket.from_client (the only constructor of gateway sockets) overrides them all.
_forced_gateway: yarl.URL | None = None


def _install_gateway_override() -> None:
    current = DiscordWebSocket.__dict__["from_client"].__func__
    if getattr(current, "_newsbot_gateway_override", False):
        return

    async def from_client(
        cls: type[DiscordWebSocket], client: discord.Client, **kwargs: Any
    ) -> DiscordWebSocket:
        if _forced_gateway is not None:
            kwargs["gateway"] = _forced_gateway
        return await current(cls, client, **kwargs)

    from_client._newsbot_gateway_override = True  # type: ignore[attr-defined]
    DiscordWebSocket.from_client = classmethod(from_client)  # type: ignore[method-assign,assignment]


def _url(name: str, value: str, example: str) -> yarl.URL:
    """``value`` as a URL with the scheme family of ``example``, or a SettingsError."""
    schemes = {"http", "https"} if example.startswith("http") else {"ws", "wss"}
    try:
        url = yarl.URL(value)
        valid = url.scheme in schemes and bool(url.host)
    except ValueError:
        valid = False
    if not valid:
        kind = "an http(s)" if "http" in schemes else "a ws(s)"
        raise SettingsError(f"{name} must be {kind} URL such as {example}, not {value!r}")
    return url


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at ``settings``' REST base and gateway (process-wide).

    ``DISCORD_API_BASE_URL`` replaces ``discord.http.Route.BASE``, which every REST call
    including interaction callbacks and webhook follow-ups is built from.
    ``DISCORD_GATEWAY_URL`` replaces ``DiscordWebSocket.DEFAULT_GATEWAY``; when it differs
    from Discord's own gateway it also wins over the gateway URLs Discord hands out (from
    ``GET /gateway/bot`` and READY's ``resume_gateway_url``), so every connect and resume
    goes through the proxy. Calling this again with the defaults restores Discord itself.

    Raises ``SettingsError`` naming the setting when a URL has the wrong scheme.
    """
    global _forced_gateway
    _url("DISCORD_API_BASE_URL", settings.discord_api_base_url, DEFAULT_API_BASE_URL)
    gateway = _url("DISCORD_GATEWAY_URL", settings.discord_gateway_url, DEFAULT_GATEWAY_URL)
    Route.BASE = settings.discord_api_base_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = gateway
    _forced_gateway = None if gateway == yarl.URL(DEFAULT_GATEWAY_URL) else gateway
    _install_gateway_override()


# -- logging -----------------------------------------------------------------------------


class _RedactingHandler(logging.StreamHandler):
    """A stderr handler that never writes the bot token, whatever a library logs."""

    def __init__(self, secret: str | None) -> None:
        super().__init__()
        self._secret = secret or None

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self._secret, "[DISCORD_TOKEN]") if self._secret else text


def setup_logging(settings: Settings) -> None:
    """Log to stderr at ``LOG_LEVEL`` through discord.py's formatter, token redacted."""
    level = logging.getLevelNamesMapping()[settings.log_level]
    # newsbot never joins voice; discord.py's warnings about missing voice libraries are noise.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    discord.utils.setup_logging(handler=_RedactingHandler(settings.discord_token), level=level)


# -- running -----------------------------------------------------------------------------


def explain_failure(exc: BaseException) -> _Failure | None:
    """One line for a failure an operator can fix, or None for an unexpected one."""
    if isinstance(exc, SettingsError | LibraryError):  # ARTICLES_DIR and friends
        return _Failure(str(exc), code=2)
    if isinstance(exc, StoreError):  # e.g. DATABASE_PATH cannot be opened
        return _Failure(str(exc))
    if isinstance(exc, discord.LoginFailure):
        return _Failure(REJECTED_TOKEN_MESSAGE)
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return _Failure(PRIVILEGED_INTENTS_MESSAGE)
    if isinstance(exc, discord.ConnectionClosed):
        if exc.code == 4004:
            return _Failure(REJECTED_TOKEN_MESSAGE)
        return _Failure(f"Discord closed the gateway connection (close code {exc.code})")
    if isinstance(exc, discord.GatewayNotFound):
        return _Failure(f"Discord's gateway could not be found at {Route.BASE}/gateway/bot")
    if isinstance(exc, discord.HTTPException) and exc.status >= 500:
        return _Failure(f"Discord's API is failing ({exc.status}); try again later")
    if isinstance(exc, aiohttp.ClientConnectionError | OSError):
        return _Failure(f"cannot reach Discord at {Route.BASE}: {exc}")
    return None


async def _serve(settings: Settings, token: str) -> None:
    """Create the bot, run it until a signal or a fatal error, then close it."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    received: list[str] = []

    def request_stop(signum: signal.Signals) -> None:
        received.append(signum.name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers; Ctrl-C then ends asyncio.run instead.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, request_stop, signum)

    from bot.app import create_bot  # deferred: the failures caught above need no app

    # Local settings first: the database (opened here) and the articles folder (in
    # ``prepare``) fail as themselves, before Discord is reached.
    bot = await create_bot(settings)
    async with bot:  # closes the bot (and what it owns) on every way out
        await bot.prepare()
        running = asyncio.create_task(bot.start(token), name="newsbot-bot")
        stopping = asyncio.create_task(stop.wait(), name="newsbot-stop")
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            stopping.cancel()
            running.result()  # raises what stopped the bot; a normal return is a stop
            return
        _log.info("Stopping on %s", received[0])
        try:
            await asyncio.wait_for(bot.close(), _CLOSE_TIMEOUT)
        except TimeoutError:
            _log.warning("Closing took longer than %.0f s; cancelling", _CLOSE_TIMEOUT)
        # After a requested stop, whatever the interrupted start raises is not a failure.
        done, _ = await asyncio.wait({running}, timeout=_CLOSE_TIMEOUT)
        if not done:
            running.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await running
    _log.info("Stopped")


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM; return the process exit code (0, 1 or 2)."""
    token = settings.discord_token
    if not token:
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    try:
        configure_endpoints(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings)
    try:
        asyncio.run(_serve(settings, token))
    except KeyboardInterrupt:  # only where signal handlers are unavailable
        return 0
    except Exception as exc:
        known = explain_failure(exc)
        if known is not None:
            _log.debug("Start failed: %r (caused by %r)", exc, exc.__cause__)
            print(known.message, file=sys.stderr)
            return known.code
        _log.error("newsbot stopped on an unexpected error", exc_info=exc)
        print(f"newsbot stopped: {type(exc).__name__}: {exc} (details above)", file=sys.stderr)
        return 1
    return 0
