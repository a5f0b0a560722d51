"""/admin article add|remove and /admin reload: the articles folder, changed safely."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.admin_sim import Newsroom, embed_text, folder_snapshot
from tests.support.newsbot_sim import refusals

LIGHTHOUSE_TXT = (
    b"Lighthouse Keeper Retires After Forty Years\n\n"
    b"The lighthouse keeper on Gull Island retired on Friday after forty years of service.\n"
    b"She climbed the spiral stairs twice a day to polish the great lens."
)
LIGHTHOUSE_MD = (
    b"---\ntitle: Lighthouse Keeper Retires After Forty Years\ndate: 2025-12-31\n"
    b"source: Coast News\n---\n# Ignored heading\n\n"
    b"The lighthouse keeper on Gull Island retired on **Friday** after forty years.\n"
)
LIGHTHOUSE_JSON = json.dumps(
    {
        "id": "lighthouse",
        "title": "Lighthouse Keeper Retires After Forty Years",
        "body": "The lighthouse keeper on Gull Island retired on Friday after forty years.",
    }
).encode()
LIGHTHOUSE_JSONL = b"\n".join(
    json.dumps(record).encode()
    for record in (
        {"title": "Lighthouse Keeper Retires After Forty Years", "body": "The keeper retired."},
        {"title": "Gull Island Ferry Resumes", "body": "The lighthouse ferry sails again."},
    )
)


async def search_titles(room: Newsroom, query: str) -> str:
    result = await room.member.slash(room.news, "search", query=query)
    # "No results" is answered privately: the public "thinking…" message is gone.
    shown = result.response if result.response is not None else result.followups[-1]
    return embed_text(shown)


@pytest.mark.parametrize(
    ("filename", "data", "ids"),
    [
        ("lighthouse.txt", LIGHTHOUSE_TXT, ["lighthouse"]),
        ("lighthouse.md", LIGHTHOUSE_MD, ["lighthouse"]),
        ("keeper.json", LIGHTHOUSE_JSON, ["lighthouse"]),
        ("coast.jsonl", LIGHTHOUSE_JSONL, ["coast-1", "coast-2"]),
    ],
)
async def test_an_uploaded_article_of_each_format_is_added_and_searchable(
    room: Newsroom, articles_dir: Path, filename: str, data: bytes, ids: list[str]
) -> None:
    assert "Lighthouse Keeper" not in await search_titles(room, "lighthouse keeper")

    result = await room.admin("article add", file=(filename, data))

    assert result.ephemeral
    embed = result.response.embeds[0]
    assert embed.title == f"Added {filename}"
    assert embed.description.startswith(f"{len(ids)} article")
    for article_id in ids:
        assert f"`{article_id}` Lighthouse Keeper" in embed.description or article_id in (
            embed.description
        )
    assert (articles_dir / filename).read_bytes() == data
    assert not [p for p in articles_dir.iterdir() if p.name.startswith(".")]  # no temp file
    assert "Lighthouse Keeper Retires After Forty Years" in await search_titles(
        room, "lighthouse keepr"
    )
    [entry] = await room.audit("article.add")
    assert entry.result == "ok" and filename in entry.details


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        (
            "report.pdf",
            b"%PDF-1.4",
            "`report.pdf` is not a supported article file (type .pdf); "
            "upload one of: .txt, .md, .markdown, .json, .jsonl",
        ),
        (
            "big.txt",
            b"Big\n\n" + b"word " * 5000,
            "`big.txt` was not added: it is 25.0 KB, over the 20.0 KB limit for an article file.",
        ),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "`image.txt` was not added: binary"),
        ("broken.json", b'{"title": "Half', "`broken.json` was not added: "),
        ("empty.md", b"   \n\n", "`empty.md` was not added: empty file"),
        ("???.txt", b"Title\n\nBody.", "`???.txt` has no letters or digits left once made safe"),
        ("../.txt", b"Title\n\nBody.", "`../.txt` has no letters or digits left once made safe"),
        ("notes", b"Title\n\nBody.", "`notes` is not a supported article file (type (no ext"),
    ],
)
async def test_bad_uploads_are_refused_and_nothing_is_written(
    room: Newsroom, articles_dir: Path, filename: str, data: bytes, message: str
) -> None:
    before = folder_snapshot(articles_dir.parent)

    result = await room.admin("article add", file=(filename, data))

    assert result.ephemeral
    assert result.response.content.startswith(message), result.response.content
    assert folder_snapshot(articles_dir.parent) == before
    [entry] = await room.audit("article.add")
    assert entry.result == "error"
    refusals(room.env)


async def test_a_path_in_the_file_name_cannot_write_outside_the_folder(
    room: Newsroom, articles_dir: Path, tmp_path: Path
) -> None:
    outside = folder_snapshot(tmp_path)

    result = await room.admin("article add", file=("../../etc/x.txt", LIGHTHOUSE_TXT))

    assert result.response.embeds[0].title == "Added x.txt"
    assert (articles_dir / "x.txt").read_bytes() == LIGHTHOUSE_TXT
    added = {k for k in folder_snapshot(tmp_path) if k not in outside}
    assert added == {"articles/x.txt"}  # tmp_path/etc and friends were not touched
    assert not (tmp_path / "etc").exists()


async def test_an_existing_file_is_replaced_only_when_asked(
    room: Newsroom, articles_dir: Path
) -> None:
    newer = b"Rovers Lose The Replay\n\nUnited won the replay three goals to nil."

    refused = await room.admin("article add", file=("rovers_derby.txt", newer))
    assert refused.response.content == (
        "There is already a file named `rovers_derby.txt`; "
        "add `replace:true` to replace it, or rename your file."
    )
    assert b"extra time" in (articles_dir / "rovers_derby.txt").read_bytes()
    refusals(room.env)

    replaced = await room.admin("article add", file=("rovers_derby.txt", newer), replace=True)

    embed = replaced.response.embeds[0]
    assert embed.title == "Replaced rovers\\_derby.txt"  # shown as typed, not as markdown
    assert embed.footer.text.startswith("Reload: 0 added · 1 changed · 0 removed")
    assert (articles_dir / "rovers_derby.txt").read_bytes() == newer
    assert "Rovers Lose The Replay" in await search_titles(room, "replay")


async def test_an_article_id_another_file_uses_is_refused(room: Newsroom) -> None:
    clash = json.dumps({"id": "library-budget", "title": "Budget", "body": "Another text."})

    result = await room.admin("article add", file=("budget2.json", clash.encode()))

    assert result.response.content.startswith(
        "`budget2.json` was not added: its article id `library-budget` is already used by "
        "`library_budget.json`"
    )
    refusals(room.env)


async def test_removing_an_article_deletes_its_file(room: Newsroom, articles_dir: Path) -> None:
    assert "Council Agrees Budget" in await search_titles(room, "councillors")

    result = await room.admin("article remove", article="library-budget")

    embed = result.response.embeds[0]
    assert embed.title == "Removed library\\_budget.json"
    assert "`library-budget` Council Agrees Budget For Libraries" in embed.description
    assert not (articles_dir / "library_budget.json").exists()
    assert "Council Agrees Budget" not in await search_titles(room, "councillors")
    [entry] = await room.audit("article.remove")
    assert entry.result == "ok"


async def test_removing_one_article_of_a_file_of_several_needs_whole_file(
    room: Newsroom, articles_dir: Path
) -> None:
    refused = await room.admin("article remove", article="clinic-hours")
    assert refused.response.content.startswith(
        "`hospital_news.jsonl` holds 2 articles; removing it removes them all."
    )
    assert (articles_dir / "hospital_news.jsonl").exists()
    refusals(room.env)

    removed = await room.admin("article remove", article="clinic-hours", whole_file=True)

    assert removed.response.embeds[0].description.startswith("2 articles removed")
    assert not (articles_dir / "hospital_news.jsonl").exists()


async def test_reload_reports_what_changed_on_disk(room: Newsroom, articles_dir: Path) -> None:
    (articles_dir / "lighthouse.txt").write_bytes(LIGHTHOUSE_TXT)
    derby = articles_dir / "rovers_derby.txt"
    derby.write_text(derby.read_text() + "\nThe club will hold a parade on Monday.\n")
    os.utime(derby, ns=(derby.stat().st_atime_ns, derby.stat().st_mtime_ns + 10**9))
    (articles_dir / "harbour_ferry.md").unlink()
    (articles_dir / "scores.csv").write_text("team,goals\nRovers,2\n")

    result = await room.admin("reload")

    embed = result.response.embeds[0]
    fields = {f.name: f.value for f in embed.fields}
    assert embed.description == "5 articles loaded."
    assert fields["Added (1)"] == "`lighthouse` Lighthouse Keeper Retires After Forty Years"
    assert fields["Changed (1)"] == "`rovers_derby` Rovers Win The Derby In Extra Time"
    assert fields["Removed (1)"] == "`harbour_ferry`"
    assert fields["Rejected (1)"].startswith("`scores.csv`: unsupported file type .csv")
    [entry] = await room.audit("reload")
    assert entry.result == "ok" and '"added": 1' in entry.details

    again = await room.admin("reload")
    assert [f.name for f in again.response.embeds[0].fields] == ["Rejected (1)"]


async def test_ids_with_folders_work_for_reading_and_removing(
    room: Newsroom, articles_dir: Path
) -> None:
    for folder in ("business", "sport"):
        (articles_dir / folder).mkdir()
        (articles_dir / folder / "017.txt").write_text(
            f"Kenteris {folder} story\n\nThe {folder} desk filed this lighthouse story.\n"
        )
    reloaded = await room.admin("reload")
    assert "`business/017` Kenteris business story" in embed_text(reloaded.response)

    choices = await room.member.autocomplete(room.news, "article", "article", "Kenteris sport")
    assert choices[0]["value"] == "sport/017"
    shown = await room.member.slash(room.news, "article", article="sport/017")
    assert shown.response.embeds[0].title == "Kenteris sport story"

    removed = await room.admin("article remove", article="sport/017")
    assert "`sport/017` Kenteris sport story" in embed_text(removed.response)
    assert not (articles_dir / "sport" / "017.txt").exists()
    assert (articles_dir / "business" / "017.txt").exists()


async def test_an_upload_whose_file_name_is_an_explicit_id_gets_its_extension(
    room: Newsroom, articles_dir: Path
) -> None:
    # library_budget.json says `id: library-budget`; this file's own id would be the same.
    data = b"Library Hours Grow\n\nThe libraries will open later on Saturdays."
    result = await room.admin("article add", file=("library-budget.txt", data))

    assert (articles_dir / "library-budget.txt").read_bytes() == data
    shown = embed_text(result.response)
    assert "`library-budget.txt` Library Hours Grow" in shown
    article = await room.member.slash(room.news, "article", article="library-budget")
    assert article.response.embeds[0].title == "Council Agrees Budget For Libraries"
