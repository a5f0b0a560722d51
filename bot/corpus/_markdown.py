"""Markdown article bodies to plain text: the words a reader sees, without the markup.

Just enough Markdown for news written by hand: headings, emphasis, links and images, lists,
block quotes, code fences, rules, and soft-wrapped paragraphs (joined, so that a sentence
wrapped at 80 columns stays one sentence). Not a full CommonMark implementation.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|(?:=\s*){3,})$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image → alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url) → text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref] → text
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # <autolink>
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])"), r"\1"),  # backslash escapes
)


def inline_to_text(text: str) -> str:
    """Strip inline Markdown (links, emphasis, code) from one line."""
    if not any(ch in text for ch in "[*_`~<\\"):
        return text
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def heading_text(line: str) -> str:
    """A line with any leading ``#`` heading marks and inline Markdown removed."""
    match = _HEADING.match(line)
    return inline_to_text(match.group(1) if match else line).strip()


def markdown_to_text(markdown: str) -> str:
    """Plain text of a Markdown body; paragraphs separated by one blank line."""
    markdown = _HTML_COMMENT.sub("", markdown)
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
        if not line.strip() or _RULE.match(line) or _TABLE_RULE.match(line):
            new_block()
            joinable = False
            continue
        if _REF_DEF.match(line):
            continue
        heading = _HEADING.match(line)
        if heading:
            new_block()
            blocks[-1].append(inline_to_text(heading.group(1)))
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
