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
# The reference tables the claims are cross-checked against (shipped with the project, see data/reference/README.md)
USGS_TABLE = REFERENCE_DIR / "usgs_rare_earths.csv"
USGS_LOWER_BOUNDS = REFERENCE_DIR / "usgs_lower_bounds.csv"
CHINA_FACTS = REFERENCE_DIR / "china_rare_earth_facts.csv"
REFERENCE_TABLES = (USGS_TABLE, USGS_LOWER_BOUNDS, CHINA_FACTS)


class MissingReferenceData(FileNotFoundError):
    """A reference table that every cross-check needs is missing: a broken installation, not bad input."""


def require_reference_tables(tables: tuple[Path, ...] | None = None) -> None:
    """Raise MissingReferenceData naming every missing reference table (checked once before a run, so that a
    broken installation is one clear error rather than a failure on every page)."""
    tables = REFERENCE_TABLES if tables is None else tables
    missing = [str(path) for path in tables if not (path.is_file() and os.access(path, os.R_OK))]
    if missing:
        raise MissingReferenceData(
            f"reference table{'s' if len(missing) > 1 else ''} missing or unreadable: {', '.join(missing)}. They ship "
            "with the project in data/reference/ (restore them, e.g. `git checkout -- data/reference`)."
        )


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
