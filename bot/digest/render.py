"""Plain-text rendering of a digest that always fits Discord's limits."""

from __future__ import annotations

from bot.digest.digest import Digest, DigestPoint
from bot.digest.text import trim

MAX_SOURCE_CHARS = 300
_MIN_POINT_CHARS = 40


def render_digest_text(d: Digest, max_chars: int = 4000) -> str:
    """``d`` as numbered points with ``[n]`` citations and a sources list, ≤ ``max_chars``.

    Sources get at most half the room; when the points do not fit in the rest, the longest
    are shortened first, at a sentence or word boundary, with "…". If even that cannot fit
    (a tiny ``max_chars``), points are dropped from the end. An empty digest says so and
    names the closest topics that have articles.
    """
    max_chars = max(max_chars, 100)
    since = f" since {d.since.isoformat()}" if d.since else ""
    if not d.points:
        lines = [f"No articles about {d.topic or 'that'}{since}."]
        if d.closest:
            lines.append("Closest topics with articles: " + ", ".join(d.closest))
        return (
            trim("\n".join(lines), max_chars)
            if sum(map(len, lines)) + 1 > max_chars
            else ("\n".join(lines))
        )
    header = trim(f"Digest: {d.matched_topic or d.topic}{since}", 200)
    points = list(d.points)
    while True:
        text = _render(d, header, points, max_chars)
        if len(text) <= max_chars or len(points) == 1:
            return text if len(text) <= max_chars else trim(text, max_chars)
        points.pop()


def _render(d: Digest, header: str, points: list[DigestPoint], max_chars: int) -> str:
    cited: list[str] = []
    for p in points:
        if p.article_id not in cited:
            cited.append(p.article_id)
    by_id = {s.article_id: s for s in d.sources}
    source_room = min(MAX_SOURCE_CHARS, (max_chars // 2) // len(cited) - 1)
    sources = ["Sources:"]
    for n, article_id in enumerate(cited, 1):
        source = by_id.get(article_id)
        title = source.title if source else article_id
        where = (source.url if source else None) or article_id
        sources.append(trim(f"[{n}] {title} — {where}", source_room))
    prefixes = [f"{i}. " for i in range(1, len(points) + 1)]
    suffixes = [f" [{cited.index(p.article_id) + 1}]" for p in points]
    fixed = len(header) + 2 + len("\n".join(sources)) + 2  # the blank lines around points
    fixed += sum(len(a) + len(b) + 1 for a, b in zip(prefixes, suffixes, strict=True))
    allowances = _share(max_chars - fixed, [len(p.text) for p in points])
    lines = [
        f"{pre}{trim(p.text, room)}{suf}"
        for pre, p, room, suf in zip(prefixes, points, allowances, suffixes, strict=True)
    ]
    return "\n".join([header, "", *lines, "", *sources])


def _share(room: int, wants: list[int]) -> list[int]:
    """Split ``room`` characters among texts wanting ``wants``: short ones whole, the longest
    cut to an equal share (water-filling); never below a readable minimum."""
    order = sorted(range(len(wants)), key=lambda i: wants[i])
    out = [0] * len(wants)
    left, remaining = room, len(wants)
    for i in order:
        fair = max(left // remaining, _MIN_POINT_CHARS)
        out[i] = min(wants[i], fair)
        left -= out[i]
        remaining -= 1
    return out
