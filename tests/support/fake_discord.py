"""A small fake Discord on 127.0.0.1: the REST routes and gateway events newsbot uses.

Enough of Discord's API v10 for discord.py 2.7 to log in, connect to the gateway, sync
application commands and answer interactions. Every request and gateway message is
recorded so tests can assert on what the bot sent; ``wait_for`` waits (with a deadline,
never a fixed sleep) until a condition over the records holds.

Shards: each gateway connection is the shard its IDENTIFY names (``[shard_id, count]``,
``[0, 1]`` when unsharded) and gets READY and GUILD_CREATE for the guilds on that shard
(``(guild_id >> 22) % count``) of ``guild_ids``, each with one text channel (id: guild id
+ 1). Channel messages are kept per channel (``messages``) and read back by
``GET /channels/{id}/messages``; a repeated nonce within five minutes gets the first message
back, as Discord's ``enforce_nonce`` does. ``hold_posts`` holds a channel's message POSTs
after creating the message (Discord accepted it; the bot never hears back), to kill a bot
mid-post. A bot started with the API base ``via_url(name)`` has its requests recorded with
``origin=name``, to tell processes apart.

REST answers carry ``Content-Type: application/json`` exactly, as discord.py only decodes
JSON under that exact header. Gateway frames are uncompressed text: discord.py asks for
``compress=zlib-stream`` in the URL but decodes text frames as they are.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

APPLICATION_ID = 900000000000000001
BOT_USER_ID = APPLICATION_ID
GUILD_ID = 900000000000000010
CHANNEL_ID = 900000000000000011
FORUM_ID = 900000000000000012  # a forum channel, "headlines"
ALERTS_ID = 900000000000000013  # a second text channel, "alerts"
MEMBER_ID = 900000000000000020
OWNER_ID = 900000000000000021
TIMESTAMP = "2025-01-01T00:00:00.000000+00:00"
DISCORD_EPOCH_MS = 1_420_070_400_000
NONCE_WINDOW_S = 300.0


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: the shard that gets a guild's events."""
    return (guild_id >> 22) % shard_count


def channel_of(guild_id: int) -> int:
    """The one text channel of a fake guild."""
    return guild_id + 1


_JSON = {"Content-Type": "application/json"}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=json.dumps(data).encode(), headers=_JSON)


def _error(status: int, message: str, code: int = 0) -> web.Response:
    return _json({"message": message, "code": code}, status)


def _user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": None,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


@dataclass
class Request:
    """One REST request the bot made."""

    method: str
    path: str  # without the API prefix, e.g. /users/@me
    query: dict[str, str]
    body: Any
    authorization: str | None
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)
    origin: str | None = None  # the ``via_url`` name the bot was given, if any


@dataclass
class FakeDiscord:
    """The fake server. ``await start()``, point the bot at ``api_url``/``gateway_url``."""

    reject_token: bool = False  # answer 401 to GET /users/@me, as Discord does a bad token
    requests: list[Request] = field(default_factory=list)
    gateway_received: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[int | None, list[dict[str, Any]]] = field(default_factory=dict)
    ready_sent: bool = False
    connections: int = 0  # gateway websockets opened on the configured gateway
    advertised_attempts: int = 0  # ... and on the URL /gateway/bot and READY hand out
    guild_ids: tuple[int, ...] = (GUILD_ID,)
    # Messages the bot posted, by channel (threads are channels too), oldest first: the
    # JSON Discord would return.
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    threads: dict[int, dict[str, Any]] = field(default_factory=dict)  # by thread id
    hold_posts: set[int] = field(default_factory=set)  # channel ids whose POSTs hang

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(910000000000000000)
        self._runner: web.AppRunner | None = None
        self._shards: dict[web.WebSocketResponse, tuple[int, int]] = {}
        self._nonces: dict[tuple[int, str], tuple[float, dict[str, Any]]] = {}
        self._release = asyncio.Event()  # lets held POSTs go (to a bot long gone)
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/advertised-gateway", self._advertised_gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        app.router.add_route("*", "/via/{origin}/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Close every gateway connection and stop listening."""
        self._release.set()
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    def via_url(self, origin: str) -> str:
        """An API base whose requests are recorded with ``origin`` (one per process)."""
        return f"http://127.0.0.1:{self.port}/via/{origin}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def advertised_gateway_url(self) -> str:
        """What Discord would hand out: a bot behind a gateway proxy must not use it."""
        return f"ws://127.0.0.1:{self.port}/advertised-gateway"

    # -- waiting ---------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def poke(self) -> None:
        """Re-check what ``wait_for`` waits on (something outside the fake changed)."""
        await self._notify()

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Wait until ``condition()`` is truthy (re-checked on every record); return it."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                return await self._changed.wait_for(condition)

    def find(self, method: str, path_prefix: str) -> list[Request]:
        """The recorded requests with ``method`` whose path starts with ``path_prefix``."""
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    @property
    def identify(self) -> dict[str, Any] | None:
        """The IDENTIFY payload's data, once the bot has sent it."""
        return next((m["d"] for m in self.gateway_received if m.get("op") == 2), None)

    @property
    def identifies(self) -> list[dict[str, Any]]:
        """Every IDENTIFY payload's data, in order (one per shard session)."""
        return [m["d"] for m in self.gateway_received if m.get("op") == 2]

    @property
    def live_shards(self) -> list[tuple[int, int]]:
        """The (shard id, shard count) of every open gateway connection that identified."""
        return sorted(self._shards.values())

    def posts_to(self, channel_id: int) -> list[Request]:
        """The message POSTs the bot made to ``channel_id`` (sends, retries, held ones)."""
        return self.find("POST", f"/channels/{channel_id}/messages")

    @property
    def live_connections(self) -> int:
        """How many gateway websockets are open right now."""
        return len(self._sockets)

    @property
    def has_connections(self) -> bool:
        """Whether a bot is connected to the gateway right now."""
        return bool(self._sockets)

    # -- gateway ---------------------------------------------------------------------

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: int | None = None
    ) -> None:
        """Send a DISPATCH event to every connected bot (only to the shard of
        ``guild_id`` when given)."""
        frame = {"op": 0, "t": event, "s": next(self._seq), "d": data}
        for ws in list(self._sockets):
            if guild_id is not None:
                shard = self._shards.get(ws, (0, 1))
                if shard_of(guild_id, shard[1]) != shard[0]:
                    continue
            if not ws.closed:  # a socket the bot is leaving (reconnect) gets nothing more
                await ws.send_str(json.dumps(frame))

    async def dispatch_burst(self, event: str, payloads: list[dict[str, Any]]) -> list[float]:
        """Send many DISPATCH events back to back; return when each was written (monotonic)."""
        sent: list[float] = []
        sockets = [ws for ws in self._sockets if not ws.closed]
        for data in payloads:
            frame = json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data})
            sent.append(time.monotonic())
            for ws in sockets:
                await ws.send_str(frame)
        return sent

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def reconnect(self) -> None:
        """Ask every connected bot to reconnect and resume (opcode 7), as Discord does."""
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"op": 7, "d": None}))

    async def _advertised_gateway(self, request: web.Request) -> web.Response:
        self.advertised_attempts += 1
        await self._notify()
        return _error(404, "this is the advertised gateway, not the configured one")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        self.connections += 1
        try:
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                self.gateway_received.append(payload)
                await self._on_gateway(ws, payload)
                await self._notify()
        finally:
            self._sockets.remove(ws)
            self._shards.pop(ws, None)
            await self._notify()
        return ws

    async def _on_gateway(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        if op == 1:  # heartbeat
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:  # identify
            shard_id, count = (payload.get("d") or {}).get("shard") or (0, 1)
            self._shards[ws] = (int(shard_id), int(count))
            mine = [g for g in self.guild_ids if shard_of(g, int(count)) == int(shard_id)]
            await self._send(ws, "READY", self._ready(mine, [int(shard_id), int(count)]))
            for guild_id in mine:
                await self._send(ws, "GUILD_CREATE", self._guild(guild_id))
            self.ready_sent = True
        elif op == 6:  # resume
            await self.dispatch("RESUMED", {})
        elif op == 8:  # request guild members: an empty, final chunk
            data = payload["d"]
            chunk = {"guild_id": data["guild_id"], "members": [], "chunk_index": 0}
            chunk |= {"chunk_count": 1, "nonce": data.get("nonce")}
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    def _ready(self, guild_ids: list[int], shard: list[int]) -> dict[str, Any]:
        return {
            "v": 10,
            "user": _user(BOT_USER_ID, "newsbot", bot=True) | {"verified": True},
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": "fake-session",
            "resume_gateway_url": self.advertised_gateway_url,
            "shard": shard,
            "application": {"id": str(APPLICATION_ID), "flags": 0},
        }

    def _guild(self, guild_id: int = GUILD_ID) -> dict[str, Any]:
        return {
            "id": str(guild_id),
            "name": "Fake Newsroom",
            "icon": None,
            "owner_id": str(OWNER_ID),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "large": False,
            "member_count": 3,
            "joined_at": TIMESTAMP,
            "roles": [
                {
                    "id": str(guild_id),
                    "name": "@everyone",
                    "permissions": "2248473465835073",
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [
                self._channel(channel_of(guild_id), guild_id=guild_id),
                self._channel(FORUM_ID, "headlines", 15),
                self._channel(ALERTS_ID, "alerts", 0),
            ],
            "members": [
                {
                    "user": _user(BOT_USER_ID, "newsbot", bot=True),
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            # Active threads, as Discord lists them when a bot (re)connects.
            "threads": list(self.threads.values()),
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        }

    def _channel(
        self,
        channel_id: int = CHANNEL_ID,
        name: str = "news",
        kind: int = 0,
        *,
        guild_id: int = GUILD_ID,
    ) -> dict[str, Any]:
        extra: dict[str, Any] = {"available_tags": [], "flags": 0} if kind == 15 else {}
        return extra | {
            "id": str(channel_id),
            "type": kind,
            "guild_id": str(guild_id),
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
        }

    # -- interactions ----------------------------------------------------------------

    def _command(self, name: str) -> tuple[int | None, dict[str, Any]]:
        for scope in (GUILD_ID, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return scope, command
        raise KeyError(f"no synced command named {name!r}; synced: {self.commands}")

    async def interact(
        self,
        command: str,
        options: list[dict[str, Any]],
        *,
        autocomplete: bool = False,
        user_id: int = MEMBER_ID,
    ) -> str:
        """Dispatch a member's slash command (or autocomplete) and return its token."""
        token, payload = self.interaction(
            command, options, autocomplete=autocomplete, user_id=user_id
        )
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=GUILD_ID)
        return token

    def interaction(
        self,
        command: str,
        options: list[dict[str, Any]],
        *,
        autocomplete: bool = False,
        user_id: int = MEMBER_ID,
    ) -> tuple[str, dict[str, Any]]:
        """A member's INTERACTION_CREATE payload (not sent) and its token."""
        scope, synced = self._command(command)
        interaction_id = next(self._ids)
        token = f"interaction-token-{interaction_id}"
        data: dict[str, Any] = {
            "id": synced["id"],
            "name": command,
            "type": 1,
            "options": options,
        }
        if scope is not None:
            data["guild_id"] = str(scope)
        member = {
            "user": _user(user_id, "reader" if user_id == MEMBER_ID else f"reader{user_id}"),
            "roles": [],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": "2248473465835073",
        }
        return token, {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": 4 if autocomplete else 2,
            "data": data,
            "guild_id": str(GUILD_ID),
            "channel_id": str(CHANNEL_ID),
            "channel": self._channel(),
            "member": member,
            "token": token,
            "version": 1,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }

    def callbacks(self, token: str) -> list[dict[str, Any]]:
        """The interaction callbacks (``{"type": ..., "data": ...}``) sent for ``token``."""
        return [r.body for r in self.find("POST", "/interactions/") if f"/{token}/" in r.path]

    def followups(self, token: str) -> list[dict[str, Any]]:
        """Messages sent or edited through the interaction's webhook, in order."""
        prefix = f"/webhooks/{APPLICATION_ID}/{token}"
        return [
            r.body
            for r in self.requests
            if r.path.startswith(prefix) and r.method in {"POST", "PATCH"}
        ]

    # -- REST ------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body = await self._body(request)
        self.requests.append(
            Request(
                request.method,
                path,
                dict(request.query),
                body,
                request.headers.get("Authorization"),
                origin=request.match_info.get("origin"),
            )
        )
        parts = path.split("/")
        if (
            len(parts) == 4
            and parts[1] == "channels"
            and parts[3] == "messages"
            and int(parts[2]) in {channel_of(g) for g in self.guild_ids}
        ):  # a guild's own text channel: posts may be held, nonces de-duplicated
            return await self._channel_messages(request.method, int(parts[2]), body, request)
        try:
            if path.startswith("/channels/"):
                return self._channels(request.method, path, dict(request.query), body)
            return self._answer(request.method, path, body)
        finally:
            await self._notify()

    async def _channel_messages(
        self, method: str, channel_id: int, body: Any, request: web.Request
    ) -> web.Response:
        guild_id = next((g for g in self.guild_ids if channel_of(g) == channel_id), None)
        if guild_id is None:
            await self._notify()
            return _error(404, "Unknown Channel", 10003)
        kept = self.messages.setdefault(channel_id, [])
        if method == "GET":
            after = int(request.query.get("after") or 0)
            limit = int(request.query.get("limit") or 50)
            newest_first = [m for m in reversed(kept) if int(m["id"]) > after][:limit]
            await self._notify()
            return _json(newest_first)
        if method != "POST":
            await self._notify()
            return _error(405, "Method Not Allowed")
        data = body if isinstance(body, dict) else {}
        nonce = data.get("nonce")
        now = time.monotonic()
        earlier = self._nonces.get((channel_id, str(nonce))) if nonce else None
        if earlier is not None and now - earlier[0] <= NONCE_WINDOW_S:
            message = earlier[1]
        else:
            message = self._message(data, channel_id=channel_id, guild_id=guild_id)
            kept.append(message)
            if nonce:
                self._nonces[(channel_id, str(nonce))] = (now, message)
        await self._notify()
        if channel_id in self.hold_posts:
            await self._release.wait()  # the bot is killed meanwhile and never hears back
        return _json(message)

    @staticmethod
    async def _body(request: web.Request) -> Any:
        """The JSON body, or a multipart upload's ``payload_json`` part (files are ignored)."""
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if getattr(part, "name", None) == "payload_json":
                    return json.loads(await part.text())  # type: ignore[union-attr]
            return None
        raw = await request.read()
        return json.loads(raw) if raw and request.content_type == "application/json" else None

    def _answer(self, method: str, path: str, body: Any) -> web.Response:
        app = f"/applications/{APPLICATION_ID}"
        if method == "GET" and path == "/users/@me":
            if self.reject_token:
                return _error(401, "401: Unauthorized")
            return _json(_user(BOT_USER_ID, "newsbot", bot=True) | {"verified": True})
        if method == "GET" and path == "/oauth2/applications/@me":
            return _json(self._application())
        if method == "GET" and path == "/gateway/bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            url = self.advertised_gateway_url
            return _json({"url": url, "shards": 1, "session_start_limit": limit})
        if path in (f"{app}/commands", f"{app}/guilds/{GUILD_ID}/commands"):
            scope = None if path.endswith(f"{app}/commands") else GUILD_ID
            if method == "PUT":
                self.commands[scope] = [self._registered(c, scope) for c in body or []]
            return _json(self.commands.get(scope, []))
        if method == "POST" and path.startswith("/interactions/") and path.endswith("/callback"):
            interaction_id = path.split("/")[2]
            return _json(self._callback_response(interaction_id, body))
        if path.startswith(f"/webhooks/{APPLICATION_ID}/") and method in {"POST", "PATCH", "GET"}:
            return _json(self._message(body if isinstance(body, dict) else {}))
        return _error(404, f"fake Discord does not implement {method} {path}", 0)

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APPLICATION_ID),
            "name": "newsbot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": _user(OWNER_ID, "owner"),
            "flags": 0,
            "team": None,
        }

    def _registered(self, command: dict[str, Any], scope: int | None) -> dict[str, Any]:
        registered = {
            "id": str(next(self._ids)),
            "application_id": str(APPLICATION_ID),
            "version": "1",
            "type": 1,
            "default_member_permissions": None,
            "nsfw": False,
            "options": [],
        }
        registered |= command
        if scope is not None:
            registered["guild_id"] = str(scope)
        return registered

    def _message(
        self, data: dict[str, Any], *, channel_id: int | None = None, guild_id: int = GUILD_ID
    ) -> dict[str, Any]:
        if channel_id is None:
            message_id, kind = next(self._ids), 20  # an interaction's message
        else:  # a channel message: a real snowflake, so history ``after=`` works
            stamp = int(time.time() * 1000) - DISCORD_EPOCH_MS
            message_id, kind = (stamp << 22) | (next(self._ids) & 0x3FFFFF), 0
        return {
            "id": str(message_id),
            "type": kind,
            "channel_id": str(channel_id or CHANNEL_ID),
            "guild_id": str(guild_id),
            "author": _user(BOT_USER_ID, "newsbot", bot=True),
            "content": data.get("content") or "",
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "flags": data.get("flags") or 0,
            "application_id": str(APPLICATION_ID),
            "webhook_id": str(APPLICATION_ID),
        }

    def _callback_response(self, interaction_id: str, body: Any) -> dict[str, Any]:
        kind = body.get("type") if isinstance(body, dict) else None
        data = body.get("data") if isinstance(body, dict) else None
        resource: dict[str, Any] = {"type": kind}
        if kind == 4 and isinstance(data, dict):
            resource["message"] = self._message(data)
        flags = (data.get("flags") or 0) if isinstance(data, dict) else 0
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": resource,
        }

    # -- channels, messages, threads (what alerts use) ---------------------------------

    def posted(self, channel_id: int) -> list[dict[str, Any]]:
        """The messages the bot posted in a channel (or thread), oldest first."""
        return list(self.messages.get(channel_id, []))

    def threads_of(self, channel_id: int) -> list[dict[str, Any]]:
        """Threads opened in (or posted to, for a forum) ``channel_id``, oldest first."""
        return [t for t in self.threads.values() if t["parent_id"] == str(channel_id)]

    def _snowflake(self) -> int:
        # Real snowflakes carry their time: discord.py reads history "after" a moment.
        millis = int(time.time() * 1000) - 1420070400000
        return (millis << 22) | (next(self._ids) & 0x3FFFFF)

    def _channels(self, method: str, path: str, query: dict[str, str], body: Any) -> web.Response:
        parts = path.strip("/").split("/")[1:]
        channel_id = int(parts[0])
        rest = parts[1:]
        if method == "POST" and rest == ["messages"]:
            return _json(self._post(channel_id, body if isinstance(body, dict) else {}))
        if method == "GET" and rest == ["messages"]:
            return _json(self._history(channel_id, query))
        if method == "GET" and len(rest) == 2 and rest[0] == "messages":
            for message in self.messages.get(channel_id, []):
                if message["id"] == rest[1]:
                    return _json(message)
            return _error(404, "Unknown Message", 10008)
        if method == "POST" and len(rest) == 3 and rest[0] == "messages" and rest[2] == "threads":
            thread = self._thread(int(rest[1]), channel_id, (body or {}).get("name", ""))
            return _json(thread)
        if method == "POST" and rest == ["threads"]:
            thread = self._thread(self._snowflake(), channel_id, (body or {}).get("name", ""))
            starter = self._post(int(thread["id"]), (body or {}).get("message") or {})
            starter["id"] = thread["id"]  # a forum post's starter message shares its id
            return _json(thread | {"message": starter})
        if method == "GET" and rest[:2] == ["threads", "archived"]:
            return _json({"threads": [], "members": [], "has_more": False})
        return _error(404, f"fake Discord does not implement {method} {path}", 0)

    def _post(self, channel_id: int, data: dict[str, Any]) -> dict[str, Any]:
        nonce = data.get("nonce")
        history = self.messages.setdefault(channel_id, [])
        if nonce is not None and data.get("enforce_nonce"):
            for earlier in history:
                if earlier.get("nonce") == nonce:
                    return earlier  # Discord's de-duplication of a repeated send
        message = self._message(data) | {
            "id": str(self._snowflake()),
            "type": 0,
            "channel_id": str(channel_id),
            "nonce": nonce,
        }
        message.pop("webhook_id", None)
        message.pop("application_id", None)
        history.append(message)
        return message

    def _history(self, channel_id: int, query: dict[str, str]) -> list[dict[str, Any]]:
        limit = int(query.get("limit", "50"))
        found = self.messages.get(channel_id, [])
        if "after" in query:
            after = int(query["after"])
            found = [m for m in found if int(m["id"]) > after][:limit]
        elif "before" in query:
            before = int(query["before"])
            found = [m for m in found if int(m["id"]) < before][-limit:]
        else:
            found = found[-limit:]
        return list(reversed(found))  # newest first, as Discord answers

    def _thread(self, thread_id: int, parent_id: int, name: str) -> dict[str, Any]:
        thread = {
            "id": str(thread_id),
            "type": 11,
            "guild_id": str(GUILD_ID),
            "parent_id": str(parent_id),
            "name": name,
            "owner_id": str(BOT_USER_ID),
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": TIMESTAMP,
                "locked": False,
            },
        }
        self.threads[thread_id] = thread
        return thread
