"""Fetching feeds over HTTP(S) with aiohttp, safely: a moderator gives the address, so the
bot must not be made to fetch internal services or swallow an endless response.

- ``http``/``https`` only; redirects followed by hand up to ``max_redirects``, each hop
  checked like the first.
- Addresses: every address a host name resolves to, and every literal IP address, must be
  public unless ``allow_private`` (the ``FEEDS_ALLOW_PRIVATE`` setting). The check is in
  the connector's resolver, so it judges the very addresses the connection is made to (no
  gap between checking and connecting for a DNS answer to change in).
- Size: ``max_bytes`` caps what is read off the wire *and* what decompression yields, so
  a small gzip that expands to gigabytes stops at the cap. Content-Length over the cap is
  refused before reading.
- Conditional GET (``If-None-Match``/``If-Modified-Since``): a 304 is "unchanged".
- One timeout covers the whole fetch, redirects included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import zlib
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from bot.corpus.loaders import format_size
from bot.feeds.errors import AddressRefused, FetchError

USER_AGENT = "newsbot-feeds/0.1 (+https://github.com/; a Discord news bot)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "application/json;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
CHUNK = 64 * 1024
MAX_URL_CHARS = 2000
PRIVATE_HINT = "FEEDS_ALLOW_PRIVATE=true allows them, for tests and intranets"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for every fetch."""

    allow_private: bool = False
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5


@dataclass(frozen=True)
class FetchResponse:
    """A fetched body (status 200) or "not modified" (status 304, empty body)."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True for a 304: nothing changed since the validators were issued."""
        return self.status == 304


def check_url(url: str) -> URL:
    """The parsed ``url`` when it is an absolute http(s) address, else ``AddressRefused``."""
    text = url.strip()
    if len(text) > MAX_URL_CHARS:
        raise AddressRefused(f"the address is over {MAX_URL_CHARS} characters long")
    try:
        parsed = URL(text)
    except (ValueError, TypeError):
        raise AddressRefused("that is not a web address") from None
    if parsed.scheme not in ("http", "https"):
        shown = parsed.scheme or "none"
        raise AddressRefused(f"only http and https addresses can be fetched (scheme: {shown})")
    if not parsed.host:
        raise AddressRefused("the address has no host name")
    return parsed


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP) is a public, routable one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


class _Refused(OSError):
    """Raised inside the resolver; aiohttp wraps OSErrors from it, and we unwrap it."""


class _GuardedResolver(AbstractResolver):
    """Resolves like the default and refuses non-public answers (unless allowed)."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = ThreadedResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private:
            for result in results:
                if not is_public(result["host"]):
                    raise _Refused(
                        f"{host} resolves to {result['host']}, a private, loopback or "
                        f"link-local address, so it was refused; {PRIVATE_HINT}"
                    )
        return results

    async def close(self) -> None:
        await self._inner.close()


class Fetcher:
    """One HTTP client for many fetches; ``async with Fetcher(policy) as fetcher``."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=_GuardedResolver(self.policy.allow_private), limit=20, limit_per_host=4
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,  # decompressed here, under the size cap
                trust_env=False,  # no proxy from the environment: the address check is ours
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        """Close the connections (safe to call twice)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = ACCEPT,
    ) -> FetchResponse:
        """Fetch ``url``; raises ``FetchError`` (or ``AddressRefused``) saying why not."""
        policy = self.policy
        try:
            async with asyncio.timeout(policy.timeout):
                return await self._follow(url, etag, last_modified, accept)
        except TimeoutError:
            raise FetchError(f"timed out after {policy.timeout:g} seconds") from None

    async def _follow(
        self, url: str, etag: str | None, last_modified: str | None, accept: str
    ) -> FetchResponse:
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = check_url(url)
        seen: set[str] = set()
        for _hop in range(self.policy.max_redirects + 1):
            self._check_literal(current)
            seen.add(str(current))
            try:
                async with self._client().get(
                    current, headers=headers, allow_redirects=False
                ) as response:
                    if response.status in (301, 302, 303, 307, 308):
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError(f"HTTP {response.status} redirect without a Location")
                        try:
                            current = check_url(str(current.join(URL(location))))
                        except AddressRefused as error:
                            raise AddressRefused(
                                f"redirected to a refused address: {error}"
                            ) from None
                        if str(current) in seen:
                            raise FetchError(f"redirect loop (back to {_short(str(current))})")
                        continue
                    return await self._read(current, response)
            except aiohttp.ClientConnectorError as error:
                raise _connect_error(current, error) from None
            except aiohttp.ClientResponseError as error:
                raise FetchError(f"bad HTTP response: {error.message}") from None
            except aiohttp.ClientError as error:
                raise FetchError(f"network error: {type(error).__name__} {error}".strip()) from None
        raise FetchError(f"too many redirects (more than {self.policy.max_redirects})")

    def _check_literal(self, url: URL) -> None:
        # aiohttp connects to a literal IP without asking the resolver, so check it here.
        host = url.host or ""
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return
        if not self.policy.allow_private and not is_public(host):
            raise AddressRefused(
                f"{host} is a private, loopback or link-local address, so it was refused; "
                + PRIVATE_HINT
            )

    async def _read(self, url: URL, response: aiohttp.ClientResponse) -> FetchResponse:
        status = response.status
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if status == 304:
            return FetchResponse(str(url), 304, b"", None, etag, last_modified)
        if not 200 <= status < 300:
            reason = f" {response.reason}" if response.reason else ""
            raise FetchError(f"HTTP {status}{reason}")
        limit = self.policy.max_bytes
        length = response.content_length
        if length is not None and length > limit:
            raise FetchError(
                f"the response is {format_size(length)}, over the {format_size(limit)} limit"
            )
        body = await _read_capped(response, limit)
        return FetchResponse(
            str(url), status, body, response.headers.get("Content-Type"), etag, last_modified
        )


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate", ""):
        raise FetchError(f"unsupported Content-Encoding {encoding!r}")
    # 47: zlib or gzip header, detected.
    inflater = None if encoding in ("identity", "") else zlib.decompressobj(wbits=47)
    parts: list[bytes] = []
    size = 0
    over = f"the response is over the {format_size(limit)} limit"
    try:
        async for chunk in response.content.iter_chunked(CHUNK):
            if inflater is None:
                size += len(chunk)
                if size > limit:
                    raise FetchError(over)
                parts.append(chunk)
                continue
            data = chunk
            while data:
                out = inflater.decompress(data, limit - size + 1)
                size += len(out)
                if size > limit:
                    raise FetchError(over + " once decompressed")
                parts.append(out)
                data = inflater.unconsumed_tail
        if inflater is not None:
            tail = inflater.flush()
            size += len(tail)
            if size > limit:
                raise FetchError(over + " once decompressed")
            parts.append(tail)
    except zlib.error as error:
        raise FetchError(f"the compressed response is corrupt ({error})") from None
    return b"".join(parts)


def _connect_error(url: URL, error: aiohttp.ClientConnectorError) -> FetchError:
    cause: Any = error.os_error
    if isinstance(cause, _Refused):
        return AddressRefused(str(cause))
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return FetchError(f"could not find the host {url.host} (DNS)")
    why = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    return FetchError(f"could not connect to {url.host}: {why}")


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
