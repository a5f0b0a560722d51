"""What an alert posts for one article: headline linked, source, date, lead, escaped and
within Discord's limits whatever the feed sent; and Discord's errors worded for articles."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import discord

from bot.exts.alerts import _sending_error, alert_embed, is_alert_post, thread_name
from bot.schedule import NothingToPost, PosterError
from bot.store import Alert, FeedItemRecord
from bot.ui import limits

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
ALERT = Alert(3, 1, 2, None, None, (), (), False, None, AT, False, None, 0, None, AT)


def item(title: str, body: str, url: str | None = "https://gazette.example/a") -> FeedItemRecord:
    return FeedItemRecord(
        feed_id=1, item_key="k", article_id="feed-gazette/k", title=title, url=url,
        published_at=AT, first_seen_at=AT, updated_at=AT, last_seen_at=AT,
        source="Harbour *Gazette*", tags=(), body=body, body_origin="feed",
        content_hash="h", expired=False, alert=True,
    )  # fmt: skip


def test_an_article_is_one_embed_with_its_headline_link_source_date_and_lead() -> None:
    story = item("Ferry delays", "The ferry was late. It was very late. Nobody minded.")
    embed = alert_embed(ALERT, story, "Gazette")

    assert embed.title == "Ferry delays" and embed.url == "https://gazette.example/a"
    assert embed.description == "The ferry was late. It was very late. Nobody minded."
    fields = {f.name: f.value for f in embed.fields}
    assert fields == {"Source": "Harbour \\*Gazette\\*", "Date": "2026-12-01"}
    assert embed.footer.text == "Alert #3" and embed.timestamp == AT


def test_hostile_feed_text_is_escaped_and_cut_to_fit() -> None:
    story = item("@everyone " + "**big** " * 2000, "<@123> " + "x" * 50_000, url="javascript:x")
    embed = alert_embed(ALERT, story)

    assert limits.embed_size(embed) <= limits.EMBED_TOTAL
    assert len(embed.title or "") <= limits.TITLE and len(embed.description or "") <= 600
    assert "@everyone" not in (embed.title or "") and "<@123>" not in (embed.description or "")
    assert embed.url is None  # only http(s) links
    assert len(thread_name(story)) <= 100


def test_the_bots_post_is_known_by_its_link_or_else_its_headline_and_its_alert() -> None:
    linked, unlinked = item("Ferry", "Text."), item("Storm", "Text.", url=None)
    other = Alert(4, 1, 2, None, None, (), (), False, None, AT, False, None, 0, None, AT)

    def message(embed: discord.Embed) -> discord.Message:
        return SimpleNamespace(embeds=[embed])  # type: ignore[return-value]

    assert is_alert_post(message(alert_embed(ALERT, linked)), ALERT, linked)
    assert is_alert_post(message(alert_embed(ALERT, unlinked)), ALERT, unlinked)
    assert not is_alert_post(message(alert_embed(other, linked)), ALERT, linked)
    assert not is_alert_post(message(alert_embed(ALERT, linked)), ALERT, unlinked)


def test_discord_errors_are_worded_for_an_article() -> None:
    class Response:
        status = 404
        reason = "Not Found"

    gone = discord.NotFound(Response(), {"code": 10008, "message": "Unknown Message"})
    assert (
        str(_sending_error(gone)) == "the earlier post of this article was deleted by a moderator"
    )
    assert isinstance(_sending_error(gone), NothingToPost)
    Response.status = 400
    bad = discord.HTTPException(Response(), {"code": 0, "message": "Invalid Form Body"})
    mapped = _sending_error(bad)
    assert type(mapped) is PosterError and "rejected the article (400)" in str(mapped)
