"""The article library: loading files, cleaning text, splitting sentences."""

from bot.corpus.model import Article, Rejection, ReloadReport

__all__ = ["Article", "Rejection", "ReloadReport"]
