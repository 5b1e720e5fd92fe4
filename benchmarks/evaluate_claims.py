"""Claim extraction against the dev-corpus labels (percent and tonnage recall / precision) and its speed.

    .venv/bin/python benchmarks/evaluate_claims.py [CORPUS_DIR]     # default ../shared/corpus/dev

Labels (`labels.jsonl`): `percent_claims` are the N% figures of the article body, `tonnage_claims` the 吨
quantities in tonnes, each with a 6-20 character `text` around the number. A predicted claim matches a label
when the values agree and the label text covers the claim's span in its sentence; each label matches once.
Percent precision counts predicted percent claims written with digits and % (the labels' convention: 三成 and
百分之 are not labelled; the lower end of "5-10%" counts), so a percentage outside the body, in a title or in a
ticker, counts as false.

`evaluate(corpus_dir, body_of)` takes the body extractor as a function `body_of(page_text, label) -> str`:
`labelled_body` (the span between the label's body_start and body_end, which isolates claims from cleaning),
`whole_page` (no cleaning) or `cleaned_body` (the project's cleaner, analysis.clean).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from analysis.claims import extract_claims, split_sentences  # noqa: E402
from analysis.words import plain_jieba  # noqa: E402

DEV_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "dev"
SENTENCE_BREAK = re.compile(r"[。！？!?；;\n]")


def labelled_body(page_text: str, label: dict) -> str:
    """The body as labelled: from the first body_start to the first body_end after it."""
    start = page_text.find(label["body_start"])
    end = page_text.find(label["body_end"], max(start, 0))
    if start < 0 or end < 0:
        return page_text
    return page_text[start : end + len(label["body_end"])]


def whole_page(page_text: str, label: dict) -> str:
    """The whole page text, nothing removed."""
    return page_text


def cleaned_body(page_text: str, label: dict) -> str:
    """The body as the project's cleaner (analysis.clean) extracts it from the page text."""
    from analysis import clean, read

    page = read.Page(doc_id=label["file"], path=label["file"], encoding="utf-8", text=page_text)
    return "\n".join(clean.split_page(page).paragraphs)


def load_labels(corpus_dir: Path) -> list[dict]:
    """The label records of a corpus folder, each with the page text under `page_text`."""
    records = []
    for line in (corpus_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            record["page_text"] = (corpus_dir / "pages" / record["file"]).read_text(encoding="utf-8")
            records.append(record)
    return records


def label_covers(label_text: str, claim: pd.Series) -> bool:
    """Whether the label's text, around the claim in its sentence, contains the claim's span."""
    sentence, start, end = claim["sentence"], int(claim["char_start"]), int(claim["char_end"])
    pieces = [p for p in SENTENCE_BREAK.split(label_text) if re.search(r"\d", p)]
    for piece in pieces or [label_text]:
        piece = piece.strip()
        if not piece:
            continue
        position = sentence.find(piece, max(0, start - len(piece)))
        while 0 <= position <= end:
            if position < end and position + len(piece) > start:
                return True
            position = sentence.find(piece, position + 1)
    return False


def match_labels(labels: list[dict], predicted: pd.DataFrame) -> int:
    """How many labels a distinct predicted claim matches (same value, label text around its span)."""
    used: set[int] = set()
    matched = 0
    for label in labels:
        for index, claim in predicted.iterrows():
            if index in used or abs(claim["value"] - float(label["value"])) > 1e-6:
                continue
            if label_covers(label["text"], claim):
                used.add(index)
                matched += 1
                break
    return matched


def page_claims(record: dict, body_of: Callable[[str, dict], str]) -> pd.DataFrame:
    """The claims extracted from one page's body (as `body_of` gives it)."""
    return extract_claims(split_sentences(record["file"], body_of(record["page_text"], record)))


def evaluate(corpus_dir: Path = DEV_CORPUS, body_of: Callable[[str, dict], str] = labelled_body) -> dict:
    """Percent and tonnage recall / precision over a labelled corpus, plus the misses for reading."""
    totals = {"percent_labels": 0, "percent_found": 0, "percent_predicted": 0, "percent_correct": 0,
              "tonnage_labels": 0, "tonnage_found": 0, "tonnage_predicted": 0, "tonnage_correct": 0}  # fmt: skip
    misses = []
    for record in load_labels(corpus_dir):
        claims = page_claims(record, body_of)
        written_with_digits = claims["span"].str.contains("[%％]") | claims["span"].str.fullmatch(r"[\d.]+")
        percents = claims[(claims["kind"] == "percent") & written_with_digits]  # N%, and N in "N-M%"
        tonnages = claims[(claims["kind"] == "quantity") & (claims["unit"] == "t")]
        for name, labels, predicted in (("percent", record["percent_claims"], percents),
                                        ("tonnage", record["tonnage_claims"], tonnages)):  # fmt: skip
            found = match_labels(labels, predicted)
            totals[f"{name}_labels"] += len(labels)
            totals[f"{name}_found"] += found
            totals[f"{name}_predicted"] += len(predicted)
            totals[f"{name}_correct"] += found
            if found < len(labels) or len(predicted) > found:
                misses.append((record["file"], name, [lab["text"] for lab in labels], list(predicted["span"])))
    ratio = lambda a, b: a / b if b else 1.0  # noqa: E731
    return {
        "percent_recall": ratio(totals["percent_found"], totals["percent_labels"]),
        "percent_precision": ratio(totals["percent_correct"], totals["percent_predicted"]),
        "tonnage_recall": ratio(totals["tonnage_found"], totals["tonnage_labels"]),
        "tonnage_precision": ratio(totals["tonnage_correct"], totals["tonnage_predicted"]),
        **totals,
        "misses": misses,
    }


def throughput(texts: list[str], repeat: int = 5) -> dict:
    """Characters per second of `extract_claims` (on ready sentences) and of `jieba.cut` on the same texts."""
    jieba = plain_jieba()
    sentences = pd.concat([split_sentences(f"doc{i}", t) for i, t in enumerate(texts)], ignore_index=True)
    chars = int(sentences["text"].str.len().sum())
    extract_claims(sentences)  # load word lists once
    list(jieba.cut("稀土"))  # load the dictionary once
    best_claims = best_jieba = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        extract_claims(sentences)
        best_claims = min(best_claims, time.process_time() - t0)
        t0 = time.process_time()
        for text in sentences["text"]:
            for _token in jieba.cut(text):
                pass
        best_jieba = min(best_jieba, time.process_time() - t0)
    return {"chars": chars, "claims_chars_per_s": chars / best_claims, "jieba_chars_per_s": chars / best_jieba,
            "speedup": best_jieba / best_claims}  # fmt: skip


def main(argv: list[str]) -> int:
    """Print the figures on the labelled body span and on whole pages, and the speed."""
    folders = [a for a in argv if not a.startswith("-")]
    corpus_dir = Path(folders[0]) if folders else DEV_CORPUS
    modes = (("labelled body", labelled_body), ("whole page", whole_page), ("cleaned body", cleaned_body))
    for name, body_of in modes:
        result = evaluate(corpus_dir, body_of)
        print(f"{name}: " + "; ".join(
            f"{kind} recall {result[kind + '_recall']:.1%} ({result[kind + '_found']}/{result[kind + '_labels']}), "
            f"precision {result[kind + '_precision']:.1%} ({result[kind + '_correct']}/{result[kind + '_predicted']})"
            for kind in ("percent", "tonnage")))  # fmt: skip
        if "-v" in argv or "--verbose" in argv:
            for miss in result["misses"]:
                print("   ", miss)
    texts = [r["page_text"] for r in load_labels(corpus_dir)] * 10
    speed = throughput(texts)
    print(f"speed: claims {speed['claims_chars_per_s']:,.0f} chars/s, jieba.cut {speed['jieba_chars_per_s']:,.0f} "
          f"chars/s, {speed['speedup']:.1f}x on {speed['chars']:,} chars")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
