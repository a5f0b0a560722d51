"""``run_playground`` as a person runs it: prints the page, serves it, stops cleanly.

The process tests start the playground in a child Python (as the ``newsbot playground``
command does), talk to it over 127.0.0.1 and stop it with Ctrl-C (SIGINT), SIGTERM or the
page's "End preview session".
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from playground_page import ARTICLES, PlaygroundPage

import bot.playground.runner as runner
from bot.config import Settings
from bot.playground import run_playground

REPO = Path(__file__).resolve().parents[2]
URL = re.compile(r"http://127\.0\.0\.1:\d+/#[A-Za-z0-9_-]+")
LAST_LINE = "Stop with Ctrl-C"
# Generous: a cold start imports discord.py and SimCord on a busy 2-core machine.
START_TIMEOUT = 60.0


@dataclass
class Child:
    process: asyncio.subprocess.Process
    url: str
    printed: str

    async def finish(self) -> tuple[int, str, str]:
        """Wait for the exit; return (code, rest of stdout, stderr)."""
        assert self.process.stdout is not None and self.process.stderr is not None
        out, err = await asyncio.wait_for(self.process.communicate(), timeout=START_TIMEOUT)
        assert self.process.returncode is not None
        return self.process.returncode, out.decode(), err.decode()


@contextlib.asynccontextmanager
async def child_playground(tmp_path: Path) -> AsyncIterator[Child]:
    """Start ``newsbot playground`` as a person does and wait for it to print its page."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_PATH", "DEV_GUILD_ID"}}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "playground",
        "--articles",
        str(ARTICLES),
        "--no-browser",
        cwd=tmp_path,  # no stray .env from the developer's checkout
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    printed = ""
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while LAST_LINE not in printed:
                line = await process.stdout.readline()
                if not line:
                    err = await process.stderr.read() if process.stderr else b""
                    pytest.fail(f"the playground exited before printing its page:\n{err.decode()}")
                printed += line.decode()
        match = URL.search(printed)
        assert match is not None, f"no page address in:\n{printed}"
        yield Child(process, match.group(0), printed)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_prints_its_page_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    async with child_playground(tmp_path) as child, aiohttp.ClientSession() as http:
        assert "#news" in child.printed and "Ctrl-C" in child.printed
        assert "database: temporary" in child.printed
        page = PlaygroundPage(http, child.url)
        await page.open()
        assert page.snapshot["channel"]["name"] == "news"
        child.process.send_signal(signal.SIGINT)
        code, out, err = await child.finish()
    assert code == 0, err
    assert "Stopping the playground" in out
    assert "Traceback" not in err


async def test_sigterm_stops_it_cleanly(tmp_path: Path) -> None:
    async with child_playground(tmp_path) as child:
        child.process.send_signal(signal.SIGTERM)
        code, _out, err = await child.finish()
    assert code == 0, err
    assert "Traceback" not in err


async def test_the_page_can_end_the_session(tmp_path: Path) -> None:
    async with child_playground(tmp_path) as child, aiohttp.ClientSession() as http:
        page = PlaygroundPage(http, child.url)
        await page.open()
        receipt = await page.action("close")
        assert receipt["settlement"] == "settled"
        code, _out, err = await child.finish()
    assert code == 0, err


# -- mistakes a person can make ------------------------------------------------------------


def test_a_missing_articles_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    missing = tmp_path / "no-such-folder"
    code = run_playground(Settings(), articles=missing, open_browser=False)
    assert code == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "does not exist" in err


def test_a_busy_port_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = run_playground(
            Settings(database_path=tmp_path / "db"),
            port=port,
            articles=ARTICLES,
            open_browser=False,
        )
    assert code == 2
    assert f"port {port}" in capsys.readouterr().err


def test_the_database_is_temporary_unless_database_path_is_set(tmp_path: Path) -> None:
    chosen, temporary = runner._playground_database(Settings(), tmp_path)
    assert temporary and chosen.database_path.parent == tmp_path
    mine = Settings(database_path=Path("schedules.db"))
    assert runner._playground_database(mine, tmp_path) == (mine, False)


def test_an_impossible_port_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_playground(Settings(), port=70000, open_browser=False) == 2
    assert "--port" in capsys.readouterr().err


def test_without_the_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runner, "_REQUIRED_MODULES", ("simcord", "no_such_module_for_newsbot"))
    assert run_playground(Settings(), open_browser=False) == 2
    err = capsys.readouterr().err
    assert "no_such_module_for_newsbot" in err
    assert "pip install 'newsbot[playground]'" in err


def test_no_browser_is_started_without_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without a display, webbrowser would fall back to a text browser inside this terminal.
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    opened: queue.Queue[str] = queue.Queue()
    monkeypatch.setattr(runner.webbrowser, "open", opened.put)
    asyncio.run(runner._open_browser("http://127.0.0.1:1/#key"))
    monkeypatch.setenv("DISPLAY", ":0")
    asyncio.run(runner._open_browser("http://127.0.0.1:1/#shown"))
    # Only the second call opens (in a thread of its own); the first left nothing behind.
    assert opened.get(timeout=30) == "http://127.0.0.1:1/#shown"
    assert opened.empty()


def test_the_playground_never_uses_a_shared_postgres_or_shards(tmp_path: Path) -> None:
    shared = Settings(database_url="postgresql://bot@db/newsbot", shard_count=2, shard_ids=(1,))
    chosen, temporary = runner._playground_database(shared, tmp_path)
    assert temporary and chosen.database == str(tmp_path / "playground.db")
    assert (chosen.shard_count, chosen.shard_ids) == (None, None)
