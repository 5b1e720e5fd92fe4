"""Claim extraction against the shared dev-corpus labels: the targets of issue 4 (figures printed by the script)."""

from __future__ import annotations

import importlib.util

import pytest

from analysis.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def evaluation():
    """benchmarks/evaluate_claims.py as a module."""
    spec = importlib.util.spec_from_file_location("evaluate_claims", PROJECT_ROOT / "benchmarks" / "evaluate_claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev_corpus(shared_dir):
    corpus = shared_dir / "corpus" / "dev"
    if not (corpus / "labels.jsonl").is_file():
        pytest.skip("no labelled dev corpus in ../shared")
    return corpus


def test_labelled_body_meets_the_targets(evaluation, dev_corpus, capsys):
    result = evaluation.evaluate(dev_corpus, evaluation.labelled_body)
    with capsys.disabled():
        print(f"\nclaims on labelled bodies: percent recall {result['percent_recall']:.1%}, precision "
              f"{result['percent_precision']:.1%}; tonnage recall {result['tonnage_recall']:.1%}")  # fmt: skip
    assert result["percent_labels"] > 0 and result["tonnage_labels"] > 0
    assert result["percent_recall"] >= 0.95
    assert result["percent_precision"] >= 0.90
    assert result["tonnage_recall"] >= 0.90


def test_cleaned_body_meets_the_targets(evaluation, dev_corpus):
    result = evaluation.evaluate(dev_corpus, evaluation.cleaned_body)
    assert result["percent_recall"] >= 0.95
    assert result["percent_precision"] >= 0.90
    assert result["tonnage_recall"] >= 0.90


def test_percentages_outside_the_body_count_as_false(evaluation, dev_corpus):
    body = evaluation.evaluate(dev_corpus, evaluation.labelled_body)
    page = evaluation.evaluate(dev_corpus, evaluation.whole_page)
    assert page["percent_predicted"] > body["percent_predicted"]
    assert page["percent_precision"] < body["percent_precision"]
    assert page["percent_correct"] == body["percent_correct"]


def test_label_matching_needs_value_and_place(evaluation):
    import pandas as pd

    sentence = "占全国总量的83.7%、世界总量的37.8%。"
    claim = pd.Series({"sentence": sentence, "char_start": 6, "char_end": 11, "value": 83.7})
    predicted = pd.DataFrame([claim])
    assert evaluation.match_labels([{"value": 83.7, "text": "占全国总量的83.7%"}], predicted) == 1
    assert evaluation.match_labels([{"value": 37.8, "text": "世界总量的37.8%"}], predicted) == 0
    assert evaluation.match_labels([{"value": 83.7, "text": "世界总量的37.8%"}], predicted) == 0
