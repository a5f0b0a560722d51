"""The /admin embeds stay within Discord's limits however big the report or odd the text."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.corpus.model import Article, Rejection, ReloadReport
from bot.store import AuditEntry
from bot.ui.admin_embeds import audit_pages, reload_embed
from tests.support.discord_oracle import embed_problems

UTC = dt.UTC


def article(n: int, title: str) -> Article:
    return Article(id=f"a{n}", title=title, body="Body.", sentences=("Body.",))


@settings(max_examples=30, deadline=None)
@given(
    count=st.integers(0, 400),
    title=st.text(max_size=400),
    reason=st.text(min_size=1, max_size=600),
)
def test_a_reload_report_of_any_size_fits_one_embed(count: int, title: str, reason: str) -> None:
    articles = {f"a{n}": article(n, title or "x") for n in range(count)}
    ids = tuple(articles)
    report = ReloadReport(
        added=ids,
        changed=ids[: count // 2],
        removed=tuple(f"gone-{n}" for n in range(count)),
        rejected=tuple(Rejection(f"bad/{n}*{title[:50]}.csv", reason) for n in range(count)),
    )

    embed = reload_embed(report, articles)

    assert embed_problems([embed]) == []
    expected = [f"Added ({count})", f"Changed ({count // 2})", f"Removed ({count})"]
    expected.append(f"Rejected ({count})")
    assert [field.name for field in embed.fields] == [
        name for name in expected if not name.endswith("(0)")
    ]


def test_long_audit_details_are_cut_and_escaped() -> None:
    entries = [
        AuditEntry(
            n,
            1,
            2,
            "topic.add",
            '{"name": "**@everyone** ' + "x" * 3000 + '"}',
            "ok",
            dt.datetime(2026, 1, 1, tzinfo=UTC),
        )
        for n in range(25)
    ]

    pages = audit_pages(entries, "Europe/London")

    assert len(pages) == 3
    assert [embed_problems([page]) for page in pages] == [[], [], []]  # one message each
    assert "\\*\\*@\u200beveryone\\*\\*" in pages[0].description
