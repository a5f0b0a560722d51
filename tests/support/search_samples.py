"""Small articles built in code for the search tests (no loader, no shared corpora)."""

from __future__ import annotations

from pathlib import Path

from bot.corpus.model import Article

FIXTURES = Path(__file__).parent / "search_articles"


def make_article(article_id: str, title: str, *sentences: str, url: str | None = None) -> Article:
    """An article whose body is its sentences, one paragraph each."""
    return Article(
        id=article_id,
        title=title,
        body="\n\n".join(sentences),
        sentences=tuple(sentences),
        url=url,
    )


def seed_article() -> Article:
    """The Ruto–Trump seed article: headline, then one sentence per line.

    Its first sentence (the standfirst) is repeated as the fourth, as in the seed file.
    """
    lines = (FIXTURES / "ruto_trump_call.txt").read_text(encoding="utf-8").splitlines()
    sentences = [line.strip() for line in lines[1:] if line.strip()]
    return make_article("ruto-trump", lines[0].strip(), *sentences, url="https://example.org/ruto")


def other_articles() -> list[Article]:
    """A few short articles that share words with the seed but are about other things."""
    return [
        make_article(
            "football",
            "Late goal settles derby",
            "The football derby ended with a late goal.",
            "Fans of both clubs filled the stadium on Saturday.",
            "The manager praised the defence after the match.",
            "Football officials will review the referee's decisions.",
        ),
        make_article(
            "haiti-aid",
            "Aid reaches Haiti",
            "Aid flights reached Haiti on Monday.",
            "The mission of the agencies is to feed families.",
            "Security remains poor in the capital.",
        ),
        make_article(
            "cafe",
            "Café culture returns",
            "The café on the corner reopened after the storm.",
            "Its owner’s coffee was praised by the mayor.",
        ),
    ]
