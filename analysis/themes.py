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
import itertools
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from . import words

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
MIN_DOCS_FOR_CORPUS_IDF = 50
MIN_DOCS_FOR_ARTICLE_TOPICS = 8
MAX_TOPICS = 12
TOPIC_TERMS = 10
TOPIC_VOCABULARY = 5000
MIN_QUOTE_CHARS = 8
QUOTE_RE = re.compile(r"[“「『]([^“”「」『』\n]+)[”」』]")
CLAUSE_END_RE = re.compile(r"[。！？!?\n]")
PRONOUNS = frozenset({"他", "她"})
ENTITY_KINDS = {"nr": "person", "nrfg": "person", "nrt": "person", "ns": "place", "nt": "organisation"}


# ---------------------------------------------------------------- per-document tables (vectorised over a batch)


class Batch(NamedTuple):
    """A tokens table coded as integers (duplicate sentences left out), the input of every per-document table."""

    doc_ids: np.ndarray  # the batch's doc_ids in order of appearance
    sent_keys: list  # (doc_id, sent_id) of each sentence, in order
    sent_doc: np.ndarray  # document index of each sentence
    doc: np.ndarray  # per token: document index
    sent: np.ndarray  # per token: sentence index
    token: np.ndarray  # per token: code into `vocabulary`
    pos: np.ndarray  # per token: code into `tags`
    vocabulary: np.ndarray
    tags: np.ndarray
    term: np.ndarray  # per token: is a content term
    key: np.ndarray  # per token: is a content term with a keyword POS


@functools.lru_cache(maxsize=500_000)
def is_term(token: str, pos: str) -> bool:
    """Whether a token counts as a content term (not a stopword, punctuation, number or stray character)."""
    if not token.strip() or token in words.stopwords() or words.is_boundary(token) or NUMBER_RE.match(token):
        return False
    if len(token) < 2 and token not in words.user_tags():
        return False
    return pos.startswith(TERM_POS_PREFIXES)


def duplicate_keys(sentences: pd.DataFrame | None) -> set[tuple[str, object]]:
    """(doc_id, sent_id) of sentences flagged `is_duplicate` (none when there is no flag)."""
    if sentences is None or "is_duplicate" not in sentences.columns or not len(sentences):
        return set()
    flagged = sentences[sentences["is_duplicate"].fillna(False).astype(bool)]
    return set(zip(flagged["doc_id"].astype(str), flagged["sent_id"], strict=True))


def codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a text column (in order of appearance) and the distinct values they point to."""
    values, uniques = pd.factorize(column.astype(str), sort=False)
    return values.astype(np.int64), np.asarray(uniques, dtype=object)


def encode(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None) -> Batch:
    """The tokens of non-duplicate sentences coded as integer arrays."""
    skip = duplicate_keys(sentences)
    if skip:
        keys = zip(tokens["doc_id"].astype(str), tokens["sent_id"], strict=True)
        tokens = tokens[np.array([key not in skip for key in keys], dtype=bool)]
    doc, doc_ids = codes(tokens["doc_id"])
    sent_ids = tokens["sent_id"].to_numpy()
    new_sentence = np.ones(len(doc), dtype=bool)
    new_sentence[1:] = (doc[1:] != doc[:-1]) | (sent_ids[1:] != sent_ids[:-1])
    sent = np.cumsum(new_sentence) - 1
    starts = np.flatnonzero(new_sentence)
    token, vocabulary = codes(tokens["token"])
    pos, tags = codes(tokens["pos"])
    pair = token * max(len(tags), 1) + pos
    unique_pairs, pair_index = np.unique(pair, return_inverse=True)
    pair_term = np.array([is_term(vocabulary[p // len(tags)], tags[p % len(tags)]) for p in unique_pairs], dtype=bool)
    pair_key = np.array([is_keyword_pos(tags[p % len(tags)]) for p in unique_pairs], dtype=bool) & pair_term
    return Batch(doc_ids, list(zip(doc_ids[doc[starts]], sent_ids[starts].tolist(), strict=True)), doc[starts], doc,
                 sent, token, pos, vocabulary, tags, pair_term[pair_index], pair_key[pair_index])


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


def batch_terms(batch: Batch) -> pd.DataFrame:
    """The `terms` table of a coded batch."""
    mask = batch.term
    doc, sent, token, pos = batch.doc[mask], batch.sent[mask], batch.token[mask], batch.pos[mask]
    (doc_term, term_code), counts, _ = count_keys(doc, token)
    (sentence, sentence_term), _, _ = count_keys(sent, token)
    _, sentence_counts, _ = count_keys(batch.sent_doc[sentence], sentence_term)
    (pd_doc, pd_term, pd_pos), pd_counts, _ = count_keys(doc, token, pos)
    order = np.lexsort((-pd_counts, pd_term, pd_doc))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (pd_doc[order][1:] != pd_doc[order][:-1]) | (pd_term[order][1:] != pd_term[order][:-1])
    best_pos = pd_pos[order][first]
    table = pd.DataFrame({"doc_id": batch.doc_ids[doc_term] if len(doc_term) else [],
                          "term": batch.vocabulary[term_code] if len(term_code) else [],
                          "pos": batch.tags[best_pos] if len(best_pos) else [],
                          "count": counts, "sentence_count": sentence_counts, "_doc": doc_term})
    table = table.sort_values(["_doc", "count", "term"], ascending=[True, False, True], ignore_index=True)
    return table[TERMS_COLUMNS].astype({"count": "int64", "sentence_count": "int64"})


def document_terms(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `terms` table: content-term counts per document."""
    return batch_terms(encode(tokens, sentences))


def paragraph_map(sentences: pd.DataFrame) -> dict:
    """(doc_id, sent_id) → para_id from a sentences table (empty without para_id)."""
    if "para_id" not in sentences.columns:
        return {}
    return dict(zip(zip(sentences["doc_id"].astype(str), sentences["sent_id"], strict=True),
                    sentences["para_id"], strict=True))


def batch_paragraph_terms(batch: Batch, para_of: dict) -> pd.DataFrame:
    """The `paragraph_terms` table of a coded batch, given (doc_id, sent_id) → para_id."""
    paragraph = np.array([para_of.get(key, -1) for key in batch.sent_keys], dtype=np.int64)
    token_para = paragraph[batch.sent] if len(paragraph) else np.array([], dtype=np.int64)
    mask = batch.term & (token_para >= 0)
    (doc, para, term), counts, _ = count_keys(batch.doc[mask], token_para[mask], batch.token[mask])
    table = pd.DataFrame({"doc_id": batch.doc_ids[doc] if len(doc) else [], "para_id": para,
                          "term": batch.vocabulary[term] if len(term) else [], "count": counts})
    return table.sort_values(["doc_id", "para_id", "term"], ignore_index=True)[PARAGRAPH_TERMS_COLUMNS]


def paragraph_terms(tokens: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """The `paragraph_terms` table: content-term counts per paragraph (sentences give sent_id → para_id)."""
    return batch_paragraph_terms(encode(tokens, sentences), paragraph_map(sentences))


def batch_word_stats(batch: Batch) -> pd.DataFrame:
    """The `word_stats` table of a coded batch."""
    n = len(batch.doc_ids)
    return pd.DataFrame({"doc_id": batch.doc_ids, "sentences": np.bincount(batch.sent_doc, minlength=n),
                         "tokens": np.bincount(batch.doc, minlength=n),
                         "terms": np.bincount(batch.doc[batch.term], minlength=n)}, columns=WORD_STATS_COLUMNS)


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


def ranked(rows: pd.DataFrame, top: int) -> pd.DataFrame:
    """Keyword rows (doc_id, method, term, score) with the best `top` per doc_id and method, ranked from 1."""
    if not len(rows):
        return pd.DataFrame(columns=KEYWORDS_COLUMNS)
    rows = rows.sort_values(["doc_id", "method", "score", "term"], ascending=[True, True, False, True])
    rows = rows.groupby(["doc_id", "method"], sort=False).head(top).copy()
    rows["rank"] = rows.groupby(["doc_id", "method"], sort=False).cumcount() + 1
    return rows[KEYWORDS_COLUMNS].reset_index(drop=True)


def textrank_table(batch: Batch) -> pd.DataFrame:
    """TextRank per document (doc_id, method, term, score; best = 1) over key terms linked within a window."""
    doc, sent, token = batch.doc[batch.key], batch.sent[batch.key], batch.token[batch.key]
    sources, targets = [], []
    for offset in range(1, TEXTRANK_WINDOW):
        linked = (sent[offset:] == sent[:-offset]) & (token[offset:] != token[:-offset])
        a = doc[:-offset][linked] * len(batch.vocabulary) + token[:-offset][linked]
        b = doc[offset:][linked] * len(batch.vocabulary) + token[offset:][linked]
        sources += [a, b]
        targets += [b, a]
    if not sources or not sum(len(s) for s in sources):
        return pd.DataFrame(columns=["doc_id", "method", "term", "score"])
    nodes, index = np.unique(np.concatenate(sources + targets), return_inverse=True)
    half = len(index) // 2
    links = csr_matrix((np.ones(half), (index[half:], index[:half])), shape=(len(nodes), len(nodes)))
    out_weight = np.asarray(links.sum(axis=0)).ravel()
    transition = links.multiply(1 / out_weight).tocsr()
    scores = np.ones(len(nodes))
    for _ in range(TEXTRANK_ITERATIONS):
        scores = (1 - TEXTRANK_DAMPING) + TEXTRANK_DAMPING * (transition @ scores)
    node_doc = nodes // len(batch.vocabulary)
    starts = np.flatnonzero(np.r_[True, node_doc[1:] != node_doc[:-1]])
    best = np.repeat(np.maximum.reduceat(scores, starts), np.diff(np.r_[starts, len(nodes)]))
    return pd.DataFrame({"doc_id": batch.doc_ids[node_doc], "method": "textrank",
                         "term": batch.vocabulary[nodes % len(batch.vocabulary)], "score": scores / best})


def batch_keywords(batch: Batch, terms: pd.DataFrame, top: int = TOP_KEYWORDS) -> pd.DataFrame:
    """Per-document frequency and TextRank keywords of a coded batch (`keywords` columns)."""
    frequency = with_keyword_pos(terms)
    frequency = pd.DataFrame({"doc_id": frequency["doc_id"], "method": "frequency", "term": frequency["term"],
                              "score": frequency["count"].astype(float)})
    return ranked(pd.concat([frequency, textrank_table(batch)], ignore_index=True), top)


def document_keywords(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None,
                      top: int = TOP_KEYWORDS) -> pd.DataFrame:
    """Per-document keywords by frequency and TextRank (`keywords` columns), from a document's tokens."""
    batch = encode(tokens, sentences)
    return batch_keywords(batch, batch_terms(batch), top)


@functools.cache
def reference_idf() -> dict[str, float]:
    """jieba's reference IDF table (jieba/analyse/idf.txt)."""
    import jieba

    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) == 2:
            table[parts[0]] = float(parts[1])
    return table


def idf_table(terms: pd.DataFrame) -> tuple[dict[str, float], float, str]:
    """IDF per term, the IDF for unseen terms and the source ("corpus" or "jieba") by the stated rule."""
    n_docs = terms["doc_id"].nunique()
    if n_docs >= MIN_DOCS_FOR_CORPUS_IDF:
        df = terms.groupby("term")["doc_id"].nunique()
        idf = {term: math.log((1 + n_docs) / (1 + count)) + 1 for term, count in df.items()}
        return idf, math.log(1 + n_docs) + 1, "corpus"
    reference = reference_idf()
    return reference, float(pd.Series(list(reference.values())).median()), "jieba"


def keywords(terms: pd.DataFrame, doc_keywords: pd.DataFrame | None = None,
             top: int = TOP_KEYWORDS) -> pd.DataFrame:
    """The `keywords` table: per-document frequency/tfidf (+ textrank from `doc_keywords`) and corpus level."""
    terms = with_keyword_pos(terms) if len(terms) else terms
    if not len(terms):
        return pd.DataFrame(columns=KEYWORDS_COLUMNS)
    idf, unseen, _ = idf_table(terms)
    tf = terms["count"] / terms.groupby("doc_id")["count"].transform("sum")
    scored = terms.assign(tfidf=tf * terms["term"].map(idf).fillna(unseen), frequency=terms["count"])
    per_doc = scored.melt(id_vars=["doc_id", "term"], value_vars=["frequency", "tfidf"], var_name="method",
                          value_name="score")
    n_docs = terms["doc_id"].nunique()
    corpus = [scored.groupby("term")["count"].sum().rename("score").reset_index().assign(method="frequency"),
              (scored.groupby("term")["tfidf"].sum() / n_docs).rename("score").reset_index().assign(method="tfidf")]
    textrank = doc_keywords[doc_keywords["method"] == "textrank"] if doc_keywords is not None else None
    if textrank is not None and len(textrank):
        per_doc = pd.concat([per_doc, textrank[["doc_id", "term", "method", "score"]]], ignore_index=True)
        mean_rank = (textrank.groupby("term")["score"].sum() / n_docs).rename("score").reset_index()
        corpus.append(mean_rank.assign(method="textrank"))
    corpus_rows = pd.concat(corpus, ignore_index=True).assign(doc_id="")
    return ranked(pd.concat([per_doc, corpus_rows], ignore_index=True), top)


# ---------------------------------------------------------------- entities and quotes


def is_person_candidate(token: str, pos: str) -> bool:
    """Whether a token tagged as a person has the shape of a Chinese name (surname + 1-3 characters)."""
    surnames = words.word_set("surnames.txt")
    return (ENTITY_KINDS.get(pos) == "person" and 2 <= len(token) <= 4 and words.CJK_RE.match(token) is not None
            and (token[0] in surnames or token[:2] in surnames))


def sentence_tagged(batch: Batch, sentence: int, starts: np.ndarray) -> list[tuple[str, str]]:
    """(token, pos) pairs of one sentence of a coded batch."""
    begin, end = starts[sentence], starts[sentence + 1]
    return list(zip(batch.vocabulary[batch.token[begin:end]], batch.tags[batch.pos[begin:end]], strict=True))


def batch_entities(batch: Batch) -> pd.DataFrame:
    """The `entities` table of a coded batch."""
    starts = np.r_[np.flatnonzero(np.r_[True, batch.sent[1:] != batch.sent[:-1]]), len(batch.sent)]
    kind_of_tag = np.array([ENTITY_KINDS.get(tag) is not None for tag in batch.tags], dtype=bool)
    mask = kind_of_tag[batch.pos] if len(batch.tags) else np.zeros(0, dtype=bool)
    (doc, token, pos), counts, first = count_keys(batch.doc[mask], batch.token[mask], batch.pos[mask])
    first_sentence = batch.sent[np.flatnonzero(mask)[first]] if len(first) else first
    people: set[tuple[int, int]] = set()
    for row in np.flatnonzero(mask):
        tag = batch.tags[batch.pos[row]]
        if ENTITY_KINDS[tag] == "person" and is_person_candidate(batch.vocabulary[batch.token[row]], tag):
            tagged = sentence_tagged(batch, batch.sent[row], starts)
            if words.has_name_evidence(tagged, row - starts[batch.sent[row]], 1):
                people.add((batch.doc[row], batch.token[row]))
    found: dict[tuple[int, str, str], list] = {}
    for d, t, p, n, s in zip(doc, token, pos, counts, first_sentence, strict=True):
        name, tag = batch.vocabulary[t], batch.tags[p]
        kind = "person" if (d, t) in people else entity_kind(name, tag)
        if kind:
            entry = found.setdefault((d, name, kind), [0, s])
            entry[0], entry[1] = entry[0] + n, min(entry[1], s)
    rows = [(batch.doc_ids[d], name, kind, n, batch.sent_keys[s][1]) for (d, name, kind), (n, s) in found.items()]
    table = pd.DataFrame(rows, columns=ENTITIES_COLUMNS)
    table["_doc"] = [d for d, _, _ in found]
    table = table.sort_values(["_doc", "count", "entity"], ascending=[True, False, True], ignore_index=True)
    return table[ENTITIES_COLUMNS].astype({"count": "int64"})


def entity_kind(token: str, pos: str) -> str | None:
    """place / organisation for a token by its tag (persons need evidence: `batch_entities`), or None."""
    kind = ENTITY_KINDS.get(pos)
    if kind in ("place", "organisation") and len(token) >= 2 and token not in words.word_set("entity_exclusions.txt"):
        return kind
    return None


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
        tail = [i for i, (t, _) in enumerate(tagged) if t.strip() and not words.is_boundary(t)]
        positions = [i for i in positions if tail and i == tail[-1]]
    for index in positions:
        token, pos = tagged[index - 1]
        if token in PRONOUNS and people:
            return people[-1]
        if pos.startswith(("nr", "nt", "ns")) and len(token) >= 2:
            return token
        if words.is_title(token):
            return role_phrase(tagged, index - 1)
    return None


def role_phrase(tagged: list[tuple[str, str]], end: int) -> str:
    """A role such as 发言人 with the nouns just before it (商务部新闻发言人), at most three of them."""
    start = end
    while start > 0 and end - start < 3 and tagged[start - 1][1].startswith("n") and tagged[start - 1][0].strip():
        start -= 1
    return "".join(token for token, _ in tagged[start : end + 1])


def document_text(parts: list[tuple[object, object, str]]) -> tuple[str, list[tuple[int, object]]]:
    """(para_id, sent_id, text) of one document joined (newline between paragraphs) and (offset, sent_id) marks."""
    pieces, marks, offset, last_para = [], [], 0, None
    for para_id, sent_id, text in parts:
        if pieces and para_id != last_para:
            pieces.append("\n")
            offset += 1
        marks.append((offset, sent_id))
        pieces.append(text)
        offset += len(text)
        last_para = para_id
    return "".join(pieces), marks


def sent_id_at(marks: list[tuple[int, object]], offset: int) -> object:
    """The sent_id of the sentence containing character `offset` of the joined document text."""
    current = marks[0][1]
    for start, sent_id in marks:
        if start > offset:
            break
        current = sent_id
    return current


def looks_like_speech(quote: str) -> bool:
    """Whether quoted text is speech rather than a quoted term (“双碳”): long enough and clause-like."""
    return len(quote) >= MIN_QUOTE_CHARS and (bool(re.search(r"[，,。！？；;!?：:]", quote)) or len(quote) >= 15)


def tag_clause(text: str, names: set[str]) -> list[tuple[str, str]]:
    """Tagged tokens of a clause with known and newly evidenced person names joined."""
    tagged = words.tag_text(text)
    return words.join_person_names(tagged, names | words.find_person_names([tagged]))


def known_people(tokens: pd.DataFrame | None) -> dict[str, set[str]]:
    """doc_id → name-shaped person tokens already in `tokens` (names the segmenter joined)."""
    if tokens is None or not len(tokens):
        return {}
    people = tokens[tokens["pos"].str.startswith("nr")]
    known: dict[str, set[str]] = defaultdict(set)
    for doc_id, token in zip(people["doc_id"].astype(str), people["token"], strict=True):
        if is_person_candidate(token, "nr"):
            known[doc_id].add(token)
    return known


def quote_rows(doc_id: str, text: str, marks: list[tuple[int, object]], known: set[str]) -> list[tuple]:
    """`quotes` rows for one document's joined text."""
    rows, people = [], []
    for match in QUOTE_RE.finditer(text):
        quote = match.group(1).strip()
        if not looks_like_speech(quote):
            continue
        before_start = max((m.end() for m in CLAUSE_END_RE.finditer(text, 0, match.start())), default=0)
        before = text[before_start : match.start()].rstrip(" :：,，")
        after_end = CLAUSE_END_RE.search(text, match.end())
        after = text[match.end() : after_end.start() if after_end else len(text)]
        speaker = find_speaker(tag_clause(before, known), people, at_end=True) if before.strip() else None
        if speaker is None and after.strip():
            speaker = find_speaker(tag_clause(after, known), people, at_end=False)
        if speaker:
            people.append(speaker)
            rows.append((doc_id, speaker, quote, sent_id_at(marks, match.start())))
    return rows


def extract_quotes(sentences: pd.DataFrame, tokens: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `quotes` table: speech in “…” (or 「…」) attributed with a speech verb before or after it."""
    if not len(sentences):
        return pd.DataFrame(columns=QUOTES_COLUMNS)
    skip = duplicate_keys(sentences)
    paras = sentences["para_id"].tolist() if "para_id" in sentences.columns else [None] * len(sentences)
    rows_in = zip(sentences["doc_id"].astype(str).tolist(), paras, sentences["sent_id"].tolist(),
                  sentences["text"].fillna("").astype(str).tolist(), strict=True)
    known = known_people(tokens)
    rows = []
    for doc_id, doc_rows in itertools.groupby(rows_in, key=lambda r: r[0]):
        parts = [(para, sent, text) for _, para, sent, text in doc_rows if (doc_id, sent) not in skip]
        if any(mark in text for _, _, text in parts for mark in "“「『"):
            text, marks = document_text(parts)
            rows.extend(quote_rows(doc_id, text, marks, known.get(doc_id, set())))
    return pd.DataFrame(rows, columns=QUOTES_COLUMNS)


# ---------------------------------------------------------------- co-occurrence


def batch_pairs(batch: Batch, terms: pd.DataFrame, top_terms: int = TOP_PAIR_TERMS) -> pd.DataFrame:
    """The `term_pairs` table of a coded batch: sentence-level pairs among each document's top key terms."""
    key_terms = with_keyword_pos(terms).groupby("doc_id", sort=False).head(top_terms)
    doc_index = pd.Index(batch.doc_ids).get_indexer(key_terms["doc_id"])
    term_index = pd.Index(batch.vocabulary).get_indexer(key_terms["term"])
    width = max(len(batch.vocabulary), 1)
    keep = np.isin(batch.doc.astype(np.int64) * width + batch.token, doc_index.astype(np.int64) * width + term_index)
    (sent, token), _, _ = count_keys(batch.sent[keep], batch.token[keep])
    found = pd.DataFrame({"sent": sent, "token": token})
    joined = found.merge(found, on="sent", suffixes=("_a", "_b"))
    joined = joined[joined["token_a"] != joined["token_b"]]
    a, b = batch.vocabulary[joined["token_a"].to_numpy()], batch.vocabulary[joined["token_b"].to_numpy()]
    ordered = a < b
    (doc, ta, tb), counts, _ = count_keys(batch.sent_doc[joined["sent"].to_numpy()[ordered]],
                                          joined["token_a"].to_numpy()[ordered], joined["token_b"].to_numpy()[ordered])
    table = pd.DataFrame({"doc_id": batch.doc_ids[doc] if len(doc) else [],
                          "term_a": batch.vocabulary[ta] if len(ta) else [],
                          "term_b": batch.vocabulary[tb] if len(tb) else [], "count": counts})
    return table.sort_values(["doc_id", "term_a", "term_b"], ignore_index=True)[PAIRS_COLUMNS]


def document_pairs(tokens: pd.DataFrame, sentences: pd.DataFrame | None = None,
                   top_terms: int = TOP_PAIR_TERMS) -> pd.DataFrame:
    """The `term_pairs` table: sentence-level pairs among each document's most frequent key terms."""
    batch = encode(tokens, sentences)
    return batch_pairs(batch, batch_terms(batch), top_terms)


def cooccurrence(term_pairs: pd.DataFrame, terms: pd.DataFrame, total_sentences: int,
                 min_count: int = 2) -> pd.DataFrame:
    """The `cooccurrence` table: pair counts summed over documents with PMI over sentences."""
    if not len(term_pairs) or total_sentences <= 0:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    summed = term_pairs.groupby(["term_a", "term_b"]).agg(count=("count", "sum"), documents=("doc_id", "nunique"))
    summed = summed[summed["count"] >= min_count].reset_index()
    if summed.empty:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    in_sentences = pd.to_numeric(terms.groupby("term")["sentence_count"].sum(), errors="coerce")
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
    if units < 20:
        return terms
    spread = terms["term"].value_counts()
    keep = spread[spread >= 2].head(TOPIC_VOCABULARY).index
    return terms[terms["term"].isin(keep)]


def topics(terms: pd.DataFrame, k: int | None = None, top_terms: int = TOPIC_TERMS,
           random_state: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`topics`, `doc_topics`): NMF on TF-IDF of units (doc_id, or doc_id + para_id when present)."""
    from scipy.sparse import csr_matrix
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    unit_columns = ["doc_id", "para_id"] if "para_id" in terms.columns else ["doc_id"]
    empty = (pd.DataFrame(columns=TOPICS_COLUMNS), pd.DataFrame(columns=DOC_TOPICS_COLUMNS))
    if "pos" in terms.columns:
        terms = with_keyword_pos(terms)
    units = terms[unit_columns].drop_duplicates().reset_index(drop=True)
    k = max(min(k, len(units) - 1), 0) if k else topic_count(len(units))
    if k < 1 or not len(terms):
        return empty
    terms = topic_vocabulary(terms, len(units))
    unit_index = pd.MultiIndex.from_frame(units)
    rows = unit_index.get_indexer(pd.MultiIndex.from_frame(terms[unit_columns]))
    vocabulary = pd.Index(sorted(terms["term"].unique()))
    k = min(k, len(vocabulary))
    if k < 1:
        return empty
    matrix = csr_matrix((terms["count"].astype(float), (rows, vocabulary.get_indexer(terms["term"]))),
                        shape=(len(units), len(vocabulary)))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(matrix)
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    weights = model.fit_transform(tfidf)
    topic_rows = [(topic_id, vocabulary[j], float(component[j]))
                  for topic_id, component in enumerate(model.components_)
                  for j in component.argsort()[::-1][:top_terms] if component[j] > 0]
    shares = weights / weights.sum(axis=1, keepdims=True).clip(min=1e-12)
    doc_rows = [(*unit, topic_id, float(shares[i, topic_id]))
                for i, unit in enumerate(units.itertuples(index=False)) for topic_id in range(k)
                if shares[i, topic_id] > 0]
    doc_topics = pd.DataFrame(doc_rows, columns=[*unit_columns, "topic_id", "weight"])
    if "para_id" not in doc_topics.columns:
        doc_topics.insert(1, "para_id", -1)
    return pd.DataFrame(topic_rows, columns=TOPICS_COLUMNS), doc_topics[DOC_TOPICS_COLUMNS]


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
    terms = batch_terms(batch)
    return typed({
        "terms": terms,
        "paragraph_terms": batch_paragraph_terms(batch, paragraph_map(sentences)),
        "doc_keywords": batch_keywords(batch, terms),
        "entities": batch_entities(batch),
        "quotes": extract_quotes(sentences, tokens),
        "term_pairs": batch_pairs(batch, terms),
        "word_stats": batch_word_stats(batch),
    })


def typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Tables with their numeric columns cast to the documented dtypes (also when empty), text as str."""
    out = {}
    for name, table in tables.items():
        dtypes = {column: COLUMN_DTYPES.get(column, "str") for column in table.columns}
        out[name] = table.astype(dtypes)
    return out


def distinct_doc_ids(articles: pd.DataFrame | None, doc_ids: pd.Series) -> set:
    """Document ids to count at corpus level: all but the later copies of a story (articles' `dup_cluster`)."""
    ids = set(doc_ids.astype(str))
    if articles is not None and len(articles) and "dup_cluster" in articles.columns:
        cluster = articles["dup_cluster"].fillna("").astype(str)
        copies = articles.loc[(cluster != "") & (cluster != articles["doc_id"].astype(str)), "doc_id"]
        ids -= set(copies.astype(str))
    return ids


def corpus_summaries(tables: dict[str, pd.DataFrame], articles: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Corpus-level words tables (keywords, cooccurrence, topics, doc_topics) from the per-document ones."""
    terms = tables.get("terms", pd.DataFrame(columns=TERMS_COLUMNS))
    stats = tables.get("word_stats", pd.DataFrame(columns=WORD_STATS_COLUMNS))
    keep = distinct_doc_ids(articles, terms["doc_id"])

    def only_kept(table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a per-document table that belong to counted documents."""
        return table[table["doc_id"].astype(str).isin(keep)] if len(table) else table

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
