"""Showing scraped text in notebooks as data, never as markup: escaped tables and Markdown.

Scraped pages may contain `<script>`, Markdown links, `$$…$$` or `{{ … }}`. Everything that reaches
a notebook output through these functions is escaped, and wrapped so that MathJax leaves it alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import pandas as pd

MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$<>&])")
NO_MATH = "tex2jax_ignore mathjax_ignore"


def escape_markdown(text: object) -> str:
    """`text` as Markdown that displays literally: specials backslash-escaped, no HTML, one line."""
    value = " ".join(str(text).split())
    return MARKDOWN_SPECIALS.sub(r"\\\1", value)


SAFE_URL = re.compile(r"https?://[^\s<>\"'`()\[\]{}|\\^]+")


def escape_markdown_keep_links(text: object) -> str:
    """Like `escape_markdown`, but plain http(s) URLs become Markdown autolinks (shown without backslashes)."""
    value = " ".join(str(text).split())
    parts, last = [], 0
    for match in SAFE_URL.finditer(value):
        parts.append(escape_markdown(value[last : match.start()]) + f"<{match.group(0)}>")
        last = match.end()
    return "".join(parts) + escape_markdown(value[last:])


def format_markdown(template: str, **values: object) -> str:
    """A trusted Markdown `template` with `{name}` fields filled by escaped `values`."""
    return template.format(**{name: escape_markdown(value) for name, value in values.items()})


def format_number(value: object, digits: int = 1) -> str:
    """A number for reading: thousands separators, at most `digits` decimals, no trailing zeros."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (int, float)):
        text = f"{value:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:,.0f}"
        return text
    return str(value)


def table_html(
    table: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    max_rows: int = 50,
    max_chars: int = 200,
    digits: int = 1,
) -> str:
    """HTML of `table` with every cell escaped, columns renamed, long text cut and numbers formatted."""
    shown = table.head(max_rows).copy()
    if columns:
        shown = shown[[c for c in columns if c in shown.columns]].rename(columns=dict(columns))
    for name in shown.columns:
        series = shown[name]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            shown[name] = [format_number(v, digits) for v in series]
        else:
            shown[name] = [cut_text(v, max_chars) for v in series]
    body = shown.to_html(index=False, escape=True, border=0, na_rep="")
    more = f"<p>… {len(table) - max_rows} more rows</p>" if len(table) > max_rows else ""
    return f'<div class="{NO_MATH}">{body}{more}</div>'


def cut_text(value: object, max_chars: int) -> str:
    """`value` as one line of at most `max_chars` characters (an ellipsis marks the cut)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def text_html(text: object) -> str:
    """Plain text as an escaped HTML paragraph block (line breaks kept)."""
    escaped = html.escape(str(text)).replace("\n", "<br>\n")
    return f'<div class="{NO_MATH}"><p>{escaped}</p></div>'


def show_table(table: pd.DataFrame, columns: Mapping[str, str] | None = None, **options) -> None:
    """Display `table` in a notebook, escaped (see `table_html`)."""
    from IPython.display import HTML, display

    display(HTML(table_html(table, columns, **options)))


def show_text(text: object) -> None:
    """Display plain text in a notebook, escaped."""
    from IPython.display import HTML, display

    display(HTML(text_html(text)))


def show_markdown(template: str, **values: object) -> None:
    """Display a trusted Markdown template filled with escaped values."""
    from IPython.display import Markdown, display

    display(Markdown(format_markdown(template, **values)))
