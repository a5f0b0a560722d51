"""``newsbot feeds …`` and ``newsbot fetch``: the CLI contract, and the fetched articles
found by ``newsbot search`` and ``newsbot digest`` afterwards."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.feed_samples import FERRY, LIGHTHOUSE, SAMPLE_JSON, rss
from tests.support.feed_server import FeedServer


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "budget.txt").write_text(
        "Library budget approved\n\nThe council approved the library budget on Monday.\n"
    )
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "newsbot.db"))
    monkeypatch.setenv("ARTICLES_DIR", str(folder))
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE", "true")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_add_fetch_search_digest_remove(
    env: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve("/rss", rss(FERRY, LIGHTHOUSE))
    feed_server.serve("/wire.json", SAMPLE_JSON, content_type="application/feed+json")

    code, out, _ = run(
        ["feeds", "add", feed_server.url("/rss"), "--name", "Harbour Gazette"], capsys
    )
    assert code == 0 and out.startswith("added feed #1 harbour-gazette")
    code, out, _ = run(
        ["feeds", "add", feed_server.url("/wire.json"), "--interval", "30", "--full-text"], capsys
    )
    assert code == 0 and "every 30 minutes with full text" in out

    code, out, _ = run(["fetch", "--json"], capsys)
    assert code == 0
    assert json.loads(out) == {
        "feeds": [
            {
                "id": 1,
                "url": feed_server.url("/rss"),
                "new": 2,
                "updated": 0,
                "unchanged": 0,
                "error": None,
            },
            {
                "id": 2,
                "url": feed_server.url("/wire.json"),
                "new": 3,
                "updated": 0,
                "unchanged": 0,
                "error": None,
            },
        ]
    }

    code, out, _ = run(["search", "lighthose keper", "--json"], capsys)
    hits = json.loads(out)["hits"]
    assert code == 0 and hits[0]["title"] == "Lighthouse keeper retires"
    assert hits[0]["article_id"].startswith("feed-harbour-gazette/")
    assert hits[0]["url"] == "https://gazette.example/news/lighthouse?utm_source=rss"
    code, out, _ = run(["digest", "bridge vote", "--json"], capsys)
    assert code == 0 and [s["title"] for s in json.loads(out)["sources"]] == [
        "Bridge vote postponed"
    ]
    code, out, _ = run(["article", hits[0]["article_id"], "--json"], capsys)
    assert json.loads(out)["source"] == "Harbour Gazette"

    code, out, _ = run(["fetch"], capsys)  # again: nothing new
    assert code == 0
    assert out.splitlines()[0].endswith("unchanged (not modified since the last fetch)")
    feed_server.serve("/rss", rss(LIGHTHOUSE, FERRY))
    code, out, _ = run(["fetch", "--json"], capsys)
    assert json.loads(out)["feeds"][0] | {"url": None} == {
        "id": 1,
        "url": None,
        "new": 0,
        "updated": 0,
        "unchanged": 2,
        "error": None,
    }

    code, out, _ = run(["feeds", "list", "--json"], capsys)
    [gazette, wire] = json.loads(out)["feeds"]
    assert (gazette["id"], gazette["name"], gazette["articles"], gazette["paused"]) == (
        1,
        "Harbour Gazette",
        2,
        False,
    )
    assert (wire["name"], wire["interval"], wire["full_text"]) == ("Island Wire", 30, True)

    code, out, _ = run(["feeds", "remove", "1"], capsys)
    assert code == 0 and out == "removed feed #1 harbour-gazette and its 2 articles\n"
    code, out, _ = run(["search", "lighthouse keeper", "--json"], capsys)
    assert not [h for h in json.loads(out)["hits"] if h["article_id"].startswith("feed-harbour")]


def test_fetch_reports_each_failure_and_exits_1(
    env: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.serve("/rss", rss(FERRY))
    feed_server.serve("/broken", "gone", status=500, content_type="text/plain")
    feed_server.serve("/page", "<html><body>hi</body></html>", content_type="text/html")
    for path in ("/rss", "/broken", "/page"):
        assert run(["feeds", "add", feed_server.url(path)], capsys)[0] == 0

    code, out, _ = run(["fetch", "--json"], capsys)

    assert code == 1
    feeds = json.loads(out)["feeds"]
    assert [f["new"] for f in feeds] == [1, 0, 0]
    assert feeds[0]["error"] is None
    assert feeds[1]["error"] == "HTTP 500 Internal Server Error"
    assert feeds[2]["error"].startswith("not a feed: the address returned a web page")
    code, out, _ = run(["fetch"], capsys)
    assert code == 1 and "error: HTTP 500 Internal Server Error" in out


def test_a_loopback_feed_is_refused_without_the_setting(
    env: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("FEEDS_ALLOW_PRIVATE", "false")
    feed_server.serve("/rss", rss(FERRY))
    run(["feeds", "add", feed_server.url("/rss")], capsys)

    code, out, _ = run(["fetch", "--json"], capsys)

    assert code == 1
    [feed] = json.loads(out)["feeds"]
    assert "private, loopback or link-local" in feed["error"]
    assert feed_server.hits("/rss") == 0


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["feeds", "add", "ftp://feeds.example/rss"], 2, "only http and https"),
        (["feeds", "add", "https://feeds.example/rss", "--interval", "2"], 2, "at least 5 minutes"),
        (["feeds", "remove", "7"], 1, "there is no feed '7'"),
    ],
)
def test_bad_feed_commands_say_why(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, _out, err = run(argv, capsys)
    assert got == code and message in err


def test_a_feed_is_followed_once(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["feeds", "add", "https://feeds.example/rss"], capsys)[0] == 0
    code, _out, err = run(["feeds", "add", "https://feeds.example/rss"], capsys)
    assert code == 1 and "already followed, as #1" in err


def test_fetch_with_no_feeds_says_how_to_add_one(env: Path, capsys) -> None:
    code, out, _ = run(["fetch"], capsys)
    assert code == 0 and "newsbot feeds add URL" in out
