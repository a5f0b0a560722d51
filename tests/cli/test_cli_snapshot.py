"""The CLI leaves a snapshot after a load from the files and starts from it next time."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "cup.txt").write_text(
        "Harbour City win the cup\n\nHarbour City won the national football cup on Saturday.\n",
        encoding="utf-8",
    )
    return folder


def search(library: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict, str]:
    out = io.StringIO()
    assert main(["search", "footbal cup", "--articles", str(library), *extra], out=out) == 0
    err = capsys.readouterr().err
    return (json.loads(out.getvalue()) if "--json" in extra else {"text": out.getvalue()}), err


def test_second_run_starts_from_the_snapshot(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    first, err = search(library, capsys)
    assert "loaded from snapshot" not in err
    assert list((tmp_path / "data").glob("snapshot-*.bin"))
    second, err = search(library, capsys)
    assert "loaded from snapshot" in err
    assert second == first
    as_json, _ = search(library, capsys, "--json")  # JSON output stays clean of log lines
    assert as_json["hits"][0]["article_id"] == "cup"


def test_snapshots_off_and_unwritable_data_dir(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("SNAPSHOTS", "false")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    search(library, capsys)
    _, err = search(library, capsys)
    assert "snapshot" not in err and not (tmp_path / "data").exists()

    monkeypatch.delenv("SNAPSHOTS")
    (tmp_path / "blocker").write_text("")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "blocker" / "data"))
    result, err = search(library, capsys)
    assert "Harbour City" in result["text"]
    assert "could not write the snapshot" in err
