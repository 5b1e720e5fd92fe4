"""Running the notebooks headlessly and exporting them as offline HTML reports with an index.

For every notebook in `notebooks/` (name order) `run_reports` writes to the output folder:
`<name>.ipynb` (executed), `<name>.html` (reader version: code hidden) and `<name>.full.html`
(with code), then `index.html` listing each notebook's title, status, run time and parameters. Each notebook's
last run is also recorded in `runs.json`, so that running one notebook (`only`) updates its row of the index and
keeps the others.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .charts import embed_cjk_font
from .outputs import write_text_atomic
from .paths import NOTEBOOKS_DIR, REPORTS_DIR

KERNEL_NAME = "rare-earth-notebooks"
TEMPLATES = Path(__file__).resolve().parent / "templates"
CELL_TIMEOUT_SECONDS = 600
RUNS_RECORD = "runs.json"  # the last run of every notebook in the output folder, for the index
BUNDLED_CORPUS_LABEL = "data/raw (bundled)"


@dataclass
class NotebookRun:
    """The outcome of executing one notebook."""

    name: str
    title: str
    status: str  # "ok" or "failed"
    seconds: float
    parameters: dict = field(default_factory=dict)
    error: str = ""


# a NotebookRun as recorded in runs.json: each field and the type its value must have (a test checks the fields)
RECORD_FIELDS = {"name": str, "title": str, "status": str, "seconds": (int, float), "parameters": dict, "error": str}


def find_notebooks(folder: Path = NOTEBOOKS_DIR, only: str | None = None) -> list[Path]:
    """The notebooks in `folder` in name order, or the one whose name (or stem) is `only`."""
    notebooks = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    if only:
        notebooks = [p for p in notebooks if only in (p.name, p.stem)]
    return notebooks


def notebook_title(nb: nbformat.NotebookNode, default: str) -> str:
    """The text of the notebook's first markdown heading, or `default`."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.lstrip().startswith("#"):
                return line.lstrip("# ").strip()
    return default


@contextlib.contextmanager
def project_kernel() -> Iterator[str]:
    """A kernelspec for this interpreter, found before any in the user's home; yields its name."""
    with tempfile.TemporaryDirectory(prefix="rare-earth-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (rare-earth notebooks)",
            "language": "python",
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        previous = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [tmp, previous]))
        try:
            yield KERNEL_NAME
        finally:
            if previous is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = previous


def describe_failure(exc: BaseException) -> str:
    """One line naming the failing cell and its error, from a papermill or other exception."""
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", None)
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        where = f"cell {cell}: " if cell is not None else ""
        return f"{where}{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}".strip()


def execute_notebook(source: Path, executed: Path, parameters: dict, kernel: str) -> NotebookRun:
    """Execute `source` with papermill into `executed`; never raises for a failing cell."""
    import papermill

    nb = nbformat.read(source, as_version=4)
    run = NotebookRun(source.stem, notebook_title(nb, source.stem), "ok", 0.0, dict(parameters))
    executed.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed.with_name(f".{executed.stem}.tmp.ipynb")
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source),
            str(tmp),
            parameters=parameters,
            kernel_name=kernel,
            cwd=str(source.parent),
            progress_bar=False,
            execution_timeout=CELL_TIMEOUT_SECONDS,
        )
    except Exception as exc:  # a failing notebook must not stop the others
        run.status, run.error = "failed", describe_failure(exc)
    run.seconds = time.perf_counter() - started
    if tmp.exists():
        os.replace(tmp, executed)
    else:
        nbformat.write(nb, executed)
    return run


ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})


ACTIVE_ELEMENTS = re.compile(r"<(script|style|template|noscript|iframe|object)\b.*?</\1\s*>", re.I | re.S)


def allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Whether an attribute may stay in report HTML: classes and table spans; images only as data URIs."""
    if name in {"class", "title", "colspan", "rowspan", "align"}:
        return True
    if tag == "img" and name in {"alt", "width", "height"}:
        return True
    if tag == "img" and name == "src":
        return value.startswith(("data:image/png;base64,", "data:image/svg+xml;base64,", "data:image/jpeg;base64,"))
    if tag == "a" and name == "href":
        return value.startswith(("https://", "http://", "#"))
    return False


def sanitize_output_html(fragment: str | bytes) -> str:
    """Output HTML with everything but plain document markup removed (no script, handlers, frames)."""
    import bleach

    text = fragment.decode() if isinstance(fragment, bytes) else str(fragment)
    text = ACTIVE_ELEMENTS.sub("", text)
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS, attributes=allowed_attribute, protocols={"http", "https", "data"}, strip=True,
        strip_comments=True,
    )
    return cleaner.clean(text)


def export_html(executed: Path, target: Path, with_code: bool) -> Path:
    """Export an executed notebook to self-contained HTML; every output is sanitized."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        filters={"clean_html": sanitize_output_html},
        template_name="reader",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=not with_code,
        exclude_input_prompt=not with_code,
        exclude_output_prompt=True,
        sanitize_html=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    return write_text_atomic(target, embed_cjk_font(body))


def recorded_runs(out_dir: Path) -> dict[str, NotebookRun]:
    """The last run of each notebook recorded in `out_dir` by name; a missing or unreadable record gives none, and a
    malformed entry is left out."""
    try:
        records = json.loads((Path(out_dir) / RUNS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    runs = [NotebookRun(**record) for record in records if is_run_record(record)] if isinstance(records, list) else []
    return {run.name: run for run in runs}


def is_run_record(record: object) -> bool:
    """Whether a `runs.json` entry has exactly the fields of a NotebookRun, each of its type."""
    return (isinstance(record, dict) and set(record) == set(RECORD_FIELDS)
            and all(isinstance(record[name], kind) and not isinstance(record[name], bool)
                    for name, kind in RECORD_FIELDS.items()))


def index_runs(runs: list[NotebookRun], earlier: dict[str, NotebookRun], notebooks: list[Path]) -> list[NotebookRun]:
    """The index's rows: this run's notebooks and the earlier runs of the other `notebooks`, in name order
    (notebooks that are gone from the folder drop out)."""
    latest = {**earlier, **{run.name: run for run in runs}}
    return [latest[notebook.stem] for notebook in notebooks if notebook.stem in latest]


def corpus_label(runs: list[NotebookRun]) -> str:
    """The corpus the index's runs read, or a pointer to each row's parameters when they read different ones."""
    corpora = {str(run.parameters.get("corpus") or BUNDLED_CORPUS_LABEL) for run in runs}
    return corpora.pop() if len(corpora) == 1 else "several (see each notebook's parameters)"


def render_index(runs: list[NotebookRun], corpus_label: str) -> str:
    """The HTML of `index.html`: every notebook with title, status, time, parameters and links."""
    esc = html.escape
    rows = []
    for run in runs:
        params = ", ".join(f"{k} = {v!r}" for k, v in run.parameters.items()) or "(defaults)"
        status = "ok" if run.status == "ok" else f"failed: {run.error}"
        rows.append(
            "<tr>"
            f"<td>{esc(run.name)}</td><td>{esc(run.title)}</td>"
            f'<td class="{esc(run.status)}">{esc(status)}</td>'
            f"<td>{run.seconds:.1f} s</td><td><code>{esc(params)}</code></td>"
            f'<td><a href="{esc(run.name)}.html">report</a> · '
            f'<a href="{esc(run.name)}.full.html">with code</a> · '
            f'<a href="{esc(run.name)}.ipynb">notebook</a></td>'
            "</tr>"
        )
    failed = sum(run.status != "ok" for run in runs)
    summary = f"{len(runs)} notebooks, {failed} failed, {sum(r.seconds for r in runs):.1f} s in all"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        "<title>稀土新闻分析 · Reports</title>\n"
        "<style>body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:2em;}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
        ".failed{color:#b00020;font-weight:bold}.ok{color:#1b5e20}</style>\n</head>\n<body>\n"
        "<h1>稀土新闻分析 · Rare-earth news analysis reports</h1>\n"
        f"<p>Corpus: <code>{esc(corpus_label)}</code>. {esc(summary)}.</p>\n"
        "<table>\n<thead><tr><th>Notebook</th><th>Title</th><th>Status</th><th>Run time</th>"
        "<th>Parameters</th><th>Links</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )


def run_reports(
    corpus: str | None = None,
    out_dir: Path = REPORTS_DIR,
    only: str | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
) -> list[NotebookRun]:
    """Execute and export every notebook (or `only` one) into `out_dir`, and write the index (with the earlier runs of
    the notebooks not run now); returns this run's notebooks."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"corpus": corpus} if corpus else {}
    parameters["figures_dir"] = str(out_dir.resolve() / "figures")
    runs = []
    with project_kernel() as kernel:
        for source in find_notebooks(notebooks_dir, only):
            executed = out_dir / source.name
            run = execute_notebook(source, executed, parameters, kernel)
            for target, with_code in ((f"{source.stem}.html", False), (f"{source.stem}.full.html", True)):
                try:
                    export_html(executed, out_dir / target, with_code)
                except Exception as exc:  # keep going: the index records it
                    run.status = "failed"
                    run.error = run.error or f"HTML export: {describe_failure(exc)}"
            runs.append(run)
            print(f"{run.status:>6}  {run.seconds:5.1f} s  {source.name}  {run.error}", flush=True)
    shown = index_runs(runs, recorded_runs(out_dir), find_notebooks(notebooks_dir))
    write_text_atomic(out_dir / RUNS_RECORD, json.dumps([asdict(run) for run in shown], ensure_ascii=False, indent=1))
    write_text_atomic(out_dir / "index.html", embed_cjk_font(render_index(shown, corpus_label(shown))))
    return runs
