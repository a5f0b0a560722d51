"""Embeds for what members ask: search results, digests, articles, topics and help.

Builders take the core's plain results and return embeds that already fit Discord's
limits: every piece of text the bot did not write is escaped, long text is cut at sentence
or word boundaries, and ``fit_embed`` has the last word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.ui import limits
from bot.ui.text import fit, highlight, link, plural, safe_url, split_pages

if TYPE_CHECKING:
    from bot.corpus.model import Article
    from bot.digest import Digest, Topic
    from bot.search import SearchResult

COLOUR = discord.Colour(0x2B6CB0)
NOTICE_COLOUR = discord.Colour(0x718096)

# Three passages of at most PASSAGE_CHARS each: a page of hits fits on one screen.
RESULTS_PER_PAGE = 3
PASSAGE_CHARS = 600
TOPICS_PER_PAGE = 20
ARTICLE_PAGE_CHARS = 3500
SUMMARY_CHARS = 1500
QUERY_CHARS = 200  # longest query worth showing back in a title

# Room kept in a description for the header line (the "did you mean" note).
_HEADER_CHARS = 400


def _with_page_footers(pages: list[discord.Embed], note: str = "") -> list[discord.Embed]:
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        parts = [f"Page {number}/{total}"] if total > 1 else []
        if note:
            parts.append(note)
        if parts:
            page.set_footer(text=" · ".join(parts))
        limits.fit_embed(page)
    return pages


def _quoted(text: str, limit: int = QUERY_CHARS) -> str:
    return "“" + fit(" ".join(text.split()), limit) + "”"


# -- search ----------------------------------------------------------------------------------


def search_pages(result: SearchResult, per_page: int = RESULTS_PER_PAGE) -> list[discord.Embed]:
    """Pages of excerpts for ``result``: headline (linked), passage with matches in bold."""
    if not result.hits:
        embed = no_results_embed(result)
        if result.notice:
            embed.description = f"{embed.description}\n{fit(result.notice, _HEADER_CHARS)}"
        return [limits.fit_embed(embed)]
    header = ""
    if result.notice:
        # How the query was read (only function words): the core's words, not a member's.
        header = f"{fit(result.notice, _HEADER_CHARS // 2)}\n\n"
    if result.corrected:
        header += f"Did you mean {_quoted(result.corrected)}? Showing results for it.\n\n"
    groups = [result.hits[i : i + per_page] for i in range(0, len(result.hits), per_page)]
    budget = min(PASSAGE_CHARS, (limits.DESCRIPTION - _HEADER_CHARS) // per_page)
    pages: list[discord.Embed] = []
    for page_number, hits in enumerate(groups):
        blocks = []
        for offset, hit in enumerate(hits, start=page_number * per_page + 1):
            headline = link(fit(hit.title or hit.article_id, 200), hit.url)
            heading = f"**{offset}. {headline}**"
            passage = highlight(hit.excerpt, hit.highlights, max(80, budget - len(heading) - 4))
            blocks.append(f"{heading}\n{passage}")
        description = header + "\n\n".join(blocks)
        pages.append(
            discord.Embed(
                title=f"Search: {_quoted(result.query, 200)}",
                description=description,
                colour=COLOUR,
            )
        )
    count = len(result.hits)
    note = f"{plural(count, 'passage')} · open one with /article"
    return _with_page_footers(pages, note)


def no_results_embed(result: SearchResult) -> discord.Embed:
    """Nothing matched: say so, and offer the close words the index knows."""
    lines = [f"Nothing in the library matches {_quoted(result.query)}."]
    if result.suggestions:
        tried = ", ".join(f"**{fit(s, 80)}**" for s in result.suggestions[:8])
        lines.append(f"Did you mean: {tried}?")
    else:
        lines.append("Try fewer or more common words, or see what there is with /topics.")
    embed = discord.Embed(title="No results", description="\n".join(lines), colour=NOTICE_COLOUR)
    return limits.fit_embed(embed)


# -- digests -----------------------------------------------------------------------------


def _name(topic: object) -> str:
    return str(getattr(topic, "name", topic) or "")


def digest_embed(digest: Digest) -> discord.Embed:
    """A digest's points with numbered citations, and a sources list with links."""
    if not digest.points:
        return empty_digest_embed(digest)
    topic = _name(digest.matched_topic) or digest.topic
    number = {source.article_id: n for n, source in enumerate(digest.sources, start=1)}
    urls = {source.article_id: safe_url(source.url) for source in digest.sources}
    lines: list[str] = []
    used = 0
    cited: set[str] = set()
    room = limits.DESCRIPTION - 10
    for point in digest.points:
        n = number.get(point.article_id)
        citation = " " + link(f"\\[{n}\\]", urls.get(point.article_id)) if n else ""
        line = f"• {fit(point.text, 700)}{citation}"
        if used + len(line) + 1 > room:
            break
        lines.append(line)
        used += len(line) + 1
        cited.add(point.article_id)
    embed = discord.Embed(
        title=f"Digest: {fit(topic, 200)}", description="\n".join(lines), colour=COLOUR
    )
    for name, value in _source_fields(digest, cited):
        embed.add_field(name=name, value=value, inline=False)
    footer = [plural(len(lines), "point")]
    footer.append(plural(len(cited), "article"))
    if digest.since:
        footer.append(f"since {digest.since.isoformat()}")
    embed.set_footer(text=" · ".join(footer))
    return limits.fit_embed(embed)


def _source_fields(digest: Digest, cited: set[str]) -> list[tuple[str, str]]:
    """The cited sources as numbered lines, spread over fields of ≤ 1024 characters."""
    fields: list[tuple[str, str]] = []
    current: list[str] = []
    size = 0
    for n, source in enumerate(digest.sources, start=1):
        if source.article_id not in cited:
            continue
        line = f"{n}. {link(fit(source.title or source.article_id, 150), source.url)}"
        if len(line) > limits.FIELD_VALUE:
            line = f"{n}. {fit(source.title or source.article_id, 150)}"
        if current and size + len(line) + 1 > limits.FIELD_VALUE:
            fields.append(("Sources" if not fields else "Sources (continued)", "\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        fields.append(("Sources" if not fields else "Sources (continued)", "\n".join(current)))
    return fields[: limits.FIELDS]


def empty_digest_embed(digest: Digest) -> discord.Embed:
    """Nothing on the topic yet (in the period asked for), with the closest topics."""
    topic = _name(digest.matched_topic) or digest.topic
    when = f" since {digest.since.isoformat()}" if digest.since else ""
    lines = [f"Nothing on {_quoted(topic, 200)}{when} yet."]
    if digest.closest:
        names = ", ".join(f"**{fit(name, 80)}**" for name in digest.closest[:8])
        lines.append(f"Closest topics: {names}.")
    lines.append("See every topic with /topics.")
    embed = discord.Embed(title="No digest", description="\n".join(lines), colour=NOTICE_COLOUR)
    return limits.fit_embed(embed)


# -- articles ----------------------------------------------------------------------------


def article_embed(article: Article, summary: Sequence[str], topics: Sequence[str]) -> discord.Embed:
    """An article's headline (linked), source, date, topics and summary."""
    embed = discord.Embed(
        title=fit(article.title or article.id, limits.TITLE),
        url=safe_url(article.url),
        description=fit(" ".join(summary), SUMMARY_CHARS) or "*No summary available.*",
        colour=COLOUR,
    )
    embed.add_field(name="Source", value=fit(article.source or "unknown", 200), inline=True)
    embed.add_field(name="Date", value=date_line(article), inline=True)
    topic_list = ", ".join(fit(t, 80) for t in topics[:10]) or "none yet"
    embed.add_field(name="Topics", value=topic_list, inline=True)
    sentences = len(article.sentences)
    embed.set_footer(text=f"{article.id} · {plural(sentences, 'sentence')}")
    return limits.fit_embed(embed)


def date_line(article: Article) -> str:
    """``2024-05-01``; for an undated article the day the library first saw it, ``Added 1
    Dec 2026``; ``unknown`` when there is neither."""
    if isinstance(article.date, dt.date):
        return article.date.isoformat()
    if isinstance(article.added, dt.date):
        return f"Added {article.added.day} {article.added:%b %Y}"
    return "unknown"


def scheduled_digest_embed(digest: Digest, title: str, due_at: dt.datetime | None) -> discord.Embed:
    """A scheduled digest: the digest embed under the schedule's ``title``, stamped with the
    run's due time (how the bot recognises its own post after a restart; no ids shown)."""
    embed = digest_embed(digest)
    embed.title = fit(title, limits.TITLE)
    if due_at is not None:
        embed.timestamp = due_at
    return limits.fit_embed(embed)


def article_text_pages(article: Article) -> list[discord.Embed]:
    """The full text in pages of ≤ 3500 characters cut at paragraph or sentence ends."""
    body = article.body or "\n\n".join(article.sentences)
    texts = split_pages(body, ARTICLE_PAGE_CHARS) or ["*This article has no text.*"]
    title = fit(article.title or article.id, limits.TITLE)
    url = safe_url(article.url)
    pages = [discord.Embed(title=title, url=url, description=text, colour=COLOUR) for text in texts]
    return _with_page_footers(pages, article.id)


# -- topics and help ---------------------------------------------------------------------


def topics_pages(
    counts: Sequence[tuple[Topic, int]], per_page: int = TOPICS_PER_PAGE
) -> list[discord.Embed]:
    """Every topic that has articles, with its count, busiest first, in pages; how many
    topics have none is said, not listed."""
    ordered = sorted(
        ((topic, count) for topic, count in counts if count > 0),
        key=lambda pair: (-pair[1], pair[0].name.casefold()),
    )
    empty = len(counts) - len(ordered)
    left_out = (
        f"{plural(empty, 'topic')} with no articles yet {'is' if empty == 1 else 'are'} left out."
        if empty
        else ""
    )
    if not ordered:
        text = (
            "No topic has any articles yet: the library is empty."
            if counts
            else ("No topics yet: the library is empty.")
        )
        embed = discord.Embed(title="Topics", description=text, colour=COLOUR)
        return [limits.fit_embed(embed)]
    pages: list[discord.Embed] = []
    for start in range(0, len(ordered), per_page):
        lines = []
        for topic, count in ordered[start : start + per_page]:
            line = f"**{fit(topic.name, 100)}**: {plural(count, 'article')}"
            if getattr(topic, "description", ""):
                line += f"\n{fit(topic.description, 150)}"
            lines.append(line)
        if left_out:
            lines.append(f"\n*{left_out}*")
        pages.append(discord.Embed(title="Topics", description="\n".join(lines), colour=COLOUR))
    note = f"{plural(len(ordered), 'topic')} · /digest topic:<name> for a digest"
    return _with_page_footers(pages, note)


def help_intro(articles: int) -> str:
    """What the bot does with the library it has (shared by every server it is in)."""
    return (
        f"I answer from a library of {plural(articles, 'news article')}, shared by every "
        "server I am in: I find the passages that match your words, write short digests "
        "on a topic with citations, and show whole articles. Typos are fine: I correct "
        "them and tell you what I understood."
    )


COMMAND_HELP: tuple[tuple[str, str], ...] = (
    (
        "/search query:<words> [article] [private]",
        "The best passages for your words, matches in **bold**, three per page; "
        "◀ ▶ turn pages. `article` limits the search to one article; "
        "`private:true` shows the results only to you.",
    ),
    (
        "/digest topic:<topic> [days]",
        "The main points on a topic, each with a numbered citation, and the sources. "
        "`days` (1–365) keeps only articles from the last N days.",
    ),
    (
        "/article article:<headline>",
        "One article: source, date, topics and a three-sentence summary, with a button "
        "to read the full text page by page.",
    ),
    ("/topics", "Every topic and how many articles it has."),
    ("/help", "This message."),
)


def help_embed(
    other_commands: Sequence[tuple[str, str]] = (),
    *,
    articles: int = 0,
    admin_groups: Sequence[tuple[str, str]] = (),
) -> discord.Embed:
    """What the bot does with its ``articles``, how to use each member command (and any
    others listed) and, for a moderator, the ``/admin`` groups."""
    embed = discord.Embed(title="newsbot", description=help_intro(articles), colour=COLOUR)
    for name, text in COMMAND_HELP:
        embed.add_field(name=name, value=text, inline=False)
    if other_commands:
        lines = "\n".join(f"/{name}: {fit(text, 100)}" for name, text in other_commands)
        embed.add_field(name="More commands", value=lines, inline=False)
    if admin_groups:
        lines = "\n".join(f"`/admin {name}`: {fit(text, 100)}" for name, text in admin_groups)
        embed.add_field(name="For moderators", value=lines, inline=False)
    embed.set_footer(text="Start typing an option to get suggestions.")
    return limits.fit_embed(embed)
