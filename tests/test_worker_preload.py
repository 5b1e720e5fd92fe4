"""Tests for analysis/worker_preload.py: the made-up warm-up page goes through every per-document step."""

import subprocess
import sys
from pathlib import Path

from analysis import corpus, worker_preload


def test_the_warmup_page_exercises_every_per_document_table():
    page = worker_preload.warmup_page()
    assert not page.text.startswith("#") and "\n#" not in page.text
    tables = corpus.pages_tables([page])
    empty = [name for name, table in tables.items() if table.empty]
    assert empty == []  # claims, cross-checks, quotes, entities … all have rows: every lazy rule set was built
    assert set(tables["removed"]["reason"]) >= {"navigation", "timestamp", "copyright", "related list", "snippet"}
    assert tables["quotes"]["speaker"].tolist()[:1] == ["王五"]


def test_the_forkserver_freezes_what_it_loaded_before_forking():
    code = "import gc, analysis.worker_preload; print(gc.get_freeze_count() > 10000)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "True"
