"""Where things live: the project root, the bundled corpus, outputs and caches."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = Path(__file__).resolve().parent / "resources"
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"


def cache_dir() -> Path:
    """The project's cache folder (override with RARE_EARTH_CACHE); created on first use."""
    path = Path(os.environ.get("RARE_EARTH_CACHE", PROJECT_ROOT / ".cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_corpus(corpus: str | os.PathLike | None) -> Path:
    """The corpus folder or file to read: the bundled `data/raw` when `corpus` is empty."""
    if corpus is None or str(corpus).strip() == "":
        return RAW_DIR
    path = Path(corpus).expanduser()
    if path.is_absolute() or path.exists():
        return path.resolve()
    return (PROJECT_ROOT / path).resolve()
