"""Autocomplete choices, as a pure function."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from bot.exts import _options
from bot.exts._options import to_choices


def test_choices_are_valid_unique_and_at_most_25() -> None:
    pairs = [("a", "Alpha"), ("a", "Alpha again"), ("", "no value"), ("v" * 101, "too long")]
    pairs += [("b", "  "), ("c", "x" * 300), ("d", "two\nlines")]
    pairs += [(f"id{n}", f"Title {n}") for n in range(40)]

    choices = to_choices(pairs)

    assert len(choices) == 25
    assert [c.value for c in choices[:4]] == ["a", "b", "c", "d"]
    assert choices[0].name == "Alpha"
    assert choices[1].name == "b"  # a blank label falls back to the value
    assert len(choices[2].name) == 100 and choices[2].name.endswith("…")
    assert choices[3].name == "two lines"


async def test_slow_topic_scoring_gives_no_choices_instead_of_stalling_the_bot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    called = threading.Event()

    def slow_complete_topics(text: str, extra: object, limit: int) -> list[tuple[str, str]]:
        called.set()
        release.wait(10)  # scoring server topics over a large library
        return [("Health", "Health (3 articles)")]

    async def extra_topics(guild_id: int | None) -> list[object]:
        return []

    bot = SimpleNamespace(
        service=SimpleNamespace(complete_topics=slow_complete_topics), extra_topics=extra_topics
    )
    monkeypatch.setattr(_options, "AUTOCOMPLETE_SECONDS", 0.05)
    interaction = SimpleNamespace(client=bot, guild_id=1)
    try:
        choices = await _options.topic_choices(interaction, "heal")  # type: ignore[arg-type]
    finally:
        release.set()
    assert called.is_set()  # it ran (in a thread), and the loop gave up waiting on it
    assert choices == []
