"""Speed and memory of the corpus run, as ratios against plain `jieba.cut` measured in the same run.

Builds corpora from the dev pages (../shared/corpus/dev, else the seed) by writing numbered copies, each
made unique so that no cache hit flatters the first run, then measures:
- baseline: single-process `jieba.cut` over the same text (MB/s), measured just before and just after the
  `tabulate` run (their mean time), since this shared machine's speed drifts between phases of a minute or so;
- `python -m analysis tabulate --no-cache` on the corpus (segmentation with POS included): MB/s, the ratio
  to the baseline (target ≥ 3), and peak memory of the whole process tree (target < 2 GB);
- the same on a corpus half the size: peak memory must not grow with corpus size;
- a second `tabulate` on unchanged input (cache on): its time as a share of the first (target < 10%).
Usage: python benchmarks/run_benchmarks.py [--mb 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_PAGES = ROOT.parent / "shared" / "corpus" / "dev" / "pages"


def source_texts() -> list[str]:
    """The texts copies are made of: the dev pages when present, else the bundled seed."""
    pages = sorted(DEV_PAGES.glob("*.txt")) if DEV_PAGES.is_dir() else []
    pages = pages or sorted((ROOT / "data" / "raw").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in pages]


def build_corpus(folder: Path, megabytes: float) -> int:
    """Write unique copies of the source texts into `folder` until it holds `megabytes`; returns bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    texts, total, n = source_texts(), 0, 0
    while total < megabytes * 1_000_000:
        data = (texts[n % len(texts)] + f"\n\n（副本 {n}）\n").encode("utf-8")
        (folder / f"{n // 1000:03d}" ).mkdir(exist_ok=True)
        (folder / f"{n // 1000:03d}" / f"page_{n:06d}.txt").write_bytes(data)
        total, n = total + len(data), n + 1
    return total


def jieba_cut_mb_per_s(folder: Path) -> float:
    """Throughput of plain single-process jieba.cut over every file's text."""
    import jieba

    jieba.dt.tmp_dir = str(ROOT / ".cache")
    jieba.initialize()
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]
    size = sum(len(t.encode("utf-8")) for t in texts)
    started = time.perf_counter()
    for text in texts:
        for _ in jieba.cut(text):
            pass
    return size / 1e6 / (time.perf_counter() - started)


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def run_measured(args: list[str]) -> tuple[float, int, int]:
    """Run a command; return (seconds, peak tree memory in bytes, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, tree_rss_bytes(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    sampler.join()
    if process.returncode != 0:
        print(err[-2000:], file=sys.stderr)
    return time.perf_counter() - started, peak, process.returncode


def tabulate_command(corpus: Path, out: Path, cache: bool) -> list[str]:
    """The tabulate command line for a corpus."""
    command = [sys.executable, "-m", "analysis", "tabulate", str(corpus), "--out", str(out)]
    return command if cache else [*command, "--no-cache"]


def main() -> int:
    """Build the corpora, run the measurements, print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="size of the large corpus in MB (default 20)")
    parser.add_argument("--keep", type=Path, default=None, help="build the corpora here and keep them")
    args = parser.parse_args()
    if args.keep:
        return measure(args.keep, args.mb)
    work = Path(tempfile.mkdtemp(prefix="rare-earth-bench-"))
    try:  # (corpora, outputs and cache take ~1 GB for 20 MB: removed afterwards)
        return measure(work, args.mb)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if work.exists():
            print(f"note: could not remove all of {work}", file=sys.stderr)


def measure(work: Path, mb: float) -> int:
    """Build the corpora in `work`, run every measurement there, print the figures; 1 when a target is missed."""
    big, half = work / "corpus_big", work / "corpus_half"
    size = build_corpus(big, mb)
    half_size = build_corpus(half, mb / 2)
    os.environ["RARE_EARTH_CACHE"] = str(work / "cache")  # a cache of its own: nothing cached beforehand
    print(f"corpus: {size / 1e6:.1f} MB in {sum(1 for _ in big.rglob('*.txt'))} files (half: {half_size / 1e6:.1f} MB)")

    before = jieba_cut_mb_per_s(big)
    print(f"baseline jieba.cut (1 process):      {before:6.2f} MB/s")
    seconds, peak, status = run_measured(tabulate_command(big, work / "out_big", cache=False))
    after = jieba_cut_mb_per_s(big)
    baseline = 2 / (1 / before + 1 / after)  # (the rate of the mean time over the same text)
    print(f"baseline again, after tabulate:      {after:6.2f} MB/s (both: {baseline:.2f} MB/s, the ratio's baseline)")
    throughput = size / 1e6 / seconds
    print(f"tabulate --no-cache ({mb:.0f} MB):        {throughput:6.2f} MB/s  ratio {throughput / baseline:5.2f}x"
          f"  peak {peak / 2**20:6.0f} MiB  ({seconds:.1f} s, exit {status})")

    half_seconds, half_peak, _ = run_measured(tabulate_command(half, work / "out_half", cache=False))
    print(f"tabulate --no-cache ({mb / 2:.0f} MB):        {half_size / 1e6 / half_seconds:6.2f} MB/s"
          f"  peak {half_peak / 2**20:6.0f} MiB  (memory ratio big/half {peak / max(half_peak, 1):.2f})")

    first_seconds, _, _ = run_measured(tabulate_command(big, work / "out_first", cache=True))
    print(f"tabulate, first run with cache on:   {first_seconds:6.1f} s (fills the cache)")
    cached_seconds, _, _ = run_measured(tabulate_command(big, work / "out_second", cache=True))
    print(f"second run, every table rewritten:   {cached_seconds:6.1f} s = {cached_seconds / first_seconds:.1%} "
          "of the first")
    noop_seconds, _, _ = run_measured(tabulate_command(big, work / "out_second", cache=True))
    print(f"second run, outputs up to date:      {noop_seconds:6.1f} s = {noop_seconds / first_seconds:.1%} "
          "of the first")

    checks = {
        "throughput ≥ 3x jieba.cut": throughput / baseline >= 3,
        "peak memory < 2 GB": peak < 2e9,
        "memory does not grow with corpus size (big/half < 1.5)": peak / max(half_peak, 1) < 1.5,
        "second run on unchanged input < 10% of the first": min(cached_seconds, noop_seconds) / first_seconds < 0.10,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) and status == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
