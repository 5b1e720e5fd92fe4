"""Written findings built from the tables: every number comes from the data, with its source.

Table `findings`: section (corpus | claims | checks | themes | limits), text (Markdown; values from the
data are escaped, so scraped text stays text), source (the file and sentence, or the reference edition).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .display import escape_markdown, escape_markdown_keep_links, format_number
from .paths import PROJECT_ROOT

FINDING_COLUMNS = ["section", "text", "source"]
MAX_CLAIM_FINDINGS = 8
VERDICT_ORDER = {"inconsistent": 0, "consistent": 1, "not comparable": 2}


def finding(section: str, template: str, source: str = "", **values: object) -> dict:
    """One finding: a trusted Markdown template with escaped values, and its source."""
    escaped = {k: escape_markdown(v if isinstance(v, str) else format_number(v)) for k, v in values.items()}
    return {"section": section, "text": template.format(**escaped), "source": source}


def display_path(path: str) -> str:
    """A file path as shown to readers: relative to the project when inside it."""
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path


def sentence_source(doc_id: str, sent_id: object, sentences: pd.DataFrame, articles: pd.DataFrame) -> str:
    """Where a statement was made: the article's file and title, and the sentence itself."""
    article = articles[articles["doc_id"] == doc_id]
    path = display_path(article["path"].iloc[0]) if len(article) else doc_id
    title = article["title"].iloc[0] if len(article) else ""
    rows = sentences[(sentences["doc_id"] == doc_id) & (sentences["sent_id"] == sent_id)]
    sentence = rows["text"].iloc[0] if len(rows) else ""
    return f"{path} · {title} · sentence {sent_id}: “{sentence}”"


def corpus_findings(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """What was read: articles, rejected files, removed lines and repeated sentences."""
    articles, rejects, removed = tables["articles"], tables["rejects"], tables["removed"]
    sentences = tables["sentences"]
    n_dup = int(sentences["is_duplicate"].sum()) if len(sentences) else 0
    rows = [finding(
        "corpus",
        "The corpus holds **{articles}** article(s) from **{outlets}** outlet(s); **{rejects}** file(s) were "
        "rejected, **{removed}** lines of page furniture were removed, and **{dups}** of {sentences} sentences "
        "repeat an earlier one in the same article.",
        "articles, rejects, removed and sentences tables",
        articles=len(articles), outlets=articles["source"].replace("", pd.NA).dropna().nunique() or 0,
        rejects=len(rejects), removed=len(removed), dups=n_dup, sentences=len(sentences),
    )]
    return rows


def claim_findings(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """The shares and ranks the articles state, one per distinct fact (claim group)."""
    claims, articles, sentences = tables["claims"], tables["articles"], tables["sentences"]
    facts = claims[claims["kind"].isin(["percent", "rank", "quantity"])].drop_duplicates("claim_group")
    facts = facts.sort_values(["kind", "doc_id", "sent_id", "char_start"])
    rows = []
    for claim in facts.head(MAX_CLAIM_FINDINGS).itertuples():
        source = sentence_source(claim.doc_id, claim.sent_id, sentences, articles)
        restated = int((claims["claim_group"] == claim.claim_group).sum()) - 1
        again = f", stated {restated + 1} times" if restated else ""
        if claim.kind == "percent":
            rows.append(finding("claims", "{subject}: **{value}%** of {scope} {measure}{again}.", source,
                                subject=claim.subject or "(no subject)", value=claim.value, scope=claim.scope or "the",
                                measure=claim.measure or "", again=again))
        elif claim.kind == "rank":
            rows.append(finding("claims", "{subject} is said to rank **No. {value}** in {scope} {measure}{again}.",
                                source, subject=claim.subject or "(no subject)", value=claim.value,
                                scope=claim.scope or "", measure=claim.measure or "", again=again))
        else:
            rows.append(finding("claims", "{subject}: **{value} {unit}** ({measure}){again}.", source,
                                subject=claim.subject or "(no subject)", value=claim.value, unit=claim.unit,
                                measure=claim.measure or "", again=again))
    return rows


def reference_label(edition: object, value: object) -> str:
    """A reference value named by its edition when it has one ("MCS2024: 40"), else the value alone."""
    number = format_number(value) if pd.notna(value) else "?"
    return f"{edition}: {number}" if isinstance(edition, str) and edition else number


def check_findings(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """One finding per kind of cross-check: how the article's value compares with each USGS edition."""
    checks = tables["cross_checks"]
    rows = []
    for check, part in checks.groupby("check", sort=True):
        part = part.sort_values(["reference_edition", "reference_value"])
        pairs = zip(part["reference_edition"], part["reference_value"], strict=True)
        labels = [reference_label(edition, value) for edition, value in pairs]
        part = part.assign(label=labels)
        by_verdict = part.groupby("verdict")["label"].apply(lambda s: ", ".join(dict.fromkeys(s)))
        parts = [f"{verdict} with {labels}" for verdict, labels in
                 sorted(by_verdict.items(), key=lambda kv: VERDICT_ORDER.get(kv[0], 9))]
        first = part.iloc[0]
        refs = ", ".join(dict.fromkeys(labels))
        rows.append(finding("checks", "**{check}**: the article gives {value}; reference values {refs}. "
                            "Verdict: {verdicts}.", f"{first['note']} · {first['reference_source']}",
                            check=check, value=first["article_value"], refs=refs or "none",
                            verdicts="; ".join(parts)))
    return rows


def theme_findings(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """The leading terms of the corpus and who is quoted."""
    rows = []
    keywords = tables["keywords"]
    corpus_level = keywords[(keywords["doc_id"] == "") & (keywords["method"] == "tfidf")].sort_values("rank")
    if len(corpus_level):
        rows.append(finding("themes", "The leading terms by TF-IDF are {terms}.", "keywords table (method tfidf)",
                            terms="、".join(corpus_level["term"].head(8))))
    quotes = tables["quotes"]
    if len(quotes):
        counts = quotes["speaker"].replace("", "(unattributed)").value_counts()
        rows.append(finding("themes", "Quoted speakers: {speakers}.", "quotes table",
                            speakers=", ".join(f"{s} ({n})" for s, n in counts.head(8).items())))
    return rows


def limit_findings(tables: dict[str, pd.DataFrame], shares: pd.DataFrame) -> list[dict]:
    """What the data cannot say: corpus size, USGS revisions, different reserve bases."""
    rows = []
    n_articles = len(tables["articles"])
    if n_articles < 10:
        rows.append(finding("limits", "The corpus has only {n} article(s): frequencies and topics describe this text, "
                            "not the coverage of rare earths in general.", "articles table", n=n_articles))
    reserves = shares[shares["measure"] == "reserves"] if len(shares) else shares
    if len(reserves) > 1:
        low, high = reserves.loc[reserves["china_share"].idxmin()], reserves.loc[reserves["china_share"].idxmax()]
        rows.append(finding("limits", "USGS revises its figures: China's share of world reserves ranges from "
                            "{low}% ({low_ed}) to {high}% ({high_ed}) across editions, so a share is only comparable "
                            "with the edition current when the article was written.",
                            f"USGS Mineral Commodity Summaries {low['edition']}, {high['edition']}",
                            low=low["china_share"], low_ed=low["edition"], high=high["china_share"],
                            high_ed=high["edition"]))
    apart = tables["cross_checks"][tables["cross_checks"]["verdict"] == "not comparable"]
    for note in apart["note"].drop_duplicates().head(3):
        rows.append(finding("limits", "Not comparable: {note}", "cross_checks table", note=note))
    return rows


def key_findings(tables: dict[str, pd.DataFrame], shares: pd.DataFrame) -> pd.DataFrame:
    """All findings, in reading order (corpus, claims, checks, themes, limits)."""
    rows = (corpus_findings(tables) + claim_findings(tables) + check_findings(tables) + theme_findings(tables)
            + limit_findings(tables, shares))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def findings_markdown(findings: pd.DataFrame, section: str) -> str:
    """The findings of one section as a Markdown list, each with its source in small print."""
    part = findings[findings["section"] == section]
    lines = [f"- {row.text}  \n  <small>Source: {escape_markdown_keep_links(row.source)}</small>"
             for row in part.itertuples()]
    return "\n".join(lines) if lines else "- (nothing to report for this corpus)"


def show_findings(findings: pd.DataFrame, section: str) -> None:
    """Display the findings of one section in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(findings_markdown(findings, section)))
