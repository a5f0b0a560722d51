"""An articles folder written from a mapping of relative path → file text."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def library_folder(root: Path, files: Mapping[str, str]) -> Path:
    """Write each file under ``root`` (folders made as needed); return ``root``."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root
