"""Markdown article bodies to plain text: the words a reader sees, without the markup.

Just enough Markdown for news written by hand: headings, emphasis, links and images, lists,
block quotes, code fences, rules, and soft-wrapped paragraphs (joined, so that a sentence
wrapped at 80 columns stays one sentence). Not a full CommonMark implementation.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING_MARK = re.compile(r"\s{0,3}#{1,6}+(?:\s++|$)")
_CLOSING_HASHES = re.compile(r"\s#++$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*+){3,}|(?:\*\s*+){3,}|(?:_\s*+){3,}|(?:=\s*+){3,})$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_LIST_ITEM = re.compile(r"^\s*+(?:[-*+]|\d{1,9}[.)])\s+")
# Matched against the stripped line: two adjacent optional runs of spaces around an optional
# "|" made the unstripped pattern quadratic on a long line of spaces.
_TABLE_RULE = re.compile(r"\|?:?-{3,}+:?(?:\s*+\|\s*+:?-{3,}+:?)*+\s*+\|?")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")

# Every pattern below is linear in its line: bracketed text may hold one level of nested
# brackets and a link target one level of parentheses (``Foo_(bar)``, as CommonMark
# allows), and neither may run into the next "[" or "(" beyond that, so a long run of "["
# or "](" is scanned a bounded number of times instead of once per position.
_TEXT = r"(?:[^\[\]]|\[[^\[\]]*+\])"
_TARGET = r"\((?:[^()]++|\([^()]*+\))*+\)"
_INLINE = (
    (re.compile(rf"!\[({_TEXT}*+)\]{_TARGET}"), r"\1"),  # image → alt text
    (re.compile(rf"\[({_TEXT}++)\]{_TARGET}"), r"\1"),  # [text](url) → text
    (re.compile(rf"\[({_TEXT}++)\]\[[^\[\]]*+\]"), r"\1"),  # [text][ref] → text
    (re.compile(r"<((?:https?|mailto):[^<>\s]++)>"), r"\1"),  # <autolink>
    (re.compile(r"`([^`]+)`"), r"\1"),
)
# Emphasis: (opening delimiter, closing delimiter, delimiter length), paired by ``_unwrap``.
_EMPHASIS = (
    (re.compile(r"\*\*(?=\S)"), re.compile(r"(?<=\S)\*\*"), 2),
    (re.compile(r"(?<!\w)__(?=\S)"), re.compile(r"(?<=\S)__(?!\w)"), 2),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])"), re.compile(r"(?<=[^\s*])\*(?![\w*])"), 1),
    (re.compile(r"(?<!\w)_(?=[^\s_])"), re.compile(r"(?<=[^\s_])_(?!\w)"), 1),
    (re.compile(r"~~(?=\S)"), re.compile(r"(?<=\S)~~"), 2),
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")


def _unwrap(text: str, opening: re.Pattern[str], closing: re.Pattern[str], size: int) -> str:
    """Remove paired emphasis delimiters, as ``opening(.+?)closing`` substituted would.

    That regex retried from every later opener once one found no closer, which is
    quadratic on a line of openers; here the search for a closer resumes where the last
    one stopped, and once an opener has no closer after it no later one can have either.
    """
    parts: list[str] = []
    pos = 0
    while True:
        start = opening.search(text, pos)
        if start is None:
            break
        end = closing.search(text, start.end() + 1)
        if end is None:
            break
        parts += [text[pos : start.start()], text[start.end() : end.start()]]
        pos = end.start() + size
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _strip_comments(markdown: str) -> str:
    """``markdown`` without ``<!-- … -->`` comments (an unclosed one runs to the end)."""
    if "<!--" not in markdown:
        return markdown
    parts: list[str] = []
    pos = 0
    while (start := markdown.find("<!--", pos)) != -1:
        parts.append(markdown[pos:start])
        end = markdown.find("-->", start + 4)
        if end == -1:
            # As the regex did: an unclosed comment is left as text.
            pos = start
            break
        pos = end + 3
    parts.append(markdown[pos:])
    return "".join(parts)


def _heading(line: str) -> str | None:
    """The text of an ATX heading line (``## Title ##`` → ``Title``), else None."""
    mark = _HEADING_MARK.match(line)
    if mark is None:
        return None
    text = line[mark.end() :].strip()
    closing = _CLOSING_HASHES.search(text)
    if closing is not None:
        text = text[: closing.start()].rstrip()
    return text


def inline_to_text(text: str) -> str:
    """Strip inline Markdown (links, emphasis, code) from one line."""
    if not any(ch in text for ch in "[*_`~<\\"):
        return text
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    for opening, closing, size in _EMPHASIS:
        text = _unwrap(text, opening, closing, size)
    return _ESCAPE.sub(r"\1", text)


def heading_text(line: str) -> str:
    """A line with any leading ``#`` heading marks and inline Markdown removed."""
    heading = _heading(line)
    return inline_to_text(line if heading is None else heading).strip()


def markdown_to_text(markdown: str) -> str:
    """Plain text of a Markdown body; paragraphs separated by one blank line."""
    markdown = _strip_comments(markdown)
    blocks: list[list[str]] = [[]]  # paragraphs, each a list of output lines

    def new_block() -> None:
        if blocks[-1]:
            blocks.append([])

    in_code = False
    joinable = False  # whether the next plain line continues the current line
    for raw in markdown.split("\n"):
        if _FENCE.match(raw):
            in_code = not in_code
            new_block()
            joinable = False
            continue
        if in_code:
            blocks[-1].append(raw.rstrip())
            continue
        line = _QUOTE.sub("", raw)
        stripped = line.strip()
        if not stripped or _RULE.match(line) or _TABLE_RULE.fullmatch(stripped):
            new_block()
            joinable = False
            continue
        if _REF_DEF.match(line):
            continue
        heading = _heading(line)
        if heading is not None:
            new_block()
            blocks[-1].append(inline_to_text(heading))
            new_block()
            joinable = False
            continue
        hard_break = raw.endswith(("  ", "\\"))
        item = _LIST_ITEM.match(line)
        text = inline_to_text(line[item.end() :] if item else line).strip().rstrip("\\")
        if joinable and not item and blocks[-1]:
            blocks[-1][-1] = f"{blocks[-1][-1]} {text}"
        else:
            blocks[-1].append(text)
        joinable = not hard_break
    return "\n\n".join("\n".join(block) for block in blocks if block)
