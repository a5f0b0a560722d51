"""A bundled sample RSS feed served on 127.0.0.1 for the playground, so a newcomer can
follow a feed (``/admin feed add``) and watch an alert (``/admin alert add``) arrive.

The first fetch lists three stories; every later fetch lists one more, until the pool is
used up, so after the first fetch (which alerts nothing) each fetch brings a new article.
The stories are written for the playground: short harbour-town news in the fixture
articles' spirit, several mentioning the ferry (try ``keywords:ferry``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web

FEED_PATH = "/sample-feed.xml"
FIRST_FETCH_STORIES = 3


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    text: str
    category: str


STORIES: tuple[Story, ...] = (
    Story(
        "ferry-timetable",
        "Winter ferry timetable published",
        "The harbour board published the winter ferry timetable on Monday. The last "
        "crossing now leaves at nine in the evening.",
        "Transport",
    ),
    Story(
        "fish-market",
        "Fish market stalls let for the new season",
        "All twenty stalls of the covered fish market have been let for the new season, "
        "the market trust said.",
        "Business",
    ),
    Story(
        "lifeboat-open-day",
        "Lifeboat station holds an open day",
        "Volunteers showed visitors round the lifeboat station on Saturday and collected "
        "donations for a new launch tractor.",
        "Community",
    ),
    Story(
        "ferry-delays",
        "Ferry delayed by a storm in the channel",
        "The morning ferry was held in port for two hours as a storm crossed the channel. "
        "Later sailings ran to time.",
        "Transport",
    ),
    Story(
        "harbour-wall",
        "Harbour wall repairs to start in spring",
        "Repairs to the old harbour wall will start in the spring, the council said, after "
        "a survey found loose stones.",
        "Infrastructure",
    ),
    Story(
        "new-ferry",
        "Council orders a new electric ferry",
        "The council has ordered an electric ferry for the island crossing. It should enter "
        "service in two years and halve the fuel bill.",
        "Transport",
    ),
    Story(
        "school-choir",
        "School choir wins the regional festival",
        "The harbour school choir won the regional festival with a programme of sea songs.",
        "Community",
    ),
    Story(
        "ferry-fares",
        "Ferry fares frozen for island residents",
        "Island residents will pay the same ferry fares next year, the operator said.",
        "Transport",
    ),
)


def sample_rss(count: int, *, now: dt.datetime, base: str = "https://example.org") -> str:
    """The feed listing the first ``count`` stories, newest first, each dated before ``now``
    by a fixed amount (so a story keeps its date from one fetch to the next)."""
    items = []
    for number, story in enumerate(STORIES[:count]):
        published = now - dt.timedelta(minutes=10 * (len(STORIES) - number))
        items.append(
            "  <item>\n"
            f"    <title>{escape(story.title)}</title>\n"
            f"    <link>{base}/harbour/{story.slug}</link>\n"
            f'    <guid isPermaLink="false">playground-{story.slug}</guid>\n'
            f"    <pubDate>{format_datetime(published)}</pubDate>\n"
            f"    <category>{escape(story.category)}</category>\n"
            f"    <description>{escape(story.text)}</description>\n"
            "  </item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        "  <title>Playground Harbour News</title>\n"
        f"  <link>{base}/harbour/</link>\n"
        "  <description>A sample feed bundled with the newsbot playground</description>\n"
        + "".join(reversed(items))
        + "</channel>\n</rss>\n"
    )


class SampleFeed:
    """The sample feed on ``127.0.0.1`` (a free port). ``await start()``, then ``url``."""

    def __init__(self) -> None:
        self.fetches = 0
        # Stories keep their dates from fetch to fetch, as a real feed's do.
        self._epoch = dt.datetime.now(dt.UTC)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The address to give ``/admin feed add``."""
        return f"http://127.0.0.1:{self.port}{FEED_PATH}"

    @property
    def listed(self) -> int:
        """How many stories the next fetch will list."""
        return min(len(STORIES), FIRST_FETCH_STORIES + self.fetches)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(FEED_PATH, self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SampleFeed:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def _feed(self, _request: web.Request) -> web.Response:
        body = sample_rss(self.listed, now=self._epoch)
        self.fetches += 1
        return web.Response(
            body=body.encode(), headers={"Content-Type": "application/rss+xml; charset=utf-8"}
        )
