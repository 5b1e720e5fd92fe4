"""Imported once by the forkserver before it forks the corpus workers, so that each starts warm.

Loads the library, the reference tables, the tokenizer with its user dictionary and every lazily built rule
set (marker regexes, claim lexicon…) once instead of once per worker process, by running a made-up page
(`resources/warmup_page.txt`) through every per-document step and writing its part files.
"""

import gc
import tempfile
from pathlib import Path

from . import corpus, read
from .paths import RESOURCES


def warmup_page() -> read.Page:
    """The made-up page in `resources/warmup_page.txt` (its comment lines dropped)."""
    lines = (RESOURCES / "warmup_page.txt").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.startswith("#"))
    return read.Page(doc_id="warmup", path="warmup_page.txt", encoding="utf-8", text=text)


def warm_up() -> None:
    """Run every per-document step and the part writer once (their results are thrown away)."""
    corpus.empty_document_tables()
    with tempfile.TemporaryDirectory() as parts:
        corpus.write_parts(corpus.pages_tables([warmup_page()]), Path(parts), 0)


try:
    warm_up()
except Exception:  # the forkserver survives only an ImportError in its preload: a failed warm-up must not kill it
    pass  # (the workers then load what they need on first use, and a real error shows per batch)
# What the forkserver holds now lives as long as the workers forked from it: out of the garbage collector's sight,
# their collections never walk those objects (nor copy the memory pages holding them, shared until written to)
gc.freeze()
