"""Tests for analysis/outputs.py: atomic writes."""

from __future__ import annotations

import os

import pytest

from analysis import outputs


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "table.csv"
    outputs.write_text_atomic(target, "稀土,83.7\n")
    outputs.write_text_atomic(target, "稀土,37.8\n")
    assert target.read_text(encoding="utf-8") == "稀土,37.8\n"
    assert os.listdir(target.parent) == ["table.csv"]


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    outputs.write_text_atomic(target, "old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(outputs.os, "replace", broken_replace)
    with pytest.raises(OSError):
        outputs.write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["table.csv"]


def test_a_cache_entry_skips_the_flush_to_disk_but_is_still_renamed_into_place(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    outputs.write_bytes_atomic(tmp_path / "cache.pkl", b"x", durable=False)
    outputs.write_bytes_atomic(tmp_path / "table.csv", b"y")
    assert len(synced) == 1 and (tmp_path / "cache.pkl").read_bytes() == b"x"
    assert sorted(os.listdir(tmp_path)) == ["cache.pkl", "table.csv"]
