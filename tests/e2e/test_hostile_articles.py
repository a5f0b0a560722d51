"""``newsbot run`` with hostile files in its articles folder: it still comes up, says what
it skipped and why, answers members, and stops cleanly (issue 9).

Before the fix a 60 KB front matter nesting 30,000 levels deep killed the process with a
segmentation fault inside libyaml at start-up, and a symbolic link loop made it exit 1.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from tests.support.bot_process import make_workdir, start_bot
from tests.support.fake_discord import FakeDiscord

pytestmark = pytest.mark.e2e

HAITI = "Multinational Security Support Mission in Haiti"


async def test_a_front_matter_bomb_does_not_stop_the_bot_from_starting(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    root = make_workdir(tmp_path)
    articles = root / "articles"
    (articles / "bomb.md").write_bytes(b"---\na: " + b"[" * 30_000 + b"\n---\n# T\nBody.\n")
    (articles / "dots.txt").write_bytes(b"Dots\n" + b"." * 40_000)
    os.symlink("loop.txt", articles / "loop.txt")

    bot = await start_bot(fake, tmp_path)
    try:
        await bot.until(lambda: fake.ready_sent and fake.commands and bot.library_loaded)
        token = await fake.interact(
            "search", [{"name": "query", "type": 3, "value": "Hati mision"}]
        )

        def answered() -> bool:
            messages = [c.get("data") or {} for c in fake.callbacks(token)]
            messages += fake.followups(token)
            text = " ".join(
                re.sub(r"[\\*]", "", embed.get("description") or "")
                for message in messages
                for embed in message.get("embeds") or []
            )
            return HAITI in text

        assert await bot.until(answered)
        bot.signal(signal.SIGTERM)
        assert await bot.wait_exit() == 0
    finally:
        await bot.stop()
    stderr = bot.stderr
    assert "bomb.md: front matter nests deeper than 100 levels" in stderr
    assert "loop.txt: symbolic link loop" in stderr
    assert "dots.txt: no body" in stderr
    for alarm in ("Traceback", "Segmentation", "ERROR"):
        assert alarm not in stderr
