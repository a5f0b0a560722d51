"""The simulated server a playground visitor walks into: one guild, one channel, two people."""

from __future__ import annotations

from dataclasses import dataclass

import discord
import simcord

GUILD_NAME = "newsbot playground"
CHANNEL_NAME = "news"
CHANNEL_TOPIC = (
    "Type / to try the bot: /search, /digest, /article, /topics, /help. "
    "Switch “Viewing as” to the moderator for /admin. "
    "Uploads here go to a copy of the library: your files are not changed."
)
MODERATOR_ROLE = "Moderators"
MEMBER_NAME = "Avery (member)"
MODERATOR_NAME = "Morgan (moderator)"
BOT_NAME = "newsbot"

# A fixed id lets a persistent DATABASE_PATH recognise the same playground server next time.
DEFAULT_GUILD_ID = 1_234_567_890_123_456_789


@dataclass(frozen=True)
class World:
    """Handles on what ``build_world`` created."""

    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    member: simcord.MemberActor
    moderator: simcord.MemberActor

    @property
    def viewers(self) -> tuple[simcord.MemberActor, simcord.MemberActor]:
        """Who the page may view as: the member first (the default), then the moderator."""
        return (self.member, self.moderator)


def build_world(env: simcord.Env, *, guild_id: int | None = None) -> World:
    """Create the playground guild, its ``#news`` channel, a member and a moderator."""
    guild = env.create_guild(GUILD_NAME, id=guild_id or DEFAULT_GUILD_ID)
    moderators = guild.create_role(
        MODERATOR_ROLE,
        # Manage Server: the permission that makes someone a moderator to newsbot (/admin).
        permissions=discord.Permissions(manage_guild=True),
        color=0x3BA55C,
        hoist=True,
    )
    channel = guild.create_text_channel(CHANNEL_NAME, topic=CHANNEL_TOPIC)
    member = guild.add_member(env.create_user("avery", global_name=MEMBER_NAME))
    moderator = guild.add_member(
        env.create_user("morgan", global_name=MODERATOR_NAME), roles=[moderators]
    )
    return World(guild=guild, channel=channel, member=member, moderator=moderator)
