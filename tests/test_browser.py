"""The reader reports in a real browser: images load with alt text, no console error, Chinese shown, offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import charts
from analysis.outputs import write_bytes_atomic
from analysis.paths import REPORTS_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = REPORTS_DIR / "screenshots"
HAN = re.compile(r"[\u4e00-\u9fff]")
IMAGES_JS = """() => Array.from(document.images).map(img => ({
    src: img.currentSrc.slice(0, 60), complete: img.complete, width: img.naturalWidth,
    alt: (img.getAttribute('alt') || '').trim()}))"""

# Elements whose own text has characters that need a CJK font get a marker, so the DevTools protocol can say which
# platform fonts actually drew them (a fallback chosen before a web font loaded draws boxes and keeps them).
MARK_JS = """([pattern, limit]) => {
    const needs = new RegExp(pattern);
    let marked = 0;
    for (const element of document.body.querySelectorAll('*')) {
        const own = Array.from(element.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('');
        if (marked < limit && needs.test(own) && element.getClientRects().length) {
            element.setAttribute('data-cjk-probe', String(marked++));
        }
    }
    return marked;
}"""
HAN_PATTERN = "[\\u4e00-\\u9fff]"
CJK_FONT_NAME = re.compile(
    r"CJK|Source Han|Hei|Song|Ming|Kai|YaHei|PingFang|WenQuanYi|Droid Sans Fallback|Noto Sans (SC|TC|HK|JP|KR)\b", re.I
)


def text_drawn_without_cjk_font(context, page, pattern: str = HAN_PATTERN, limit: int = 300) -> list[str]:
    """Elements whose Chinese text was drawn only by fonts without CJK glyphs (as boxes): "tag: fonts" lines."""
    page.evaluate("() => document.fonts.ready")
    if not page.evaluate(MARK_JS, [pattern, limit]):
        return []
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    problems = []
    for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-cjk-probe]"})["nodeIds"]:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        if not any(font["isCustomFont"] or CJK_FONT_NAME.search(font["familyName"]) for font in fonts):
            tag = cdp.send("DOM.describeNode", {"nodeId": node})["node"]["localName"]
            problems.append(f"{tag}: {', '.join(font['familyName'] for font in fonts)}")
    cdp.detach()
    return problems


def reader_reports(out: Path) -> list[Path]:
    """The reader reports (`<name>.html`, not `.full.html`, not the index) in a reports folder."""
    return sorted(p for p in out.glob("*.html") if not p.name.endswith(".full.html") and p.name != "index.html")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by playwright; skipped when /usr/bin/chromium is absent."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (Debian package chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def open_offline(browser, path: Path) -> dict:
    """Open `path` from disk with every non-file request aborted; returns the page and what happened."""
    seen = {"console_errors": [], "page_errors": [], "network": []}
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            seen["network"].append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and seen["console_errors"].append(msg.text))
    page.on("pageerror", lambda error: seen["page_errors"].append(str(error)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)", timeout=15000)
    seen["page"], seen["context"] = page, context
    return seen


def test_there_are_reader_reports(report_run):
    out, runs = report_run
    assert [p.stem for p in reader_reports(out)] == sorted(run.name for run in runs)


def test_reader_reports_open_offline_with_images_alt_text_and_chinese(report_run, browser):
    out, _ = report_run
    problems = []
    for report in reader_reports(out):
        seen = open_offline(browser, report)
        page = seen["page"]
        images = page.evaluate(IMAGES_JS)
        text = page.inner_text("body")
        write_bytes_atomic(SCREENSHOTS / f"{report.stem}.png", page.screenshot(full_page=True))
        console_errors = list(seen["console_errors"])  # before the DevTools font check, which logs its own
        boxes = text_drawn_without_cjk_font(seen["context"], page)
        seen["context"].close()
        broken = [img["src"] for img in images if not img["complete"] or img["width"] == 0]
        without_alt = [img["src"] for img in images if not img["alt"]]
        for label, found in (
            ("images not loaded", broken),
            ("images without alt text", without_alt),
            ("console errors", console_errors),
            ("page errors", seen["page_errors"]),
            ("network requests (reports must open offline)", seen["network"]),
        ):
            if found:
                problems.append(f"{report.name}: {label}: {found[:5]}")
        if len(HAN.findall(text)) < 20:
            problems.append(f"{report.name}: the visible text shows almost no Chinese: {text[:200]!r}")
        elif boxes:
            problems.append(
                f"{report.name}: Chinese is drawn as missing-glyph boxes in {boxes[:5]} (no CJK font "
                "reaches the page: export_html should embed it with analysis.charts.embed_cjk_font)"
            )
        assert (SCREENSHOTS / f"{report.stem}.png").read_bytes().startswith(b"\x89PNG")
    assert problems == []


def test_the_browser_check_notices_broken_images_missing_alt_and_network(browser, tmp_path):
    page_file = tmp_path / "bad.html"
    page_file.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>稀土</p><p>\ue000\ue001</p>'
        '<img src="missing.png" alt="缺失的图"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">'
        '<img src="https://example.invalid/x.png" alt="网络图"><script>console.error("boom")</script>'
        "</body></html>",
        encoding="utf-8",
    )
    seen = open_offline(browser, page_file)
    images = seen["page"].evaluate(IMAGES_JS)
    assert text_drawn_without_cjk_font(seen["context"], seen["page"], "[\\ue000-\\uf8ff]")[0].startswith("p: ")
    assert images[0]["width"] == 0 and images[1]["alt"] == ""
    assert seen["network"] == ["https://example.invalid/x.png"]
    assert seen["console_errors"], "a console error is seen"
    seen["context"].close()


def test_an_embedded_cjk_font_draws_chinese_without_any_system_font(browser, tmp_path):
    page_file = tmp_path / "embedded.html"
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>:root{--jp-content-font-family: system-ui, '
        "sans-serif} h1, p {font-family: var(--jp-content-font-family)} h1 {font-weight: 500}</style></head>"
        "<body><h1>包头稀土</h1><p>占全国 83.7%</p>"
    )
    page_file.write_text(charts.embed_cjk_font(page), encoding="utf-8")
    seen = open_offline(browser, page_file)
    assert seen["console_errors"] == [] and seen["network"] == []
    assert text_drawn_without_cjk_font(seen["context"], seen["page"]) == []
    seen["context"].close()
