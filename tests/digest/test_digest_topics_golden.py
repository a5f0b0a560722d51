"""Topic scores on real news stay exactly what they were when the model kept token strings.

The fixture was written by the string-keeping model (before documents became token ids);
any change to how articles are stored must leave every score and assignment as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.corpus import parse_bytes
from bot.digest import TopicModel, load_catalogue
from bot.digest.catalogue import Topic, guild_topic

BBC_100 = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bbc-news-100" / "article"
GOLDEN = Path(__file__).parent / "fixtures" / "bbc100_topic_scores.json"

# Server topics scored on demand: words, plurals, a prefix, phrases, a prefix in a phrase.
EXTRA = (
    guild_topic("Phones", keywords=["mobile phone", "handset", "phones"]),
    guild_topic("Money", keywords=["invest*", "interest rate*", "shares"]),
    guild_topic("Elections", keywords=["election", "prime minister", "vote"]),
    guild_topic("Tech", keywords=["broadband", "software", "games console", "computer*"]),
    Topic(name="Cinema", keywords=("film", "box office", "oscar*", "director")),
)


def _scores() -> dict[str, object]:
    articles = []
    for path in sorted(BBC_100.rglob("*.txt")):
        name = path.relative_to(BBC_100).as_posix()
        articles.extend(parse_bytes(name, path.read_bytes()).articles)
    model = TopicModel.build(articles, load_catalogue())
    return {
        "topics_of": {a.id: model.topics_of(a.id) for a in articles},
        "extra": {t.name: model.articles_for(t) for t in EXTRA},
    }


@pytest.mark.skipif(not BBC_100.is_dir(), reason="the BBC 100 corpus is not on this machine")
def test_bbc_100_topic_scores_are_unchanged() -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # JSON has lists where the model has tuples: compare through the same encoding.
    assert json.loads(json.dumps(_scores())) == expected


if __name__ == "__main__":  # regenerate (only when scores are meant to change)
    GOLDEN.write_text(json.dumps(_scores(), indent=0, sort_keys=True) + "\n", encoding="utf-8")
