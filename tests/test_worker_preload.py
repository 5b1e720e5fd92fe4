"""Tests for analysis/worker_preload.py: the made-up warm-up page goes through every per-document step."""

from analysis import corpus, worker_preload


def test_the_warmup_page_exercises_every_per_document_table():
    page = worker_preload.warmup_page()
    assert not page.text.startswith("#") and "\n#" not in page.text
    tables = corpus.pages_tables([page])
    empty = [name for name, table in tables.items() if table.empty]
    assert empty == []  # claims, cross-checks, quotes, entities … all have rows: every lazy rule set was built
    assert set(tables["removed"]["reason"]) >= {"navigation", "timestamp", "copyright", "related list", "snippet"}
    assert tables["quotes"]["speaker"].tolist()[:1] == ["王五"]
