"""Review fixes: the shared article library, deferred admin answers, Manage Server for the
moderator role, a failing moderator check, ties in /admin stats, and escaped notices."""

from __future__ import annotations

import discord
import simcord

from bot.exts._access import CHECK_FAILED, MANAGE_SERVER_ONLY
from bot.exts._posting import notice_text
from bot.store import StoreError
from tests.support.admin_sim import Newsroom, folder_snapshot
from tests.support.newsbot_sim import callback_types, refusals

LIBRARY_REFUSAL = "The article library is shared by every server this bot is in"


def other_server(room: Newsroom) -> tuple[simcord.ChannelHandle, simcord.MemberActor]:
    """A server anyone could have made, not in LIBRARY_GUILD_IDS, with its own moderator."""
    other = room.env.create_guild("Anyone's server")
    lobby = other.create_text_channel("lobby")
    admins = other.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    owner = other.add_member(room.env.create_user("mallory"), roles=[admins])
    return lobby, owner


async def test_a_moderator_of_an_unlisted_server_cannot_change_the_shared_library(
    room: Newsroom,
) -> None:
    lobby, stranger = other_server(room)
    before = folder_snapshot(room.settings.articles_dir)
    articles = set(room.bot.service.articles)
    attempts = {
        "admin article add": {"file": ("spam.txt", b"Spam\n\nBuy now, every server sees it.")},
        "admin article remove": {"article": "library-budget"},
        "admin reload": {},
    }

    for name, options in attempts.items():
        result = await stranger.slash(lobby, name, **options)
        assert result.ephemeral, name
        assert result.response.content.startswith(LIBRARY_REFUSAL), result.response.content
        assert "LIBRARY_GUILD_IDS" in result.response.content

    assert folder_snapshot(room.settings.articles_dir) == before
    assert set(room.bot.service.articles) == articles
    refused = await room.bot.store.audit.recent(lobby.guild.id, limit=10)
    assert sorted(e.action for e in refused if e.result == "refused") == [
        "article.add",
        "article.remove",
        "reload",
    ]
    assert len(refusals(room.env)) == 3


async def test_the_bots_owner_may_change_the_library_from_any_server(room: Newsroom) -> None:
    lobby, owner = other_server(room)
    room.bot.owner_id = owner.id  # what discord.py learns from the application's owner

    result = await owner.slash(lobby, "admin reload")

    assert result.ephemeral
    assert result.response.embeds, result.response.content
    assert refusals(room.env) == []


async def test_schedule_add_answers_thinking_before_it_saves(room: Newsroom) -> None:
    room.env.http_requests.clear()
    added = await room.admin("schedule add", channel=room.news, time="09:00")
    assert callback_types(room.env)[0] == 5  # deferred first: no retry, no duplicate
    assert added.ephemeral
    assert added.response.content.startswith("Scheduled digest **#1**")

    refused = await room.admin("schedule add", channel=room.news, time="25:99")
    assert refused.ephemeral
    assert "25:99" in refused.response.content  # a refusal still reaches the member
    refusals(room.env)
    assert len(await room.schedules()) == 1


async def test_stats_list_two_digests_due_at_the_same_moment(room: Newsroom) -> None:
    await room.admin("schedule add", channel=room.news, time="07:00", topic="Health")
    await room.admin("schedule add", channel=room.mod_log, time="07:00")

    stats = await room.admin("stats")

    fields = {f.name: f.value for f in stats.response.embeds[0].fields}
    upcoming = fields["Next scheduled digests"]
    assert upcoming.index("#1 Health") < upcoming.index("#2 ")
    assert refusals(room.env) == []


async def test_a_moderator_role_member_cannot_hand_out_admin(room: Newsroom) -> None:
    editors = room.guild.create_role("Editors")
    friends = room.guild.create_role("Friends")
    editor = room.guild.add_member(room.env.create_user("eden"), roles=[editors])
    room.grant_admin(editor)
    await room.admin("settings", moderator_role=editors)

    handed = await room.admin("settings", by=editor, moderator_role=friends)
    cleared = await room.admin("settings", by=editor, clear_moderator_role=True)

    for result in (handed, cleared):
        assert result.ephemeral
        assert result.response.content == MANAGE_SERVER_ONLY
    assert (await room.bot.store.guilds.get(room.guild.id)).moderator_role_id == editors.id
    refused = [e for e in await room.audit("settings") if e.result == "refused"]
    assert [e.user_id for e in refused] == [editor.id, editor.id]
    refusals(room.env)
    # Other settings are still the role's to change.
    assert (await room.admin("settings", by=editor, digest_days=3)).response.content == (
        "Settings saved."
    )


async def test_a_database_failure_in_the_moderator_check_is_answered(
    room: Newsroom, monkeypatch
) -> None:
    room.grant_admin(room.member)

    async def broken(guild_id: int) -> None:
        raise StoreError("database is locked")

    monkeypatch.setattr(room.bot.store.guilds, "get", broken)
    result = await room.admin("schedule list", by=room.member)

    assert result.ephemeral
    assert result.response.content == CHECK_FAILED
    refusals(room.env)


def test_notices_escape_names_and_discord_text_but_keep_the_bots_channel_link() -> None:
    text = notice_text(
        "The scheduled digest #3 for <#42> is paused. Last error: the bot lacks Send "
        "Messages in #**evil**_chan @everyone <@&7>."
    )
    assert "<#42>" in text
    assert "\\*\\*evil\\*\\*\\_chan" in text
    assert "@everyone" not in text and "<@&7>" not in text
