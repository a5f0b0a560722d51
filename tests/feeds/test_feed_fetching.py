"""Fetching over HTTP from a server on 127.0.0.1: the address guard, size caps (on the wire
and once decompressed), redirects, timeouts, conditional GET and HTTP errors."""

from __future__ import annotations

import gzip
import re

import pytest

from bot.feeds.errors import AddressRefused, FetchError
from bot.feeds.fetch import Fetcher, FetchPolicy, is_public
from tests.support.feed_samples import SAMPLE_RSS
from tests.support.feed_server import FeedServer, hanging, redirect, streamed

MB = 1_000_000


async def test_a_feed_on_a_loopback_address_is_refused_without_the_setting(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/rss.xml", SAMPLE_RSS)
    async with Fetcher(FetchPolicy(allow_private=False)) as fetcher:
        for host in ("127.0.0.1", "localhost"):  # a literal address, and a name resolving to it
            with pytest.raises(AddressRefused) as error:
                await fetcher.get(feed_server.url("/rss.xml", host=host))
            assert "private, loopback or link-local" in str(error.value)
            assert "FEEDS_ALLOW_PRIVATE=true" in str(error.value)
    assert feed_server.hits("/rss.xml") == 0  # refused before any request was sent

    async with Fetcher(FetchPolicy(allow_private=True)) as fetcher:
        response = await fetcher.get(feed_server.url("/rss.xml", host="localhost"))
    assert response.status == 200 and response.body == SAMPLE_RSS.encode()


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "192.168.1.20",
        "172.16.0.5",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "100.64.0.1",
        "0.0.0.0",
    ],
)
def test_private_and_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


def test_public_addresses_are_public() -> None:
    assert is_public("93.184.216.34") and is_public("2606:4700::1111")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://feeds.example/rss", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("feeds.example/rss", "only http and https"),
        ("http://", "no host"),
        ("https://" + "a" * 2100 + ".example/", "over 2000 characters"),
    ],
)
async def test_addresses_that_are_not_web_addresses_are_refused(url: str, reason: str) -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(AddressRefused) as error:
            await fetcher.get(url)
    assert reason in str(error.value)


async def test_a_redirect_loop_and_a_long_chain_stop_with_a_reason(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.routes["/loop-a"] = redirect("/loop-b")
    feed_server.routes["/loop-b"] = redirect("/loop-a")
    with pytest.raises(FetchError, match="redirect loop"):
        await fetcher.get(feed_server.url("/loop-a"))

    for hop in range(10):
        feed_server.routes[f"/hop{hop}"] = redirect(f"/hop{hop + 1}", status=301)
    with pytest.raises(FetchError, match="too many redirects"):
        await fetcher.get(feed_server.url("/hop0"))

    feed_server.routes["/moved"] = redirect("/hop8", status=308)
    feed_server.serve("/hop10", SAMPLE_RSS)
    response = await fetcher.get(feed_server.url("/moved"))  # three hops: fine
    assert response.url == feed_server.url("/hop10") and response.body == SAMPLE_RSS.encode()


async def test_a_redirect_to_another_scheme_is_refused(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.routes["/rss"] = redirect("file:///etc/passwd")
    with pytest.raises(AddressRefused, match="redirected to a refused address"):
        await fetcher.get(feed_server.url("/rss"))


async def test_a_50_mb_response_stops_at_the_cap(feed_server: FeedServer) -> None:
    feed_server.routes["/huge"] = streamed(50 * MB)
    feed_server.serve("/declared", b"x" * (11 * MB))  # with a Content-Length over the cap
    async with Fetcher(FetchPolicy(allow_private=True, max_bytes=10 * MB)) as fetcher:
        with pytest.raises(FetchError, match=re.escape("over the 10.0 MB limit")):
            await fetcher.get(feed_server.url("/huge"))
        with pytest.raises(
            FetchError, match=re.escape("the response is 11.0 MB, over the 10.0 MB limit")
        ):
            await fetcher.get(feed_server.url("/declared"))


async def test_gzip_that_expands_past_the_cap_is_stopped(feed_server: FeedServer) -> None:
    bomb = gzip.compress(b"<" * (60 * MB))  # about 60 KB on the wire
    assert len(bomb) < 1 * MB
    feed_server.serve("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    feed_server.serve(
        "/small", gzip.compress(SAMPLE_RSS.encode()), headers={"Content-Encoding": "gzip"}
    )
    async with Fetcher(FetchPolicy(allow_private=True, max_bytes=10 * MB)) as fetcher:
        with pytest.raises(FetchError, match=re.escape("over the 10.0 MB limit once decompressed")):
            await fetcher.get(feed_server.url("/bomb"))
        response = await fetcher.get(feed_server.url("/small"))
    assert response.body == SAMPLE_RSS.encode()  # ordinary gzip is decoded


async def test_a_server_that_never_answers_times_out(feed_server: FeedServer) -> None:
    feed_server.routes["/slow"] = hanging(feed_server)
    async with Fetcher(FetchPolicy(allow_private=True, timeout=0.5)) as fetcher:
        with pytest.raises(FetchError, match=re.escape("timed out after 0.5 seconds")):
            await fetcher.get(feed_server.url("/slow"))


async def test_a_conditional_get_gets_304_when_nothing_changed(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.serve(
        "/rss", SAMPLE_RSS, etag='"v1"', headers={"Last-Modified": "Mon, 30 Nov 2026 09:00:00 GMT"}
    )
    first = await fetcher.get(feed_server.url("/rss"))
    assert first.etag == '"v1"' and first.last_modified == "Mon, 30 Nov 2026 09:00:00 GMT"
    again = await fetcher.get(
        feed_server.url("/rss"), etag=first.etag, last_modified=first.last_modified
    )
    assert again.not_modified and again.body == b""
    sent = feed_server.requests[-1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 30 Nov 2026 09:00:00 GMT"


@pytest.mark.parametrize(
    ("status", "reason"), [(500, "HTTP 500"), (404, "HTTP 404"), (410, "HTTP 410")]
)
async def test_http_errors_are_failures_with_the_status(
    feed_server: FeedServer, fetcher: Fetcher, status: int, reason: str
) -> None:
    feed_server.serve("/rss", "oops", status=status, content_type="text/plain")
    with pytest.raises(FetchError, match=reason):
        await fetcher.get(feed_server.url("/rss"))


async def test_a_closed_port_is_a_network_error(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=re.escape("could not connect to 127.0.0.1")):
        await fetcher.get("http://127.0.0.1:9/rss")
