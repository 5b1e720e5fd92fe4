"""Claims: numbers with units, qualifiers, subject / measure / scope and claim groups, on the seed and short texts."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.claims import CLAIM_COLUMNS, extract_claims, sentence_claims, split_sentences


def claims_of(text: str, doc_id: str = "t") -> pd.DataFrame:
    """The claims of a short text, split into sentences by the local splitter."""
    return extract_claims(split_sentences(doc_id, text))


def only(table: pd.DataFrame, **where) -> pd.Series:
    """The single row of `table` matching all `where` column values."""
    rows = table
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture(scope="module")
def seed_claims(seed_text: str) -> pd.DataFrame:
    return claims_of(seed_text, "seed")


def test_seed_shares_carry_subject_measure_scope_and_one_group_per_fact(seed_claims):
    shares = seed_claims[seed_claims["kind"] == "percent"]
    assert sorted(shares["value"]) == [37.8, 37.8, 83.7, 83.7]
    assert set(shares["subject"]) == {"包头市"} and set(shares["measure"]) == {"储量"}
    assert set(shares.loc[shares["value"] == 83.7, "scope"]) == {"全国"}
    assert set(shares.loc[shares["value"] == 37.8, "scope"]) == {"世界"}
    # the repeated statement: two sentences of one paragraph, the same two facts
    assert shares["sent_id"].nunique() == 2 and shares["para_id"].nunique() == 1
    assert shares.groupby("value")["claim_group"].nunique().tolist() == [1, 1]
    assert shares["claim_group"].nunique() == 2


def test_seed_largest_holder_and_producer_gives_two_rank_claims(seed_claims):
    ranks = seed_claims[seed_claims["kind"] == "rank"]
    assert sorted(ranks["measure"]) == ["产量", "储量"]
    assert set(ranks["subject"]) == {"我国"} and set(ranks["value"]) == {1.0} and set(ranks["scope"]) == {"世界"}


def test_seed_dates_the_opinion_and_ignores_the_congress_number(seed_claims):
    date = only(seed_claims, kind="date", span="2023年10月")
    assert date["unit"] == "2023-10"
    assert not seed_claims["span"].str.contains("十四").any()


def test_table_shape_spans_and_offsets(seed_claims):
    assert list(seed_claims.columns) == CLAIM_COLUMNS
    assert seed_claims["value"].dtype == "float64"
    for row in seed_claims.itertuples():
        assert row.sentence[row.char_start : row.char_end] == row.span
    assert seed_claims["claim_group"].str.startswith("seed:").all()


def test_empty_input_gives_empty_table_with_columns():
    empty = extract_claims(split_sentences("x", ""))
    assert list(empty.columns) == CLAIM_COLUMNS and empty.empty
    assert list(extract_claims(pd.DataFrame(columns=["doc_id", "para_id", "sent_id", "text"])).columns) == CLAIM_COLUMNS
    assert claims_of("稀土是重要的战略资源。").empty


@pytest.mark.parametrize(
    ("text", "span", "kind", "value", "unit"),
    [
        ("包头市稀土储量占全国的百分之八十三点七。", "百分之八十三点七", "percent", 83.7, "%"),
        ("超过三成的稀土出口到日本。", "三成", "percent", 30.0, "%"),
        ("一半以上用于永磁材料。", "一半", "percent", 50.0, "%"),
        ("需求增长两倍。", "两倍", "count", 2.0, "times"),
        ("白云鄂博矿工业储量4350万吨。", "4350万吨", "quantity", 43_500_000.0, "t"),
        ("北方稀土营收1.2亿元。", "1.2亿元", "money", 120_000_000.0, "CNY"),
        ("预计年底年产1,000公吨。", "1,000公吨", "quantity", 1000.0, "t"),
        ("中國稀土產量達２４萬噸。", "２４萬噸", "quantity", 240_000.0, "t"),
        ("全市稀土企业达到141户。", "141户", "count", 141.0, "户"),
        ("氧化镨钕价格为40万元/吨。", "40万元/吨", "money", 400_000.0, "CNY/t"),
        ("每架战机需要417公斤稀土。", "417公斤", "quantity", 417.0, "kg"),
        ("毛利率提高2.3个百分点。", "2.3个百分点", "quantity", 2.3, "pp"),
    ],
)
def test_numerals_units_and_multipliers(text, span, kind, value, unit):
    row = only(claims_of(text), span=span)
    assert (row["kind"], row["value"], row["unit"]) == (kind, value, unit)


def test_prices_kilograms_and_points_are_not_tonnes_or_percentages():
    table = claims_of("价格为26834元/吨，需要417公斤，毛利率下降1.5个百分点，但产量占全球约70%。")
    assert list(table.loc[table["unit"] == "t", "span"]) == []
    assert list(table.loc[table["kind"] == "percent", "span"]) == ["70%"]


def test_stock_ticker_quotes_are_not_claims():
    table = claims_of("此前，包钢稀土(60.30,1.61,2.74%)已经启动收储，收储量占全国10%。")
    assert list(table["span"]) == ["10%"]


def test_ordinals_and_congress_numbers_are_not_claims():
    assert claims_of("十四届全国人大三次会议召开，这是第一次会议，一批项目落地，两个基地建成。").empty


def test_ranges_give_two_claims_with_bounds():
    table = claims_of("废料产生率达15%-30%，新增产能3至5万吨，回收率20%—30%。")
    assert list(zip(table["value"], table["qualifier"], strict=True)) == [
        (15.0, "at least"), (30.0, "at most"), (30_000.0, "at least"), (50_000.0, "at most"),
        (20.0, "at least"), (30.0, "at most"),
    ]  # fmt: skip
    assert set(table.loc[table["unit"] == "t", "measure"]) == {"产能"}


def test_changes_and_levels():
    table = claims_of("2020年指标14万吨，较2019年增长6.1%；出口量同比下降 12.5%。"
                      "产量从2017年的132000吨增长至170000吨。")
    assert only(table, span="6.1%")["change"] == "increase"
    decrease = only(table, value=12.5)
    assert (decrease["change"], decrease["measure"]) == ("decrease", "出口量")
    assert only(table, value=170000.0)["change"] == ""
    assert only(table, value=140000.0)["change"] == ""


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("产量占全球约70%。", 70.0, "about"),
        ("中国稀土占据全球产量均超过80%。", 80.0, "over"),
        ("包头稀土储量占全国储量的80%以上。", 80.0, "at least"),
        ("美国产量不足10%。", 10.0, "under"),
        ("仅已探明矿石量稀土氧化物就有约200多万吨。", 2_000_000.0, "about"),
        ("储量有200多万吨。", 2_000_000.0, "over"),
        ("比例不超过5%。", 5.0, "at most"),
    ],
)
def test_qualifiers(text, value, qualifier):
    assert only(claims_of(text), value=value)["qualifier"] == qualifier


def test_enumerations_share_the_subject_and_keep_their_own_scope():
    table = claims_of("目前，白云鄂博已探明储量占全国总量的87%、全球总量的45%。")
    assert list(table["scope"]) == ["全国", "世界"] and set(table["subject"]) == {"白云鄂博"}
    assert set(table["measure"]) == {"储量"}


def test_subject_from_earlier_clause_and_from_first_of_two_countries():
    table = claims_of("2016年中国稀土矿石产量为10.5万吨，占全球总产量的88.91%。美国从中国进口的磁体数量减少 38%。")
    assert only(table, value=88.91)[["subject", "measure", "scope"]].tolist() == ["中国", "产量", "世界"]
    assert only(table, value=38.0)["subject"] == "美国"


def test_rank_words_need_a_measure_or_rank_context():
    table = claims_of("中国是全球最大的稀土生产与储量国。凉山州是我国最大的彝族聚居区。中國是稀土第一大國。")
    ranks = table[table["kind"] == "rank"]
    assert sorted(ranks["measure"]) == ["", "产量", "储量"]
    assert set(ranks["subject"]) == {"中国"}


def test_restatements_share_groups_per_document_and_groups_do_not_cross_documents():
    one = split_sentences("a", "中国稀土储量占世界总量30%。据统计，中国稀土储量占世界总量的30%。")
    two = split_sentences("b", "中国稀土储量占世界总量30%。")
    table = extract_claims(pd.concat([one, two], ignore_index=True))
    assert table.groupby("doc_id")["claim_group"].agg(lambda g: sorted(set(g))).to_dict() == {
        "a": ["a:1"], "b": ["b:1"]}  # fmt: skip


def test_duplicate_flagged_sentences_keep_their_claims():
    sentences = split_sentences("d", "产量为10万吨。产量为10万吨。")
    sentences.loc[1, "is_duplicate"] = True
    table = extract_claims(sentences)
    assert len(table) == 2 and table["claim_group"].nunique() == 1


def test_extraction_is_picklable_and_pure(seed_text):
    sentences = split_sentences("seed", seed_text)
    before = sentences.copy()
    restored = pickle.loads(pickle.dumps(extract_claims))
    pd.testing.assert_frame_equal(restored(sentences), extract_claims(sentences))
    pd.testing.assert_frame_equal(sentences, before)


def test_sentence_claims_offsets_refer_to_the_original_text():
    claims = sentence_claims("中國稀土儲量約佔全球３０％。")
    assert [(c["start"], c["end"], c["subject"], c["measure"], c["scope"]) for c in claims] == [
        (10, 13, "中国", "储量", "世界")]  # fmt: skip


def test_split_sentences_keeps_closing_quotes_and_offsets():
    body = "“稀土是战略资源。”他说。\n\n产量增长了吗？是的！"
    sentences = split_sentences("s", body)
    assert list(sentences["text"]) == ["“稀土是战略资源。”", "他说。", "产量增长了吗？", "是的！"]
    assert list(sentences["para_id"]) == [0, 0, 1, 1]
    for row in sentences.itertuples():
        assert body[row.char_offset : row.char_offset + len(row.text)] == row.text


def test_empty_and_full_tables_have_the_same_dtypes(seed_claims):
    empty = claims_of("没有数字。")
    assert empty.dtypes.astype(str).to_dict() == seed_claims.dtypes.astype(str).to_dict()


def test_range_with_one_percent_sign_and_a_bracketed_change_is_kept():
    table = claims_of("回收率为5-10%，营收增长（+12%），股价(60.30 2.74%)。")
    assert list(zip(table["span"], table["value"], table["qualifier"], strict=True)) == [
        ("5", 5.0, "at least"), ("10%", 10.0, "at most"), ("+12%", 12.0, "")]  # fmt: skip


def test_spaced_numbers_and_approximate_pairs():
    table = claims_of("产量达 4350 万吨，花一两元就能充满电，他是第4位选手，自己的另一半。")
    assert list(zip(table["span"], table["kind"], table["value"], strict=True)) == [
        ("4350 万吨", "quantity", 43_500_000.0), ("第4", "rank", 4.0)]  # 第4位 is a rank, not a count of 4  # fmt: skip


def test_find_names_gives_the_offsets_of_every_match():
    from analysis.claims import find_names, lexicon

    lex = lexicon()
    text = "包头市稀土储量占全国储量的83.7%，包头的产量和中国北方稀土的产量都居世界第一。"
    pattern, mapping = lex.names
    expected: dict[str, list] = {"subject": [], "scope": [], "measure": []}
    for m in pattern.finditer(text):
        table, name = mapping[m[0]]
        expected[table].append((m.start(), m.end(), name))
    assert find_names(text, lex) == expected
    assert all(text[start:end] for names in expected.values() for start, end, _ in names)


def test_chinese_numerals_are_read_and_cn2an_loads_only_when_needed():
    code = ("import sys; import analysis.corpus; loaded = 'cn2an' in sys.modules; "
            "from analysis.claims import parse_number; print(loaded, parse_number('4350万'), parse_number('三成'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.split() == ["False", "43500000.0", "None"]


def test_quick_check_finds_numbers_and_ranks_in_one_pattern():
    from analysis.claims import lexicon

    quick_check = lexicon().quick_check
    assert quick_check.search("包头的储量占全国的八成")  # a Chinese numeral before a unit
    assert quick_check.search("產量增長３０％")  # traditional characters and full-width digits
    assert quick_check.search("我国是世界第一稀土生产国")  # a rank, no number
    assert not quick_check.search("稀土产业正在转型升级")
