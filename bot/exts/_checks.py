"""Per-member cooldowns for the commands that do real work."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from discord import app_commands

T = TypeVar("T")


def per_user_cooldown(rate: int = 3, per: float = 10.0) -> Callable[[T], T]:
    """Allow each member ``rate`` uses of a command per ``per`` seconds.

    discord.py's own check, keyed by user (not by guild), so a member is limited the same
    way in every server and in DMs. It measures time from the interaction's own timestamp.
    """
    return app_commands.checks.cooldown(rate, per, key=lambda interaction: interaction.user.id)
