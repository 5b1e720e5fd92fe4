"""Shared fixtures: the seed article, the shared corpus, and one headless report run per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sentence_tables import sentences_from

from analysis.paths import PROJECT_ROOT, RAW_DIR

SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The bundled seed article (data/raw)."""
    return sorted(RAW_DIR.glob("*.txt"))[0]


@pytest.fixture(scope="session")
def seed_text(seed_path: Path) -> str:
    """The seed article's text."""
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_sentences(seed_text: str) -> pd.DataFrame:
    """The seed article's body (before 相关内容) as a sentences table (simple splitter, not the cleaner)."""
    return sentences_from(seed_text.split("相关内容")[0], "seed")


@pytest.fixture(scope="session")
def seed_tokens(seed_sentences: pd.DataFrame) -> pd.DataFrame:
    """The seed's tokens with the default backend."""
    from analysis import words

    return words.tokenize_sentences(seed_sentences)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the project; tests that need it are skipped when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def report_run(tmp_path_factory):
    """Every notebook executed once on the bundled data, exported to a temporary reports folder."""
    from analysis.report import run_reports

    out = tmp_path_factory.mktemp("reports")
    runs = run_reports(out_dir=out)
    return out, runs
