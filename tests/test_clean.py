"""Tests for analysis.clean: splitting pages into metadata, body, sentences and removed lines; the per-page text
steps (spaces, scripts, Traditional conversion, inline cuts, rows); the line classification's quick screens
against the rules written plainly."""

from __future__ import annotations

import itertools
import random
import re

import numpy as np
import pandas as pd
import pytest

from analysis import clean, read


def page_of(text: str, **hints) -> read.Page:
    """A plain-text page (id from its UTF-8 bytes)."""
    return read.Page(read.doc_id_for(text.encode("utf-8")), "test.txt", "utf-8", text, None, hints)


@pytest.fixture(scope="module")
def seed(seed_path):
    """The seed article and its tables."""
    pages, _ = read.read_file(seed_path)
    article = clean.split_page(pages[0])
    return article, clean.article_tables(article)


NEWS_PAGE = """首页 > 新闻中心 > 行业动态
欢迎访问示例稀土网
稀土永磁产业迎来新一轮增长
来源：示例日报  2024年05月06日 10:32  浏览次数：1234
记者从行业协会获悉，今年一季度我国稀土永磁材料产量同比增长12.5%，出口量达到1.8万吨。
业内人士认为，新能源汽车和风电装机的快速增长，是拉动高性能钕铁硼需求的主要力量。
协会预计，全年产量增速将保持在10%以上，行业集中度将进一步提高。
责任编辑：王五
分享到：微信 微博
相关新闻
稀土价格小幅上涨
永磁材料企业扩产
Copyright © 2024 示例稀土网 版权所有"""


def test_seed_metadata(seed):
    article, tables = seed
    row = tables["articles"].iloc[0]
    assert row["title"] == "全国人大代表孟繁英:要进一步创建国家稀土技术创新中心"
    assert row["published"] == "2025-03-11"
    assert row["source"] == "中国工业报" and row["author"] == "孟凡君"
    assert row["lang"] == "zh-Hans" and not row["converted_to_simplified"]
    assert row["original_text"] == article.original_text and "热门资讯" in row["original_text"]


def test_seed_body_is_the_article_only(seed):
    _, tables = seed
    body = tables["articles"].iloc[0]["body"]
    assert body.startswith("“稀土是我国重要的战略资源")
    assert body.endswith("支撑保障现代化经济体系建设。")
    for junk in ("相关内容", "热门资讯", "转自", "什么最黑暗", "...", "中国工业报记者", "创始人"):
        assert junk not in body
    assert tables["articles"].iloc[0]["n_paragraphs"] == 4 == len(tables["paragraphs"])
    assert tables["articles"].iloc[0]["n_chars"] == len(body.replace("\n", ""))


def test_seed_removed_lines_have_reasons(seed):
    _, tables = seed
    removed = tables["removed"]
    reasons = dict(zip(removed["text"], removed["reason"], strict=True))
    assert reasons["(中国工业报记者 孟凡君)"] == "byline"
    assert reasons["相关内容"] == "related list" and reasons["热门资讯"] == "hot list"
    assert reasons["2025-03-11 01:11:43"] == "timestamp"
    assert (removed["reason"] == "snippet").sum() >= 10
    assert removed["line_no"].is_monotonic_increasing and removed["line_no"].min() >= 1


def test_seed_restated_figures_are_flagged_as_duplicates(seed):
    _, tables = seed
    sentences = tables["sentences"]
    assert list(sentences["sent_id"]) == list(range(len(sentences)))
    first = sentences[sentences["text"].str.contains("拥有全国83.7%")].iloc[0]
    second = sentences[sentences["text"].str.contains("已探明储量占全国总量的83.7%")].iloc[0]
    assert not first["is_duplicate"] and first["duplicate_of"] == -1
    assert second["is_duplicate"] and second["duplicate_of"] == first["sent_id"]
    assert sentences["is_duplicate"].sum() == 1


def test_news_page_is_split_into_metadata_body_and_page():
    article = clean.split_page(page_of(NEWS_PAGE))
    assert article.title == "稀土永磁产业迎来新一轮增长"
    assert article.published == "2024-05-06" and article.source == "示例日报"
    assert len(article.paragraphs) == 3
    assert article.paragraphs[0].startswith("记者从行业协会获悉")
    reasons = {text: reason for _, text, reason in article.removed}
    assert reasons["首页 > 新闻中心 > 行业动态"] == "navigation"
    assert reasons["责任编辑：王五"] == "editor"
    assert reasons["分享到：微信 微博"] == "share"
    assert reasons["相关新闻"] == "related list" and reasons["永磁材料企业扩产"] == "related list"


WECHAT_PAGE = """新闻 体育 财经 娱乐 科技
包头稀土高新区：打造世界级稀土产业集群
原创 包头发布 2024年03月05日 18:30 内蒙古
记者 李明
近日，记者从包头稀土高新区了解到，2023年该区稀土产业产值突破1000亿元，稀土永磁材料产能达到10万吨。
相关报道称，包头市已引进稀土企业数十家，形成了较完整的产业链。
阅读原文
阅读 1.2万"""


def test_colon_headline_spaced_byline_and_a_sentence_that_opens_like_a_heading():
    article = clean.split_page(page_of(WECHAT_PAGE))
    assert article.title == "包头稀土高新区：打造世界级稀土产业集群"
    assert article.published == "2024-03-05" and article.author == "李明"
    assert article.paragraphs[-1] == "相关报道称，包头市已引进稀土企业数十家，形成了较完整的产业链。"
    reasons = {text: reason for _, text, reason in article.removed}
    assert reasons["新闻 体育 财经 娱乐 科技"] == "navigation"
    assert reasons["记者 李明"] == "byline" and reasons["阅读原文"] == "share" and reasons["阅读 1.2万"] == "counter"


def test_short_paragraphs_after_a_dateline_are_the_body():
    text = ("稀土价格周报\n2024-06-01 09:00 来源：上海有色网\n"
            "本周氧化镨钕价格小幅上涨。\n氧化镝价格持平，成交清淡。\n分享到：")
    article = clean.split_page(page_of(text))
    assert (article.title, article.published, article.source) == ("稀土价格周报", "2024-06-01", "上海有色网")
    assert article.paragraphs == ["本周氧化镨钕价格小幅上涨。", "氧化镝价格持平，成交清淡。"]


NEWSWIRE_PAGE = """稀土新政出台
2024-01-02 来源：新华网
【导读】稀土管理条例正式施行，对稀土开采、冶炼分离实行总量调控，并建立产品追溯制度，这是导读。
稀土管理条例正式施行，对稀土开采、冶炼分离实行总量调控，并建立产品追溯制度，进一步规范行业秩序。
图为白云鄂博矿区。新华社记者 连振 摄
新华社记者 连振 摄
（完）
声明：本文仅代表作者观点，不代表本站立场。"""


def test_summary_captions_end_mark_and_disclaimer_are_not_body():
    article = clean.split_page(page_of(NEWSWIRE_PAGE))
    assert article.source == "新华网"
    assert article.paragraphs == [NEWSWIRE_PAGE.splitlines()[3]]
    assert [reason for _, _, reason in article.removed] == ["title", "timestamp", "summary", "caption", "caption",
                                                            "artifact", "copyright"]


def test_fullwidth_characters_are_normalised_but_chinese_punctuation_kept():
    text = "报告显示，２０２３年全球稀土产量约３５万吨，同比增长１５．２％，其中ＵＳＧＳ数据最受关注。"
    article = clean.split_page(page_of(text))
    assert article.paragraphs == ["报告显示，2023年全球稀土产量约35万吨，同比增长15.2%，其中USGS数据最受关注。"]
    assert article.original_text == text


def test_traditional_page_is_converted_and_keeps_its_original():
    text = ("中國是稀土第一大國，白雲鄂博礦區的儲量舉世聞名。當地政府近年來加強環境保護，"
            "推動產業轉型升級，吸引了眾多企業投資。")
    article = clean.split_page(page_of(text))
    assert article.lang == "zh-Hant" and article.converted_to_simplified
    assert article.paragraphs[0].startswith("中国是稀土第一大国，白云鄂博矿区的储量举世闻名。")
    assert article.original_text == text
    assert clean.detect_lang(article.paragraphs[0]) == "zh-Hans"


def test_fast_conversion_agrees_with_opencc():
    from opencc import OpenCC

    text = "乾隆皇帝在著作中提到乾燥的天氣，後來他們發現了藥物。這個理髮師的頭髮很長，畫面裡有一隻鐘錶。"
    assert clean.to_simplified(text) == OpenCC("t2s").convert(text)
    assert clean.to_simplified(text).startswith("乾隆皇帝在著作中提到干燥的天气，后来他们发现了药物。")


def test_leading_date_token_gives_the_date_and_leaves_the_body():
    text = " date 2025-08-09 中国稀土资源主要集中在内蒙古、四川和江西等地，其中包头的储量最为丰富，开采历史也最长。"
    article = clean.split_page(page_of(text))
    assert article.published == "2025-08-09"
    assert article.paragraphs[0].startswith("中国稀土资源主要集中")


def test_inline_stock_ticker_is_cut_from_the_sentence():
    text = "此前，包钢稀土(60.30,1.61,2.74%)已经启动轻稀土收储，南方离子型稀土的收储工作却无实质进展。"
    article = clean.split_page(page_of(text))
    assert article.paragraphs == ["此前，包钢稀土 已经启动轻稀土收储，南方离子型稀土的收储工作却无实质进展。"]
    assert (1, "(60.30,1.61,2.74%)", "ticker") in article.removed


@pytest.mark.parametrize(("line", "source", "author"), [
    ("稀土储量丰富。（新华社记者 张三 李四）", "新华社", "张三 李四"),
    ("稀土储量丰富。(来源:人民日报)", "人民日报", ""),
    ("稀土储量丰富。（编译/林靖东）", "", "林靖东"),
])
def test_trailing_credits_are_bylines(line, source, author):
    article = clean.split_page(page_of("稀土产业发展迅速，已成为地方经济的重要支柱，产值连续多年保持增长。\n" + line))
    assert article.paragraphs[-1] == "稀土储量丰富。"
    assert (article.source, article.author) == (source, author)
    assert article.removed[-1][2] == "byline"


def test_english_page_is_flagged_not_chinese():
    text = "Rare earths are a group of seventeen metals used in magnets, lasers and batteries around the world."
    article = clean.split_page(page_of(text))
    assert article.lang == "en" and "not Chinese" in article.flags
    assert article.paragraphs == [text]


def test_translation_lines_on_a_chinese_page_are_removed():
    chinese = "稀土共有17种金属元素，支撑从手机、笔电到战机与飞弹等关键技术，中国用约40年建立主导地位。"
    english = "Rare earths are a family of 17 metals that underpin modern electronics and defense systems."
    article = clean.split_page(page_of(chinese + "\n" + english))
    assert article.paragraphs == [chinese]
    assert (2, english, "foreign language") in article.removed


def test_page_without_article_is_flagged_and_tables_keep_their_dtypes():
    article = clean.split_page(page_of("首页\n登录\n注册\n版权所有 © 2024"))
    tables = clean.article_tables(article)
    assert "no article body" in tables["articles"].iloc[0]["flags"]
    assert tables["paragraphs"].empty and tables["sentences"].empty
    assert list(tables["sentences"].columns) == clean.SENTENCE_COLUMNS
    assert tables["sentences"]["sent_id"].dtype == "int64" and tables["sentences"]["is_duplicate"].dtype == bool
    assert list(tables["removed"]["reason"]) == ["navigation", "navigation", "navigation", "copyright"]


def test_html_page_with_only_navigation_has_no_body(tmp_path):
    html = "<div><a>首页</a><br><a>国内新闻</a><br><a>国际新闻</a><br><a>财经</a><br><a>体育</a></div>"
    path = tmp_path / "nav.html"
    path.write_text(html, encoding="utf-8")
    pages, _ = read.read_file(path)
    article = clean.split_page(pages[0])
    assert article.paragraphs == [] and "no article body" in article.flags


def test_table_columns_match_the_documented_constants(seed):
    _, tables = seed
    assert list(tables["articles"].columns) == clean.ARTICLE_COLUMNS
    assert list(tables["paragraphs"].columns) == clean.PARAGRAPH_COLUMNS
    assert list(tables["removed"].columns) == clean.REMOVED_COLUMNS
    assert tables["removed"]["line_no"].dtype == "int64"


@pytest.mark.parametrize(("paragraph", "sentences"), [
    ("他说：“稀土很重要。”随后离开了会场。", ["他说：“稀土很重要。”", "随后离开了会场。"]),
    ("产量增长了吗？增长了！幅度达到12.5%；出口下降……",
     ["产量增长了吗？", "增长了！", "幅度达到12.5%；", "出口下降……"]),
    ("没有句号的标题", ["没有句号的标题"]),
])
def test_sentences_split_after_chinese_terminators(paragraph, sentences):
    assert clean.split_sentences(paragraph) == sentences


def test_exact_and_near_repeats_are_flagged():
    sentences = ["稀土价格今年上涨了百分之二十左右。", "另一件事与此无关。", "稀土价格今年上涨了百分之二十左右！",
                 "今年稀土价格上涨了百分之二十左右。"]
    assert clean.duplicate_of(sentences) == [-1, -1, 0, 0]


def test_restatement_needs_the_same_figures():
    assert clean.duplicate_of(["包头储量占全国83.7%、全球37.8%。", "包头储量占全国83.7%、全球36.0%。"]) == [-1, -1]


@pytest.mark.parametrize(("paragraph", "sentences"), [
    ("增长12.5%。价格上涨", ["增长12.5%。", "价格上涨"]),  # a decimal point ends nothing
    ("中.文", ["中.", "文"]),  # a dot between Chinese characters does
    ("等等...然后a..b", ["等等...", "然后a..b"]),  # three dots do, two do not
    ("  好。 。”  尾巴  ", ["好。", "。”", "尾巴"]),  # spaces around sentences dropped, closing quotes kept
    ("第一句。\n第二句；", ["第一句。", "第二句；"]),
    ("？！", ["？！"]),
    (" \u3000 ", []),
])
def test_sentence_ends(paragraph, sentences):
    assert clean.split_sentences(paragraph) == sentences


def test_article_sentences_number_the_paragraphs():
    paragraphs = ["他说：“稀土很重要。”随后离开了会场。", "没有句号的标题", "  ", "产量增长了吗？增长了！ "]
    assert clean.article_sentences(paragraphs) == (
        [0, 0, 1, 3, 3], ["他说：“稀土很重要。”", "随后离开了会场。", "没有句号的标题", "产量增长了吗？", "增长了！"])
    # a paragraph holding a line break is still one paragraph
    assert clean.article_sentences(["第一句。\n第二句。", "尾巴"]) == ([0, 0, 1], ["第一句。", "第二句。", "尾巴"])
    assert clean.article_sentences([]) == ([], [])


def test_figures_read_whole_numbers():
    sentence = "2023年产量增长12.5%，达到3 万吨，均价100元，出口1.5亿美元，编号20231号"
    assert clean.figures(sentence) == {"12.5%", "3万", "100元", "1.5亿"}
    assert clean.figures("第20231号文件") == clean.NO_FIGURES


def test_bigrams_are_the_pairs_of_characters():
    assert clean.bigrams("稀土稀土") == {ord("稀") | ord("土") << 32, ord("土") | ord("稀") << 32}
    assert clean.bigrams("") == clean.bigrams("稀") == set()
    for key in ["包头储量占全国837全球378", "𠀀𠀁稀土𠀀𠀁", "abcab"]:
        assert len(clean.bigrams(key)) == len({key[i: i + 2] for i in range(len(key) - 1)})


def test_nothing_to_compare_unless_an_index_entry_is_shared_with_the_same_figures():
    def nothing(sentences):
        keys = clean.comparable_keys(sentences)
        heads, tails = [key[:clean.DUP_ANCHOR] for key in keys], [key[-clean.DUP_ANCHOR:] for key in keys]
        return clean.nothing_to_compare(keys, heads, tails, [clean.figures(sentence) for sentence in sentences])

    assert nothing(["稀土是重要的战略资源。", "包头是著名的稀土之都。"])
    assert not nothing(["2016年稀土产量达到十万吨。", "2016年稀土价格明显上涨。"])  # the same opening
    assert not nothing(["今年稀土价格上涨了百分之二十左右。", "据说稀土价格上涨了百分之二十左右！"])  # ... closing
    assert nothing(["2016年稀土产量为10万吨。", "2016年稀土产量为12万吨。"])  # ... with other figures
    assert not nothing(["包头储量占全国83.7%、全球37.8%。", "据统计，全球37.8%、全国83.7%的储量在包头。"])


def test_repeats_and_restatements():
    sentences = ["包头储量占全国83.7%、全球37.8%。", "稀土价格上涨。", "好的。",
                 "据统计，全球37.8%、全国83.7%的稀土储量在包头。", "稀土价格上涨！", "好的！"]
    # a restatement quoting the same figures; a repeat of six characters; none of two
    assert clean.duplicate_of(sentences) == [-1, -1, -1, 0, 1, -1]
    assert clean.duplicate_of(sentences[:1]) == [-1]
    assert clean.duplicate_of([]) == []


def test_near_repeats_look_at_the_first_candidates_only():
    sentences = [f"稀土产量今年达到{number}万吨左右。" for number in range(60)]  # one opening, other figures
    assert clean.duplicate_of([*sentences, "稀土产量今年达到10万吨左右吧。"])[-1] == 10
    assert clean.duplicate_of([*sentences, "稀土产量今年达到55万吨左右吧。"])[-1] == -1  # beyond MAX_DUP_CANDIDATES


def test_dup_clusters_group_the_same_story():
    story = ("四川凉山彝族自治州是我国最大的彝族聚居区，这里有着得天独厚的矿产资源，我国第二大稀土矿就蕴藏在这里。"
             "凉山州稀土资源主要分布在冕宁县和德昌县，冕宁县已探明稀土氧化物约200多万吨。")
    other = "赣南被称为稀土王国，是我国离子型稀土资源集中分布区，过去四年新发现了十多个大中型以上稀土矿床。"
    articles = pd.DataFrame({"doc_id": ["b2", "a1", "c3"],
                             "body": [story, "据报道，" + story.replace("约200多万吨", "约200万吨"), other]})
    first = clean.assign_dup_clusters(articles)
    assert list(first["dup_cluster"]) == ["a1", "a1", "c3"]
    assert first.equals(clean.assign_dup_clusters(articles))
    assert "dup_cluster" not in articles.columns


def test_dup_clusters_on_an_empty_table():
    empty = pd.DataFrame({"doc_id": pd.Series(dtype="str"), "body": pd.Series(dtype="str")})
    assert list(clean.assign_dup_clusters(empty).columns) == ["doc_id", "body", "dup_cluster"]


def test_dup_clusters_gather_hundreds_of_copies():
    story_a = ("包头稀土高新区今年新引进稀土新材料项目十二个，总投资超过八十亿元，涵盖永磁电机、抛光材料和储氢合金。"
               "园区负责人表示，这些项目投产后将使本地稀土就地转化率提高到百分之七十以上。")
    story_b = ("赣州市出台稀土产业发展规划，提出到二零三零年建成具有全球影响力的中重稀土产业基地，"
               "重点发展高端磁材、稀土发光材料和稀土催化材料，并加强矿山生态修复。")
    unrelated = "今年夏天南方多地持续高温，气象部门提醒市民注意防暑降温，减少午后户外活动，及时补充水分。"
    doc_ids, bodies = [], []
    for number in range(300):
        for name, story in (("a", story_a), ("b", story_b)):
            doc_ids.append(f"{name}{number:04d}")
            bodies.append(f"{story}\n（副本 {number}）")
    doc_ids.append("z0000")
    bodies.append(unrelated)
    articles = pd.DataFrame({"doc_id": doc_ids, "body": bodies})
    clusters = clean.assign_dup_clusters(articles)["dup_cluster"]
    assert clusters.nunique() == 3
    assert set(clusters) == {"a0000", "b0000", "z0000"}
    # the same from shingle sets computed slice by slice (as the workers do, batch by batch) and joined
    slices = [articles.iloc[start: start + 70] for start in range(0, len(articles), 70)] + [articles.iloc[0:0]]
    parts = [clean.body_shingle_sets(part) for part in slices]
    joined = clean.join_shingle_sets(parts, [part.index[0] if len(part) else len(articles) for part in slices])
    assert all(np.array_equal(a, b) for a, b in zip(joined, clean.body_shingle_sets(articles), strict=True))
    assert clean.assign_dup_clusters(articles, joined)["dup_cluster"].equals(clusters)


def test_quick_regex_checks_over_estimate_where_a_match_can_start_and_what_it_contains():
    assert clean.pattern_first_characters(r"^(?:来源|转自)[:：]") == frozenset("来转")
    assert clean.pattern_first_characters(r"a?b") == frozenset("ab")
    assert clean.pattern_first_characters(r"\S+编辑") is None  # \S: any of too many characters
    assert clean.pattern_first_characters(r"(?i)abc") is None  # ignored case: not exact characters
    assert clean.pattern_first_characters(r"x*") is None  # can match the empty string
    assert clean.pattern_required_strings(r"(?:责任)?编辑[:：]") == frozenset({"编辑:", "编辑："})
    assert clean.pattern_required_strings(r"\d+%|百分之") == frozenset({"%", "百分之"})
    assert clean.pattern_required_strings(r"扫(一扫|码|描)") == frozenset({"扫一扫", "扫码", "扫描"})
    assert clean.pattern_required_strings(r".*") is None
    assert clean.pattern_suffixes(r"[（(][^()（）]{1,20}[）)]$") == frozenset({"）", ")"})
    assert clean.pattern_suffixes(r"(记者|通讯员)\s*\S{2,4}$") is None  # (\S: too many spellings)
    assert clean.pattern_suffixes(r"来源[:：]") is None  # (not ending with $)


def test_comparable_keys_match_comparable_one_by_one():
    texts = ["稀土价格，上涨12.5%。", "", "a_b c-d", "含\n换行", "𠀀扩展B字符 and é", "（记者 王五）", "\ud800孤"]
    for batch in ([], texts, texts[:2], texts[4:], [texts[0]] * 3):
        assert clean.comparable_keys(batch) == [clean.comparable(text) for text in batch]


def test_comparable_keys_match_comparable_for_every_character():
    characters = [chr(code) for code in range(0x10000)] + ["𠀀", "😀", "\U0001d7d0", "\U0010ffff"]
    texts = ["稀" + character + "土" for character in characters]
    assert clean.comparable_keys(texts) == [clean.comparable(text) for text in texts]
    assert clean.comparable_keys(characters[:0x10000]) == [clean.comparable(text) for text in characters[:0x10000]]


def test_sentences_without_digits_quote_no_figures():
    sentences = ["稀土是我国重要的战略资源之一。", "稀土是我国重要的战略资源之一！", "包头储量占全国83.7%、全球37.8%。"]
    assert clean.duplicate_of(sentences) == [-1, 0, -1]


def test_credit_needs_a_closing_bracket_at_the_line_end():
    assert clean.split_credit("稀土产业稳步发展。（中国工业报记者 孟凡君） ") is not None
    assert clean.split_credit("稀土产业（中国工业报记者 孟凡君）稳步发展。") is None


def test_an_author_line_stops_at_the_next_label():
    assert clean.author_from_line("作者：张三 责任编辑：李四") == "张三"
    assert clean.author_from_line("作者：张三 浏览次数：1024") == "张三"
    assert clean.author_from_line("作者：张三 李四") == "张三 李四"  # several authors, separated by spaces
    assert clean.author_from_line("（记者 孟凡君 王五 摄）".strip("（）")) == "孟凡君 王五"


def test_article_sentences_are_the_sentences_of_each_paragraph_in_turn():
    paragraphs = ["稀土价格上涨。“供应偏紧！”他说……市场观望", "第二段没有句号", "包头稀土。。结尾；  ", "1.5万吨.稀土"]
    para_ids, sentences = clean.article_sentences(paragraphs)
    expected = [(para_id, sentence) for para_id, paragraph in enumerate(paragraphs)
                for sentence in clean.split_sentences(paragraph)]
    assert list(zip(para_ids, sentences, strict=True)) == expected
    assert sentences[:3] == ["稀土价格上涨。", "“供应偏紧！”", "他说……"]
    inside = ["一行\n两行。", "三行。"]  # a line break inside a paragraph
    assert clean.article_sentences(inside) == ([0, 1], inside)


def test_bigrams_are_the_distinct_character_pairs_of_a_key():
    for key in ["稀土稀土", "abab", "a", "", "𠀀稀土𠀀", "稀土产业"]:
        assert len(clean.bigrams(key)) == len({first + second for first, second in itertools.pairwise(key)})
    assert len(clean.bigrams("稀土产业") & clean.bigrams("产业稀土")) == 2  # 稀土 and 产业


# ---------------------------------------------------------------- per-page text steps


TEXTS = ["", "稀土", "中文かなカナabc", "國語國語中中", "稀土\U00020000扩展B", "孤\ud800立", "É é ａ１",
         "𠀀國國語語臺灣"]


def test_collapse_spaces_is_the_two_space_regexes():
    for text in ["a  b", "a\t \tb", "a \n b", "a\n\n  b", " \n \n ", "稀土\t。", "a \n\n b", "  ", "\t\n\t", "x"]:
        expected = re.sub(r" ?\n ?", "\n", re.sub(r"[ \t]+", " ", text))
        assert clean.collapse_spaces(text) == expected, repr(text)


def test_normalise_text_of_nothing_is_nothing():
    assert clean.normalise_text("") == ""
    assert clean.normalise_text("２０２３年\u3000稀土 \n 产量") == "2023年 稀土\n产量"


def test_trie_pattern_finds_the_longest_word_at_each_place():
    pattern = re.compile(clean.trie_pattern(["乾", "乾隆", "乾隆皇帝", "乾淨", "皇"]))
    assert pattern.findall("乾隆皇帝乾隆皇后乾淨乾燥") == ["乾隆皇帝", "乾隆", "皇", "乾淨", "乾"]
    assert pattern.findall("稀土") == []
    assert re.compile(clean.trie_pattern(["a.b"])).findall("a.b axb") == ["a.b"]  # (characters escaped)


def test_trie_pattern_finds_what_a_longest_first_list_of_words_finds():
    words = ["一目瞭然", "一目", "目瞭", "瞭然", "然後", "後來", "來"]
    listed = re.compile("|".join(sorted(words, key=len, reverse=True)))
    text = "一目瞭然後來一目來瞭然然後"
    assert re.findall(clean.trie_pattern(words), text) == listed.findall(text)


def reference_to_simplified(text: str) -> str:
    """OpenCC's t2s the plain way: phrases first, then `str.translate` of the text between them."""
    characters, phrases = clean.t2s_tables()
    pieces = re.split("(" + "|".join(sorted(phrases, key=len, reverse=True)) + ")", text)
    return "".join(phrases[piece] if i % 2 else piece.translate(characters) for i, piece in enumerate(pieces))


def test_to_simplified_agrees_with_the_plain_way_also_beyond_0xffff():
    for text in [*TEXTS, "乾隆皇帝在著作中提到乾燥的天氣，後來他們發現了藥物。", "\U0002f8a6後來\ud800乾隆"]:
        assert clean.to_simplified(text) == reference_to_simplified(text), repr(text)
        assert clean.convert_characters(text) == text.translate(clean.t2s_tables()[0])


def plain_script_counts(text: str) -> dict[str, int]:
    """`clean.script_counts` written plainly: a regex or an encoding per script."""
    return {"cjk": clean.count(clean.CJK, text), "kana": clean.count(clean.KANA, text),
            "latin": clean.count(clean.LATIN, text),
            "gb2312": sum(1 for character in text if character.encode("gb2312", "ignore"))}


def test_script_counts_count_each_script():
    for text in TEXTS:
        assert clean.script_counts(text) == plain_script_counts(text), repr(text)
    assert clean.script_counts("中文かなカナabc") == {"cjk": 2, "kana": 4, "latin": 3, "gb2312": 9}


def test_script_counts_of_several_texts_at_once_are_each_texts_own():
    narrow = [text for text in TEXTS if max(map(ord, text), default=0) <= 0xFFFF]  # (one code unit each)
    assert len(narrow) < len(TEXTS)
    for texts in (narrow, TEXTS):  # (the quick way; with characters of two code units, text lengths counted in units)
        assert clean.texts_script_counts(texts) == [plain_script_counts(text) for text in texts]


def test_script_memberships_tell_the_scripts_of_every_combination_of_bits():
    memberships = clean.script_memberships()
    bits = clean.SCRIPT_BITS
    assert memberships.shape == (sum(bits.values()) + 1, len(bits))
    assert memberships[bits["cjk"] | bits["gb2312"]].tolist() == [1, 0, 0, 1]
    assert memberships[0].tolist() == [0, 0, 0, 0]
    assert memberships[-1].tolist() == [1, 1, 1, 1]


def test_distinct_traditional_and_cjk_characters():
    assert clean.distinct_traditional_and_cjk("國語國語中中") == (2, 3)
    assert clean.distinct_traditional_and_cjk("國語國語中中\U00020000") == (2, 3)  # (beyond 0xFFFF: the other way)
    assert clean.distinct_traditional_and_cjk("") == (0, 0)
    for text in TEXTS:
        distinct = set(text)
        expected = (len(distinct & clean.traditional_only_chars()), clean.count(clean.CJK, "".join(distinct)))
        assert clean.distinct_traditional_and_cjk(text) == expected, repr(text)


def test_a_batch_of_pages_is_split_as_each_page_alone():
    traditional = "中國是稀土第一大國，白雲鄂博礦區的儲量舉世聞名。當地政府近年來加強環境保護𠀀。"
    pages = [page_of(text) for text in (NEWS_PAGE, traditional, "", WECHAT_PAGE, "Rare earths are seventeen metals.")]
    articles = clean.split_pages(pages)
    assert [article.lang for article in articles] == ["zh-Hans", "zh-Hant", "", "zh-Hans", "en"]
    assert [vars(article) for article in articles] == [vars(clean.split_page(page)) for page in pages]


def test_records_of_a_batch_of_articles_are_each_articles_own(seed):
    articles = [seed[0], *clean.split_pages([page_of("首页\n登录\n注册"), page_of(NEWSWIRE_PAGE)]), seed[0]]
    assert not articles[1].paragraphs  # (an article without sentences between two with some)
    together = clean.articles_records(articles)
    assert together == {name: [row for article in articles for row in clean.article_records(article)[name]]
                        for name in together}
    assert any(row[4] for row in together["sentences"])  # (the seed restates its figures: duplicates found)


def test_traditional_text_with_a_character_beyond_0xffff_is_detected():
    text = "中國是稀土第一大國，白雲鄂博礦區的儲量舉世聞名。當地政府近年來加強環境保護𠀀。"
    assert clean.detect_lang(text) == "zh-Hant"
    assert clean.detect_lang(clean.to_simplified(text)) == "zh-Hans"


def test_matches_somewhere_tries_every_place_a_match_can_start():
    ticker = re.compile(r"\(\d+\.\d+%\)")
    late = "(无)" * (clean.MAX_TRIED_STARTS + 3) + "稀土(2.5%)"  # more false starts than are tried one by one
    assert clean.matches_somewhere(ticker, late, "(")
    assert not clean.matches_somewhere(ticker, "(无)" * 20, "(")
    assert clean.matches_somewhere(ticker, late, None)
    assert not clean.matches_somewhere(re.compile("图片"), "稀土图", "图")
    behind = re.compile(r"(?<!\S)图片")  # a look-behind still sees the text before the place tried
    assert not clean.matches_somewhere(behind, "插图片", "图")
    assert clean.matches_somewhere(behind, "插 图片", "图")


def test_inline_markers_are_screened_by_their_characters():
    characters = clean.inline_screen_characters()
    assert "(" in characters and "（" in characters
    assert all(set(starts or "") <= set(characters) for _, _, starts, _ in clean.inline_markers())
    text = "包钢稀土(60.30,1.61,2.74%)已经启动收储。\n图片"
    assert clean.strip_inline(text) == ("包钢稀土 已经启动收储。\n", [(1, "(60.30,1.61,2.74%)", "ticker"),
                                                                (2, "图片", "caption")])


def test_first_index_of_a_kind():
    kinds = ["weak", "meta", "strong", "weak", "end", "strong"]
    assert clean.first_index(kinds, "strong") == 2
    assert clean.first_index(kinds, "strong", 3) == 5
    assert clean.first_index(kinds, "end", 5) == 6
    assert clean.first_index([], "strong") == 0


def test_phrase_matches_are_those_of_the_phrase_regex():
    texts = ["乾隆皇帝在著作中提到乾燥的天氣", "一目瞭然，反覆思量，反覆", "甚麼", "", "乾", "反反覆覆乾乾淨淨",
             "反反覆"]  # (the last: a phrase starts right after a place that only looked like a start)
    for text in texts:
        expected = [match.span() for match in clean.phrase_pattern().finditer(text)]
        assert [match.span() for match in clean.phrase_matches(text)] == expected, text
    assert [match.group() for match in clean.phrase_matches("他一目瞭然，反覆思量")] == ["一目瞭然", "反覆思量"]


def test_dates_need_no_digit_before_the_year():
    lookbehind_first = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
    texts = ["2019-1-1", "发布于2019年10月9日", "12019-1-1", "x2019-1-1 与 2020.3.4", "202019-1-1", "1919年5月4日",
             "2019-1-123", "编号92020-1-1，2020-1-1", "2019 年 3 月 5 日 10:20"]
    for text in texts:
        assert [(m.span(), m.groups()) for m in clean.DATE.finditer(text)] == [
            (m.span(), m.groups()) for m in lookbehind_first.finditer(text)], text
    assert clean.parse_date("编号12019-1-1，2020年3月4日") == "2020-03-04"
    assert clean.parse_date("12019-1-1") == ""


def test_comparable_keys_keep_the_letters_of_every_text():
    texts = ["稀土，价格。", "", "Rare-earth 12%", "\ud800稀土"]  # (a lone surrogate is no letter, and no error)
    assert clean.comparable_keys(texts) == ["稀土价格", "", "Rareearth12", "稀土"]


def test_gb2312_code_points_are_the_characters_gb2312_encodes():
    points = clean.gb2312_code_points()
    assert points == [code for code in range(0x10000) if chr(code).encode("gb2312", "ignore")]
    assert ord("稀") in points and ord("A") in points and ord("髙") not in points and ord("€") not in points


# ---------------------------------------------------------------- line classification: quick screens vs plain rules


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


def test_text_columns_are_pandas_str_and_mixed_ones_stay_as_pandas_makes_them():
    table = clean.typed([("稀土", 1, "价格"), ("包头", 2, None), ("白云鄂博", 3, 7)], ["text", "para_id", "other"])
    assert table["text"].dtype == "str" and table["text"].tolist() == ["稀土", "包头", "白云鄂博"]
    assert table["para_id"].dtype == "int64"
    assert table["other"].dtype == object and table["other"].tolist() == ["价格", None, 7]  # not all text
    with_missing = clean.typed_column(("稀土", None), "text")
    assert pd.Series(with_missing).dtype == "str" and pd.Series(with_missing).isna().tolist() == [False, True]


def test_the_two_sentence_patterns_differ_only_at_line_breaks():
    text = "稀土价格上涨。“产量增加！”他说\n包头占83.7%"
    assert clean.SENTENCE.findall(text) == ["稀土价格上涨。", "“产量增加！”", "他说\n包头占83.7%"]
    assert clean.SENTENCE_OR_BREAK.findall(text) == ["稀土价格上涨。", "“产量增加！”", "他说", "\n", "包头占83.7%"]
    one_line = text.replace("\n", "，")
    assert clean.SENTENCE.findall(one_line) == clean.SENTENCE_OR_BREAK.findall(one_line)
