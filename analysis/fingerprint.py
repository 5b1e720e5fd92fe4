"""Fingerprints of the pipeline and of a corpus, and whether a `tabulate` output folder is up to date.

Light on purpose (no pandas): the command line answers "nothing to do" without loading the library.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .paths import REFERENCE_DIR
from .segmenter import segmenter_info

MANIFEST = "manifest.json"  # written last into a `tabulate` output folder: the fingerprint and the files written


def pipeline_fingerprint() -> str:
    """A hash of everything that shapes per-document results: the code, word lists and tokenizer."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".txt", ".json", ".csv"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    for path in sorted(REFERENCE_DIR.glob("*.csv")):  # cross-checks run per batch
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(segmenter_info(), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def corpus_fingerprint(paths: list[str]) -> str:
    """A hash of the input files (paths, sizes, modification times) and the pipeline."""
    digest = hashlib.sha256(pipeline_fingerprint().encode())
    for path in paths:
        try:
            stat = os.stat(path)
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
    return digest.hexdigest()


def current_manifest(paths: list[str], out_dir: Path, fingerprint: str | None = None) -> dict | None:
    """`out_dir`'s manifest when its outputs are those of these input files and this pipeline, else None
    (`fingerprint`: their `corpus_fingerprint`, when the caller has it already)."""
    manifest_path = Path(out_dir) / MANIFEST
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != (fingerprint or corpus_fingerprint(paths)):
        return None
    return manifest if all((Path(out_dir) / name).exists() for name in manifest.get("files", [])) else None


def outputs_look_current(inputs: list[Path], out_dir: Path) -> bool:
    """Whether `out_dir`'s manifest is newer than every input file: a quick first check (an input changed since
    means the outputs are stale; `current_manifest` decides for sure)."""
    try:
        written = os.stat(Path(out_dir) / MANIFEST).st_mtime_ns
    except OSError:
        return False
    return all(modified < written for _, modified in input_file_stats(inputs))


def input_file_stats(inputs: list[str] | list[Path]) -> Iterator[tuple[int, int]]:
    """(size, modification time in ns) of every file under `inputs` (files or folders); unreadable ones skipped."""
    pending = [str(path) for path in inputs]
    while pending:
        path = pending.pop()
        try:
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                with os.scandir(path) as entries:
                    pending.extend(entry.path for entry in entries)
                continue
        except OSError:
            continue
        yield info.st_size, info.st_mtime_ns
