"""Tests for analysis/segmenter.py: choosing the backend and what identifies it."""

import re

import pytest

from analysis import segmenter


def test_backend_choice(monkeypatch):
    monkeypatch.setenv(segmenter.BACKEND_ENV, "jieba")
    assert segmenter.choose_backend() == "jieba"
    assert segmenter.segmenter_info()["backend"] == "jieba"
    assert segmenter.choose_backend("rjieba") == "rjieba"
    monkeypatch.delenv(segmenter.BACKEND_ENV)
    assert segmenter.choose_backend() == segmenter.DEFAULT_BACKEND
    with pytest.raises(ValueError):
        segmenter.choose_backend("thulac")


def test_segmenter_info_hashes_the_dictionary():
    info = segmenter.segmenter_info("rjieba")
    assert info["version"] == "0.2.2" and info["hmm"] is False
    assert re.fullmatch(r"[0-9a-f]{64}", info["dictionary_sha256"])
    assert segmenter.segmenter_info("jieba")["dictionary_sha256"] == info["dictionary_sha256"]
