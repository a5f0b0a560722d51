"""Start ``python -m bot run`` as a user would and watch it against the fake Discord."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.support.fake_discord import FakeDiscord

ARTICLES = Path(__file__).parent / "e2e_articles"
TOKEN = "fake-token"

# Generous, because the machine may be busy; a healthy run needs a second or two.
DEADLINE = 30.0

# Every setting the bot reads, so the developer's own environment never leaks into a test.
SETTING_NAMES = (
    "ARTICLES_DIR",
    "DISCORD_TOKEN",
    "DATABASE_PATH",
    "LOG_LEVEL",
    "MAX_ARTICLE_BYTES",
    "DEV_GUILD_ID",
    "DISCORD_API_BASE_URL",
    "DISCORD_GATEWAY_URL",
    "SCHEDULE_GRACE_MINUTES",
    "FEEDS_ALLOW_PRIVATE",
    "FEEDS_KEEP_DAYS",
    "DATABASE_URL",
    "SHARD_COUNT",
    "SHARD_IDS",
    "DATA_DIR",
    "SNAPSHOTS",
)


def bot_env(fake: FakeDiscord | None, workdir: Path, **settings: str) -> dict[str, str]:
    """The process environment: ours minus every bot setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env["DATABASE_PATH"] = str(workdir / "newsbot.db")
    env["XDG_CACHE_HOME"] = str(workdir / "cache")  # PostgreSQL bots' snapshots stay here
    if fake is not None:
        env["DISCORD_API_BASE_URL"] = fake.api_url
        env["DISCORD_GATEWAY_URL"] = fake.gateway_url
    env.update(settings)
    return env


class BotProcess:
    """A running ``python -m bot run`` with its stderr collected as it is written."""

    def __init__(self, proc: asyncio.subprocess.Process, fake: FakeDiscord | None) -> None:
        self.proc = proc
        self.fake = fake
        self._stderr: list[str] = []
        self._reader = asyncio.create_task(self._read_stderr())

    @classmethod
    async def start(
        cls, fake: FakeDiscord | None, workdir: Path, env: Mapping[str, str]
    ) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=workdir,  # an empty folder: no .env, no seeds/ to fall back on
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(proc, fake)

    async def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        async for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))
            if self.fake is not None:
                await self.fake.poke()  # conditions may read stderr (``library_loaded``)

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    @property
    def library_loaded(self) -> bool:
        """Whether the bot has logged that its articles are loaded (they load while it
        connects; until then commands answer "the library is loading")."""
        return " articles from " in self.stderr and "loaded " in self.stderr

    def _report(self, headline: str) -> str:
        requests = [f"{r.method} {r.path}" for r in self.fake.requests] if self.fake else []
        return f"{headline}\nrequests: {requests}\nstderr (last 4000 chars):\n{self.stderr[-4000:]}"

    async def until(self, condition: Callable[[], Any], timeout: float = DEADLINE) -> Any:
        """Wait until ``condition()`` holds on the fake; fail early if the bot exits."""
        assert self.fake is not None
        waiter = asyncio.ensure_future(self.fake.wait_for(condition, timeout))
        exited = asyncio.ensure_future(self.proc.wait())
        await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
        if waiter.done():
            exited.cancel()
            try:
                return waiter.result()
            except TimeoutError:
                raise AssertionError(self._report(f"no result within {timeout:.0f} s")) from None
        waiter.cancel()
        await self._reader
        raise AssertionError(self._report(f"the bot exited early with {exited.result()}"))

    async def wait_exit(self, timeout: float = DEADLINE) -> int:
        """The exit code, once the process has ended and its stderr is read."""
        try:
            async with asyncio.timeout(timeout):
                code = await self.proc.wait()
                await self._reader
        except TimeoutError:
            raise AssertionError(self._report(f"still running after {timeout:.0f} s")) from None
        return code

    def signal(self, signum: int = signal.SIGTERM) -> None:
        self.proc.send_signal(signum)

    async def stop(self) -> None:
        """Clean-up: SIGTERM, then SIGKILL if it will not go."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(DEADLINE):
                    await self.proc.wait()
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        await self._reader


def make_workdir(root: Path) -> Path:
    """``root`` with a private copy of the fixture articles and an empty working folder."""
    shutil.copytree(ARTICLES, root / "articles")
    (root / "cwd").mkdir()
    return root


async def start_bot(fake: FakeDiscord | None, root: Path, **settings: str) -> BotProcess:
    """Start ``python -m bot run`` on ``make_workdir(root)``, ``settings`` on top."""
    defaults = {"DISCORD_TOKEN": TOKEN, "ARTICLES_DIR": str(root / "articles")}
    env = bot_env(fake, root, **(defaults | settings))
    return await BotProcess.start(fake, root / "cwd", env)
