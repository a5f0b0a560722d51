"""Who may use ``/admin``, and the audit trail every admin command leaves.

Two guards, set together by ``moderator_only`` (the RoboDanny pattern): Discord hides the
commands from members without Manage Server (``default_permissions``), and a check runs
again on every use, because a server can re-grant the commands to anyone in its settings.
At run time a moderator is a member with Manage Server *or* the server's configured
moderator role (Red-DiscordBot's "permission or role": a role alone confuses new servers).
A refusal is ephemeral, changes nothing, and is written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.corpus.uploads import ArticleFileError
from bot.errors import UserFacingError
from bot.schedule import ScheduleError
from bot.store import AuditResult, DatabaseFileGone, Store, StoreError

if TYPE_CHECKING:
    from bot.app import NewsBot

_log = logging.getLogger(__name__)

T = TypeVar("T")

NOT_MODERATOR = (
    "Only moderators can use /admin: it needs the Manage Server permission{role}. "
    "Nothing was changed."
)
NO_STORE = "The bot's database is not open yet; try again in a moment."
CHECK_FAILED = (
    "I could not check whether you are a moderator: the bot's database did not answer. "
    "Nothing was changed; please try again in a moment."
)
LIBRARY_ONLY = (
    "The article library is shared by every server this bot is in, so only moderators of "
    "the servers listed in the bot's LIBRARY_GUILD_IDS setting (or the bot's owner) can "
    "change it. Nothing was changed."
)
MANAGE_SERVER_ONLY = (
    "Only members with the Manage Server permission can change who the moderators are. "
    "Nothing was changed."
)
# Errors whose message is written for a person: shown as they are, audited as "error".
_EXPLAINED = (UserFacingError, StoreError, ScheduleError, ArticleFileError)


class NotModerator(UserFacingError, app_commands.CheckFailure):
    """The member may not use admin commands; the message says what is needed."""


def store_of(bot: NewsBot) -> Store:
    """The bot's open store, or a ``UserFacingError`` while it is not open."""
    store = bot.store
    if store.closed:  # only while the bot shuts down
        raise UserFacingError(NO_STORE)
    return store


def action_of(interaction: discord.Interaction) -> str:
    """The audit action for a command: ``/admin schedule add`` → ``schedule.add``."""
    command = interaction.command
    if command is None:
        return "admin"
    parts = command.qualified_name.split()
    return ".".join(parts[1:] if parts[:1] == ["admin"] and len(parts) > 1 else parts)


def options_of(interaction: discord.Interaction) -> dict[str, str]:
    """The options a member gave, as short text (never an attachment's content)."""
    shown: dict[str, str] = {}
    for name, value in iter(interaction.namespace):
        if isinstance(value, discord.Attachment):
            shown[name] = f"{value.filename} ({value.size} bytes)"
        elif hasattr(value, "id"):
            shown[name] = f"{getattr(value, 'name', '')} ({value.id})".strip()
        else:
            shown[name] = str(value)[:200]
    return shown


async def is_moderator(bot: NewsBot, member: discord.abc.User, guild: discord.Guild) -> bool:
    """Manage Server (administrators and the owner have it), or the moderator role."""
    if not isinstance(member, discord.Member):
        member = guild.get_member(member.id) or member
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    settings = await bot.store.guilds.get(guild.id)
    role_id = settings.moderator_role_id
    return role_id is not None and any(role.id == role_id for role in member.roles)


async def record(
    bot: NewsBot,
    interaction: discord.Interaction,
    result: AuditResult,
    details: Mapping[str, Any] | str | None = None,
    *,
    action: str | None = None,
) -> None:
    """Write one audit entry for ``interaction``; a failure to write is logged, not raised."""
    if interaction.guild_id is None:
        _log.warning("not audited (not in a server): %s %s", action_of(interaction), result)
        return
    try:
        await bot.store.audit.record(
            interaction.guild_id,
            interaction.user.id,
            action or action_of(interaction),
            details=details,
            result=result,
            now=discord.utils.utcnow(),
        )
    except DatabaseFileGone:
        # The store has already told the operator, once; a traceback per entry adds nothing.
        _log.warning("not audited (database file gone): %s %s", action_of(interaction), result)
    except StoreError:
        _log.exception("could not write the audit entry for %s", action_of(interaction))


async def require_moderator(interaction: discord.Interaction) -> bool:
    """The run-time guard: True for moderators; otherwise audit and raise ``NotModerator``."""
    bot: NewsBot = interaction.client  # type: ignore[assignment]
    guild = interaction.guild
    if guild is None:
        raise app_commands.NoPrivateMessage()
    try:
        if await is_moderator(bot, interaction.user, guild):
            return True
        await record(bot, interaction, "refused", {"options": options_of(interaction)})
        role = await _role_hint(bot, guild)
    except StoreError:
        _log.exception("could not check the moderator rights of user %s", interaction.user.id)
        raise UserFacingError(CHECK_FAILED) from None
    raise NotModerator(NOT_MODERATOR.format(role=role))


async def require_library_access(bot: NewsBot, interaction: discord.Interaction) -> None:
    """Refuse (audited) a change to the shared article library unless it is allowed here.

    Allowed to a moderator (already checked) of a server in ``LIBRARY_GUILD_IDS``, and to
    the bot's owner anywhere; a server anyone can create must not change what all see.
    """
    if interaction.guild_id in bot.settings.library_guild_ids:
        return
    if await bot.is_owner(interaction.user):
        return
    details = {"options": options_of(interaction), "reason": "not a library server"}
    await record(bot, interaction, "refused", details)
    raise UserFacingError(LIBRARY_ONLY)


async def require_manage_guild(bot: NewsBot, interaction: discord.Interaction) -> None:
    """Refuse (audited) unless the member has Manage Server itself, not just the role."""
    member = interaction.user
    if not isinstance(member, discord.Member) and interaction.guild is not None:
        member = interaction.guild.get_member(member.id) or member
    if isinstance(member, discord.Member) and member.guild_permissions.manage_guild:
        return
    details = {"options": options_of(interaction), "reason": "needs Manage Server"}
    await record(bot, interaction, "refused", details)
    raise UserFacingError(MANAGE_SERVER_ONLY)


async def _role_hint(bot: NewsBot, guild: discord.Guild) -> str:
    role_id = (await bot.store.guilds.get(guild.id)).moderator_role_id
    role = guild.get_role(role_id) if role_id is not None else None
    return f" or the {discord.utils.escape_markdown(role.name)} role" if role else ""


def moderator_only() -> Callable[[T], T]:
    """Both guards in one decorator, for a command or a ``GroupCog`` class.

    Sets ``default_permissions(manage_guild=True)`` and ``guild_only``; adds
    ``require_moderator`` as a check (as the cog's ``interaction_check`` for a cog class,
    so it covers every subcommand of the group).
    """

    def decorator(obj: T) -> T:
        obj = app_commands.default_permissions(manage_guild=True)(obj)
        obj = app_commands.guild_only()(obj)
        if isinstance(obj, type):

            async def interaction_check(_cog: object, interaction: discord.Interaction) -> bool:
                return await require_moderator(interaction)

            obj.interaction_check = interaction_check  # type: ignore[attr-defined]
            return obj
        return app_commands.check(require_moderator)(obj)

    return decorator


async def moderator_choices(interaction: discord.Interaction) -> bool:
    """Whether autocomplete may show admin data (it runs no checks of its own)."""
    guild = interaction.guild
    if guild is None:
        return False
    try:
        return await is_moderator(interaction.client, interaction.user, guild)  # type: ignore[arg-type]
    except StoreError:
        return False


@asynccontextmanager
async def audited(
    bot: NewsBot, interaction: discord.Interaction, **details: Any
) -> AsyncIterator[dict[str, Any]]:
    """Audit the change made inside the block: "ok" when it ends normally, else "error".

    Yields the details dict, which the block may add to. An error with a message meant for
    a person (``UserFacingError``, ``StoreError``, ``ScheduleError``, ``ArticleFileError``)
    is recorded with that message and re-raised as a ``UserFacingError``.
    """
    note: dict[str, Any] = dict(details)
    try:
        yield note
    except _EXPLAINED as error:
        note["error"] = str(error)
        await record(bot, interaction, "error", note)
        if isinstance(error, UserFacingError):
            raise
        raise UserFacingError(_sentence(str(error))) from error
    except Exception as error:
        note["error"] = f"unexpected: {type(error).__name__}"
        await record(bot, interaction, "error", note)
        raise
    await record(bot, interaction, "ok", note)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "That did not work."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
