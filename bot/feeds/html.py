"""HTML (a feed item's content or summary) to plain paragraphs, with the standard library's
HTML parser: tags dropped, entities decoded, block elements turned into paragraph breaks,
scripts, styles and other non-text elements skipped. Linear in the input; no recursion, so
a deeply nested item costs no more than a flat one."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements whose end (and start) separates paragraphs.
_BLOCKS = frozenset(
    """address article aside blockquote dd details div dl dt figcaption figure footer form h1
    h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr
    ul""".split()  # noqa: SIM905 - a word list
)
# Elements whose content is not text a reader sees.
_SKIPPED = frozenset("script style noscript template head svg math iframe object".split())  # noqa: SIM905
_CELLS = frozenset({"td", "th"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping.append(tag)
        elif self._skipping:
            return
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            return  # <script/> holds nothing to skip
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.pop()
            return
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment, paragraphs separated by blank lines (not yet cleaned:
    pass the result through ``bot.corpus.clean.clean_text``)."""
    if "<" not in markup and "&" not in markup:
        return markup
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.parts)
