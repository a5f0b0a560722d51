"""The CLI answers the same questions as the slash commands, with a stable JSON contract."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_3f7c58d4eaf15709.txt"
SEED_ID = "000_3f7c58d4eaf15709"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "football.md").write_text(
        "---\ntitle: Harbour City win the cup\ndate: 2026-10-02\nurl: https://example.org/cup\n"
        "tags: [football]\n---\n"
        "Harbour City won the national football cup on Saturday.\n\n"
        "The striker scored twice in the second half before a crowd of 40,000.\n",
        encoding="utf-8",
    )
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_search_json_contract_finds_misspelled_words(library: Path, capsys) -> None:
    code, out, _ = run(["search", "Hati mision", "--articles", str(library), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"query", "corrected", "hits"}
    assert data["query"] == "Hati mision"
    assert data["corrected"] == "haiti mission"
    hit = data["hits"][0]
    assert set(hit) == {
        "article_id",
        "title",
        "excerpt",
        "sentence",
        "score",
        "highlights",
        "url",
        "matched",
    }
    assert hit["matched"] == ["Haiti", "mission"]
    assert hit["article_id"] == SEED_ID
    assert "Haiti" in hit["sentence"] and hit["sentence"] in hit["excerpt"]
    marked = [hit["excerpt"][start:end].lower() for start, end in hit["highlights"]]
    assert "haiti" in marked


def test_search_human_output_marks_words(library: Path, capsys) -> None:
    code, out, _ = run(["search", "peacekeping", "--articles", str(library)], capsys)
    assert code == 0
    assert "Did you mean: peacekeeping" in out
    assert "**peacekeeping**" in out


def test_search_within_one_article_and_limit(library: Path, capsys) -> None:
    argv = ["search", "cup", "--articles", str(library), "--article", "football", "--json"]
    code, out, _ = run([*argv, "--limit", "1"], capsys)
    hits = json.loads(out)["hits"]
    assert code == 0 and len(hits) == 1 and hits[0]["article_id"] == "football"
    assert hits[0]["url"] == "https://example.org/cup"


def test_search_unknown_article_is_an_error_with_a_hint(library: Path, capsys) -> None:
    code, _, err = run(
        ["search", "cup", "--articles", str(library), "--article", "footbal"], capsys
    )
    assert code == 1
    assert "no article with id 'footbal'" in err and "football" in err


def test_search_many_queries_one_json_line_each(library: Path, tmp_path: Path, capsys) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("Hati mision\n\nfootbal cup\n", encoding="utf-8")
    argv = ["search", "--queries", str(queries), "--articles", str(library), "--json"]
    code, out, _ = run(argv, capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["query"] for line in lines] == ["Hati mision", "footbal cup"]
    assert lines[1]["hits"][0]["article_id"] == "football"


def test_search_needs_exactly_one_query_source(library: Path, capsys) -> None:
    code, _, err = run(["search", "--articles", str(library)], capsys)
    assert code == 2 and "QUERY or --queries" in err


def test_nothing_found_says_so(library: Path, capsys) -> None:
    code, out, _ = run(["search", "zzzqqq", "--articles", str(library)], capsys)
    assert code == 0 and "No excerpts found for 'zzzqqq'" in out


def test_article_json_has_summary_and_topics(library: Path, capsys) -> None:
    argv = ["article", SEED_ID, "--articles", str(library), "--sentences", "2", "--json"]
    code, out, _ = run(argv, capsys)
    data = json.loads(out)
    assert code == 0
    assert data["title"] == "President Ruto Holds Strategic Call with Trump"
    assert len(data["summary"]) == 2
    assert all(sentence in data["text"] for sentence in data["summary"])
    assert "Trade & investment" in data["topics"]


def test_unknown_article_exits_non_zero(library: Path, capsys) -> None:
    code, out, err = run(["article", "nope", "--articles", str(library)], capsys)
    assert code == 1 and out == "" and "no article with id 'nope'" in err


def test_articles_lists_every_article(library: Path, capsys) -> None:
    code, out, _ = run(["articles", "--articles", str(library), "--json"], capsys)
    assert code == 0
    assert {a["id"] for a in json.loads(out)} == {SEED_ID, "football"}


def test_digest_json_contract(library: Path, capsys) -> None:
    code, out, _ = run(["digest", "trade", "--articles", str(library), "--json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["topic"] == "trade"
    assert data["matched_topic"] == "Trade & investment"
    assert data["points"] and all(p["article_id"] == SEED_ID for p in data["points"])
    assert set(data["points"][0]) == {"text", "article_id", "title"}
    assert data["sources"] == [
        {
            "article_id": SEED_ID,
            "title": "President Ruto Holds Strategic Call with Trump",
            "url": None,
        }
    ]


def test_digest_since_filters_and_bad_date_is_refused(library: Path, capsys) -> None:
    argv = ["digest", "football", "--articles", str(library), "--json"]
    code, out, _ = run([*argv, "--since", "2026-01-01"], capsys)
    assert code == 0
    assert {p["article_id"] for p in json.loads(out)["points"]} == {"football"}
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--since", "last week"])
    assert exc.value.code == 2
    assert "not a date in YYYY-MM-DD form" in capsys.readouterr().err


def test_topics_lists_counts(library: Path, capsys) -> None:
    code, out, _ = run(["topics", "--articles", str(library), "--json"], capsys)
    topics = {t["name"]: t for t in json.loads(out)}
    assert code == 0
    assert topics["Trade & investment"]["articles"] >= 1
    assert topics["Sport"]["articles"] >= 1  # the football article, via its vocabulary or tag


def test_check_lists_rejections_and_exits_one(library: Path, capsys) -> None:
    (library / "empty.txt").write_text("", encoding="utf-8")
    code, out, _ = run(["check", "--articles", str(library)], capsys)
    assert code == 1
    assert "rejected  empty.txt:" in out
    assert "2 loaded, 1 rejected" in out


def test_check_shows_warnings_without_failing(library: Path, capsys) -> None:
    (library / "dated.md").write_text(
        "---\ntitle: Odd date\ndate: someday\n---\nThe body is fine.\n", encoding="utf-8"
    )
    code, out, _ = run(["check", "--articles", str(library)], capsys)
    assert code == 0
    assert "warning   dated.md:" in out and "3 loaded, 0 rejected, 1 warning" in out


def test_check_clean_library_exits_zero(library: Path, capsys) -> None:
    code, out, _ = run(["check", "--articles", str(library)], capsys)
    assert code == 0 and "2 loaded, 0 rejected, 0 warnings" in out


def test_missing_articles_folder_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    code, _, err = run(["search", "x", "--articles", str(tmp_path / "nowhere")], capsys)
    assert code == 2
    assert err.startswith("newsbot: ") and "nowhere" in err and "Traceback" not in err


def test_bad_setting_is_reported(library: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "chatty")
    code, _, err = run(["topics", "--articles", str(library)], capsys)
    assert code == 2 and "LOG_LEVEL must be one of" in err


def test_python_dash_m_bot_is_the_same_program(library: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "search", "Hati mision", "--articles", str(library)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Haiti" in proc.stdout


def test_queries_file_with_a_byte_order_mark(library: Path, tmp_path: Path, capsys) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("\ufeffHati mision\n", encoding="utf-8")
    argv = ["search", "--queries", str(queries), "--articles", str(library), "--json"]
    code, out, _ = run(argv, capsys)
    assert code == 0 and json.loads(out)["query"] == "Hati mision"


def test_rejections_are_reported_once_and_not_logged_over_json(library: Path, capsys) -> None:
    (library / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = run(["check", "--articles", str(library)], capsys)
    assert code == 1 and out.count("empty.txt") == 1 and "empty.txt" not in err
    code, out, err = run(["search", "cup", "--articles", str(library), "--json"], capsys)
    assert code == 0 and json.loads(out)["hits"] and err == ""


def test_log_level_controls_what_reaches_stderr(library: Path, capsys, monkeypatch) -> None:
    (library / "empty.txt").write_text("", encoding="utf-8")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    _, _, quiet = run(["search", "cup", "--articles", str(library)], capsys)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    _, _, loud = run(["search", "cup", "--articles", str(library)], capsys)
    assert "empty.txt" not in quiet and "empty.txt" in loud


BBC_100 = ROOT.parent / "shared" / "corpora" / "bbc-news-100" / "article"


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == "newsbot 0.1.0"


@pytest.mark.parametrize(
    "argv",
    [["--bogus"], ["search", "ferry", "--bogus"], ["check", "--bogus"], ["--bogus", "check"]],
)
def test_an_unknown_flag_is_named(argv: list[str], library: Path, capsys) -> None:
    extra = ["--articles", str(library)] if "check" in argv or "search" in argv else []
    with pytest.raises(SystemExit) as exc:
        main([*argv, *extra])
    assert exc.value.code == 2
    assert "unknown flag --bogus" in capsys.readouterr().err


def test_no_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "name a command" in capsys.readouterr().err


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_is_a_usage_error(query: str, library: Path, capsys) -> None:
    code, out, err = run(["search", query, "--articles", str(library)], capsys)
    assert code == 2
    assert out == ""
    assert "give some words to search for" in err


def test_an_unknown_article_suggests_headlines(library: Path, capsys) -> None:
    code, _, err = run(["article", "ruto", "--articles", str(library)], capsys)
    assert code == 1
    assert "did you mean “President Ruto Holds Strategic Call with Trump”" in err
    assert f"({SEED_ID})" in err


def test_ids_are_paths_so_same_names_in_folders_all_load(library: Path, capsys) -> None:
    for folder in ("business", "sport"):
        (library / folder).mkdir()
        (library / folder / "017.txt").write_text(
            f"{folder.title()} desk story\n\nThe {folder} desk filed this story.\n", "utf-8"
        )
    code, out, _ = run(["check", "--articles", str(library), "--json"], capsys)
    assert code == 0
    loaded = {a["id"]: a["path"] for a in json.loads(out)["loaded"]}
    assert loaded["sport/017"] == "sport/017.txt"
    assert loaded["business/017"] == "business/017.txt"
    assert loaded[SEED_ID] == f"{SEED_ID}.txt"  # the seed at the top keeps its id

    code, out, _ = run(["article", "sport/017", "--articles", str(library), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["title"] == "Sport desk story"


@pytest.mark.skipif(not BBC_100.is_dir(), reason="the BBC 100 corpus is not on this machine")
def test_the_bbc_100_folders_load_every_article(capsys) -> None:
    code, out, _ = run(["check", "--articles", str(BBC_100), "--json"], capsys)
    data = json.loads(out)
    assert (code, len(data["loaded"]), data["rejected"]) == (0, 100, [])
    assert "sport/017" in {a["id"] for a in data["loaded"]}
