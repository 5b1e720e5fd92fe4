"""Hostile and broken input (issue 7): scraped text stays inert, nothing is lost, runs survive faults."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis.paths import PROJECT_ROOT

HOSTILE_TITLE = '稀土<script>alert("t")</script>新闻'
HOSTILE_BODY = [
    '包头稀土储量占全国的83.7%<img src=x onerror=alert(1)>，居世界第一。',
    '点击[这里](javascript:alert(2))查看![图](http://example.invalid/x.png)详情<iframe src="https://evil.invalid"></iframe>。',
    '公式$$\\frac{1}{2}$$与模板{{ 7*7 }}以及实体&lt;b&gt;都应原样显示。',
    '<a href="javascript:alert(3)">稀土永磁</a>产量增长6.1%，达到4350万吨。',
]


def run_cli(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


class MarkupCollector(HTMLParser):
    """Collects script elements and dangerous attributes actually parsed as markup."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.bad_attributes: list[tuple[str, str, str]] = []
        self.iframes = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "inline")
        if tag in {"iframe", "object", "embed"}:
            self.iframes += 1
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or value.startswith("javascript:") or "example.invalid" in value:
                self.bad_attributes.append((tag, name, value))


def parse_markup(path: Path) -> MarkupCollector:
    collector = MarkupCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("hostile")
    (corpus / "hostile.txt").write_text(HOSTILE_TITLE + "\n2025-03-11\n\n" + "\n\n".join(HOSTILE_BODY) + "\n",
                                        encoding="utf-8")
    (corpus / "formula.txt").write_text("=HYPERLINK(\"http://evil.invalid\",\"稀土\")\n\n"
                                        "稀土价格上涨，氧化镨钕产量增长12%。\n", encoding="utf-8")
    return corpus


def test_hostile_text_is_inert_in_every_report(hostile_corpus, report_run, tmp_path):
    baseline_dir, _ = report_run
    out = tmp_path / "reports"
    result = run_cli("report", "--corpus", str(hostile_corpus), "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 3
    shown_anywhere = False
    for page in pages:
        found = parse_markup(page)
        baseline = baseline_dir / page.name
        expected = parse_markup(baseline).scripts if baseline.exists() else []
        assert found.scripts == expected, f"{page.name}: script elements {found.scripts}"
        assert not found.bad_attributes, f"{page.name}: {found.bad_attributes}"
        assert found.iframes == 0, page.name
        text = page.read_text(encoding="utf-8")
        shown_anywhere |= "&lt;script&gt;" in text or "&lt;img src=x onerror" in text
    assert shown_anywhere, "the hostile text should be visible as text somewhere"


def test_csv_cells_that_look_like_formulas_are_neutralised(hostile_corpus, tmp_path):
    result = run_cli("tabulate", str(hostile_corpus), "--out", str(tmp_path / "tables"), "--no-cache")
    assert result.returncode == 0, result.stderr[-3000:]
    for csv in (tmp_path / "tables").glob("*.csv"):
        assert csv.read_bytes().startswith(b"\xef\xbb\xbf"), csv.name
        table = pd.read_csv(csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for column in table.columns:
            risky = table[column].str.match(r"^[=+@]")
            assert not risky.any(), f"{csv.name}.{column}: {table[column][risky].tolist()[:3]}"


def make_broken_corpus(folder: Path) -> None:
    text = "稀土是重要的战略资源。包头市稀土储量占全国的83.7%。\n\n我国是世界第一稀土生产大国。\n"
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("  \n\t\n   \n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (folder / "gbk.txt").write_bytes(text.encode("gbk"))
    (folder / "gb18030.txt").write_bytes(("𠀀" + text).encode("gb18030"))
    (folder / "big5.txt").write_bytes("稀土是重要的戰略資源。包頭市稀土儲量占全國的83.7%。\n".encode("big5"))
    (folder / "utf16.txt").write_bytes(text.encode("utf-16"))
    (folder / "truncated.txt").write_bytes(text.encode("utf-8")[:-2])
    (folder / "稀土 新闻 空格.txt").write_text(text, encoding="utf-8")
    nested = "<html><body>" + "<div>" * 3000 + "<p>" + text + "</p>" + "</div>" * 3000 + "</body></html>"
    (folder / "nested.html").write_text(nested, encoding="utf-8")
    (folder / "english.txt").write_text("Rare earths are a group of seventeen metals. " * 20, encoding="utf-8")
    with open(folder / "huge.txt", "wb") as handle:
        line = ("稀土产业高质量发展，包头稀土储量丰富。" * 20 + "\n").encode("utf-8")
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    loop = folder / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop, target_is_directory=True)


def test_broken_input_never_stops_the_batch_and_nothing_is_lost(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_broken_corpus(corpus)
    before = file_hashes(corpus)
    out = tmp_path / "tables"
    result = run_cli("tabulate", str(corpus), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr[-3000:]
    assert file_hashes(corpus) == before, "raw input must never be modified"
    articles = pd.read_parquet(out / "articles.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    accounted = {p.split("#")[0] for p in articles["path"]} | set(rejects["path"])
    for path in before:
        assert path in accounted, f"{path} is in neither articles nor rejects"
    by_name = {Path(p).name: e for p, e in zip(rejects["path"], rejects["error"], strict=True)}
    for name in ("empty.txt", "blank.txt", "image.txt"):
        assert by_name.get(name), name
    readable = {Path(p).name for p in articles["path"]}
    for name in ("gbk.txt", "gb18030.txt", "big5.txt", "utf16.txt", "稀土 新闻 空格.txt"):
        assert name in readable, f"{name} should be read; rejects: {by_name.get(name)}"
    encodings = dict(zip(articles["path"].map(lambda p: Path(p).name), articles["encoding"], strict=True))
    assert encodings["gbk.txt"].lower() in {"gbk", "gb18030", "gb2312"}
    assert "16" in encodings["utf16.txt"]
    assert "warning" in result.stderr.lower()
    assert "rejected" in result.stdout


def test_nothing_readable_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run_cli("tabulate", str(tmp_path), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.returncode != 0
    assert "empty.txt" in result.stderr


def test_ten_thousand_small_files(tmp_path):
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(10_000):
        (corpus / f"{i:05d}.txt").write_text(f"第{i}篇：稀土产量增长{i % 50}%。\n", encoding="utf-8")
    out = tmp_path / "tables"
    result = run_cli("tabulate", str(corpus), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr[-3000:]
    articles = pd.read_parquet(out / "articles.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert len(articles) + len(rejects) == 10_000


def test_two_runs_write_byte_identical_tables(hostile_corpus, tmp_path):
    for name in ("a", "b"):
        result = run_cli("tabulate", str(hostile_corpus), "--out", str(tmp_path / name), "--no-cache")
        assert result.returncode == 0, result.stderr[-3000:]
    first, second = file_hashes(tmp_path / "a"), file_hashes(tmp_path / "b")
    assert [Path(p).name for p in first] == [Path(p).name for p in second]
    assert list(first.values()) == list(second.values())


def test_killed_run_leaves_previous_outputs_intact(tmp_path, seed_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(1500):
        (corpus / f"{i:03d}.txt").write_bytes(seed_path.read_bytes() + f"\n第{i}篇\n".encode())
    out = tmp_path / "tables"
    assert run_cli("tabulate", str(corpus), "--out", str(out)).returncode == 0
    before = file_hashes(out)
    process = subprocess.Popen([sys.executable, "-m", "analysis", "tabulate", str(corpus), "--out", str(out),
                                "--no-cache"], cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(4)
    assert process.poll() is None, "the run finished before it could be killed: make the corpus larger"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = {p: h for p, h in file_hashes(out).items()
                if not any(part.startswith(".") for part in Path(p).relative_to(out).parts)}
    assert finished == before, "a killed run must not touch the finished outputs"
    for parquet in out.glob("*.parquet"):
        pd.read_parquet(parquet)
    result = run_cli("tabulate", str(corpus), "--out", str(out), "--no-cache")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(pd.read_parquet(out / "articles.parquet")) == 1500
