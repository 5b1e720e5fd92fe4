"""Tests for analysis/paths.py: where things live, and the check that the shipped reference tables are there."""

from __future__ import annotations

import pytest

from analysis.paths import REFERENCE_TABLES, MissingReferenceData, require_reference_tables, resolve_corpus


def test_the_shipped_reference_tables_are_all_present():
    require_reference_tables()  # raises when one is missing
    assert {path.name for path in REFERENCE_TABLES} == {
        "usgs_rare_earths.csv", "usgs_lower_bounds.csv", "china_rare_earth_facts.csv"}


def test_a_missing_reference_table_is_one_error_naming_every_missing_file(tmp_path):
    present, gone, also_gone = tmp_path / "present.csv", tmp_path / "gone.csv", tmp_path / "also_gone.csv"
    present.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MissingReferenceData) as caught:
        require_reference_tables((present, gone, also_gone))
    message = str(caught.value)
    assert str(gone) in message and str(also_gone) in message and str(present) not in message
    assert "data/reference" in message
    assert isinstance(caught.value, FileNotFoundError)  # callers catching the usual error still do
    require_reference_tables((present,))  # nothing missing: no error
    with pytest.raises(MissingReferenceData, match="missing or unreadable"):
        require_reference_tables((tmp_path,))  # a folder of that name is no table


def test_an_empty_corpus_argument_means_the_bundled_raw_data(tmp_path):
    assert resolve_corpus(None) == resolve_corpus("  ") and resolve_corpus(None).name == "raw"
    assert resolve_corpus(tmp_path) == tmp_path.resolve()
