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
