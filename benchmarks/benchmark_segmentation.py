"""Segmentation speed and backend agreement, measured side by side in one run.

Builds a corpus of at least `--mb` MB (default 20) in memory by repeating the dev pages
(../shared/corpus/dev/pages; the bundled seed when absent), split into sentences, and prints:
- plain single-process `jieba.cut` (HMM on, jieba's default) MB/s: the baseline;
- `analysis.words.tokenize_sentences` (POS tags, user dictionary, person names) MB/s with each backend,
  single process, and the default backend with a 2-process pool; each as a ratio to the baseline;
- the same followed by `analysis.themes.document_summaries` (the per-document words tables);
- agreement of rjieba with jieba (the reference) on the dev pages: token-boundary F1 and POS agreement
  on the tokens both backends cut identically.
The jieba backend (posseg) is slow: it is timed on `--reference-mb` MB only.
Usage: python benchmarks/benchmark_segmentation.py [--mb 20] [--reference-mb 1]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV_PAGES = ROOT.parent / "shared" / "corpus" / "dev" / "pages"
SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?[”」』]?")
DOCS_PER_BATCH = 200


def source_texts() -> list[str]:
    """The dev pages' texts (the bundled seed when ../shared is absent)."""
    pages = sorted(DEV_PAGES.glob("*.txt")) if DEV_PAGES.is_dir() else []
    pages = pages or sorted((ROOT / "data" / "raw").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in pages]


def sentences_of(doc_id: str, text: str) -> list[tuple[str, int, str]]:
    """(doc_id, sent_id, text) for the sentences of one text (split on line breaks and 。！？)."""
    found = (m.group(0).strip() for m in SENTENCE_RE.finditer(text))
    return [(doc_id, i, s) for i, s in enumerate(s for s in found if s)]


def build_batches(megabytes: float) -> tuple[list[pd.DataFrame], list[str], int]:
    """Sentence frames in batches of documents, the documents' texts and their total UTF-8 size."""
    texts, docs, rows, batches, size = source_texts(), [], [], [], 0
    while size < megabytes * 1_000_000:
        text = texts[len(docs) % len(texts)]
        docs.append(text)
        rows.extend(sentences_of(f"d{len(docs):06d}", text))
        size += len(text.encode("utf-8"))
        if len(docs) % DOCS_PER_BATCH == 0:
            batches.append(pd.DataFrame(rows, columns=["doc_id", "sent_id", "text"]))
            rows = []
    if rows:
        batches.append(pd.DataFrame(rows, columns=["doc_id", "sent_id", "text"]))
    return batches, docs, size


def jieba_cut_seconds(docs: list[str]) -> float:
    """Seconds for plain single-process jieba.cut over every document."""
    from analysis.words import plain_jieba

    jieba = plain_jieba()
    jieba.initialize()
    started = time.perf_counter()
    for text in docs:
        for _ in jieba.cut(text):
            pass
    return time.perf_counter() - started


def tokenize_batch(batch: pd.DataFrame, backend: str, summaries: bool = False) -> int:
    """Tokenize one batch (worker entry point), optionally with the per-document words tables; returns rows."""
    from analysis.themes import document_summaries
    from analysis.words import tokenize_sentences

    tokens = tokenize_sentences(batch, backend)
    return len(tokens) + (sum(map(len, document_summaries(tokens, batch).values())) if summaries else 0)


def tokenize_seconds(batches: list[pd.DataFrame], backend: str, workers: int = 1, summaries: bool = False) -> float:
    """Seconds to tokenize every batch, in this process or with a pool of `workers` (start-up included)."""
    tokenize_batch(batches[0].head(5), backend, summaries)  # load the dictionary outside the timing (1 process)
    started = time.perf_counter()
    if workers == 1:
        for batch in batches:
            tokenize_batch(batch, backend, summaries)
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("forkserver")) as pool:
            n = len(batches)
            list(pool.map(tokenize_batch, batches, [backend] * n, [summaries] * n))
    return time.perf_counter() - started


def spans(tokens: list[tuple[str, str]]) -> dict[tuple[int, int], str]:
    """(start, end) character span → POS for a tokenized text."""
    out, offset = {}, 0
    for word, pos in tokens:
        out[(offset, offset + len(word))] = pos
        offset += len(word)
    return out


def agreement(texts: list[str]) -> dict[str, float]:
    """Token-boundary precision/recall/F1 and POS agreement of rjieba against jieba on `texts`."""
    from analysis.words import tag_document

    same = ref_total = ours_total = pos_same = 0
    for i, text in enumerate(texts):
        sentences = [s for _, _, s in sentences_of(str(i), text)]
        for ref, ours in zip(tag_document(sentences, "jieba"), tag_document(sentences, "rjieba"), strict=True):
            ref_spans, our_spans = spans(ref), spans(ours)
            shared = ref_spans.keys() & our_spans.keys()
            same += len(shared)
            pos_same += sum(ref_spans[s] == our_spans[s] or {ref_spans[s], our_spans[s]} <= {"m", "eng"}
                            for s in shared)
            ref_total, ours_total = ref_total + len(ref_spans), ours_total + len(our_spans)
    precision, recall = same / max(ours_total, 1), same / max(ref_total, 1)
    return {"tokens": ref_total, "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / max(precision + recall, 1e-12), "pos_agreement": pos_same / max(same, 1)}


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (default 20)")
    parser.add_argument("--reference-mb", type=float, default=1.0, help="MB timed with the slow jieba backend")
    args = parser.parse_args()

    batches, docs, size = build_batches(args.mb)
    mb = size / 1e6
    print(f"corpus: {len(docs)} documents, {mb:.1f} MB, {sum(len(b) for b in batches)} sentences")
    baseline = mb / jieba_cut_seconds(docs)
    print(f"jieba.cut, 1 process:                          {baseline:6.2f} MB/s (baseline)")
    ref_batches, _, ref_size = build_batches(args.reference_mb)
    posseg = ref_size / 1e6 / tokenize_seconds(ref_batches, "jieba")
    print(f"tokenize_sentences jieba (posseg), 1 process:  {posseg:6.2f} MB/s ({posseg / baseline:.2f}x), "
          f"on {ref_size / 1e6:.1f} MB")
    for summaries in (False, True):
        label = "+ document_summaries" if summaries else "                    "
        for workers in (1, 2):
            rate = mb / tokenize_seconds(batches, "rjieba", workers, summaries)
            print(f"tokenize_sentences rjieba {label}, {workers} process(es): {rate:6.2f} MB/s "
                  f"({rate / baseline:.2f}x)")
    scores = agreement(source_texts())
    print("rjieba vs jieba on the dev pages: {tokens} tokens, boundary precision {precision:.4f}, "
          "recall {recall:.4f}, F1 {f1:.4f}, POS agreement {pos_agreement:.4f}".format(**scores))


if __name__ == "__main__":
    main()
