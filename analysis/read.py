"""Finding input files and decoding them into pages (path, raw bytes' hash, text, encoding)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

TEXT_SUFFIXES = {".txt"}

PAGES_COLUMNS = ["doc_id", "path", "encoding", "text"]


def find_input_files(inputs: list[Path]) -> list[Path]:
    """Every readable input file under `inputs` (files or folders, recursive), sorted."""
    found: set[Path] = set()
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            found.update(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        elif item.is_file():
            found.add(item)
    return sorted(found)


def doc_id_for(raw: bytes) -> str:
    """A stable id for a document: the first 16 hex digits of the SHA-256 of its raw bytes."""
    return hashlib.sha256(raw).hexdigest()[:16]


def read_pages(inputs: list[Path]) -> pd.DataFrame:
    """Pages read from `inputs`: doc_id, path, encoding, text (UTF-8 text files)."""
    rows = []
    for path in find_input_files(inputs):
        raw = path.read_bytes()
        rows.append({"doc_id": doc_id_for(raw), "path": str(path), "encoding": "utf-8",
                     "text": raw.decode("utf-8-sig")})
    return pd.DataFrame(rows, columns=PAGES_COLUMNS)
