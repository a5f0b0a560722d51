"""The deployment examples (Dockerfile, compose.yaml, systemd unit) agree with the program."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_license_matches_the_package_metadata() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == {"text": "MIT"}
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_the_image_runs_newsbot_with_database_and_articles_on_volumes() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["newsbot", "run"]' in dockerfile
    assert "DATABASE_PATH=/data/newsbot.db" in dockerfile
    assert "ARTICLES_DIR=/articles" in dockerfile
    assert "pip install -c constraints.txt" in dockerfile
    for copied in re.findall(r"^COPY (.+) \S+$", dockerfile, flags=re.MULTILINE):
        for name in copied.split():
            assert (ROOT / name).exists(), name

    service = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["newsbot"]
    mounts = {volume.split(":")[1] for volume in service["volumes"]}
    assert {"/data", "/articles"} <= mounts
    assert "DISCORD_TOKEN" in service["environment"]


def test_the_systemd_unit_runs_newsbot_and_stops_retrying_on_a_bad_setting() -> None:
    unit = (ROOT / "deploy" / "newsbot.service").read_text()
    assert re.search(r"^ExecStart=\S+/newsbot run$", unit, flags=re.MULTILINE)
    assert "RestartPreventExitStatus=2" in unit  # exit 2: a setting to fix
    assert "EnvironmentFile=/etc/newsbot.env" in unit


def test_the_readme_links_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(([^)]+)\)", readme):
        if target.startswith(("http://", "https://", "#")):
            continue
        assert (ROOT / target).resolve().is_relative_to(ROOT), target
        assert (ROOT / target).exists(), target
    assert "../shared/DESIGN.md" not in readme


def test_the_sharded_compose_file_runs_two_shards_on_one_postgresql() -> None:
    compose = yaml.safe_load((ROOT / "compose.sharded.yaml").read_text())
    bots = {name: s for name, s in compose["services"].items() if s.get("image") == "newsbot"}
    assert len(bots) == 2
    settings = [bot["environment"] for bot in bots.values()]
    assert sorted(s["SHARD_IDS"] for s in settings) == ["0", "1"]
    assert {s["SHARD_COUNT"] for s in settings} == {"2"}
    (url,) = {s["DATABASE_URL"] for s in settings}  # one database for both
    assert url.startswith("postgresql://") and "@db:" in url
    assert "db" in compose["services"]
    for bot in bots.values():
        assert "/articles" in {volume.split(":")[1] for volume in bot["volumes"]}
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"
