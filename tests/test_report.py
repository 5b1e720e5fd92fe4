"""Tests for analysis/report.py: notebook discovery, titles, the index, failures."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import nbformat

from analysis.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from analysis.report import (
    RECORD_FIELDS,
    NotebookRun,
    corpus_label,
    describe_failure,
    find_notebooks,
    index_runs,
    notebook_title,
    recorded_runs,
    render_index,
    run_reports,
)


def test_notebooks_are_found_in_name_order():
    names = [p.name for p in find_notebooks()]
    assert names, "no notebook in notebooks/"
    assert names == sorted(names)
    assert names[0].startswith("01_")


def test_only_selects_one_notebook_by_stem():
    first = find_notebooks()[0]
    assert find_notebooks(only=first.stem) == [first]
    assert find_notebooks(only="no_such_notebook") == []


def test_title_is_the_first_heading():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("Intro\n\n## 稀土 统计\nmore"),
    ])
    assert notebook_title(nb, "fallback") == "稀土 统计"
    assert notebook_title(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_index_escapes_titles_errors_and_parameters():
    runs = [
        NotebookRun("01_a", "<script>alert(1)</script>", "ok", 1.25, {"corpus": "/x/<b>"}),
        NotebookRun("02_b", "Second", "failed", 0.5, {}, "cell 3: ValueError: <img src=x onerror=y>"),
    ]
    page = render_index(runs, "data/raw")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "failed: cell 3: ValueError" in page
    assert 'href="01_a.html"' in page and 'href="02_b.full.html"' in page
    assert "1.2 s" in page or "1.3 s" in page
    assert '<meta charset="utf-8">' in page


def test_describe_failure_names_cell_and_error():
    class FakeError(Exception):
        exec_count, ename, evalue = 4, "KeyError", "'body'"

    assert describe_failure(FakeError()) == "cell 4: KeyError: 'body'"
    assert describe_failure(RuntimeError("boom")) == "RuntimeError: boom"


def test_broken_notebook_fails_the_command_and_others_still_run(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    good = find_notebooks()[0]
    shutil.copy(good, notebooks / good.name)
    broken = nbformat.read(NOTEBOOKS_DIR / good.name, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("raise ValueError('deliberately broken')"))
    nbformat.write(broken, notebooks / "99_broken.ipynb")
    out = tmp_path / "reports"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--out", str(out), "--notebooks", str(notebooks)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode != 0
    assert "99_broken" in result.stderr and "deliberately broken" in result.stderr
    assert (out / f"{good.stem}.html").exists() and (out / "99_broken.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failed: cell" in index and "ValueError" in index


def test_the_index_keeps_earlier_runs_of_notebooks_not_run_now(tmp_path):
    notebooks = [tmp_path / f"{name}.ipynb" for name in ("01_a", "02_b", "03_c")]
    earlier = {"01_a": NotebookRun("01_a", "A", "ok", 3.0), "02_b": NotebookRun("02_b", "B", "failed", 1.0, {}, "x"),
               "09_gone": NotebookRun("09_gone", "Gone", "ok", 1.0)}
    now = [NotebookRun("02_b", "B", "ok", 2.0)]
    shown = index_runs(now, earlier, notebooks)
    assert [(run.name, run.status) for run in shown] == [("01_a", "ok"), ("02_b", "ok")]  # 03_c never ran; 09 gone
    assert corpus_label(shown) == "data/raw (bundled)"
    shown[0].parameters["corpus"] = "/elsewhere"
    assert corpus_label(shown) == "several (see each notebook's parameters)"
    assert recorded_runs(tmp_path) == {}  # no record yet
    assert set(RECORD_FIELDS) == {field.name for field in dataclasses.fields(NotebookRun)}
    (tmp_path / "runs.json").write_text("{not json", encoding="utf-8")
    assert recorded_runs(tmp_path) == {}  # a damaged record is ignored, not fatal
    good = {"name": "01_a", "title": "A", "status": "ok", "seconds": 3.0, "parameters": {}, "error": ""}
    malformed = [{**good, "name": "02_b", "parameters": None}, {**good, "name": "03_c", "seconds": "3"},
                 {**good, "name": "04_d", "extra": 1}, ["not", "a", "dict"], {**good, "name": "05_e", "seconds": True}]
    (tmp_path / "runs.json").write_text(json.dumps([good, *malformed]), encoding="utf-8")
    assert list(recorded_runs(tmp_path)) == ["01_a"]  # well-formed entries kept, malformed ones left out
    (tmp_path / "runs.json").write_text(json.dumps({"01_a": good}), encoding="utf-8")
    assert recorded_runs(tmp_path) == {}  # not a list of entries


def test_running_one_notebook_updates_its_row_and_keeps_the_others(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name, title in (("01_first", "第一"), ("02_second", "第二")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}"),
                                             nbformat.v4.new_code_cell("print(1 + 1)")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.write(nb, notebooks / f"{name}.ipynb")
    out = tmp_path / "reports"
    assert [run.status for run in run_reports(out_dir=out, notebooks_dir=notebooks)] == ["ok", "ok"]
    first_index = recorded_runs(out)
    only = run_reports(out_dir=out, notebooks_dir=notebooks, only="02_second")
    assert [run.name for run in only] == ["02_second"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "第一" in index and "第二" in index and "2 notebooks, 0 failed" in index
    again = recorded_runs(out)
    assert again["01_first"] == first_index["01_first"]  # kept as it was
    assert again["02_second"].seconds != first_index["02_second"].seconds  # this run's row
