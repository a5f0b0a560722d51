"""``newsbot playground``: start the real bot against a simulated Discord and print the page.

Everything SimCord-related is imported only once the command runs, so ``bot.playground`` can
be imported (and the CLI can list the command) without the ``playground`` extra installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings
from bot.playground.sample_feed import SampleFeed

if TYPE_CHECKING:
    from bot.playground.session import Playground
    from bot.service import NewsService

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

MISSING_EXTRA_MESSAGE = (
    "newsbot playground needs the optional `playground` dependencies ({missing}); "
    "install them with: pip install 'newsbot[playground]'"
)

# The Preview page imports these; SimCord's own check names its extra, not ours.
_REQUIRED_MODULES = ("simcord", "aiohttp", "markdown_it", "linkify_it", "regex", "PIL")

_log = logging.getLogger(__name__)

# The seed article inside the package, for a playground started away from a checkout.
SHIPPED_SEED = Path(__file__).resolve().parent / "seed"


def missing_dependencies() -> list[str]:
    """The modules of the ``playground`` extra that cannot be imported here."""
    return [name for name in _REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def run_playground(
    settings: Settings,
    *,
    port: int = 0,
    articles: Path | None = None,
    open_browser: bool = True,
    out: TextIO | None = None,
) -> int:
    """Run the playground until Ctrl-C, SIGTERM or the page ends the session.

    ``port`` 0 picks a free port; ``articles`` overrides ``settings.articles_dir``. Prints
    the page's address to ``out`` (stdout) and opens it in a browser when one can be shown.
    Returns the exit code: 0 after a requested stop, 1 on an unexpected failure, 2 for
    something the user can fix (a missing extra, an unreadable articles folder, a busy port).
    """
    out = out or sys.stdout
    if not 0 <= port <= 65535:
        print(
            f"newsbot playground: --port must be between 0 and 65535, not {port}", file=sys.stderr
        )
        return EXIT_USAGE
    missing = missing_dependencies()
    if missing:
        print(MISSING_EXTRA_MESSAGE.format(missing=", ".join(missing)), file=sys.stderr)
        return EXIT_USAGE
    if port and not _port_is_free(port):
        print(
            f"newsbot playground: port {port} on 127.0.0.1 is in use; "
            "choose another with --port N, or --port 0 for any free port",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if articles is not None:
        settings = replace(settings, articles_dir=Path(articles))
    _setup_logging(settings)
    with tempfile.TemporaryDirectory(prefix="newsbot-playground-") as scratch:
        settings, temporary_db = _playground_database(settings, Path(scratch))
        source = _articles_source(settings)
        if not source.is_dir():
            print(
                f"newsbot playground: the articles folder {source} does not exist", file=sys.stderr
            )
            return EXIT_USAGE
        # Uploads and removals on the page change a copy, never the folder itself.
        settings = replace(
            settings,
            articles_dir=copy_library(
                source, Path(scratch) / "articles", settings.max_article_bytes
            ),
        )
        try:
            return asyncio.run(
                _serve(
                    settings,
                    port=port,
                    open_browser=open_browser,
                    out=out,
                    temp=temporary_db,
                    source=source,
                )
            )
        except KeyboardInterrupt:  # a second Ctrl-C while stopping, or no signal handlers
            return EXIT_INTERRUPTED


def _articles_source(settings: Settings) -> Path:
    """The folder to show: ``settings.articles_dir``, or the seed article shipped inside
    the package when it is the default (``seeds``) and there is none here."""
    folder = settings.articles_dir
    if folder == Settings().articles_dir and not folder.is_dir():
        return SHIPPED_SEED
    return folder


def copy_library(source: Path, target: Path, max_bytes: int) -> Path:
    """``source``'s files under ``target`` (hidden ones left out); returns ``target``.

    Files are hard-linked where the file system allows (no bytes copied): the bot never
    writes into an existing file, it writes a new one and renames it over, or unlinks,
    so the originals stay as they are. Otherwise they are copied, except that a file over
    ``max_bytes`` becomes an empty file of the same size, rejected for its size as the
    original would be. Files that cannot be copied (pipes, unreadable) are left out.
    """

    def copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
        size = os.stat(src).st_size
        if size > max_bytes:
            with open(dst, "wb") as handle:
                handle.truncate(size)  # sparse: no disk used
        else:
            shutil.copy2(src, dst)

    try:
        shutil.copytree(
            source,
            target,
            symlinks=True,
            ignore=shutil.ignore_patterns(".*"),
            copy_function=copy,
        )
    except shutil.Error as exc:  # raised after copying everything else
        _log.debug("some files were not copied to the playground: %s", exc)
    target.mkdir(parents=True, exist_ok=True)
    return target


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _playground_database(settings: Settings, scratch: Path) -> tuple[Settings, bool]:
    """Use DATABASE_PATH when it was set; otherwise a database that vanishes on exit.

    Never DATABASE_URL or the shard settings: the simulated servers must not reach a
    PostgreSQL database that real bot processes share (they would post for them)."""
    settings = replace(settings, database_url=None, shard_count=None, shard_ids=None)
    if settings.database_path != Settings().database_path:
        return settings, False
    return replace(settings, database_path=scratch / "playground.db"), True


def _setup_logging(settings: Settings) -> None:
    from bot.runner import setup_logging

    if not logging.getLogger().handlers:  # an embedding program (or pytest) keeps its own
        setup_logging(settings)
    # discord.py's start-up warnings (voice support, intents) are about a real gateway.
    for name in ("discord.client", "discord.state", "discord.ext.commands.bot"):
        logging.getLogger(name).setLevel(max(logging.ERROR, logging.getLogger().level))


class _UsageError(Exception):
    """Something the user can fix; the message says what."""


def _load_service(settings: Settings) -> NewsService:
    from bot.corpus.library import LibraryError
    from bot.service import NewsService

    try:
        # No snapshot (no data_dir): the playground runs on a fresh temporary copy of the
        # folder each time (see copy_library), so a snapshot keyed by that folder could
        # never be used again; the copy is small enough to load from the files.
        return NewsService.load(
            settings.articles_dir,
            max_file_bytes=settings.max_article_bytes,
            parse_timeout=settings.parse_timeout_seconds,
        )
    except LibraryError as exc:
        raise _UsageError(str(exc)) from exc


async def _serve(
    settings: Settings,
    *,
    port: int,
    open_browser: bool,
    out: TextIO,
    temp: bool,
    source: Path | None = None,
) -> int:
    import simcord

    from bot.playground.session import Playground, run_until_closed

    stop = asyncio.Event()
    _handle_signals(stop.set)
    try:
        service = await asyncio.to_thread(_load_service, settings)
        from bot.app import create_bot  # deferred: importing the app loads every extension

        sample = SampleFeed()
        # The sample feed is on 127.0.0.1: private addresses are allowed, here only.
        bot = await create_bot(replace(settings, feeds_allow_private=True), service)
        playground = Playground(bot, port=port, guild_id=settings.dev_guild_id)
        async with sample, playground:
            _announce(playground, settings, out, temporary_db=temp, source=source)
            out.write(
                f"Sample feed: {sample.url} (each fetch after the first adds a story).\n"
                f"Try /admin feed add url:{sample.url} interval:5, then\n"
                "/admin alert add channel:#news keywords:ferry, and watch the next fetch's\n"
                "ferry story arrive (or fetch now with /admin feed pause, then resume).\n"
            )
            out.flush()
            if open_browser:
                await _open_browser(playground.url)
            await run_until_closed(playground, stop)
            # A second Ctrl-C while stopping interrupts for real.
            _handle_signals(None)
            out.write("\nStopping the playground…\n")
            out.flush()
    except _UsageError as exc:
        print(f"newsbot playground: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except simcord.SetupError as exc:
        # In practice: the requested port is taken.
        print(f"newsbot playground: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from bot.runner import explain_failure

        known = explain_failure(exc)  # a database that cannot be used, a bad setting
        if known is not None:
            _log.debug("the playground could not start: %r", exc)
            print(f"newsbot playground: {known.message}", file=sys.stderr)
            return EXIT_USAGE if known.code == EXIT_USAGE else EXIT_FAILURE
        _log.error("the playground stopped on an unexpected error", exc_info=exc)
        print(
            f"newsbot playground stopped: {type(exc).__name__}: {exc} (details above)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        _handle_signals(None)
    return EXIT_OK


def _handle_signals(callback: Callable[[], None] | None) -> None:
    """Route SIGINT/SIGTERM to ``callback`` on the running loop; None restores the default."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers; Ctrl-C then ends asyncio.run instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            if callback is None:
                loop.remove_signal_handler(signum)
            else:
                loop.add_signal_handler(signum, callback)


def _announce(
    playground: Playground,
    settings: Settings,
    out: TextIO,
    *,
    temporary_db: bool,
    source: Path | None = None,
) -> None:
    from bot.playground.world import CHANNEL_NAME, GUILD_NAME, MEMBER_NAME, MODERATOR_NAME

    database = "temporary, deleted on exit" if temporary_db else str(settings.database_path)
    shown = source or settings.articles_dir
    articles = (
        "the seed article shipped with newsbot (no ARTICLES_DIR and no ./seeds here)"
        if shown == SHIPPED_SEED
        else str(shown)
    )
    out.write(
        "newsbot playground: the real bot in a simulated Discord. Nothing leaves this machine.\n"
        f"\n  Open {playground.url}\n\n"
        f'Server "{GUILD_NAME}", channel #{CHANNEL_NAME}. Type / in the message box for\n'
        "/search, /digest, /article, /topics and /help. “Viewing as” switches between\n"
        f"{MEMBER_NAME} and {MODERATOR_NAME}, who has Manage Server for /admin.\n"
        f"Articles: {articles} (uploads on the page go to a copy) · database: {database}\n"
        "The address is the key to this session; keep it to yourself.\n"
        "Stop with Ctrl-C, or with More → End preview session on the page.\n"
    )
    out.flush()


def _can_show_browser() -> bool:
    # On Linux without a display, webbrowser falls back to text browsers (lynx, w3m) that
    # would take over this terminal; there is nothing to open there anyway.
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


async def _open_browser(url: str) -> None:
    if not _can_show_browser():
        return
    # Some launchers block until the browser exits: a daemon thread never holds up the
    # playground, nor its exit.
    threading.Thread(target=_open_quietly, args=(url,), name="open-browser", daemon=True).start()


def _open_quietly(url: str) -> None:
    try:
        webbrowser.open(url)
    except Exception as exc:  # a browser that will not start must not stop the playground
        _log.debug("could not open a browser: %s", exc)
