"""Keywords, entities, quotes, co-occurrence, topics and keyword-in-context from tokens and sentences.

Per-document functions (pure, run in workers): `document_terms`, `paragraph_terms`, `document_keywords`,
`entities`, `extract_quotes`, `document_pairs`, `word_stats`; `document_summaries` runs them all.
Corpus-level functions (main process, from per-document outputs only, never the full tokens table):
`keywords`, `cooccurrence`, `topics`, `corpus_entities`; `corpus_summaries` runs them.
Sentences flagged `is_duplicate` (repeated inside an article) are left out of every count.

Tables:
- terms: doc_id, term, pos (its most frequent tag), count, sentence_count (sentences containing it).
  Stopwords, punctuation, numbers and one-character words (except dictionary words such as 钕) are removed.
- paragraph_terms: doc_id, para_id, term, count (terms per paragraph, for themes within one article).
- word_stats: doc_id, sentences, tokens, terms (counted over non-duplicate sentences).
- doc_keywords: per-document frequency and TextRank keywords (the `keywords` columns), input of `keywords`.
  TextRank: key terms linked when within TEXTRANK_WINDOW tokens in a sentence, PageRank (d = 0.85).
- keywords: doc_id ("" for corpus level), method (frequency | tfidf | textrank), term, score, rank (1 = best).
  IDF: learned from the corpus (smoothed, log((1 + N) / (1 + df)) + 1) when it has at least
  MIN_DOCS_FOR_CORPUS_IDF distinct documents, else jieba's reference IDF (unknown terms get its median).
  Corpus level: frequency = total count; tfidf and textrank = mean of the per-document scores.
- entities: doc_id, entity, kind (person | place | organisation), count, first_sent_id. Person: a name-shaped
  token tagged nr (surname + 1-3 characters) seen at least once in the document next to a title or speech verb;
  place: ns; organisation: nt (user dictionary + jieba's); `resources/entity_exclusions.txt` drops mistagged words.
- quotes: doc_id, speaker, quote, sent_id (sentence where the quote opens). A quote is text in “…” / 「…」 that
  reads as speech (>= MIN_QUOTE_CHARS characters with a clause mark, or >= 15), attributed by a speech verb
  (`resources/speech_verbs.txt`) right before it ("X表示：“…”") or in the rest of its sentence after it
  ("“…”X说", "“…”3月6日,…X介绍"); 他/她 resolve to the previous speaker.
- term_pairs: doc_id, term_a, term_b, count (sentences of the document containing both; a < b), among the
  document's TOP_PAIR_TERMS most frequent key terms.
- cooccurrence: term_a, term_b, count, documents, pmi (log2 of P(a,b) / (P(a) P(b)) over sentences).
- topics: topic_id, term, weight; doc_topics: doc_id, para_id (-1 when the units are articles), topic_id,
  weight (share of the unit's topic mixture). NMF on TF-IDF; k = clamp(round(sqrt(units / 2)), 2, MAX_TOPICS),
  at most units - 1. Units are articles when there are at least MIN_DOCS_FOR_ARTICLE_TOPICS distinct
  articles, else paragraphs.
- keyword_in_context: doc_id, sent_id (when the input has sentences), left, term, right.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from scipy.sparse import csr_matrix

from . import words
from .tables import STRING_DTYPE, arrow_strings, new_table, string_column, strings_column

TERMS_COLUMNS = ["doc_id", "term", "pos", "count", "sentence_count"]
PARAGRAPH_TERMS_COLUMNS = ["doc_id", "para_id", "term", "count"]
WORD_STATS_COLUMNS = ["doc_id", "sentences", "tokens", "terms"]
KEYWORDS_COLUMNS = ["doc_id", "method", "term", "score", "rank"]
ENTITIES_COLUMNS = ["doc_id", "entity", "kind", "count", "first_sent_id"]
QUOTES_COLUMNS = ["doc_id", "speaker", "quote", "sent_id"]
PAIRS_COLUMNS = ["doc_id", "term_a", "term_b", "count"]
COOCCURRENCE_COLUMNS = ["term_a", "term_b", "count", "documents", "pmi"]
TOPICS_COLUMNS = ["topic_id", "term", "weight"]
DOC_TOPICS_COLUMNS = ["doc_id", "para_id", "topic_id", "weight"]
KWIC_COLUMNS = ["doc_id", "sent_id", "left", "term", "right"]
COLUMN_DTYPES = {"count": "int64", "sentence_count": "int64", "para_id": "int64", "sent_id": "int64",
                 "first_sent_id": "int64", "sentences": "int64", "tokens": "int64", "terms": "int64",
                 "documents": "int64", "topic_id": "int64", "rank": "int64", "score": "float64",
                 "weight": "float64", "pmi": "float64"}  # every other column is text (pandas "str")

TERM_POS_PREFIXES = ("n", "v", "a", "i", "l", "j", "eng")
KEYWORD_POS_PREFIXES = ("n", "vn", "v", "eng", "i", "l", "j")
NUMBER_RE = re.compile(r"^[\d０-９.,，%％:：/\-+×~～]+$")
TOP_KEYWORDS = 20
TOP_PAIR_TERMS = 15
TEXTRANK_WINDOW = 5
TEXTRANK_DAMPING = 0.85
TEXTRANK_ITERATIONS = 30
TEXTRANK_DECIMALS = 12  # scores are rounded so that the order of a sum (which depends on the batch) cannot break ties
MIN_DOCS_FOR_CORPUS_IDF = 50
MIN_DOCS_FOR_ARTICLE_TOPICS = 8
MAX_TOPICS = 12
TOPIC_TERMS = 10
TOPIC_VOCABULARY = 5000
MIN_QUOTE_CHARS = 8
QUOTE_RE = re.compile(r"[“「『]([^“”「」『』\n]+)[”」』]")  # what `quote_spans` finds
QUOTE_OPEN_CODES = np.array([ord(mark) for mark in "“「『"], dtype=np.uint32)
QUOTE_CLOSE_CODES = np.array([ord(mark) for mark in "”」』"], dtype=np.uint32)
QUOTE_STOP_CODES = np.array([ord(mark) for mark in "“”「」『』\n"], dtype=np.uint32)  # what a quote cannot hold
CLAUSE_MARK_RE = re.compile(r"[，,。！？；;!?：:]")  # a quote holding one reads as a clause
CLAUSE_END_MARKS = "。！？!?\n"
CLAUSE_END_CODES = np.array([ord(mark) for mark in CLAUSE_END_MARKS], dtype=np.uint32)
PRONOUNS = frozenset({"他", "她"})
KEYWORD_METHODS = ("frequency", "textrank", "tfidf")  # in text order, as keyword tables are sorted
ENTITY_KIND_ORDER = ("person", "place", "organisation")
ENTITY_KINDS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "organisation"}


# ---------------------------------------------------------------- per-document tables (vectorised over a batch)


class Batch(NamedTuple):
    """A tokens table coded as integers (duplicate sentences left out), the input of every per-document table."""

    doc_ids: np.ndarray  # the batch's doc_ids in order of appearance
    sent_ids: np.ndarray  # sent_id of each sentence, in order
    sent_doc: np.ndarray  # document index of each sentence
    doc: np.ndarray  # per token: document index
    sent: np.ndarray  # per token: sentence index
    token: np.ndarray  # per token: code into `vocabulary`
    pos: np.ndarray  # per token: code into `tags`
    vocabulary: np.ndarray
    tags: np.ndarray
    term: np.ndarray  # per token: is a content term
    key: np.ndarray  # per token: is a content term with a keyword POS
    doc_text: pa.Array  # doc_ids, vocabulary and tags as Arrow strings (to build text columns by code)
    vocabulary_text: pa.Array
    tags_text: pa.Array
    term_rank: np.ndarray  # per vocabulary code: its position in text order
    doc_rank: np.ndarray  # per document code: its position in text order


class TermRows(NamedTuple):
    """The `terms` table of a batch as code arrays, in table order (document, count descending, term)."""

    doc: np.ndarray
    token: np.ndarray
    pos: np.ndarray
    count: np.ndarray
    sentence_count: np.ndarray
    token_group: np.ndarray  # per batch token: number of its (document, term) group, groups sorted by codes; -1: none
    group_key: np.ndarray  # per group: document code * len(vocabulary) + token code


@functools.lru_cache(maxsize=500_000)
def is_term_word(token: str) -> bool:
    """Whether a token can be a content term whatever its tag (not a stopword, punctuation, number or stray char)."""
    if not token.strip() or token in words.stopwords() or words.is_boundary(token) or NUMBER_RE.match(token):
        return False
    return len(token) >= 2 or token in words.user_tags()


def is_term_pos(pos: str) -> bool:
    """Whether a POS tag is one content terms are drawn from."""
    return pos.startswith(TERM_POS_PREFIXES)


def flagged_sentences(sentences: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows of a sentences table flagged `is_duplicate` (None when none is flagged, the usual case)."""
    if sentences is None or "is_duplicate" not in sentences.columns or not len(sentences):
        return None
    flags = sentences["is_duplicate"]
    flags = flags.to_numpy() if flags.dtype == bool else flags.fillna(False).astype(bool).to_numpy()
    return sentences[flags] if flags.any() else None


def as_text(column: pd.Series) -> pd.Series:
    """A column as text (the `str` dtype; missing values stay missing), itself when it already is."""
    return column if column.dtype == STRING_DTYPE else column.astype(str)


def codes(column: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Integer codes of a text column (in order of appearance) and the distinct values they point to."""
    column = as_text(column)
    values = arrow_strings(column)
    if values.null_count:  # pandas codes missing values -1
        value_codes, uniques = pd.factorize(column, sort=False)
        return value_codes.astype(np.int64), pa.array(uniques, type=pa.large_string())
    encoded = pc.dictionary_encode(values)
    return encoded.indices.to_numpy().astype(np.int64), encoded.dictionary


def run_codes(column: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """`codes` for a column whose values come in long runs (doc_id): only the first value of each run is hashed."""
    values = arrow_strings(as_text(column))
    if len(values) < 2:
        return codes(column)
    starts = np.flatnonzero(np.r_[True, pc.not_equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)])
    encoded = pc.dictionary_encode(values.take(pa.array(starts)))  # codes in order of appearance, missing: -1
    run_values = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.repeat(run_values, np.diff(np.r_[starts, len(values)])), encoded.dictionary


def recoded(column_codes: np.ndarray, uniques: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Codes renumbered in order of appearance (after rows were dropped) and their distinct values."""
    values, old_codes = pd.factorize(column_codes, sort=False)
    return values.astype(np.int64), uniques.take(pa.array(old_codes))


def sentence_keys(doc: np.ndarray, sent_ids: np.ndarray, other_doc: np.ndarray,
                  other_sent_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys of (document code, sent_id) for two sets of rows, equal exactly when both parts are equal."""
    sent_codes, _ = pd.factorize(np.concatenate([np.asarray(sent_ids), np.asarray(other_sent_ids)]), sort=False)
    width = max(len(sent_codes), 1)
    keys = np.concatenate([doc, other_doc]).astype(np.int64) * width + sent_codes
    return keys[: len(doc)], keys[len(doc) :]


def duplicate_rows(doc: np.ndarray, doc_ids: pa.Array, sent_ids: np.ndarray,
                   sentences: pd.DataFrame | None) -> np.ndarray | None:
    """Per token: whether it belongs to a sentence flagged `is_duplicate` (None when none is flagged)."""
    flagged = flagged_sentences(sentences)
    if flagged is None:
        return None
    flagged_doc = pd.Index(doc_ids).get_indexer(flagged["doc_id"].astype(str))
    known = flagged_doc >= 0
    token_keys, flagged_keys = sentence_keys(doc, sent_ids, flagged_doc[known], flagged["sent_id"].to_numpy()[known])
    return np.isin(token_keys, flagged_keys)


def text_array(values: pa.Array) -> np.ndarray:
    """Arrow strings as a numpy array of Python strings."""
    return np.asarray(values.to_pylist(), dtype=object)


def encode(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None) -> Batch:
    """The tokens of non-duplicate sentences coded as integer arrays."""
    doc, doc_ids = run_codes(tokens["doc_id"])
    token, vocabulary = codes(tokens["token"])
    pos, tags = codes(tokens["pos"])
    sent_ids = tokens["sent_id"].to_numpy()
    skip = duplicate_rows(doc, doc_ids, sent_ids, sentences)
    if skip is not None and skip.any():
        keep = ~skip
        sent_ids = sent_ids[keep]
        (doc, doc_ids), (token, vocabulary), (pos, tags) = (recoded(doc[keep], doc_ids),
                                                            recoded(token[keep], vocabulary), recoded(pos[keep], tags))
    new_sentence = np.ones(len(doc), dtype=bool)
    new_sentence[1:] = (doc[1:] != doc[:-1]) | (sent_ids[1:] != sent_ids[:-1])
    sent = np.cumsum(new_sentence) - 1
    starts = np.flatnonzero(new_sentence)
    vocabulary_list, tags_list = text_array(vocabulary), text_array(tags)
    term_word = np.array([is_term_word(word) for word in vocabulary_list], dtype=bool)
    term_tag = np.array([is_term_pos(tag) for tag in tags_list], dtype=bool)
    key_tag = np.array([is_keyword_pos(tag) for tag in tags_list], dtype=bool) & term_tag
    term = term_word[token] & term_tag[pos] if len(token) else np.zeros(0, dtype=bool)
    key = term_word[token] & key_tag[pos] if len(token) else np.zeros(0, dtype=bool)
    return Batch(text_array(doc_ids), sent_ids[starts], doc[starts], doc, sent, token, pos, vocabulary_list,
                 tags_list, term, key, doc_ids, vocabulary, tags, string_ranks(vocabulary), string_ranks(doc_ids))


def combined_key(columns: tuple[np.ndarray, ...]) -> tuple[np.ndarray | None, list[int]]:
    """One int64 key per row of non-negative integer `columns` (first column most significant), and the column sizes;
    the key is None when the sizes do not fit in 62 bits."""
    sizes = [int(c.max()) + 1 if len(c) else 1 for c in columns]
    return (np.ravel_multi_index(columns, sizes) if math.prod(sizes) < 2**62 else None), sizes


def distinct_counts(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of non-negative integer `columns` (sorted) and their counts (`count_keys` without first rows)."""
    columns = tuple(np.asarray(c, dtype=np.int64) for c in columns)
    if not len(columns[0]):
        return [c[:0] for c in columns], np.array([], dtype=np.int64)
    combined, sizes = combined_key(columns)
    if combined is None:
        distinct, counts, _ = count_keys(*columns)
        return distinct, counts
    combined = np.sort(combined)  # a plain sort is much faster than np.unique's stable argsort for first rows
    starts = group_starts(combined)
    return list(np.unravel_index(combined[starts], sizes)), np.diff(np.r_[starts, len(combined)])


def lexsort_order(*columns: np.ndarray) -> np.ndarray:
    """np.lexsort's order (last column primary) for non-negative integer columns, by one stable sort when possible."""
    columns = tuple(np.asarray(c, dtype=np.int64) for c in columns[::-1])
    combined, _ = combined_key(columns) if len(columns[0]) else (None, [])
    if combined is None:
        return np.lexsort(columns[::-1])
    return np.argsort(combined, kind="stable")


def count_keys(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of non-negative integer `columns` (sorted), their counts and each one's first row index."""
    columns = tuple(np.asarray(c, dtype=np.int64) for c in columns)
    if not len(columns[0]):
        return [c[:0] for c in columns], np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    sizes = [int(c.max()) + 1 for c in columns]
    combined = np.ravel_multi_index(columns, sizes) if math.prod(sizes) < 2**62 else None
    if combined is None:
        unique, first, counts = np.unique(np.stack(columns, axis=1), axis=0, return_index=True, return_counts=True)
        return [unique[:, i] for i in range(len(columns))], counts, first
    unique, first, counts = np.unique(combined, return_index=True, return_counts=True)
    return list(np.unravel_index(unique, sizes)), counts, first


def string_ranks(values: pa.Array) -> np.ndarray:
    """Each string's position in sorted order (code-point order, as pandas sorts text)."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    return pc.rank(values, sort_keys="ascending", tiebreaker="first").to_numpy().astype(np.int64) - 1


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(sorted_keys) else sorted_keys


def most_frequent_pos(group: np.ndarray, pos: np.ndarray, groups: int) -> np.ndarray:
    """Per group, its most frequent POS code (ties: the smallest code), from per-token group and POS codes."""
    (pos_group, pos_code), counts = distinct_counts(group, pos)
    order = lexsort_order(pos_code, counts.max(initial=0) - counts, pos_group)
    best = np.zeros(groups, dtype=np.int64)
    firsts = order[group_starts(pos_group[order])]
    best[pos_group[firsts]] = pos_code[firsts]
    return best


def term_rows(batch: Batch) -> TermRows:
    """The `terms` table of a coded batch as code arrays (count, distinct sentences and most frequent POS)."""
    rows = np.flatnonzero(batch.term)
    width = max(len(batch.vocabulary), 1)
    keys = batch.doc[rows] * width + batch.token[rows]
    order = np.argsort(keys, kind="stable")  # tokens of one term stay in text order (sentences ascending)
    keys, sent, pos = keys[order], batch.sent[rows][order], batch.pos[rows][order]
    token_group = np.full(len(batch.doc), -1, dtype=np.int64)
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return TermRows(empty, empty, empty, empty, empty, token_group, empty)
    starts = group_starts(keys)
    counts = np.diff(np.r_[starts, len(keys)])
    new_sentence = np.r_[True, (keys[1:] != keys[:-1]) | (sent[1:] != sent[:-1])]
    sentence_counts = np.add.reduceat(new_sentence.astype(np.int64), starts)
    group = np.cumsum(np.r_[False, keys[1:] != keys[:-1]])
    token_group[rows[order]] = group
    same_pos = np.minimum.reduceat(pos, starts) == np.maximum.reduceat(pos, starts)
    best_pos = pos[starts]
    mixed = ~same_pos[group]
    if mixed.any():
        best_pos = np.where(same_pos, best_pos, most_frequent_pos(group[mixed], pos[mixed], len(starts)))
    doc, token = keys[starts] // width, keys[starts] % width
    table_order = lexsort_order(batch.term_rank[token], counts.max() - counts, doc)
    return TermRows(doc[table_order], token[table_order], best_pos[table_order], counts[table_order],
                    sentence_counts[table_order], token_group, keys[starts])


def text_column(values: pa.Array, column_codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """A pandas text column of `values` picked by integer codes."""
    column_codes = np.asarray(column_codes, dtype=np.int64)
    checked = not len(column_codes) or (column_codes.min() >= 0 and column_codes.max() < len(values))
    picked = pc.take(values, pa.array(column_codes), boundscheck=not checked)  # Arrow's own check is slower
    return string_column(picked)


def frame(columns: dict[str, object]) -> pd.DataFrame:
    """A table from ready columns, numeric columns cast to their documented dtypes (see `tables.new_table`)."""
    return new_table({name: np.asarray(values, dtype=COLUMN_DTYPES[name]) if name in COLUMN_DTYPES else values
                      for name, values in columns.items()})


def terms_frame(batch: Batch, rows: TermRows) -> pd.DataFrame:
    """The `terms` table from its code arrays."""
    return frame({"doc_id": text_column(batch.doc_text, rows.doc),
                  "term": text_column(batch.vocabulary_text, rows.token), "pos": text_column(batch.tags_text, rows.pos),
                  "count": rows.count, "sentence_count": rows.sentence_count})


def batch_terms(batch: Batch) -> pd.DataFrame:
    """The `terms` table of a coded batch."""
    return terms_frame(batch, term_rows(batch))


def document_terms(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `terms` table: content-term counts per document."""
    return batch_terms(encode(tokens, sentences))


def text_positions(column: pd.Series, values: pa.Array) -> np.ndarray:
    """Per row of a text column: the position of its value in distinct `values` (-1 when absent)."""
    positions = pc.index_in(arrow_strings(as_text(column)), value_set=values)
    return positions.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def sentence_paragraphs(batch: Batch, sentences: pd.DataFrame) -> np.ndarray:
    """Per sentence of a coded batch: its para_id in a sentences table (-1 when absent)."""
    if "para_id" not in sentences.columns or not len(batch.sent_ids):
        return np.full(len(batch.sent_ids), -1, dtype=np.int64)
    table_doc = text_positions(sentences["doc_id"], batch.doc_text)
    known = table_doc >= 0
    batch_keys, table_keys = sentence_keys(batch.sent_doc, batch.sent_ids, table_doc[known],
                                           sentences["sent_id"].to_numpy()[known])
    paras = sentences["para_id"].to_numpy()[known]
    last = ~pd.Index(table_keys).duplicated(keep="last")  # a repeated (doc_id, sent_id) keeps its last para_id
    found = pd.Index(table_keys[last]).get_indexer(batch_keys)
    return np.where(found >= 0, paras[last][found], -1).astype(np.int64)


def batch_paragraph_terms(batch: Batch, paragraph: np.ndarray) -> pd.DataFrame:
    """The `paragraph_terms` table of a coded batch, given each sentence's para_id (-1: none)."""
    token_para = paragraph[batch.sent] if len(paragraph) else np.array([], dtype=np.int64)
    mask = batch.term & (token_para >= 0)
    doc_rank, term_rank = batch.doc_rank, batch.term_rank
    (doc, para, term), counts = distinct_counts(doc_rank[batch.doc[mask]], token_para[mask],
                                                term_rank[batch.token[mask]])
    doc_of_rank, term_of_rank = np.argsort(doc_rank), np.argsort(term_rank)
    return frame({"doc_id": text_column(batch.doc_text, doc_of_rank[doc]), "para_id": para,
                  "term": text_column(batch.vocabulary_text, term_of_rank[term]), "count": counts})


def paragraph_terms(tokens: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """The `paragraph_terms` table: content-term counts per paragraph (sentences give sent_id → para_id)."""
    batch = encode(tokens, sentences)
    return batch_paragraph_terms(batch, sentence_paragraphs(batch, sentences))


def batch_word_stats(batch: Batch) -> pd.DataFrame:
    """The `word_stats` table of a coded batch."""
    n = len(batch.doc_ids)
    return frame({"doc_id": text_column(batch.doc_text, np.arange(n)),
                  "sentences": np.bincount(batch.sent_doc, minlength=n), "tokens": np.bincount(batch.doc, minlength=n),
                  "terms": np.bincount(batch.doc[batch.term], minlength=n)})


def word_stats(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `word_stats` table: sentences, tokens and content terms per document."""
    return batch_word_stats(encode(tokens, sentences))


# ---------------------------------------------------------------- keywords


@functools.cache
def is_keyword_pos(pos: str) -> bool:
    """Whether a POS tag is one keywords are drawn from (nouns, verbal nouns, verbs, idioms, Latin words)."""
    return pos.startswith(KEYWORD_POS_PREFIXES)


def with_keyword_pos(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table (with a `pos` column) whose tag is a keyword POS."""
    tags = table["pos"]
    return table[tags.isin([tag for tag in tags.unique() if is_keyword_pos(str(tag))])]


def textrank_scores(batch: Batch, terms: TermRows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TextRank per document over key terms linked within a window: (doc code, token code, score; best = 1)."""
    key_rows = np.flatnonzero(batch.key)
    sent, token, group = batch.sent[key_rows], batch.token[key_rows], terms.token_group[key_rows]
    linked = [np.flatnonzero((sent[offset:] == sent[:-offset]) & (token[offset:] != token[:-offset]))
              for offset in range(1, TEXTRANK_WINDOW)]
    first = np.concatenate(linked)  # key rows linked to the key row `offset` places after them
    second = np.concatenate([rows + offset for offset, rows in enumerate(linked, start=1)])
    if not len(first):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    linked_row = np.zeros(len(key_rows), dtype=bool)
    linked_row[first] = True
    linked_row[second] = True
    in_graph = np.zeros(len(terms.group_key), dtype=bool)  # nodes: the linked (document, term) groups, in code order
    in_graph[group[linked_row]] = True
    nodes = terms.group_key[in_graph]
    node_of = (np.cumsum(in_graph) - 1)[group].astype(np.int32)
    sources = node_of[np.concatenate([first, second])]  # links go both ways
    targets = np.concatenate([sources[len(first) :], sources[: len(first)]])
    width = max(len(batch.vocabulary), 1)
    node_doc = nodes // width
    transition = csr_matrix((np.ones(len(sources)), (targets, sources)), shape=(len(nodes), len(nodes)))
    out_weight = np.bincount(sources, minlength=len(nodes)).astype(float)  # links per source (exact counts)
    transition.data *= (1 / out_weight)[transition.indices]  # each link divided by its source's links
    scores = np.ones(len(nodes))
    for _ in range(TEXTRANK_ITERATIONS):
        scores = transition @ scores
        scores *= TEXTRANK_DAMPING
        scores += 1 - TEXTRANK_DAMPING  # (1 - d) + d * (transition @ scores), in place
    starts = group_starts(node_doc)
    best = np.repeat(np.maximum.reduceat(scores, starts), np.diff(np.r_[starts, len(nodes)]))
    return node_doc, nodes % width, np.round(scores / best, TEXTRANK_DECIMALS)


def top_per_doc(doc: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """For rows grouped by document (in ranking order): the positions of each document's first `top` and their rank."""
    starts = group_starts(doc)
    rank = np.arange(len(doc)) - np.repeat(starts, np.diff(np.r_[starts, len(doc)])) + 1 if len(doc) else doc
    keep = np.flatnonzero(rank <= top)
    return keep, rank[keep]


def batch_keywords(batch: Batch, terms: TermRows, top: int = TOP_KEYWORDS) -> pd.DataFrame:
    """Per-document frequency and TextRank keywords of a coded batch (`keywords` columns)."""
    key_tag = np.array([is_keyword_pos(tag) for tag in batch.tags], dtype=bool)
    frequent = np.flatnonzero(key_tag[terms.pos]) if len(batch.tags) else np.zeros(0, dtype=np.int64)
    kept, frequency_rank = top_per_doc(terms.doc[frequent], top)
    frequent = frequent[kept]
    rank_doc, rank_token, rank_score = textrank_scores(batch, terms)
    term_rank = batch.term_rank
    best, textrank_rank = top_ranked(rank_doc, rank_score, term_rank[rank_token], top)
    doc = np.r_[terms.doc[frequent], rank_doc[best]].astype(np.int64)
    method = np.r_[np.zeros(len(frequent), dtype=np.int64), np.ones(len(best), dtype=np.int64)]
    rank = np.r_[frequency_rank, textrank_rank].astype(np.int64)
    order = lexsort_order(rank, method, batch.doc_rank[doc])
    methods = pa.array(["frequency", "textrank"], type=pa.large_string())
    return frame({"doc_id": text_column(batch.doc_text, doc[order]), "method": text_column(methods, method[order]),
                  "term": text_column(batch.vocabulary_text, np.r_[terms.token[frequent], rank_token[best]][order]),
                  "score": np.r_[terms.count[frequent].astype(float), rank_score[best]][order], "rank": rank[order]})


def document_keywords(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None,
                      top: int = TOP_KEYWORDS) -> pd.DataFrame:
    """Per-document keywords by frequency and TextRank (`keywords` columns), from a document's tokens."""
    batch = encode(tokens, sentences)
    return batch_keywords(batch, term_rows(batch), top)


@functools.cache
def reference_idf_table() -> pa.Table:
    """jieba's reference IDF table (jieba/analyse/idf.txt: "term idf" lines, each term once) as columns term, idf.

    The file is found without importing jieba, and read by pyarrow (a tenth of the time pandas takes)."""
    path = Path(importlib.util.find_spec("jieba").origin).parent / "analyse" / "idf.txt"
    return pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(column_names=["term", "idf"]),
        parse_options=pa_csv.ParseOptions(delimiter=" ", quote_char=False, invalid_row_handler=lambda row: "skip"),
        convert_options=pa_csv.ConvertOptions(column_types={"term": pa.string(), "idf": pa.float64()}),
    )


@functools.cache
def reference_idf() -> dict[str, float]:
    """jieba's reference IDF table as a dict, term → IDF."""
    table = reference_idf_table()
    return dict(zip(table["term"].to_pylist(), table["idf"].to_pylist(), strict=True))


@functools.cache
def reference_idf_median() -> float:
    """The median of jieba's reference IDF table (the IDF of terms it does not list)."""
    return float(np.median(reference_idf_table()["idf"].to_numpy()))


def idf_table(terms: pd.DataFrame) -> tuple[dict[str, float], float, str]:
    """IDF per term, the IDF for unseen terms and the source ("corpus" or "jieba") by the stated rule."""
    n_docs = terms["doc_id"].nunique()
    if n_docs >= MIN_DOCS_FOR_CORPUS_IDF:
        df = terms.groupby("term")["doc_id"].nunique()
        idf = {term: math.log((1 + n_docs) / (1 + count)) + 1 for term, count in df.items()}
        return idf, math.log(1 + n_docs) + 1, "corpus"
    return reference_idf(), reference_idf_median(), "jieba"


def term_idf(doc: np.ndarray, term: np.ndarray, term_names: pa.Array) -> np.ndarray:
    """IDF per term code (`idf_table`'s rule) from per-row document and term codes."""
    n_docs = len(np.unique(doc))
    if n_docs < MIN_DOCS_FOR_CORPUS_IDF:
        reference = reference_idf_table()
        listed = pc.take(reference["idf"], pc.index_in(term_names.cast(pa.string()), value_set=reference["term"]))
        return pc.fill_null(listed, reference_idf_median()).to_numpy()
    (pair_term, _), _ = distinct_counts(term, doc)
    df = np.bincount(pair_term, minlength=len(term_names)).tolist()
    idf_of_df = {count: math.log((1 + n_docs) / (1 + count)) + 1 for count in set(df)}
    return np.array([idf_of_df[count] for count in df], dtype=float)


def group_sums(values: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group codes present, sum of `values` per group) with pandas' groupby sum (compensated, in row order)."""
    sums = pd.Series(values).groupby(group).sum()
    return sums.index.to_numpy(), sums.to_numpy()


def top_ranked(group: np.ndarray, score: np.ndarray, term_rank: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ordered by group, score (descending) and term, the first `top` of each group, and their rank from 1."""
    score_rank = np.unique(-score, return_inverse=True)[1].reshape(-1) if len(score) else group
    sizes = [int(values.max()) + 1 if len(values) else 1 for values in (group, score_rank, term_rank)]
    if math.prod(sizes) < 2**62:  # one sort on a combined key is much faster than a three-key lexsort
        order = np.argsort(np.ravel_multi_index((group, score_rank, term_rank), sizes))
    else:
        order = np.lexsort((term_rank, -score, group))
    keep, rank = top_per_doc(group[order], top)
    return order[keep], rank


def keywords(terms: pd.DataFrame, doc_keywords: pd.DataFrame | None = None,
             top: int = TOP_KEYWORDS) -> pd.DataFrame:
    """The `keywords` table: per-document frequency/tfidf (+ textrank from `doc_keywords`) and corpus level."""
    terms = with_keyword_pos(terms) if len(terms) else terms
    if not len(terms):
        return pd.DataFrame(columns=KEYWORDS_COLUMNS)
    textrank = doc_keywords[doc_keywords["method"] == "textrank"] if doc_keywords is not None else None
    if textrank is None or not len(textrank):
        textrank = pd.DataFrame({"doc_id": pd.array([], dtype="str"), "term": pd.array([], dtype="str"),
                                 "score": np.zeros(0)})
    n, n_textrank = len(terms), len(textrank)
    doc, doc_names = codes(pd.concat([terms["doc_id"].astype(str), textrank["doc_id"].astype(str),
                                      pd.Series([""], dtype="str")], ignore_index=True))
    term, term_names = codes(pd.concat([terms["term"].astype(str), textrank["term"].astype(str)], ignore_index=True))
    count = terms["count"].to_numpy()
    n_docs = len(np.unique(doc[:n]))
    tf = count / np.bincount(doc[:n], weights=count)[doc[:n]]
    tfidf = tf * term_idf(doc[:n], term[:n], term_names)[term[:n]]
    rank_score = textrank["score"].to_numpy(dtype=float)
    corpus_terms, corpus_scores, corpus_methods = [], [], []
    for method, values, value_terms, is_mean in ((0, count, term[:n], False), (2, tfidf, term[:n], True),
                                                  (1, rank_score, term[n:], True)):
        if len(values):  # corpus level: total count; mean of the per-document tfidf and textrank scores
            summed_terms, sums = group_sums(values, value_terms)
            corpus_terms.append(summed_terms)
            corpus_scores.append(sums / n_docs if is_mean else sums.astype(float))
            corpus_methods.append(np.full(len(summed_terms), method))
    corpus_doc = np.full(sum(len(t) for t in corpus_terms), doc[-1])
    row_doc = np.concatenate([doc[:n], doc[:n], doc[n : n + n_textrank], corpus_doc])
    row_method = np.concatenate([np.zeros(n, dtype=np.int64), np.full(n, 2), np.ones(n_textrank, dtype=np.int64),
                                 *corpus_methods])
    row_term = np.concatenate([term[:n], term[:n], term[n:], *corpus_terms])
    row_score = np.concatenate([count.astype(float), tfidf, rank_score, *corpus_scores])
    methods = pa.array(KEYWORD_METHODS, type=pa.large_string())
    chosen, rank = top_ranked(string_ranks(doc_names)[row_doc] * len(KEYWORD_METHODS) + row_method, row_score,
                              string_ranks(term_names)[row_term], top)
    return frame({"doc_id": text_column(doc_names, row_doc[chosen]), "method": text_column(methods, row_method[chosen]),
                  "term": text_column(term_names, row_term[chosen]), "score": row_score[chosen], "rank": rank})


# ---------------------------------------------------------------- entities and quotes


def is_person_candidate(token: str, pos: str) -> bool:
    """Whether a token tagged as a person has the shape of a Chinese name (surname + 1-3 characters)."""
    return ENTITY_KINDS.get(pos) == "person" and is_name_shaped(token)


def is_name_shaped(token: str) -> bool:
    """Whether a token has the shape of a Chinese name (surname + 1-3 characters)."""
    surnames = words.word_set("surnames.txt")
    return (2 <= len(token) <= 4 and words.CJK_RE.match(token) is not None
            and (token[0] in surnames or token[:2] in surnames))


def neighbour_rows(batch: Batch, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For token rows of a coded batch: the row of the nearest non-space token before each and of the token right
    after it, in the same sentence (-1 when there is none)."""
    sentence = batch.sent[rows]
    begin = np.searchsorted(batch.sent, sentence, side="left")  # sentence numbers ascend with the rows
    end = np.searchsorted(batch.sent, sentence, side="right")
    before = rows - 1
    skip = before >= begin
    skip[skip] = is_blank(batch, before[skip])
    while skip.any():  # step back over space tokens
        before[skip] -= 1
        skip[skip] = before[skip] >= begin[skip]
        skip[skip] = is_blank(batch, before[skip])
    return np.where(before >= begin, before, -1), np.where(rows + 1 < end, rows + 1, -1)


def is_blank(batch: Batch, rows: np.ndarray) -> np.ndarray:
    """Per token row of a coded batch: whether its word is only spaces (or empty)."""
    return word_test(batch, batch.token[rows], lambda word: not word.strip())


def word_test(batch: Batch, token_codes: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    """`test` of the word of each token code of a coded batch (code -1, no token: of ""), run once per distinct word."""
    distinct, index = np.unique(token_codes, return_inverse=True)
    results = np.array([test(batch.vocabulary[code] if code >= 0 else "") for code in distinct.tolist()], dtype=bool)
    return results[index.reshape(-1)] if len(distinct) else np.zeros(len(token_codes), dtype=bool)


def evidenced_people(batch: Batch, person_rows: np.ndarray) -> np.ndarray:
    """Keys (document code * vocabulary size + token code) of name-shaped person tokens seen next to a title or
    speech verb, as `words.has_name_evidence` decides from the nearest word before the token and the token after it:
    a speech verb or title after it, or a title before it with a boundary (or nothing) after it."""
    tokens = np.unique(batch.token[person_rows])
    shaped = np.zeros(len(batch.vocabulary), dtype=bool)
    shaped[tokens] = [is_name_shaped(batch.vocabulary[token]) for token in tokens]
    rows = person_rows[shaped[batch.token[person_rows]]]
    before, after = neighbour_rows(batch, rows)
    before_codes, after_codes = (np.where(side >= 0, batch.token[side], -1) for side in (before, after))
    speech_verbs = words.word_set("speech_verbs.txt")
    evidence = (word_test(batch, after_codes, lambda word: word in speech_verbs or words.is_title(word))
                | (word_test(batch, before_codes, words.is_title) & word_test(batch, after_codes, words.is_boundary)))
    return np.unique(batch.doc[rows[evidence]] * max(len(batch.vocabulary), 1) + batch.token[rows[evidence]])


def batch_entities(batch: Batch) -> pd.DataFrame:
    """The `entities` table of a coded batch."""
    tag_kind = np.array([ENTITY_KIND_ORDER.index(ENTITY_KINDS[tag]) if tag in ENTITY_KINDS else -1
                         for tag in batch.tags], dtype=np.int64)
    token_kind = tag_kind[batch.pos] if len(batch.tags) else np.zeros(0, dtype=np.int64)
    mask = token_kind >= 0
    (doc, token, pos), counts, first = count_keys(batch.doc[mask], batch.token[mask], batch.pos[mask])
    first_sentence = batch.sent[np.flatnonzero(mask)[first]] if len(first) else first
    person_rows = np.flatnonzero(token_kind == 0)
    width = max(len(batch.vocabulary), 1)
    people = evidenced_people(batch, person_rows)
    named = np.zeros(len(batch.vocabulary), dtype=bool)
    candidates = np.unique(token)
    named[candidates] = [is_entity_name(batch.vocabulary[t]) for t in candidates]
    group_kind = tag_kind[pos] if len(pos) else pos
    place_or_organisation = np.where((group_kind > 0) & named[token], group_kind, -1)  # as `entity_kind` decides
    kind = np.where(np.isin(doc * width + token, people), 0, place_or_organisation)
    kept = np.flatnonzero(kind >= 0)  # groups in (document, token, tag) order: rows of one entity are merged
    merged, index = np.unique((doc[kept] * width + token[kept]) * len(ENTITY_KIND_ORDER) + kind[kept],
                              return_inverse=True)
    index = index.reshape(-1)
    total = np.zeros(len(merged), dtype=np.int64)
    np.add.at(total, index, counts[kept])
    earliest, first_group = np.full(len(merged), len(batch.sent_ids)), np.full(len(merged), len(kept))
    np.minimum.at(earliest, index, first_sentence[kept])
    np.minimum.at(first_group, index, np.arange(len(kept)))
    entity_doc, entity_token = merged // len(ENTITY_KIND_ORDER) // width, merged // len(ENTITY_KIND_ORDER) % width
    order = np.lexsort((first_group, batch.term_rank[entity_token] if len(merged) else merged, -total, entity_doc))
    kinds = pa.array(ENTITY_KIND_ORDER, type=pa.large_string())
    return frame({"doc_id": text_column(batch.doc_text, entity_doc[order]),
                  "entity": text_column(batch.vocabulary_text, entity_token[order]),
                  "kind": text_column(kinds, (merged % len(ENTITY_KIND_ORDER))[order]), "count": total[order],
                  "first_sent_id": batch.sent_ids[earliest[order]] if len(merged) else np.zeros(0, dtype=np.int64)})


def entity_kind(token: str, pos: str) -> str | None:
    """place / organisation for a token by its tag (persons need evidence: `batch_entities`), or None."""
    kind = ENTITY_KINDS.get(pos)
    if kind in ("place", "organisation") and is_entity_name(token):
        return kind
    return None


def is_entity_name(token: str) -> bool:
    """Whether a place or organisation token is kept: two characters or more and not a known mistagged word."""
    return len(token) >= 2 and token not in words.word_set("entity_exclusions.txt")


def entities(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `entities` table: people, places and organisations per document with counts and first mention."""
    return batch_entities(encode(tokens, sentences))


def corpus_entities(entities_table: pd.DataFrame) -> pd.DataFrame:
    """Entities over the corpus: entity, kind, count, documents (most mentioned first)."""
    grouped = entities_table.groupby(["entity", "kind"]).agg(count=("count", "sum"), documents=("doc_id", "nunique"))
    return grouped.reset_index().sort_values(["count", "entity"], ascending=[False, True], ignore_index=True)


def find_speaker(tagged: list[tuple[str, str]], people: list[str], at_end: bool) -> str | None:
    """The speaker in a clause: the token before a speech verb (the last verb if `at_end`, else the first)."""
    verbs = words.word_set("speech_verbs.txt")
    positions = [i for i, (token, _) in enumerate(tagged) if token in verbs and i > 0]
    if at_end:
        last = last_word_index(tagged)
        positions = [i for i in positions if i == last]
    for index in positions:
        token, pos = tagged[index - 1]
        if token in PRONOUNS and people:
            return people[-1]
        if pos.startswith(("nr", "nt", "ns")) and len(token) >= 2:
            return token
        if words.is_title(token):
            return role_phrase(tagged, index - 1)
    return None


def last_word_index(tagged: list[tuple[str, str]]) -> int:
    """Index of the last token that is not space or punctuation (-1 when there is none)."""
    for index in range(len(tagged) - 1, -1, -1):
        token = tagged[index][0]
        if token.strip() and not words.is_boundary(token):
            return index
    return -1


def role_phrase(tagged: list[tuple[str, str]], end: int) -> str:
    """A role such as 发言人 with the nouns just before it (商务部新闻发言人), at most three of them."""
    start = end
    while start > 0 and end - start < 3 and tagged[start - 1][1].startswith("n") and tagged[start - 1][0].strip():
        start -= 1
    return "".join(token for token, _ in tagged[start : end + 1])


class QuotingText(NamedTuple):
    """The kept sentences of the paragraphs with quote marks, joined into one text.

    Paragraphs and document runs are separated by a newline, a clause end that no quote crosses, so each run
    reads exactly as if it were processed alone.
    """

    text: str
    sentence_starts: np.ndarray  # offset of each sentence in `text`
    sent_ids: np.ndarray
    run_starts: np.ndarray  # offset of each document run in `text`
    run_doc_ids: list[str]  # doc_id of each document run


def quoting_text(sentences: pd.DataFrame, texts: pd.Series) -> QuotingText:
    """The `QuotingText` of a sentences table (sentences flagged `is_duplicate` left out)."""
    doc, doc_names = codes(sentences["doc_id"])
    run = document_runs(doc)
    rows = np.arange(len(sentences))
    sent_ids = sentences["sent_id"].to_numpy()
    skip = duplicate_rows(doc, doc_names, sent_ids, sentences)
    if skip is not None:
        rows = rows[~skip]
    paras = sentences["para_id"].to_numpy()[rows] if "para_id" in sentences.columns else np.zeros(len(rows))
    new_block = np.r_[True, (run[rows][1:] != run[rows][:-1]) | (paras[1:] != paras[:-1])] if len(rows) else rows
    keep = quoting_blocks(np.cumsum(new_block), opening_marks(texts)[rows])
    rows, new_line = rows[keep], new_block[keep]
    if not len(rows):
        nothing = np.zeros(0, dtype=np.int64)
        return QuotingText("", nothing, nothing, nothing, [])
    new_line[0] = False
    new_run = np.r_[True, run[rows][1:] != run[rows][:-1]]
    kept_texts = arrow_strings(texts).take(pa.array(rows)).to_pylist()
    pieces = ["\n" + text if starts_line else text
              for text, starts_line in zip(kept_texts, new_line.tolist(), strict=True)]
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    sentence_starts = np.cumsum(lengths) - lengths + new_line
    return QuotingText("".join(pieces), sentence_starts,
                       sent_ids[rows], sentence_starts[new_run],
                       doc_names.take(pa.array(doc[rows][new_run])).to_pylist())


def opening_marks(texts: pd.Series) -> np.ndarray:
    """Per text: whether it holds an opening quote mark “「『."""
    return pc.match_substring_regex(arrow_strings(texts), "[“「『]").to_numpy(zero_copy_only=False)


def quoting_blocks(block: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """Per row: whether its block (a paragraph of one document run, numbered in order) has a row with a quote mark.
    Quotes and their clauses never cross the newline between blocks, so the other blocks can be left out."""
    has_mark = np.zeros(int(block[-1]) + 1 if len(block) else 0, dtype=bool)
    has_mark[block[marked]] = True
    return has_mark[block]


def looks_like_speech(quote: str) -> bool:
    """Whether quoted text is speech rather than a quoted term (“双碳”): long enough and clause-like."""
    return len(quote) >= MIN_QUOTE_CHARS and (CLAUSE_MARK_RE.search(quote) is not None or len(quote) >= 15)


class QuoteCandidate(NamedTuple):
    """A quote that reads as speech, with the clauses around it that may name its speaker."""

    run: int  # index of its document run
    quote: str
    sent_id: object
    before: str  # the clause before the quote (up to the previous clause end), trailing ": ," removed
    after: str  # the rest of the clause after the quote


def code_points(text: str) -> np.ndarray:
    """The code points of a text (one per character, as Python indexes it)."""
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def clause_end_offsets(text_codes: np.ndarray) -> np.ndarray:
    """Offsets of the clause-end marks (CLAUSE_END_MARKS) in a text, from its code points."""
    return np.flatnonzero(np.isin(text_codes, CLAUSE_END_CODES))


def quote_spans(text_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of QUOTE_RE's matches in a text, from its code points: an opening mark whose next
    quote mark or newline is a closing mark, with at least one character between them."""
    stops = np.flatnonzero(np.isin(text_codes, QUOTE_STOP_CODES))
    opening, closing = stops[:-1], stops[1:]
    is_quote = (np.isin(text_codes[opening], QUOTE_OPEN_CODES) & np.isin(text_codes[closing], QUOTE_CLOSE_CODES)
                & (closing > opening + 1))
    return opening[is_quote], closing[is_quote] + 1


def quote_candidates(joined: QuotingText) -> list[QuoteCandidate]:
    """Every quote of the joined text that reads as speech, in text order."""
    text = joined.text
    text_codes = code_points(text)
    starts, ends = quote_spans(text_codes)
    long_enough = ends - starts - 2 >= MIN_QUOTE_CHARS  # shorter quotes (“双碳”) are never speech
    starts, ends = starts[long_enough], ends[long_enough]
    quotes = [text[start + 1 : end - 1].strip() for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]
    speech = np.array([looks_like_speech(quote) for quote in quotes], dtype=bool)
    quotes = [quote for quote, is_speech in zip(quotes, speech.tolist(), strict=True) if is_speech]
    starts, ends = starts[speech], ends[speech]
    clause_ends = clause_end_offsets(text_codes)
    before_starts = np.r_[-1, clause_ends][np.searchsorted(clause_ends, starts)] + 1  # after the last end before
    after_ends = np.r_[clause_ends, len(text)][np.searchsorted(clause_ends, ends)]  # the first end after
    runs = np.searchsorted(joined.run_starts, starts, side="right") - 1
    sent_ids = joined.sent_ids[np.searchsorted(joined.sentence_starts, starts, side="right") - 1].tolist()
    return [QuoteCandidate(run, quote, sent_id, text[before_start:start].rstrip(" :：,，"), text[end:after_end])
            for quote, run, sent_id, before_start, start, end, after_end
            in zip(quotes, runs.tolist(), sent_ids, before_starts.tolist(), starts.tolist(), ends.tolist(),
                   after_ends.tolist(), strict=True)]


def with_person_names(tagged: list[tuple[str, str]], names: set[str]) -> list[tuple[str, str]]:
    """Tagged tokens of a clause with known and newly evidenced person names joined."""
    return words.join_person_names(tagged, names | words.find_person_names([tagged]))


def known_people(tokens: pd.DataFrame | None) -> dict[str, set[str]]:
    """doc_id → name-shaped person tokens already in `tokens` (names the segmenter joined)."""
    if tokens is None or not len(tokens):
        return {}
    is_person = pc.starts_with(arrow_strings(tokens["pos"]), "nr")
    doc_ids = arrow_strings(tokens["doc_id"].astype(str)).filter(is_person).to_pylist()
    person_tokens = arrow_strings(tokens["token"]).filter(is_person).to_pylist()
    names = {token for token in set(person_tokens) if is_person_candidate(token, "nr")}
    known: dict[str, set[str]] = defaultdict(set)
    for doc_id, token in set(zip(doc_ids, person_tokens, strict=True)):
        if token in names:
            known[doc_id].add(token)
    return known


@functools.cache
def speech_verb_re() -> re.Pattern:
    """A regex finding any speech verb (resources/speech_verbs.txt) in a text."""
    verbs = sorted(words.word_set("speech_verbs.txt"), key=len, reverse=True)
    return re.compile("|".join(re.escape(verb) for verb in verbs) if verbs else "(?!)")


def may_name_speaker(clause: str) -> bool:
    """Whether a clause holds a speech verb, without which `find_speaker` finds no speaker in it (a token, or
    person names joined from tokens, are pieces of the clause's text)."""
    return speech_verb_re().search(clause) is not None


def batch_known_people(batch: Batch) -> dict[str, set[str]]:
    """`known_people` from a coded batch (the same as from its tokens table when no sentence was left out)."""
    person_tag = np.array([tag.startswith("nr") for tag in batch.tags], dtype=bool)
    rows = np.flatnonzero(person_tag[batch.pos]) if len(batch.tags) else np.zeros(0, dtype=np.int64)
    (doc, token), _ = distinct_counts(batch.doc[rows], batch.token[rows])
    names = {code for code in np.unique(token).tolist() if is_person_candidate(batch.vocabulary[code], "nr")}
    known: dict[str, set[str]] = defaultdict(set)
    for doc_code, token_code in zip(doc.tolist(), token.tolist(), strict=True):
        if token_code in names:
            known[batch.doc_ids[doc_code]].add(batch.vocabulary[token_code])
    return known


@functools.cache
def speech_verbs() -> tuple[str, ...]:
    """The speech verbs (resources/speech_verbs.txt) as a tuple, for str.endswith."""
    return tuple(sorted(words.word_set("speech_verbs.txt")))


def ends_with_speech_verb(clause: str) -> bool:
    """Whether a clause ends with a speech verb once trailing punctuation, symbols and spaces are left out: the
    clause before a quote names no speaker otherwise (`find_speaker(at_end=True)` wants the verb as last word)."""
    end = len(clause)
    while end and words.is_boundary(clause[end - 1]):
        end -= 1
    return clause[:end].endswith(speech_verbs())


def candidate_speakers(candidates: list[QuoteCandidate], known: dict[str, set[str]],
                       run_doc_ids: list[str]) -> list[str | None]:
    """The speaker of each quote (None when none is found); 他/她 resolve to the run's previous speaker."""
    searched = [(ends_with_speech_verb(candidate.before), may_name_speaker(candidate.after))
                for candidate in candidates]
    clauses = [clause for candidate, flags in zip(candidates, searched, strict=True)
               for clause, flag in zip((candidate.before, candidate.after), flags, strict=True) if flag]
    tagged = iter(words.tag_texts(clauses))  # only clauses that may name a speaker are tagged
    speakers, people, last_run = [], [], None
    for candidate, (search_before, search_after) in zip(candidates, searched, strict=True):
        if candidate.run != last_run:
            people, last_run = [], candidate.run
        names = known.get(run_doc_ids[candidate.run], set())
        before = next(tagged) if search_before else None
        after = next(tagged) if search_after else None
        speaker = find_speaker(with_person_names(before, names), people, at_end=True) if before is not None else None
        if speaker is None and after is not None:
            speaker = find_speaker(with_person_names(after, names), people, at_end=False)
        if speaker:
            people.append(speaker)
        speakers.append(speaker)
    return speakers


def document_runs(doc: np.ndarray) -> np.ndarray:
    """Per row: the number of its run of equal consecutive document codes."""
    return np.cumsum(np.r_[True, doc[1:] != doc[:-1]]) if len(doc) else doc


def quotes_frame(rows: list[tuple]) -> pd.DataFrame:
    """The `quotes` table from (doc_id, speaker, quote, sent_id) rows."""
    return frame({name: strings_column([row[i] for row in rows])
                  if name != "sent_id" else [row[i] for row in rows] for i, name in enumerate(QUOTES_COLUMNS)})


def extract_quotes(sentences: pd.DataFrame, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `quotes` table: speech in “…” (or 「…」) attributed with a speech verb before or after it."""
    return quotes_table(sentences, lambda: known_people(tokens))


def quotes_table(sentences: pd.DataFrame, people: Callable[[], dict[str, set[str]]]) -> pd.DataFrame:
    """`extract_quotes` with the documents' known person names from `people` (called only when quotes are found)."""
    if not len(sentences):
        return pd.DataFrame(columns=QUOTES_COLUMNS)
    joined = quoting_text(sentences, as_text(sentences["text"].fillna("")))
    candidates = quote_candidates(joined)
    if not candidates:
        return quotes_frame([])
    speakers = candidate_speakers(candidates, people(), joined.run_doc_ids)
    return quotes_frame([(joined.run_doc_ids[candidate.run], speaker, candidate.quote, candidate.sent_id)
                         for candidate, speaker in zip(candidates, speakers, strict=True) if speaker])


# ---------------------------------------------------------------- co-occurrence


def sentence_pairs(sent: np.ndarray, token: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sentence, token, other token) for every two tokens of a sentence, from distinct rows sorted by sentence."""
    pair_sent, first, second = [], [], []
    for offset in range(1, len(sent)):
        same = np.flatnonzero(sent[offset:] == sent[:-offset])
        if not len(same):
            break
        pair_sent.append(sent[same])
        first.append(token[same])
        second.append(token[same + offset])
    if not pair_sent:
        return sent[:0], token[:0], token[:0]
    return np.concatenate(pair_sent), np.concatenate(first), np.concatenate(second)


def batch_pairs(batch: Batch, terms: TermRows, top_terms: int = TOP_PAIR_TERMS) -> pd.DataFrame:
    """The `term_pairs` table of a coded batch: sentence-level pairs among each document's top key terms."""
    key_tag = np.array([is_keyword_pos(tag) for tag in batch.tags], dtype=bool)
    frequent = np.flatnonzero(key_tag[terms.pos]) if len(batch.tags) else np.zeros(0, dtype=np.int64)
    kept, _ = top_per_doc(terms.doc[frequent], top_terms)
    width = max(len(batch.vocabulary), 1)
    chosen = terms.doc[frequent[kept]] * width + terms.token[frequent[kept]]
    table_size = len(batch.doc_ids) * width  # a lookup table over all (document, token) keys when small enough
    if table_size < 2**25:
        is_chosen = np.zeros(table_size, dtype=bool)
        is_chosen[chosen] = True
        keep = is_chosen[batch.doc * width + batch.token]
    else:
        keep = np.isin(batch.doc * width + batch.token, chosen)
    (sent, token), _ = distinct_counts(batch.sent[keep], batch.token[keep])
    pair_sent, first, second = sentence_pairs(sent, token)
    term_rank = batch.term_rank
    first_rank, second_rank = term_rank[first], term_rank[second]
    (doc, rank_a, rank_b), counts = distinct_counts(batch.doc_rank[batch.sent_doc[pair_sent]],
                                                    np.minimum(first_rank, second_rank),
                                                    np.maximum(first_rank, second_rank))
    doc_of_rank, term_of_rank = np.argsort(batch.doc_rank), np.argsort(term_rank)
    return frame({"doc_id": text_column(batch.doc_text, doc_of_rank[doc]),
                  "term_a": text_column(batch.vocabulary_text, term_of_rank[rank_a]),
                  "term_b": text_column(batch.vocabulary_text, term_of_rank[rank_b]), "count": counts})


def document_pairs(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None,
                   top_terms: int = TOP_PAIR_TERMS) -> pd.DataFrame:
    """The `term_pairs` table: sentence-level pairs among each document's most frequent key terms."""
    batch = encode(tokens, sentences)
    return batch_pairs(batch, term_rows(batch), top_terms)


def summed_pairs(term_pairs: pd.DataFrame) -> pd.DataFrame:
    """term_a, term_b, count (summed) and documents (distinct doc_ids) per pair, sorted by term_a and term_b."""
    first, first_names = pd.factorize(term_pairs["term_a"], sort=True)
    second, second_names = pd.factorize(term_pairs["term_b"], sort=True)
    doc, _ = pd.factorize(term_pairs["doc_id"], sort=False)
    counted = (first >= 0) & (second >= 0)  # like groupby, pairs with a missing term are left out
    pair, index = np.unique(first[counted].astype(np.int64) * max(len(second_names), 1) + second[counted],
                            return_inverse=True)
    index = index.reshape(-1)
    counts = np.zeros(len(pair), dtype=np.int64)
    np.add.at(counts, index, term_pairs["count"].to_numpy(dtype=np.int64)[counted])
    with_doc = doc[counted] >= 0
    (doc_pair, _), _, _ = count_keys(index[with_doc], doc[counted][with_doc])
    width = max(len(second_names), 1)
    return pd.DataFrame({"term_a": np.asarray(first_names, dtype=object)[pair // width],
                         "term_b": np.asarray(second_names, dtype=object)[pair % width], "count": counts,
                         "documents": np.bincount(doc_pair, minlength=len(pair)).astype(np.int64)})


def cooccurrence(term_pairs: pd.DataFrame, terms: pd.DataFrame, total_sentences: int,
                 min_count: int = 2) -> pd.DataFrame:
    """The `cooccurrence` table: pair counts summed over documents with PMI over sentences."""
    if not len(term_pairs) or total_sentences <= 0:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    summed = summed_pairs(term_pairs)
    summed = summed[summed["count"] >= min_count].reset_index(drop=True)
    if summed.empty:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    needed = terms[terms["term"].isin(pd.concat([summed["term_a"], summed["term_b"]]).unique())]
    in_sentences = pd.to_numeric(needed.groupby("term")["sentence_count"].sum(), errors="coerce")
    expected = (summed["term_a"].map(in_sentences).astype(float) * summed["term_b"].map(in_sentences).astype(float)
                / total_sentences)
    summed["pmi"] = (summed["count"] / expected).map(math.log2)
    return summed.sort_values(["count", "pmi"], ascending=False, ignore_index=True)[COOCCURRENCE_COLUMNS]


# ---------------------------------------------------------------- topics


def topic_count(units: int) -> int:
    """k for NMF: clamp(round(sqrt(units / 2)), 2, MAX_TOPICS), below the number of units (0 for < 2 units)."""
    if units < 2:
        return 0
    return min(max(2, round(math.sqrt(units / 2))), MAX_TOPICS, units - 1)


def topic_vocabulary(terms: pd.DataFrame, units: int) -> pd.DataFrame:
    """`terms` limited to the topic vocabulary: from 20 units on, the most widespread terms found in >= 2 units."""
    return terms[in_topic_vocabulary(terms, units)]


def in_topic_vocabulary(terms: pd.DataFrame, units: int) -> np.ndarray:
    """Per row of `terms`: whether its term is in the topic vocabulary (`topic_vocabulary`)."""
    if units < 20:
        return np.ones(len(terms), dtype=bool)
    spread = terms["term"].value_counts()
    keep = spread[spread >= 2].head(TOPIC_VOCABULARY).index
    return terms["term"].isin(keep).to_numpy(dtype=bool)


def unit_codes(terms: pd.DataFrame, unit_columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per row: its unit's code (units in order of first appearance), and each unit's first row."""
    unit = np.zeros(len(terms), dtype=np.int64)
    for column in unit_columns:
        column_codes, uniques = pd.factorize(terms[column], sort=False, use_na_sentinel=False)
        unit = unit * max(len(uniques), 1) + column_codes
    unit, _ = pd.factorize(unit, sort=False)
    first = np.zeros(unit.max() + 1 if len(unit) else 0, dtype=np.int64)
    first[unit[::-1]] = np.arange(len(unit))[::-1]
    return unit.astype(np.int64), first


def prepare_corpus_summaries() -> None:
    """Import scikit-learn's NMF and TF-IDF and load jieba's IDF table (a second or two): `tabulate` does it
    while the workers run."""
    for module in ("sklearn.decomposition", "sklearn.feature_extraction.text"):
        importlib.import_module(module)
    reference_idf_median()


def topics(terms: pd.DataFrame, k: int | None = None, top_terms: int = TOPIC_TERMS,
           random_state: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`topics`, `doc_topics`): NMF on TF-IDF of units (doc_id, or doc_id + para_id when present)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    unit_columns = ["doc_id", "para_id"] if "para_id" in terms.columns else ["doc_id"]
    empty = (pd.DataFrame(columns=TOPICS_COLUMNS), pd.DataFrame(columns=DOC_TOPICS_COLUMNS))
    if "pos" in terms.columns:
        terms = with_keyword_pos(terms)
    unit_table = terms[unit_columns]
    unit, unit_first = unit_codes(terms, unit_columns)
    units = len(unit_first)
    k = max(min(k, units - 1), 0) if k else topic_count(units)
    if k < 1 or not len(terms):
        return empty
    in_vocabulary = in_topic_vocabulary(terms, units)
    terms, rows = terms[in_vocabulary], unit[in_vocabulary]
    columns, vocabulary = pd.factorize(terms["term"], sort=True)
    k = min(k, len(vocabulary))
    if k < 1:
        return empty
    matrix = csr_matrix((terms["count"].to_numpy(dtype=float), (rows, columns)), shape=(units, len(vocabulary)))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(matrix)
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    weights = model.fit_transform(tfidf)
    topic_rows = [(topic_id, vocabulary[j], float(component[j]))
                  for topic_id, component in enumerate(model.components_)
                  for j in component.argsort()[::-1][:top_terms] if component[j] > 0]
    shares = weights / weights.sum(axis=1, keepdims=True).clip(min=1e-12)
    unit_index, topic_index = np.nonzero(shares > 0)  # row by row: units in order, then topics
    unit_rows = unit_first[unit_index]
    doc_topics = frame({"doc_id": pd.array(unit_table["doc_id"].iloc[unit_rows].astype(str).tolist(), dtype="str"),
                        "para_id": unit_table["para_id"].to_numpy()[unit_rows] if "para_id" in unit_columns
                        else np.full(len(unit_rows), -1),
                        "topic_id": topic_index, "weight": shares[unit_index, topic_index]})
    topic_table = pd.DataFrame(topic_rows, columns=TOPICS_COLUMNS)
    return topic_table.astype({"topic_id": "int64", "term": "str", "weight": "float64"}), doc_topics


# ---------------------------------------------------------------- keyword in context


def keyword_in_context(texts: pd.DataFrame, term: str, width: int = 20) -> pd.DataFrame:
    """Every occurrence of `term` in a sentences (text) or articles (body) table with `width` characters of context."""
    column = "text" if "text" in texts.columns else "body"
    has_sent = "sent_id" in texts.columns
    rows = []
    for row in texts.itertuples(index=False):
        text = str(getattr(row, column) or "")
        start = text.find(term)
        while term and start >= 0:
            end = start + len(term)
            rows.append((row.doc_id, row.sent_id if has_sent else None, text[max(0, start - width) : start],
                         term, text[end : end + width]))
            start = text.find(term, end)
    return pd.DataFrame(rows, columns=KWIC_COLUMNS)


# ---------------------------------------------------------------- what the corpus runner calls


def document_summaries(tokens: pd.DataFrame, sentences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every per-document words table for one document (or a batch): small enough to hold for a corpus."""
    batch = encode(tokens, sentences)
    terms = term_rows(batch)
    return {
        "terms": terms_frame(batch, terms),
        "paragraph_terms": batch_paragraph_terms(batch, sentence_paragraphs(batch, sentences)),
        "doc_keywords": batch_keywords(batch, terms),
        "entities": batch_entities(batch),
        "quotes": typed({"quotes": quotes_table(sentences, lambda: summary_people(batch, tokens))})["quotes"],
        "term_pairs": batch_pairs(batch, terms),
        "word_stats": batch_word_stats(batch),
    }


def summary_people(batch: Batch, tokens: pd.DataFrame) -> dict[str, set[str]]:
    """`known_people` of a batch's tokens, from its coding when it kept every row and every value."""
    complete = len(batch.doc) == len(tokens) and all(codes.min(initial=0) >= 0
                                                     for codes in (batch.doc, batch.token, batch.pos))
    return batch_known_people(batch) if complete else known_people(tokens)


def typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tables with their numeric columns cast to the documented dtypes (also when empty), text as str."""
    out = {}
    for name, table in tables.items():
        to_cast = {column: COLUMN_DTYPES.get(column, "str") for column, dtype in table.dtypes.items()
                   if dtype != COLUMN_DTYPES.get(column, "str")}
        out[name] = table.astype(to_cast) if to_cast else table.copy(deep=False)
    return out


def distinct_doc_ids(articles: pd.DataFrame | None, doc_ids: pd.Series) -> set:
    """Document ids to count at corpus level: all but the later copies of a story (articles' `dup_cluster`)."""
    ids = set(doc_ids.astype(str).unique().tolist())
    if articles is not None and len(articles) and "dup_cluster" in articles.columns:
        cluster = articles["dup_cluster"].fillna("").astype(str)
        copies = articles.loc[(cluster != "") & (cluster != articles["doc_id"].astype(str)), "doc_id"]
        ids -= set(copies.astype(str).tolist())
    return ids


def corpus_summaries(tables: dict[str, pd.DataFrame], articles: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Corpus-level words tables (keywords, cooccurrence, topics, doc_topics) from the per-document ones."""
    terms = tables.get("terms", pd.DataFrame(columns=TERMS_COLUMNS))
    stats = tables.get("word_stats", pd.DataFrame(columns=WORD_STATS_COLUMNS))
    keep = distinct_doc_ids(articles, terms["doc_id"])
    kept_ids = pa.array(sorted(keep), type=pa.large_string())

    def only_kept(table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a per-document table that belong to counted documents."""
        if not len(table):
            return table
        doc_ids = pa.array(table["doc_id"].astype(str), type=pa.large_string())
        return table[pc.is_in(doc_ids, value_set=kept_ids).to_numpy(zero_copy_only=False)]

    terms, stats = only_kept(terms), only_kept(stats)
    doc_units = terms["doc_id"].nunique()
    paragraphs = tables.get("paragraph_terms", pd.DataFrame(columns=PARAGRAPH_TERMS_COLUMNS))
    topic_terms = terms if doc_units >= MIN_DOCS_FOR_ARTICLE_TOPICS else only_kept(paragraphs)
    topic_table, doc_topic_table = topics(topic_terms)
    pairs = tables.get("term_pairs", pd.DataFrame(columns=PAIRS_COLUMNS))
    return typed({
        "keywords": keywords(terms, only_kept(tables.get("doc_keywords", pd.DataFrame(columns=KEYWORDS_COLUMNS)))),
        "cooccurrence": cooccurrence(only_kept(pairs), terms, int(stats["sentences"].sum())),
        "topics": topic_table,
        "doc_topics": doc_topic_table,
    })
