"""A topic model survives pickling (a warm-start snapshot) and answers as before."""

from __future__ import annotations

import pickle

from bot.digest import TopicModel, load_catalogue
from bot.digest.catalogue import guild_topic
from tests.support.digest_samples import ALL, make

CHIPS = guild_topic("Chips", keywords=["chip*", "semiconductor"])


def test_a_pickled_model_answers_and_updates_as_the_original() -> None:
    model = TopicModel.build(ALL, load_catalogue())
    model.articles_for(CHIPS)  # caches filled before pickling travel too
    back = pickle.loads(pickle.dumps(model))
    for article in ALL:
        assert back.topics_of(article.id) == model.topics_of(article.id)
    assert back.articles_for(CHIPS) == model.articles_for(CHIPS) != []
    extra = make("fab", "New chip fab opens", ("The chip plant makes semiconductors.",))
    assert back.updated([extra], []).articles_for(CHIPS) == model.updated([extra], []).articles_for(
        CHIPS
    )
