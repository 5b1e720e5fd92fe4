"""The command line: `python -m analysis tabulate | report`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .paths import NOTEBOOKS_DIR, PROCESSED_DIR, RAW_DIR, REPORTS_DIR, MissingReferenceData, require_reference_tables


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Rare-earth news analysis: tables from scraped pages, and notebook reports.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    tabulate = commands.add_parser("tabulate", help="read pages and write the analysis tables (CSV + Parquet)")
    tabulate.add_argument("inputs", nargs="*", type=Path, help=f"files or folders (default: {RAW_DIR})")
    tabulate.add_argument("--out", type=Path, default=PROCESSED_DIR, help=f"output folder (default: {PROCESSED_DIR})")
    tabulate.add_argument("--no-cache", action="store_true", help="recompute every document (ignore the cache)")

    report = commands.add_parser("report", help="execute every notebook and export HTML reports")
    report.add_argument("--corpus", type=Path, default=None, help="corpus folder or file (default: data/raw)")
    report.add_argument("--out", type=Path, default=REPORTS_DIR, help=f"output folder (default: {REPORTS_DIR})")
    report.add_argument("--only", default=None, help="run only this notebook (name or stem)")
    report.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR, help=argparse.SUPPRESS)
    return parser


def run_tabulate(args: argparse.Namespace) -> int:
    """Write every table; exit status 0 when at least one article was read, 1 when none could be, 2 when the
    project's reference tables are missing."""
    from .fingerprint import current_manifest, outputs_look_current
    from .read import find_input_files
    from .workers import more_than_one_batch, start_forkserver

    started = time.perf_counter()
    try:
        require_reference_tables()
    except MissingReferenceData as exc:
        print(f"tabulate: error: {exc}", file=sys.stderr)
        return 2
    inputs = args.inputs or [RAW_DIR]
    looks_current = not args.no_cache and outputs_look_current(inputs, args.out)
    if looks_current:  # most likely nothing to do: make sure without loading the library (pandas…)
        paths = [str(path) for path in find_input_files(inputs)[0]]
        manifest = current_manifest(paths, args.out)
        if manifest:
            print(summary_line(len(paths), manifest, time.perf_counter() - started, args.out, up_to_date=True))
            return 0 if manifest["articles"] else 1
    elif more_than_one_batch(inputs):  # the workers' library loads while this process loads its own
        start_forkserver()
    from .corpus import tabulate

    summary = tabulate(args.inputs or None, args.out, use_cache=not args.no_cache)
    counts = {"articles": summary.articles, "rejected": summary.rejected, "removed_lines": summary.removed_lines}
    print(summary_line(summary.files, counts, summary.seconds, args.out, summary.up_to_date))
    return 0 if summary.articles else 1


def summary_line(files: int, counts: dict, seconds: float, out: Path, up_to_date: bool) -> str:
    """The one line a `tabulate` run ends with (`counts`: articles, rejected, removed_lines)."""
    state = " (up to date, nothing rewritten)" if up_to_date else ""
    return (f"tabulate: {files} files, {counts['articles']} articles read, {counts['rejected']} rejected, "
            f"{counts['removed_lines']} lines removed, {seconds:.1f} s -> {out}{state}")


def run_report(args: argparse.Namespace) -> int:
    """Execute and export every notebook; exit status 1 naming any notebook that failed."""
    from .report import run_reports

    corpus = str(args.corpus.resolve()) if args.corpus else None
    runs = run_reports(corpus=corpus, out_dir=args.out, only=args.only, notebooks_dir=args.notebooks)
    if not runs:
        print(f"report: no notebook matched {args.only!r}", file=sys.stderr)
        return 2
    failed = [run for run in runs if run.status != "ok"]
    for run in failed:
        print(f"report: notebook {run.name} failed: {run.error}", file=sys.stderr)
    print(f"report: {len(runs) - len(failed)} of {len(runs)} notebooks ok -> {args.out / 'index.html'}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Parse `argv` and run the chosen command."""
    args = build_parser().parse_args(argv)
    return {"tabulate": run_tabulate, "report": run_report}[args.command](args)
