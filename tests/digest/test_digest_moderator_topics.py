"""A moderator's topic keywords match as whole words, never by resemblance to other words."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.corpus.clean import clean_text
from bot.corpus.model import Article
from bot.corpus.sentences import split_sentences
from bot.digest import TopicModel, build_digest, guild_topic, load_catalogue
from bot.search import SearchIndex
from bot.text import singular, tokenize

BBC = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc-news-2225"
FERRIES = guild_topic("Ferries", keywords=["ferry", "ferries", "crossing", "port"])


def article(article_id: str, title: str, *sentences: str) -> Article:
    return Article(id=article_id, title=title, body=" ".join(sentences), sentences=sentences)


LIBRARY = [
    article("ferry", "Night ferry returns", "The night ferry made three crossings.", "Late."),
    article("race", "Cross-country win", "She won the cross-country race.", "They crossed."),
    article("ports", "Ports expand", "Two ports will expand their docks."),
    article("portugal", "Portugal votes", "Portugal held an election.", "Turnout was high."),
]


def test_keywords_match_whole_words_and_plurals_not_stems_or_lookalikes() -> None:
    model = TopicModel.build(LIBRARY, load_catalogue())
    found = [a for a, _score in model.articles_for(FERRIES, [FERRIES])]
    assert sorted(found) == ["ferry", "ports"]


def test_a_misspelt_topic_name_still_finds_the_topic() -> None:
    model = TopicModel.build(LIBRARY, load_catalogue())
    assert model.resolve("Feries", [FERRIES]) == FERRIES


def test_singular_folds_plurals_only() -> None:
    assert singular("ferries") == "ferry"
    assert singular("ports") == singular("port") == "port"
    assert singular("crossings") == "crossing" != singular("cross")
    assert singular("boxes") == "box" and singular("business") == "business"


def _bbc() -> list[Article]:
    out = []
    for path in sorted(BBC.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh)):
                sentences = tuple(split_sentences(clean_text(row["text"])))
                if sentences:
                    out.append(article(f"{path.stem}-{n}", sentences[0][:60], *sentences))
    return out


@pytest.mark.skipif(not BBC.is_dir(), reason="the BBC corpus is not beside the project")
def test_a_keyword_topic_digest_on_the_bbc_cites_only_articles_with_its_keywords() -> None:
    articles = _bbc()
    by_id = {a.id: a for a in articles}
    model = TopicModel.build(articles, load_catalogue())
    digest = build_digest(
        "Ferries",
        articles=by_id,
        index=SearchIndex.build(articles),
        topic_model=model,
        extra_topics=[FERRIES],
    )
    assert digest.matched_topic == "Ferries" and digest.points
    wanted = {singular(k) for k in FERRIES.keywords}
    for source in digest.sources:
        words = {singular(t) for s in by_id[source.article_id].sentences for t in tokenize(s)}
        assert words & wanted, source.title
    # The cross-country athletics pieces (cross ≠ crossing) are not among them.
    assert not any("cross country" in s.title.lower() for s in digest.sources)
