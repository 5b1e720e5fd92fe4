"""Tests for analysis/findings.py: findings built from the seed's tables, with sources, safely escaped."""

from __future__ import annotations

import pandas as pd
import pytest
from nbconvert.filters import markdown2html

from analysis import findings
from analysis.corpus import build_tables
from analysis.display import escape_markdown_keep_links
from analysis.reference import load_usgs, usgs_shares


@pytest.fixture(scope="module")
def seed_tables():
    return build_tables()


@pytest.fixture(scope="module")
def seed_findings(seed_tables):
    return findings.key_findings(seed_tables, usgs_shares(load_usgs()))


def test_every_section_has_findings_with_sources(seed_findings):
    assert set(seed_findings["section"]) == {"corpus", "claims", "checks", "themes", "limits"}
    assert seed_findings["source"].str.len().gt(0).all()


def test_claims_name_the_subject_value_and_source_sentence(seed_findings):
    claims = seed_findings[seed_findings["section"] == "claims"]
    baotou = claims[claims["text"].str.contains("包头市")]
    texts = " ".join(baotou["text"])
    assert "83\\.7%" in texts and "37\\.8%" in texts and "stated 2 times" in texts
    assert baotou["source"].str.contains("data/raw/000_f9b14937689ce55b.txt").all()
    assert baotou["source"].str.contains("全国83.7%、全球37.8%").all()


def test_implied_share_check_is_computed_from_the_two_shares(seed_findings):
    checks = seed_findings[seed_findings["section"] == "checks"]
    implied = checks[checks["text"].str.contains("implied China share")]["text"].iloc[0]
    assert f"{round(100 * 37.8 / 83.7, 1)}".replace(".", "\\.") in implied
    assert "MCS2024" in implied and "inconsistent" in implied


def test_limits_follow_the_data(seed_findings, seed_tables):
    limits = " ".join(seed_findings[seed_findings["section"] == "limits"]["text"])
    assert "only 1 article" in limits
    shares = usgs_shares(load_usgs())
    low = shares[shares["measure"] == "reserves"]["china_share"].min()
    assert f"{low:g}".replace(".", "\\.") in limits


def test_hostile_subject_stays_text(seed_tables):
    tables = dict(seed_tables)
    claims = tables["claims"].copy()
    claims["subject"] = '<script>alert(1)</script>[x](javascript:alert(2))'
    tables["claims"] = claims
    table = findings.key_findings(tables, pd.DataFrame(columns=["measure", "china_share", "edition"]))
    rendered = markdown2html(findings.findings_markdown(table, "claims"))
    assert "<script" not in rendered and 'href="javascript' not in rendered
    assert "&lt;script&gt;" in rendered


def test_source_urls_become_clean_links():
    text = escape_markdown_keep_links("note_1 · https://example.org/a_b-c.csv (x)")
    rendered = markdown2html(text)
    assert 'href="https://example.org/a_b-c.csv"' in rendered and "\\" not in rendered


def test_empty_section_says_so():
    empty = pd.DataFrame(columns=findings.FINDING_COLUMNS)
    assert "nothing to report" in findings.findings_markdown(empty, "claims")
