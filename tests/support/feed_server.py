"""A feed server on 127.0.0.1 for the feed tests: an aiohttp app in a thread of its own, so
both async tests and the (synchronous) CLI can fetch from it. Tests set what each path
answers; the server records every request it saw."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """Set ``server.routes[path] = handler`` or use ``serve(path, body, …)``."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None
    _release: asyncio.Event | None = None

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
    ) -> None:
        """Answer ``path`` with ``body``; with ``etag``, a matching If-None-Match gets 304."""
        data = body.encode() if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.StreamResponse:
            if etag is not None and request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            extra = dict(headers or {})
            if etag is not None:
                extra["ETag"] = etag
            return web.Response(
                body=data,
                status=status,
                content_type=None,
                headers={"Content-Type": content_type, **extra},
            )

        self.routes[path] = handler

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # -- life cycle ----------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Seen(request.path, dict(request.headers)))
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._dispatch)
            runner = web.AppRunner(app, handle_signals=False)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self._runner = runner
            self.port = runner.addresses[0][1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="feed-server", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None:
            if self._release is not None:
                self._loop.call_soon_threadsafe(self._release.set)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def wait_released(self) -> None:
        """For handlers that must hang (a timeout test): returns when the server stops."""
        if self._release is None:
            self._release = asyncio.Event()
        await self._release.wait()


def hanging(server: FeedServer) -> Handler:
    """A handler that never answers (until the server stops)."""

    async def handler(_request: web.Request) -> web.StreamResponse:
        await server.wait_released()
        return web.Response(text="too late")

    return handler


def redirect(to: str, status: int = 302) -> Handler:
    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": to})

    return handler


def streamed(
    size: int, *, chunk: int = 1 << 20, content_type: str = "application/rss+xml"
) -> Handler:
    """A body of ``size`` bytes sent in chunks without a Content-Length."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})
        response.enable_chunked_encoding()
        await response.prepare(request)
        sent = 0
        block = b"<" + b"x" * (chunk - 1)
        try:
            while sent < size:
                await response.write(block)
                sent += len(block)
        except (ConnectionResetError, RuntimeError):
            return response  # the client stopped reading at its cap
        await response.write_eof()
        return response

    return handler


__all__: Any = ["FeedServer", "hanging", "redirect", "streamed"]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A feed server on 127.0.0.1 for one test (conftests import this fixture)."""
    server = FeedServer()
    server.start()
    yield server
    server.stop()
