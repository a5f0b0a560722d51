"""What one extension's commands may ask of another's running cog.

Extensions never import each other: ``/admin`` reaches the scheduler and the feed fetcher
through these interfaces, found by cog name at the moment of use (either may be absent,
e.g. in a bot built with fewer extensions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from discord.ext import commands

    from bot.feeds.ingest import FeedIngestor, FetchReport
    from bot.schedule import RunOutcome
    from bot.store import Feed


class SchedulerCog(Protocol):
    """The ``Scheduler`` cog (``bot.exts.scheduler``)."""

    def schedules_changed(self) -> None:
        """Look at the schedules again at the next iteration."""

    async def run_now(self, schedule_id: int) -> RunOutcome:
        """Post a schedule's digest now, as a ledger run like any other."""
        ...


class FeedsCog(Protocol):
    """The ``Feeds`` cog (``bot.exts.feeds``)."""

    @property
    def ingestor(self) -> FeedIngestor:
        """The ingestor over the bot's store and the cog's fetcher."""
        ...

    def feeds_changed(self) -> None:
        """Look at the feeds again at the next iteration."""

    async def fetch_now(self, feed: Feed) -> FetchReport:
        """Fetch one feed now, due or not."""
        ...

    async def forget(self, article_ids: list[str]) -> None:
        """Drop a removed feed's articles from the library."""


def scheduler_cog(bot: commands.Bot) -> SchedulerCog | None:
    """The running ``Scheduler`` cog, or ``None`` when it is not loaded."""
    return cast("SchedulerCog | None", bot.get_cog("Scheduler"))


def feeds_cog(bot: commands.Bot) -> FeedsCog | None:
    """The running ``Feeds`` cog, or ``None`` when it is not loaded."""
    return cast("FeedsCog | None", bot.get_cog("Feeds"))
