"""A server with many topics sees every one of them, page by page, within Discord's limits."""

from __future__ import annotations

import datetime as dt

from bot.store.models import StoredTopic
from bot.ui.admin_embeds import topics_pages


def topic(n: int) -> StoredTopic:
    return StoredTopic(
        id=n,
        guild_id=1,
        name=f"Topic {n:03d}",
        keywords=tuple(f"keyword-{n}-{k}-" + "x" * 40 for k in range(15)),
        created_by=None,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_many_topics_are_paged_not_cut() -> None:
    topics = [topic(n) for n in range(100)]
    pages = topics_pages(topics, {})
    assert len(pages) > 1
    assert all(len(page.description or "") <= 4096 for page in pages)
    shown = "".join(page.description or "" for page in pages)
    assert all(f"Topic {n:03d}" in shown for n in range(100))
    assert pages[-1].footer.text and f"page {len(pages)}/{len(pages)}" in pages[-1].footer.text


def test_no_topics_says_how_to_add_one() -> None:
    (page,) = topics_pages([], {})
    assert "/admin topic add" in (page.description or "")
