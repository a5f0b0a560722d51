"""/admin settings, /admin stats and /admin audit."""

from __future__ import annotations

from tests.support.admin_sim import Newsroom, embed_text
from tests.support.newsbot_sim import refusals


async def test_settings_are_shown_then_changed_and_the_change_is_audited(room: Newsroom) -> None:
    shown = await room.admin("settings")

    assert shown.ephemeral
    fields = {f.name: f.value for f in shown.response.embeds[0].fields}
    assert fields == {
        "Who can use /admin": "Manage Server (no moderator role set)",
        "Timezone": "UTC",
        "Digest points": "8",
        "Digest days": "7",
    }
    assert await room.audit() == []  # looking changes nothing

    changed = await room.admin("settings", timezone="london", digest_points=4, digest_days=30)

    fields = {f.name: f.value for f in changed.response.embeds[0].fields}
    assert (fields["Timezone"], fields["Digest points"], fields["Digest days"]) == (
        "Europe/London",
        "4",
        "30",
    )
    [entry] = await room.audit("settings")
    assert entry.result == "ok" and entry.user_id == room.mod.id
    assert '"timezone": ["UTC", "Europe/London"]' in entry.details


async def test_bad_settings_are_refused_with_suggestions(room: Newsroom) -> None:
    zone = await room.admin("settings", timezone="Amerca/New York")
    everyone = await room.admin("settings", moderator_role=room.guild.default_role)

    assert zone.response.content.startswith(
        "Unknown timezone 'Amerca/New York'. Did you mean America/New_York?"
    )
    assert everyone.response.content.startswith("@everyone cannot be the moderator role")
    assert room.bot.store is not None
    assert (await room.bot.store.guilds.get(room.guild.id)).timezone == "UTC"
    assert [e.result for e in await room.audit("settings")] == ["error", "error"]
    refusals(room.env)


async def test_scheduled_digests_use_the_servers_digest_settings(room: Newsroom) -> None:
    await room.admin("settings", digest_points=1, digest_days=1)
    await room.admin("schedule add", channel=room.news, time="00:05")

    preview = await room.admin("schedule preview", schedule=1)

    embed = preview.response.embeds[0]
    assert embed.description.count("•") == 1  # one point
    assert "since 2025-12-31" in embed.footer.text  # one day back from 1 January


async def test_stats_show_the_library_search_latency_and_next_digests(room: Newsroom) -> None:
    await room.member.slash(room.news, "search", query="ferry")
    await room.member.slash(room.news, "search", query="library")
    await room.admin("schedule add", channel=room.news, time="07:00", topic="Health")
    await room.env.advance_time(90 * 60)

    stats = await room.admin("stats")

    fields = {f.name: f.value for f in stats.response.embeds[0].fields}
    assert fields["Library"] == "5 articles · 17 sentences"
    assert fields["Search index"].startswith("17 passages · ")
    assert fields["Search latency since start"].startswith("p50 ")
    assert fields["Search latency since start"].endswith(" · 2 searches")
    assert fields["Uptime"] == "1 h 30 min · 1 server"
    assert fields["Next scheduled digests"].startswith(
        f"#1 Health → <#{room.news.id}>: Thu 01 Jan 2026 07:00 UTC"
    )


async def test_stats_count_one_search_in_the_singular(room: Newsroom) -> None:
    await room.member.slash(room.news, "search", query="ferry")

    stats = await room.admin("stats")

    fields = {f.name: f.value for f in stats.response.embeds[0].fields}
    assert fields["Search latency since start"].endswith(" · 1 search")


async def test_the_audit_log_pages_through_recent_admin_actions(room: Newsroom) -> None:
    for n in range(12):
        await room.admin("topic add", name=f"Topic {n}", keywords=f"word{n}")
    room.grant_admin(room.member)
    await room.admin("reload", by=room.member)
    refusals(room.env)

    result = await room.admin("audit")

    first = result.response.embeds[0]
    assert first.title == "Audit log"
    assert first.description.startswith(f"⛔ **reload** by <@{room.member.id}> · refused · ")
    assert first.footer.text == "Page 1/2 · 13 entries · times in UTC"
    assert "name=Topic 11" in first.description
    turned = await room.mod.click(result.response, label="▶")
    assert "name=Topic 0" in embed_text(turned.response)

    only = await room.admin("audit", action="reload")
    assert only.response.embeds[0].footer.text == "1 entries · times in UTC"
