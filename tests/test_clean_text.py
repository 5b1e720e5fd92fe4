"""Tests for the per-page text steps of analysis.clean: spaces, scripts, Traditional conversion, inline cuts, rows."""

from __future__ import annotations

import re

from analysis import clean

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


def test_script_counts_count_each_script():
    for text in TEXTS:
        gb2312 = sum(1 for character in text if character.encode("gb2312", "ignore"))
        expected = {"cjk": clean.count(clean.CJK, text), "kana": clean.count(clean.KANA, text),
                    "latin": clean.count(clean.LATIN, text), "gb2312": gb2312}
        assert clean.script_counts(text) == expected, repr(text)
    assert clean.script_counts("中文かなカナabc") == {"cjk": 2, "kana": 4, "latin": 3, "gb2312": 9}


def test_distinct_traditional_and_cjk_characters():
    assert clean.distinct_traditional_and_cjk("國語國語中中") == (2, 3)
    assert clean.distinct_traditional_and_cjk("國語國語中中\U00020000") == (2, 3)  # (beyond 0xFFFF: the other way)
    assert clean.distinct_traditional_and_cjk("") == (0, 0)
    for text in TEXTS:
        distinct = set(text)
        expected = (len(distinct & clean.traditional_only_chars()), clean.count(clean.CJK, "".join(distinct)))
        assert clean.distinct_traditional_and_cjk(text) == expected, repr(text)


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
