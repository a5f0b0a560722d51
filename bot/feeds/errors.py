"""Why a feed could not be fetched or read, in words for a moderator."""

from __future__ import annotations


class FeedError(Exception):
    """A fetch or parse failure; the message says what went wrong (shown to moderators)."""


class FetchError(FeedError):
    """The feed could not be fetched (network, HTTP status, size, address refused)."""


class AddressRefused(FetchError):
    """The address is not one the bot may fetch (scheme, or a private/loopback address)."""


class NotAFeed(FeedError):
    """The response is not RSS, Atom or JSON Feed, or its markup is too broken to read."""
