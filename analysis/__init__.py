"""Rare-earth news analysis: the library behind the notebooks.

Notebooks import only what is listed here: build the tables for a corpus, show them safely, draw the
charts, and turn the tables into written findings.
"""

from .charts import (
    chart_article_shares,
    chart_articles_timeline,
    chart_china_share_by_edition,
    chart_cooccurrence_heatmap,
    chart_production_over_years,
    chart_removed_reasons,
    chart_reserves_by_country,
    chart_top_terms,
    chart_word_cloud,
    show_figure,
)
from .claims import extract_claims
from .clean import split_sentences
from .corpus import build_tables, tabulate, write_tables
from .display import format_markdown, format_number, show_markdown, show_table, show_text, table_html
from .findings import findings_markdown, key_findings, show_findings
from .paths import PROJECT_ROOT, RAW_DIR, resolve_corpus
from .reference import claim_variants, cross_check, load_china_facts, load_usgs, usgs_shares
from .themes import keyword_in_context
from .words import segmenter_info, tokenize_sentences

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
