"""Tests for the line classification of analysis.clean: the quick screens against the rules written plainly."""

from __future__ import annotations

import random
import re

import pytest

from analysis import clean


def plain_reason(entries: list[tuple[str, str]], lower: str) -> str:
    """The reason of the first marker regex that matches the lowered line: anchored ones ("^") first, in file order."""
    for reason, entry in entries:
        if entry.startswith("^") and re.match(entry, lower):
            return reason
    return next((reason for reason, entry in entries if not entry.startswith("^") and re.search(entry, lower)), "")


def plain_is_meta_line(line: str) -> bool:
    """clean.is_meta_line as first written."""
    if len(line) > clean.MAX_META_LINE or "。" in line or "！" in line or "？" in line or not clean.parse_date(line):
        return False
    rest = clean.DATE.sub("", clean.TIME.sub("", line))
    return bool(clean.TIME.search(line) or clean.DATE_KEYS.search(line) or clean.count(clean.CJK, rest) <= 12)


def plain_is_chinese_line(line: str) -> bool:
    """clean.is_chinese_line as first written."""
    if len(line.encode("ascii", "ignore")) * 2 < len(line):
        return clean.CJK.search(line) is not None
    n_cjk, n_latin = clean.count(clean.CJK, line), clean.count(clean.LATIN, line)
    return (n_cjk > 0 and n_cjk * 4 >= n_latin * 0.5) or n_cjk >= 8


def plain_line_kind(line: str, chinese_page: bool) -> tuple[str, str]:
    """clean.line_kind's rules, plainly: no screens, every marker regex of the resource files tried in turn."""
    if not clean.WORDISH.search(line):
        return "noise", "noise"
    if plain_is_meta_line(line):
        return "meta", "timestamp"
    lower = line.lower()
    if len(line) <= clean.MAX_LONG_MARKER_LINE:
        reason = plain_reason(clean.read_sections("end_markers.txt"), lower) if len(line) <= clean.MAX_END_LINE else ""
        if reason:
            return "end", reason
        entries = clean.read_sections("boilerplate_markers.txt")
        if len(line) > clean.MAX_MARKER_LINE:
            entries = [(reason, entry) for reason, entry in entries if reason in clean.LONG_MARKER_REASONS]
        reason = plain_reason(entries, lower)
        if reason:
            return "marker", reason
    if chinese_page and not plain_is_chinese_line(line):
        return "foreign", "foreign language"
    punctuation = clean.SENTENCE_PUNCT if chinese_page else clean.LATIN_SENTENCE_PUNCT
    if (len(line) >= clean.MIN_STRONG_PROSE and punctuation.search(line)) or len(line) >= 2 * clean.MIN_STRONG_PROSE:
        return "strong", ""
    return "weak", ""


def assert_like_plain_rules(text: str) -> None:
    """prepare_lines gives every line of the text the kind and reason the plain rules give it, on both kinds of page."""
    for chinese_page in (True, False):
        expected = [(number, line, *plain_line_kind(line, chinese_page))
                    for number, line in enumerate(text.split("\n"), start=1) if line]
        assert clean.prepare_lines(text, chinese_page) == expected


PROSE = "稀土行业协会表示今年以来稀土价格持续上涨企业生产积极性明显提高行业景气度有所回升"


def padded(line: str, length: int, at_end: bool = False) -> str:
    """The line padded with prose to `length` characters (the prose after it, or before it)."""
    padding = (PROSE * 4)[: max(length - len(line), 0)]
    return padding + line if at_end else line + padding


EDGE_LINES = [
    # markers at the start and at the end of lines, in upper case, with odd spaces
    "返回首页", "首页 新闻 图片 视频 专题", "网站首页｜新闻中心｜联系我们", "（记者 王五 摄）", "记者 张三 李四 摄)",
    "（图片来源：新华社）", "图为包头稀土高新区。", "本文来自微信公众号", "责任编辑：李四", "版权所有 © 2023 示例网",
    "COPYRIGHT 2023 ALL RIGHTS RESERVED", "下载APP", "APP 下载", "点击查看更多", "相关新闻", "相关阅读:",
    "热门排行榜", "关于我们 | 联系我们", "微信", "中国经济周刊 2016年41期", "• 汇报体会", "- 作者: Zhenghua",
    "作者：张三", "来源：新华社", "据新华社报道:", "2016-10-28", "发布时间：2023年5月6日 10:20", "12:30",
    "浏览次数：1234", "人气:15", "【大】【中】【小】", "\u3000大 中 小", "上一篇：稀土价格", "评论(3)", "（完）",
    "扫一扫关注我们", "隐私权政策划", "查看全部 3 条评论", "登录后发表评论", "注册 | 登录", "欢迎光临示例网",
    "您现在的位置：首页 > 新闻", "首页 >> 新闻 >> 正文", "《人民日报》（2023年5月6日 04 版）", "稀土\t周刊 2016年41期",
    # markers a line break would split (each half is a line of its own)
    "版权\n所有", "责任\n编辑：王", "点击\n查看", "隐私权\n政策", "欢迎\n光临", "相关\n新闻",
    "中国经济周刊 2016年41\n期",
    # long and short prose, and markers in long lines
    PROSE, PROSE + "。", PROSE[:12], "稀土。", padded("记者从协会获悉，", 120), padded("版权所有", 150, at_end=True),
    padded("（图片来源：新华社）", 140, at_end=True), padded("本文来自网络", 200),
    padded("（记者 王五 摄）", 165, at_end=True),
    # not Chinese, noise, odd characters
    "Rare earths are a family of 17 metals that underpin modern electronics.", "Related News", "Read more:",
    "US rebuilding efforts face high costs’ and long permitting times × 2", "2018年1月15日(月曜)20:10に公開",
    "MP Materials公司宣布停止向中国出口稀土", "———", "***", "●●●", "\uf900\uf901", "\ufa6e稀土", "İCP备12345号",
    "ΣΑΣ 稀土", "Kelvin \u212a 稀土", "稀土\x85周刊 2016年41期", "ｃｏｐｙｒｉｇｈｔ ２０２３",
]


def test_prepare_lines_follows_the_plain_rules_on_edge_lines():
    assert_like_plain_rules("\n".join(EDGE_LINES))
    for line in EDGE_LINES:  # (each on a page of its own, and around each length limit)
        assert_like_plain_rules(line)
        for limit in (clean.MAX_END_LINE, clean.MAX_MARKER_LINE, clean.MAX_META_LINE, clean.MAX_LONG_MARKER_LINE):
            for length in (limit, limit + 1):
                assert_like_plain_rules(padded(line, length) + "\n" + padded(line, length, at_end=True))


def marker_fragments() -> list[str]:
    """Pieces of marker lines: the strings the screens look for, and the starts and ends of lines they know."""
    fragments = set()
    for markers in clean.markers_by_length()[1]:
        fragments |= set(markers.owners) | set(markers.by_first)
        fragments |= {suffix for pairs in markers.by_last.values() for suffix, _ in pairs}
    return sorted(fragments)


@pytest.mark.parametrize("seed", range(3))
def test_prepare_lines_follows_the_plain_rules_on_random_lines(seed):
    generator = random.Random(seed)
    pieces = [*marker_fragments(), "稀土", "价格", "。", "，", " ", "\t", "\u3000", "2023年5月6日", "10:20", ":", "|",
              "(", ")", "（", "）", "Rare", "APP", "·", "发布", "摄", "期", "版", "19", "20"]
    lines = []
    for _ in range(600):
        line = "".join(generator.choice(pieces) for _ in range(generator.choice((1, 2, 3, 5, 8, 20))))
        lines.append(padded(line, generator.choice((0, 38, 58, 88, 158)), at_end=generator.random() < 0.5))
    assert_like_plain_rules("\n".join(lines))


def test_needed_strings_find_every_pattern_that_may_match_even_where_they_overlap():
    finder, owners = clean.needed_string_finder({0: frozenset({"隐私权政策"}), 1: frozenset({"权政"})})
    assert owners == {"权政": (0, 1)}  # (a line holding 隐私权政策 holds 权政)
    finder, owners = clean.needed_string_finder({0: frozenset({"权政策"}), 1: frozenset({"策划", "监制"})})
    assert finder.findall("权政策划") == ["权政策"]  # (策划 starts inside the string found: passed over)
    assert owners["权政策"] == (0, 1) and owners["策划"] == owners["监制"] == (1,)


def test_quick_runs_find_the_same_runs():
    quick = clean.quick_runs(clean.CJK)
    assert quick.pattern == clean.CJK.pattern[:-1] * 2 + "*"
    for text in ("稀土 rare 稀土价格", "", "abc", "豈更稀", "a稀b土c"):
        assert quick.findall(text) == clean.CJK.findall(text)
        assert clean.count(quick, text) == clean.count(clean.CJK, text)
