"""/topics, /help, the command set as a whole, and using the bot from a DM."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import discord
import simcord

import bot.exts
from bot.app import EXTENSIONS, create_bot, intents
from bot.config import Settings
from tests.support.newsbot_sim import FIXTURES, Server, assert_never_pings, embed_of, text_of

MEMBER_COMMANDS = {"search", "digest", "article", "topics", "help"}


async def test_topics_lists_every_topic_with_its_article_count(server: Server) -> None:
    result = await server.alice.slash(server.channel, "topics")

    embed = embed_of(result)
    assert embed.title == "Topics"
    lines = embed.description.split("\n")
    assert lines[0].startswith("**Politics & governance**: ")
    assert "**transport**: 2 articles" in lines
    assert not any(line.startswith("**Agriculture**") for line in lines)  # no articles
    assert lines[-1].startswith("*") and lines[-1].endswith("with no articles yet are left out.*")
    assert "topics · /digest topic:<name> for a digest" in embed.footer.text
    assert_never_pings(server.env)


async def test_help_explains_each_command_privately(server: Server) -> None:
    result = await server.alice.slash(server.channel, "help")

    assert result.ephemeral
    text = text_of(embed_of(result))
    for command in ("/search", "/digest", "/article", "/topics", "/help"):
        assert command in text
    assert "private:true" in text and "1–365" in text
    assert "this server's news library" not in text
    assert f"a library of {len(server.bot.service.articles)} news articles, shared" in text
    assert "/admin" not in text  # a member is not told about moderator commands


async def test_help_lists_the_admin_groups_for_a_moderator(server: Server) -> None:
    moderator = server.guild.add_member(
        server.env.create_user("morgan"),
        roles=[
            server.guild.create_role("Mods", permissions=discord.Permissions(manage_guild=True))
        ],
    )

    result = await moderator.slash(server.channel, "help")

    assert result.ephemeral
    field = next(f for f in embed_of(result).fields if f.name == "For moderators")
    for group in ("schedule", "article", "reload", "topic", "settings", "stats", "audit"):
        assert f"`/admin {group}`" in field.value


async def test_the_bot_asks_for_nothing_privileged(server: Server) -> None:
    assert server.bot.intents == intents()
    assert not server.bot.intents.message_content and not server.bot.intents.members
    mentions = server.bot.allowed_mentions
    assert mentions is not None and mentions.to_dict() == {"parse": []}


async def test_members_see_exactly_the_member_commands(server: Server) -> None:
    # Other extensions may add commands, but not ones a plain member can run.
    assert set(server.alice.available_commands(server.channel)) == MEMBER_COMMANDS


async def test_a_member_can_search_from_a_dm(server: Server) -> None:
    carol = server.env.create_user("carol")

    result = await carol.slash("search", query="propeller")

    assert "**propeller**" in embed_of(result).description


def _walk_extensions() -> list[str]:
    found = []
    for module in pkgutil.walk_packages(bot.exts.__path__, "bot.exts."):
        if module.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        if hasattr(importlib.import_module(module.name), "setup"):
            found.append(module.name)
    return found


def test_every_extension_is_loaded_by_the_app() -> None:
    assert set(_walk_extensions()) == set(EXTENSIONS)


async def test_no_two_extensions_register_the_same_command(settings: Settings) -> None:
    # Load each extension into a bot of its own and compare what they add.
    names: dict[str, str] = {}
    for extension in _walk_extensions():
        single = await create_bot(settings, sync_commands=False, extensions=())
        await single.load_extension(extension)
        for command in single.tree.walk_commands():
            qualified = command.qualified_name
            assert qualified not in names, f"/{qualified} in {extension} and {names[qualified]}"
            names[qualified] = extension
        await single.close()
    assert set(names) >= MEMBER_COMMANDS


async def test_commands_are_synced_at_start_up(simcord_env: simcord.Env) -> None:
    synced = [
        r for r in simcord_env.http_requests if r.method == "PUT" and r.path.endswith("/commands")
    ]
    assert len(synced) == 1  # one bulk overwrite, globally (no DEV_GUILD_ID)
    assert "/guilds/" not in synced[0].path
    assert {c["name"] for c in synced[0].json} >= MEMBER_COMMANDS
    assert all(1 <= len(c["description"]) <= 100 for c in synced[0].json)


async def test_the_bot_loads_its_articles_and_syncs_to_the_dev_guild_instantly(
    tmp_path: Path,
) -> None:
    dev_guild = 1_234_567_890_123_456_789
    database = tmp_path / "newsbot.db"  # never the working directory's newsbot.db
    bot = await create_bot(
        Settings(articles_dir=FIXTURES, dev_guild_id=dev_guild, database_path=database)
    )
    env = simcord.Env(bot)
    guild = env.create_guild("Dev", id=dev_guild)
    await env.start()
    try:
        channel = guild.create_text_channel("dev")
        dave = guild.add_member(env.create_user("dave"))

        result = await dave.slash(channel, "search", query="propeller")

        assert "**propeller**" in embed_of(result).description
        assert len(bot.service.articles) == len(list(FIXTURES.iterdir()))
        puts = [r.path for r in env.http_requests if r.method == "PUT"]
        assert len(puts) == 1 and puts[0].endswith(f"/guilds/{dev_guild}/commands")
    finally:
        await env.shutdown()
