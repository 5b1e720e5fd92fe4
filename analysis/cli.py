"""The command line: `python -m analysis tabulate | report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .paths import NOTEBOOKS_DIR, PROCESSED_DIR, RAW_DIR, REPORTS_DIR


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
    """Write every table; exit status 0 when at least one article was read, 1 when none could be."""
    from .workers import needs_workers, start_forkserver

    if needs_workers(args.inputs or [RAW_DIR], args.out):  # the workers' library loads while this process loads its own
        start_forkserver()
    from .corpus import tabulate

    summary = tabulate(args.inputs or None, args.out, use_cache=not args.no_cache)
    state = " (up to date, nothing rewritten)" if summary.up_to_date else ""
    print(
        f"tabulate: {summary.files} files, {summary.articles} articles read, {summary.rejected} rejected, "
        f"{summary.removed_lines} lines removed, {summary.seconds:.1f} s -> {args.out}{state}"
    )
    return 0 if summary.articles else 1


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
