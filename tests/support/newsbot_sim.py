"""Assertions about what the bot sent through SimCord, shared by the behaviour tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import simcord

from bot.app import NewsBot
from tests.support.discord_oracle import embed_problems, pings_or_pills

NO_MENTIONS = {"parse": []}
FIXTURES = Path(__file__).parent / "discord_articles"


@dataclass
class Server:
    """One guild with a #news channel and two members, as a test sees it."""

    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor

    @property
    def bot(self) -> NewsBot:
        return self.env.bot  # type: ignore[return-value]


def message_bodies(env: simcord.Env) -> list[dict[str, Any]]:
    """Every message body the bot sent or edited over REST (responses, followups, edits)."""
    bodies: list[dict[str, Any]] = []
    for request in env.http_requests:
        body = request.json
        if not isinstance(body, dict):
            continue
        if request.path.endswith("/callback"):
            if body.get("type") in (4, 7):  # message, or an update of the clicked message
                bodies.append(body.get("data") or {})
        elif request.method in ("POST", "PATCH") and (
            "/webhooks/" in request.path or "/messages" in request.path
        ):
            bodies.append(body)
    return bodies


def callback_types(env: simcord.Env) -> list[int]:
    """The interaction callback types the bot used, in order (5: deferred, 4: message…)."""
    return [
        r.json["type"]
        for r in env.http_requests
        if r.path.endswith("/callback") and isinstance(r.json, dict)
    ]


def assert_never_pings(env: simcord.Env) -> None:
    """Every message went out with no allowed mentions, and shows no mention pills."""
    bodies = [b for b in message_bodies(env) if "content" in b or "embeds" in b]
    assert bodies, "the bot sent nothing"
    for body in bodies:
        assert body.get("allowed_mentions") == NO_MENTIONS, body
        texts = [body.get("content") or ""]
        for embed in body.get("embeds") or []:
            texts += [embed.get("title") or "", embed.get("description") or ""]
            texts += [f.get("name", "") + f.get("value", "") for f in embed.get("fields") or []]
        for text in texts:
            assert not pings_or_pills(text), text
        assert embed_problems(body.get("embeds") or []) == []


def assert_no_pings_in(message: discord.Message) -> None:
    """Discord resolved no mention in ``message``: nobody would be notified."""
    assert message.mentions == []
    assert message.role_mentions == []
    assert not message.mention_everyone


def refusals(env: simcord.Env) -> list[str]:
    """Messages of the errors the bot handled (and so acknowledged) since the last call."""
    errors = env.errors  # reading acknowledges them, so teardown does not re-raise them
    return [str(getattr(e, "original", e)) for e in errors]


def private_answer(server: Server, result: simcord.InteractionResult) -> simcord.ResponseMessage:
    """The one answer only the member sees, after the bot had deferred publicly.

    The public "thinking…" message is gone and nobody else sees anything in the channel.
    """
    assert result.response is None, result.response
    assert [f.ephemeral for f in result.followups] == [True], result.followups
    assert server.channel.history(viewer=server.bob) == []
    return result.followups[0]


def embed_of(result: simcord.InteractionResult) -> discord.Embed:
    """The one embed of an interaction's response."""
    assert result.response is not None, result
    embeds = result.response.embeds
    assert len(embeds) == 1, embeds
    return embeds[0]


def text_of(embed: discord.Embed) -> str:
    """All the text of an embed, for "does the member see X" checks."""
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    parts += [f"{field.name}\n{field.value}" for field in embed.fields]
    return "\n".join(parts)


def buttons(message: simcord.ResponseMessage) -> dict[str, bool]:
    """The buttons on a message: label → enabled."""
    found: dict[str, bool] = {}
    for row in message.components:
        for child in row.get("components", []):
            if child.get("type") == 2:
                found[child.get("label") or ""] = not child.get("disabled", False)
    return found
