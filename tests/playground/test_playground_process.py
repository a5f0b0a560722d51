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

import bot.playground.runner as runner
from bot.config import Settings
from bot.playground import run_playground
from tests.support.playground_page import ARTICLES, PlaygroundPage

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
async def child_playground(
    tmp_path: Path, articles: Path | None = ARTICLES
) -> AsyncIterator[Child]:
    """Start ``newsbot playground`` as a person does and wait for it to print its page."""
    unset = {"DATABASE_PATH", "DEV_GUILD_ID", "ARTICLES_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    chosen = ["--articles", str(articles)] if articles is not None else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "playground",
        *chosen,
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


async def test_it_works_from_any_folder_with_the_shipped_seed(tmp_path: Path) -> None:
    # No ARTICLES_DIR, no --articles and no ./seeds in the working folder.
    async with child_playground(tmp_path, articles=None) as child, aiohttp.ClientSession() as http:
        assert "the seed article shipped with newsbot" in child.printed
        page = PlaygroundPage(http, child.url)
        await page.open()
        receipt = await page.run("search", query="Hati mision")
        assert "President Ruto Holds Strategic Call with Trump" in str(page.response_to(receipt))
        child.process.send_signal(signal.SIGINT)
        code, _out, err = await child.finish()
    assert code == 0, err


def test_the_shipped_seed_is_the_seed_of_the_repository() -> None:
    shipped = runner.SHIPPED_SEED / "000_3f7c58d4eaf15709.txt"
    assert shipped.read_bytes() == (REPO / "seeds" / "000_3f7c58d4eaf15709.txt").read_bytes()


def test_uploads_go_to_a_copy_of_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.corpus.uploads import add_article_file, remove_article_file
    from bot.service import NewsService

    source = tmp_path / "library"
    (source / "sport").mkdir(parents=True)
    (source / "sport" / "017.txt").write_text("Derby day\n\nRovers won the derby.\n")
    (source / ".git").mkdir()
    before = sorted((p.relative_to(source), p.read_bytes()) for p in source.rglob("*.txt"))
    used: list[Settings] = []

    async def serve(settings: Settings, **_kwargs: object) -> int:
        used.append(settings)
        service = NewsService.load(settings.articles_dir)
        add_article_file(service, "new.txt", b"New story\n\nA new story.\n")
        add_article_file(service, "017.txt", b"Top story\n\nAt the top.\n")
        remove_article_file(service, "sport/017")
        return 0

    monkeypatch.setattr(runner, "_serve", serve)
    code = run_playground(
        Settings(database_path=tmp_path / "db"), articles=source, open_browser=False
    )

    assert code == 0
    (settings,) = used
    assert not settings.articles_dir.is_relative_to(source)
    after = sorted((p.relative_to(source), p.read_bytes()) for p in source.rglob("*.txt"))
    assert after == before


def test_a_library_copy_keeps_what_a_reload_reports(tmp_path: Path) -> None:
    source = tmp_path / "library"
    source.mkdir()
    (source / "story.txt").write_text("Story\n\nBody.\n")
    (source / "huge.txt").write_bytes(b"x" * 2000)
    (source / "link.txt").symlink_to("story.txt")
    os.mkfifo(source / "pipe.txt")

    copy = runner.copy_library(source, tmp_path / "copy", max_bytes=1000)

    assert (copy / "story.txt").read_text() == "Story\n\nBody.\n"
    assert (copy / "huge.txt").stat().st_size == 2000  # rejected for its size, as before
    assert (copy / "link.txt").is_symlink()


def test_an_unusable_database_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    code = run_playground(Settings(database_path=folder), articles=ARTICLES, open_browser=False)
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("newsbot playground")]
    assert len(lines) == 1 and str(folder) in lines[0], err
    assert "details above" not in err  # a problem to fix, not a crash


def test_the_playground_never_uses_a_shared_postgres_or_shards(tmp_path: Path) -> None:
    shared = Settings(database_url="postgresql://bot@db/newsbot", shard_count=2, shard_ids=(1,))
    chosen, temporary = runner._playground_database(shared, tmp_path)
    assert temporary and chosen.database == str(tmp_path / "playground.db")
    assert (chosen.shard_count, chosen.shard_ids) == (None, None)
