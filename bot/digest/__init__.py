"""Topics, digests and article summaries: a pure core with no Discord types.

``load_catalogue`` reads the shipped topics; ``TopicModel`` says which articles are about
which topics; ``build_digest`` makes a cited digest of a topic; ``summarize`` picks the
sentences that best stand for one article; ``render_digest_text`` prints a digest within
Discord's size limits.
"""

from bot.digest.catalogue import CatalogueError, Topic, guild_topic, load_catalogue
from bot.digest.digest import ALL_TOPICS, Digest, DigestPoint, DigestSource, build_digest
from bot.digest.render import render_digest_text
from bot.digest.summarize import summarize
from bot.digest.topics import TopicModel

__all__ = [
    "ALL_TOPICS",
    "CatalogueError",
    "Digest",
    "DigestPoint",
    "DigestSource",
    "Topic",
    "TopicModel",
    "build_digest",
    "guild_topic",
    "load_catalogue",
    "render_digest_text",
    "summarize",
]
