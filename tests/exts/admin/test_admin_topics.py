"""/admin topic: a server's own topics, offered and used by /digest in that server only."""

from __future__ import annotations

from tests.support.admin_sim import Newsroom, embed_text
from tests.support.newsbot_sim import refusals


async def test_a_server_topic_is_used_by_digest_and_autocomplete_in_that_server_only(
    room: Newsroom,
) -> None:
    other = room.env.create_guild("Elsewhere")
    lobby = other.create_text_channel("lobby")
    stranger = other.add_member(room.env.create_user("sam"))

    added = await room.admin("topic add", name="Harbour life", keywords="ferry, pier,  crossings")

    assert added.ephemeral
    assert added.response.content.startswith(
        "Added the topic **Harbour life** (ferry, pier, crossings): 1 article so far."
    )
    here = await room.member.autocomplete(room.news, "digest", "topic", "harbour")
    there = await stranger.autocomplete(lobby, "digest", "topic", "harbour")
    assert "Harbour life" in [c["value"] for c in here]
    assert "Harbour life" not in [c["value"] for c in there]

    digest = await room.member.slash(room.news, "digest", topic="Harbour life")
    embed = digest.response.embeds[0]
    assert embed.title == "Digest: Harbour life"
    assert "night crossings" in embed.description
    topics_here = embed_text((await room.member.slash(room.news, "topics")).response)
    topics_there = embed_text((await stranger.slash(lobby, "topics")).response)
    assert "Harbour life" in topics_here and "Harbour life" not in topics_there


async def test_topics_are_listed_and_removed_and_duplicates_refused(room: Newsroom) -> None:
    await room.admin("topic add", name="Harbour life", keywords="ferry, pier")
    duplicate = await room.admin("topic add", name="harbour LIFE", keywords="boats")
    assert duplicate.response.content == "This server already has a topic named “Harbour life”."
    empty = await room.admin("topic add", name="Nothing", keywords=" , ,")
    assert empty.response.content == "A topic needs at least one keyword."
    refusals(room.env)

    listed = (await room.admin("topic list")).response.embeds[0]
    assert listed.description == "**Harbour life**: 1 article\nferry, pier"

    choices = await room.mod.autocomplete(room.news, "admin topic remove", "name", "harb")
    assert [c["value"] for c in choices] == ["Harbour life"]
    removed = await room.admin("topic remove", name="Harbour life")
    assert removed.response.content == "Removed the topic **Harbour life**."
    gone = await room.admin("topic remove", name="Harbour life")
    assert gone.response.content.startswith("This server has no topic named “Harbour life”")
    refusals(room.env)
    choices = await room.member.autocomplete(room.news, "digest", "topic", "harbour life")
    assert "Harbour life" not in [c["value"] for c in choices]
    assert [(e.action, e.result) for e in await room.audit()] == [
        ("topic.remove", "error"),
        ("topic.remove", "ok"),
        ("topic.add", "error"),
        ("topic.add", "error"),
        ("topic.add", "ok"),
    ]


async def test_adding_a_topic_shows_the_headlines_it_catches(room: Newsroom) -> None:
    added = await room.admin("topic add", name="Boats", keywords="ferry, crossing")
    lines = added.response.content.splitlines()
    assert lines[0] == "Added the topic **Boats** (ferry, crossing): 1 article so far."
    assert lines[1] == "Matching headlines, best first:"
    assert lines[2].startswith("• ") and "ferry" in lines[2].lower()

    none = await room.admin("topic add", name="Trams", keywords="tram")
    assert "0 articles so far" in none.response.content
    assert "No article uses these words yet" in none.response.content
