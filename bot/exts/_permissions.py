"""What the bot needs in a channel to post a digest, and naming what it lacks."""

from __future__ import annotations

from collections.abc import Sequence

import discord

# Permissions a scheduled digest needs in its channel (history only for recovery).
POST_PERMISSIONS = ("view_channel", "send_messages", "embed_links")


def permission_names(names: Sequence[str]) -> str:
    """``("view_channel", "embed_links")`` → ``"View Channel, Embed Links"``."""
    return ", ".join(name.replace("_", " ").title() for name in names)


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    """The ``POST_PERMISSIONS`` the bot lacks in ``channel``."""
    allowed = channel.permissions_for(me)
    return [name for name in POST_PERMISSIONS if not getattr(allowed, name)]
