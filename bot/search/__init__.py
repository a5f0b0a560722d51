"""Typo-tolerant excerpt search over articles, and autocomplete for the Discord layer."""

from bot.search.complete import Completer, complete
from bot.search.index import SearchIndex
from bot.search.model import Hit, IndexStats, SearchResult

__all__ = ["Completer", "Hit", "IndexStats", "SearchIndex", "SearchResult", "complete"]
