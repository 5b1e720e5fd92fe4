"""The extraction benchmark: labelled dev corpora in ../shared must score at least 95% (txt) / 90% (html)."""

from __future__ import annotations

import importlib.util
import time

import pytest

from analysis import clean
from analysis.paths import PROJECT_ROOT


def load_benchmark():
    """The benchmarks/evaluate_extraction.py module."""
    spec = importlib.util.spec_from_file_location("evaluate_extraction",
                                                  PROJECT_ROOT / "benchmarks" / "evaluate_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def benchmark():
    """The benchmark module, loaded once."""
    return load_benchmark()


@pytest.mark.parametrize(("corpus", "pages", "target"), [("dev", "pages", 0.95), ("dev-html", "", 0.90)])
def test_extraction_meets_its_target(benchmark, shared_dir, corpus, pages, target):
    folder = shared_dir / "corpus" / corpus
    if not (folder / "labels.jsonl").is_file():
        pytest.skip(f"{folder} has no labels")
    result = benchmark.evaluate(folder, pages)
    print(corpus, {measure: f"{rate:.0%}" for measure, rate in result["rates"].items()})
    assert result["pages"] >= 10
    assert min(result["rates"].values()) >= target, result["failures"]


def test_scoring_catches_boilerplate_and_wrong_metadata(benchmark):
    article = clean.Article("x", "x.txt", "utf-8", title="稀土新闻", published="2024-01-02",
                            paragraphs=["稀土产业稳步发展，产量持续增长。", "责任编辑：张三"])
    label = {"body_start": "稀土产业稳步", "body_end": "持续增长。", "boilerplate": ["责任编辑：张三"],
             "title": "稀土新闻", "date": "2024-01-03"}
    assert benchmark.score_page(article, label) == {"body_start": True, "body_end": True, "boilerplate": False,
                                                    "title": True, "date": False}
    label.update(title=None, date="2024-01-02", boilerplate=[], body_end="不在正文里")
    assert benchmark.score_page(article, label) == {"body_start": True, "body_end": False, "boilerplate": True,
                                                    "title": False, "date": True}


def test_throughput_reports_both_rates(benchmark, seed_path):
    speed = benchmark.throughput([seed_path], rounds=1)
    assert speed["chars"] > 1000 and speed["clean_chars_per_s"] > 0 and speed["jieba_chars_per_s"] > 0
    assert speed["rounds"] == 1 and speed["speedup"] > 0


def test_timed_samples_are_equally_long_and_taken_in_turns(benchmark, monkeypatch):
    monkeypatch.setattr(benchmark, "SAMPLE_SECONDS", 0.05)
    calls: list[str] = []

    def pause(name: str, seconds: float):
        def run() -> None:
            calls.append(name)
            time.sleep(seconds)
        return run

    timings = benchmark.round_seconds({"slow": pause("slow", 0.025), "quick": pause("quick", 0.002)}, rounds=2)
    assert len(timings) == 2
    assert all(0.025 <= timing["slow"] < 0.25 and 0.002 <= timing["quick"] < timing["slow"] for timing in timings)
    assert calls.count("quick") > 5 * calls.count("slow")  # the quick pass is repeated to make a sample as long
    turns = [name for index, name in enumerate(calls) if index == 0 or calls[index - 1] != name]
    assert turns == ["slow", "quick"] * 3  # each sized (its passes together), then sample by sample, taking turns


def test_a_sample_is_sized_after_a_slow_first_pass(benchmark, monkeypatch):
    monkeypatch.setattr(benchmark, "SAMPLE_SECONDS", 0.05)
    calls: list[float] = []

    def cold_then_quick() -> None:  # the first pass loads things (slow); the others are quick
        time.sleep(0.06 if not calls else 0.002)
        calls.append(time.perf_counter())

    passes = benchmark.passes_per_sample(cold_then_quick)
    assert passes * 0.002 >= 0.05  # a sample of quick passes lasts SAMPLE_SECONDS, not one cold pass's time


def test_the_speed_up_is_the_median_of_the_rounds_ratios(benchmark):
    timings = [{"jieba": 1.0, "clean": 0.1}, {"jieba": 2.0, "clean": 0.1}, {"jieba": 0.5, "clean": 0.1}]
    # (the quickest jieba sample over the quickest cleaning one, from different rounds, would say 5)
    assert benchmark.median_ratio(timings, "jieba", "clean") == pytest.approx(10.0)
