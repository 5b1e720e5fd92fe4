"""A simple sentence splitter for unit tests of the word steps, independent of the cleaner."""

from __future__ import annotations

import re

import pandas as pd


def sentences_from(text: str, doc_id: str = "doc") -> pd.DataFrame:
    """A `sentences` table for a text: paragraphs are lines, sentences end at 。！？ (closing quote kept)."""
    rows = []
    for para_id, para in enumerate(line for line in text.splitlines() if line.strip()):
        for piece in re.findall(r"[^。！？]+[。！？]?[”」]?", para):
            if piece.strip():
                rows.append({"doc_id": doc_id, "para_id": para_id, "sent_id": len(rows), "text": piece.strip(),
                             "is_duplicate": False, "duplicate_of": None})
    return pd.DataFrame(rows)
