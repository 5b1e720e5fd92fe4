"""Tests for analysis/workers.py: the forkserver context and the quick "more than one batch?" check."""

from analysis import workers


def test_a_few_small_files_fit_in_one_batch(tmp_path):
    for n in range(3):
        (tmp_path / f"page_{n}.txt").write_text("稀土", encoding="utf-8")
    assert not workers.more_than_one_batch([tmp_path])
    assert not workers.more_than_one_batch([tmp_path / "missing"])


def test_many_files_in_nested_folders_need_more_than_one_batch(tmp_path):
    for n in range(workers.BATCH_FILES + 1):
        folder = tmp_path / f"{n % 3}"
        folder.mkdir(exist_ok=True)
        (folder / f"page_{n}.txt").write_text("稀土", encoding="utf-8")
    assert workers.more_than_one_batch([tmp_path])
    assert not workers.more_than_one_batch([tmp_path / "0"])  # a third of them


def test_large_files_need_more_than_one_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "MAX_BATCH_BYTES", 1000)
    page = tmp_path / "page.txt"
    page.write_bytes("稀土".encode() * 200)  # 1,200 bytes
    assert workers.more_than_one_batch([page])
    assert not workers.more_than_one_batch([page.with_name("other.txt")])


def test_workers_come_from_a_forkserver_that_preloads_the_library():
    assert workers.worker_context().get_start_method() == "forkserver"
    assert workers.PRELOAD == ["analysis.worker_preload"]
