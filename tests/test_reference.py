"""Reference tables, USGS shares, cross-checks and claim variants, on the seed and short texts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.claims import extract_claims, split_sentences
from analysis.reference import (
    CROSS_CHECK_COLUMNS,
    VARIANT_COLUMNS,
    claim_variants,
    cross_check,
    load_china_facts,
    load_usgs,
    usgs_shares,
)


@pytest.fixture(scope="module")
def usgs() -> pd.DataFrame:
    return load_usgs()


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return load_china_facts()


def claims_of(text: str, doc_id: str = "t") -> pd.DataFrame:
    return extract_claims(split_sentences(doc_id, text))


def articles_for(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """An articles table with doc_id, source and published."""
    return pd.DataFrame(rows, columns=["doc_id", "source", "published"])


def test_usgs_is_typed_and_sourced(usgs):
    assert usgs["value"].dtype == "float64" and usgs["data_year"].dtype == "int64"
    assert usgs["estimated"].dtype == bool and usgs["lower_bound"].dtype == bool
    assert usgs["source_url"].str.match(r"https?://").all()
    assert set(usgs["source_kind"]) == {"usgs_table", "secondary"}
    assert set(usgs.loc[usgs["edition_year"] <= 2022, "source_kind"]) == {"secondary"}
    bounds = usgs[usgs["lower_bound"]]
    assert set(bounds["edition"]) == {"MCS2025", "MCS2026"} and set(bounds["measure"]) == {"reserves"}
    assert (bounds["country"] == "World total (rounded)").all() and (bounds["source_kind"] == "usgs_table").all()


def test_china_facts_are_typed_with_bounds_and_names(facts):
    assert facts["value"].dtype == "float64" and str(facts["year"].dtype) == "Int64"
    lower = facts[facts["measure"].str.endswith("_lower_bound")]
    assert len(lower) and (lower["bound"] == "lower").all()
    baotou = facts[facts["subject"].str.contains("Baotou")]
    assert set(baotou["subject_names"]) == {"包头|白云鄂博"}
    assert facts["source_url"].str.match(r"https?://").all()


def test_usgs_shares_follow_the_table(usgs):
    shares = usgs_shares(usgs)
    table = usgs[(usgs["edition"] == "MCS2024") & (usgs["measure"] == "reserves")]
    table = table[table["source_kind"] == "usgs_table"]
    china = table.loc[table["country"] == "China", "value"].iloc[0]
    world = table.loc[table["country"] == "World total (rounded)", "value"].iloc[0]
    row = shares[(shares["edition"] == "MCS2024") & (shares["measure"] == "reserves")].iloc[0]
    assert row["china_share"] == pytest.approx(100 * china / world, abs=0.05)
    assert not row["share_is_upper_bound"]
    assert shares.loc[shares["edition"] == "MCS2025", "share_is_upper_bound"].any()
    full = shares[shares["source_kind"] == "usgs_table"]
    assert (full["china_rank"] == 1).all()
    assert shares.loc[shares["source_kind"] == "secondary", "china_rank"].isna().all()


def test_seed_cross_checks(seed_text, usgs, facts):
    claims = claims_of(seed_text, "seed")
    checks = cross_check(claims, usgs, facts, articles_for(("seed", "中国工业报", "2025-03-11")))
    assert list(checks.columns) == CROSS_CHECK_COLUMNS
    implied = checks[checks["check"] == "implied China share of world reserves"].set_index("reference_edition")
    assert implied["article_value"].iloc[0] == pytest.approx(100 * 37.8 / 83.7, abs=0.05)
    assert implied.loc["MCS2024", "verdict"] == "inconsistent"  # 44 of 110 Mt is 40 %
    assert implied.loc["MCS2025", "verdict"] == "consistent"  # world ">90 Mt": China's share is at most 48.9 %
    assert implied.loc["MCS2026", "verdict"] == "not comparable"  # published after the article
    ranks = checks[checks["check"].str.startswith("China rank")]
    assert set(ranks["check"]) == {"China rank in world reserves", "China rank in world mine_production"}
    assert set(ranks.loc[ranks["reference_edition"] <= "MCS2025", "verdict"]) == {"consistent"}
    national = checks[checks["check"] == "包头市 share of 全国 储量"]
    assert set(national["verdict"]) == {"consistent", "inconsistent"}  # 83.7 agrees with 83.7 / ">80", not 87
    assert checks["verdict"].isin(["consistent", "inconsistent", "not comparable"]).all()


def test_regional_tonnage_is_not_comparable_with_usgs(usgs, facts):
    claims = claims_of("内蒙古包头市的白云鄂博矿已探明的稀土资源储量达4350万吨。")
    checks = cross_check(claims, usgs, facts)
    usgs_row = checks[checks["check"].str.endswith("vs USGS")]
    assert usgs_row["verdict"].tolist() == ["not comparable"] and "工业储量" in usgs_row["note"].iloc[0]
    industrial = checks[checks["note"].str.startswith("baotou_industrial_reserves")]
    assert industrial["verdict"].tolist() == ["consistent"]


def test_china_share_and_tonnage_checks_use_the_year_and_qualifier(usgs, facts):
    claims = claims_of("中国稀土储量占世界总量30%。2020年中国稀土开采指标为14万吨。中国稀土产量占全球超过50%。")
    checks = cross_check(claims, usgs, facts)
    reserves = checks[checks["check"] == "China share of world reserves"].set_index("reference_edition")
    assert reserves.loc["MCS2023", "verdict"] == "inconsistent"  # 33.8 % ± 3
    assert reserves.loc["MCS2024", "verdict"] == "inconsistent"
    production = checks[checks["check"] == "China share of world mine_production"]
    assert len(production) and set(production["verdict"]) == {"consistent"}  # "over 50 %" holds for every edition
    quota = checks[checks["check"] == "China mining_quota_total"]
    assert len(quota) and set(quota["verdict"]) == {"consistent"}


def test_cross_check_of_no_claims_is_empty(usgs, facts):
    assert list(cross_check(claims_of(""), usgs, facts).columns) == CROSS_CHECK_COLUMNS


def test_claim_variants_across_outlets(usgs):
    claims = pd.concat([
        claims_of("包头市稀土储量占全国总量的83.7%。", "a"),
        claims_of("包头稀土储量占全国储量的80%以上。", "b"),
        claims_of("包头稀土储量占全国的87%。", "c"),
        claims_of("包头市稀土储量占全国总量的83.7%，占全国总量的83.7%。", "d"),
    ], ignore_index=True)  # fmt: skip
    articles = articles_for(("a", "新华网", "2024-05-01"), ("b", "包头新闻网", "2019-09-19"),
                            ("c", "网友投稿", "2023-01-02"), ("d", "新华网", "2025-03-11"))  # fmt: skip
    variants = claim_variants(claims, articles)
    assert list(variants.columns) == VARIANT_COLUMNS
    baotou = variants[(variants["subject"] == "包头市") & (variants["scope"] == "全国")]
    assert (baotou["n_variants"] == 3).all()
    assert sorted(zip(baotou["value"], baotou["qualifier"], strict=True)) == [(80.0, "at least"), (83.7, ""),
                                                                              (87.0, "")]  # fmt: skip
    common = baotou[baotou["value"] == 83.7].iloc[0]
    assert (common["n_articles"], common["n_outlets"]) == (2, 1)
    assert (common["earliest"], common["latest"]) == ("2024-05-01", "2025-03-11")
    assert common["doc_ids"] == "a;d"


def test_claim_variants_without_article_metadata():
    claims = pd.concat([claims_of("中国稀土储量占世界总量30%。", "a"), claims_of("中国稀土储量占世界的37%。", "b")],
                       ignore_index=True)  # fmt: skip
    variants = claim_variants(claims, pd.DataFrame({"doc_id": ["a", "b"]}))
    assert list(variants["value"]) == [30.0, 37.0] and set(variants["n_variants"]) == {2}
    assert set(variants["earliest"]) == {""} and set(variants["n_outlets"]) == {0}


def test_table_records_are_the_rows_as_to_dict_gives_them(usgs, facts):
    from analysis.reference import table_records

    for table in (usgs_shares(usgs), facts):
        records, expected = table_records(table), table.to_dict("records")
        assert len(records) == len(expected)
        for record, row in zip(records, expected, strict=True):
            assert list(record) == list(row)
            for name, value in row.items():
                assert type(record[name]) is type(value)
                assert record[name] == value or (value is None and record[name] is None) or value != value
