"""Charts: the CJK font, the house style, one function per chart, and saving / showing figures.

Every `chart_*` function takes a DataFrame (its columns are listed in the docstring), works for one row
or thousands (top-N, adaptive sizes and date bins) and returns a `matplotlib.figure.Figure` that is not
registered with pyplot (so a notebook never renders it twice). Each figure carries a title
(`fig.get_suptitle()`), axis labels with units, a source line drawn at its foot (a text artist with gid
"source") and alt text describing what it shows, stored as the figure's label: read it with
`figure_alt_text(fig)`. `show_figure(fig, name)` saves PNG + SVG into `reports/figures/` (or
$RARE_EARTH_FIGURES_DIR) and displays the PNG in Jupyter with that alt text, which the reader HTML keeps.

The font is an OFL-licensed Noto Sans CJK SC: the copy shipped in the `mplfonts` package, else a system
Noto Sans CJK SC / Source Han Sans SC; it is registered with matplotlib once, offline.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import io
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .outputs import write_bytes_atomic
from .paths import REPORTS_DIR, cache_dir

PACKAGE_FONT_FILES = ("NotoSansCJKsc-Regular.otf",)
SYSTEM_FONT_FILES = (
    "NotoSansCJKsc-Regular.otf",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "SourceHanSansCN-Regular.otf",
    "SourceHanSans-Regular.ttc",
)
SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local" / "share" / "fonts",
    Path.home() / ".fonts",
)
FONT_INSTALL_HINT = (
    "No CJK font found. Install the Python package mplfonts (pip install mplfonts==0.0.11, it ships the "
    "OFL font Noto Sans CJK SC) or the system package fonts-noto-cjk (Debian/Ubuntu: apt install fonts-noto-cjk)."
)

PALETTE = ("#1f5f8b", "#c8553d", "#588b3f", "#d9a441", "#6c4f8c", "#3d9e9e", "#8c6d4f", "#7f7f7f")
HIGHLIGHT = "#c8553d"  # China / the article's own value
MUTED = "#9e9e9e"  # totals, "other" rows
SOURCE_BAND_INCHES = 0.32  # space kept at a figure's foot for its source line
TEN_THOUSAND = 1e4  # 万

COUNTRY_ZH = {
    "Australia": "澳大利亚", "Brazil": "巴西", "Burma": "缅甸", "Burundi": "布隆迪", "Canada": "加拿大",
    "China": "中国", "Greenland": "格陵兰", "India": "印度", "Madagascar": "马达加斯加", "Malaysia": "马来西亚",
    "Nigeria": "尼日利亚", "Russia": "俄罗斯", "South Africa": "南非", "Tanzania": "坦桑尼亚", "Thailand": "泰国",
    "United States": "美国", "Vietnam": "越南", "Other countries": "其他国家", "World total (rounded)": "世界合计",
}  # fmt: skip
MEASURE_ZH = {"reserves": "储量", "mine_production": "矿山产量"}
METHOD_LABELS = {
    "frequency": ("词频", "出现次数（次）"),
    "freq": ("词频", "出现次数（次）"),
    "count": ("词频", "出现次数（次）"),
    "tfidf": ("TF-IDF", "TF-IDF 得分（无量纲）"),
    "tf-idf": ("TF-IDF", "TF-IDF 得分（无量纲）"),
    "textrank": ("TextRank", "TextRank 得分（无量纲）"),
}
REASON_ZH = {
    "navigation": "导航", "nav": "导航", "counter": "计数器", "timestamp": "时间戳", "byline": "署名行",
    "related list": "相关内容列表", "related": "相关内容列表", "hot list": "热门列表", "hot": "热门列表",
    "snippet": "摘要片段", "editor": "编辑行", "copyright": "版权声明", "ad": "广告", "advert": "广告",
    "duplicate": "重复", "share": "分享按钮", "empty": "空行", "title": "标题", "metadata": "元数据",
    "source": "来源行", "author": "作者行", "date": "日期行",
}  # fmt: skip


# --- the font ---------------------------------------------------------------------------------------


def find_cjk_font(package_dirs: Iterable[Path] | None = None, system_dirs: Iterable[Path] | None = None) -> Path:
    """The CJK font file to use: mplfonts' Noto Sans CJK SC first, else a system one; raises with a hint."""
    if package_dirs is None:
        spec = importlib.util.find_spec("mplfonts")
        package_dirs = [Path(p) / "fonts" for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in package_dirs:
        for name in PACKAGE_FONT_FILES:
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    for name in SYSTEM_FONT_FILES:
        for folder in SYSTEM_FONT_DIRS if system_dirs is None else system_dirs:
            if Path(folder).is_dir():
                found = sorted(Path(folder).rglob(name))
                if found:
                    return found[0]
    raise FileNotFoundError(FONT_INSTALL_HINT)


@functools.cache
def cjk_font_path() -> Path:
    """The CJK font file, resolved once (the word cloud uses the same file)."""
    return find_cjk_font()


@functools.cache
def cjk_font_name() -> str:
    """Register the CJK font with matplotlib (once) and return its family name (the SC face of a .ttc)."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    names = [entry.name for entry in font_manager.fontManager.ttflist if Path(entry.fname) == path]
    simplified = [name for name in names if name.endswith(" SC")]
    return (simplified or names or [font_manager.FontProperties(fname=str(path)).get_name()])[0]


WEB_FONT_FAMILY = "Report Noto Sans CJK SC"
# The embedded face comes first for text: Chromium does not fall back past `system-ui`, and text laid out before a
# fallback web font loads keeps its missing-glyph boxes. Code keeps a monospace font first (it falls back per glyph).
# The one face is declared for weights 100-500 (headings at 500 use it as is; bold, 600+, is synthesized).
WEB_FONT_STACK = '"{family}", -apple-system, "Segoe UI", helvetica, arial, sans-serif'
WEB_FONT_CSS = """<style id="report-cjk-font">
@font-face {{ font-family: "{family}"; src: url(data:font/woff;base64,{data}) format("woff"); font-weight: 100 500;
  font-display: block; }}
:root {{
  --jp-ui-font-family: {stack};
  --jp-content-font-family: {stack};
  --jp-code-font-family: menlo, consolas, "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "{family}", monospace;
}}
body {{ font-family: var(--jp-content-font-family); }}
</style>
"""
WEB_FONT_DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx")  # shaping and vertical text


def cjk_font_subset(text: str) -> bytes:
    """The CJK font cut down to the characters of `text`, as WOFF bytes (cached in the project cache)."""
    chars = "".join(sorted(set(text) | set("0123456789 ")))
    path = cjk_font_path()
    key = hashlib.sha256(f"{path.name}:{path.stat().st_size}:{chars}".encode()).hexdigest()[:24]
    cached = cache_dir() / "fonts" / f"cjk-subset-{key}.woff"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.hinting = False
    options.notdef_outline = True
    options.layout_features = []
    options.drop_tables += list(WEB_FONT_DROPPED_TABLES)
    number = -1
    if path.suffix.lower() == ".ttc":  # the SC face of a collection
        names = [face["name"].getDebugName(1) or "" for face in TTCollection(str(path)).fonts]
        number = next((i for i, name in enumerate(names) if name.endswith(" SC")), 0)
    font = TTFont(str(path), fontNumber=number, lazy=True, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    write_bytes_atomic(cached, buffer.getvalue(), durable=False)
    return buffer.getvalue()


def embed_cjk_font(html_page: str) -> str:
    """`html_page` with the CJK font (subset to its own characters) embedded, so Chinese shows on any machine."""
    if 'id="report-cjk-font"' in html_page:
        return html_page
    data = base64.b64encode(cjk_font_subset(html_page)).decode("ascii")
    css = WEB_FONT_CSS.format(family=WEB_FONT_FAMILY, data=data, stack=WEB_FONT_STACK.format(family=WEB_FONT_FAMILY))
    head_end = html_page.lower().rfind("</head>")
    if head_end < 0:
        return css + html_page
    return html_page[:head_end] + css + html_page[head_end:]


# --- the house style --------------------------------------------------------------------------------


def house_style() -> dict:
    """The rcParams of the house style, with the CJK font first in the sans-serif list."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_font_name(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "axes.labelcolor": "#333333",
        "axes.edgecolor": "#888888",
        "axes.grid": False,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.8,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "figure.titlesize": 13,
        "figure.titleweight": "normal",  # the OFL font ships one weight: no faux bold, no findfont warning
        "axes.titleweight": "normal",
        "font.weight": "normal",
        "figure.facecolor": "white",
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.facecolor": "white",
        "svg.fonttype": "path",
        "svg.hashsalt": "rare-earth-charts",
        "image.cmap": "YlOrRd",
    }


def use_house_style() -> None:
    """Apply the house style (and the CJK font) to matplotlib globally, for plots drawn outside this module."""
    matplotlib.rcParams.update(house_style())


@functools.cache
def _use_house_style_once() -> None:
    """Set the house style globally the first time a chart is made, so figures shown by Jupyter find the font."""
    use_house_style()


def _house_styled(chart: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build a chart inside the house style (font, sizes, colours); the first chart also sets it globally."""

    @functools.wraps(chart)
    def styled(*args, **kwargs) -> Figure:
        _use_house_style_once()
        with matplotlib.rc_context(house_style()):
            return chart(*args, **kwargs)

    return styled


def _new_figure(width: float, height: float, rows: int = 1, cols: int = 1) -> tuple[Figure, np.ndarray]:
    """A house-style figure (not known to pyplot) with a band kept free at its foot for the source line."""
    fig = Figure(figsize=(width, height))
    band = min(0.3, SOURCE_BAND_INCHES / height)
    fig.set_layout_engine("constrained", rect=(0, band, 1, 1 - band))
    return fig, fig.subplots(rows, cols, squeeze=False)


def _finish(fig: Figure, title: str, source: str, alt: str) -> Figure:
    """Give `fig` its title, its source line and its alt text (the figure's label)."""
    fig.suptitle(title)
    line = textwrap.shorten(f"来源：{source}", width=int(fig.get_figwidth() * 16), placeholder="…")
    fig.text(0.01, 0.012, line, ha="left", va="bottom", fontsize=8, color="#555555", gid="source")
    fig.set_label(alt)
    return fig


def _empty(title: str, source: str, message: str) -> Figure:
    """A figure saying there is nothing to draw, with the usual title, source line and alt text."""
    fig, axes = _new_figure(7, 2.6)
    ax = axes[0, 0]
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555555", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("（无数据）")
    ax.set_ylabel("（无数据）")
    return _finish(fig, title, source, f"{title}：{message}")


def figure_alt_text(fig: Figure) -> str:
    """The alt text of a chart from this module: its label, else its title."""
    return fig.get_label() or fig.get_suptitle() or "figure"


def figure_source(fig: Figure) -> str:
    """The source line drawn on a chart from this module ("" when it has none)."""
    return next((text.get_text() for text in fig.texts if text.get_gid() == "source"), "")


# --- saving and showing -----------------------------------------------------------------------------


def default_figures_dir() -> Path:
    """Where figures go: $RARE_EARTH_FIGURES_DIR, else `reports/figures/`."""
    return Path(os.environ.get("RARE_EARTH_FIGURES_DIR") or REPORTS_DIR / "figures")


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """`fig` rendered as PNG or SVG bytes in the house style, reproducibly (no date stamp), with its alt text."""
    metadata = {"Title": fig.get_suptitle(), "Description": figure_alt_text(fig)}
    metadata["Date" if fmt == "svg" else "Software"] = None
    buffer = io.BytesIO()
    with matplotlib.rc_context(house_style()):
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def safe_figure_name(name: str) -> str:
    """`name` as a file stem: letters (Chinese included), digits, '-', '_' and '.' kept, the rest as '_'."""
    stem = re.sub(r"[^\w.-]+", "_", name.strip()).strip("._")
    if not stem:
        raise ValueError(f"figure name {name!r} has nothing usable as a file name")
    return stem


def save_figure(fig: Figure, name: str, figures_dir: Path | None = None) -> dict[str, Path]:
    """Write `fig` as `<name>.png` and `<name>.svg` (atomically) into `figures_dir`; returns the paths."""
    folder = Path(figures_dir) if figures_dir is not None else default_figures_dir()
    stem = safe_figure_name(name)
    return {fmt: write_bytes_atomic(folder / f"{stem}.{fmt}", figure_bytes(fig, fmt)) for fmt in ("png", "svg")}


def show_figure(fig: Figure, name: str, figures_dir: Path | None = None) -> None:
    """Save `fig` (PNG + SVG), display the PNG with its alt text in Jupyter, and close it."""
    import matplotlib.pyplot as plt
    from IPython import get_ipython
    from IPython.display import display

    paths = save_figure(fig, name, figures_dir)
    if get_ipython() is not None:
        alt = figure_alt_text(fig)
        png = base64.b64encode(paths["png"].read_bytes()).decode("ascii")
        display({"image/png": png, "text/plain": alt}, raw=True, metadata={"image/png": {"alt": alt}})
    plt.close(fig)


# --- helpers for the charts -------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise a clear error when `frame` lacks any of `columns`."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise KeyError(f"{what} needs columns {list(columns)}; missing {missing}")


def _blank(series: pd.Series) -> pd.Series:
    """True where a text column is missing or empty."""
    return series.isna() | (series.astype("string").str.strip() == "")


def _edition_key(edition: str) -> tuple[int, str]:
    """Sort key for USGS editions such as 'MCS2026' (by the year in the name)."""
    digits = re.findall(r"\d+", str(edition))
    return (int(digits[-1]) if digits else -1, str(edition))


def _country_zh(country: str) -> str:
    """A country's Chinese name where known, else the name as given."""
    return COUNTRY_ZH.get(str(country), str(country))


def _is_world(country: pd.Series) -> pd.Series:
    """True for USGS world-total rows."""
    return country.astype("string").str.lower().str.startswith("world")


def _is_other(country: pd.Series) -> pd.Series:
    """True for USGS 'Other countries' rows."""
    return country.astype("string").str.lower().str.startswith("other")


def _wan(value: float) -> str:
    """A tonnage in 万吨 with sensible precision (e.g. 4400, 27, 0.05)."""
    wan = value / TEN_THOUSAND
    if wan >= 100:
        return f"{wan:,.0f}"
    if wan >= 1:
        return f"{wan:,.1f}".rstrip("0").rstrip(".")
    return f"{wan:.2g}"


def _list_zh(items: Sequence[str], limit: int = 5) -> str:
    """Items joined with '、', the tail summarised as '等 N 项'."""
    shown = "、".join(items[:limit])
    return shown + (f" 等 {len(items)} 项" if len(items) > limit else "")


def _bar_height(n_bars: int, base: float = 1.6, per_bar: float = 0.34) -> float:
    """A figure height in inches that fits `n_bars` horizontal bars."""
    return base + per_bar * max(n_bars, 1)


def _usgs_deduplicated(usgs: pd.DataFrame) -> pd.DataFrame:
    """USGS rows, one per (edition, data_year, country, measure): the first given (the loader's primary source)."""
    _require(usgs, ["edition", "data_year", "country", "measure", "value"], "USGS data")
    rows = usgs.dropna(subset=["value"]).copy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
    return rows.dropna(subset=["value"]).drop_duplicates(["edition", "data_year", "country", "measure"])


# --- the charts -------------------------------------------------------------------------------------


@_house_styled
def chart_article_shares(claims: pd.DataFrame, top_n: int = 15, source: str | None = None) -> Figure:
    """Horizontal bars of the percentages articles state (subject's share of a scope, e.g. 包头市 of 全国 83.7%).

    `claims` columns: doc_id, kind, value, unit, subject, measure, scope, span, claim_group. Only
    kind == "percent" rows count; a fact restated in one article (same doc_id and claim_group) counts once.
    Across articles the same subject / measure / scope becomes one bar at the median value with a
    min–max whisker and the number of articles; the `top_n` most often stated are shown.
    """
    _require(claims, ["doc_id", "kind", "value", "subject", "measure", "scope", "claim_group"], "chart_article_shares")
    title = "文章中的占比陈述"
    percent = claims[claims["kind"].astype("string") == "percent"].copy()
    percent["value"] = pd.to_numeric(percent["value"], errors="coerce")
    percent = percent.dropna(subset=["value"])
    docs = sorted(percent["doc_id"].astype(str).unique())
    source = source or (f"文章 {_list_zh(docs, 3)}" if docs else "claims 表")
    if percent.empty:
        return _empty(title, source, "没有百分比陈述")
    grouped = percent["claim_group"].notna()
    percent = pd.concat(
        [percent[grouped].drop_duplicates(["doc_id", "claim_group"]), percent[~grouped]], ignore_index=True
    )
    for column in ("subject", "measure", "scope"):
        percent[column] = percent[column].astype("string").fillna("").str.strip()
    facts = (
        percent.groupby(["subject", "measure", "scope"], sort=False)
        .agg(median=("value", "median"), low=("value", "min"), high=("value", "max"), articles=("doc_id", "nunique"))
        .reset_index()
        .sort_values(["articles", "median"], ascending=[False, False], kind="stable")
        .head(top_n)
        .iloc[::-1]
    )
    facts["label"] = [
        f"{s or '（未知主体）'}{('·' + m) if m else ''}" + (f" 占{sc}" if sc else "")
        for s, m, sc in zip(facts["subject"], facts["measure"], facts["scope"], strict=True)
    ]
    fig, axes = _new_figure(8, _bar_height(len(facts)))
    ax = axes[0, 0]
    y = np.arange(len(facts))
    ax.barh(y, facts["median"], color=PALETTE[0], height=0.6)
    spread = facts["high"] > facts["low"]
    if spread.any():
        ax.errorbar(
            facts["median"][spread], y[spread.to_numpy()],
            xerr=[facts["median"][spread] - facts["low"][spread], facts["high"][spread] - facts["median"][spread]],
            fmt="none", ecolor="#333333", capsize=3, linewidth=1,
        )  # fmt: skip
    for yi, (value, n) in enumerate(zip(facts["median"], facts["articles"], strict=True)):
        note = f"{value:.1f}%" + (f"（{n} 篇）" if len(docs) > 1 else "")
        ax.text(min(value, 100) + 1, yi, note, va="center", fontsize=9)
    ax.set_yticks(y, facts["label"])
    ax.set_xlim(0, 112)
    ax.set_xlabel("占比（%）" + ("，条为中位数，须线为最小–最大" if spread.any() else ""))
    ax.set_ylabel("主体·指标 占 范围")
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    pairs = zip(facts["label"][::-1], facts["median"][::-1], strict=True)
    described = "；".join(f"{label} {value:.1f}%" for label, value in pairs)
    alt = f"横向条形图：{title}（{len(docs)} 篇文章，{len(facts)} 项）。{described}。"
    return _finish(fig, title, source, alt)


@_house_styled
def chart_reserves_by_country(
    usgs: pd.DataFrame, edition: str | None = None, top_n: int = 12, source: str | None = None
) -> Figure:
    """Horizontal bars of rare-earth reserves by country in one USGS edition (the latest by default).

    `usgs` columns: edition, data_year, country, measure (mine_production | reserves), value, unit
    (metric_t_REO), estimated, source_url (as returned by `analysis.reference.load_usgs`). The World total
    row is not drawn as a bar but gives each country's share; "Other countries" is drawn in grey.
    """
    rows = _usgs_deduplicated(usgs)
    rows = rows[rows["measure"] == "reserves"]
    editions = sorted(rows["edition"].astype(str).unique(), key=_edition_key)
    edition = edition or (editions[-1] if editions else None)
    rows = rows[rows["edition"].astype(str) == str(edition)]
    title = f"各国稀土储量（USGS {edition}）"
    if rows.empty:
        return _empty(title, source or f"USGS Mineral Commodity Summaries {edition}", "该版本没有储量数据")
    world_rows = rows[_is_world(rows["country"])]
    world = float(world_rows["value"].iloc[0]) if not world_rows.empty else None
    countries = rows[~_is_world(rows["country"])].sort_values("value", ascending=False, kind="stable")
    hidden = max(len(countries) - top_n, 0)
    countries = countries.head(top_n).iloc[::-1]
    year = int(pd.to_numeric(rows["data_year"], errors="coerce").max())
    source = source or (
        f"USGS Mineral Commodity Summaries {edition}（{year} 年数据）"
        + (f"；世界合计 {_wan(world)} 万吨" if world else "")
    )
    colors = [
        HIGHLIGHT if c == "China" else MUTED if o else PALETTE[0]
        for c, o in zip(countries["country"], _is_other(countries["country"]), strict=True)
    ]
    fig, axes = _new_figure(8, _bar_height(len(countries)))
    ax = axes[0, 0]
    y = np.arange(len(countries))
    ax.barh(y, countries["value"] / TEN_THOUSAND, color=colors, height=0.6)
    top = float(countries["value"].max()) / TEN_THOUSAND
    for yi, value in enumerate(countries["value"]):
        note = f"{_wan(value)}" + (f"（{value / world:.1%}）" if world else "")
        ax.text(value / TEN_THOUSAND + top * 0.01, yi, note, va="center", fontsize=9)
    ax.set_yticks(y, [_country_zh(c) for c in countries["country"]])
    ax.set_xlim(0, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("储量（万吨稀土氧化物 REO）" + ("，括号内为占世界合计" if world else ""))
    ax.set_ylabel("国家" + (f"（另有 {hidden} 国未列出）" if hidden else ""))
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    listed = "；".join(
        f"{_country_zh(c)} {_wan(v)} 万吨" + (f"（{v / world:.1%}）" if world else "")
        for c, v in zip(countries["country"][::-1], countries["value"][::-1], strict=True)
    )
    alt = f"横向条形图：USGS {edition} 各国稀土储量（{year} 年，万吨 REO）。{listed}。"
    return _finish(fig, title, source, alt)


@_house_styled
def chart_production_over_years(usgs: pd.DataFrame, top_n: int = 6, source: str | None = None) -> Figure:
    """Lines of rare-earth mine production by country over the data years, the `top_n` largest producers.

    `usgs` columns as for `chart_reserves_by_country`. For each data year the value of the latest edition
    reporting it is used (USGS revises earlier years); the World total is drawn dashed in grey; estimated
    values (column `estimated`, optional) are drawn as open markers.
    """
    rows = _usgs_deduplicated(usgs)
    rows = rows[rows["measure"] == "mine_production"].copy()
    title = "主要国家稀土矿山产量"
    editions = sorted(rows["edition"].astype(str).unique(), key=_edition_key)
    span = f"{editions[0]}–{editions[-1]}" if editions else ""
    source = source or f"USGS Mineral Commodity Summaries {span}，每个年份取最新一版的数值"
    if rows.empty:
        return _empty(title, source, "没有矿山产量数据")
    rows["edition_order"] = rows["edition"].astype(str).map(lambda e: _edition_key(e)[0])
    rows["data_year"] = pd.to_numeric(rows["data_year"], errors="coerce").astype("Int64")
    latest = rows.sort_values("edition_order", kind="stable").drop_duplicates(["data_year", "country"], keep="last")
    world = latest[_is_world(latest["country"])].sort_values("data_year")
    countries = latest[~_is_world(latest["country"]) & ~_is_other(latest["country"])]
    last_year = countries["data_year"].max()
    leaders = countries[countries["data_year"] == last_year].sort_values("value", ascending=False, kind="stable")[
        "country"
    ]
    leaders = list(leaders.head(top_n))
    fig, axes = _new_figure(8.5, 4.8)
    ax = axes[0, 0]
    summary = []
    for i, country in enumerate(leaders):
        series = countries[countries["country"] == country].sort_values("data_year")
        color = HIGHLIGHT if country == "China" else PALETTE[[0, 2, 3, 4, 5, 6, 7][i % 7]]
        label = _country_zh(country)
        ax.plot(series["data_year"], series["value"] / TEN_THOUSAND, marker="o", color=color, label=label)
        if "estimated" in series.columns:
            est = series[series["estimated"].astype(str).str.lower().isin(["true", "1"])]
            ax.plot(est["data_year"], est["value"] / TEN_THOUSAND, "o", markerfacecolor="white", color=color)
        summary.append(f"{_country_zh(country)} {_wan(series['value'].iloc[-1])} 万吨")
    if not world.empty:
        ax.plot(world["data_year"], world["value"] / TEN_THOUSAND, "--", color=MUTED, marker=".", label="世界合计")
        summary.append(f"世界合计 {_wan(world['value'].iloc[-1])} 万吨")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("数据年份（年）")
    ax.set_ylabel("矿山产量（万吨稀土氧化物 REO）")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y")
    ax.legend(title="空心点为估计值" if "estimated" in rows.columns else None, loc="upper left", ncols=2)
    years = f"{rows['data_year'].min()}–{rows['data_year'].max()}"
    alt = f"折线图：{years} 年主要国家稀土矿山产量（万吨 REO）。{last_year} 年：{'；'.join(summary)}。"
    return _finish(fig, title, source, alt)


@_house_styled
def chart_china_share_by_edition(
    shares: pd.DataFrame,
    implied_share: float | None = None,
    implied_label: str | None = None,
    source: str | None = None,
) -> Figure:
    """Lines of China's share of the world (reserves, mine production) in each USGS edition.

    `shares` is `analysis.reference.usgs_shares` output: edition, measure (reserves | mine_production),
    data_year, china_share (0–100); per edition and measure the latest data year is drawn.
    `implied_share` (percent, e.g. 37.8 / 83.7 × 100 ≈ 45.2, the share implied by an article) is drawn as
    a horizontal reference line labelled `implied_label` (default "文章隐含份额 45.2%").
    """
    _require(shares, ["edition", "measure", "data_year", "china_share"], "chart_china_share_by_edition")
    title = "中国占世界稀土的份额（按 USGS 版本）"
    rows = shares.dropna(subset=["china_share"]).sort_values(["edition", "measure", "data_year"])
    rows = rows.groupby(["edition", "measure"], as_index=False).tail(1).rename(columns={"china_share": "share_pct"})
    editions = sorted(rows["edition"].astype(str).unique(), key=_edition_key)
    source = source or (f"USGS Mineral Commodity Summaries {editions[0]}–{editions[-1]}" if editions else "USGS")
    if implied_share is not None:
        implied_label = implied_label or f"文章隐含份额 {implied_share:.1f}%"
        source += f"；参考线：{implied_label}"
    if rows.empty:
        return _empty(title, source, "没有份额数据")
    position = {edition: i for i, edition in enumerate(editions)}
    fig, axes = _new_figure(8, 4.4)
    ax = axes[0, 0]
    summary = []
    for i, (measure, series) in enumerate(rows.groupby("measure", sort=True)):
        series = series.assign(x=series["edition"].astype(str).map(position)).sort_values("x")
        label = MEASURE_ZH.get(str(measure), str(measure))
        ax.plot(series["x"], series["share_pct"], marker="o", color=PALETTE[i % len(PALETTE)], label=label)
        last = series.iloc[-1]
        ax.annotate(f"{last['share_pct']:.1f}%", (last["x"], last["share_pct"]), textcoords="offset points",
                    xytext=(6, 0), va="center", fontsize=9)  # fmt: skip
        summary.append(f"{label}从 {series['share_pct'].iloc[0]:.1f}% 到 {last['share_pct']:.1f}%")
    if implied_share is not None:
        ax.axhline(implied_share, color=HIGHLIGHT, linestyle="--", linewidth=1.2)
        ax.text(0, implied_share + 1.5, implied_label, color=HIGHLIGHT, fontsize=9, va="bottom")
        summary.append(f"虚线为{implied_label}")
    ax.set_xticks(range(len(editions)), editions)
    ax.set_xlim(-0.4, len(editions) - 0.4)
    ax.set_ylim(0, 100)
    ax.set_xlabel("USGS 版本（MCS 年份）")
    ax.set_ylabel("中国占世界（%）")
    ax.grid(axis="y")
    ax.legend(loc="upper right")
    alt = f"折线图：{editions[0]}–{editions[-1]} 各版 USGS 中国占世界稀土的份额。{'；'.join(summary)}。"
    return _finish(fig, title, source, alt)


def _corpus_keywords(keywords: pd.DataFrame) -> pd.DataFrame:
    """Keyword scores per (method, term): the corpus-level rows (empty doc_id) if any, else summed over articles."""
    _require(keywords, ["doc_id", "method", "term", "score"], "keyword charts")
    rows = keywords.dropna(subset=["term", "score"]).copy()
    rows["score"] = pd.to_numeric(rows["score"], errors="coerce")
    corpus_level = rows[_blank(rows["doc_id"])]
    if not corpus_level.empty:
        rows = corpus_level
    return rows.groupby(["method", "term"], as_index=False)["score"].sum()


def _method_label(method: str) -> tuple[str, str]:
    """A keyword method's display name and its score axis label with unit."""
    return METHOD_LABELS.get(str(method).lower(), (str(method), f"{method} 得分（无量纲）"))


def _method_order(method: str) -> tuple[int, str]:
    """Sort key putting known keyword methods first in the order frequency, TF-IDF, TextRank."""
    known = list(METHOD_LABELS)
    key = str(method).lower()
    return (known.index(key) if key in known else len(known), key)


def _n_docs(frame: pd.DataFrame) -> int:
    """How many distinct non-empty doc_ids a table has."""
    return int(frame.loc[~_blank(frame["doc_id"]), "doc_id"].nunique())


@_house_styled
def chart_top_terms(keywords: pd.DataFrame, top_n: int = 20, source: str | None = None) -> Figure:
    """Horizontal bars of the `top_n` keywords, one panel per method (frequency, TF-IDF, TextRank…).

    `keywords` columns: doc_id (empty for corpus-level rows), method, term, score, rank. Corpus-level rows
    are used when present; otherwise each term's scores are summed over the articles.
    """
    title = f"关键词（每种方法前 {top_n} 个）"
    n_docs = _n_docs(keywords) if "doc_id" in keywords.columns else 0
    source = source or (f"keywords 表，{n_docs} 篇文章" if n_docs else "keywords 表（语料级）")
    scores = _corpus_keywords(keywords)
    if scores.empty:
        return _empty(title, source, "没有关键词")
    methods = sorted(scores["method"].astype(str).unique(), key=_method_order)
    shown = min(top_n, int(scores.groupby("method").size().max()))
    fig, axes = _new_figure(min(4.2 * len(methods), 13), _bar_height(shown, base=1.9, per_bar=0.26), 1, len(methods))
    summary = []
    for ax, method in zip(axes[0], methods, strict=True):
        top = scores[scores["method"] == method].sort_values(["score", "term"], ascending=[False, True]).head(top_n)
        name, unit = _method_label(method)
        ax.barh(np.arange(len(top))[::-1], top["score"], color=PALETTE[0], height=0.65)
        ax.set_yticks(np.arange(len(top))[::-1], top["term"])
        ax.set_ylim(-0.6, shown - 0.4)
        ax.set_title(name)
        ax.set_xlabel(unit)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        summary.append(f"{name}：{'、'.join(top['term'].head(5))}")
    axes[0, 0].set_ylabel("关键词（得分从高到低）")
    alt = f"横向条形图：{title}。排名前五：{'；'.join(summary)}。"
    return _finish(fig, title, source, alt)


@_house_styled
def chart_word_cloud(
    keywords: pd.DataFrame, method: str | None = None, max_words: int = 120, source: str | None = None
) -> Figure:
    """A word cloud of keyword scores in the CJK font (word size ∝ score), reproducible (fixed seed).

    `keywords` columns as for `chart_top_terms`; `method` picks one (default: tfidf if present, else the
    first in name order).
    """
    from wordcloud import WordCloud

    n_docs = _n_docs(keywords) if "doc_id" in keywords.columns else 0
    scores = _corpus_keywords(keywords)
    methods = sorted(scores["method"].astype(str).unique(), key=_method_order)
    method = method or ("tfidf" if "tfidf" in methods else (methods[0] if methods else ""))
    name, _ = _method_label(method)
    title = f"关键词词云（{name}）"
    source = source or (f"keywords 表，{n_docs} 篇文章" if n_docs else "keywords 表（语料级）")
    weights = scores[(scores["method"] == method) & (scores["score"] > 0)]
    weights = weights.sort_values(["score", "term"], ascending=[False, True]).head(max_words)
    if weights.empty:
        return _empty(title, source, "没有关键词")
    cloud = WordCloud(
        font_path=str(cjk_font_path()), width=1200, height=600, background_color="white", random_state=0,
        max_words=max_words, colormap="viridis", prefer_horizontal=1.0,
        max_font_size=160,
    ).generate_from_frequencies(dict(zip(weights["term"], weights["score"], strict=True)))  # fmt: skip
    fig, axes = _new_figure(8, 4.6)
    ax = axes[0, 0]
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(f"字号与{_method_label(method)[1]}成正比；共 {len(weights)} 个词")
    alt = f"词云：{title}，字号与得分成正比。得分最高的词：{'、'.join(weights['term'].head(10))}。"
    return _finish(fig, title, source, alt)


@_house_styled
def chart_cooccurrence_heatmap(
    cooc: pd.DataFrame, top_n: int = 15, value: str = "count", source: str | None = None
) -> Figure:
    """A heatmap of how often the `top_n` most connected terms occur in the same sentence.

    `cooc` columns: term_a, term_b, count, pmi (one row per unordered pair). Terms are ranked by their total
    co-occurrence count; `value` ("count" or "pmi") is what the colour shows.
    """
    _require(cooc, ["term_a", "term_b", value], "chart_cooccurrence_heatmap")
    title = f"关键词同句共现（前 {top_n} 个词）"
    source = source or "cooccurrence 表（同一句中出现）"
    pairs = cooc.dropna(subset=["term_a", "term_b", value])
    pairs = pairs[pairs["term_a"] != pairs["term_b"]]
    if pairs.empty:
        return _empty(title, source, "没有共现词对")
    weight = pairs["count"] if "count" in pairs.columns else pairs[value]
    ends = [pd.Series(weight.to_numpy(), index=pairs[end]) for end in ("term_a", "term_b")]
    totals = pd.concat(ends)
    totals = totals.groupby(level=0).sum().sort_values(ascending=False, kind="stable")
    terms = list(totals.head(top_n).index)
    index = {term: i for i, term in enumerate(terms)}
    matrix = np.full((len(terms), len(terms)), np.nan)
    for a, b, v in zip(pairs["term_a"], pairs["term_b"], pairs[value], strict=True):
        if a in index and b in index:
            matrix[index[a], index[b]] = matrix[index[b], index[a]] = v
    size = min(4 + 0.42 * len(terms), 11)
    fig, axes = _new_figure(size + 1.2, size)
    ax = axes[0, 0]
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap="YlOrRd")
    ax.set_xticks(range(len(terms)), terms, rotation=60, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(terms)), terms)
    ax.spines[:].set_visible(False)
    if len(terms) <= 15:
        top = np.nanmax(matrix) if np.isfinite(matrix).any() else 0
        for i, j in zip(*np.nonzero(np.isfinite(matrix)), strict=True):
            v = matrix[i, j]
            ax.text(j, i, f"{v:.0f}" if value == "count" else f"{v:.1f}", ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 * top else "#222222")  # fmt: skip
    unit = "同句共现次数（次）" if value == "count" else "点互信息 PMI（无量纲）"
    fig.colorbar(image, ax=ax, shrink=0.8, label=unit)
    ax.set_xlabel("关键词")
    ax.set_ylabel("关键词")
    strongest = pairs.sort_values(value, ascending=False, kind="stable").head(5)
    triples = zip(strongest["term_a"], strongest["term_b"], strongest[value], strict=True)
    listed = "；".join(f"{a}–{b} {v:g}" for a, b, v in triples)
    alt = f"热力图：{title}，颜色表示{unit}。最强的词对：{listed}。"
    return _finish(fig, title, source, alt)


def _date_bins(dates: pd.Series) -> tuple[str, str, float]:
    """The bin (a pandas period: day, week from Monday, month), its Chinese name and width in days for `dates`."""
    span = (dates.max() - dates.min()).days
    if span <= 62:
        return "D", "日", 1.0
    if span <= 2 * 366:
        return "W", "周", 7.0
    return "M", "月", 30.0


@_house_styled
def chart_articles_timeline(articles: pd.DataFrame, source: str | None = None) -> Figure:
    """Bars of how many articles were published per day, week or month (chosen from the date span).

    `articles` columns: doc_id, published (ISO 8601 date or date-time; empty when unknown). Undated
    articles are counted in the source line and the alt text.
    """
    _require(articles, ["published"], "chart_articles_timeline")
    title = "文章发布时间线"
    published = pd.to_datetime(articles["published"], errors="coerce", utc=True, format="ISO8601")
    dates = published.dropna().dt.tz_localize(None).dt.normalize()
    undated = len(articles) - len(dates)
    source = source or (f"articles 表，{len(articles)} 篇文章" + (f"，其中 {undated} 篇无发布日期" if undated else ""))
    if dates.empty:
        return _empty(title, source, "没有带发布日期的文章")
    freq, unit, width = _date_bins(dates)
    counts = dates.dt.to_period(freq).dt.start_time.value_counts().sort_index()
    fig, axes = _new_figure(8.5, 3.8)
    ax = axes[0, 0]
    ax.bar(counts.index, counts.to_numpy(), width=width * 0.8, align="edge", color=PALETTE[0])
    if len(counts) <= 12:
        for day, n in counts.items():
            ax.text(day + pd.Timedelta(days=width * 0.4), n, f"{n}", ha="center", va="bottom", fontsize=9)
    pad = pd.Timedelta(days=max(width * 2, 3))
    ax.set_xlim(counts.index.min() - pad, counts.index.max() + pd.Timedelta(days=width) + pad)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m" if freq == "M" else "%Y-%m-%d"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, counts.max() * 1.2)
    ax.set_xlabel(f"发布日期（每{unit}一组）")
    ax.set_ylabel("文章数（篇）")
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    first, last = dates.min().date(), dates.max().date()
    peak_day, peak = counts.idxmax(), int(counts.max())
    alt = (
        f"柱状图：{len(dates)} 篇文章按发布{unit}计数，{first} 至 {last}；最多的一{unit}（{peak_day.date()} 起）"
        f"有 {peak} 篇" + (f"；另有 {undated} 篇无日期" if undated else "") + "。"
    )
    return _finish(fig, title, source, alt)


def _reason_label(reason: str) -> str:
    """A removal reason with its Chinese name in front where known (e.g. "导航 navigation")."""
    key = re.sub(r"[_-]+", " ", str(reason)).strip().lower()
    zh = REASON_ZH.get(key)
    return f"{zh} {reason}" if zh else str(reason)


@_house_styled
def chart_removed_reasons(removed: pd.DataFrame, top_n: int = 15, source: str | None = None) -> Figure:
    """Horizontal bars of how many page lines were removed for each reason (navigation, byline, …).

    `removed` columns: doc_id, line_no, text, reason. The `top_n` most frequent reasons are shown, the rest
    summed as "其他".
    """
    _require(removed, ["doc_id", "reason"], "chart_removed_reasons")
    title = "清洗时删除的行（按原因）"
    n_docs = _n_docs(removed)
    source = source or f"removed 表，{n_docs} 篇文章"
    if removed.empty:
        return _empty(title, source, "没有删除任何行")
    counts = removed["reason"].astype("string").fillna("（未注明）").value_counts(sort=False)
    counts = counts.sort_values(ascending=False, kind="stable")
    if len(counts) > top_n:
        counts = pd.concat([counts.head(top_n - 1), pd.Series({"其他": counts.iloc[top_n - 1 :].sum()})])
    labels = [_reason_label(reason) for reason in counts.index]
    fig, axes = _new_figure(8, _bar_height(len(counts)))
    ax = axes[0, 0]
    y = np.arange(len(counts))[::-1]
    ax.barh(y, counts.to_numpy(), color=PALETTE[1], height=0.6)
    for yi, n in zip(y, counts.to_numpy(), strict=True):
        ax.text(n + counts.max() * 0.01, yi, f"{n}", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, counts.max() * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("删除的行数（行）")
    ax.set_ylabel("删除原因")
    ax.grid(axis="x")
    ax.set_axisbelow(True)
    listed = "；".join(f"{label} {n} 行" for label, n in zip(labels, counts.to_numpy(), strict=True))
    alt = f"横向条形图：{title}，共 {int(counts.sum())} 行。{listed}。"
    return _finish(fig, title, source, alt)
