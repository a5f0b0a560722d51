"""Alerts without Discord: which new feed articles a channel wants (``match``) and the
runner that posts each exactly once through the ledger (``delivery``)."""

from bot.alerts.delivery import (
    NOT_WANTED,
    AlertOutcome,
    AlertRunner,
    AlertSender,
    ChannelPacer,
    alert_nonce,
)
from bot.alerts.match import (
    MAX_FILTER_CHARS,
    MAX_KEYWORDS,
    FilterError,
    KeywordFilter,
    describe_filters,
    parse_keywords,
)

__all__ = [
    "MAX_FILTER_CHARS",
    "MAX_KEYWORDS",
    "NOT_WANTED",
    "AlertOutcome",
    "AlertRunner",
    "AlertSender",
    "ChannelPacer",
    "FilterError",
    "KeywordFilter",
    "alert_nonce",
    "describe_filters",
    "parse_keywords",
]
