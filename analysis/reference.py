"""Reference statistics (data/reference/) and checks of the articles' claims against them.

Tables (columns):

- usgs (`load_usgs`): edition (MCS2021 …), edition_year (int), data_year (int), country, measure
  (mine_production | reserves), value (float, t REO), unit, estimated (bool), source_url, source_kind
  (usgs_table: read from a USGS table or data release | secondary: a page quoting the edition), lower_bound (bool: USGS
  prints ">" and the value is the bound; see data/reference/usgs_lower_bounds.csv)
- facts (`load_china_facts`): fact_id, subject, subject_names (the Chinese names in the subject, e.g. "包头|白云鄂博"),
  measure, value (float), unit, year (Int64, may be missing), statement_zh, source_url, bound (exact | lower | upper)
- usgs_shares (`usgs_shares`): edition, measure, data_year, china_value, world_value, china_share (percent),
  share_is_upper_bound (the world total is a lower bound, so the share is at most this), china_rank (among
  countries; missing when the edition's table is partial), source_kind, source_url
- cross_checks (`cross_check`): check, doc_id, sent_id, article_value, reference_value, reference_edition,
  reference_source, verdict (consistent | inconsistent | not comparable), tolerance, note
- claim_variants (`claim_variants`): subject, measure, scope, kind, unit, change, value, qualifier, n_articles,
  n_outlets, earliest, latest, n_variants (distinct value/qualifier pairs for this subject/measure/scope), doc_ids

Checks are rules over claims (never lines about a particular article): a share of the world implied by a subject's
national and world shares; China's share of the world; China's rank; China's tonnages; figures for Chinese regions
against the Chinese facts. Caveats (data/reference/README.md): USGS revises across editions, so every edition is a
row and editions published after the article are not comparable; China's production figure is the quota; Chinese
工业储量 and USGS reserves are different bases.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import NamedTuple

import pandas as pd

from .claims import read_word_table
from .paths import CHINA_FACTS, USGS_LOWER_BOUNDS, USGS_TABLE

CROSS_CHECK_COLUMNS = ["check", "doc_id", "sent_id", "article_value", "reference_value", "reference_edition",
                       "reference_source", "verdict", "tolerance", "note"]  # fmt: skip
VARIANT_COLUMNS = ["subject", "measure", "scope", "kind", "unit", "change", "value", "qualifier", "n_articles",
                   "n_outlets", "earliest", "latest", "n_variants", "doc_ids"]  # fmt: skip
SHARE_TOLERANCE = 3.0  # percentage points: USGS world totals are rounded to two figures (about ±3 %)
TONNAGE_TOLERANCE = 0.05  # relative
WORLD = "World total (rounded)"
NOT_COUNTRIES = (WORLD, "Other countries")
USGS_PUBLICATION_MONTH = 2  # Mineral Commodity Summaries come out at the end of January
USGS_MEASURES = ("reserves", "mine_production")  # the reference measures USGS reports
PUBLISHED_MONTH = re.compile(r"(\d{4})-(\d{2})")
VARIANT_KEYS = ["subject", "measure", "scope", "kind", "unit", "change"]


def load_usgs(path=None) -> pd.DataFrame:
    """The USGS world production and reserves table, typed, with source kind and lower-bound flags."""
    usgs = pd.read_csv(path or USGS_TABLE, dtype={"source_url": str})
    usgs["edition_year"] = usgs["edition"].str.removeprefix("MCS").astype(int)
    usgs["data_year"] = usgs["data_year"].astype(int)
    usgs["value"] = usgs["value"].astype(float)
    usgs["estimated"] = usgs["estimated"].astype(str).str.lower().eq("true")
    from_table = usgs["source_url"].str.startswith("https://github.com/") & usgs["edition_year"].ge(2023)
    usgs["source_kind"] = from_table.map({True: "usgs_table", False: "secondary"})
    bounds = pd.read_csv(USGS_LOWER_BOUNDS)
    keys = set(zip(bounds["edition"], bounds["country"], bounds["measure"], strict=True))
    usgs["lower_bound"] = [
        (e, c, m) in keys and kind == "usgs_table"
        for e, c, m, kind in zip(usgs["edition"], usgs["country"], usgs["measure"], usgs["source_kind"], strict=True)
    ]
    columns = ["edition", "edition_year", "data_year", "country", "measure", "value", "unit", "estimated",
               "source_url", "source_kind", "lower_bound"]  # fmt: skip
    return usgs[columns]


def load_china_facts(path=None) -> pd.DataFrame:
    """The Chinese official and press facts (quotas, Baotou figures), typed, with the bound each value states."""
    facts = pd.read_csv(path or CHINA_FACTS, dtype={"source_url": str})
    facts["value"] = facts["value"].astype(float)
    facts["year"] = pd.to_numeric(facts["year"], errors="coerce").astype("Int64")
    facts["subject_names"] = facts["subject"].map(subject_names)
    facts["bound"] = facts["measure"].map(bound_of)
    columns = ["fact_id", "subject", "subject_names", "measure", "value", "unit", "year", "statement_zh",
               "source_url", "bound"]  # fmt: skip
    return facts[columns]


def subject_names(subject: str) -> str:
    """The Chinese names written in a facts subject ("Baotou / Bayan Obo (包头/白云鄂博)" → "包头|白云鄂博")."""
    inside = re.search(r"[（(]([^()（）]*)[)）]", subject)
    return "|".join(n.strip() for n in inside.group(1).split("/")) if inside else ""


def bound_of(measure: str) -> str:
    """exact, lower or upper: what a facts measure name says about its value (`_lower_bound`, `_range_low` …)."""
    if measure.endswith(("_lower_bound", "_range_low")):
        return "lower"
    if measure.endswith("_range_high"):
        return "upper"
    return "exact"


def usgs_shares(usgs: pd.DataFrame) -> pd.DataFrame:
    """China's share of world reserves and mine production, and its rank, per edition and data year."""
    groups: dict[tuple, list[dict]] = {}
    for row in table_records(usgs):  # (plain records: a pandas groupby costs ten times more on this small table)
        key = (row["edition"], row["measure"], row["data_year"])
        if not any(pd.isna(value) for value in key):
            groups.setdefault(key, []).append(row)
    rows = []
    for (edition, measure, data_year), part in sorted(groups.items(), key=lambda item: item[0]):
        kind = "usgs_table" if any(row["source_kind"] == "usgs_table" for row in part) else "secondary"
        part = [row for row in part if row["source_kind"] == kind]
        china = [row for row in part if row["country"] == "China"]
        world = [row for row in part if row["country"] == WORLD]
        if not china or not world:
            continue
        countries = {row["country"]: row for row in reversed(part) if row["country"] not in NOT_COUNTRIES}
        china_value, world_value = float(china[0]["value"]), float(world[0]["value"])
        full_table = kind == "usgs_table"
        rank = sum(row["value"] > china_value for row in countries.values()) + 1 if full_table else pd.NA
        rows.append({"edition": edition, "measure": measure, "data_year": int(data_year), "china_value": china_value,
                     "world_value": world_value, "china_share": round(100 * china_value / world_value, 1),
                     "share_is_upper_bound": bool(world[0]["lower_bound"]), "china_rank": rank,
                     "source_kind": kind, "source_url": china[0]["source_url"]})  # fmt: skip
    shares = pd.DataFrame(rows)
    if shares.empty:
        return shares
    shares["china_rank"] = shares["china_rank"].astype("Int64")
    return shares


def latest_data_year(shares: list[dict]) -> dict[str, list[dict]]:
    """Per measure, each edition's row of its latest data year (what the edition reports as current), by edition.

    `shares`: usgs_shares rows as dicts."""
    latest: dict[tuple[str, str], dict] = {}
    for row in sorted(shares, key=lambda r: (r["edition"], r["measure"], r["data_year"])):
        latest[row["edition"], row["measure"]] = row  # the later data year replaces the earlier
    by_measure: dict[str, list[dict]] = {}
    for (_, measure), row in sorted(latest.items(), key=lambda item: item[0]):
        by_measure.setdefault(measure, []).append(row)
    return by_measure


def published_month(published: str) -> tuple[int, int] | None:
    """(year, month) of a publication date written 2023-10…, None when unknown."""
    match = PUBLISHED_MONTH.match(published or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def edition_out_by(edition_year: int, month: tuple[int, int] | None) -> bool:
    """Whether an edition was out by a (year, month) of publication (unknown: assume it was)."""
    if month is None:
        return True
    year, month_number = month
    return edition_year < year or (edition_year == year and month_number >= USGS_PUBLICATION_MONTH)


def verdict(article_value: float, qualifier: str, reference_value: float, tolerance: float,
            reference_is_upper_bound: bool = False) -> str:  # fmt: skip
    """consistent or inconsistent: the article's value (with its qualifier) against a reference value ± tolerance."""
    low, high = reference_value - tolerance, reference_value + tolerance
    if reference_is_upper_bound:
        low = float("-inf")
    if qualifier in ("over", "at least"):
        ok = article_value <= high
    elif qualifier in ("under", "at most"):
        ok = article_value >= low
    else:
        ok = low <= article_value <= high
    return "consistent" if ok else "inconsistent"


@cache
def reference_terms() -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Claim measure → (reference measure, basis), and the subjects that mean China as a whole (read once)."""
    measures = {r[0]: (r[1], r[2]) for r in read_word_table("reference_measures.txt")}
    national = {r[0] for r in read_word_table("reference_national_subjects.txt")}
    return measures, national


class Claim(NamedTuple):
    """The fields of a claims row that the checks read."""

    doc_id: str
    sent_id: int
    kind: str
    value: float
    unit: str
    qualifier: str
    change: str
    subject: str
    measure: str
    scope: str
    span: str
    claim_group: str


def claim_records(claims: pd.DataFrame) -> list[Claim]:
    """The claims table as Claim records (each column converted to a list once)."""
    columns = [claims[field].tolist() for field in Claim._fields]
    return list(map(Claim._make, zip(*columns, strict=True)))


def first_of_each_group(claims: list[Claim]) -> list[Claim]:
    """The first claim of each claim_group, in order (a restated figure is checked once)."""
    seen: set[str] = set()
    firsts = []
    for claim in claims:
        if claim.claim_group not in seen:
            seen.add(claim.claim_group)
            firsts.append(claim)
    return firsts


def names_in_subject(names: str, subject: str) -> bool:
    """Whether a claim's subject contains one of a fact's Chinese names ("包头|白云鄂博")."""
    return any(name and name in subject for name in names.split("|"))


def facts_about(facts: list[dict], subject: str) -> list[dict]:
    """The facts (in order) whose Chinese names include one written in a claim's subject."""
    distinct_names = {fact["subject_names"] for fact in facts}
    matching = {names for names in distinct_names if names_in_subject(names, subject)}
    return [fact for fact in facts if fact["subject_names"] in matching]


def is_missing(value) -> bool:
    """Whether a reference value is missing (None, NaN or pd.NA)."""
    return value is None or value is pd.NA or value != value


def starts_with(text, prefix: str) -> bool:
    """str.startswith that is False for a missing value."""
    return isinstance(text, str) and text.startswith(prefix)


def check_row(check: str, claim: Claim, article_value: float, reference_value, edition: str, source: str,
              result: str, tolerance, note: str) -> dict:  # fmt: skip
    """One cross-check row."""
    return {"check": check, "doc_id": claim.doc_id, "sent_id": claim.sent_id, "article_value": article_value,
            "reference_value": reference_value, "reference_edition": edition, "reference_source": source,
            "verdict": result, "tolerance": tolerance, "note": note}  # fmt: skip


def against_editions(check: str, claim: Claim, article_value: float, qualifier: str, current: list[dict], column: str,
                     tolerance: float, published: str, note: str) -> list[dict]:  # fmt: skip
    """Rows comparing one value with each USGS edition's figure in `column` (later editions: not comparable).

    `current`: usgs_shares rows (as dicts) of one measure, one per edition."""
    rows = []
    month = published_month(published)  # parsed once for all editions
    for ref in current:
        reference_value = ref[column]
        if is_missing(reference_value):
            continue
        edition_year = int(ref["edition"].removeprefix("MCS"))
        upper = bool(ref.get("share_is_upper_bound", False)) and column == "china_share"
        detail = f"{note}; USGS {ref['edition']} ({ref['source_kind']}, data year {ref['data_year']})"
        if upper:
            detail += "; USGS world total is a lower bound, so China's share is at most this"
        if not edition_out_by(edition_year, month):
            result = "not comparable"
            detail += "; edition published after the article"
        else:
            result = verdict(article_value, qualifier, float(reference_value), tolerance, upper)
        rows.append(check_row(check, claim, article_value, float(reference_value), ref["edition"], ref["source_url"],
                              result, tolerance, detail))  # fmt: skip
    return rows


def implied_world_share_checks(claims: list[Claim], current: dict[str, list[dict]], dates: dict[str, str],
                               national: set[str]) -> list[dict]:  # fmt: skip
    """A region's world share ÷ its national share = China's share of the world, against USGS (reserves/production)."""
    rows = []
    measures, _ = reference_terms()
    by_subject: dict[tuple[str, str, str], list[Claim]] = {}  # (doc_id, subject, measure) → its share claims
    for claim in claims:
        if (claim.kind == "percent" and claim.change == "" and claim.subject != ""
                and claim.subject not in national):  # fmt: skip
            by_subject.setdefault((claim.doc_id, claim.subject, claim.measure), []).append(claim)
    for (doc_id, subject, measure), part in by_subject.items():
        reference_measure = measures.get(measure, ("", ""))[0]
        if reference_measure not in USGS_MEASURES:
            continue
        national_part = [c for c in part if c.scope == "全国"]
        world_part = [c for c in part if c.scope == "世界"]
        for claim in first_of_each_group(world_part):
            same_sentence = [c for c in national_part if c.sent_id == claim.sent_id]
            base = same_sentence or national_part
            if not base:
                continue
            national_share = float(base[0].value)
            implied = round(100 * claim.value / national_share, 1)
            note = (f"{subject} {measure}: {claim.value:g}% of the world ÷ {national_share:g}% of China = China's "
                    "share of the world; Chinese shares may be on the 工业储量 basis")  # fmt: skip
            current_measure = current.get(reference_measure, [])
            rows += against_editions("implied China share of world " + reference_measure, claim, implied, "",
                                     current_measure, "china_share", SHARE_TOLERANCE, dates.get(doc_id, ""),
                                     note)  # fmt: skip
    return rows


def china_share_checks(claims: list[Claim], current: dict[str, list[dict]], dates: dict[str, str],
                       national: set[str]) -> list[dict]:  # fmt: skip
    """China's stated share of the world's reserves or production, against USGS by edition."""
    rows = []
    measures, _ = reference_terms()
    shares = [c for c in claims if c.kind == "percent" and c.change == "" and c.subject in national
              and c.scope == "世界"]  # fmt: skip
    for claim in first_of_each_group(shares):
        reference_measure = measures.get(claim.measure, ("", ""))[0]
        if reference_measure not in USGS_MEASURES:
            continue
        note = f"{claim.subject} {claim.measure} {claim.value:g}% of the world ({claim.span})"
        rows += against_editions("China share of world " + reference_measure, claim, claim.value,
                                 claim.qualifier, current.get(reference_measure, []),
                                 "china_share", SHARE_TOLERANCE, dates.get(claim.doc_id, ""), note)  # fmt: skip
    return rows


def china_rank_checks(claims: list[Claim], current: dict[str, list[dict]], dates: dict[str, str],
                      national: set[str]) -> list[dict]:  # fmt: skip
    """Rank claims ("the world's largest holder / producer") against China's rank in each full USGS table."""
    rows = []
    measures, _ = reference_terms()
    ranks = [c for c in claims if c.kind == "rank" and c.subject in national and c.scope in ("世界", "")]
    for claim in first_of_each_group(ranks):
        reference_measure = measures.get(claim.measure, ("", ""))[0]
        if reference_measure not in USGS_MEASURES:
            continue
        note = f"{claim.subject} ranked {claim.value:g} in {claim.measure}"
        rows += against_editions("China rank in world " + reference_measure, claim, claim.value, "",
                                 current.get(reference_measure, []), "china_rank", 0.0,
                                 dates.get(claim.doc_id, ""), note)  # fmt: skip
    return rows


def tonnage_checks(claims: list[Claim], shares: list[dict], facts: list[dict], dates: dict[str, str],
                   national: set[str]) -> list[dict]:  # fmt: skip
    """Tonnages: China's against USGS and the quotas; a region's against the Chinese facts (USGS: not comparable).

    `shares`: usgs_shares rows as dicts; `facts`: china facts rows as dicts."""
    rows = []
    measures, _ = reference_terms()
    years_by_sentence: dict[tuple, int] = {}
    for claim in claims:
        if claim.kind == "year":
            years_by_sentence.setdefault((claim.doc_id, claim.sent_id), int(claim.value))
    tonnages = [c for c in claims if c.kind == "quantity" and c.unit == "t" and c.change == ""]
    for claim in first_of_each_group(tonnages):
        reference_measure, basis = measures.get(claim.measure, ("", ""))
        if not reference_measure:
            continue
        year = years_by_sentence.get((claim.doc_id, claim.sent_id))
        if claim.subject in national:
            china, quota = national_references(reference_measure, year, shares, facts)
            rows += national_tonnage_checks(claim, basis, year, china, quota, dates.get(claim.doc_id, ""))
        elif claim.subject:
            rows += regional_tonnage_checks(claim, reference_measure, facts)
    return rows


def national_references(reference_measure: str, year: int | None, shares: list[dict],
                        facts: list[dict]) -> tuple[list[dict], list[dict]]:  # fmt: skip
    """What a national tonnage is checked against: USGS China rows (reserves; production of `year`) and quotas."""
    china = [row for row in shares if row["measure"] == reference_measure]
    if reference_measure == "mine_production":
        china = [row for row in china if year is not None and row["data_year"] == year]
    quota = [fact for fact in facts if fact["measure"] == reference_measure and starts_with(fact["subject"], "China")
             and year is not None and not is_missing(fact["year"]) and fact["year"] == year]  # fmt: skip
    return china, quota


def national_tonnage_checks(claim: Claim, basis: str, year: int | None, china: list[dict], quota: list[dict],
                            published: str) -> list[dict]:  # fmt: skip
    """China's tonnage: reserves against USGS China reserves; production against USGS for the year; quotas."""
    value, rows = claim.value, []
    reference_measure = china[0]["measure"] if china else ""
    if basis == "usgs" and len(china):
        note = f"China {claim.measure} {value:,.0f} t ({claim.span}); USGS: t REO, China's production = quota"
        rows += against_editions("China " + reference_measure + " tonnage", claim, value, claim.qualifier,
                                 china, "china_value", value * TONNAGE_TOLERANCE, published, note)  # fmt: skip
    for fact in quota:
        result = verdict(value, claim.qualifier, fact["value"], fact["value"] * TONNAGE_TOLERANCE)
        rows.append(check_row("China " + fact["measure"], claim, value, fact["value"], str(year),
                                  fact["source_url"], result, fact["value"] * TONNAGE_TOLERANCE,
                                  f"{fact['fact_id']}: {fact['statement_zh']}"))  # fmt: skip
    return rows


def regional_tonnage_checks(claim: Claim, reference_measure: str, facts: list[dict]) -> list[dict]:
    """A Chinese region's tonnage against the facts about it; against USGS it is not comparable."""
    rows = []
    about = facts_about(facts, claim.subject)
    if not about:
        return rows
    for fact in about:
        if not starts_with(fact["unit"], "metric_t"):
            continue
        if fact["bound"] == "lower":
            result = "consistent" if claim.value >= fact["value"] * (1 - TONNAGE_TOLERANCE) else "inconsistent"
        else:
            result = verdict(claim.value, claim.qualifier, fact["value"], fact["value"] * TONNAGE_TOLERANCE)
        if fact["measure"].startswith("potential_resources") and reference_measure != "resources":
            result = "not comparable"
        rows.append(check_row(f"{claim.subject} {claim.measure} tonnage", claim, claim.value, fact["value"],
                              "", fact["source_url"], result, fact["value"] * TONNAGE_TOLERANCE,
                              f"{fact['fact_id']} ({fact['measure']}): {fact['statement_zh']}"))  # fmt: skip
    rows.append(check_row(f"{claim.subject} {claim.measure} tonnage vs USGS", claim, claim.value, None, "",
                          "", "not comparable", None,
                          "USGS reports national reserves in t REO only; regional Chinese figures are on the Chinese "
                          "工业储量/资源 basis (43.5 Mt ÷ 83.7% ≈ 52 Mt, not USGS's 44 Mt)"))  # fmt: skip
    return rows


def regional_share_checks(claims: list[Claim], facts: list[dict], national: set[str]) -> list[dict]:
    """A Chinese region's share of national or world reserves/resources against the facts stated about it."""
    rows = []
    scope_words = {"全国": "national", "世界": "world"}
    measure_words = {"储量": "reserves", "资源量": "resources"}
    shares = [c for c in claims if c.kind == "percent" and c.change == "" and c.subject != ""
              and c.subject not in national and c.scope in scope_words and c.measure in measure_words]  # fmt: skip
    for claim in first_of_each_group(shares):
        family = f"share_of_{scope_words[claim.scope]}_{measure_words[claim.measure]}"
        about = [fact for fact in facts_about(facts, claim.subject) if starts_with(fact["measure"], family)]
        for fact in about:
            if fact["bound"] == "lower":
                result = "consistent" if claim.value >= fact["value"] - SHARE_TOLERANCE else "inconsistent"
            elif fact["bound"] == "upper":
                result = "consistent" if claim.value <= fact["value"] + SHARE_TOLERANCE else "inconsistent"
            else:
                result = verdict(claim.value, claim.qualifier, fact["value"], SHARE_TOLERANCE)
            rows.append(check_row(f"{claim.subject} share of {claim.scope} {claim.measure}", claim,
                                  claim.value, fact["value"], "", fact["source_url"], result, SHARE_TOLERANCE,
                                  f"{fact['fact_id']} ({fact['bound']}): {fact['statement_zh']}"))  # fmt: skip
    return rows


def cross_check(claims: pd.DataFrame, usgs: pd.DataFrame, facts: pd.DataFrame,
                articles: pd.DataFrame | None = None, shares: pd.DataFrame | None = None) -> pd.DataFrame:  # fmt: skip
    """Every check of the claims against the reference tables (columns CROSS_CHECK_COLUMNS).

    `shares` is `usgs_shares(usgs)`, computed here when not given (pass it when checking batch after batch). The
    rules work on plain records: the claims and reference rows are converted once, the table is built once."""
    if claims is None or claims.empty:
        return pd.DataFrame(columns=CROSS_CHECK_COLUMNS)
    _, national = reference_terms()
    shares = usgs_shares(usgs) if shares is None else shares
    share_rows = table_records(shares)
    fact_rows = table_records(facts)
    current = latest_data_year(share_rows)
    published = {}
    if articles is not None and "published" in articles:
        dates = articles["published"].fillna("").astype(str).tolist()
        published = dict(zip(articles["doc_id"].tolist(), dates, strict=True))
    records = claim_records(claims)
    rows: list[dict] = []  # each rule runs once over all claims
    rows += implied_world_share_checks(records, current, published, national)
    rows += china_share_checks(records, current, published, national)
    rows += china_rank_checks(records, current, published, national)
    rows += tonnage_checks(records, share_rows, fact_rows, published, national) if share_rows else []
    rows += regional_share_checks(records, fact_rows, national)
    order = {doc_id: i for i, doc_id in enumerate(dict.fromkeys(claim.doc_id for claim in records))}
    rows.sort(key=lambda row: order[row["doc_id"]])  # stable: the rules' order within a document
    if not rows:
        return pd.DataFrame(rows, columns=CROSS_CHECK_COLUMNS)
    columns = {name: [row[name] for row in rows] for name in CROSS_CHECK_COLUMNS}  # faster than from row dicts
    return pd.DataFrame(columns, columns=CROSS_CHECK_COLUMNS)


def table_records(table: pd.DataFrame) -> list[dict]:
    """The rows of a table as dicts, as `to_dict("records")` gives them (missing Int64 as None), but faster."""
    names = list(table.columns)
    columns = [[None if value is pd.NA else value for value in table[name].tolist()] for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def article_field(articles: pd.DataFrame | None, column: str) -> dict[str, str]:
    """doc_id → an articles column as text (first row of a doc_id; "" when missing or the column is absent)."""
    if articles is None or column not in articles:
        return {}
    values = articles[column].fillna("").astype(str).tolist()
    field: dict[str, str] = {}
    for doc_id, value in zip(articles["doc_id"].tolist(), values, strict=True):
        field.setdefault(doc_id, value)
    return field


def claim_variants(claims: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The values different articles give for the same subject, measure and scope, with who says each and when."""
    if claims is None or claims.empty:
        return pd.DataFrame(columns=VARIANT_COLUMNS)
    sources, published = article_field(articles, "source"), article_field(articles, "published")
    grouped = [*VARIANT_KEYS, "value", "qualifier"]
    has_subject_and_measure = (claims["subject"] != "") & (claims["measure"] != "")
    keep = has_subject_and_measure & ~claims["kind"].isin(["year", "date"]) & claims[grouped].notna().all(axis=1)
    kept = claims.loc[keep, ["doc_id", *grouped]]  # a claim missing a key or value is in no group
    # (subject, measure, scope, kind, unit, change, value, qualifier) → the doc_ids stating it (dict keys: once each)
    docs_of: defaultdict[tuple, dict[str, None]] = defaultdict(dict)
    variant_columns = [kept[column].tolist() for column in grouped]
    for doc_id, variant in zip(kept["doc_id"].tolist(), zip(*variant_columns, strict=True), strict=True):
        docs_of[variant][doc_id] = None
    # (subject, measure, scope, kind, unit, change) → (value, qualifier) → doc_ids, in order of first statement
    stated: dict[tuple, dict[tuple[float, str], dict[str, None]]] = {}
    for variant, doc_ids in docs_of.items():
        stated.setdefault(variant[:-2], {})[variant[-2:]] = doc_ids
    rows = []
    for key, variants in stated.items():
        for (value, qualifier), doc_ids in sorted(variants.items(), key=lambda item: item[0]):
            dates = sorted(d for d in (published.get(doc_id, "") for doc_id in doc_ids) if d)
            outlets = {sources.get(doc_id, "") for doc_id in doc_ids} - {""}
            rows.append({**dict(zip(VARIANT_KEYS, key, strict=True)), "value": float(value), "qualifier": qualifier,
                         "n_articles": len(doc_ids), "n_outlets": len(outlets),
                         "earliest": dates[0] if dates else "", "latest": dates[-1] if dates else "",
                         "n_variants": len(variants), "doc_ids": ";".join(sorted(doc_ids))})  # fmt: skip
    rows.sort(key=lambda row: (-row["n_variants"], row["subject"], row["measure"], row["scope"], row["value"]))
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS)
