"""Splitting a page into the article (metadata, paragraphs, sentences) and the page around it.

Tables made here (column lists are the module constants below; integer and bool columns are int64 / bool,
all others pandas' "str", also for empty tables):

- articles: doc_id, path, encoding, title, published (ISO 8601 date or ""), source, author, url,
  lang (zh-Hans / zh-Hant / ja / en / other / ""), converted_to_simplified (bool), n_paragraphs,
  n_chars (non-space characters of the body), body (paragraphs joined by "\\n"), original_text (the page
  text before normalisation, conversion and cleaning), flags ("; "-joined: "no article body",
  "very short body", "not Chinese", "truncated file"); after `assign_dup_clusters` also dup_cluster (the smallest
  doc_id of the articles telling the same story; a singleton's own doc_id)
- paragraphs: doc_id, para_id, text
- sentences: doc_id, para_id, sent_id (unique in the document, from 0 across paragraphs), text,
  is_duplicate, duplicate_of (the sent_id it repeats, or -1)
- removed: doc_id, line_no (1-based line of the page text), text, reason (navigation, counter, timestamp,
  byline, source, editor, copyright, share, ad, comments, caption, summary, related list, hot list, snippet,
  footer, title, header, duplicate, foreign language, noise, ticker, artifact, metadata); inline cuts
  (tickers, captions, credits) have the line number of the line they were cut from

Flow: `split_page(page)` → Article (normalise, detect script and convert Traditional, cut inline boilerplate,
classify lines, pick title / body span / metadata) → `article_records` (sentences, in-article duplicates) →
`article_tables`. A batch of pages goes through `split_pages` → `articles_records` → `articles_tables`: the same
results per page, with the scripts of all pages counted in one pass, and all their sentences split and keyed in
one pass (numpy and regex calls cost much per call on short pages). Corpus level: `assign_dup_clusters(articles)`
(one-permutation MinHash over character shingles, LSH bands, exact shingle Jaccard against cluster representatives;
vectorised over the whole corpus).

Rules are general (marker lists in `resources/`, line shape, length, punctuation, position), not fitted
to particular pages.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate, compress
from pathlib import Path
from re import _constants as regex_codes  # the `re` module's own regex parser (private; there since Python 3.11),
from re import _parser as regex_parser  # read to find which lines a marker regex can match at all
from typing import NamedTuple

import numpy as np
import pandas as pd

from .paths import RESOURCES
from .read import Page, characters_pattern
from .tables import new_table, strings_column

ARTICLE_COLUMNS = ["doc_id", "path", "encoding", "title", "published", "source", "author", "url", "lang",
                   "converted_to_simplified", "n_paragraphs", "n_chars", "body", "original_text", "flags"]
PARAGRAPH_COLUMNS = ["doc_id", "para_id", "text"]
SENTENCE_COLUMNS = ["doc_id", "para_id", "sent_id", "text", "is_duplicate", "duplicate_of"]
REMOVED_COLUMNS = ["doc_id", "line_no", "text", "reason"]
COLUMN_DTYPES = {"para_id": "int64", "sent_id": "int64", "line_no": "int64", "n_paragraphs": "int64",
                 "n_chars": "int64", "duplicate_of": "int64", "is_duplicate": "bool",
                 "converted_to_simplified": "bool"}  # every other column is text (pandas "str")

LANG_SAMPLE = 8000  # characters looked at to tell the language and script
MAX_MARKER_LINE = 60  # longer lines are prose, whatever words they contain ...
MAX_LONG_MARKER_LINE = 160  # ... except copyright / disclaimer / caption lines
LONG_MARKER_REASONS = {"copyright", "caption", "summary"}
MAX_END_LINE = 40  # a section heading that ends the article is a short line
MAX_META_LINE = 90  # a date / byline line is short
MIN_STRONG_PROSE = 40  # a paragraph of article text: this long and with sentence punctuation
TITLE_LENGTH = (6, 64)
NEAR_DUP_JACCARD = 0.7  # character-bigram Jaccard of two sentences that say the same thing
SHARED_FIGURES_OVERLAP = 0.25  # bigram overlap of two sentences quoting the same >= 2 figures
DUP_ANCHOR = 5  # opening / closing characters indexed per sentence to find near-repeat candidates
MAX_DUP_CANDIDATES = 50  # earlier sentences compared with each sentence at most
SHINGLE = 5  # characters per shingle for near-duplicate articles
N_HASHES, BAND_ROWS = 64, 4  # MinHash values per body (a power of 2), in bands of 4: candidates above ~0.5 Jaccard
DUP_ARTICLE_JACCARD = 0.5  # shingle Jaccard of two bodies telling the same story
MAX_REPRESENTATIVES = 50  # cluster representatives of a MinHash band bucket each member is compared with at most
MAX_DUP_CHARS = 20000  # characters of a body used to compare it with others
DUP_CHUNK_CHARS = 1 << 20  # characters of bodies shingled and hashed at once
SHINGLE_BASE = 1_000_003


def quick_runs(runs: re.Pattern) -> re.Pattern:
    """The runs of a "[...]+" regex, written "[...][...]*": `re` finds no quick first test for a repeat and tries it
    at every character, but skips quickly to a character of a class that opens a regex (a search of a line without
    CJK for CJK runs takes a tenth of the time)."""
    characters = runs.pattern.removesuffix("+")
    return re.compile(characters + characters + "*")


FULLWIDTH = {code: code - 0xFEE0 for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
FULLWIDTH.update({0xFF05: ord("%"), 0x3000: ord(" "), 0x00A0: ord(" "), 0x2002: ord(" "), 0x2003: ord(" "),
                  0x2009: ord(" "), 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0x2028: ord("\n"),
                  0x2029: ord("\n"), ord("\t"): ord(" "), ord("\x0b"): ord(" "), ord("\x0c"): ord(" ")})
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
KANA = re.compile(r"[\u3040-\u30ff]+")
LATIN = re.compile(r"[A-Za-z]+")
CJK_RUN = quick_runs(CJK)  # (the same runs, found quicker)
LATIN_RUN = quick_runs(LATIN)
CJK_WORD_RUN = quick_runs(re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+"))  # CJK characters (not the compatibility
# block) that WORDISH matches too
WORDISH = re.compile(r"[\w\u3400-\u9fff]")
WORDISH_RUN = re.compile(r"[\u3400-\u9fff\w]+")  # (the CJK range first: the quicker test)
SPACES = re.compile(r"[ \t]+")
DECIMAL_POINT = re.compile(r"(?<=\d)．(?=\d)")  # a full-width full stop between digits is a decimal point
TO_HALF_WIDTH = quick_runs(re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff05\u3000\u00a0\u2002\u2003\u2009"
                                      "\u200b-\u200d\ufeff\u2028\u2029\t\x0b\x0c]+"))  # runs of what FULLWIDTH maps
SPACE_RUNS = re.compile("  +")  # two spaces or more (what SPACES finds that needs a change, in text without tabs)
SENTENCE_PUNCT = re.compile(r"[。！？!?；;…]")
LATIN_SENTENCE_PUNCT = re.compile(r"[。！？!?；;…]|\.(\s|$)")
SENTENCE_END_CHARS = "。！？!?；;…."  # the characters a sentence end starts with
SENTENCE_END = r"(?:[。！？!?；;]+|…+|\.{3,}|(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff]))[”’」』）)》】\"']*"  # (pattern)


def sentence_pattern(within_lines: bool) -> re.Pattern:
    """A sentence: from a non-space character up to and including the first sentence end (skipping runs of characters
    that start no end, and one by one those that could but do not), or, if no end follows, up to the last non-space
    character. `within_lines`: no sentence crosses a line break, and each line break is a match of its own."""
    other = rf"[^{SENTENCE_END_CHARS}\n]" if within_lines else f"[^{SENTENCE_END_CHARS}]"  # characters starting no end
    unended = r"[^\n]*\S" if within_lines else r".*\S"
    sentence = rf"(?=\S)(?:{other}*+(?:(?!{SENTENCE_END})[{SENTENCE_END_CHARS}]{other}*+)*+{SENTENCE_END}|{unended})"
    return re.compile(rf"\n|{sentence}" if within_lines else rf"(?s){sentence}")


SENTENCE = sentence_pattern(within_lines=False)
SENTENCE_OR_BREAK = sentence_pattern(within_lines=True)  # (paragraphs joined by line breaks: one pass for all)
ENDS_LIKE_SENTENCE = re.compile(r"[。！？!?…”」』\"]$")
KEY_VALUE = re.compile(r"^[^:：,，。]{1,8}[:：]\s*\S{0,6}$")  # a label and a short value: 正确答案:B
BULLET = re.compile(r"^[•·▪●◆■▶►\-*]\s")
LABEL_END = re.compile(r"[；;:：,，、]$")  # a line ending like a label or a list item, not a headline
# (the "no digit before the year" test comes after the year's first two digits: a regex that starts with a
# lookbehind is tried at every character, one that starts with 1 or 2 only where those are)
DATE = re.compile(r"((?:19|20)(?<!\d\d\d)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?")
DATE_TOKEN = re.compile(r"^[ \t]*date[ \t]+((?:19|20)\d{2}-\d{2}-\d{2})[ \t]*", re.IGNORECASE)
DATE_KEYS = re.compile(r"发布|發布|发表|發表|日期|时间|時間|公開|公开|Date|posted|published", re.IGNORECASE)
DATE_BANNERS = re.compile(r"今天是|今日|更新时间|更新時間|更新于|修改时间")
SOURCE_VALUE = re.compile(r"(?:来源|來源|转自|轉自|转载自)\s*[:：]\s*([^\s:：|,，。【\[（(]{2,20})")
SOURCE_STOP = re.compile(r"(发布|作者|编辑|时间|日期|本文|点击|浏览|阅读).*$")
# a name, then up to three more separated by spaces, each ending at a space or the line end (not a label: 编辑：)
AUTHOR_VALUE = re.compile(r"(?:作者|撰文|记者|通讯员)\s*[:：/ ]\s*"
                          r"([^\s:：|,，。【\[（(]{2,16}(?: [^\s:：|,，。]{2,4}(?=\s|$)){0,3})")
REPORTED_BY = re.compile(r"^据(.{2,24}?)(?:报道|消息|讯|电)")


@dataclass
class Article:
    """A page split into metadata, body paragraphs and removed lines."""

    doc_id: str
    path: str
    encoding: str
    title: str = ""
    published: str = ""
    source: str = ""
    author: str = ""
    url: str = ""
    lang: str = ""
    converted_to_simplified: bool = False
    paragraphs: list[str] = field(default_factory=list)
    removed: list[tuple[int, str, str]] = field(default_factory=list)
    original_text: str = ""
    flags: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- resources


def read_sections(name: str) -> list[tuple[str, str]]:
    """(reason, entry) pairs from a `[reason]`-sectioned resource file (UTF-8, `#` comments)."""
    entries, reason = [], ""
    for raw in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]") and re.fullmatch(r"\[[a-z ]+\]", line):
            reason = line[1:-1]
        else:
            entries.append((reason, line))
    return entries


# ---------------------------------------------------------------- quick tests of where a regex can match
# Trying every marker regex on every line costs more than the rest of the cleaning. Read from the parsed regex
# (the `re` module's own parser), facts rule most of them out cheaply: the characters a match starts with, the
# strings a line it matches ends with (a regex ending with $), and strings one of which every match contains. All
# are safe over-estimates: when unsure, None (try it).

REPEATS = (regex_codes.MAX_REPEAT, regex_codes.MIN_REPEAT, regex_codes.POSSESSIVE_REPEAT)


def parsed_pattern(pattern: str) -> list | None:
    """The parsed regex (a list of (opcode, value)), or None when it ignores case (its characters are not exact)."""
    parsed = regex_parser.parse(pattern)
    return None if parsed.state.flags & re.IGNORECASE else list(parsed)


@cache  # (the same patterns serve several ranges of line lengths)
def pattern_first_characters(pattern: str) -> frozenset[str] | None:
    """The characters every match of the regex starts with, or None when they are not a known list (a class such
    as \\S or ., ignored case, or a pattern that can match the empty string)."""
    items = parsed_pattern(pattern)
    characters, can_be_empty = sequence_first_characters(items) if items is not None else (None, True)
    return None if characters is None or can_be_empty else frozenset(characters)


def sequence_first_characters(items: list) -> tuple[set[str] | None, bool]:
    """(the characters a parsed regex sequence can start with, None for unknown; whether it can match empty)."""
    found: set[str] = set()
    for op, value in items:
        if op in (regex_codes.AT, regex_codes.ASSERT, regex_codes.ASSERT_NOT):  # zero width: ^ $ \b lookarounds
            continue
        if op in (regex_codes.LITERAL, regex_codes.CATEGORY, regex_codes.IN):
            characters, can_be_empty = class_characters([(op, value)] if op is not regex_codes.IN else value), False
        elif op is regex_codes.SUBPATTERN and not value[1] and not value[2]:  # a group without inline flags
            characters, can_be_empty = sequence_first_characters(list(value[3]))
        elif op is regex_codes.BRANCH:
            results = [sequence_first_characters(list(branch)) for branch in value[1]]
            characters = None if any(chars is None for chars, _ in results) else set().union(*(c for c, _ in results))
            can_be_empty = any(empty for _, empty in results)
        elif op in REPEATS:
            characters, can_be_empty = sequence_first_characters(list(value[2]))
            can_be_empty = can_be_empty or value[0] == 0
        else:  # any character, a back reference ...
            return None, False
        if characters is None:
            return None, False
        found |= characters
        if not can_be_empty:
            return found, False
    return found, True


MAX_SPELLINGS = 64  # the strings a part of a regex can match are listed if at most this many: (点击|浏览)(次数)? has 4


@cache  # (the same patterns serve several ranges of line lengths)
def pattern_required_strings(pattern: str) -> frozenset[str] | None:
    """A few strings one of which every match of the regex contains (the longest known), or None when none is known."""
    items = parsed_pattern(pattern)
    strings = sequence_required_strings(items) if items is not None else None
    return frozenset(strings) if strings else None


def sequence_required_strings(items: list) -> set[str] | None:
    """The best known set of strings one of which every match of a parsed regex sequence contains (None: none).

    Candidates: the spellings of each run of items of few spellings (concatenated: 扫(码|描) → 扫码, 扫描), and the
    strings an item of many spellings requires (a group, a branch, a repeat); the best has the longest shortest
    string, then the fewest strings, then comes last (the end of a line pattern tends to be the rarer part)."""
    candidates: list[set[str] | None] = []
    run = {""}
    for op, value in items:
        spellings = item_spellings(op, value)
        if spellings is not None and len(run) * len(spellings) <= MAX_SPELLINGS:
            run = {before + after for before in run for after in spellings}
            continue
        candidates.append(run)
        run = spellings if spellings is not None else {""}
        if spellings is None:
            candidates.append(item_required_strings(op, value))
    candidates.append(run)
    known = [minimal_strings(strings) for strings in candidates if strings and "" not in strings]
    return max(reversed(known), key=lambda strings: (min(map(len, strings)), -len(strings)), default=None)


def item_required_strings(op: object, value: object) -> set[str] | None:
    """Strings one of which every match of a parsed regex item of many spellings contains, or None."""
    if op is regex_codes.SUBPATTERN and not value[1] and not value[2]:
        return sequence_required_strings(list(value[3]))
    if op is regex_codes.BRANCH:
        branches = [sequence_required_strings(list(branch)) for branch in value[1]]
        return None if None in branches else set().union(*branches)
    if op in REPEATS and value[0] >= 1:
        return sequence_required_strings(list(value[2]))
    return None


def item_spellings(op: object, value: object) -> set[str] | None:
    """Every string a parsed regex item can match ("" for a zero-width one such as ^ $ or a lookaround), or None when
    there are more than MAX_SPELLINGS or they are not known."""
    if op in (regex_codes.AT, regex_codes.ASSERT, regex_codes.ASSERT_NOT):
        return {""}
    if op in (regex_codes.LITERAL, regex_codes.CATEGORY, regex_codes.IN):
        characters = class_characters([(op, value)] if op is not regex_codes.IN else value)
        return set(characters) if characters is not None and len(characters) <= MAX_SPELLINGS else None
    if op is regex_codes.SUBPATTERN and not value[1] and not value[2]:
        return sequence_spellings(list(value[3]))
    if op is regex_codes.BRANCH:
        branches = [sequence_spellings(list(branch)) for branch in value[1]]
        spellings = None if None in branches else set().union(*branches)
        return spellings if spellings is not None and len(spellings) <= MAX_SPELLINGS else None
    if op in REPEATS and value[1] <= 1:  # x? (or x{1}): x or nothing
        spellings = sequence_spellings(list(value[2]))
        return spellings | ({""} if value[0] == 0 else set()) if spellings is not None else None
    return None


def sequence_spellings(items: list) -> set[str] | None:
    """Every string a parsed regex sequence can match, or None when there are more than MAX_SPELLINGS or unknown."""
    spellings = {""}
    for op, value in items:
        item = item_spellings(op, value)
        if item is None or len(spellings) * len(item) > MAX_SPELLINGS:
            return None
        spellings = {before + after for before in spellings for after in item}
    return spellings


def minimal_strings(strings: set[str]) -> set[str]:
    """The strings of a set that hold none of the others (a text holding one of the set holds one of these)."""
    return {string for string in strings if not any(other != string and other in string for other in strings)}


@cache  # (the same patterns serve several ranges of line lengths)
def pattern_suffixes(pattern: str) -> frozenset[str] | None:
    """Strings one of which a line ends with if the regex, ending with $, matches it: the spellings of its last items
    of few spellings (（[^()]{1,20}[）)]$ → ）, )); None when not known."""
    items = parsed_pattern(pattern)
    if not items or items[-1] != (regex_codes.AT, regex_codes.AT_END):
        return None
    suffixes = {""}
    for op, value in reversed(items[:-1]):
        spellings = item_spellings(op, value)
        if spellings is None or len(suffixes) * len(spellings) > MAX_SPELLINGS:
            break
        suffixes = {before + after for before in spellings for after in suffixes}
    return None if "" in suffixes else frozenset(suffix for suffix in suffixes if not any(
        suffix.endswith(other) and other != suffix for other in suffixes))


def class_characters(members: list) -> set[str] | None:
    """The characters of a parsed character class such as [【\\[(] (or of a single character, \\d or \\s), or None
    for a negated class, another category (\\S, \\w ...) or a wide range."""
    characters: set[str] = set()
    for op, value in members:
        if op is regex_codes.LITERAL:
            characters.add(chr(value))
        elif op is regex_codes.RANGE and value[1] - value[0] < 256:
            characters.update(map(chr, range(value[0], value[1] + 1)))
        elif op is regex_codes.CATEGORY and value in CATEGORY_PATTERNS:
            characters.update(category_characters(value))
        else:
            return None
    return characters


CATEGORY_PATTERNS = {regex_codes.CATEGORY_DIGIT: r"\d", regex_codes.CATEGORY_SPACE: r"\s"}  # (small categories)


@lru_cache(maxsize=4)
def category_characters(category: object) -> frozenset[str]:
    """Every character of a regex category (\\d or \\s, as `re` defines them for str patterns)."""
    return frozenset(re.findall(CATEGORY_PATTERNS[category], every_character()))


@lru_cache(maxsize=1)
def every_character() -> str:
    """Every Unicode character but the surrogates, in code point order (built from their UTF-32 codes: fast)."""
    codes = np.arange(0x110000, dtype=np.uint32)
    return codes[(codes < 0xD800) | (codes > 0xDFFF)].tobytes().decode("utf-32-le")


def string_finder(strings: frozenset[str] | None) -> re.Pattern | None:
    """A regex finding any of the strings (None for None)."""
    return re.compile("|".join(map(re.escape, sorted(strings)))) if strings else None


def markers_for(length: int) -> list[tuple[str, str, str, bool]]:
    """The marker patterns tried in turn on a line of this length, as (kind, reason, regex, anchored at the line
    start): the end markers (short lines), then all the boilerplate markers (short lines) or those for long lines;
    none for the longest lines. The anchored patterns of a file (starting with "^") come before its others."""
    if length > MAX_LONG_MARKER_LINE:
        return []
    boilerplate = read_sections("boilerplate_markers.txt")
    if length > MAX_MARKER_LINE:
        boilerplate = [(reason, entry) for reason, entry in boilerplate if reason in LONG_MARKER_REASONS]
    files = ([("end", read_sections("end_markers.txt"))] if length <= MAX_END_LINE else []) + [("marker", boilerplate)]
    return [(kind, reason, entry.removeprefix("^"), entry.startswith("^")) for kind, entries in files
            for anchored in (True, False) for reason, entry in entries if entry.startswith("^") == anchored]


@dataclass(frozen=True)
class LineMarkers:
    """The marker patterns tried in turn on a line (without line breaks) of some length, in lower case: the first
    that matches gives the line's kind ("end" or "marker") and reason.

    A pattern is only tried where it can match: an anchored pattern of known first characters on a line starting
    with one of them; another when the line ends with one of its suffixes (a pattern ending with $) or holds one of
    the strings one of which every match of it contains (one regex finds those of all the patterns: most lines hold
    none); a pattern with none of these known on every line."""

    patterns: tuple[tuple[str, str, re.Pattern, bool], ...]  # (kind, reason, regex, anchored at the line start)
    by_first: dict[str, tuple[int, ...]]  # first character → the anchored patterns (indexes) it can start
    by_last: dict[str, tuple[tuple[str, int], ...]]  # last character → (suffix ending with it, pattern)
    finder: re.Pattern | None  # finds the needed strings (None: no pattern is known by them)
    owners: dict[str, tuple[int, ...]]  # a string the finder finds → the patterns that may match the line
    always: tuple[int, ...]  # the patterns tried on every line

    def kind(self, line: str) -> tuple[str, str]:
        """(kind, reason) of the first pattern that matches the line, else ("", "")."""
        if not self.patterns:
            return "", ""
        lower = line.lower()
        starting = self.by_first.get(lower[:1], ())
        ending = self.by_last.get(lower[-1:], ())
        found = self.finder.findall(lower) if self.finder else ()
        if not (starting or ending or found or self.always):  # (most lines)
            return "", ""
        candidates = {*starting, *self.always}
        for suffix, index in ending:
            if lower.endswith(suffix):
                candidates.add(index)
        for string in found:
            candidates.update(self.owners[string])
        for index in sorted(candidates):
            kind, reason, pattern, anchored = self.patterns[index]
            if pattern.match(lower) if anchored else pattern.search(lower):
                return kind, reason
        return "", ""


def line_markers(markers: list[tuple[str, str, str, bool]]) -> LineMarkers:
    """The LineMarkers of (kind, reason, regex, anchored) patterns: each known by its first characters (anchored
    patterns), else by its suffixes or needed strings, whichever have the longer shortest string."""
    by_first: dict[str, list[int]] = defaultdict(list)
    by_last: dict[str, list[tuple[str, int]]] = defaultdict(list)
    needs: dict[int, frozenset[str]] = {}
    always = []
    for index, (_, _, regex, anchored) in enumerate(markers):
        firsts = pattern_first_characters(regex) if anchored else None
        suffixes, required = pattern_suffixes(regex), pattern_required_strings(regex)
        if firsts is not None:
            for first in firsts:
                by_first[first].append(index)
        elif suffixes and (not required or min(map(len, suffixes)) >= min(map(len, required))):
            for suffix in suffixes:
                by_last[suffix[-1]].append((suffix, index))
        elif required:
            needs[index] = required
        else:
            always.append(index)
    finder, owners = needed_string_finder(needs)
    return LineMarkers(tuple((kind, reason, re.compile(regex), anchored) for kind, reason, regex, anchored in markers),
                       {first: tuple(indexes) for first, indexes in by_first.items()},
                       {last: tuple(pairs) for last, pairs in by_last.items()}, finder, owners, tuple(always))


def needed_string_finder(needs: dict[int, frozenset[str]]) -> tuple[re.Pattern | None, dict[str, tuple[int, ...]]]:
    """A regex finding the strings patterns need (pattern → strings one of which each match contains), and for each
    string it finds the patterns that may match a line where it is found.

    It looks for the needed strings that hold none of the others: a line holding a needed string holds one of these,
    and at most one of these starts at each place. Its matches do not overlap: a string it passes over starts inside
    one it found, so begins with an end of that one. So the owners of a string are the patterns needing a string that
    holds it or a string that begins with an end of it."""
    kept = minimal_strings(set().union(*needs.values()))
    starting: dict[str, set[str]] = defaultdict(set)  # a prefix → the kept strings beginning with it
    for other in kept:
        for length in range(1, len(other) + 1):
            starting[other[:length]].add(other)
    holding = {part: {index for index, strings in needs.items() if any(part in need for need in strings)}
               for part in kept}  # a kept string → the patterns needing a string that holds it
    owners = {}
    for string in kept:
        reached = {string}.union(*(starting.get(string[cut:], ()) for cut in range(1, len(string))))
        owners[string] = tuple(sorted(set().union(*(holding[part] for part in reached))))
    return string_finder(frozenset(kept)), owners


@lru_cache(maxsize=1)
def markers_by_length() -> tuple[tuple[int, ...], tuple[LineMarkers, ...]]:
    """(length limits, LineMarkers): a line of length n uses the LineMarkers at bisect_left(limits, n). The limits
    are those of `markers_for`, so the same patterns apply to every line of a range (those of its shortest line)."""
    limits = tuple(sorted({MAX_END_LINE, MAX_MARKER_LINE, MAX_LONG_MARKER_LINE}))
    return limits, tuple(line_markers(markers_for(shortest)) for shortest in (1, *(limit + 1 for limit in limits)))


@lru_cache(maxsize=1)
def inline_markers() -> tuple[tuple[str, re.Pattern, str | None, tuple[str, ...] | None], ...]:
    """Boilerplate inside lines of text: reason, regex, the characters its matches start with and strings one of
    which every match contains (for quicker first tests; None: unknown)."""
    markers = []
    for reason, pattern in read_sections("inline_boilerplate.txt"):
        starts, required = pattern_first_characters(pattern), pattern_required_strings(pattern)
        markers.append((reason, re.compile(pattern), "".join(sorted(starts)) if starts else None,
                        tuple(sorted(required)) if required else None))
    return tuple(markers)


@lru_cache(maxsize=1)
def inline_screen_characters() -> str:
    """Every character the inline markers' matches can start with (the first test of `strip_inline`)."""
    return "".join(sorted({character for _, _, starts, _ in inline_markers() for character in starts or ""}))


@lru_cache(maxsize=1)
def byline_pattern() -> re.Pattern:
    """A trailing parenthesised credit such as （中国工业报记者 孟凡君）, built from `byline_words.txt`."""
    words = [line.strip() for line in (RESOURCES / "byline_words.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"[（(]\s*(?P<before>[^()（）]{{0,24}}?)(?P<word>{alternatives})\s*[/:：]?\s*"
                      rf"(?P<after>[^()（）]{{0,30}})[）)]\s*$")


def opencc_table(name: str) -> dict[str, str]:
    """An OpenCC dictionary (shipped with opencc-python-reimplemented): entry → its first conversion."""
    import opencc

    table = {}
    for line in (Path(opencc.__file__).parent / "dictionary" / name).read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and values.split():
            table[key] = values.split()[0]
    return table


@lru_cache(maxsize=1)
def traditional_only_chars() -> frozenset[str]:
    """Characters written only in Traditional script (OpenCC's T→S table minus characters Simplified uses)."""
    changed = {key for key, value in opencc_table("TSCharacters.txt").items() if key != value}
    return frozenset(changed - set(opencc_table("STCharacters.txt")))


@lru_cache(maxsize=1)
def t2s_tables() -> tuple[dict[int, str], dict[str, str]]:
    """OpenCC's Traditional → Simplified data: a `str.translate` table of characters, and the phrase table."""
    characters = {ord(key): value for key, value in opencc_table("TSCharacters.txt").items() if len(key) == 1}
    return characters, opencc_table("TSPhrases.txt")


@lru_cache(maxsize=1)
def phrase_pattern() -> re.Pattern:
    """A regex finding any phrase of OpenCC's phrase table, the longest where several start at the same place
    (OpenCC's maximum forward matching)."""
    return re.compile(trie_pattern(t2s_tables()[1]))


@lru_cache(maxsize=1)
def phrase_start_pattern() -> re.Pattern:
    """A regex finding where a phrase of OpenCC's phrase table may start: its first two characters (a quick test;
    its first character if a phrase has only one)."""
    phrases = t2s_tables()[1]
    firsts = characters_pattern({phrase[0] for phrase in phrases}).pattern
    if min(map(len, phrases)) < 2:
        return re.compile(firsts)
    return re.compile(firsts + characters_pattern({phrase[1] for phrase in phrases}).pattern)


def phrase_matches(text: str) -> list[re.Match]:
    """The phrases of OpenCC's phrase table in the text, as `phrase_pattern().finditer` finds them, but tried only
    where `phrase_start_pattern` finds a possible start (the phrase regex is slow to try)."""
    matches, position = [], 0
    while (start := phrase_start_pattern().search(text, position)) is not None:
        match = phrase_pattern().match(text, start.start())
        if match:
            matches.append(match)
            position = match.end()
        else:
            position = start.start() + 1
    return matches


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of the (non-empty) words, the longest of those that start at the same place.

    Written as a trie (each prefix once: 一(?:丘之貉|...)), which `re` tries much faster than a list of whole words.
    """
    root: dict = {}
    for word in words:
        node = root
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}  # a word ends here
    return trie_node_pattern(root)


def trie_node_pattern(node: dict) -> str:
    """The regex of a trie node: one of its continuations, or nothing if a word ends there (the longer tried first)."""
    branches = [re.escape(character) + trie_node_pattern(child) for character, child in node.items() if character]
    if not branches:
        return ""
    pattern = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{pattern})?" if "" in node else pattern


@lru_cache(maxsize=1)
def t2s_character_table() -> np.ndarray:
    """OpenCC's character conversions as a table of code points below 0x10000 (each turns one character into one:
    `ord` would fail otherwise)."""
    table = np.arange(0x10000, dtype=np.uint32)
    for code, value in t2s_tables()[0].items():
        if code < 0x10000:
            table[code] = ord(value)
    return table


def convert_characters(text: str) -> str:
    """The text with every character converted by OpenCC's T→S character table (one character for one)."""
    points = code_points(text)
    if points.max(initial=0) >= 0x10000:  # a character beyond the table: the slower way
        return text.translate(t2s_tables()[0])
    return t2s_character_table().take(points).tobytes().decode("utf-32-le", "surrogatepass")


def to_simplified(text: str) -> str:
    """Traditional → Simplified as OpenCC's t2s does it: its phrase table first, then character by character."""
    phrases = t2s_tables()[1]
    converted = convert_characters(text)  # one character for one: a phrase is where it was in `text`
    pieces, end = [], 0
    for match in phrase_matches(text):
        pieces += (converted[end: match.start()], phrases[match.group()])
        end = match.end()
    return "".join([*pieces, converted[end:]]) if pieces else converted


# ---------------------------------------------------------------- text normalisation


def normalise_text(text: str) -> str:
    """Full-width digits, letters and % to half-width; odd spaces to spaces; runs of spaces collapsed."""
    if not text:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = TO_HALF_WIDTH.sub(lambda match: match.group(0).translate(FULLWIDTH), text)
    if "．" in text:
        text = DECIMAL_POINT.sub(".", text)
    return collapse_spaces(text).strip(" ")


def collapse_spaces(text: str) -> str:
    """Runs of spaces and tabs as one space, and no space next to a line break."""
    if "\t" in text:
        text = SPACES.sub(" ", text)
    elif "  " in text:  # (a single space needs no change: only runs are replaced, with a quicker regex)
        text = SPACE_RUNS.sub(" ", text)
    if " \n" in text or "\n " in text:  # no two spaces in a row by now: at most one on either side of a line break
        text = text.replace(" \n", "\n").replace("\n ", "\n")
    return text


def count(pattern: re.Pattern, text: str) -> int:
    """How many characters of `text` the one-character `pattern` matches."""
    return len(text) - len(pattern.sub("", text))


SCRIPT_BITS = {"cjk": 1, "kana": 2, "latin": 4, "gb2312": 8}


@lru_cache(maxsize=1)
def script_table() -> np.ndarray:
    """SCRIPT_BITS of every UTF-16 code unit (CJK, kana, Latin letter, encodable in GB2312; 0 for the surrogates,
    so that a character beyond 0xFFFF counts as none of them)."""
    every_character = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=np.uint8)
    for name, pattern in (("cjk", CJK), ("kana", KANA), ("latin", LATIN)):
        table[code_points("".join(pattern.findall(every_character)))] |= SCRIPT_BITS[name]
    table[gb2312_code_points()] |= SCRIPT_BITS["gb2312"]
    return table


def gb2312_code_points() -> list[int]:
    """The code points GB2312 encodes: ASCII, and what its two-byte codes (A1–F7, A1–FE) decode to (a quarter of
    the time of trying to encode every character)."""
    points = list(range(0x80))
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                points.append(ord(bytes((lead, trail)).decode("gb2312")))
            except UnicodeDecodeError:  # an unassigned code
                pass
    return sorted(points)


@lru_cache(maxsize=1)
def script_memberships() -> np.ndarray:
    """A 0/1 matrix: row v (a combination of SCRIPT_BITS), column s (a script of SCRIPT_BITS) is 1 when v includes s."""
    bits = np.array(list(SCRIPT_BITS.values()), dtype=np.int64)
    combinations = np.arange(bits.sum() + 1, dtype=np.int64)  # (every sum of distinct bits)
    return (combinations[:, None] & bits[None, :] != 0).astype(np.int64)


def utf16_units(text: str) -> np.ndarray:
    """The text's UTF-16 code units (a character beyond 0xFFFF is two surrogates)."""
    # (plain "utf-16": the machine's byte order after a 2-byte byte-order mark; str.encode does it without a codec
    # lookup, unlike "utf-16-le")
    return np.frombuffer(text.encode("utf-16", "surrogatepass"), dtype=np.uint16, offset=2)


def script_counts(text: str) -> dict[str, int]:
    """How many characters of the text are CJK, kana, Latin letters, and encodable in GB2312."""
    return texts_script_counts([text])[0]


def texts_script_counts(texts: list[str]) -> list[dict[str, int]]:
    """`script_counts` of each text, found in one pass over them all (a batch's pages at once)."""
    joined = "".join(texts)
    classes = script_table().take(utf16_units(joined))  # SCRIPT_BITS of each character
    if len(classes) == len(joined):
        units_per_text = list(map(len, texts))
    else:  # characters beyond 0xFFFF (two code units each, of no script)
        units_per_text = [len(text.encode("utf-16-le", "surrogatepass")) // 2 for text in texts]
    owners = np.repeat(np.arange(len(texts), dtype=np.int32), units_per_text)  # (the text of each code unit)
    # (one count of each combination of bits per text, then the scripts' sums)
    combinations = len(script_memberships())
    counts = np.bincount(owners * combinations + classes, minlength=len(texts) * combinations)
    sums = counts.reshape(len(texts), combinations) @ script_memberships()
    return [dict(zip(SCRIPT_BITS, row, strict=True)) for row in sums.tolist()]


@lru_cache(maxsize=1)
def traditional_table() -> np.ndarray:
    """For every code unit, whether it is a Traditional-only character (`traditional_only_chars`)."""
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(character) for character in traditional_only_chars() if ord(character) < 0x10000]] = True
    return table


def distinct_traditional_and_cjk(text: str) -> tuple[int, int]:
    """How many distinct Traditional-only characters and distinct CJK characters the text holds."""
    units = utf16_units(text)
    if len(units) != len(text):  # a character beyond 0xFFFF (two code units): character by character
        distinct = set(text)
        return len(distinct & traditional_only_chars()), count(CJK_RUN, "".join(distinct))
    ordered = np.sort(units)  # (as np.unique, without its overhead)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    distinct_units = ordered[first]
    n_cjk = np.count_nonzero(script_table().take(distinct_units) & SCRIPT_BITS["cjk"])
    return int(np.count_nonzero(traditional_table().take(distinct_units))), int(n_cjk)


def detect_lang(text: str) -> str:
    """zh-Hans / zh-Hant / ja / en / other, from the script of the letters; "" when there are none."""
    return detect_langs([text])[0]


def detect_langs(texts: list[str]) -> list[str]:
    """`detect_lang` of each text, their scripts counted all at once."""
    samples = [text[:LANG_SAMPLE] for text in texts]
    return list(map(sample_lang, samples, texts_script_counts(samples)))


def sample_lang(sample: str, counts: dict[str, int]) -> str:
    """`detect_lang` of a text's first LANG_SAMPLE characters, given their `script_counts`."""
    n_cjk, n_kana, n_latin = counts["cjk"], counts["kana"], counts["latin"]
    if n_cjk + n_kana + n_latin == 0:
        return ""
    if n_kana > 0.2 * (n_cjk + n_kana):
        return "ja"
    if n_cjk < 0.2 * (n_cjk + n_latin / 4):
        return "en" if n_latin else "other"
    outside_gb2312 = len(sample) - counts["gb2312"]
    if outside_gb2312 < 3 or outside_gb2312 < 0.03 * n_cjk:  # quick screen: Simplified text is almost all GB2312
        return "zh-Hans"
    n_traditional, n_distinct_cjk = distinct_traditional_and_cjk(sample)
    return "zh-Hant" if n_traditional >= 3 and n_traditional > 0.05 * n_distinct_cjk else "zh-Hans"


def is_chinese_line(line: str, cjk_run: re.Match | None = None) -> bool:
    """Whether a line is (mostly) Chinese rather than another language: it holds CJK characters, and is mostly
    non-ASCII, or has 8 CJK characters or more, or at least one for eight Latin letters. (`cjk_run`: a run of CJK
    characters of the line, if the caller has found one.)"""
    first_run = cjk_run or (CJK_RUN.search(line) if not line.isascii() else None)
    if first_run is None:
        return False
    if first_run.end() - first_run.start() >= 8 or len(line.encode("ascii", "ignore")) * 2 < len(line):
        return True
    n_cjk = count(CJK_RUN, line)
    return n_cjk >= 8 or n_cjk * 4 >= count(LATIN_RUN, line) * 0.5


# ---------------------------------------------------------------- dates, bylines, metadata


def parse_date(text: str) -> str:
    """The first full date (with a year) in `text` as YYYY-MM-DD, or ""."""
    if "19" not in text and "20" not in text:  # every DATE starts with a year 19xx / 20xx
        return ""
    for match in DATE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def is_meta_line(line: str) -> bool:
    """A short dateline / timestamp line (not a sentence that mentions a date)."""
    if len(line) > MAX_META_LINE or "。" in line or "！" in line or "？" in line or not parse_date(line):
        return False
    # (a time, a date label, or little else than the date and time; a time needs a colon, and the line holds at
    # least as many CJK characters as it holds without them)
    return (count(CJK_RUN, line) <= 12 or (":" in line and TIME.search(line) is not None)
            or DATE_KEYS.search(line) is not None or count(CJK_RUN, DATE.sub("", TIME.sub("", line))) <= 12)


CLOSING_BRACKETS = (")", "）")  # the characters `byline_pattern` ends with (before trailing spaces)


def split_credit(line: str) -> tuple[str, str, str] | None:
    """(line without its trailing credit, the credit, source + "\\t" + author) or None when there is none."""
    if not line.rstrip().endswith(CLOSING_BRACKETS):  # a credit closes the line
        return None
    match = byline_pattern().search(line)
    if not match or (match.start() == 0 and len(line) > 40):
        return None
    before, after, word = match["before"].strip(" □/"), match["after"].strip(" /"), match["word"]
    if word in {"原题", "刊于"}:
        return line[: match.start()].rstrip(), match.group(0).strip(), ""
    if word == "来源":
        return line[: match.start()].rstrip(), match.group(0).strip(), f"{after}\t"
    source = re.sub(r"^(本报|特约)$", "", before)
    return line[: match.start()].rstrip(), match.group(0).strip(), f"{source}\t{after}"


def source_from_line(line: str) -> str:
    """The outlet named in a 来源/转自/据…报道 line, or ""."""
    match = SOURCE_VALUE.search(line) or REPORTED_BY.search(line)
    return SOURCE_STOP.sub("", match.group(1)).strip() if match else ""


def author_from_line(line: str) -> str:
    """The author named in a 作者:/记者: line, or ""."""
    match = AUTHOR_VALUE.search(line)
    return match.group(1).strip() if match else ""


# ---------------------------------------------------------------- classifying lines


CUT_REPLACEMENTS = frozenset(" \n")  # what `strip_inline` puts in the place of a cut


def strip_inline(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The text without inline boilerplate (tickers, artifacts, captions) and the cuts: (line_no, text, reason)."""
    cuts: list[tuple[int, str, str]] = []
    # first tests: `in` finds a character much faster than a regex scans the text
    present = {character for character in inline_screen_characters() if character in text}
    for reason, pattern, starts, required in inline_markers():
        if (starts and present.isdisjoint(starts)) or (required and not any(string in text for string in required)):
            continue
        if matches_somewhere(pattern, text, starts):
            cuts.extend((text.count("\n", 0, match.start()) + 1, match.group(0).strip(), reason)
                        for match in pattern.finditer(text))
            text = pattern.sub(lambda match: "\n" * match.group(0).count("\n") or " ", text)
            present |= CUT_REPLACEMENTS
    if cuts:
        text = collapse_spaces(text).strip(" ")
    return text, cuts


MAX_TRIED_STARTS = 8  # places `matches_somewhere` tries one by one, before it searches the rest of the text


def matches_somewhere(pattern: re.Pattern, text: str, starts: str | None) -> bool:
    """Whether the regex matches in the text; `starts`: the characters its matches start with (None: unknown).

    `find` finds these much faster than the regex scans the text: the regex is tried where a match can start (at
    most MAX_TRIED_STARTS places per character, then by a search of the rest).
    """
    if starts is None:
        return pattern.search(text) is not None
    for character in starts:
        position = text.find(character)
        for _ in range(MAX_TRIED_STARTS):
            if position < 0:
                break
            if pattern.match(text, position):
                return True
            position = text.find(character, position + 1)
        else:
            if position >= 0 and pattern.search(text, position):  # (a match starting with any character counts)
                return True
    return False


def marker_kind(line: str) -> tuple[str, str]:
    """("end", reason) for a heading that ends the article (a related-list or hot-list heading…, short lines only),
    ("marker", reason) for a boilerplate line by its markers, else ("", "")."""
    limits, by_length = markers_by_length()
    return by_length[bisect_left(limits, len(line))].kind(line)


def line_kind(line: str, chinese_page: bool = True) -> tuple[str, str]:
    """(kind, reason) of a cleaned, non-blank line: kinds meta, end, marker, noise, foreign, strong, weak.

    On a Chinese page a line in another language is "foreign" (e.g. a parallel translation); on a page in
    another language its lines are judged by length and sentence punctuation alone.
    """
    cjk_words = CJK_WORD_RUN.search(line) if chinese_page else None  # (holding one, a line is no noise)
    if cjk_words is None and not WORDISH.search(line):
        return "noise", "noise"
    if is_meta_line(line):
        return "meta", "timestamp"
    kind, reason = marker_kind(line)
    if kind:
        return kind, reason
    if chinese_page and not is_chinese_line(line, cjk_words):
        return "foreign", "foreign language"
    punctuation = SENTENCE_PUNCT if chinese_page else LATIN_SENTENCE_PUNCT
    if len(line) >= 2 * MIN_STRONG_PROSE or (len(line) >= MIN_STRONG_PROSE and punctuation.search(line)):
        return "strong", ""
    return "weak", ""


def is_title_like(line: str) -> bool:
    """A headline's shape: short, Chinese, not a sentence end, not a label, bullet or bracket."""
    low, high = TITLE_LENGTH
    return (low <= len(line) <= high and "。" not in line and not line.startswith(("[", "【", "(", "（"))
            and not line.endswith(("...", "…")) and count(CJK_RUN, line) >= 4  # (the quicker tests first)
            and not LABEL_END.search(line) and not KEY_VALUE.match(line) and not BULLET.match(line))


def comparable(text: str) -> str:
    """Text reduced for comparisons: no spaces or punctuation (its letters, digits and CJK characters)."""
    return "".join(WORDISH_RUN.findall(text))


# ---------------------------------------------------------------- splitting a page


def prepare_lines(text: str, chinese_page: bool = True) -> list[tuple[int, str, str, str]]:
    """(line_no, line, kind, reason) for every non-blank line of a normalised page."""
    return [(number, line, *line_kind(line, chinese_page)) for number, line in enumerate(text.split("\n"), start=1)
            if line]


TEXT_KINDS = frozenset({"strong", "weak"})  # kinds of the lines of article text


def first_index(kinds: list[str], kind: str, start: int = 0) -> int:
    """Index of the first row of `kind` from `start` on, or len(kinds) (`list.index`: quicker than a loop)."""
    if kind not in kinds:  # (often: a page without an end marker; raising and catching ValueError costs more)
        return len(kinds)
    try:
        return kinds.index(kind, start)
    except ValueError:  # (only before `start`)
        return len(kinds)


def choose_title(rows: list, kinds: list[str], first: int, hint: str) -> int | None:
    """Index (in `rows`) of the headline before the body: above the first dateline, else the first title-like line.
    `kinds`: the kind of every row; `first`: the index of the first paragraph."""
    if hint:
        return None
    for meta in range(first):  # the first dateline / byline / source line of the header
        if kinds[meta] == "meta" or rows[meta][3] in {"byline", "source"}:
            for i in range(meta - 1, -1, -1):
                if kinds[i] == "weak" and is_title_like(rows[i][1]):
                    return i
            return None
    for i in range(first):
        if kinds[i] == "weak" and is_title_like(rows[i][1]):
            return i
    return None


def body_bounds(rows: list, kinds: list[str], extracted: bool, title_index: int | None, title: str,
                needs_prose: bool = False) -> tuple[int, int]:
    """(start, stop) indexes in `rows` of the article body: from the first paragraph to the first end marker.

    `kinds`: the kind of every row; `extracted`: the text is an extractor's main content (it starts at the article);
    `needs_prose`: no body unless some line is real prose (text from every element of an HTML page).
    """
    n_rows = len(rows)
    if extracted:
        start = next((i for i, kind in enumerate(kinds) if kind in TEXT_KINDS and i != title_index), n_rows)
    else:
        start = first_index(kinds, "strong")
        if start == n_rows and needs_prose:  # page text from every element: a body needs a sentence
            start = next((i for i, row in enumerate(rows) if row[2] == "weak" and ENDS_LIKE_SENTENCE.search(row[1])),
                         n_rows)
            if start == n_rows:
                return n_rows, n_rows
        title_key = comparable(title)
        if start == n_rows:
            start = next((i for i, kind in enumerate(kinds) if kind in TEXT_KINDS and i != title_index
                          and comparable(rows[i][1]) != title_key), n_rows)
        while (start > 0 and kinds[start - 1] == "weak" and start - 1 != title_index
               and ENDS_LIKE_SENTENCE.search(rows[start - 1][1])
               and comparable(rows[start - 1][1]) != title_key):
            start -= 1
    stop = first_index(kinds, "end", start)
    last_strong = start
    for i in range(stop - 1, start, -1):
        if kinds[i] == "strong":
            last_strong = i
            break
    run = [i for i in range(last_strong + 1, stop) if kinds[i] == "weak"]
    if len(run) >= 3 and all(is_title_like(rows[i][1]) or rows[i][1].endswith(("...", "…")) for i in run):
        stop = run[0]
    return start, stop


def header_metadata(rows: list) -> dict:
    """Published date, source and author from the datelines and bylines among `rows` (header and body)."""
    published = source = author = ""
    for _, line, kind, reason in rows:
        if not reason and kind != "meta":  # (article text: nothing to find)
            continue
        if not published and kind == "meta" and not DATE_BANNERS.search(line):
            published = parse_date(line)
        if not source and reason in {"source", "timestamp", "byline"}:
            source = source_from_line(line)
        if not author and reason in {"byline", "timestamp"}:
            author = author_from_line(line)
    return {"published": published, "source": source, "author": author}


def split_page(page: Page) -> Article:
    """The article in a page: metadata, body paragraphs, removed lines (each with a reason)."""
    return split_pages([page])[0]


def split_pages(pages: list[Page]) -> list[Article]:
    """`split_page` of each page, a batch at once: the scripts of all the pages are counted in one pass, and the
    lines of all their bodies keyed in one."""
    texts = [normalise_text(page.text) for page in pages]
    laid_out = list(map(lay_out_page, pages, texts, detect_langs(texts)))
    body_keys = comparable_keys([row[1] for _, layout in laid_out for row in layout.rows[layout.start:layout.stop]])
    first = 0  # (the page's first body line among those of all pages)
    for page, (article, layout) in zip(pages, laid_out, strict=True):
        end = first + layout.stop - layout.start
        keep_body(article, layout, body_keys[first:end])
        article.flags = page_flags(article, page)
        first = end
    return [article for article, _ in laid_out]


class PageLayout(NamedTuple):
    """A page's classified lines and where its title and body are."""

    rows: list[tuple[int, str, str, str]]  # (line_no, line, kind, reason) of every non-blank line
    start: int  # the first row of the body
    stop: int  # the row after the body's last
    title_index: int | None  # the title's row, if the title is a row
    title: str


def lay_out_page(page: Page, text: str, lang: str) -> tuple[Article, PageLayout]:
    """The page's article with its metadata (its body not yet kept), and the page's layout; given the page's text
    normalised (`normalise_text`) and its language (`detect_lang`)."""
    hints = page.hints
    article = Article(page.doc_id, page.path, page.encoding, original_text=page.text,
                      url=str(hints.get("url", "") or ""), lang=lang)
    if article.lang == "zh-Hant":
        text = to_simplified(text)
        article.converted_to_simplified = True
    published = ""
    token = DATE_TOKEN.match(text)
    if token:
        published = token.group(1)
        article.removed.append((1, token.group(0).strip(), "metadata"))
        text = text[token.end():]
    text, cuts = strip_inline(text)
    if cuts:
        article.removed.extend(cut for cut in cuts if cut[1])
    rows = prepare_lines(text, chinese_page=article.lang.startswith("zh") or not article.lang)
    kinds = [row[2] for row in rows]
    hint_title = normalise_text(str(hints.get("title", "") or "")).replace("\n", " ")
    if article.converted_to_simplified:
        hint_title = to_simplified(hint_title)
    first_prose = first_index(kinds, "strong")
    if first_prose == len(rows):  # short paragraphs only: the first sentence
        first_prose = next((i for i, row in enumerate(rows) if row[2] == "weak" and "。" in row[1]), len(rows))
    title_index = choose_title(rows, kinds, first_prose, hint_title)
    title = hint_title or (rows[title_index][1] if title_index is not None else "")
    extractor = hints.get("extractor", "")
    start, stop = body_bounds(rows, kinds, page.html is not None and extractor != "tags", title_index, title,
                              needs_prose=extractor == "tags")
    meta = header_metadata(rows[:stop])
    hint_date = parse_date(str(hints.get("date", "") or ""))
    article.title = title
    article.published = hint_date or published or meta["published"]
    article.source = str(hints.get("source", "") or "") or meta["source"]
    article.author = str(hints.get("author", "") or "") or meta["author"]
    return article, PageLayout(rows, start, stop, title_index, title)


def keep_body(article: Article, layout: PageLayout, body_keys: list[str]) -> None:
    """Fill the article's paragraphs and removed lines from the page's layout (`body_keys`: the `comparable_keys`
    of the lines of its body rows)."""
    rows, start, stop, title_index, title = layout
    seen: set[str] = set()
    title_key = comparable(title)
    tail_reason = "related list"
    for i, (number, line, kind, reason) in enumerate(rows):
        if i >= stop and kind == "end":
            tail_reason = reason
        if i < start or i >= stop:
            if i == title_index:
                why = "title"
            elif i >= stop:
                why = "snippet" if line.endswith(("...", "…")) else (reason if kind in {"end", "marker"}
                                                                     else tail_reason)
            else:
                why = reason or ("title" if comparable(line) == title_key else "header")
            article.removed.append((number, line, why))
            continue
        if kind not in {"strong", "weak"}:
            article.removed.append((number, line, reason))
            continue
        key = body_keys[i - start]
        if key == title_key and title:
            article.removed.append((number, line, "title"))
            continue
        if len(key) >= 12 and key in seen:
            article.removed.append((number, line, "duplicate"))
            continue
        seen.add(key)
        credit = split_credit(line)
        if credit:
            line, credit_text, names = credit
            article.removed.append((number, credit_text, "byline"))
            source, _, author = names.partition("\t")
            article.source = article.source or source.strip()
            article.author = article.author or author.strip()
            if not line:
                continue
        article.paragraphs.append(line)
    article.removed.sort(key=operator.itemgetter(0))


def page_flags(article: Article, page: Page) -> list[str]:
    """Flags a reader should know about: no body, not Chinese, truncated file, very short body."""
    flags = []
    if not article.paragraphs:
        flags.append("no article body")
    elif sum(map(len, article.paragraphs)) < 50:
        flags.append("very short body")
    if article.lang and not article.lang.startswith("zh"):
        flags.append("not Chinese")
    if "truncated" in page.encoding:
        flags.append("truncated file")
    return flags


# ---------------------------------------------------------------- sentences and in-article duplicates


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, split after 。！？；… (and ! ? ;) with closing quotes kept attached."""
    return SENTENCE.findall(paragraph)


def article_sentences(paragraphs: list[str]) -> tuple[list[int], list[str]]:
    """The sentences of the paragraphs (as `split_sentences` finds them) and the paragraph number of each, found
    with one regex pass over the paragraphs joined by line breaks."""
    found = SENTENCE_OR_BREAK.findall("\n".join(paragraphs))  # sentences, and the line breaks between paragraphs
    if found.count("\n") != len(paragraphs) - 1:  # a paragraph holds a line break (or there are none): one at a time
        found = [(para_id, sentence) for para_id, paragraph in enumerate(paragraphs)
                 for sentence in split_sentences(paragraph)]
        return [para_id for para_id, _ in found], [sentence for _, sentence in found]
    is_sentence = list(map("\n".__ne__, found))
    para_ids = accumulate(map(operator.not_, is_sentence))  # (the number of line breaks up to each sentence)
    return list(compress(para_ids, is_sentence)), list(compress(found, is_sentence))


# a decimal (with an optional unit) or an integer with a unit. Matches start at a number's first digit (the lookbehind)
# and never give digits back (the possessive repeats): a number that is no figure is rejected once, not digit by digit.
# The leading \d outside the alternatives lets `re` skip quickly to the digits.
FIGURE = re.compile(r"\d(?<!\d\d)\d*+(?:\.\d++ ?(?:%|万|亿|吨|元|美元)?| ?(?:%|万|亿|吨|元|美元))")
NO_FIGURES: frozenset[str] = frozenset()


def figures(sentence: str) -> frozenset[str]:
    """The numeric figures a sentence quotes (decimals, or with % / 万 / 亿 / 吨 / 元), for spotting restatements."""
    found = FIGURE.findall(sentence)
    if not found:
        return NO_FIGURES
    if " " in sentence:  # (a figure may hold a space, before its unit)
        return frozenset(figure.replace(" ", "") for figure in found)
    return frozenset(found)


def comparable_keys(texts: list[str]) -> list[str]:
    """`comparable` of every text, all at once: the texts joined by line breaks, the characters `comparable` keeps
    (and the line breaks) picked with a table of code points, then split again."""
    points = code_points("\n".join(texts))
    keep = kept_by_comparable(points, comparable_or_line_break_table())
    # (plain "utf-32", as `code_points` encodes: no codec lookup; with no byte-order mark, the kept characters never
    # start with one, the machine's byte order)
    keys = points[keep].tobytes().decode("utf-32").split("\n")
    if len(keys) != len(texts):  # a text holds a line break (or there are none): one text at a time
        return [comparable(text) for text in texts]
    return keys


@lru_cache(maxsize=1)
def comparable_or_line_break_table() -> np.ndarray:
    """`comparable_bmp_table` that also keeps the line break."""
    table = comparable_bmp_table().copy()
    table[ord("\n")] = True
    return table


def duplicate_of(sentences: list[str], keys: list[str] | None = None) -> list[int]:
    """For every sentence, the index of an earlier sentence it repeats or restates, else -1 (`keys`: their
    `comparable_keys`, if the caller has them).

    Exact repeats (ignoring spaces and punctuation); near repeats (character-bigram Jaccard >= NEAR_DUP_JACCARD);
    restatements quoting the same two or more figures with some wording in common. Candidates come from an
    index of each sentence's opening and closing characters and of its figures, so long articles stay fast.
    """
    if len(sentences) < 2:
        return [-1] * len(sentences)
    if keys is None:
        keys = comparable_keys(sentences)
    figures_of = [NO_FIGURES if key.isalpha() else figures(sentence)  # (letters only: no digit, no figures)
                  for key, sentence in zip(keys, sentences, strict=True)]
    heads, tails = list(map(OPENING, keys)), list(map(CLOSING, keys))
    if nothing_to_compare(keys, heads, tails, figures_of):  # (the usual case)
        return [-1] * len(keys)
    return repeats_and_restatements(keys, heads, tails, figures_of)


OPENING = operator.itemgetter(slice(None, DUP_ANCHOR))  # a key's opening characters ...
CLOSING = operator.itemgetter(slice(-DUP_ANCHOR, None))  # ... and closing characters, for the index of `duplicate_of`


def nothing_to_compare(keys: list[str], heads: list[str], tails: list[str], figures_of: list[frozenset[str]]) -> bool:
    """Whether no sentence can repeat or restate another (the usual case): no two sentences quote the same two or
    more figures, and none with the same figures (which `restates` needs) share their opening or closing characters
    or their key."""
    several = [figs for figs in figures_of if len(figs) >= 2]
    if len(set(several)) < len(several):
        return False
    if len(set(heads)) == len(set(tails)) == len(keys):  # (then no key repeats either)
        return True
    return (len(set(keys)) == len(set(zip(heads, figures_of, strict=True)))
            == len(set(zip(tails, figures_of, strict=True))) == len(keys))


def repeats_and_restatements(keys: list[str], heads: list[str], tails: list[str],
                             figures_of: list[frozenset[str]]) -> list[int]:
    """`duplicate_of` from the sentences' keys, opening and closing characters and figures: exact repeats, then
    the first of at most MAX_DUP_CANDIDATES earlier sentences with the same opening or closing characters or figures
    that the sentence `restates`."""
    result = [-1] * len(keys)
    first: dict[str, int] = {}  # every key's first sentence
    by_head: dict[str, list[int]] = {}  # opening characters → sentences
    by_tail: dict[str, list[int]] = {}  # closing characters → sentences
    by_figures: dict[frozenset[str], list[int]] = {}
    grams_of: dict[int, set[int]] = {}

    def grams(index: int) -> set[int]:
        if index not in grams_of:
            grams_of[index] = bigrams(keys[index])
        return grams_of[index]

    for index, (key, head, tail, figs) in enumerate(zip(keys, heads, tails, figures_of, strict=True)):
        earlier = first.setdefault(key, index)
        if earlier < index:  # an exact repeat (if long enough to say something); not indexed
            if len(key) >= 6:
                result[index] = earlier
            continue
        if len(key) < 8:  # too short to index
            continue
        candidates = [*by_head.get(head, ()), *by_tail.get(tail, ())]
        if len(figs) >= 2:
            candidates += by_figures.get(figs, ())
        if candidates:  # (restates needs the same figures: checked first, before building bigrams)
            result[index] = next((earlier for earlier in sorted(set(candidates))[:MAX_DUP_CANDIDATES]
                                  if figures_of[earlier] == figs
                                  and restates(grams(index), figs, grams(earlier), figures_of[earlier])), -1)
        by_head.setdefault(head, []).append(index)
        by_tail.setdefault(tail, []).append(index)
        if len(figs) >= 2:
            by_figures.setdefault(figs, []).append(index)
    return result


def bigrams(key: str) -> set[int]:
    """The key's character bigrams, each as one number (its two code points), to compare sentences with."""
    data = memoryview(key.encode("utf-32-le", "surrogatepass"))
    # (the pairs starting at even positions, then at odd ones, as 8-byte numbers)
    return {*data[: len(data) // 8 * 8].cast("Q"), *data[4: 4 + (len(data) - 4) // 8 * 8].cast("Q")}


def restates(grams: set[int], figs: frozenset[str], other_grams: set[int], other_figs: frozenset[str]) -> bool:
    """Whether two sentences (as bigram sets and figures) say the same thing (never when their figures differ)."""
    if not grams or not other_grams or figs != other_figs:
        return False
    common = len(grams & other_grams)
    if common / (len(grams) + len(other_grams) - common) >= NEAR_DUP_JACCARD:  # (the union's size)
        return True
    overlap = common / min(len(grams), len(other_grams))
    return len(figs) >= 2 and overlap >= SHARED_FIGURES_OVERLAP


# ---------------------------------------------------------------- tables


def typed(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """A table of rows (tuples in column order); text columns are pandas' `str`, the others as in COLUMN_DTYPES."""
    if not rows:
        return pd.DataFrame({column: pd.Series(dtype=COLUMN_DTYPES.get(column, "str")) for column in columns})
    return new_table({column: typed_column(values, column)
                      for column, values in zip(columns, zip(*rows, strict=True), strict=True)})


def typed_column(values: tuple, column: str) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A column's values as an array of its dtype: text as pandas' `str` (Arrow strings), the others as in
    COLUMN_DTYPES."""
    if column in COLUMN_DTYPES:
        return np.array(values, dtype=COLUMN_DTYPES[column])
    if set(map(type, values)) == {str}:  # (the usual case: made straight into Arrow, as pandas would store them)
        return strings_column(values)
    return np.array(values, dtype=object)  # missing or non-text values: pandas decides, as for any object column


ARTICLE_ROW = operator.itemgetter(*ARTICLE_COLUMNS)  # an articles row from the article's fields and computed values


def article_records(article: Article) -> dict[str, list[tuple]]:
    """The article's rows (tuples in column order) for every table: articles (one row), paragraphs, sentences
    (with duplicates), removed."""
    return articles_records([article])


def articles_records(articles: list[Article]) -> dict[str, list[tuple]]:
    """`article_records` of each article, joined table by table; the sentences of all of them are split, and their
    `comparable_keys` found, at once (a batch's articles in one pass each)."""
    para_ids, sentences = article_sentences([paragraph for article in articles for paragraph in article.paragraphs])
    keys = comparable_keys(sentences)
    rows: dict[str, list[tuple]] = {"articles": [], "paragraphs": [], "sentences": [], "removed": []}
    first_paragraph = first_sentence = 0  # (the article's first in the lists of all articles)
    for article in articles:
        doc_id, paragraphs = article.doc_id, article.paragraphs
        end = bisect_left(para_ids, first_paragraph + len(paragraphs), first_sentence)  # (para_ids ascend)
        texts, count = sentences[first_sentence:end], end - first_sentence
        repeats = duplicate_of(texts, keys[first_sentence:end])
        own_para_ids = [para_id - first_paragraph for para_id in para_ids[first_sentence:end]]
        rows["sentences"] += zip([doc_id] * count, own_para_ids, range(count), texts,
                                 [earlier >= 0 for earlier in repeats], repeats, strict=True)
        rows["paragraphs"] += zip([doc_id] * len(paragraphs), range(len(paragraphs)), paragraphs, strict=True)
        body = "\n".join(paragraphs)
        values = {"n_paragraphs": len(paragraphs), "n_chars": len(body) - body.count("\n") - body.count(" "),
                  "body": body, "flags": "; ".join(article.flags)}
        rows["articles"].append(ARTICLE_ROW(vars(article) | values))
        rows["removed"] += [(doc_id, number, text, reason) for number, text, reason in article.removed]
        first_paragraph, first_sentence = first_paragraph + len(paragraphs), end
    return rows


def article_tables(article: Article) -> dict[str, pd.DataFrame]:
    """The article as tables: articles (one row), paragraphs, sentences, removed."""
    return articles_tables([article])


def articles_tables(articles: list[Article]) -> dict[str, pd.DataFrame]:
    """Several articles as tables (one DataFrame per table for the lot, which is much faster than one each)."""
    columns = {"articles": ARTICLE_COLUMNS, "paragraphs": PARAGRAPH_COLUMNS, "sentences": SENTENCE_COLUMNS,
               "removed": REMOVED_COLUMNS}
    rows = articles_records(articles)
    return {name: typed(rows[name], columns[name]) for name in columns}


# ---------------------------------------------------------------- near-duplicate articles (corpus level)


def code_points(text: str) -> np.ndarray:
    """The text's Unicode code points (uint32)."""
    # (plain "utf-32": the machine's byte order after a 4-byte byte-order mark; str.encode does it without a codec
    # lookup, unlike "utf-32-le")
    return np.frombuffer(text.encode("utf-32", "surrogatepass"), dtype=np.uint32, offset=4)


def rolling_hashes(points: np.ndarray) -> np.ndarray:
    """The polynomial hash (uint64) of every window of SHINGLE code points (len(points) - SHINGLE + 1 values)."""
    points = points.astype(np.uint64)
    hashes = np.zeros(max(len(points) - SHINGLE + 1, 0), dtype=np.uint64)
    for offset in range(SHINGLE):  # in place: these arrays can hold the whole corpus
        np.multiply(hashes, np.uint64(SHINGLE_BASE), out=hashes)
        np.add(hashes, points[offset: offset + len(hashes)], out=hashes)
    return hashes


@lru_cache(maxsize=1)
def comparable_bmp_table() -> np.ndarray:
    """For every code point below 0x10000, whether `comparable` keeps the character (a letter, digit, _ or CJK)."""
    table = np.zeros(0x10000, dtype=bool)
    table[code_points(comparable("".join(map(chr, range(0x10000)))))] = True
    return table


def kept_by_comparable(points: np.ndarray, bmp_table: np.ndarray) -> np.ndarray:
    """For each code point, whether `comparable` keeps its character: as `bmp_table` (`comparable_bmp_table` or a
    variant) says below 0x10000, as `comparable`'s regex says beyond (rare characters, such as emoji)."""
    try:
        return bmp_table.take(points)
    except IndexError:  # characters beyond the table
        keep = bmp_table.take(np.minimum(points, 0xFFFF))
        beyond_bmp = np.flatnonzero(points > 0xFFFF)
        keep[beyond_bmp] = [WORDISH.match(chr(code)) is not None for code in points[beyond_bmp].tolist()]
        return keep


def comparable_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points of `comparable(text)` of every text, concatenated, and the length of each."""
    points = code_points("".join(texts))
    keep = kept_by_comparable(points, comparable_bmp_table())
    kept = np.flatnonzero(keep)
    ends = np.cumsum([len(text) for text in texts], dtype=np.int64)
    starts = ends - [len(text) for text in texts]
    return points[kept], np.searchsorted(kept, ends) - np.searchsorted(kept, starts)


def first_characters(points: np.ndarray, lengths: np.ndarray, chosen: np.ndarray, limit: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Of texts given as concatenated code points and lengths: the chosen texts cut to their first `limit` points."""
    if chosen.all() and lengths.max(initial=0) <= limit:
        return points, lengths
    keep = np.repeat(chosen, lengths)
    if lengths.max(initial=0) > limit:
        keep &= np.arange(len(points)) - np.repeat(np.cumsum(lengths) - lengths, lengths) < limit
    return points[keep], np.minimum(lengths[chosen], limit)


def corpus_shingles(points: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shingle hashes (with repeats) of texts given as concatenated code points and lengths (each >= SHINGLE),
    and the offsets where each text's hashes start (plus the end)."""
    hashes = rolling_hashes(points)
    crossing = (np.cumsum(lengths)[:, None] - np.arange(1, SHINGLE)[None, :]).ravel()  # windows into the next text
    keep = np.ones(len(hashes), dtype=bool)
    keep[crossing[crossing < len(hashes)]] = False
    return hashes[keep], np.concatenate([[0], np.cumsum(lengths - SHINGLE + 1)])


def mix(hashes: np.ndarray) -> np.ndarray:
    """The hashes scrambled by a multiplication with a large odd constant (a permutation of 64-bit values whose
    top bits depend on all bits of the hash)."""
    return hashes * np.uint64(0x9E3779B97F4A7C15)


def minhash_signatures(hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """One-permutation MinHash signatures (a row of N_HASHES values per text) of the texts' shingle hashes
    (concatenated runs, and the offsets where each text's run starts).

    Each shingle is hashed once; the top bits pick one of N_HASHES bins and each bin keeps its smallest hash
    (Li, Owen & Zhang 2012). Two texts agree in a bin with probability about their Jaccard similarity, as with
    N_HASHES separate hash functions, so the band threshold is the same. An empty bin (short texts) borrows
    the value of the next filled bin to its right, plus the distance (rotation densification).
    """
    n_texts = len(offsets) - 1
    mixed = mix(hashes)
    slots = (mixed >> np.uint64(64 - (N_HASHES - 1).bit_length())).astype(np.intp)  # the top bits number the bins
    slots += np.repeat(np.arange(0, n_texts * N_HASHES, N_HASHES), np.diff(offsets))
    empty = np.iinfo(np.uint64).max
    signatures = np.full(n_texts * N_HASHES, empty, dtype=np.uint64)
    np.minimum.at(signatures, slots, mixed)
    signatures = signatures.reshape(n_texts, N_HASHES)
    columns = np.arange(2 * N_HASHES)
    filled = np.tile(signatures != empty, 2)
    next_filled = np.minimum.accumulate(np.where(filled, columns, 2 * N_HASHES)[:, ::-1], axis=1)[:, ::-1]
    next_filled = next_filled[:, :N_HASHES]
    borrowed = np.take_along_axis(signatures, next_filled % N_HASHES, axis=1)
    return borrowed + (next_filled - columns[:N_HASHES]).astype(np.uint64)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """A hash of each band of BAND_ROWS signature values (rows: texts, columns: bands)."""
    bands = signatures.reshape(len(signatures), -1, BAND_ROWS)
    keys = bands[:, :, 0].copy()
    for row in range(1, BAND_ROWS):
        keys = keys * np.uint64(SHINGLE_BASE) + bands[:, :, row]
    return keys


def sorted_per_text(hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """A copy of the hashes with each text's run sorted."""
    result = hashes.copy()
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        result[start:end].sort()
    return result


def distinct_per_text(hashes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each text's distinct shingle hashes (sorted), concatenated, and the offsets where each text's start."""
    ordered = sorted_per_text(hashes, offsets)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    first[offsets[:-1][offsets[:-1] < len(ordered)]] = True
    kept = np.flatnonzero(first)
    return ordered[kept], np.searchsorted(kept, offsets)


def jaccards_with(values: np.ndarray, offsets: np.ndarray, text: int, others: np.ndarray) -> np.ndarray:
    """Shingle Jaccard of one text with each of `others` (texts given as `distinct_per_text` output)."""
    own = values[offsets[text]: offsets[text + 1]]
    theirs = np.concatenate([values[offsets[other]: offsets[other + 1]] for other in others])
    sizes = offsets[others + 1] - offsets[others]
    found = own[np.minimum(np.searchsorted(own, theirs), len(own) - 1)] == theirs
    common = np.add.reduceat(found, np.cumsum(sizes) - sizes, dtype=np.int64)
    return common / (len(own) + sizes - common)


def all_roots(parent: list[int]) -> np.ndarray:
    """The root of every element of a union-find forest."""
    roots = np.array(parent, dtype=np.intp)
    while True:
        up = roots[roots]
        if np.array_equal(up, roots):
            return roots
        roots = up


def band_buckets(keys: np.ndarray) -> list[np.ndarray]:
    """The texts (ascending) sharing one band key, for every key shared by two or more, by their first text."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], len(keys))
    buckets = [order[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True) if end - start > 1]
    return sorted(buckets, key=lambda members: members[0])


def shingle_sets(bodies: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For the bodies of >= 30 comparable characters: their indexes, their distinct shingle hashes (concatenated
    sorted runs, and the offsets where each run starts) and their MinHash signatures. Computed DUP_CHUNK_CHARS
    characters at a time, which keeps the arrays small."""
    indexed, runs, sizes, signatures = [], [], [], []
    chunk_start = 0
    while chunk_start < len(bodies):
        chunk_end, n_chars = chunk_start, 0
        while chunk_end < len(bodies) and (n_chars < DUP_CHUNK_CHARS or chunk_end == chunk_start):
            n_chars += len(bodies[chunk_end])
            chunk_end += 1
        points, lengths = comparable_points(bodies[chunk_start:chunk_end])
        chosen = lengths >= 30
        if chosen.any():
            values, offsets = distinct_per_text(*corpus_shingles(*first_characters(points, lengths, chosen,
                                                                                     MAX_DUP_CHARS)))
            indexed.append(np.flatnonzero(chosen) + chunk_start)
            runs.append(values)
            sizes.append(np.diff(offsets))
            signatures.append(minhash_signatures(values, offsets))
        chunk_start = chunk_end
    if not indexed:
        return (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64),
                np.zeros((0, N_HASHES), dtype=np.uint64))
    sizes = np.concatenate(sizes)
    return (np.concatenate(indexed), np.concatenate(runs), np.concatenate([[0], np.cumsum(sizes)]),
            np.concatenate(signatures))


ShingleSets = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # what `shingle_sets` returns


def body_shingle_sets(articles: pd.DataFrame) -> ShingleSets:
    """`shingle_sets` of an articles table's bodies (a missing body counts as empty)."""
    bodies = articles["body"].tolist() if "body" in articles else []
    return shingle_sets([body if isinstance(body, str) else "" for body in bodies])


def join_shingle_sets(parts: list[ShingleSets], first_rows: list[int]) -> ShingleSets:
    """The shingle sets of consecutive slices of one articles table, joined; `first_rows`: each slice's first row."""
    if not parts:
        return shingle_sets([])
    sizes = np.concatenate([np.diff(offsets) for _, _, offsets, _ in parts])
    return (np.concatenate([indexed + first for (indexed, _, _, _), first in zip(parts, first_rows, strict=True)]),
            np.concatenate([values for _, values, _, _ in parts]), np.concatenate([[0], np.cumsum(sizes)]),
            np.concatenate([signatures for _, _, _, signatures in parts]))


def assign_dup_clusters(articles: pd.DataFrame, shingles: ShingleSets | None = None) -> pd.DataFrame:
    """Articles with a `dup_cluster` column: near-duplicate bodies (the same story) share the smallest doc_id.

    Candidates share a MinHash band bucket (LSH, band by band); within a bucket each member is compared with the
    representatives of the clusters met so far (at most MAX_REPRESENTATIVES) and joins the first whose shingle
    Jaccard is >= DUP_ARTICLE_JACCARD, else becomes a representative itself: a bucket full of copies costs one
    comparison per copy. Bodies under 30 comparable characters are their own cluster. `shingles`: the bodies'
    `body_shingle_sets`, when computed beforehand (by the workers, batch by batch).
    """
    articles = articles.copy()
    doc_ids = [str(doc_id) for doc_id in articles["doc_id"].tolist()] if "doc_id" in articles else []
    indexed, values, offsets, signatures = body_shingle_sets(articles) if shingles is None else shingles
    # positions below are into `indexed`
    parent = list(range(len(indexed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(indexed):
        keys = band_keys(signatures)
        for band in range(keys.shape[1]):
            roots = all_roots(parent)
            for members in band_buckets(keys[:, band]):
                if np.all(roots[members] == roots[members[0]]):  # one cluster already
                    continue
                join_bucket(members, values, offsets, root, parent)
    roots = all_roots(parent).tolist()
    cluster = doc_ids.copy()
    name_of: dict[int, str] = {}
    for position, index in enumerate(indexed.tolist()):
        name_of[roots[position]] = min(name_of.get(roots[position], doc_ids[index]), doc_ids[index])
    for position, index in enumerate(indexed.tolist()):
        cluster[index] = name_of[roots[position]]
    articles["dup_cluster"] = pd.Series(cluster, index=articles.index, dtype=object)
    return articles


def join_bucket(members: np.ndarray, values: np.ndarray, offsets: np.ndarray, root: Callable[[int], int],
                parent: list[int]) -> None:
    """Union the members of one band bucket with the first cluster representative they are near-duplicates of."""
    representatives: list[int] = []
    similarity: dict[int, tuple[int, np.ndarray]] = {}  # representative -> (first member compared, Jaccards)
    member_list = members.tolist()
    for i, member in enumerate(member_list):
        for rep in representatives[:MAX_REPRESENTATIVES]:
            if root(rep) == root(member):
                break
            if rep not in similarity:
                similarity[rep] = (i, jaccards_with(values, offsets, rep, members[i:]))
            first, jaccards = similarity[rep]
            if jaccards[i - first] >= DUP_ARTICLE_JACCARD:
                parent[root(member)] = root(rep)
                break
        else:
            representatives.append(member)
