"""Embeds for ``/admin``: schedules, uploads, reloads, topics, settings, stats, audit.

Like ``bot.ui.embeds``, every builder escapes text the bot did not write (file names,
reasons, topic names, audit details) and returns embeds that already fit Discord's limits.
Times are shown in the server's timezone as text, followed by a Discord timestamp that
each reader's client shows in their own timezone.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.corpus.loaders import format_size
from bot.digest import ALL_TOPICS
from bot.ui import limits
from bot.ui.embeds import COLOUR, NOTICE_COLOUR
from bot.ui.text import fit, plural

if TYPE_CHECKING:
    from bot.corpus.model import Article, Rejection, ReloadReport
    from bot.corpus.uploads import RemovalResult, UploadResult
    from bot.metrics import LatencySummary
    from bot.search.model import IndexStats
    from bot.store import AuditEntry, GuildSettings, LedgerEntry, Schedule, StoredTopic

SCHEDULES_PER_PAGE = 8
AUDIT_PAGE_SIZE = 10
LIST_ITEMS = 15  # ids listed per kind of change before "and N more"


# -- times -------------------------------------------------------------------------------


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_text(moment: dt.datetime, timezone: str) -> str:
    """``"Thu 01 Jan 2026 09:00 GMT"``: ``moment`` on the wall clock of ``timezone``."""
    local = moment.astimezone(_zone(timezone))
    return local.strftime("%a %d %b %Y %H:%M ") + (local.tzname() or timezone)


def when(moment: dt.datetime | None, timezone: str) -> str:
    """A moment in the server's timezone and as a Discord timestamp; "never" for None."""
    if moment is None:
        return "none while paused"
    return f"{local_text(moment, timezone)} ({discord.utils.format_dt(moment, 'R')})"


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h {minutes} min"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def _paged(pages: list[discord.Embed]) -> list[discord.Embed]:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        if total > 1:
            footer = page.footer.text if page.footer and page.footer.text else ""
            page.set_footer(text=f"Page {number}/{total}" + (f" · {footer}" if footer else ""))
        limits.fit_embed(page)
    return pages


def _listing(items: Sequence[str], limit: int = LIST_ITEMS) -> str:
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"… and {len(items) - limit} more")
    return "\n".join(shown)


# -- schedules ---------------------------------------------------------------------------


def schedule_status(schedule: Schedule, timezone: str) -> str:
    """Paused (why), retrying after failures, or active; and when it last posted."""
    if schedule.paused:
        reason = fit(schedule.pause_reason or "paused", 300)
        status = f"⏸ paused: {reason}"
    elif schedule.failure_count:
        retry = (
            f", retrying {discord.utils.format_dt(schedule.next_retry_at, 'R')}"
            if schedule.next_retry_at
            else ""
        )
        status = f"⚠ {plural(schedule.failure_count, 'failed attempt')} in a row{retry}"
    else:
        status = "active"
    if schedule.last_posted_at is not None:
        status += f" · last posted {local_text(schedule.last_posted_at, timezone)}"
    return status


def last_run_line(entry: LedgerEntry | None, timezone: str, detail_chars: int = 300) -> str:
    """``Last run: skipped at 09:00 on Thu 01 Jan: nothing new on Trade & investment``."""
    if entry is None:
        return "Last run: none yet"
    local = entry.due_at.astimezone(_zone(timezone))
    at = local.strftime("%H:%M on %a %d %b")
    kind = "run-now " if entry.manual else ""
    line = f"Last run: {kind}{entry.state} at {at}"
    if entry.detail and entry.state != "posted":
        line += f": {fit(entry.detail, detail_chars)}"
    return line


def schedule_pages(
    schedules: Sequence[Schedule],
    now: dt.datetime,
    timezone: str,
    last_runs: Mapping[int, LedgerEntry] | None = None,
) -> list[discord.Embed]:
    """Every schedule with its id, channel, timing, next run, status and last outcome."""
    from bot.schedule import describe, next_attempt

    if not schedules:
        embed = discord.Embed(
            title="Scheduled digests",
            description="No scheduled digests yet. Add one with `/admin schedule add`.",
            colour=COLOUR,
        )
        return [limits.fit_embed(embed)]
    pages: list[discord.Embed] = []
    for start in range(0, len(schedules), SCHEDULES_PER_PAGE):
        embed = discord.Embed(title="Scheduled digests", colour=COLOUR)
        for schedule in schedules[start : start + SCHEDULES_PER_PAGE]:
            topic = fit(schedule.topic or ALL_TOPICS, 100)
            only = " · only when something is new" if schedule.only_new else ""
            value = (
                f"<#{schedule.channel_id}> · {describe(schedule)}{only}\n"
                f"Next run: {when(next_attempt(schedule, now), timezone)}\n"
                f"{schedule_status(schedule, timezone)}"
            )
            if last_runs is not None:
                value += "\n" + last_run_line(last_runs.get(schedule.id), timezone)
            embed.add_field(name=f"#{schedule.id} · {topic}", value=value, inline=False)
        embed.set_footer(text=f"Times in {timezone} · {plural(len(schedules), 'schedule')}")
        pages.append(embed)
    return _paged(pages)


# -- articles ----------------------------------------------------------------------------


def _article_line(article: Article) -> str:
    return f"`{fit(article.id, 80, render=_code)}` {fit(article.title or article.id, 150)}"


def _code(text: str) -> str:
    return text.replace("`", "'")


def _rejection_line(rejection: Rejection) -> str:
    return f"`{fit(rejection.path, 100, render=_code)}`: {fit(rejection.reason, 300)}"


def upload_embed(result: UploadResult) -> discord.Embed:
    """What an upload added (or replaced), with any records of it that were rejected."""
    verb = "Replaced" if result.replaced else "Added"
    count = len(result.articles)
    embed = discord.Embed(
        title=f"{verb} {fit(result.filename, 200)}",
        description=(
            f"{plural(count, 'article')} now searchable:\n"
            + _listing([_article_line(a) for a in result.articles])
        ),
        colour=COLOUR,
    )
    if result.rejected:
        embed.add_field(
            name=f"Not loaded ({len(result.rejected)})",
            value=_listing([_rejection_line(r) for r in result.rejected], 8),
            inline=False,
        )
    if result.warnings:
        embed.add_field(
            name=f"Warnings ({len(result.warnings)})",
            value=_listing([_rejection_line(w) for w in result.warnings], 8),
            inline=False,
        )
    _changes_footer(embed, result.report)
    return limits.fit_embed(embed)


def removal_embed(result: RemovalResult) -> discord.Embed:
    """What removing a file took out of the library."""
    count = len(result.removed)
    embed = discord.Embed(
        title=f"Removed {fit(result.filename, 200)}",
        description=(
            f"{plural(count, 'article')} removed:\n"
            + _listing([_article_line(a) for a in result.removed])
        ),
        colour=COLOUR,
    )
    _changes_footer(embed, result.report)
    return limits.fit_embed(embed)


def _changes_footer(embed: discord.Embed, report: ReloadReport) -> None:
    embed.set_footer(
        text=(
            f"Reload: {len(report.added)} added · {len(report.changed)} changed · "
            f"{len(report.removed)} removed · {len(report.rejected)} rejected"
        )
    )


def reload_embed(report: ReloadReport, articles: Mapping[str, Article]) -> discord.Embed:
    """A reload's added, changed, removed and rejected, within Discord's limits."""
    touched = report.touched
    embed = discord.Embed(
        title="Articles reloaded",
        description=(
            f"{len(articles)} articles loaded."
            + ("" if touched or report.rejected else " Nothing changed on disk.")
        ),
        colour=COLOUR if not report.rejected else NOTICE_COLOUR,
    )

    def lines(ids: Sequence[str]) -> str:
        shown = []
        for article_id in ids:
            article = articles.get(article_id)
            shown.append(
                _article_line(article)
                if article is not None
                else f"`{fit(article_id, 80, render=_code)}`"
            )
        return _listing(shown)

    for label, ids in (
        ("Added", report.added),
        ("Changed", report.changed),
        ("Removed", report.removed),
    ):
        if ids:
            embed.add_field(name=f"{label} ({len(ids)})", value=lines(ids), inline=False)
    if report.rejected:
        embed.add_field(
            name=f"Rejected ({len(report.rejected)})",
            value=_listing([_rejection_line(r) for r in report.rejected], 10),
            inline=False,
        )
    return limits.fit_embed(embed)


# -- topics and settings -----------------------------------------------------------------


_TOPICS_PAGE_CHARS = 3500  # well inside the 4096 of a description, whatever the topics


def topics_pages(topics: Sequence[StoredTopic], counts: Mapping[str, int]) -> list[discord.Embed]:
    """A server's own topics with their keywords and article counts, as pages."""
    if not topics:
        return [
            limits.fit_embed(
                discord.Embed(
                    title="Server topics",
                    description="This server has no topics of its own yet. "
                    "Add one with `/admin topic add`.",
                    colour=COLOUR,
                )
            )
        ]
    chunks: list[list[str]] = [[]]
    size = 0
    for topic in topics:
        count = counts.get(topic.name, 0)
        keywords = ", ".join(fit(k, 60) for k in topic.keywords[:15])
        more = f" (+{len(topic.keywords) - 15})" if len(topic.keywords) > 15 else ""
        line = f"**{fit(topic.name, 100)}**: {plural(count, 'article')}\n{keywords}{more}"
        if chunks[-1] and size + len(line) + 1 > _TOPICS_PAGE_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    pages = []
    for number, lines in enumerate(chunks, 1):
        embed = discord.Embed(title="Server topics", description="\n".join(lines), colour=COLOUR)
        page = f" · page {number}/{len(chunks)}" if len(chunks) > 1 else ""
        embed.set_footer(
            text=f"{plural(len(topics), 'topic')} · used by /digest in this server only{page}"
        )
        pages.append(limits.fit_embed(embed))
    return pages


def settings_embed(settings: GuildSettings, guild: discord.Guild) -> discord.Embed:
    """The server's settings, as ``/admin settings`` shows them."""
    role = guild.get_role(settings.moderator_role_id) if settings.moderator_role_id else None
    if role is not None:
        moderators = f"Manage Server, or the role **{fit(role.name, 100)}**"
    elif settings.moderator_role_id:
        moderators = "Manage Server (the moderator role was deleted)"
    else:
        moderators = "Manage Server (no moderator role set)"
    embed = discord.Embed(title="Server settings", colour=COLOUR)
    embed.add_field(name="Who can use /admin", value=moderators, inline=False)
    embed.add_field(name="Timezone", value=settings.timezone, inline=True)
    embed.add_field(name="Digest points", value=str(settings.digest_limit), inline=True)
    embed.add_field(name="Digest days", value=str(settings.digest_days), inline=True)
    embed.set_footer(text="Change with /admin settings option:value")
    return limits.fit_embed(embed)


# -- stats -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsView:
    """What ``/admin stats`` shows."""

    articles: int
    sentences: int
    rejected: int
    index: IndexStats
    search: LatencySummary
    uptime_seconds: float
    upcoming: Sequence[tuple[dt.datetime, Schedule]]
    timezone: str
    guilds: int
    last_runs: Mapping[int, LedgerEntry] | None = None


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f} ms"


def stats_embed(view: StatsView) -> discord.Embed:
    """Library size, index size, search latency since start, uptime and next digests."""
    embed = discord.Embed(title="newsbot stats", colour=COLOUR)
    embed.add_field(
        name="Library",
        value=(
            f"{plural(view.articles, 'article')} · {plural(view.sentences, 'sentence')}"
            + (
                f" · {plural(view.rejected, 'file or record', 'files or records')} rejected"
                if view.rejected
                else ""
            )
        ),
        inline=False,
    )
    embed.add_field(
        name="Search index",
        value=(
            f"{plural(view.index.passages, 'passage')} · {plural(view.index.terms, 'term')} · "
            f"~{format_size(view.index.approx_bytes)}"
        ),
        inline=False,
    )
    search = view.search
    embed.add_field(
        name="Search latency since start",
        value=(
            f"p50 {_ms(search.p50)} · p95 {_ms(search.p95)} · {plural(search.count, 'search')}"
            if search.count
            else "no searches yet"
        ),
        inline=False,
    )
    embed.add_field(
        name="Uptime",
        value=f"{_duration(view.uptime_seconds)} · {plural(view.guilds, 'server')}",
        inline=False,
    )
    if view.upcoming:
        lines = []
        for moment, schedule in view.upcoming:
            line = (
                f"#{schedule.id} {fit(schedule.topic or ALL_TOPICS, 60)} → "
                f"<#{schedule.channel_id}>: {when(moment, view.timezone)}"
            )
            if view.last_runs is not None and schedule.id in view.last_runs:
                # Five schedules share one field of 1,024 characters: keep reasons short.
                last = last_run_line(view.last_runs[schedule.id], view.timezone, 80)
                line += "\n  " + last
            lines.append(line)
        upcoming = "\n".join(lines)
    else:
        upcoming = "No active schedules."
    embed.add_field(name="Next scheduled digests", value=upcoming, inline=False)
    return limits.fit_embed(embed)


# -- audit -------------------------------------------------------------------------------

_RESULT_MARK = {"ok": "✅", "refused": "⛔", "error": "⚠"}


def _details(details: str) -> str:
    try:
        data = json.loads(details) if details else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        details = ", ".join(f"{k}={v}" for k, v in data.items())
    return fit(details, 300) if details else ""


def audit_pages(
    entries: Sequence[AuditEntry],
    timezone: str,
    *,
    per_page: int = AUDIT_PAGE_SIZE,
    action: str | None = None,
) -> list[discord.Embed]:
    """The audit log, newest first, a page at a time."""
    title = "Audit log" + (f": {fit(action, 100)}" if action else "")
    if not entries:
        text = "Nothing recorded yet." if not action else "No entries for that action."
        return [limits.fit_embed(discord.Embed(title=title, description=text, colour=COLOUR))]
    pages = []
    for start in range(0, len(entries), per_page):
        blocks = []
        for entry in entries[start : start + per_page]:
            who = f"<@{entry.user_id}>" if entry.user_id else "the bot"
            mark = _RESULT_MARK.get(entry.result, "")
            line = (
                f"{mark} **{fit(entry.action, 100)}** by {who} · {entry.result} · "
                f"{local_text(entry.at, timezone)}"
            )
            details = _details(entry.details)
            blocks.append(line + (f"\n{details}" if details else ""))
        embed = discord.Embed(title=title, description="\n\n".join(blocks), colour=COLOUR)
        embed.set_footer(text=f"{len(entries)} entries · times in {timezone}")
        pages.append(embed)
    return _paged(pages)


__all__ = [
    "AUDIT_PAGE_SIZE",
    "StatsView",
    "audit_pages",
    "last_run_line",
    "local_text",
    "reload_embed",
    "removal_embed",
    "schedule_pages",
    "schedule_status",
    "settings_embed",
    "stats_embed",
    "topics_pages",
    "upload_embed",
    "when",
]
