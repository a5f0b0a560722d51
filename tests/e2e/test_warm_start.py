"""A restarted ``newsbot run`` starts from the snapshot its first run left (the real process
against the fake Discord)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.bot_process import make_workdir, start_bot
from tests.support.fake_discord import FakeDiscord


async def until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Check ``condition`` until it holds (the bot is another process: nothing to await)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.1)


async def run_once(root: Path, data: Path, wait_for: str) -> str:
    fake = FakeDiscord()
    await fake.start()
    bot = await start_bot(fake, root, DATA_DIR=str(data), LOG_LEVEL="INFO")
    try:
        await bot.until(lambda: fake.ready_sent)
        await until(lambda: wait_for in bot.stderr)
    finally:
        await bot.stop()
        await fake.close()
    return bot.stderr


async def test_a_restart_loads_from_the_snapshot_and_picks_up_a_changed_file(
    tmp_path: Path,
) -> None:
    root = make_workdir(tmp_path)
    data = tmp_path / "data"
    first = await run_once(root, data, "wrote snapshot")  # in the background, after ready
    assert "no snapshot" in first
    assert list(data.glob("snapshot-*.bin"))

    (root / "articles" / "added-between-runs.txt").write_text(
        "Lighthouse reopens\n\nThe lighthouse reopened to visitors after repairs.\n",
        encoding="utf-8",
    )
    second = await run_once(root, data, "wrote snapshot")  # the change is written back
    assert "loaded from snapshot" in second
    assert "no snapshot" not in second and "rebuilding" not in second
