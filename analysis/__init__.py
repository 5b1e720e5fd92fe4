"""Rare-earth news analysis: the library behind the notebooks.

Notebooks import only what is listed here.
"""

from .corpus import build_tables, write_tables
from .paths import PROJECT_ROOT, RAW_DIR, resolve_corpus

__all__ = ["PROJECT_ROOT", "RAW_DIR", "build_tables", "resolve_corpus", "write_tables"]
