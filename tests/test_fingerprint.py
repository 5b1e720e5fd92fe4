"""Tests for analysis/fingerprint.py: when a tabulate output folder counts as up to date."""

import json
import os

from analysis import fingerprint


def test_outputs_are_current_only_for_the_same_files_and_pipeline(tmp_path):
    pages, out = tmp_path / "pages", tmp_path / "out"
    pages.mkdir()
    out.mkdir()
    paths = []
    for n in range(3):
        paths.append(str(pages / f"page_{n}.txt"))
        (pages / f"page_{n}.txt").write_text("稀土", encoding="utf-8")
    assert fingerprint.current_manifest(paths, out) is None and not fingerprint.outputs_look_current([pages], out)
    (out / "articles.csv").write_text("doc_id\n", encoding="utf-8")
    manifest = {"fingerprint": fingerprint.corpus_fingerprint(paths), "files": ["articles.csv"], "articles": 3}
    (out / fingerprint.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    newest = max(path.stat().st_mtime_ns for path in pages.iterdir())
    os.utime(out / fingerprint.MANIFEST, ns=(newest + 10**9, newest + 10**9))
    assert fingerprint.outputs_look_current([pages], out)
    assert fingerprint.current_manifest(paths, out) == manifest
    assert fingerprint.current_manifest(paths[:2], out) is None  # another set of files
    (out / "articles.csv").unlink()
    assert fingerprint.current_manifest(paths, out) is None  # a file it lists is gone
    (out / "articles.csv").write_text("doc_id\n", encoding="utf-8")
    os.utime(pages / "page_1.txt", ns=(newest + 2 * 10**9, newest + 2 * 10**9))  # a page edited since
    assert not fingerprint.outputs_look_current([pages], out)
    assert fingerprint.current_manifest(paths, out) is None


def test_the_pipeline_fingerprint_is_stable_and_short():
    assert fingerprint.pipeline_fingerprint() == fingerprint.pipeline_fingerprint()
    assert len(fingerprint.pipeline_fingerprint()) == 16
