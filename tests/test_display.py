"""Tests for analysis/display.py: scraped text shown as data, never as markup."""

from __future__ import annotations

import pandas as pd
from nbconvert.filters import markdown2html

from analysis.display import cut_text, escape_markdown, format_markdown, format_number, table_html, text_html
from analysis.report import sanitize_output_html

HOSTILE = (
    '稀土<script>alert(1)</script><img src=x onerror=alert(2)> [点我](javascript:alert(3)) $$x^2$$ {{ 7*7 }} &amp;'
)


def test_escaped_markdown_renders_as_literal_text():
    rendered = markdown2html(format_markdown("**标题**: {title}", title=HOSTILE))
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "&lt;script&gt;" in rendered and "$$x^2$$" in rendered.replace("\\", "")
    assert "{{ 7*7 }}" in rendered and "稀土" in rendered


def test_escape_markdown_keeps_one_line():
    assert "\n" not in escape_markdown("第一行\n## 第二行")
    assert escape_markdown("83.7%") == "83\\.7%"


def test_table_html_escapes_cells_and_renames_columns():
    table = pd.DataFrame({"title": [HOSTILE], "value": [83.7], "n": [12000]})
    page = table_html(table, columns={"title": "标题", "value": "数值", "n": "吨"})
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "<th>标题</th>" in page
    assert "83.7" in page and "12,000" in page
    assert "mathjax_ignore" in page


def test_table_html_cuts_long_text_and_counts_hidden_rows():
    table = pd.DataFrame({"text": ["稀" * 500] * 60})
    page = table_html(table, max_rows=10, max_chars=20)
    assert "稀" * 19 + "…" in page and "稀" * 21 not in page
    assert "50 more rows" in page


def test_text_html_keeps_lines_and_escapes():
    assert text_html("a<b>\nc") == '<div class="tex2jax_ignore mathjax_ignore"><p>a&lt;b&gt;<br>\nc</p></div>'


def test_format_number_and_cut_text():
    assert format_number(43500000) == "43,500,000"
    assert format_number(37.80) == "37.8"
    assert format_number(float("nan")) == ""
    assert cut_text(None, 5) == ""


def test_sanitizer_removes_active_markup_and_keeps_tables():
    dirty = (
        '<table><thead><tr><th colspan="2">表</th></tr></thead><tbody><tr><td onclick="x()">1</td></tr></tbody></table>'
        '<script>alert(1)</script><iframe src="https://evil"></iframe><a href="javascript:alert(1)">x</a>'
        '<img src="x" onerror="alert(2)"><img src="data:image/png;base64,AAAA" alt="图">'
    )
    clean = sanitize_output_html(dirty)
    assert "<script" not in clean and "<iframe" not in clean and "onerror" not in clean and "onclick" not in clean
    assert "javascript:" not in clean
    assert '<th colspan="2">表</th>' in clean and "<tbody>" in clean
    assert 'src="data:image/png;base64,AAAA"' in clean and 'src="x"' not in clean
