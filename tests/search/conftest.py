"""Fixtures for the search tests: the seed article and a few others, indexed."""

from __future__ import annotations

import pytest

from bot.corpus.model import Article
from bot.search import SearchIndex
from tests.support.search_samples import other_articles, seed_article


@pytest.fixture(scope="session")
def seed() -> Article:
    return seed_article()


@pytest.fixture(scope="session")
def articles(seed: Article) -> list[Article]:
    return [seed, *other_articles()]


@pytest.fixture(scope="session")
def index(articles: list[Article]) -> SearchIndex:
    return SearchIndex.build(articles)
