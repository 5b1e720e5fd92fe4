"""Every notebook: committed clean with a parameters cell, and executed headlessly without errors."""

from __future__ import annotations

import json

import nbformat
import pytest

from analysis.report import find_notebooks

NOTEBOOKS = find_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs_and_a_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be tagged parameters"
    assert "corpus" in "".join(code[0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and "".join(nb["cells"][0]["source"]).startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_without_error_output(report_run, path):
    out, runs = report_run
    run = next(r for r in runs if r.name == path.stem)
    assert run.status == "ok", run.error
    executed = nbformat.read(out / path.name, as_version=4)
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: {output.get('ename')}: {output.get('evalue')}"
            if output.output_type == "stream" and output.name == "stderr":
                assert "Warning" not in output.text and "Error" not in output.text, output.text
    for suffix in (".html", ".full.html"):
        page = (out / f"{path.stem}{suffix}").read_text(encoding="utf-8")
        assert '<meta charset="utf-8"' in page
        assert "<script src=" not in page, "reports must open offline"


def test_index_lists_every_notebook_with_links(report_run):
    out, runs = report_run
    index = (out / "index.html").read_text(encoding="utf-8")
    for run in runs:
        assert f'href="{run.name}.html"' in index and f'href="{run.name}.full.html"' in index
        assert run.title in index


def test_reader_report_hides_code_and_full_report_shows_it(report_run):
    out, _ = report_run
    first = NOTEBOOKS[0].stem
    reader = (out / f"{first}.html").read_text(encoding="utf-8")
    full = (out / f"{first}.full.html").read_text(encoding="utf-8")
    assert "import analysis" not in reader
    assert "import" in full and "analysis" in full
