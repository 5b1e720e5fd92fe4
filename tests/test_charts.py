"""Charts: the CJK font renders every glyph, each chart has title, axis labels, source line and alt text."""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import charts
from analysis.paths import REFERENCE_DIR

CHINESE = "稀土包头储量占全国世界"


# --- fixtures: small tables written from the seed's numbers, and the real USGS csv ----------------------


@pytest.fixture(scope="module")
def usgs() -> pd.DataFrame:
    """The bundled USGS reference table (edition, data_year, country, measure, value, unit, estimated, source_url)."""
    return pd.read_csv(REFERENCE_DIR / "usgs_rare_earths.csv")


@pytest.fixture
def seed_claims() -> pd.DataFrame:
    """The seed's two shares, the national one stated twice (same claim_group), plus a non-percent claim."""
    return pd.DataFrame(
        {
            "doc_id": ["seed"] * 4,
            "kind": ["percent", "percent", "percent", "year"],
            "value": [83.7, 37.8, 83.7, 2023.0],
            "unit": ["%", "%", "%", "year"],
            "subject": ["包头市", "包头市", "包头", "国务院"],
            "measure": ["储量", "储量", "储量", ""],
            "scope": ["全国", "世界", "全国", ""],
            "span": ["占全国总量的83.7%", "世界总量的37.8%", "83.7%", "2023年"],
            "claim_group": [1, 2, 1, 3],
        }
    )


@pytest.fixture
def china_shares() -> pd.DataFrame:
    """China's share of world reserves per edition, in the shape reference.py produces (shuffled rows)."""
    from analysis.reference import load_usgs, usgs_shares

    shares = usgs_shares(load_usgs())
    return shares[shares["measure"] == "reserves"].sample(frac=1, random_state=1)


@pytest.fixture
def keywords() -> pd.DataFrame:
    """Corpus-level keywords (empty doc_id) for two methods, and per-article rows that must be ignored."""
    terms = ["稀土", "包头", "创新", "产业", "白云鄂博", "新质生产力"]
    corpus = pd.DataFrame(
        {
            "doc_id": [""] * 12,
            "method": ["tfidf"] * 6 + ["textrank"] * 6,
            "term": terms * 2,
            "score": [0.9, 0.7, 0.5, 0.4, 0.3, 0.2, 1.0, 0.8, 0.6, 0.5, 0.2, 0.1],
            "rank": list(range(1, 7)) * 2,
        }
    )
    article = pd.DataFrame({"doc_id": ["seed"], "method": ["tfidf"], "term": ["干扰词"], "score": [99.0], "rank": [1]})
    return pd.concat([corpus, article], ignore_index=True)


@pytest.fixture
def cooccurrence() -> pd.DataFrame:
    """Sentence co-occurrence pairs (term_a, term_b, count, pmi)."""
    return pd.DataFrame(
        {
            "term_a": ["稀土", "稀土", "包头", "稀土", "创新"],
            "term_b": ["包头", "创新", "创新", "产业", "产业"],
            "count": [6, 4, 2, 3, 1],
            "pmi": [1.5, 0.8, 0.4, 0.6, 0.2],
        }
    )


@pytest.fixture
def articles() -> pd.DataFrame:
    """Three articles: two dated (the seed's date with a time), one undated."""
    return pd.DataFrame({"doc_id": ["a", "b", "c"], "published": ["2025-03-11T01:11:43", "2025-03-12", None]})


@pytest.fixture
def removed() -> pd.DataFrame:
    """Removed lines with reasons as clean.py names them."""
    reasons = ["navigation", "navigation", "related_list", "counter", "copyright", "something-new"]
    return pd.DataFrame(
        {"doc_id": ["seed"] * 6, "line_no": range(6), "text": ["首页", "资讯", "...", "0", "©", "x"], "reason": reasons}
    )


# --- rendering with warnings and log records collected ----------------------------------------------


def render_messages(fig: Figure, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Render `fig` to PNG and SVG; return every warning and matplotlib log message emitted."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="matplotlib"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
    return [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]


def glyph_problems(messages: list[str]) -> list[str]:
    """The messages that say a glyph or a font is missing."""
    return [m for m in messages if "Glyph" in m or "missing" in m or "findfont" in m.lower()]


def chinese_test_figure() -> Figure:
    """A figure with Chinese in its title, tick labels, legend, annotation and axis labels."""
    fig = Figure(figsize=(5, 3))
    ax = fig.subplots()
    ax.bar(["中国", "巴西", "澳大利亚"], [4400, 2100, 630], label="储量（万吨）")
    ax.set_title("各国稀土储量")
    ax.set_xlabel("国家")
    ax.set_ylabel("储量（万吨）")
    ax.annotate("包头占全国 83.7%", (0, 4400))
    ax.legend(title="图例：稀土")
    fig.suptitle("新质生产力·白云鄂博")
    return fig


# --- the font ---------------------------------------------------------------------------------------


def test_find_cjk_font_prefers_the_package_then_the_system_then_names_what_to_install(tmp_path):
    package, system = tmp_path / "mplfonts" / "fonts", tmp_path / "usr" / "share" / "fonts"
    (system / "opentype" / "noto").mkdir(parents=True)
    system_font = system / "opentype" / "noto" / "NotoSansCJK-Regular.ttc"
    system_font.write_bytes(b"")
    assert charts.find_cjk_font(package_dirs=[package], system_dirs=[system]) == system_font
    package.mkdir(parents=True)
    (package / "SimHei.ttf").write_bytes(b"")
    (package / "NotoSansCJKsc-Regular.otf").write_bytes(b"")
    assert charts.find_cjk_font([package], [system]) == package / "NotoSansCJKsc-Regular.otf"
    with pytest.raises(FileNotFoundError, match=r"mplfonts.*fonts-noto-cjk"):
        charts.find_cjk_font([tmp_path / "none"], [tmp_path / "nothing"])


def test_the_font_is_the_ofl_noto_sans_cjk_sc_never_simhei():
    assert charts.cjk_font_path().name == "NotoSansCJKsc-Regular.otf"
    assert charts.cjk_font_name() == "Noto Sans CJK SC"
    style = charts.house_style()
    assert style["font.sans-serif"][0] == "Noto Sans CJK SC"
    assert not any("simhei" in str(name).lower() for name in style["font.sans-serif"])
    with matplotlib.rc_context(style):
        resolved = matplotlib.font_manager.findfont(matplotlib.font_manager.FontProperties(family=["sans-serif"]))
    assert resolved == str(charts.cjk_font_path())


def test_chinese_labels_render_to_png_and_svg_without_missing_glyphs(caplog):
    with matplotlib.rc_context(charts.house_style()):
        fig = chinese_test_figure()
        messages = render_messages(fig, caplog)
    assert glyph_problems(messages) == []


def test_the_glyph_check_catches_a_font_without_chinese(caplog):
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        messages = render_messages(chinese_test_figure(), caplog)
    assert any("Glyph" in m and "missing" in m for m in messages)


def test_use_house_style_sets_the_cjk_font_globally():
    with matplotlib.rc_context():
        charts.use_house_style()
        assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"
        assert matplotlib.rcParams["axes.unicode_minus"] is False


# --- every chart: title, labels with units, source line, alt text, every glyph ----------------------


def build_every_chart(usgs, seed_claims, china_shares, keywords, cooccurrence, articles, removed) -> dict:
    """Every chart of the module built from the small test tables."""
    return {
        "article_shares": charts.chart_article_shares(seed_claims),
        "reserves": charts.chart_reserves_by_country(usgs),
        "production": charts.chart_production_over_years(usgs),
        "china_share": charts.chart_china_share_by_edition(china_shares, implied_share=37.8 / 83.7 * 100),
        "top_terms": charts.chart_top_terms(keywords),
        "word_cloud": charts.chart_word_cloud(keywords),
        "cooccurrence": charts.chart_cooccurrence_heatmap(cooccurrence),
        "timeline": charts.chart_articles_timeline(articles),
        "removed": charts.chart_removed_reasons(removed),
    }


def test_every_chart_has_title_labels_source_alt_text_and_all_glyphs(
    caplog, usgs, seed_claims, china_shares, keywords, cooccurrence, articles, removed
):
    built = build_every_chart(usgs, seed_claims, china_shares, keywords, cooccurrence, articles, removed)
    for name, fig in built.items():
        assert isinstance(fig, Figure), name
        assert fig.get_suptitle().strip(), f"{name}: no title"
        assert charts.figure_source(fig).startswith("来源："), f"{name}: no source line"
        assert len(charts.figure_source(fig)) > len("来源：") + 2, name
        alt = charts.figure_alt_text(fig)
        assert len(alt) > 20 and alt != fig.get_suptitle(), f"{name}: alt text {alt!r}"
        axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
        for ax in axes:
            assert ax.get_xlabel().strip(), f"{name}: x label missing"
        assert axes[0].get_ylabel().strip() or name == "word_cloud", f"{name}: y label missing"
        assert glyph_problems(render_messages(fig, caplog)) == [], name


def test_quantity_axes_name_their_units(usgs, seed_claims, articles, removed):
    assert "%" in charts.chart_article_shares(seed_claims).axes[0].get_xlabel()
    assert "万吨" in charts.chart_reserves_by_country(usgs).axes[0].get_xlabel()
    assert "万吨" in charts.chart_production_over_years(usgs).axes[0].get_ylabel()
    assert "篇" in charts.chart_articles_timeline(articles).axes[0].get_ylabel()
    assert "行" in charts.chart_removed_reasons(removed).axes[0].get_xlabel()


# --- what each chart draws --------------------------------------------------------------------------


def bar_widths(fig: Figure) -> list[float]:
    """The widths of the horizontal bars on the first axes, top to bottom."""
    patches = sorted(fig.axes[0].patches, key=lambda p: -p.get_y())
    return [round(p.get_width(), 4) for p in patches]


def tick_labels(fig: Figure, axis: str = "y") -> list[str]:
    """The tick label texts of the first axes, top to bottom (y) or left to right (x)."""
    ax = fig.axes[0]
    if axis == "x":
        return [t.get_text() for t in ax.get_xticklabels()]
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels(), strict=True), key=lambda tick: -tick[0])
    return [label.get_text() for _, label in ticks]


def test_article_shares_counts_a_restated_fact_once(seed_claims):
    fig = charts.chart_article_shares(seed_claims)
    assert bar_widths(fig) == [83.7, 37.8]
    assert tick_labels(fig) == ["包头市·储量 占全国", "包头市·储量 占世界"]
    assert "83.7%" in charts.figure_alt_text(fig) and "37.8%" in charts.figure_alt_text(fig)
    assert "seed" in charts.figure_source(fig)


def test_article_shares_across_articles_show_median_range_and_article_count():
    claims = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "a"],
            "kind": ["percent"] * 4,
            "value": [83.7, 80.0, 87.0, 37.8],
            "unit": ["%"] * 4,
            "subject": ["包头市"] * 4,
            "measure": ["储量"] * 4,
            "scope": ["全国", "全国", "全国", "世界"],
            "span": [""] * 4,
            "claim_group": [1, 1, 1, 2],
        }
    )
    fig = charts.chart_article_shares(claims, source="三篇测试文章")
    assert bar_widths(fig) == [83.7, 37.8]
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "83.7%（3 篇）" in texts
    assert fig.axes[0].collections, "a min–max whisker is drawn for the stated range"
    assert charts.figure_source(fig) == "来源：三篇测试文章"


def test_article_shares_top_n_keeps_the_most_stated(seed_claims):
    many = pd.concat(
        [seed_claims.assign(subject=f"地区{i}", doc_id=f"d{i}", claim_group=i) for i in range(40)], ignore_index=True
    )
    fig = charts.chart_article_shares(many, top_n=5)
    assert len(fig.axes[0].patches) == 5


def test_reserves_use_the_latest_edition_and_leave_the_world_total_out_of_the_bars(usgs):
    fig = charts.chart_reserves_by_country(usgs)
    assert "MCS2026" in fig.get_suptitle()
    labels = tick_labels(fig)
    assert labels[0] == "中国" and "世界合计" not in labels
    assert bar_widths(fig)[0] == 4400.0  # 44,000,000 t = 4400 万吨
    alt = charts.figure_alt_text(fig)
    assert "中国 4,400 万吨（51.8%）" in alt  # 44 / 85 Mt
    older = charts.chart_reserves_by_country(usgs, edition="MCS2023", top_n=3)
    assert "MCS2023" in older.get_suptitle() and len(older.axes[0].patches) == 3
    assert "MCS2023" in charts.figure_source(older)


def test_production_takes_each_year_from_the_latest_edition(usgs):
    fig = charts.chart_production_over_years(usgs, top_n=3)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"中国", "美国", "澳大利亚", "世界合计"}
    us = lines["美国"]
    years, values = list(us.get_xdata()), list(us.get_ydata())
    assert values[years.index(2024)] == pytest.approx(4.55)  # MCS2026 revised 2024 to 45,500 t
    assert lines["世界合计"].get_linestyle() == "--"


def test_china_share_draws_the_article_implied_share_as_a_labelled_line(china_shares):
    implied = 37.8 / 83.7 * 100
    fig = charts.chart_china_share_by_edition(china_shares, implied_share=implied)
    ax = fig.axes[0]
    editions = sorted(china_shares["edition"].unique())
    assert [t.get_text() for t in ax.get_xticklabels()] == editions
    assert any(list(line.get_ydata()) == [implied, implied] for line in ax.get_lines())
    assert any("45.2%" in t.get_text() and "文章" in t.get_text() for t in ax.texts)
    share_line = next(line for line in ax.get_lines() if line.get_label() == "储量")
    latest = china_shares.sort_values("data_year").groupby("edition")["china_share"].last()
    assert list(share_line.get_ydata()) == pytest.approx([latest[e] for e in editions])


def test_top_terms_use_corpus_rows_one_panel_per_method(keywords):
    fig = charts.chart_top_terms(keywords, top_n=3)
    assert [ax.get_title() for ax in fig.axes] == ["TF-IDF", "TextRank"]
    assert tick_labels(fig) == ["稀土", "包头", "创新"]
    assert "干扰词" not in charts.figure_alt_text(fig)


def test_top_terms_sum_article_rows_when_there_is_no_corpus_level():
    rows = pd.DataFrame(
        {
            "doc_id": ["a", "b", "a", "b"],
            "method": ["frequency"] * 4,
            "term": ["稀土", "稀土", "包头", "创新"],
            "score": [3, 4, 5, 1],
            "rank": [2, 1, 1, 2],
        }
    )
    fig = charts.chart_top_terms(rows)
    assert bar_widths(fig) == [7, 5, 1]
    assert "次" in fig.axes[0].get_xlabel()
    assert "2 篇文章" in charts.figure_source(fig)


def test_word_cloud_uses_the_same_font_file(monkeypatch, keywords):
    import wordcloud

    used = []
    original = wordcloud.WordCloud.__init__

    def spy(self, *args, **kwargs):
        used.append(kwargs.get("font_path"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(wordcloud.WordCloud, "__init__", spy)
    fig = charts.chart_word_cloud(keywords)
    assert used == [str(charts.cjk_font_path())]
    image = fig.axes[0].get_images()[0].get_array()
    assert (np.asarray(image)[..., :3] < 200).any(), "words are drawn"
    assert "稀土" in charts.figure_alt_text(fig) and "干扰词" not in charts.figure_alt_text(fig)


def test_cooccurrence_heatmap_is_symmetric_over_the_top_terms(cooccurrence):
    fig = charts.chart_cooccurrence_heatmap(cooccurrence, top_n=3)
    matrix = np.ma.filled(fig.axes[0].get_images()[0].get_array(), np.nan)
    assert tick_labels(fig, "x") == ["稀土", "包头", "创新"]
    assert matrix.shape == (3, 3)
    assert matrix[0, 1] == matrix[1, 0] == 6
    assert np.isnan(matrix[0, 0])
    assert any("次" in ax.get_ylabel() for ax in fig.axes[1:]), "the colour bar names its unit"


def test_timeline_bins_by_day_for_a_few_dates_and_by_month_for_years(articles):
    fig = charts.chart_articles_timeline(articles)
    assert [p.get_height() for p in fig.axes[0].patches] == [1, 1]
    assert "每日" in fig.axes[0].get_xlabel()
    assert "1 篇无发布日期" in charts.figure_source(fig)
    days = pd.date_range("2019-01-01", "2025-12-31", periods=3000)
    many = pd.DataFrame({"doc_id": range(3000), "published": days.strftime("%Y-%m-%dT%H:%M:%S")})
    big = charts.chart_articles_timeline(many)
    assert "每月" in big.axes[0].get_xlabel()
    assert sum(p.get_height() for p in big.axes[0].patches) == 3000
    assert len(big.axes[0].patches) == 84


def test_removed_reasons_count_lines_and_name_reasons_in_chinese(removed):
    fig = charts.chart_removed_reasons(removed)
    assert bar_widths(fig)[0] == 2
    labels = tick_labels(fig)
    assert labels[0] == "导航 navigation" and "相关内容列表 related_list" in labels and "something-new" in labels
    few = charts.chart_removed_reasons(removed, top_n=3)
    assert tick_labels(few)[-1] == "其他" and sum(bar_widths(few)) == len(removed)


def test_empty_tables_give_a_figure_that_says_so(seed_claims, usgs, articles):
    figures = [
        charts.chart_article_shares(seed_claims.iloc[:0]),
        charts.chart_reserves_by_country(usgs, edition="MCS1999"),
        charts.chart_articles_timeline(articles.assign(published=None)),
        charts.chart_top_terms(pd.DataFrame(columns=["doc_id", "method", "term", "score", "rank"])),
    ]
    for fig in figures:
        assert fig.get_suptitle() and charts.figure_source(fig).startswith("来源：")
        assert "没有" in charts.figure_alt_text(fig)


def test_a_missing_column_is_named(seed_claims):
    with pytest.raises(KeyError, match="claim_group"):
        charts.chart_article_shares(seed_claims.drop(columns="claim_group"))


# --- saving and showing -----------------------------------------------------------------------------


def test_save_figure_writes_png_and_svg_reproducibly_with_alt_text(tmp_path, seed_claims):
    fig = charts.chart_article_shares(seed_claims)
    paths = charts.save_figure(fig, "03 包头 shares/v1", tmp_path)
    assert paths["png"].name == "03_包头_shares_v1.png" and paths["svg"].parent == tmp_path
    png, svg = paths["png"].read_bytes(), paths["svg"].read_text(encoding="utf-8")
    assert png.startswith(b"\x89PNG") and "<svg" in svg
    assert "包头市".encode() in png or "包头市" in svg  # the alt text travels in the file metadata
    again = charts.save_figure(fig, "03 包头 shares/v1", tmp_path / "again")
    assert again["png"].read_bytes() == png and again["svg"].read_text(encoding="utf-8") == svg
    assert not list(tmp_path.glob(".*.tmp"))


def test_show_figure_displays_png_with_alt_text_and_closes(tmp_path, monkeypatch, seed_claims):
    import IPython
    import IPython.display
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.setenv("RARE_EARTH_FIGURES_DIR", str(tmp_path / "figures"))
    fig = charts.chart_article_shares(seed_claims)
    closed = []
    monkeypatch.setattr(plt, "close", closed.append)
    assert charts.show_figure(fig, "article_shares") is None
    saved = tmp_path / "figures"
    assert (saved / "article_shares.png").stat().st_size > 0 and (saved / "article_shares.svg").exists()
    (data,), kwargs = shown[0]
    alt = charts.figure_alt_text(fig)
    assert kwargs == {"raw": True, "metadata": {"image/png": {"alt": alt}}}
    assert data["text/plain"] == alt and data["image/png"]
    assert closed == [fig]


def test_show_figure_outside_jupyter_only_saves(tmp_path, monkeypatch, seed_claims):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: pytest.fail("displayed outside Jupyter"))
    charts.show_figure(charts.chart_article_shares(seed_claims), "shares", tmp_path)
    assert (tmp_path / "shares.png").exists() and (tmp_path / "shares.svg").exists()


def test_charts_scale_to_thousands_of_rows(usgs):
    rng = np.random.default_rng(0)
    terms = [f"词{i}" for i in range(2000)]
    keywords = pd.DataFrame(
        {"doc_id": rng.integers(0, 500, 20000).astype(str), "method": "tfidf", "term": rng.choice(terms, 20000)}
    ).assign(score=rng.random(20000), rank=1)
    pairs = pd.DataFrame({"term_a": rng.choice(terms, 5000), "term_b": rng.choice(terms, 5000)})
    pairs = pairs.assign(count=rng.integers(1, 50, 5000), pmi=rng.random(5000))
    fig = charts.chart_top_terms(keywords, top_n=20)
    assert len(fig.axes[0].patches) == 20
    heat = charts.chart_cooccurrence_heatmap(pairs, top_n=15)
    assert heat.axes[0].get_images()[0].get_array().shape == (15, 15)
    assert charts.chart_word_cloud(keywords, max_words=50).axes[0].get_images()


# --- the font embedded in HTML reports ----------------------------------------------------------------


def test_cjk_font_subset_holds_just_the_characters_of_the_text():
    from fontTools.ttLib import TTFont

    woff = charts.cjk_font_subset("包头稀土 83.7%")
    assert woff.startswith(b"wOFF")
    cmap = TTFont(io.BytesIO(woff)).getBestCmap()
    assert {ord(c) for c in "包头稀土8.%"} <= set(cmap)
    assert ord("鑫") not in cmap
    assert len(woff) < 60_000


def test_embed_cjk_font_adds_one_font_face_inside_the_head():
    page = '<html><head><meta charset="utf-8"></head><body><p>稀土</p></body></html>'
    embedded = charts.embed_cjk_font(page)
    assert embedded.index("@font-face") < embedded.index("</head>") < embedded.index("<p>稀土</p>")
    assert "data:font/woff;base64," in embedded and "http" not in embedded
    assert charts.embed_cjk_font(embedded) == embedded
