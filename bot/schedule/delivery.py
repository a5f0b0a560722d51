"""What a scheduled digest says, decided in the core; only the sending is left to a skin.

``DigestDelivery`` is the ``DigestPoster`` the runner drives. It decides "the digest for
this schedule at this time" (``schedule_digest``: the schedule's topic over the server's
``digest_days``, at most ``digest_limit`` points, from the service), "is anything new since
T" (the service's first-seen records) and "is this message the post of that run" (a
message the sender found that the ledger has not already given to another run). A
``ChannelSender`` (the Discord cog) does only what needs Discord: find the channel, render
and send, and list the bot's own messages in the channel that look like a run's post.

A run's post is recognised the way a reader would: the bot's own message in that channel
whose embed has the schedule's title (``digest_title``) and the run's due time as its
timestamp. The nonce is still sent with the message, for Discord's own de-duplication, but
is not shown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.schedule.errors import NothingToPost, TransientError
from bot.schedule.runner import topic_label
from bot.schedule.timespec import local_date
from bot.store import Schedule, Store, StoreError

if TYPE_CHECKING:
    from bot.digest import Digest, Topic
    from bot.service import NewsService

#: Topics beyond the catalogue and tags for a server (its moderators' own), by guild id.
ExtraTopics = Callable[[int], Awaitable[Sequence["Topic"]]]


class ChannelSender(Protocol):
    """The Discord side of a scheduled post."""

    async def send_digest(
        self, schedule: Schedule, digest: Digest, due_at: dt.datetime, nonce: str
    ) -> int:
        """Send ``digest`` to ``schedule.channel_id`` with ``nonce`` (for Discord to enforce)
        and ``due_at`` as the embed's timestamp; return the message id. Raise the runner's
        ``ChannelGone``, ``MissingAccess`` or ``TransientError`` when it cannot."""
        ...

    async def find_digests(self, schedule: Schedule, due_at: dt.datetime) -> list[int]:
        """Ids of the bot's own messages in the channel, newest first, whose embed is titled
        ``digest_title(schedule)`` and stamped ``due_at``; [] when history cannot be read."""
        ...


def digest_title(schedule: Schedule) -> str:
    """The title a schedule's digest embed carries (``Digest: <topic>``)."""
    return f"Digest: {topic_label(schedule)}"


def same_title(title: str | None, schedule: Schedule) -> bool:
    """Whether an embed title is ``digest_title(schedule)`` (spacing and case aside; a long
    title may have been cut to fit, ending in an ellipsis)."""
    if not title:
        return False
    wanted = " ".join(digest_title(schedule).split()).casefold()
    found = " ".join(title.split()).casefold()
    return found == wanted or (found.endswith("…") and wanted.startswith(found[:-1]))


async def schedule_digest(
    store: Store,
    service: NewsService,
    schedule: Schedule,
    at: dt.datetime,
    extra_topics: Sequence[Topic] = (),
) -> Digest:
    """The digest ``schedule`` posts at ``at``: its topic (every topic when None) over the
    server's ``digest_days`` before ``at``'s day in the schedule's zone, at most
    ``digest_limit`` points. The building runs off the event loop."""
    settings = await store.guilds.get(schedule.guild_id)
    since = local_date(at, schedule.timezone) - dt.timedelta(days=settings.digest_days)
    limit = settings.digest_limit
    topic = schedule.topic

    def build() -> Digest:
        if topic is None:
            return service.all_topics_digest(since=since, limit=limit)
        return service.digest(topic, since=since, limit=limit, extra_topics=extra_topics)

    return await asyncio.to_thread(build)


def nothing_message(digest: Digest, schedule: Schedule, days: int) -> str:
    """Why a run posts nothing: the topic has no articles in the period."""
    topic = digest.matched_topic or topic_label(schedule)
    return f"nothing on {topic} in the last {days} day{'s' if days != 1 else ''}"


class DigestDelivery:
    """The runner's poster: the core's decisions around a ``ChannelSender``."""

    def __init__(
        self,
        store: Store,
        service: Callable[[], NewsService],
        sender: ChannelSender,
        *,
        extra_topics: ExtraTopics | None = None,
    ) -> None:
        self._store = store
        self._service = service
        self._sender = sender
        self._extra = extra_topics

    async def _topics(self, guild_id: int) -> Sequence[Topic]:
        return await self._extra(guild_id) if self._extra is not None else ()

    async def digest_for(self, schedule: Schedule, at: dt.datetime) -> Digest:
        """The digest for this schedule at this time (what a preview shows)."""
        return await schedule_digest(
            self._store, self._service(), schedule, at, await self._topics(schedule.guild_id)
        )

    async def post(
        self, schedule: Schedule, due_at: dt.datetime, nonce: str, since: dt.datetime | None
    ) -> int:
        try:
            digest = await self.digest_for(schedule, due_at)
            if not digest.points:
                days = (await self._store.guilds.get(schedule.guild_id)).digest_days
                raise NothingToPost(nothing_message(digest, schedule, days))
        except StoreError as error:
            raise TransientError(f"the database failed: {error}") from error
        return await self._sender.send_digest(schedule, digest, due_at, nonce)

    async def find_posted(self, schedule: Schedule, due_at: dt.datetime, nonce: str) -> int | None:
        for message_id in await self._sender.find_digests(schedule, due_at):
            # Two schedules with one title and time in one channel look alike: a message
            # the ledger already gave to a run is not this run's.
            if not await self._store.ledger.message_recorded(message_id):
                return message_id
        return None

    async def has_new(self, schedule: Schedule, since: dt.datetime) -> bool:
        service = self._service()
        extra = await self._topics(schedule.guild_id)
        return await asyncio.to_thread(
            service.has_new_on_topic, schedule.topic, since, schedule.timezone, extra
        )
