"""The limits and defaults more than one part of the bot enforces, each written once.

Part of the core (no Discord): the store, the service, the CLI and the slash commands all
import these, so a check, an option's range and its help text cannot drift apart.
(Discord's own limits, for messages and embeds, are in ``bot.ui.limits``.)
"""

from __future__ import annotations

# The largest article file read from the folder or uploaded (``MAX_ARTICLE_BYTES`` sets it).
MAX_ARTICLE_BYTES = 5_000_000

# Seconds one article file may take to parse before it is stopped and rejected
# (``PARSE_TIMEOUT_SECONDS`` sets it).
DEFAULT_PARSE_TIMEOUT = 5.0

# Points in a digest: a scheduled one (a server's ``digest_points``), or ``newsbot digest``.
MIN_DIGEST_POINTS = 1
MAX_DIGEST_POINTS = 25
DEFAULT_DIGEST_POINTS = 8

# How many days back a scheduled digest looks (a server's ``digest_days``).
MIN_DIGEST_DAYS = 1
MAX_DIGEST_DAYS = 3650
DEFAULT_DIGEST_DAYS = 7

# The longest topic name a command or a schedule accepts.
MAX_TOPIC_CHARS = 100
