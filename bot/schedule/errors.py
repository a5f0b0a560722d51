"""Errors of the scheduling core: bad schedule input, and what a poster may raise."""

from __future__ import annotations


class ScheduleError(ValueError):
    """A time, timezone, weekday or cadence a person typed cannot be used; says why."""


class PosterError(Exception):
    """Posting a digest failed in a way that counts as a failure of the schedule.

    The runner records it, retries with backoff and pauses the schedule after too many
    failures in a row. ``str(error)`` is shown to moderators, so keep it human.
    """

    default_message = "the digest could not be posted"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class ChannelGone(PosterError):
    """The schedule's channel no longer exists (or the bot can no longer see it at all)."""

    default_message = "the channel no longer exists"


class MissingAccess(PosterError):
    """The bot may not post (or embed, or read history) in the channel."""

    default_message = "the bot is not allowed to post in the channel"


class TransientError(PosterError):
    """Discord or the network failed in a way that may pass (5xx, timeout, rate limit)."""

    default_message = "Discord did not accept the message; it may be a passing outage"


class NothingToPost(Exception):
    """The poster decided there is nothing worth posting; the run is recorded skipped
    with ``str(error)`` as the reason (e.g. "topic 'x' has no articles")."""
