"""Score the article extractor against the labelled dev corpora in ../shared, and time it against jieba.

    .venv/bin/python benchmarks/evaluate_extraction.py [--shared DIR] [--verbose]

Measures per page (all comparisons ignore whitespace; labels are normalised like the pages: full-width
digits/letters to half-width, Traditional to Simplified when the page was converted):
- body_start / body_end: the labelled first / last characters of the body lie inside the extracted body
- boilerplate: no labelled boilerplate snippet lies inside the extracted body
- title: the extracted title equals the labelled one (a page labelled without a title must get none)
- date: the extracted published date equals the labelled one (likewise for pages without a date)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import clean, read
from analysis.paths import PROJECT_ROOT
from analysis.words import plain_jieba

MEASURES = ["body_start", "body_end", "boilerplate", "title", "date"]
TARGETS = {"dev": 0.95, "dev-html": 0.90}
WHITESPACE = re.compile(r"[\s\u3000\xa0]+")


def squeeze(text: str | None) -> str:
    """Text without any whitespace (the labels' comparison rule)."""
    return WHITESPACE.sub("", text or "")


def comparable_label(text: str | None, article: clean.Article) -> str:
    """A label string normalised the way the article's text was (half-width, Simplified when converted)."""
    text = clean.normalise_text(text or "")
    if article.converted_to_simplified:
        text = clean.to_simplified(text)
    return squeeze(text)


def score_page(article: clean.Article, label: dict) -> dict[str, bool]:
    """Pass/fail of every measure for one extracted article against its label."""
    body = squeeze("\n".join(article.paragraphs))
    title = comparable_label(label.get("title"), article)
    return {
        "body_start": comparable_label(label["body_start"], article) in body,
        "body_end": comparable_label(label["body_end"], article) in body,
        "boilerplate": not any(comparable_label(snippet, article) in body for snippet in label.get("boilerplate", [])
                               if comparable_label(snippet, article)),
        "title": squeeze(article.title) == title,
        "date": article.published == (label.get("date") or ""),
    }


def extract(path: Path) -> clean.Article | None:
    """The article extracted from one page file (None when the reader rejects it)."""
    pages, _ = read.read_file(path)
    return clean.split_page(pages[0]) if pages else None


def failure(label: dict, measure: str, article: clean.Article | None) -> dict:
    """A row describing one failed measure (with what was found and wanted for title and date)."""
    found = {"title": article.title, "date": article.published} if article else {}
    wanted = label.get(measure) if measure in {"title", "date"} else label.get(measure, "")
    return {"file": label["file"], "measure": measure, "got": found.get(measure, "" if article else "rejected"),
            "want": wanted}


def evaluate(corpus: Path, page_folder: str = "") -> dict:
    """Per-measure pass rates over a labelled corpus folder, plus the failures."""
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines()
              if line.strip()]
    passed = dict.fromkeys(MEASURES, 0)
    failures = []
    for label in labels:
        article = extract(corpus / page_folder / label["file"])
        scores = score_page(article, label) if article else dict.fromkeys(MEASURES, False)
        for measure, ok in scores.items():
            passed[measure] += ok
            if not ok:
                failures.append(failure(label, measure, article))
    n = max(len(labels), 1)
    return {"pages": len(labels), "rates": {m: passed[m] / n for m in MEASURES}, "failures": failures}


SAMPLE_SECONDS = 0.2  # a timed sample repeats its pass until it lasts at least this long (see `round_seconds`)
ROUNDS = 15  # rounds of samples (one of each run per round), whose median ratio is the speed-up


def passes_per_sample(run) -> int:
    """How many passes of `run` make a sample of at least SAMPLE_SECONDS: after a first, warming-up pass, the count
    doubles until a sample lasts that long (as timeit's autorange does; sizing from one cold pass would not)."""
    run()
    passes = 1
    while True:
        started = time.perf_counter()
        for _ in range(passes):
            run()
        if time.perf_counter() - started >= SAMPLE_SECONDS:
            return passes
        passes *= 2


def round_seconds(runs: dict, rounds: int) -> list[dict[str, float]]:
    """Seconds per pass of each of `runs` in each round: one sample of each run per round, the runs taking turns.

    Fair to both sides on a shared machine whose speed drifts: a round's samples are next to each other in time, so
    they share the machine's phase (the median of the rounds' ratios is the speed-up), and samples of equal length
    (a quick pass repeated) keep a few milliseconds' lucky moment from flattering the quicker side."""
    passes = {name: passes_per_sample(run) for name, run in runs.items()}
    timings = []
    for _ in range(rounds):
        timing = {}
        for name, run in runs.items():
            started = time.perf_counter()
            for _ in range(passes[name]):
                run()
            timing[name] = (time.perf_counter() - started) / passes[name]
        timings.append(timing)
    return timings


def median_ratio(timings: list[dict[str, float]], slower: str, quicker: str) -> float:
    """The median over rounds of how many times quicker one run is than another."""
    return statistics.median(timing[slower] / timing[quicker] for timing in timings)


def throughput(paths: list[Path], rounds: int = ROUNDS) -> dict:
    """Characters per second of reading + cleaning (and with the batch's tables) vs `jieba.cut` on the same text
    (medians over rounds), and the speed-ups (the medians of the rounds' ratios)."""
    jieba = plain_jieba()
    texts = [page.text for path in paths for page in read.read_file(path)[0]]
    n_chars = sum(len(text) for text in texts)
    jieba.lcut("预热")  # load the dictionary outside the timing
    clean.article_tables(clean.split_page(read.read_file(paths[0])[0][0]))  # load resources outside the timing

    def read_and_split() -> list[clean.Article]:  # as the corpus runner does with a batch: read, then split
        return clean.split_pages([page for path in paths for page in read.read_file(path)[0]])

    def read_and_clean() -> None:
        clean.articles_records(read_and_split())

    def with_tables() -> None:  # the same, and one DataFrame per table for the whole batch
        clean.articles_tables(read_and_split())

    def segment() -> None:
        for text in texts:
            for _ in jieba.cut(text):
                pass

    timings = round_seconds({"jieba": segment, "clean": read_and_clean, "tables": with_tables}, rounds)
    rate = {name: n_chars / statistics.median(timing[name] for timing in timings) for name in timings[0]}
    return {"chars": n_chars, "files": len(paths), "rounds": rounds, "jieba_chars_per_s": rate["jieba"],
            "clean_chars_per_s": rate["clean"], "speedup": median_ratio(timings, "jieba", "clean"),
            "tables_chars_per_s": rate["tables"], "speedup_with_tables": median_ratio(timings, "jieba", "tables")}


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when any measure is below its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument("--verbose", action="store_true", help="list every failure")
    args = parser.parse_args(argv)
    status = 0
    corpora = {"dev": (args.shared / "corpus" / "dev", "pages"), "dev-html": (args.shared / "corpus" / "dev-html", "")}
    for name, (folder, pages) in corpora.items():
        if not (folder / "labels.jsonl").is_file():
            print(f"{name}: not found at {folder}")
            continue
        result = evaluate(folder, pages)
        rates = "  ".join(f"{m} {rate:.0%}" for m, rate in result["rates"].items())
        print(f"{name} ({result['pages']} pages): {rates}")
        if args.verbose:
            for failure in result["failures"]:
                print("   ", failure)
        if min(result["rates"].values()) < TARGETS[name]:
            status = 1
    dev_pages = sorted((args.shared / "corpus" / "dev" / "pages").glob("*.txt")) or sorted(
        (PROJECT_ROOT / "data" / "raw").glob("*.txt"))
    speed = throughput(dev_pages)
    print(f"speed ({speed['files']} files, {speed['chars']} chars, medians of {speed['rounds']} rounds):"
          f" jieba.cut {speed['jieba_chars_per_s'] / 1000:.0f}k chars/s;"
          f" read+clean {speed['clean_chars_per_s'] / 1000:.0f}k chars/s = {speed['speedup']:.1f}x;"
          f" with tables {speed['tables_chars_per_s'] / 1000:.0f}k chars/s = {speed['speedup_with_tables']:.1f}x")
    return status


if __name__ == "__main__":
    sys.exit(main())
