"""Whatever goes into an embed, what the bot sends stays within Discord's limits."""

from __future__ import annotations

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ui.limits import fit_embed, fit_message
from bot.ui.text import highlight
from tests.support.discord_oracle import embed_problems, read_markdown

ANY_TEXT = st.text(max_size=5000) | st.sampled_from(["", "   ", "\u200b"])
SOME_FIELDS = st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=30)


def _embed(
    title: str, description: str, fields: list[tuple[str, str]], footer: str
) -> discord.Embed:
    embed = discord.Embed(title=title or None, description=description or None)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    if footer:
        embed.set_footer(text=footer)
    embed.set_author(name=title * 3 or "author")
    return embed


@settings(max_examples=40, deadline=None)
@given(ANY_TEXT, ANY_TEXT, SOME_FIELDS, ANY_TEXT)
def test_fit_embed_obeys_every_limit(
    title: str, description: str, fields: list[tuple[str, str]], footer: str
) -> None:
    embed = fit_embed(_embed(title, description, fields, footer))
    assert embed_problems([embed]) == []


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(ANY_TEXT, ANY_TEXT, SOME_FIELDS, ANY_TEXT), max_size=12), ANY_TEXT)
def test_fit_message_obeys_message_limits(
    parts: list[tuple[str, str, list[tuple[str, str]], str]], content: str
) -> None:
    text, embeds = fit_message(content, [_embed(*p) for p in parts])
    assert text is None or len(text) <= 2000
    assert embed_problems(embeds) == []


def test_fitting_keeps_bold_markers_balanced() -> None:
    passage = "word " * 2000
    description = highlight(passage, [(i, i + 4) for i in range(0, 10_000, 10)])
    embed = fit_embed(discord.Embed(description=description))
    assert embed_problems([embed]) == []
    plain, bold = read_markdown(embed.description or "")
    assert bold and plain.startswith("word word")


def test_total_budget_trims_description_before_dropping_fields() -> None:
    embed = discord.Embed(title="t", description="Sentence here. " * 300)
    for n in range(5):
        embed.add_field(name=f"field {n}", value="v" * 1000)
    fit_embed(embed)
    assert embed_problems([embed]) == []
    assert len(embed.fields) == 5
    assert (embed.description or "").endswith("…")
