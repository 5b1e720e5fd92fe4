"""Tests for analysis/report.py: notebook discovery, titles, the index, failures."""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat

from analysis.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from analysis.report import NotebookRun, describe_failure, find_notebooks, notebook_title, render_index


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
