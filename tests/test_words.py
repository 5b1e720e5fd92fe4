"""Tests for analysis.words: segmentation backends, user dictionary, person names, the tokens table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from sentence_tables import sentences_from

from analysis import words
from analysis.paths import cache_dir


def tokens_of(text: str, backend: str | None = None) -> list[str]:
    """The tokens of one short text, through the public tokens table."""
    return words.tokenize_sentences(sentences_from(text), backend)["token"].tolist()


def test_tokens_table_columns_and_offsets(seed_sentences, seed_tokens):
    assert list(seed_tokens.columns) == words.TOKENS_COLUMNS
    texts = dict(zip(seed_sentences["sent_id"], seed_sentences["text"], strict=True))
    for row in seed_tokens.itertuples():
        assert texts[row.sent_id][row.char_start : row.char_start + len(row.token)] == row.token
    # every sentence is covered exactly by its tokens
    joined = seed_tokens.groupby("sent_id")["token"].agg("".join)
    assert joined.to_dict() == texts


def test_seed_people_are_whole(seed_tokens):
    people = set(seed_tokens.loc[seed_tokens["pos"] == "nr", "token"])
    assert {"孟繁英", "闫宏伟", "孟凡君"} <= people
    assert not {"闫", "孟", "繁", "宏伟"} & set(seed_tokens["token"])


def test_dictionary_terms_from_the_issue():
    tokens = tokens_of("白云鄂博矿是重要的稀土矿山，要因地制宜发展新质生产力，实现双碳目标，拓展稀土+产业。")
    assert "白云鄂博" in tokens or "白云鄂博矿" in tokens
    assert {"稀土矿山", "新质生产力", "双碳", "稀土+"} <= set(tokens)
    assert "鄂博矿" not in tokens and "新质" not in tokens


def test_user_dictionary_sets_pos():
    table = words.tokenize_sentences(sentences_from("包钢在包头建设钕铁硼永磁项目。"))
    pos = dict(zip(table["token"], table["pos"], strict=True))
    assert pos["包钢"] == "nt" and pos["包头"] == "ns" and pos["钕铁硼"] == "nz"


def test_person_name_rule_is_general():
    text = "中国稀土行业协会副会长陈占恒表示，市场正在回暖。记者 李晓明）据悉，冯晓说，价格上涨。"
    tokens = tokens_of(text)
    assert {"陈占恒", "李晓明", "冯晓"} <= set(tokens)


def test_name_rule_needs_evidence():
    text = "公司代表向社会发布报告。该公司负责人向媒体表示，销量增长。董事长高度重视安全。"
    table = words.tokenize_sentences(sentences_from(text))
    assert not {"向社会", "向媒体", "高度"} & set(table.loc[table["pos"] == "nr", "token"])
    assert "".join(table["token"]) == text


def test_name_found_once_is_joined_everywhere_in_the_document():
    text = "全国人大代表孟繁英介绍，稀土产业发展迅速。孟繁英参观了工厂。"
    tokens = words.tokenize_sentences(sentences_from(text))
    second = tokens[tokens["sent_id"] == 1]["token"].tolist()
    assert "孟繁英" in second


def test_backends_agree_on_the_seed(seed_sentences, seed_tokens):
    reference = words.tokenize_sentences(seed_sentences, "jieba")
    assert reference["token"].tolist() == seed_tokens["token"].tolist()
    same_pos = (reference["pos"] == seed_tokens["pos"]) | (reference["pos"].isin(["m", "eng"])
                                                           & seed_tokens["pos"].isin(["m", "eng"]))
    assert same_pos.mean() > 0.99


def test_jieba_caches_in_the_project_cache():
    tagger = words.jieba_tagger()
    assert tagger.tokenizer.tmp_dir == str(cache_dir())
    tagger.tokenizer.initialize()
    assert (cache_dir() / tagger.tokenizer.cache_file).exists()
    assert words.plain_jieba().dt.tmp_dir == str(cache_dir())  # (the default tokenizer: the benchmarks' baseline)


def test_resources_are_well_formed():
    entries = words.user_dictionary()
    assert len({word for word, _, _ in entries}) == len(entries)
    assert all(freq > 0 and pos.isalpha() for _, freq, pos in entries)
    elements = "镧铈镨钕钷钐铕钆铽镝钬铒铥镱镥钪钇"
    assert set(elements) <= {word for word, _, _ in entries}
    assert {"的", "了", "是"} <= words.stopwords()
    assert {"表示", "说", "介绍", "认为", "指出"} <= words.word_set("speech_verbs.txt")


def test_several_documents_and_empty_input():
    frame = pd.concat([sentences_from("孟繁英说，稀土很重要。", "a"), sentences_from("赣州有离子型稀土矿。", "b")])
    tokens = words.tokenize_sentences(frame)
    assert tokens["doc_id"].unique().tolist() == ["a", "b"]
    empty = words.tokenize_sentences(frame.iloc[0:0])
    assert list(empty.columns) == words.TOKENS_COLUMNS and len(empty) == 0


def test_dev_corpus_backends_agree(shared_dir):
    pages = sorted((shared_dir / "corpus" / "dev" / "pages").glob("*.txt"))
    same = total = 0
    for page in pages:
        frame = sentences_from(page.read_text(encoding="utf-8"), page.stem)
        ours = words.tokenize_sentences(frame, "rjieba")
        reference = words.tokenize_sentences(frame, "jieba")
        ours_spans = set(zip(ours["sent_id"], ours["char_start"], ours["token"], strict=True))
        ref_spans = set(zip(reference["sent_id"], reference["char_start"], reference["token"], strict=True))
        same, total = same + len(ours_spans & ref_spans), total + len(ref_spans)
    assert total > 5000
    assert same / total > 0.995


def test_tagging_several_texts_at_once_matches_tagging_each():
    texts = ["包头稀土储量占全国的83.7%。", "中国稀土集团董事长表示：", "", "白云鄂博矿 新质生产力\r\n稀土+"]
    assert words.tag_texts(texts) == [words.tag_text(text) for text in texts]
    assert words.tag_texts(["a\x00b"]) == [words.tag_text("a\x00b")]  # the separator itself: one text at a time


def test_rjieba_words_spell_the_text_and_each_word_has_one_tag(shared_dir):
    # tokenize_at_once relies on both: it cuts the words from the text's bytes and reads one tag per distinct word
    pages = sorted((shared_dir / "corpus" / "dev" / "pages").glob("*.txt"))
    text = words.SENTENCE_SEPARATOR.join(page.read_text(encoding="utf-8") for page in pages)
    tagged = words.rjieba_tagger().tag(text, words.USE_HMM)
    assert "".join(word for word, _ in tagged) == text
    tags_of_word: dict[str, set[str]] = {}
    for word, pos in tagged:
        tags_of_word.setdefault(word, set()).add(pos)
    assert len(tagged) > 5000 and all(len(tags) == 1 for tags in tags_of_word.values())


def test_batch_tokens_match_sentence_by_sentence_tokens(shared_dir):
    pages = sorted((shared_dir / "corpus" / "dev" / "pages").glob("*.txt"))
    frame = pd.concat([sentences_from(page.read_text(encoding="utf-8"), page.stem) for page in pages])
    texts, doc_ids, sent_ids = words.sentence_columns(frame)
    tokens, tags, counts = words.flatten_sentences(words.tag_sentences_by_document(texts, doc_ids, "rjieba"))
    tags = words.fixed_tags(tokens, tags)
    one_by_one = words.tokens_table(tokens, tags, words.char_starts(tokens, counts), counts, doc_ids, sent_ids)
    batch = words.tokenize_sentences(frame, "rjieba")
    pd.testing.assert_frame_equal(batch, one_by_one)
    assert (batch["pos"] == "nr").any()


def test_distinct_words_tagged_alone_get_their_tags_in_context():
    texts = ["包头稀土储量占全国的83.7%。", "中国稀土集团董事长表示：", "白云鄂博矿的稀土元素和钕 新质生产力\r\nCEO"]
    text = words.SENTENCE_SEPARATOR.join(texts)
    cut = words.rjieba_tagger().cut(text, words.USE_HMM)
    distinct = list(dict.fromkeys(cut))
    word_codes = np.array([distinct.index(word) for word in cut])
    in_context = dict(words.rjieba_tagger().tag(text, words.USE_HMM))
    fixes = words.rjieba_tag_fixes()
    expected = [fixes.get(word, in_context[word]) for word in distinct]
    assert words.distinct_word_tags(text, pa.array(distinct, pa.large_string()), word_codes).to_pylist() == expected
    assert words.tags_in_context(text, len(distinct), word_codes) == [in_context[word] for word in distinct]
    assert "nz" in expected and any(in_context[word] != "nz" for word in fixes if word in in_context)  # a fix applied


def test_tagging_words_alone_gives_up_when_a_word_does_not_stay_whole():
    assert words.tags_alone(["稀土", "储量", "83", "CEO"]) == ["n", "n", "m", "eng"]
    assert words.tags_alone(["稀土储量占全国"]) is None  # several words: rjieba cuts them apart
    assert words.tags_alone(["稀土", "83.7"]) is None  # rjieba cuts 83 . 7
    assert words.tags_alone([]) == []


def test_a_text_column_joins_and_converts_as_its_python_strings_would():
    texts = pd.Series(["稀土价格上涨。", None, "包头"], dtype="str")
    assert words.joined_texts(texts) == "稀土价格上涨。\x00\x00包头"
    assert words.joined_texts(pd.Series(["稀土", 7], dtype=object)) == "稀土\x007"
    assert words.joined_texts(pd.Series([], dtype="str")) == ""
    doc_ids = words.arrow_text(pd.Series(["a", "b"], dtype="str"))
    assert doc_ids.type == pa.large_string() and doc_ids.to_pylist() == ["a", "b"]
    assert words.arrow_text(pd.Series([1, 2])).to_pylist() == ["1", "2"]


def test_a_text_holding_the_separator_is_tokenized_on_its_own_with_the_same_tokens():
    frame = pd.DataFrame({"doc_id": ["d", "d"], "para_id": [0, 0], "sent_id": [0, 1],
                          "text": ["稀土价格上涨。", "包头\x00稀土"]})
    tokens = words.tokenize_sentences(frame, "rjieba")
    alone = pd.concat([words.tokenize_sentences(frame.iloc[[index]], "rjieba") for index in range(2)],
                      ignore_index=True)
    pd.testing.assert_frame_equal(tokens, alone)
    assert "\x00" in tokens["token"].tolist()
