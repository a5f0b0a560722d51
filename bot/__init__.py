"""newsbot: a Discord bot that turns a library of news articles into answers."""

__version__ = "0.1.0"
