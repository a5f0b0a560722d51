"""What an alert posts and how its post is recognised: shared by the alerts extension and
``/admin alert`` (preview, permission checks). Not an extension."""

from __future__ import annotations

import discord

from bot.corpus import split_sentences
from bot.exts._permissions import POST_PERMISSIONS
from bot.store import Alert, FeedItemRecord
from bot.ui import limits
from bot.ui.embeds import COLOUR
from bot.ui.text import fit, safe_url

LEAD_CHARS = 600
THREAD_NAME = 100  # Discord's limit for a thread's name
THREAD_PERMISSIONS = ("create_public_threads", "send_messages_in_threads")

AlertChannel = discord.TextChannel | discord.ForumChannel


def lead_of(item: FeedItemRecord) -> str:
    """The article's lead: its first sentence (or two when the first is very short)."""
    sentences = split_sentences(item.body or "")
    lead = ""
    for sentence in sentences[:3]:
        lead = f"{lead} {sentence}".strip()
        if len(lead) >= 80:
            break
    return lead


def footer_of(alert: Alert) -> str:
    """The footer every post of ``alert`` carries (how the bot knows its own posts)."""
    return f"Alert #{alert.id}"


def thread_name(item: FeedItemRecord) -> str:
    """The name of an article's thread or forum post (plain text: names show no markdown)."""
    name = " ".join((item.title or "").split()) or "New article"
    return fit(name, THREAD_NAME, render=str)


def alert_embed(alert: Alert, item: FeedItemRecord, feed_label: str | None = None) -> discord.Embed:
    """One new article: headline linked, source, date and lead, escaped and within limits."""
    embed = discord.Embed(
        title=fit(item.title or "New article", limits.TITLE),
        url=safe_url(item.url),
        description=fit(lead_of(item), LEAD_CHARS) or None,
        colour=COLOUR,
        timestamp=item.published_at or item.first_seen_at,
    )
    source = item.source or feed_label
    if source:
        embed.add_field(name="Source", value=fit(source, 200), inline=True)
    moment = item.published_at or item.first_seen_at
    embed.add_field(name="Date", value=moment.date().isoformat(), inline=True)
    embed.set_footer(text=footer_of(alert))
    return limits.fit_embed(embed)


def is_alert_post(message: discord.Message, alert: Alert, item: FeedItemRecord) -> bool:
    """Whether ``message`` carries ``alert``'s embed for ``item``."""
    wanted_url = safe_url(item.url)
    wanted_title = fit(item.title or "New article", limits.TITLE)
    for embed in message.embeds:
        footer = embed.footer.text if embed.footer else None
        if footer != footer_of(alert):
            continue
        if wanted_url is not None and embed.url is not None:
            if safe_url(embed.url) == wanted_url:
                return True
        elif embed.title == wanted_title:
            return True
    return False


def needed_permissions(channel: AlertChannel, *, thread: bool) -> tuple[str, ...]:
    """What the bot needs in ``channel`` to post articles (with a thread each when asked)."""
    if thread and isinstance(channel, discord.TextChannel):
        return (*POST_PERMISSIONS, *THREAD_PERMISSIONS)
    return POST_PERMISSIONS


