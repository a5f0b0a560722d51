"""Full text for feeds that give only a teaser: fetch the linked page (with the same guarded
fetcher and caps) and extract the article with ``trafilatura`` (off the event loop)."""

from __future__ import annotations

import asyncio
import logging

from bot.corpus.clean import clean_text
from bot.feeds.errors import FeedError
from bot.feeds.fetch import Fetcher

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


def _extract(html: bytes, url: str) -> str | None:
    import trafilatura  # imported on first use: it is slow to import and few feeds need it

    text = trafilatura.extract(
        html.decode("utf-8", errors="replace"),
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    return text


async def extract_article_text(fetcher: Fetcher, url: str) -> str | None:
    """The cleaned article text of the page at ``url``, or None when it cannot be had (the
    item then keeps the feed's own text; the reason is logged)."""
    try:
        response = await fetcher.get(url, accept=PAGE_ACCEPT)
        if response.not_modified or not response.body:
            return None
        text = await asyncio.to_thread(_extract, response.body, response.url)
    except FeedError as error:
        log.info("full text of %s not fetched: %s", url, error)
        return None
    except Exception:  # a parser bug on one page must not fail the feed
        log.exception("full text of %s could not be extracted", url)
        return None
    if not text:
        return None
    cleaned = clean_text(text)[:MAX_TEXT_CHARS]
    if "\n" in cleaned and "\n\n" not in cleaned:
        cleaned = cleaned.replace("\n", "\n\n")
    return cleaned or None
