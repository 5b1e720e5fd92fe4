"""Rare-earth news analysis: the library behind the notebooks.

Notebooks import only what is listed here: build the tables for a corpus, show them safely, draw the
charts, and turn the tables into written findings. Names are imported on first use (PEP 562), so that
`python -m analysis tabulate` and the worker processes do not load matplotlib or the notebook helpers.
"""

import importlib
from typing import Any

# the public names, by the module of the package that defines them
MODULE_NAMES = {
    "charts": ["chart_article_shares", "chart_articles_timeline", "chart_china_share_by_edition",
               "chart_cooccurrence_heatmap", "chart_production_over_years", "chart_removed_reasons",
               "chart_reserves_by_country", "chart_top_terms", "chart_word_cloud", "show_figure"],
    "claims": ["extract_claims"],
    "clean": ["split_sentences"],
    "corpus": ["build_tables", "tabulate", "write_tables"],
    "display": ["format_markdown", "format_number", "show_markdown", "show_table", "show_text", "table_html"],
    "findings": ["findings_markdown", "key_findings", "show_findings"],
    "paths": ["PROJECT_ROOT", "RAW_DIR", "resolve_corpus"],
    "reference": ["claim_variants", "cross_check", "load_china_facts", "load_usgs", "usgs_shares"],
    "themes": ["keyword_in_context"],
    "words": ["segmenter_info", "tokenize_sentences"],
}  # fmt: skip
PUBLIC_NAMES = {name: module for module, names in MODULE_NAMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    if name not in PUBLIC_NAMES:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{PUBLIC_NAMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (for tab completion in JupyterLab)."""
    return sorted(set(globals()) | set(PUBLIC_NAMES))


__all__ = [
    "PROJECT_ROOT",
    "RAW_DIR",
    "build_tables",
    "chart_article_shares",
    "chart_articles_timeline",
    "chart_china_share_by_edition",
    "chart_cooccurrence_heatmap",
    "chart_production_over_years",
    "chart_removed_reasons",
    "chart_reserves_by_country",
    "chart_top_terms",
    "chart_word_cloud",
    "claim_variants",
    "cross_check",
    "extract_claims",
    "findings_markdown",
    "format_markdown",
    "format_number",
    "key_findings",
    "keyword_in_context",
    "load_china_facts",
    "load_usgs",
    "resolve_corpus",
    "segmenter_info",
    "show_figure",
    "show_findings",
    "show_markdown",
    "show_table",
    "show_text",
    "split_sentences",
    "table_html",
    "tabulate",
    "tokenize_sentences",
    "usgs_shares",
    "write_tables",
]
