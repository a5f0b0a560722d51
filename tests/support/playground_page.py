"""A small client for the playground page's HTTP API: what the page's JavaScript does, in Python.

It speaks SimCord Preview's protocol 3 as the bundled page does: open a page context, read
the published state, and post actions (slash commands, autocomplete, button clicks) with
the sequence, generation and revision the server expects. Tests use it to drive the
playground over 127.0.0.1 without a browser.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

ARTICLES = Path(__file__).with_name("playground_articles")
# The fixture articles are dated in the week before this; a fixed start keeps "the last
# N days" and schedules the same whenever the tests run.
START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


class PageError(AssertionError):
    """The page's server answered something a real page would not accept."""


class PlaygroundPage:
    """One browser-page context on a running playground, viewing as one person."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        base, _, capability = url.partition("/#")
        if not capability:
            raise ValueError(f"not a playground URL (no capability fragment): {url}")
        self.http = http
        self.base = base
        self.capability = capability
        self.sequence = 0
        self.snapshot: dict[str, Any] = {}

    # -- transport ------------------------------------------------------------------------

    def _headers(self, *, context: bool = True) -> dict[str, str]:
        headers = {"X-Simcord-Capability": self.capability}
        if context and self.snapshot:
            headers["X-Simcord-Context"] = self.snapshot["context"]["id"]
        return headers

    async def open(self, viewer_id: int | None = None) -> dict[str, Any]:
        """Open a page context (as the default viewer, or as ``viewer_id``)."""
        body = {} if viewer_id is None else {"viewer_id": str(viewer_id)}
        async with self.http.post(
            f"{self.base}/api/pages", json=body, headers=self._headers(context=False)
        ) as response:
            if response.status != 200:
                raise PageError(f"opening a page failed: HTTP {response.status}")
            self.snapshot = await response.json()
        return self.snapshot

    async def state(self) -> dict[str, Any]:
        """Read the latest published state, as the page's twice-a-second poll does."""
        async with self.http.get(f"{self.base}/api/state", headers=self._headers()) as response:
            if response.status != 200:
                raise PageError(f"reading state failed: HTTP {response.status}")
            self.snapshot = await response.json()
        return self.snapshot

    async def catalog(self) -> list[dict[str, Any]]:
        """The slash commands this viewer may use here."""
        async with self.http.get(f"{self.base}/api/commands", headers=self._headers()) as response:
            if response.status != 200:
                raise PageError(f"reading commands failed: HTTP {response.status}")
            return list((await response.json())["entries"])

    async def action(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Post one action and return its receipt; the state is re-read after all but "close"."""
        body = {
            "protocol_version": 3,
            "sequence": self.sequence + 1,
            "request_id": uuid.uuid4().hex,
            "generation": self.snapshot["context"]["generation"],
            "bot_generation": self.snapshot["botGeneration"],
            "published_revision": self.snapshot["publishedRevision"],
            "kind": kind,
            **fields,
        }
        async with self.http.post(
            f"{self.base}/api/action", json=body, headers=self._headers()
        ) as response:
            if response.status != 200:
                raise PageError(f"{kind} failed: HTTP {response.status} {await response.text()}")
            receipt: dict[str, Any] = await response.json()
        if isinstance(receipt.get("expectedSequence"), int):
            self.sequence = receipt["expectedSequence"]
        if kind != "close":
            await self.state()
        return receipt

    # -- what a person does ---------------------------------------------------------------

    async def command_entry(self, invocation: str) -> dict[str, Any]:
        """The catalog entry of ``/invocation`` (e.g. ``"search"`` or ``"admin reload"``)."""
        entries = await self.catalog()
        for entry in entries:
            if entry["invocation"] == invocation:
                return entry
        offered = ", ".join(sorted("/" + e["invocation"] for e in entries))
        raise PageError(f"/{invocation} is not offered to this viewer; offered: {offered}")

    async def run(self, invocation: str, **options: Any) -> dict[str, Any]:
        """Run a slash command with ``options`` as typed (strings, numbers, booleans)."""
        entry = await self.command_entry(invocation)
        for _attempt in range(3):
            receipt = await self.action(
                "run_command",
                command_id=entry["commandId"],
                path=entry["path"],
                schema_fingerprint=entry["schemaFingerprint"],
                options=options,
            )
            if not _is_stale(receipt):
                break
            # The page was republished between reading and acting (its clock runs fast
            # here): a person would look again and press enter again; nothing ran.
            await self.state()
        _require_settled(receipt, f"/{invocation}")
        return receipt

    async def suggest(
        self, invocation: str, option: str, typed: str, **filled: Any
    ) -> list[dict[str, Any]]:
        """The autocomplete suggestions for ``option`` after typing ``typed``."""
        entry = await self.command_entry(invocation)
        receipt = await self.action(
            "autocomplete_command",
            command_id=entry["commandId"],
            path=entry["path"],
            schema_fingerprint=entry["schemaFingerprint"],
            focused=option,
            value=typed,
            options=filled,
        )
        _require_settled(receipt, f"autocomplete of /{invocation} {option}")
        return list(receipt["result"]["choices"])

    async def click(self, message_id: str, label: str) -> dict[str, Any]:
        """Click the button labelled ``label`` on message ``message_id``."""
        message = self.snapshot["messages"][message_id]
        key = next((b["control_key"] for b in buttons(message) if b.get("label") == label), None)
        if key is None:
            labels = [b.get("label") for b in buttons(message)]
            raise PageError(f"no button {label!r} on message {message_id}; buttons: {labels}")
        receipt = await self.action("click", target_id=message_id, control_key=key)
        _require_settled(receipt, f"click on {label!r}")
        return receipt

    # -- reading ---------------------------------------------------------------------------

    def messages(self) -> list[dict[str, Any]]:
        """The messages this page shows, oldest first."""
        return [self.snapshot["messages"][i] for i in self.snapshot["timeline"]]

    def bot_messages(self) -> list[dict[str, Any]]:
        """The bot's messages this page shows, oldest first."""
        return [m for m in self.messages() if m["author"].get("bot")]

    def response_to(self, receipt: dict[str, Any]) -> dict[str, Any]:
        """The message an action produced (its response or first follow-up)."""
        for outcome in receipt.get("outcomes", []):
            if outcome.get("kind") in {"response", "followup", "deferred"} and outcome.get(
                "messageId"
            ):
                return self.snapshot["messages"][outcome["messageId"]]
        raise PageError(f"the action produced no message: {receipt.get('outcomes')}")


OpenPage = Callable[..., Awaitable[PlaygroundPage]]
"""The ``open_page`` fixture: ``await open_page("member" | "moderator")``."""


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button on a projected message, in reading order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == 2:
                found.append(node)
            for child in node.get("components", []) or []:
                walk(child)
            for name in ("accessory", "component"):
                walk(node.get(name))

    for row in message.get("components", []):
        walk(row)
    return found


def message_text(message: dict[str, Any]) -> str:
    """Everything a reader sees in a projected message: content, embed text, button labels."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        parts += [embed.get(k) or "" for k in ("title", "description")]
        parts += [(embed.get("author") or {}).get("name") or ""]
        parts += [(embed.get("footer") or {}).get("text") or ""]
        for field in embed.get("fields", []):
            parts += [field.get("name") or "", field.get("value") or ""]
    parts += [b.get("label") or "" for b in buttons(message)]
    return "\n".join(p for p in parts if p)


def _is_stale(receipt: dict[str, Any]) -> bool:
    codes = {d.get("code") for d in receipt.get("diagnostics") or []}
    return receipt.get("settlement") == "rejected" and codes == {"stale-revision"}


def _require_settled(receipt: dict[str, Any], what: str) -> None:
    if receipt.get("rejected") or receipt.get("settlement") != "settled":
        raise PageError(
            f"{what} was not completed: settlement={receipt.get('settlement')} "
            f"diagnostics={receipt.get('diagnostics')}"
        )
