"""Who may use /admin: Manage Server or the server's moderator role, checked on every use.

Discord hides /admin from members without Manage Server, but a server can grant the
command to anyone in its settings; the bot checks again, refuses privately, changes
nothing and writes the refusal to the audit log.
"""

from __future__ import annotations

from typing import Any

import pytest
from discord import app_commands

from tests.support.admin_sim import Newsroom, database_snapshot, folder_snapshot
from tests.support.newsbot_sim import refusals

REFUSAL = "Only moderators can use /admin: it needs the Manage Server permission"


def sample_options(room: Newsroom, schedule_id: int) -> dict[str, dict[str, Any]]:
    """Valid options for every /admin command (a moderator would succeed with them)."""
    return {
        "admin schedule add": {"channel": room.news, "time": "09:00"},
        "admin schedule list": {},
        "admin schedule remove": {"schedule": schedule_id},
        "admin schedule pause": {"schedule": schedule_id},
        "admin schedule resume": {"schedule": schedule_id},
        "admin schedule preview": {"schedule": schedule_id},
        "admin schedule run-now": {"schedule": schedule_id},
        "admin article add": {"file": ("lighthouse.txt", b"Lighthouse\n\nThe keeper retired.")},
        "admin article remove": {"article": "library-budget"},
        "admin reload": {},
        "admin topic add": {"name": "Harbour life", "keywords": "ferry, pier"},
        "admin topic remove": {"name": "Night life"},
        "admin topic list": {},
        "admin settings": {"timezone": "Europe/London", "digest_days": 3},
        "admin stats": {},
        "admin audit": {},
        "admin feed add": {"url": "https://feeds.example.com/news.xml"},
        "admin feed list": {},
        "admin feed remove": {"feed": "1"},
        "admin feed pause": {"feed": "1"},
        "admin feed resume": {"feed": "1"},
        "admin feed test": {"url": "https://feeds.example.com/news.xml"},
        "admin alert add": {"channel": room.news, "keywords": "ferry"},
        "admin alert list": {},
        "admin alert remove": {"alert": 1},
        "admin alert pause": {"alert": 1},
        "admin alert resume": {"alert": 1},
        "admin alert preview": {"alert": 1},
    }


def admin_commands(room: Newsroom) -> set[str]:
    group = room.bot.tree.get_command("admin")
    assert isinstance(group, app_commands.Group)
    return {c.qualified_name for c in group.walk_commands() if isinstance(c, app_commands.Command)}


async def test_a_member_without_rights_is_refused_every_admin_command(room: Newsroom) -> None:
    await room.admin("topic add", name="Night life", keywords="club, bar")
    await room.admin("schedule add", channel=room.news, time="10:00")
    [schedule] = await room.schedules()
    room.grant_admin(room.member)  # the server lets everyone see /admin
    before_db = database_snapshot(room.settings.database_path)
    before_files = folder_snapshot(room.settings.articles_dir)
    samples = sample_options(room, schedule.id)
    assert set(samples) == admin_commands(room)  # every command, none forgotten

    for name, options in samples.items():
        result = await room.member.slash(room.news, name, **options)
        assert result.ephemeral, name
        assert result.response.content.startswith(REFUSAL), (name, result.response.content)

    assert database_snapshot(room.settings.database_path) == before_db
    assert folder_snapshot(room.settings.articles_dir) == before_files
    assert room.bot_posts() == []
    refused = [e for e in await room.audit() if e.result == "refused"]
    assert {(e.user_id, e.action) for e in refused} == {
        (room.member.id, name.removeprefix("admin ").replace(" ", ".")) for name in samples
    }
    assert len(refusals(room.env)) == len(samples)


async def test_the_moderator_role_grants_admin_without_manage_server(room: Newsroom) -> None:
    editors = room.guild.create_role("Editors")
    editor = room.guild.add_member(room.env.create_user("eden"), roles=[editors])
    room.grant_admin(editor)

    before = await room.admin("settings", by=editor)
    assert before.response.content.startswith(REFUSAL)
    refusals(room.env)

    await room.admin("settings", moderator_role=editors)
    after = await room.admin("settings", by=editor, digest_points=5)

    assert after.response.content == "Settings saved."
    assert room.bot.store is not None
    assert (await room.bot.store.guilds.get(room.guild.id)).digest_limit == 5
    shown = after.response.embeds[0].fields[0].value
    assert shown == "Manage Server, or the role **Editors**"

    await room.admin("settings", clear_moderator_role=True)
    again = await room.admin("stats", by=editor)
    assert again.response.content.startswith(REFUSAL)
    refusals(room.env)


async def test_admin_is_hidden_from_members_and_direct_messages_by_default(
    room: Newsroom,
) -> None:
    [synced] = [
        r.json for r in room.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")
    ]
    [admin] = [c for c in synced if c["name"] == "admin"]
    assert int(admin["default_member_permissions"]) == 32  # Manage Server
    assert admin["contexts"] == [0]  # servers only
    assert not [c for c in room.member.available_commands(room.news) if c.startswith("admin")]
    assert "admin schedule add" in room.mod.available_commands(room.news)


@pytest.mark.parametrize("command", ["help"])
async def test_help_for_members_does_not_mention_admin(room: Newsroom, command: str) -> None:
    result = await room.member.slash(room.news, command)

    assert "/admin" not in str(result.response.embeds[0].to_dict())
