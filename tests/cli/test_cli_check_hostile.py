"""``newsbot check`` over hostile files, run as a user runs it: it never crashes, and
``--json`` is valid UTF-8 JSON even for a file name that is not (issue 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_json(folder: Path) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if k != "ARTICLES_DIR"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--json", "--articles", str(folder)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert not done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout.decode("utf-8"))  # strict UTF-8


def test_check_json_is_valid_utf8_for_a_file_name_that_is_not(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path)
    with open(os.path.join(raw, b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"Cafe Opens\n\nThe cafe opened on Monday.")
    with open(os.path.join(raw, b"notes\xff.pdf"), "wb") as handle:
        handle.write(b"%PDF")

    code, report = check_json(tmp_path)

    assert code == 1
    assert [a["path"] for a in report["loaded"]] == ["caf\\xe9.txt"]
    assert [r["path"] for r in report["rejected"]] == ["notes\\xff.pdf"]


def test_check_survives_a_front_matter_bomb_and_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "fine.txt").write_bytes(b"Fine Headline\n\nA fine body.")
    (tmp_path / "bomb.md").write_bytes(b"---\na: " + b"[" * 30_000 + b"\n---\n# T\nBody.\n")
    os.symlink("loop.txt", tmp_path / "loop.txt")

    code, report = check_json(tmp_path)

    assert code == 1
    assert [a["id"] for a in report["loaded"]] == ["fine"]
    assert {r["path"]: r["reason"] for r in report["rejected"]} == {
        "bomb.md": "front matter nests deeper than 100 levels",
        "loop.txt": "symbolic link loop (the link leads back to itself); not followed",
    }
