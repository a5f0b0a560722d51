"""/admin article add with hostile files: each is added or refused with its reason, a
refused one leaves the folder and the library as they were, and the bot keeps answering
members (issue 9). The parse runs in a worker process, so even a parser that crashes its
process (a real SIGSEGV below) costs only that upload."""

from __future__ import annotations

import dataclasses
import os
import signal
from pathlib import Path

import pytest

from bot.config import Settings
from bot.corpus.loaders import ParseOutcome, parse_bytes
from tests.support.admin_sim import Newsroom, embed_text, folder_snapshot
from tests.support.newsbot_sim import refusals

HEAD = b"Hostile headline\n"

UPLOADS = [
    ("dots.txt", HEAD + b"." * 40_000, "has no words"),
    ("bangs.txt", HEAD + b"!" * 40_000, "has no words"),
    ("brackets.md", b"# Brackets\n" + b"[" * 50_000, "has no words"),
    ("nested.txt", HEAD + b"([{" * 15_000 + b"}])" * 15_000, "has no words"),
    ("yaml-bomb.md", b"---\na: " + b"[" * 30_000 + b"\n---\n# T\nBody.\n", "nests deeper"),
    ("json-deep.json", b'{"title": "T", "body": "B.", "x": ' + b"[" * 90_000 + b"}", "nests"),
    ("json-bigint.json", b'{"title": "T", "body": "B.", "x": ' + b"7" * 9_000 + b"}", "digits"),
    ("nulls.txt", HEAD + b"\x00" * 50_000, "binary file"),
    ("one-word.txt", HEAD + b"a" * 90_000, None),
    ("lines.txt", HEAD + b"a\n" * 45_000, None),
    ("combining.txt", HEAD + "a\u0301\u0316".encode() * 18_000, None),
    ("links.md", b"# Links\n" + b"[a](" * 20_000, None),
]


def crashing_parser(name: str, data: bytes, *, max_bytes: int) -> ParseOutcome:
    """``parse_bytes``, except that it kills its own (worker) process on crash*.txt."""
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return parse_bytes(name, data, max_bytes=max_bytes)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, max_article_bytes=200_000)


async def still_answers(room: Newsroom) -> None:
    result = await room.member.slash(room.news, "search", query="harbour ferry")
    assert "ferry" in embed_text(result.response).lower()


@pytest.mark.parametrize(("filename", "data", "refusal"), UPLOADS, ids=[u[0] for u in UPLOADS])
async def test_a_hostile_upload_is_added_or_refused_and_the_bot_keeps_answering(
    room: Newsroom, articles_dir: Path, filename: str, data: bytes, refusal: str | None
) -> None:
    before = folder_snapshot(articles_dir.parent)
    articles_before = dict(room.bot.service.articles)

    result = await room.admin("article add", file=(filename, data))

    assert result.ephemeral
    if refusal is None:
        assert result.response.embeds[0].title == f"Added {filename}"
        assert (articles_dir / filename).read_bytes() == data
    else:
        assert result.response.content.startswith(f"`{filename}` was not added: ")
        assert refusal in result.response.content
        assert folder_snapshot(articles_dir.parent) == before
        assert room.bot.service.articles == articles_before
        refusals(room.env)
    await still_answers(room)


async def test_an_upload_that_crashes_the_parser_is_refused_and_nothing_changes(
    room: Newsroom, articles_dir: Path
) -> None:
    room.bot.service.library.parser = crashing_parser
    before = folder_snapshot(articles_dir.parent)

    result = await room.admin("article add", file=("crash.txt", b"Title\n\nBody text."))

    assert result.ephemeral
    assert result.response.content == (
        "`crash.txt` was not added: the parser crashed on this file "
        "(its worker process ended with SIGSEGV)."
    )
    assert folder_snapshot(articles_dir.parent) == before
    refusals(room.env)
    await still_answers(room)
    ok = await room.admin("article add", file=("fine.txt", b"Fine Title\n\nFine body text."))
    assert ok.response.embeds[0].title == "Added fine.txt"
