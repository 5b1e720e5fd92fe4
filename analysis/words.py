"""Chinese word segmentation with a rare-earth user dictionary, POS tags and whole person names.

Backends (choose with the `backend` argument or the env var RARE_EARTH_SEGMENTER; default "rjieba"):
- "jieba": jieba.posseg, the reference implementation (slow);
- "rjieba": rjieba.tag (jieba-rs, same dictionary and tag set, ~40x faster than posseg).
Both run with HMM off (jieba's HMM invents words) and load `resources/user_dict.txt` ("word freq pos").

Person names: with HMM off jieba cuts 孟繁英 into 孟/繁/英 and 闫宏伟 into 闫/宏伟. A general rule joins
them: a surname (`resources/surnames.txt`) followed by a one- or two-character given name becomes one token
tagged "nr" when there is evidence — a speech verb (`resources/speech_verbs.txt`) or a title/role
(`resources/person_titles.txt`) right after it ("闫宏伟说", "王先生"), or a title/role right before it with a
boundary (punctuation, end of sentence) right after it ("记者 孟凡君）"). Names found with evidence are joined
everywhere in the same document. Surnames that are also common words (向, 时, 全 ...) are not in the list.
Measured on the dev pages, rjieba agrees with jieba on 99.9% of token boundaries and 99.3% of tags.

Speed: the rjieba backend cuts a whole batch of sentences in one call (joined by a separator character that
cuts nothing), tags each distinct word once and builds the table column-wise with Arrow (words cut from the
text's bytes, lookups per distinct word); the jieba backend tags sentence by sentence.

Table `tokens` (one row per token, punctuation and spaces included):
    doc_id      document id (str)
    sent_id     sentence id, unique within the document (int)
    token       the word (str)
    pos         jieba POS tag (n, nr, ns, nt, nz, v, vn, m, x, eng, ...) (str)
    char_start  offset of the token in its sentence's text (int)
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .paths import RESOURCES, cache_dir
from .segmenter import (  # noqa: F401 (the backend's identity lives in `segmenter`; these names are used from here)
    BACKEND_ENV,
    BACKENDS,
    DEFAULT_BACKEND,
    USE_HMM,
    choose_backend,
    segmenter_info,
)
from .tables import STRING_DTYPE, arrow_strings, new_table, string_column

TOKENS_COLUMNS = ["doc_id", "sent_id", "token", "pos", "char_start"]
CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")
TITLE_MAX_CHARS = 5
SENTENCE_SEPARATOR = "\x00"  # joins a batch's sentences for one rjieba call (see tag_sentences_at_once)
TAGGED_TYPE = pa.struct([("token", pa.large_string()), ("pos", pa.large_string())])  # a (word, pos) pair


def read_word_list(name: str) -> list[str]:
    """Entries of a resource word list (UTF-8, one per line, `#` comments and blank lines skipped)."""
    lines = (RESOURCES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@functools.cache
def word_set(name: str) -> frozenset[str]:
    """A resource word list as a frozen set (cached per process)."""
    return frozenset(read_word_list(name))


@functools.cache
def user_dictionary() -> tuple[tuple[str, int, str], ...]:
    """The user dictionary entries as (word, freq, pos)."""
    entries = []
    for line in read_word_list("user_dict.txt"):
        word, freq, pos = line.split()
        entries.append((word, int(freq), pos))
    return tuple(entries)


def stopwords() -> frozenset[str]:
    """The Chinese stopword list (`resources/stopwords.txt`)."""
    return word_set("stopwords.txt")


def plain_jieba():
    """The `jieba` module, its default tokenizer (plain `jieba.cut`, the benchmarks' baseline) caching its dictionary
    in the project cache folder, never in the shared /tmp; quiet below warnings."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir())
    return jieba


@functools.cache
def jieba_tagger():
    """A private jieba POS tokenizer with the user dictionary, caching in the project cache folder."""
    from jieba import posseg

    tokenizer = plain_jieba().Tokenizer()
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.cache_file = "jieba.cache"
    for word, freq, pos in user_dictionary():
        tokenizer.add_word(word, freq, pos)
    return posseg.POSTokenizer(tokenizer)


@functools.cache
def rjieba_tagger():
    """A private rjieba instance (jieba's dictionary, built in) with the user dictionary added."""
    import rjieba

    tagger = rjieba.Jieba()
    for word, freq, pos in user_dictionary():
        tagger.add_word(word, freq, pos)
    return tagger


@functools.cache
def rjieba_tag_fixes() -> dict[str, str]:
    """User-dictionary tags for words rjieba already knew under another tag (its add_word keeps the old tag)."""
    tagger = rjieba_tagger()
    fixes = {}
    for word, _, pos in user_dictionary():
        tagged = tagger.tag(word, USE_HMM)
        if len(tagged) == 1 and tagged[0][1] != pos:
            fixes[word] = pos
    return fixes


def tag_text(text: str, backend: str | None = None, fix_tags: bool = True) -> list[tuple[str, str]]:
    """(word, pos) pairs for one text, HMM off, before the person-name rule (`fix_tags`: see rjieba_tag_fixes)."""
    if choose_backend(backend) == "jieba":
        return [(pair.word, pair.flag) for pair in jieba_tagger().cut(text, HMM=USE_HMM)]
    tagged = rjieba_tagger().tag(text, USE_HMM)
    if not fix_tags:
        return tagged
    fixes = rjieba_tag_fixes()
    return [(word, fixes.get(word, pos)) for word, pos in tagged]


@functools.cache
def user_tags() -> dict[str, str]:
    """POS of each user-dictionary word."""
    return {word: pos for word, _, pos in user_dictionary()}


def is_boundary(word: str) -> bool:
    """True for punctuation, symbols and whitespace tokens."""
    return all(unicodedata.category(ch)[0] in "PSZ" or ch.isspace() for ch in word)


@functools.cache
def not_given_names() -> frozenset[str]:
    """Words that cannot be a given name: stopwords, titles and speech verbs."""
    return stopwords() | word_set("person_titles.txt") | word_set("speech_verbs.txt")


def given_name_options(tagged: list[tuple[str, str]], start: int) -> list[int]:
    """Token counts (longest first) after a surname at `start` that can form a 1-2 character given name."""
    excluded = not_given_names()
    options = []
    first = tagged[start + 1][0] if start + 1 < len(tagged) else ""
    second = tagged[start + 2][0] if start + 2 < len(tagged) else ""
    if len(first) == 2 and CJK_RE.match(first) and first not in excluded:
        options.append(1)
    if len(first) == 1 and len(second) == 1 and CJK_RE.match(first + second) and not {first, second} & excluded:
        options.append(2)
    if len(first) == 1 and CJK_RE.match(first) and first not in excluded:
        options.append(1)
    return options


def previous_word(tagged: list[tuple[str, str]], index: int) -> str:
    """The nearest non-space token before `index` ("" at the sentence start)."""
    for position in range(index - 1, -1, -1):
        word = tagged[position][0]
        if word.strip():
            return word
    return ""


def has_name_evidence(tagged: list[tuple[str, str]], start: int, length: int) -> bool:
    """Whether tokens start..start+length look like a person's name from their context."""
    after = tagged[start + length][0] if start + length < len(tagged) else ""
    if after in word_set("speech_verbs.txt") or is_title(after):
        return True
    return is_title(previous_word(tagged, start)) and (after == "" or is_boundary(after))


def is_title(word: str) -> bool:
    """Whether `word` is, or ends with, a person's title or role (董事长, 主任研究员, 记者)."""
    titles = word_set("person_titles.txt")
    return any(word[-size:] in titles for size in range(2, min(len(word), TITLE_MAX_CHARS) + 1))


def find_person_names(sentences_tagged: Iterable[list[tuple[str, str]]]) -> set[str]:
    """Names (surname + given name) that have contextual evidence somewhere in one document."""
    surnames = word_set("surnames.txt")
    names: set[str] = set()
    for tagged in sentences_tagged:
        for index in [i for i, (word, _) in enumerate(tagged) if word in surnames]:
            for count in given_name_options(tagged, index):
                if has_name_evidence(tagged, index, 1 + count):
                    names.add("".join(w for w, _ in tagged[index:index + 1 + count]))
                    break
    return names


def join_person_names(tagged: list[tuple[str, str]], names: set[str]) -> list[tuple[str, str]]:
    """`tagged` with every surname + given-name token run that spells a name in `names` joined as "nr"."""
    if not names:
        return tagged
    surnames = word_set("surnames.txt")
    joined: list[tuple[str, str]] = []
    index = 0
    while index < len(tagged):
        word = tagged[index][0]
        if word in surnames:
            for count in (2, 1):
                candidate = "".join(w for w, _ in tagged[index:index + 1 + count])
                if candidate in names:
                    joined.append((candidate, "nr"))
                    index += 1 + count
                    break
            else:
                joined.append(tagged[index])
                index += 1
            continue
        joined.append(tagged[index])
        index += 1
    return joined


def tag_document(texts: list[str], backend: str | None = None, fix_tags: bool = True) -> list[list[tuple[str, str]]]:
    """(word, pos) pairs for each sentence of one document, person names joined."""
    tagged = [tag_text(text, backend, fix_tags) for text in texts]
    names = find_person_names(tagged)
    return [join_person_names(sentence, names) for sentence in tagged]


def sentence_columns(sentences: pd.DataFrame) -> tuple[list[str], list[str], list]:
    """The texts, doc ids and sentence ids of a `sentences` table as plain lists."""
    texts = sentences["text"].fillna("").astype(str).tolist()
    return texts, sentences["doc_id"].astype(str).tolist(), sentences["sent_id"].tolist()


def arrow_text(column: pd.Series) -> pa.Array:
    """A column's values as text in one Arrow large_string array (`astype(str)`; a `str` column without missing
    values as it is stored, without a copy)."""
    if column.dtype == STRING_DTYPE and not column.hasnans:
        return arrow_strings(column)
    return pa.array(column.astype(str).tolist(), pa.large_string())


def joined_texts(column: pd.Series) -> str:
    """A text column's values (missing ones as "") joined by SENTENCE_SEPARATOR: from the Arrow strings of a `str`
    column, without a Python string per value."""
    if column.dtype != STRING_DTYPE:
        return SENTENCE_SEPARATOR.join(column.fillna("").astype(str).tolist())
    values = arrow_strings(column).fill_null("")
    one_list = pa.LargeListArray.from_arrays(pa.array([0, len(values)], pa.int64()), values)
    return pc.binary_join(one_list, pa.scalar(SENTENCE_SEPARATOR, values.type))[0].as_py()


def tag_sentences_by_document(texts: list[str], doc_ids: list[str], backend: str) -> list[list[tuple[str, str]]]:
    """(word, pos) pairs for each sentence, one `tag_document` call per document (tags not fixed)."""
    tagged: list[list[tuple[str, str]]] = []
    start = 0
    for _, rows in itertools.groupby(range(len(texts)), key=doc_ids.__getitem__):
        stop = start + len(list(rows))
        tagged.extend(tag_document(texts[start:stop], backend, fix_tags=False))
        start = stop
    return tagged


def flatten_sentences(tagged: list[list[tuple[str, str]]]) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """The words and tags of all sentences as one Arrow array each, and each sentence's token count."""
    tokens = [word for sentence in tagged for word, _ in sentence]
    tags = [pos for sentence in tagged for _, pos in sentence]
    counts = np.array([len(sentence) for sentence in tagged], dtype=np.int64)
    return pa.array(tokens, pa.large_string()), pa.array(tags, pa.large_string()), counts


def tag_sentences_at_once(texts: list[str]) -> list[tuple[str, str]]:
    """(word, pos) pairs of all texts from one rjieba call, the texts joined by SENTENCE_SEPARATOR.

    The separator is neither a word character nor whitespace to jieba, so it ends every run of text jieba
    segments and comes out as a token of its own: the words between two separators are exactly those of the
    sentence tagged alone (checked on the benchmark and dev corpora), and one call saves the per-call overhead.
    """
    return rjieba_tagger().tag(SENTENCE_SEPARATOR.join(texts), USE_HMM)


def can_tag_at_once(texts: list[str], backend: str | None = None) -> bool:
    """Whether `tag_sentences_at_once` can tag these texts: rjieba, and no text holds the separator."""
    return choose_backend(backend) == "rjieba" and not any(SENTENCE_SEPARATOR in text for text in texts)


def tag_texts(texts: list[str], backend: str | None = None) -> list[list[tuple[str, str]]]:
    """`tag_text` of each text (tags fixed), with one tokenizer call for all of them when possible."""
    if not can_tag_at_once(texts, backend):
        return [tag_text(text, backend) for text in texts]
    if not texts:
        return []
    fixes = rjieba_tag_fixes()
    tagged = [(word, fixes.get(word, pos)) for word, pos in tag_sentences_at_once(texts)]
    separators = [index for index, (word, _) in enumerate(tagged) if word == SENTENCE_SEPARATOR]
    return [tagged[start + 1 : end] for start, end in zip([-1, *separators], [*separators, len(tagged)], strict=True)]


def document_numbers(doc_ids: list[str] | pa.Array) -> np.ndarray:
    """For each sentence, the number of its document (a run of equal consecutive doc ids)."""
    ids = pa.array(doc_ids, pa.large_string())
    changes = pc.not_equal(ids[1:], ids[:-1]).to_numpy(zero_copy_only=False)
    return np.r_[0, np.cumsum(changes)] if len(doc_ids) else np.zeros(0, dtype=np.int64)


@functools.cache
def word_list_array(name: str) -> pa.Array:
    """A resource word list as a sorted Arrow array (a value set for pyarrow.compute.is_in; cached per process)."""
    return pa.array(sorted(word_set(name)), pa.large_string())


@functools.cache
def not_given_names_array() -> pa.Array:
    """not_given_names() as a sorted Arrow array (cached per process)."""
    return pa.array(sorted(not_given_names()), pa.large_string())


def title_endings(words: pa.Array) -> np.ndarray:
    """is_title for each word of an Arrow array (a title or role among its last 2-5 characters)."""
    titles = word_list_array("person_titles.txt")
    lengths = pc.utf8_length(words).to_numpy(zero_copy_only=False)
    found = np.zeros(len(words), dtype=bool)
    for size in range(2, TITLE_MAX_CHARS + 1):
        ending = pc.utf8_slice_codeunits(words, start=-size)
        found |= (lengths >= size) & pc.is_in(ending, value_set=titles).to_numpy(zero_copy_only=False)
    return found


def may_have_name_evidence(tokens: pa.Array, surnames: np.ndarray) -> np.ndarray:
    """For each surname position, False when find_person_names finds no name starting there.

    A cheap vectorised pre-check on the surname's neighbours (the token before it and the three after it). A given
    name needs the token right after the surname to be a one- or two-character CJK word (jieba words hold no
    newline, so RE2's `$` agrees with CJK_RE) that is not in not_given_names(). Evidence needs a speech verb or
    title 2 or 3 tokens after the surname (right after a one- or two-token given name), or a title before it (the
    token before, or further back if that one has no CJK character, e.g. a space).
    """
    last = len(tokens) - 1
    before, first, second, third = range(4)
    positions = np.clip(surnames + np.array([-1, 1, 2, 3])[:, None], 0, last)
    neighbours = tokens.take(positions.ravel())

    def neighbour_rows(values: pa.Array | np.ndarray) -> np.ndarray:
        """A per-neighbour result as one row per neighbour (before, first, second, third)."""
        return np.asarray(values).reshape(positions.shape)

    is_title_word = neighbour_rows(title_endings(neighbours))
    is_speech_verb = neighbour_rows(pc.is_in(neighbours, value_set=word_list_array("speech_verbs.txt")))
    has_cjk = neighbour_rows(pc.match_substring_regex(neighbours, "[\u4e00-\u9fff]"))
    only_cjk = neighbour_rows(pc.match_substring_regex(neighbours, "^[\u4e00-\u9fff]+$"))
    lengths = neighbour_rows(pc.utf8_length(neighbours))
    not_given_name = neighbour_rows(pc.is_in(neighbours, value_set=not_given_names_array()))
    evidence_after = is_title_word | is_speech_verb
    evidence = (is_title_word[before] | ~has_cjk[before]) | evidence_after[second] | evidence_after[third]
    given_name_start = (surnames < last) & only_cjk[first] & (lengths[first] <= 2) & ~not_given_name[first]
    return evidence & given_name_start


class FlatSentences:
    """Sentences of a flat word list separated by SENTENCE_SEPARATOR tokens, sliced on demand as (word, pos) pairs
    whose tags are left empty: the person-name rule they are sliced for reads only the words."""

    def __init__(self, words: list[str], separators: np.ndarray):
        self.words = words
        self.starts = np.r_[0, separators + 1].tolist()
        self.ends = np.r_[separators, len(words)].tolist()
        self.slices: dict[int, list[tuple[str, str]]] = {}

    def sentence(self, index: int) -> list[tuple[str, str]]:
        """The (word, "") pairs of sentence `index` (sliced once)."""
        if index not in self.slices:
            self.slices[index] = list(zip(self.words[self.starts[index]:self.ends[index]], itertools.repeat("")))
        return self.slices[index]


def name_with_evidence(flat: FlatSentences, sentence_index: int, position: int) -> str | None:
    """The person name with evidence at a surname (sentence, flat position), as find_person_names finds it."""
    tagged = flat.sentence(sentence_index)
    index = position - flat.starts[sentence_index]
    for count in given_name_options(tagged, index):
        if has_name_evidence(tagged, index, 1 + count):
            return "".join(w for w, _ in tagged[index:index + 1 + count])
    return None


def name_joins(flat: FlatSentences, surnames: list[tuple[int, int]], names: set[str]) -> list[tuple[int, int, str]]:
    """(start, stop, name) flat token runs that join_person_names joins at the surnames of one document."""
    joins: list[tuple[int, int, str]] = []
    next_free = -1
    for sentence_index, position in surnames:
        if position < next_free:
            continue
        sentence_end = flat.ends[sentence_index]
        for count in (2, 1):
            stop = min(position + 1 + count, sentence_end)
            candidate = "".join(flat.words[position:stop])
            if candidate in names:
                joins.append((position, stop, candidate))
                next_free = position + 1 + count
                break
    return joins


def person_name_joins(flat: FlatSentences, tokens: pa.Array, surnames: np.ndarray, sentence_of_token: np.ndarray,
                      documents: np.ndarray) -> list[tuple[int, int, str]]:
    """All (start, stop, name) token runs joined by the person-name rule, document by document.

    Names are first found at the surnames that pass may_have_name_evidence, then joined at every surname of the
    documents where some name was found.
    """
    sentences = sentence_of_token[surnames]
    surname_documents = documents[sentences]
    possible = may_have_name_evidence(tokens, surnames)
    names_by_document: dict[int, set[str]] = {}
    candidates = zip(surname_documents[possible].tolist(), sentences[possible].tolist(), surnames[possible].tolist(),
                     strict=True)
    for document, sentence_index, position in candidates:
        name = name_with_evidence(flat, sentence_index, position)
        if name is not None:
            names_by_document.setdefault(document, set()).add(name)
    in_named_document = np.isin(surname_documents, list(names_by_document))
    located = zip(surname_documents[in_named_document].tolist(), sentences[in_named_document].tolist(),
                  surnames[in_named_document].tolist(), strict=True)
    joins: list[tuple[int, int, str]] = []
    for document, group in itertools.groupby(located, key=lambda item: item[0]):
        document_surnames = [(sentence_index, position) for _, sentence_index, position in group]
        joins.extend(name_joins(flat, document_surnames, names_by_document[document]))
    return joins


def utf8_byte_offsets(text: str) -> np.ndarray:
    """For each character position of `text` (and its end), the byte offset of that position in text's UTF-8."""
    code_points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    utf8_sizes = 1 + (code_points >= 0x80) + (code_points >= 0x800) + (code_points >= 0x10000)
    return np.r_[0, np.cumsum(utf8_sizes, dtype=np.int64)]


def string_array(data: bytes, offsets: np.ndarray) -> pa.Array:
    """Arrow strings cut from UTF-8 `data` at byte `offsets` (string i is data[offsets[i]:offsets[i + 1]])."""
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))


def spelled_words(text: str, words: list[str]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """rjieba's words of `text` as an Arrow array, and the char and UTF-8 byte offsets of each word's start and of
    the text's end.

    rjieba's words are consecutive slices of the text it cuts, so they are cut straight from the text's UTF-8 bytes
    at the offsets their lengths add up to (no per-word conversion to Arrow).
    """
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    if lengths.sum() != len(text):
        raise RuntimeError("rjieba's words do not spell the cut text")
    char_offsets = np.r_[0, np.cumsum(lengths)]
    byte_offsets = utf8_byte_offsets(text)[char_offsets]
    return string_array(text.encode("utf-8"), byte_offsets), char_offsets, byte_offsets


def tags_alone(words: list[str]) -> list[str] | None:
    """rjieba's tag of each of distinct `words` (none the separator) from one call tagging them alone, joined by
    SENTENCE_SEPARATOR; None when some word does not come out of that call whole.

    rjieba tags a word by the word alone (its dictionary tag, else x, m or eng from its characters), so a word's tag
    alone is its tag in context. A word jieba cut out of a sentence is also jieba's best cut of the word alone,
    short of a tie between cuts; such a word would come out split, and the caller then reads its tags in context.
    """
    tagged = rjieba_tagger().tag(SENTENCE_SEPARATOR.join(words), USE_HMM)
    if len(tagged) != max(2 * len(words) - 1, 0) or [word for word, _ in tagged[::2]] != words:
        return None
    return [pos for _, pos in tagged[::2]]


def tags_in_context(text: str, word_count: int, word_codes: np.ndarray) -> list[str]:
    """rjieba's tag of each distinct word of `text` (`word_codes`: each token's index in the distinct words), read at
    one of its occurrences when rjieba tags the whole text."""
    tagged = rjieba_tagger().tag(text, USE_HMM)
    rows = np.zeros(word_count, dtype=np.int64)
    rows[word_codes] = np.arange(len(word_codes))  # a row where each distinct word occurs
    return [tagged[row][1] for row in rows.tolist()]


def distinct_word_tags(text: str, words: pa.Array, word_codes: np.ndarray) -> pa.Array:
    """The tag of each distinct word of `text` (rjieba tag fixes applied): `words` are the distinct words of its
    cut (the separator tagged x) and `word_codes` each token's index in them."""
    word_list = words.to_pylist()
    separator = word_list.index(SENTENCE_SEPARATOR) if SENTENCE_SEPARATOR in word_list else None
    if separator is not None:
        del word_list[separator]
    tags = tags_alone(word_list)
    if tags is None:
        tags = tags_in_context(text, len(words), word_codes)
    elif separator is not None:
        tags.insert(separator, "x")
    return fixed_tags(words, pa.array(tags, pa.large_string()))


def tokenize_at_once(text: str, n_texts: int, doc_ids: pa.Array) -> tuple[pa.Array, pa.Array, np.ndarray, np.ndarray]:
    """Words, tags (rjieba tag fixes applied), char starts and per-sentence token counts of `n_texts` texts joined by
    SENTENCE_SEPARATOR into `text`, none of which holds it (one rjieba call).

    The words are dictionary-encoded once: separators, surnames and tags are looked up per distinct word (rjieba's
    `cut` is much cheaper than its `tag` with a tag string per token). Person names are joined and separators
    dropped by keeping only the first token of each joined run; the kept tokens are cut from the text without
    separators, and their tags come from one `take` over the distinct words' tags and the joined names' tags.
    """
    cut = rjieba_tagger().cut(text, USE_HMM)
    tokens, char_offsets, byte_offsets = spelled_words(text, cut)
    encoded = tokens.dictionary_encode()
    words, word_codes = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    word_tags = distinct_word_tags(text, words, word_codes)
    is_separator_word = pc.equal(words, SENTENCE_SEPARATOR).to_numpy(zero_copy_only=False)
    is_surname_word = pc.is_in(words, value_set=word_list_array("surnames.txt")).to_numpy(zero_copy_only=False)
    is_separator = is_separator_word[word_codes]
    surnames = np.flatnonzero(is_surname_word[word_codes])
    separators = np.flatnonzero(is_separator)
    sentence_of_token = np.cumsum(is_separator) - is_separator
    flat = FlatSentences(cut, separators)
    joins = person_name_joins(flat, tokens, surnames, sentence_of_token, document_numbers(doc_ids))
    keep = ~is_separator
    tag_codes = word_codes.copy()
    for number, (start, stop, _) in enumerate(joins):
        keep[start + 1:stop] = False
        tag_codes[start] = len(words) + number
    fixes = rjieba_tag_fixes()
    name_tags = pa.array([fixes.get(name, "nr") for _, _, name in joins], pa.large_string())
    kept = np.flatnonzero(keep)
    tags = pa.concat_arrays([word_tags, name_tags]).take(tag_codes[kept])
    kept_sentences = sentence_of_token[kept]
    counts = np.bincount(kept_sentences, minlength=n_texts)
    # without the separators (one byte and one character each), sentence k's text starts k bytes earlier
    kept_bytes = np.r_[byte_offsets[kept] - kept_sentences, byte_offsets[-1] - len(separators)]
    tokens = string_array(text.encode("utf-8").replace(SENTENCE_SEPARATOR.encode(), b""), kept_bytes)
    sentence_starts = np.r_[0, char_offsets[separators] + 1]
    char_start = char_offsets[kept] - sentence_starts[kept_sentences]
    return tokens, tags, char_start, counts


def char_starts(tokens: pa.Array, counts: np.ndarray) -> np.ndarray:
    """Offset of each token in its sentence (the lengths of the sentence's earlier tokens added up)."""
    offsets = np.r_[0, np.cumsum(pc.utf8_length(tokens).to_numpy(zero_copy_only=False), dtype=np.int64)]
    first_tokens = np.cumsum(counts) - counts
    return offsets[:-1] - np.repeat(offsets[first_tokens], counts)


def fixed_tags(tokens: pa.Array, tags: pa.Array) -> pa.Array:
    """`tags` with the rjieba tag fixes (see rjieba_tag_fixes) applied to their tokens."""
    fixes = rjieba_tag_fixes()
    if not fixes:
        return tags
    fix_rows = pc.index_in(tokens, value_set=pa.array(list(fixes), pa.large_string()))
    return pc.coalesce(pa.array(list(fixes.values()), pa.large_string()).take(fix_rows), tags)


def empty_tokens_table() -> pd.DataFrame:
    """The `tokens` table with no rows."""
    columns: dict[str, list] = {name: [] for name in TOKENS_COLUMNS}
    return pd.DataFrame(columns).astype({"doc_id": str, "token": str, "pos": str, "char_start": "int64"})


def tokens_table(tokens: pa.Array, tags: pa.Array, char_start: np.ndarray, counts: np.ndarray,
                 doc_ids: list[str] | pa.Array, sent_ids: list) -> pd.DataFrame:
    """The `tokens` table from flat words, tags and char starts and each sentence's token count (built once)."""
    if not len(tokens):
        return empty_tokens_table()
    sentence_of_token = np.repeat(np.arange(len(counts)), counts)
    return new_table({
        "doc_id": string_column(pa.array(doc_ids, pa.large_string()).take(sentence_of_token)),
        "sent_id": np.array(sent_ids)[sentence_of_token],
        "token": string_column(tokens),
        "pos": string_column(tags),
        "char_start": char_start,
    })


def tokenize_sentences(sentences: pd.DataFrame, backend: str | None = None) -> pd.DataFrame:
    """The `tokens` table for a `sentences` table (doc_id, sent_id, text; other columns ignored)."""
    backend = choose_backend(backend)
    if backend == "rjieba":  # all texts in one call (see tag_sentences_at_once), unless one holds the separator
        text = joined_texts(sentences["text"])
        if text.count(SENTENCE_SEPARATOR) == max(len(sentences) - 1, 0):
            doc_ids = arrow_text(sentences["doc_id"])
            tokens, tags, char_start, counts = tokenize_at_once(text, len(sentences), doc_ids)
            return tokens_table(tokens, tags, char_start, counts, doc_ids, sentences["sent_id"].tolist())
    texts, doc_ids, sent_ids = sentence_columns(sentences)
    tokens, tags, counts = flatten_sentences(tag_sentences_by_document(texts, doc_ids, backend))
    if backend == "rjieba":
        tags = fixed_tags(tokens, tags)
    return tokens_table(tokens, tags, char_starts(tokens, counts), counts, doc_ids, sent_ids)
