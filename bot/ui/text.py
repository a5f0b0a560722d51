"""Making text the bot did not write safe and short enough for Discord.

Article text and queries may hold markdown, mentions, masked links and sentences of any
length. Everything here escapes first and measures the escaped result, so a length limit
always holds for what Discord receives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, urlsplit

ELLIPSIS = "…"
ZWSP = "\u200b"

# `<@123>`, `<@&123>`, `<#123>`, `</cmd:1>`, `<:emoji:1>`, `<a:emoji:1>`, `<t:1>`: Discord
# renders these as pills, emoji or timestamps. A zero-width space after `<` shows them as
# the plain text the article wrote.
_ANGLE_TOKEN = re.compile(r"<(?=[@#/:]|a:|t:)")
_EVERYONE = re.compile(r"@(?=everyone|here)")
# Markdown the bot did not write is shown as typed: each marker gets a backslash. URLs are
# left alone (escaping would break them) and brackets are escaped too, so text can never
# form a masked link `[text](url)` that disguises where it leads.
_URL = r"<[^: >]+:/[^ >]+>|https?://[^\s<]+[^<.,:;\"'\]\s]"
_MARKDOWN = re.compile(
    rf"(?P<url>{_URL})|(?P<char>[\\*_~|`\[\]])|^(?P<indent>[ \t]*)(?P<line>>|#{{1,3}}|-)",
    re.MULTILINE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"
_WHITESPACE = re.compile(r"\s")
_PARAGRAPHS = re.compile(r"\n\s*\n")


def neutralize_mentions(text: str) -> str:
    """Show mentions, ``@everyone`` and other ``<…>`` tokens as plain text, never as pings."""
    return _ANGLE_TOKEN.sub("<" + ZWSP, _EVERYONE.sub("@" + ZWSP, text))


def escape(text: str) -> str:
    """Escape markdown, masked links and mentions in text the bot did not write."""
    return neutralize_mentions(_MARKDOWN.sub(_escape_match, text))


def _escape_match(match: re.Match[str]) -> str:
    if match["url"]:
        return match["url"]
    if match["char"]:
        return "\\" + match["char"]
    return match["indent"] + "\\" + match["line"]


def shorten(text: str, limit: int, placeholder: str = ELLIPSIS) -> str:
    """Cut raw ``text`` to at most ``limit`` characters at a sentence or word boundary.

    A cut text ends with ``placeholder`` so readers see that something was left out.
    """
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit <= len(placeholder):
        return placeholder[:limit]
    budget = limit - len(placeholder) - 1  # room for a space before the placeholder
    window = text[: budget + 1]
    sentence_cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
    if sentence_cut and sentence_cut <= budget and sentence_cut >= budget // 2:
        return text[:sentence_cut].rstrip() + " " + placeholder
    word_cut = max((m.start() for m in _WHITESPACE.finditer(window)), default=0)
    if word_cut >= budget * 6 // 10:
        return text[:word_cut].rstrip() + placeholder
    return text[: limit - len(placeholder)] + placeholder


def fit(text: str, limit: int, *, render: Callable[[str], str] = escape) -> str:
    """``render(text)`` shortened at a boundary so the rendered result has ≤ ``limit`` chars."""
    rendered = render(text)
    if len(rendered) <= limit:
        return rendered
    budget = min(len(text), limit)
    while budget > 0:
        candidate = shorten(text, budget)
        if candidate == text:
            rendered = render(text)
        else:
            rendered = render(candidate[: -len(ELLIPSIS)]) + ELLIPSIS
        if len(rendered) <= limit:
            return rendered
        budget -= max(1, len(rendered) - limit)
    return ELLIPSIS[:limit]


def _merge_spans(spans: Iterable[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Valid, whitespace-trimmed, sorted and merged spans into ``text``."""
    cleaned: list[tuple[int, int]] = []
    for raw_start, raw_end in spans:
        start, end = max(0, int(raw_start)), min(len(text), int(raw_end))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            cleaned.append((start, end))
    cleaned.sort()
    merged: list[tuple[int, int]] = []
    for start, end in cleaned:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _render_spans(text: str, spans: list[tuple[int, int]]) -> str:
    parts: list[str] = []
    position = 0
    for start, end in spans:
        if start > position:
            parts.append(escape(text[position:start]))
        # Escaping each piece on its own keeps the bold markers outside any escape.
        parts.append("**" + escape(text[start:end]) + "**")
        position = end
    if position < len(text):
        parts.append(escape(text[position:]))
    return neutralize_mentions("".join(parts))


def highlight(text: str, spans: Iterable[tuple[int, int]], limit: int | None = None) -> str:
    """``text`` escaped, with the characters in ``spans`` in bold, within ``limit`` chars.

    Spans are ``(start, end)`` offsets into the raw ``text``; out-of-range, empty and
    overlapping spans are tolerated. When the result is too long, a window around the
    first highlighted span is kept, cut at word boundaries and marked with ``…``.
    """
    merged = _merge_spans(spans, text)
    rendered = _render_spans(text, merged)
    if limit is None or len(rendered) <= limit:
        return rendered
    if limit <= len(ELLIPSIS) * 2:
        return ELLIPSIS[:limit]
    anchor = merged[0][0] if merged else 0
    width = limit
    while width > 0:
        start = max(0, anchor - width // 4)
        if start > 0:
            space = text.find(" ", start, anchor)
            start = space + 1 if space != -1 else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start + width // 2 else end
        window = [(max(s, start) - start, min(e, end) - start) for s, e in merged]
        body = _render_spans(text[start:end], _merge_spans(window, text[start:end]))
        result = (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(text) else "")
        if len(result) <= limit:
            return result
        width -= max(1, len(result) - limit)
    return ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL Discord will accept, else ``None``."""
    if not url or len(url) > 2000 or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def link(label: str, url: str | None) -> str:
    """A masked link ``[label](url)`` when ``url`` is safe, else ``label`` alone.

    ``label`` must already be escaped; the URL's parentheses and angle brackets are
    percent-encoded so they cannot end the link early.
    """
    safe = safe_url(url)
    if safe is None:
        return label
    return f"[{label}]({quote(safe, safe=_URL_SAFE)})"


def sentences_of(text: str) -> list[str]:
    """``text`` cut after each sentence-ending mark (closing quotes stay with it)."""
    pieces: list[str] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[position : match.end()].strip()
        if piece:
            pieces.append(piece)
        position = match.end()
    rest = text[position:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def split_pages(text: str, limit: int) -> list[str]:
    """Escaped pages of ≤ ``limit`` chars, cut at paragraph, then sentence, then word ends."""
    pieces: list[tuple[str, str]] = []  # (separator before, raw text)
    for paragraph in _PARAGRAPHS.split(text.strip()):
        paragraph = paragraph.strip()
        for n, piece in enumerate(_split_unit(paragraph, limit) if paragraph else ()):
            pieces.append((" " if n else "\n\n", piece))
    return [escape(chunk) for chunk in _pack(pieces, limit)]


def _pack(pieces: Iterable[tuple[str, str]], limit: int) -> list[str]:
    """Greedily join ``(separator, text)`` pieces into raw chunks that escape to ≤ ``limit``.

    Escaping is local to characters and never reaches across whitespace, so a chunk's
    escaped size is at most the sum of its pieces' (each measured with its separator);
    pieces of one word joined without a separator may gain a zero-width space at the seam.
    """
    chunks: list[str] = []
    current, size = "", 0
    for separator, piece in pieces:
        if current:
            extra = len(escape(separator + piece)) + (0 if separator else 1)
            if size + extra <= limit:
                current, size = current + separator + piece, size + extra
                continue
            chunks.append(current)
        current, size = piece, len(escape(piece))
    if current:
        chunks.append(current)
    return chunks


def _split_unit(text: str, limit: int) -> list[str]:
    """``text`` as pieces that escape to ≤ ``limit``: sentences, words, then chunks."""
    if len(escape(text)) <= limit:
        return [text]
    sentences = sentences_of(text)
    if len(sentences) > 1:
        return [piece for s in sentences for piece in _split_unit(s, limit)]
    words: list[tuple[str, str]] = []
    for word in text.split():
        if len(escape(word)) <= limit:
            words.append((" ", word))
            continue
        # Escaping at most doubles a character (a backslash or a zero-width space).
        size = max(1, limit // 2)
        words.extend(("", word[i : i + size]) for i in range(0, len(word), size))
    return _pack(words, limit)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and ``noun`` agreeing: "1 search", "2 searches", "1,200 articles"."""
    if count == 1:
        return f"1 {noun}"
    if many is None:
        many = noun + ("es" if noun.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return f"{count:,} {many}"
