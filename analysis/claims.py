"""The numbers articles quote: each number with its unit, qualifier, subject, measure and scope.

`extract_claims(sentences)` is a pure per-document step: the `sentences` table (doc_id, para_id, sent_id, text,
is_duplicate, duplicate_of) in, the `claims` table out, one row per claim:

- doc_id, para_id, sent_id: where it was said (from the sentences table)
- kind: percent | quantity | money | count | year | date | rank
- value: float. percent as 83.7 (三成 → 30); quantity in the unit (mass in tonnes, 4350万吨 → 43500000);
  money in the currency's base unit (1.2亿元 → 120000000); count as counted; year as the year; date: the year;
  rank: the position (1 for 第一 / 首位 / 最大)
- unit: `%`, `t`, `kg`, `km`, `km2`, `pp` (个百分点), `times` (倍), `CNY`, `USD`, `CNY/t` (prices per ton) …,
  the classifier for counts (户, 家 …), `year`, `rank`; for a date the ISO date itself (2023-10 or 2023-10-18)
- qualifier: about | over | under | at least | at most | "" (约, 超过, 不足, 以上, 以下 …; ranges give
  at least / at most to their ends)
- change: increase | decrease | "" (增长6.1% is an increase of 6.1%; 增长至 is a level, not a change)
- subject: what it is about (包头市, 我国, 北方稀土 …; canonical names from resources/claim_subjects.txt)
- measure: what is measured (储量, 产量, 出口量, 营收 …; canonical names from resources/claim_measures.txt)
- scope: the whole a share or rank is of (全国, 世界 …; resources/claim_scopes.txt); percent and rank only
- span: the exact text of the number with its unit; sentence: the sentence; char_start, char_end: the span's
  offsets in the sentence (sentence[char_start:char_end] == span)
- claim_group: f"{doc_id}:{n}"; claims of one document with the same kind, subject, measure, scope, value, unit
  and change (the same fact stated again) share it, so charts count a fact once.

Not claims: stock-ticker quotes such as "(60.30,1.61,2.74%)", ordinals (第十四届, 第一次), Chinese numerals with
count classifiers (一批, 两个). Sentences flagged `is_duplicate` keep their claims: a restatement is still said,
and claim_group is how charts count it once.
Text is matched after a same-length normalisation (traditional → simplified, full-width → ASCII), so offsets and
spans refer to the original sentence. Word lists live in analysis/resources/claim_*.txt.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import RESOURCES
from .tables import strings_column

CLAIM_COLUMNS = [
    "doc_id", "para_id", "sent_id", "kind", "value", "unit", "qualifier", "change", "subject", "measure", "scope",
    "span", "sentence", "char_start", "char_end", "claim_group",
]  # fmt: skip
CLAIM_DTYPES = {"para_id": "int64", "sent_id": "int64", "value": "float64", "char_start": "int64", "char_end": "int64"}
# the fields of a claim dict that go into its row, in row order
CLAIM_FIELDS = itemgetter("kind", "value", "unit", "qualifier", "change", "subject", "measure", "scope", "start", "end")
RANGE_KINDS = frozenset({"percent", "quantity", "money"})  # kinds a range (3至5万吨, 20-30%) can have
DATE_KINDS = frozenset({"year", "date"})  # claims that take no subject, measure, scope, qualifier or change
SENTENCE_COLUMNS = ["doc_id", "para_id", "sent_id", "text", "is_duplicate", "duplicate_of", "char_offset"]

CN_DIGITS = "零〇一二两三四五六七八九十"
CN_NUMERAL = f"[{CN_DIGITS}][{CN_DIGITS}百千万亿]*(?:点[{CN_DIGITS}]+)?"
AR_NUMERAL = r"(?<![\d.A-Za-z])\d+(?:,\d{3})+(?:\.\d+)?(?!\d)|(?<![\d.A-Za-z])\d+(?:\.\d+)?"
RANGE_SEPARATORS = "-—–~～至到"
RANGE_LOW = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?|{CN_NUMERAL})([万亿千]*)\s*(%?)\s*[{RANGE_SEPARATORS}]\s*$")
NUMERAL_MULTIPLIER = re.compile(rf"[+\-−]?(?:\d[\d.,]*|{CN_NUMERAL})([万亿千]*)")
APPROXIMATE_PAIR = re.compile(r"[一二两三四五六七八九]{2}")
# a clause break is one of these characters; a comma only where it is no thousands separator (1,200)
CLAUSE_BREAK = re.compile(r"[，；。！？!?;：:\n,](?:(?<!,)|(?!\d{3}(?!\d)))")
TICKER = re.compile(r"[（(\[【]\s*[+\-−]?\d[\d.]*%?(?:\s*[,，]\s*|\s+)[+\-−]?\d[\d.,，%\s+\-−]*%\s*[)）\]】]")
SENTENCE = re.compile(r"[^。！？!?；;…\n]*(?:[。！？!?；;]+|…+|$)[”’」』\"'）)]*")
FULL_WIDTH = {ord(c): ord(a) for c, a in zip("０１２３４５６７８９％．＋－", "0123456789%.+-", strict=True)}


def read_word_table(name: str) -> list[list[str]]:
    """Rows of a resources/ word list: tab-separated fields, `#` comments and blank lines skipped."""
    rows = []
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(line.rstrip("\n").split("\t"))
    return rows


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so the longest alias at a position wins)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def char_map() -> dict[int, int]:
    """Same-length normalisation: full-width digits/signs to ASCII, traditional characters to simplified."""
    import opencc

    mapping = dict(FULL_WIDTH)
    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in table.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            target = parts[1].split(" ")[0]
            if len(target) == 1:
                mapping[ord(parts[0])] = ord(target)
    return mapping


@cache
def normalisable() -> re.Pattern:
    """A character class of the characters `normalise` changes (all astral characters too, to keep it small)."""
    ranges: list[list[int]] = []
    for code in sorted(c for c in char_map() if c <= 0xFFFF):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    members = "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)
    return re.compile(f"[{members}\U00010000-\U0010ffff]")


def normalise(text: str) -> str:
    """The text with the same length and offsets, traditional→simplified and full-width→ASCII."""
    if normalisable().search(text) is None:  # most sentences: nothing to change, skip the slow translate
        return text
    return text.translate(char_map())


def trie_alternation(words) -> str:
    """The same matches as `alternation(words)`, written as a prefix tree (中(?:国|科三环)): faster to search."""
    tree: dict[str, dict] = {}
    for word in set(words):
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return "|".join(trie_branches(tree))


def trie_branches(node: dict[str, dict]) -> list[str]:
    """One alternative per next character of a prefix tree node; longer words before a word ending here."""
    branches = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        rest = trie_branches(child)
        if not rest:
            branches.append(re.escape(char))
        elif "" in child:
            branches.append(f"{re.escape(char)}(?:{'|'.join(rest)})?")
        elif len(rest) == 1:
            branches.append(re.escape(char) + rest[0])
        else:
            branches.append(f"{re.escape(char)}(?:{'|'.join(rest)})")
    return branches


def lookbehind_alternation(words) -> str:
    """Alternatives matching the rest of each word after its first character (已 matched): (?<=一)半|(?<=半)数."""
    return "|".join(f"(?<={re.escape(w[0])}){re.escape(w[1:])}" for w in sorted(words, key=len, reverse=True))


def with_variants(pattern: str) -> str:
    """A pattern that also matches the traditional forms of its characters (for checks before normalising)."""
    sources: dict[str, str] = {}
    for traditional, simplified in char_map().items():
        sources[chr(simplified)] = sources.get(chr(simplified), "") + chr(traditional)
    out, in_class = [], False
    for i, c in enumerate(pattern):
        escaped = i > 0 and pattern[i - 1] == "\\"
        if c == "[" and not escaped:
            in_class = True
        elif c == "]" and not escaped:
            in_class = False
        if c in sources and not c.isascii():
            out.append(c + sources[c] if in_class else f"[{c}{sources[c]}]")
        else:
            out.append(c)
    return "".join(out)


@dataclass(frozen=True)
class Lexicon:
    """The compiled word lists of resources/claim_*.txt."""

    quick_check: re.Pattern
    number_start: re.Pattern
    number: re.Pattern
    rank: re.Pattern
    has_rank: re.Pattern
    units: dict[str, tuple[str, str, float, bool]]
    fixed: dict[str, tuple[str, str, float, bool]]
    not_units: tuple[str, ...]
    qualifiers_before: tuple[re.Pattern, dict[str, str]]
    qualifiers_after: tuple[re.Pattern, dict[str, str]]
    changes: tuple[re.Pattern, dict[str, str]]
    names: tuple[re.Pattern, dict[str, tuple[str, str]]]
    scope_aliases: tuple[str, ...]
    ranks: dict[str, int]
    ordinal_nouns: tuple[str, ...]
    rank_before: tuple[str, ...]
    rank_holders: tuple[str, ...]


def name_tables() -> tuple[re.Pattern, dict[str, tuple[str, str]]]:
    """One pattern finding every measure, scope and subject alias, and alias → (list, canonical name)."""
    mapping = {}
    for table, name in (("subject", "claim_subjects.txt"), ("scope", "claim_scopes.txt"),
                        ("measure", "claim_measures.txt")):  # fmt: skip
        mapping.update({row[0]: (table, row[1]) for row in read_word_table(name) if len(row) >= 2 and row[1]})
    return re.compile(trie_alternation(mapping)), mapping


@cache
def lexicon() -> Lexicon:
    """Load and compile the claim word lists once per process."""
    table = read_word_table("claim_units.txt")
    units = {r[0]: (r[1], r[2], float(r[3]), r[4] == "any") for r in table if r[4] != "none"}
    fixed = {r[0]: (r[1], r[2], float(r[3]), False) for r in table if r[4] == "none"}
    qualifiers = read_word_table("claim_qualifiers.txt")
    ranks = {r[0]: int(r[1]) for r in read_word_table("claim_ranks.txt")}
    rank_context = read_word_table("claim_rank_context.txt")
    before = {r[0]: r[1] for r in qualifiers if r[2] == "before"}
    after = {r[0]: r[1] for r in qualifiers if r[2] == "after"}
    changes = {r[0]: r[1] for r in read_word_table("claim_changes.txt")}
    unit_starts = "".join(sorted({u[0] for u in units}))  # a quick no where no unit follows a numeral
    number = re.compile(
        r"(?P<date>(?<!\d)(?P<dy>(?:19|20)\d{2})\s*年\s*(?P<dm>\d{1,2})\s*月(?:\s*(?P<dd>\d{1,2})\s*[日号])?"
        r"|(?<!\d)(?P<iy>(?:19|20)\d{2})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d))"
        r"|(?<!\d)(?P<year>(?:1[89]|20)\d{2})\s*年(?!代)"
        rf"|百分之(?P<pct>{CN_NUMERAL}|\d+(?:\.\d+)?)"
        rf"|(?P<fixed>{alternation(fixed)})"
        rf"|(?P<sign>[+\-−])?(?P<num>{AR_NUMERAL}|{CN_NUMERAL})\s?(?P<a1>多|余)?(?P<mult>[十百千万亿]*)(?P<a2>多|余)?"
        rf"\s*(?=[{re.escape(unit_starts)}])(?P<unit>{trie_alternation(units)})"  # the longest unit written
    )
    ordinal = r"[一二三四五六七八九十]{1,3}|\d{1,2}"
    rank = re.compile(rf"第(?P<ord>{ordinal})(?!\d)|(?P<word>{alternation(ranks)})")
    # the same matches, written to start with one character class (fast to search for)
    rank_first = "".join(sorted({"第"} | {w[0] for w in ranks}))
    rank_rest = rf"(?<=第)(?:{ordinal})(?!\d)|{lookbehind_alternation(ranks)}"
    rank_start = rf"[{rank_first}](?:{rank_rest})"
    cn_unit_starts = "".join(sorted({u[0] for u, v in units.items() if v[3]}))
    # where a number may start: one character class first, so the regex engine skips to candidates by itself
    fixed_first = "".join(sorted({w[0] for w in fixed}))
    number_first = rf"\d百{CN_DIGITS}{fixed_first}"
    number_rest = (rf"(?<=\d)[\d.,]*|(?<=百)分之|{lookbehind_alternation(fixed)}"
                   rf"|(?<=[{CN_DIGITS}])[{CN_DIGITS}百千万亿点多余]*\s*[{re.escape(cn_unit_starts)}]")  # fmt: skip
    number_start = re.compile(rf"[{number_first}](?:{number_rest})")
    # a number or a rank start, before normalising: every alternative checks its first character by a lookbehind,
    # so one character class can lead both (one scan of a sentence instead of two)
    quick_check = re.compile(with_variants(rf"[{number_first}{rank_first}](?:{number_rest}|{rank_rest})"))
    return Lexicon(
        quick_check=quick_check,
        number_start=number_start,
        number=number,
        rank=rank,
        has_rank=re.compile(rank_start),
        units=units,
        fixed=fixed,
        not_units=tuple(r[0] for r in read_word_table("claim_not_units.txt")),
        qualifiers_before=(re.compile(rf"(?P<word>{alternation(before)})\s*$"), before),
        qualifiers_after=(re.compile(rf"\s*(?P<word>{alternation(after)})"), after),
        changes=(re.compile(rf"(?P<word>{alternation(changes)})[了为达]?\s*(?:{alternation(before)})?\s*$"), changes),
        names=name_tables(),
        scope_aliases=tuple(r[0] for r in read_word_table("claim_scopes.txt")),
        ranks=ranks,
        ordinal_nouns=tuple(r[0] for r in read_word_table("claim_ordinal_nouns.txt")),
        rank_before=tuple(r[1] for r in rank_context if r[0] == "before"),
        rank_holders=tuple(r[1] for r in rank_context if r[0] == "holder"),
    )


@lru_cache(maxsize=4096)
def parse_number(numeral: str) -> float | None:
    """The value of an Arabic or Chinese numeral with 万/亿 multipliers (4350万 → 43500000), None if unreadable."""
    numeral = numeral.replace(",", "")
    try:
        return float(numeral)
    except ValueError:
        pass
    try:
        return float(chinese_numerals()(numeral, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


@cache
def chinese_numerals() -> Callable[[str, str], float]:
    """cn2an's converter of Chinese numerals, imported on first use (its import takes ~0.2 s, which the main
    process of a corpus run, never reading a numeral, is spared)."""
    import cn2an

    return cn2an.cn2an


def find_names(text: str, lex: Lexicon) -> dict[str, list[tuple[int, int, str]]]:
    """(start, end, canonical name) of the subjects, scopes and measures named in `text`, by list."""
    pattern, mapping = lex.names
    found: dict[str, list[tuple[int, int, str]]] = {"subject": [], "scope": [], "measure": []}
    end = 0
    for alias in pattern.findall(text):  # faster than finditer; no alias occurs between two matches, so
        start = text.find(alias, end)  # the first occurrence after the previous match is this match
        end = start + len(alias)
        table, name = mapping[alias]
        found[table].append((start, end, name))
    return found


def qualifier_around(text: str, start: int, end: int, lex: Lexicon) -> str:
    """The qualifier written just before the number or just after its unit ("" if none)."""
    pattern, mapping = lex.qualifiers_before
    m = pattern.search(text, max(0, start - 8), start)
    if m:
        return mapping[m.group("word")]
    pattern, mapping = lex.qualifiers_after
    m = pattern.match(text, end)
    return mapping[m.group("word")] if m else ""


def change_before(text: str, start: int, lex: Lexicon) -> str:
    """increase / decrease when a change word touches the number (增长6.1%, 同比下降 41%), else ""."""
    pattern, mapping = lex.changes
    m = pattern.search(text, max(0, start - 14), start)
    return mapping[m.group("word")] if m else ""


def numeric_claims(text: str, lex: Lexicon) -> list[dict]:
    """Numbers with units, percentages, years and dates in one normalised sentence, in order."""
    tickers = [m.span() for m in TICKER.finditer(text)] if "%" in text else []
    found = []
    last_end = 0
    number_at = lex.number.match
    for candidate in lex.number_start.finditer(text):
        position = candidate.start()
        if position < last_end:
            continue
        if position and text[position - 1] in "+-−":
            position -= 1
        m = number_at(text, position)
        if m is None:
            continue
        start, end = m.span()
        last_end = end
        if tickers and any(a <= start < b for a, b in tickers):
            continue
        claim = claim_from_match(m, text, lex)
        if claim is None:
            continue
        if claim["kind"] in RANGE_KINDS:
            low = range_low_end(text, claim, lex)
            if low is not None:
                found.append(low)
            elif claim.pop("range_low", False) and found and found[-1]["kind"] == claim["kind"]:
                found[-1].setdefault("qualifier", "at least")
        found.append(claim)
    return found


def claim_from_match(m: re.Match, text: str, lex: Lexicon) -> dict | None:
    """One claim from a match of the number pattern, or None when the match is no claim."""
    start, end = m.span()
    matched = m.lastgroup
    if matched == "date":
        year, month = (m.group("dy"), m.group("dm")) if m.group("dy") else (m.group("iy"), m.group("im"))
        day = m.group("dd") or m.group("id")
        if not 1 <= int(month) <= 12:
            return None
        iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
        return {"kind": "date", "value": float(year), "unit": iso, "start": start, "end": end}
    if matched == "year":
        return {"kind": "year", "value": float(m.group("year")), "unit": "year", "start": start, "end": end}
    if matched == "pct":
        value = parse_number(m.group("pct"))
        if value is None:
            return None
        return {"kind": "percent", "value": value, "unit": "%", "start": start, "end": end}
    if matched == "fixed":  # 一半 is a share only where a share is said: 占一半, 一半以上, 约一半 (not 另一半)
        if not (text[:start].rstrip().endswith("占") or qualifier_around(text, start, end, lex)):
            return None
        kind, unit, value, _ = lex.fixed[m.group("fixed")]
        return {"kind": kind, "value": value, "unit": unit, "start": start, "end": end}
    sign, numeral, about_before, mult, about_after, unit_text = m.group("sign", "num", "a1", "mult", "a2", "unit")
    kind, unit, factor, any_numerals = lex.units[unit_text]
    if not any_numerals and not numeral[0].isdigit():
        return None
    if len(numeral) == 2 and APPROXIMATE_PAIR.fullmatch(numeral):  # 一两元, 三五家
        return None
    if start and text[start - 1] == "第":  # 第4位
        return None
    if text.startswith(lex.not_units, m.start("unit")):
        return None
    value = parse_number(numeral + mult)
    if value is None:
        return None
    if sign:
        before = text[:start].rstrip()
        if before and (before[-1].isdigit() or before[-1] in "%吨元"):
            start = m.start("num")  # a range separator, not a sign
        elif sign in "-−":
            value = -value
    claim = {"kind": kind, "value": value * factor, "unit": unit, "start": start, "end": end}
    if about_before or about_after:
        claim["qualifier"] = "over"
    return claim


def range_low_end(text: str, high: dict, lex: Lexicon) -> dict | None:
    """The lower end of a range written with one unit (3至5万吨, 20-30%), given the claim for its upper end."""
    if high["kind"] not in RANGE_KINDS:
        return None
    before = text[max(0, high["start"] - 3) : high["start"]].rstrip()
    if not before or before[-1] not in RANGE_SEPARATORS:
        return None
    window_start = max(0, high["start"] - 24)
    m = RANGE_LOW.search(text, window_start, high["start"])
    if not m:
        return None
    if m.group(3):  # "15%-30%": the lower end is a claim of its own; mark the pair as a range
        high.setdefault("qualifier", "at most")
        high["range_low"] = True
        return None
    span_text = text[high["start"] : high["end"]]
    high_mult = NUMERAL_MULTIPLIER.match(span_text)
    mult = m.group(2) or (high_mult.group(1) if high_mult else "")
    base = parse_number(m.group(1) + mult)
    if base is None:
        return None
    factor = lex.units.get(text[high["end"] - 1], (None, None, 1.0))[2] if high["kind"] == "percent" else 1.0
    high.setdefault("qualifier", "at most")
    return {"kind": high["kind"], "value": base * factor, "unit": high["unit"], "start": m.start(),
            "end": m.end(2), "qualifier": "at least"}  # fmt: skip


def rank_claims(text: str, lex: Lexicon, measures: list, breaks: list[int]) -> list[dict]:
    """Rank claims (第一 / 首位 / 最大 …), one per measure named with the rank (第一稀土储量大国 → 储量)."""
    found = []
    matches = list(lex.rank.finditer(text))
    length = len(text)
    for i, m in enumerate(matches):
        start, end = m.span()
        clause_start, clause_end = clause_bounds(breaks, start, length)
        phrase_end = min(clause_end, end + 12, matches[i + 1].start() if i + 1 < len(matches) else length)
        phrase = text[end:phrase_end]
        after = [x for x in measures if end <= x[0] and x[1] <= phrase_end]
        if m.group("ord"):
            value = parse_number(m.group("ord"))
            if value is None or phrase.startswith(lex.ordinal_nouns):
                continue
            before = text[max(0, start - 4) : start].rstrip()
            valid = (
                phrase[:1] in ("大", "位", "名")
                or before.endswith(lex.rank_before)
                or before.endswith(lex.scope_aliases)
                or (bool(after) and any(w in phrase for w in lex.rank_holders))
            )
            if not valid:
                continue
        else:
            if phrase[:1].isdigit():
                continue
            value = float(lex.ranks[m.group("word")])
            if not after:
                after = [x for x in measures if max(clause_start, start - 8) <= x[0] and x[1] <= start][-1:]
                if not after:
                    continue
        names = list(dict.fromkeys(x[2] for x in after)) or [""]
        for name in names:
            found.append({"kind": "rank", "value": float(value), "unit": "rank", "start": start, "end": end,
                          "measure": name})  # fmt: skip
    return found


def clause_bounds(breaks: list[int], position: int, length: int) -> tuple[int, int]:
    """Start and end of the clause (text between clause breaks) holding `position`."""
    i = bisect.bisect_right(breaks, position)
    start = breaks[i - 1] + 1 if i else 0
    end = breaks[i] if i < len(breaks) else length
    return start, end


def first_subject(subjects: list[tuple[int, int, str]]) -> str:
    """The first subject named, narrowed by names right after it (内蒙古包头市 → 包头市)."""
    current = subjects[0]
    for nxt in subjects[1:]:
        if nxt[0] != current[1]:
            break
        current = nxt
    return current[2]


def describe(claims: list[dict], text: str, lex: Lexicon, names: dict[str, list], breaks: list[int]) -> None:
    """Fill subject, measure, scope, qualifier and change of a sentence's claims, in place."""
    subjects, scopes, measures = names["subject"], names["scope"], names["measure"]
    length = len(text)
    previous = None
    for claim in claims:
        kind = claim["kind"]
        if kind == "year" or kind == "date":
            claim.setdefault("qualifier", "")
            claim.setdefault("change", "")
            claim["subject"] = claim["measure"] = claim["scope"] = ""
            continue
        start, end = claim["start"], claim["end"]
        if kind == "rank":
            claim.setdefault("qualifier", "")
            claim.setdefault("change", "")
        else:
            claim["qualifier"] = qualifier_around(text, start, end, lex) or claim.get("qualifier", "")
            claim["change"] = change_before(text, start, lex)
        clause_start, clause_end = clause_bounds(breaks, start, length)
        in_clause = [s for s in subjects if clause_start <= s[0] and s[1] <= start] if subjects else []
        rank_scope = ""
        if kind == "rank" and in_clause and in_clause[-1][1] == start:  # 美国最大的生产商: within the US
            rank_scope = in_clause.pop()[2]
        if in_clause:
            claim["subject"] = first_subject(in_clause)
        elif previous is not None:
            claim["subject"] = previous["subject"]
        else:
            claim["subject"] = subject_before_clause(subjects, clause_start, breaks, length)
        if "measure" not in claim:
            claim["measure"] = nearest_measure(measures, clause_start, start, end, clause_end) if measures else ""
        if kind == "percent" or kind == "rank":
            near = [x for x in scopes if clause_start <= x[0] and x[1] <= start] if scopes else []
            claim["scope"] = rank_scope or (near[-1][2] if near else "")
        else:
            claim["scope"] = ""
        previous = claim


def subject_before_clause(subjects: list, clause_start: int, breaks: list[int], length: int) -> str:
    """The subject of the last clause before `clause_start` that names one ("" if none does)."""
    earlier = [s for s in subjects if s[1] <= clause_start]
    if not earlier:
        return ""
    first_clause = clause_bounds(breaks, earlier[-1][0], length)[0]
    return first_subject([s for s in earlier if s[0] >= first_clause])


def nearest_measure(measures: list, clause_start: int, start: int, end: int, clause_end: int) -> str:
    """The last measure named in the clause before a number, else the first one after it ("" if none)."""
    before = [x for x in measures if clause_start <= x[0] and x[1] <= start]
    if before:
        return before[-1][2]
    for x in measures:
        if end <= x[0] and x[1] <= clause_end:
            return x[2]
    return ""


def sentence_claims(sentence: str) -> list[dict]:
    """The claims of one sentence as dicts (kind, value, unit, qualifier, change, subject, measure, scope, start…)."""
    if not lexicon().quick_check.search(sentence):
        return []
    return checked_sentence_claims(sentence)


def checked_sentence_claims(sentence: str) -> list[dict]:
    """`sentence_claims` of a sentence that passed the quick check (it may hold a number or a rank)."""
    lex = lexicon()
    text = normalise(sentence)
    claims = numeric_claims(text, lex)
    has_rank = lex.has_rank.search(text) is not None
    if not has_rank and all(c["kind"] in DATE_KINDS for c in claims):
        for claim in claims:
            claim.update(qualifier="", change="", subject="", measure="", scope="")
        return claims
    breaks = [m.start() for m in CLAUSE_BREAK.finditer(text)]
    names = find_names(text, lex)
    if has_rank:
        claims = sorted(claims + rank_claims(text, lex, names["measure"], breaks), key=lambda c: c["start"])
    describe(claims, text, lex, names, breaks)
    return claims


# what makes two claims of one document the same fact: the key of a claim dict
group_key = itemgetter("kind", "subject", "measure", "scope", "value", "unit", "change")


def extract_claims(sentences: pd.DataFrame) -> pd.DataFrame:
    """The claims table (columns CLAIM_COLUMNS) of a sentences table; pure, one or many documents."""
    if sentences is None or len(sentences) == 0:
        return empty_claims()
    rows = []
    groups: dict[str, dict[tuple, int]] = {}
    quick_check = lexicon().quick_check.search
    columns = zip(*(sentences[c].tolist() for c in ("doc_id", "para_id", "sent_id", "text")), strict=True)
    for doc_id, para_id, sent_id, text in columns:
        if not isinstance(text, str) or not quick_check(text):
            continue  # no text, or the quick check finds no number or rank (as in `sentence_claims`)
        claims = checked_sentence_claims(text)
        if not claims:
            continue
        doc_groups = groups.setdefault(doc_id, {})
        for claim in claims:
            kind, value, unit, qualifier, change, subject, measure, scope, start, end = CLAIM_FIELDS(claim)
            n = doc_groups.setdefault(group_key(claim), len(doc_groups) + 1)
            rows.append((doc_id, para_id, sent_id, kind, float(value), unit, qualifier, change, subject, measure,
                         scope, text[start:end], text, start, end, f"{doc_id}:{n}"))  # fmt: skip
    if not rows:
        return empty_claims()
    columns = {}
    for name, column in zip(CLAIM_COLUMNS, zip(*rows, strict=True), strict=True):
        columns[name] = np.array(column, dtype=CLAIM_DTYPES[name]) if name in CLAIM_DTYPES else strings_column(column)
    return pd.DataFrame(columns, columns=CLAIM_COLUMNS, copy=False)


def empty_claims() -> pd.DataFrame:
    """An empty claims table with the documented columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=CLAIM_DTYPES.get(c, "str")) for c in CLAIM_COLUMNS})


def split_sentences(doc_id: str, body: str) -> pd.DataFrame:
    """A simple sentences table of a body text (paragraphs on lines; 。！？；… end sentences, closing quotes kept).

    For tests and evaluation; the cleaner's sentences are the real input. Adds `char_offset`, the sentence's
    offset in `body`.
    """
    rows = []
    para_id = 0
    sent_id = 0
    offset = 0
    for line in body.split("\n"):
        if line.strip():
            for m in SENTENCE.finditer(line):
                if m.group().strip():
                    rows.append((doc_id, para_id, sent_id, m.group(), False, -1, offset + m.start()))
                    sent_id += 1
            para_id += 1
        offset += len(line) + 1
    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)
