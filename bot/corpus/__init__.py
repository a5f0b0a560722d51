"""The article library: loading files, cleaning text, splitting sentences."""

from bot.corpus.clean import clean_text
from bot.corpus.library import Library, LibraryError
from bot.corpus.loaders import SUPPORTED_SUFFIXES, ParseOutcome, parse_bytes
from bot.corpus.model import Article, Rejection, ReloadReport
from bot.corpus.sentences import split_sentences

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Article",
    "Library",
    "LibraryError",
    "ParseOutcome",
    "Rejection",
    "ReloadReport",
    "clean_text",
    "parse_bytes",
    "split_sentences",
]
