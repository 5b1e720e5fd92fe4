"""Tests for analysis/cli.py: the commands and their help."""

from __future__ import annotations

import subprocess
import sys

from analysis.paths import PROJECT_ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "tabulate" in result.stdout and "report" in result.stdout


def test_report_help_lists_its_options():
    result = run_cli("report", "--help")
    assert "--corpus" in result.stdout and "--out" in result.stdout and "--only" in result.stdout


def test_unknown_notebook_is_an_error(tmp_path):
    result = run_cli("report", "--only", "no_such_notebook", "--out", str(tmp_path))
    assert result.returncode != 0
    assert "no_such_notebook" in result.stderr


def test_a_second_tabulate_of_unchanged_pages_answers_without_loading_the_library(tmp_path, seed_path):
    out = tmp_path / "out"
    first = run_cli("tabulate", str(seed_path), "--out", str(out))
    assert first.returncode == 0 and "up to date" not in first.stdout
    check = ("import sys; from analysis import cli; status = cli.main(['tabulate', sys.argv[1], '--out', sys.argv[2]]);"
             " print('pandas loaded:', 'pandas' in sys.modules); sys.exit(status)")
    second = subprocess.run([sys.executable, "-c", check, str(seed_path), str(out)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert second.returncode == 0
    assert "1 articles read" in second.stdout and "(up to date, nothing rewritten)" in second.stdout
    assert "pandas loaded: False" in second.stdout
    seed_copy = tmp_path / "seed.txt"  # another input: tabulated again
    seed_copy.write_bytes(seed_path.read_bytes())
    third = run_cli("tabulate", str(seed_copy), "--out", str(out))
    assert third.returncode == 0 and "up to date" not in third.stdout


def test_tabulate_without_the_reference_tables_is_one_clear_error(tmp_path, seed_path, monkeypatch, capsys):
    from analysis import cli, paths

    missing = tmp_path / "usgs_rare_earths.csv"
    monkeypatch.setattr(paths, "REFERENCE_TABLES", (missing, *paths.REFERENCE_TABLES[1:]))
    status = cli.main(["tabulate", str(seed_path), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.count("\n") == 1 and "tabulate: error: reference table missing or unreadable" in captured.err
    assert str(missing) in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "out").exists()  # nothing started, nothing written
