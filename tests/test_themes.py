"""Tests for analysis.themes: terms, keywords, entities, quotes, co-occurrence, topics, keyword-in-context."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sentence_tables import sentences_from

from analysis import themes, words


@pytest.fixture(scope="module")
def seed_summaries(seed_tokens, seed_sentences) -> dict[str, pd.DataFrame]:
    """Every per-document table for the seed."""
    return themes.document_summaries(seed_tokens, seed_sentences)


def test_terms_drop_stopwords_punctuation_and_numbers(seed_tokens, seed_sentences):
    terms = themes.document_terms(seed_tokens, seed_sentences)
    assert list(terms.columns) == themes.TERMS_COLUMNS
    vocabulary = set(terms["term"])
    assert not vocabulary & words.stopwords()
    assert not {"，", "。", "“", "83", "2023", "的", "是"} & vocabulary
    counts = dict(zip(terms["term"], terms["count"], strict=True))
    assert counts["稀土产业"] == (seed_tokens["token"] == "稀土产业").sum() == 6
    assert counts["孟繁英"] == 3
    assert (terms["sentence_count"] <= terms["count"]).all()


def test_single_character_elements_are_terms():
    text = "镨钕价格上涨，钕和镝供应偏紧。"
    terms = themes.document_terms(words.tokenize_sentences(sentences_from(text)))
    assert {"钕", "镝"} <= set(terms["term"])
    assert "和" not in set(terms["term"])


def test_duplicate_sentences_are_not_counted(seed_tokens, seed_sentences):
    flagged = seed_sentences.assign(is_duplicate=seed_sentences["text"].str.contains("闫宏伟说"))
    base = themes.document_terms(seed_tokens, seed_sentences).set_index("term")["count"]
    fewer = themes.document_terms(seed_tokens, flagged).set_index("term")["count"]
    assert fewer["闫宏伟"] == base["闫宏伟"] - 1


def test_document_keywords_frequency_and_textrank(seed_summaries):
    table = seed_summaries["doc_keywords"]
    assert list(table.columns) == themes.KEYWORDS_COLUMNS
    assert set(table["method"]) == {"frequency", "textrank"}
    for _, group in table.groupby("method"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert group["score"].is_monotonic_decreasing
    textrank = table[table["method"] == "textrank"]
    assert textrank["score"].iloc[0] == pytest.approx(1.0)
    assert {"稀土产业", "产业"} & set(textrank["term"].head(5))


def test_keywords_tfidf_uses_reference_idf_for_a_small_corpus(seed_summaries):
    table = themes.keywords(seed_summaries["terms"], seed_summaries["doc_keywords"])
    assert set(table["method"]) == {"frequency", "tfidf", "textrank"}
    assert set(table["doc_id"]) == {"seed", ""}
    tfidf = table[(table["doc_id"] == "seed") & (table["method"] == "tfidf")]
    # jieba's IDF lifts the domain term above the generic words that are more frequent in the text
    assert tfidf["term"].iloc[0] == "稀土产业"
    frequency = table[(table["doc_id"] == "seed") & (table["method"] == "frequency")]
    assert frequency["term"].iloc[0] == "产业"
    assert themes.idf_table(seed_summaries["terms"])[2] == "jieba"


def test_small_corpus_idf_is_jiebas_with_the_median_for_unlisted_terms():
    names = pa.array(["稀土", "不在词表里的词", "研究"])
    idf = themes.term_idf(np.zeros(3, dtype=np.int64), np.arange(3), names)
    reference = themes.reference_idf()
    assert idf.tolist() == [reference["稀土"], themes.reference_idf_median(), reference["研究"]]
    assert reference["稀土"] != reference["研究"]


def test_corpus_idf_when_enough_documents():
    rows = [(f"d{i}", "稀土", "n", 1, 1) for i in range(themes.MIN_DOCS_FOR_CORPUS_IDF)]
    rows += [("d0", "钕铁硼", "nz", 1, 1)]
    terms = pd.DataFrame(rows, columns=themes.TERMS_COLUMNS)
    idf, _, source = themes.idf_table(terms)
    assert source == "corpus"
    assert idf["钕铁硼"] > idf["稀土"] == pytest.approx(1.0)


def test_entities_of_the_seed(seed_summaries):
    table = seed_summaries["entities"]
    assert list(table.columns) == themes.ENTITIES_COLUMNS
    kinds = {(e, k) for e, k in zip(table["entity"], table["kind"], strict=True)}
    assert {("孟繁英", "person"), ("闫宏伟", "person"), ("孟凡君", "person")} <= kinds
    assert {("包头市", "place"), ("内蒙古", "place")} <= kinds
    assert {("包钢", "organisation"), ("包头稀土研究院", "organisation")} <= kinds
    assert not {"文明", "维生素", "大国", "深度"} & set(table["entity"])
    row = table.set_index("entity").loc["闫宏伟"]
    assert row["count"] == 3 and row["first_sent_id"] == 8


def test_quotes_of_the_seed(seed_summaries):
    quotes = seed_summaries["quotes"]
    assert list(quotes.columns) == themes.QUOTES_COLUMNS
    speakers = dict(zip(quotes["speaker"], quotes["quote"], strict=True))
    assert set(speakers) == {"孟繁英", "闫宏伟"}
    assert speakers["孟繁英"].startswith("稀土是我国重要的战略资源")
    assert speakers["闫宏伟"].startswith("要推动科技创新")
    assert quotes.set_index("speaker").loc["孟繁英", "sent_id"] == 4


def test_quotes_speaker_before_and_terms_in_quotes_are_not_speech():
    text = ("中国稀土行业协会副会长陈占恒表示：“今年稀土价格将保持稳定，企业要加快转型。”\n"
            "这一产业被誉为“工业维生素”，实现“双碳”目标需要它。\n"
            "“我们会继续扩大产能，满足市场需求。”他说。")
    quotes = themes.extract_quotes(sentences_from(text))
    assert quotes["speaker"].tolist() == ["陈占恒", "陈占恒"]
    assert quotes["quote"].iloc[0] == "今年稀土价格将保持稳定，企业要加快转型。"
    assert not quotes["quote"].str.contains("维生素|双碳").any()


def test_cooccurrence_counts_and_pmi():
    pairs = pd.DataFrame([("a", "稀土", "价格", 2), ("b", "稀土", "价格", 1), ("b", "稀土", "出口", 1)],
                         columns=themes.PAIRS_COLUMNS)
    terms = pd.DataFrame([("a", "稀土", "n", 3, 3), ("a", "价格", "n", 2, 2), ("b", "稀土", "n", 2, 2),
                          ("b", "价格", "n", 1, 1), ("b", "出口", "v", 1, 1)], columns=themes.TERMS_COLUMNS)
    table = themes.cooccurrence(pairs, terms, total_sentences=10)
    assert table[["term_a", "term_b", "count", "documents"]].values.tolist() == [["稀土", "价格", 3, 2]]
    assert table["pmi"].iloc[0] == pytest.approx(math.log2(3 / 10 / ((5 / 10) * (3 / 10))))


def test_seed_pairs_are_within_sentences(seed_summaries, seed_tokens):
    pairs = seed_summaries["term_pairs"]
    assert (pairs["term_a"] < pairs["term_b"]).all()
    row = pairs[(pairs["term_a"] == "创建") & (pairs["term_b"] == "国家稀土技术创新中心")]
    sentences_with_both = seed_tokens.groupby("sent_id")["token"].agg(
        lambda s: {"创建", "国家稀土技术创新中心"} <= set(s)).sum()
    assert row["count"].tolist() == [sentences_with_both]


def test_topics_separate_two_themes():
    mining = "白云鄂博矿开采稀土精矿，冶炼分离产能扩大，稀土精矿产量增长。"
    magnets = "新能源汽车电机需要钕铁硼永磁材料，永磁电机订单增长。"
    rows = []
    for i in range(6):
        for word_text in (mining, magnets):
            doc_id = f"{'m' if word_text is mining else 'p'}{i}"
            rows.append(themes.document_terms(words.tokenize_sentences(sentences_from(word_text * (i + 1), doc_id))))
    terms = pd.concat(rows, ignore_index=True)
    topic_table, doc_topics = themes.topics(terms)
    assert topic_table["topic_id"].nunique() == themes.topic_count(12) == 2
    best = doc_topics.loc[doc_topics.groupby("doc_id")["weight"].idxmax()].set_index("doc_id")["topic_id"]
    assert best[[f"m{i}" for i in range(6)]].nunique() == 1
    assert best[[f"p{i}" for i in range(6)]].nunique() == 1
    assert best["m0"] != best["p0"]
    assert doc_topics.groupby("doc_id")["weight"].sum().round(6).eq(1).all()
    assert list(doc_topics.columns) == themes.DOC_TOPICS_COLUMNS and (doc_topics["para_id"] == -1).all()


def test_topic_count_rule():
    assert [themes.topic_count(n) for n in (1, 2, 3, 8, 50, 200, 10_000)] == [0, 1, 2, 2, 5, 10, 12]


def test_single_article_themes_over_paragraphs(seed_summaries):
    topic_table, doc_topics = themes.topics(seed_summaries["paragraph_terms"])
    assert list(doc_topics.columns) == ["doc_id", "para_id", "topic_id", "weight"]
    assert topic_table["topic_id"].nunique() >= 2
    assert set(doc_topics["para_id"]) <= set(seed_summaries["paragraph_terms"]["para_id"])


def test_keyword_in_context(seed_sentences):
    table = themes.keyword_in_context(seed_sentences, "闫宏伟", width=4)
    assert list(table.columns) == themes.KWIC_COLUMNS
    assert len(table) == 3
    first = table.iloc[0]
    assert (first["doc_id"], first["sent_id"], first["left"], first["term"], first["right"]) == (
        "seed", 8, "任研究员", "闫宏伟", "表示,作")
    articles = pd.DataFrame({"doc_id": ["x"], "body": ["稀土稀土"]})
    assert themes.keyword_in_context(articles, "稀土", width=1)[["left", "right"]].values.tolist() == [
        ["", "稀"], ["土", ""]]


def test_corpus_summaries_and_empty_input(seed_summaries):
    tables = themes.corpus_summaries(seed_summaries, None)
    assert set(tables) == {"keywords", "cooccurrence", "topics", "doc_topics"}
    assert len(tables["keywords"]) and len(tables["topics"])
    empty = themes.document_summaries(pd.DataFrame(columns=words.TOKENS_COLUMNS),
                                      pd.DataFrame(columns=["doc_id", "para_id", "sent_id", "text", "is_duplicate"]))
    assert all(len(t) == 0 for t in empty.values())
    assert list(empty["entities"].columns) == themes.ENTITIES_COLUMNS
    assert empty["terms"]["count"].dtype == "int64" and empty["doc_keywords"]["score"].dtype == "float64"
    empty_corpus = themes.corpus_summaries(empty, None)
    assert all(len(t) == 0 for t in empty_corpus.values())


def test_dev_corpus_people_look_like_names(shared_dir):
    people = set()
    for page in sorted((shared_dir / "corpus" / "dev" / "pages").glob("*.txt")):
        frame = sentences_from(page.read_text(encoding="utf-8"), page.stem)
        table = themes.entities(words.tokenize_sentences(frame))
        people |= set(table.loc[table["kind"] == "person", "entity"])
    surnames = words.word_set("surnames.txt")
    assert people
    assert all(2 <= len(p) <= 4 and (p[0] in surnames or p[:2] in surnames) for p in people)


def test_corpus_level_counts_a_story_once(seed_tokens, seed_sentences):
    copy_tokens, copy_sentences = seed_tokens.assign(doc_id="seed-2"), seed_sentences.assign(doc_id="seed-2")
    tables = themes.document_summaries(pd.concat([seed_tokens, copy_tokens]), pd.concat([seed_sentences,
                                                                                       copy_sentences]))
    articles = pd.DataFrame({"doc_id": ["seed", "seed-2"], "dup_cluster": ["seed", "seed"]})
    once = themes.corpus_summaries(tables, articles)["keywords"]
    twice = themes.corpus_summaries(tables, None)["keywords"]

    def corpus_count(table: pd.DataFrame) -> float:
        rows = table[(table["doc_id"] == "") & (table["method"] == "frequency") & (table["term"] == "稀土产业")]
        return rows["score"].iloc[0]

    assert corpus_count(once) == 6 and corpus_count(twice) == 12
    assert set(once["doc_id"]) == {"seed", ""}


def test_quote_speaker_can_be_a_role():
    text = ("商务部新闻发言人表示：“中方将依法对相关物项实施出口管制，维护国家安全。”\n"
            "“一开始，我们谁也没想到会有污染问题。”一位老村民说到。")
    quotes = themes.extract_quotes(sentences_from(text))
    assert quotes["speaker"].tolist() == ["商务部新闻发言人", "村民"]
    assert quotes["sent_id"].tolist() == [0, 1]


def test_a_batch_without_quote_marks_has_no_quotes():
    sentences = pd.DataFrame({"doc_id": ["a", "a", "b"], "para_id": [0, 0, 0], "sent_id": [0, 1, 0],
                              "text": ["包头稀土储量占全国的83.7%。", "居世界第一。", "稀土<b>价格</b>上涨。"]})
    quotes = themes.extract_quotes(sentences)
    assert quotes.empty and list(quotes.columns) == themes.QUOTES_COLUMNS


def test_quote_spans_are_the_quote_pattern_matches():
    alphabet = list("“”「」『』\n，。ab说")
    texts = ["".join(alphabet[(i * 7 + j * j) % len(alphabet)] for j in range(i % 23)) for i in range(400)]
    texts += ["“”", "“a”", "“a\n”", "“a“b”", "「a」“b』", "a“b”c“d"]
    for text in texts:
        starts, ends = themes.quote_spans(themes.code_points(text))
        assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == [
            (match.start(), match.end()) for match in themes.QUOTE_RE.finditer(text)]


def test_distinct_counts_and_lexsort_order_match_numpy():
    first = np.array([3, 1, 3, 0, 1, 3])
    second = np.array([2, 5, 2, 0, 5, 1])
    (a, b), counts = themes.distinct_counts(first, second)
    expected, expected_counts = np.unique(np.stack([first, second], axis=1), axis=0, return_counts=True)
    assert a.tolist() == expected[:, 0].tolist() and b.tolist() == expected[:, 1].tolist()
    assert counts.tolist() == expected_counts.tolist()
    assert themes.lexsort_order(second, first).tolist() == np.lexsort((second, first)).tolist()
    assert themes.lexsort_order(np.zeros(0, dtype=np.int64)).tolist() == []


def test_quotes_only_read_paragraphs_with_quote_marks():
    text = ("稀土价格上涨，企业表示\n"
            "张明表示：“今年稀土价格将保持稳定，企业要加快转型。”记者了解到\n"
            "行业协会认为产能过剩。")
    quotes = themes.extract_quotes(sentences_from(text))
    assert quotes["speaker"].tolist() == ["张明"] and quotes["sent_id"].tolist() == [1]
    joined = themes.quoting_text(sentences_from(text), sentences_from(text)["text"])
    assert joined.text == "张明表示：“今年稀土价格将保持稳定，企业要加快转型。”记者了解到"


def test_speaker_clause_before_a_quote_must_end_with_a_speech_verb():
    assert themes.ends_with_speech_verb("商务部新闻发言人表示 ")
    assert themes.ends_with_speech_verb("他说……")
    assert not themes.ends_with_speech_verb("他表示同意，并且")
    text = "他表示同意，并且“今年稀土价格将保持稳定，企业要加快转型。”"
    assert themes.extract_quotes(sentences_from(text)).empty


def test_person_evidence_skips_spaces_before_the_name():
    tokens = pd.DataFrame({"doc_id": "a", "sent_id": [0, 0, 0, 0, 1, 1],
                           "token": ["记者", " ", "张明", "。", "王伟", "。"], "pos": ["n", "x", "nr", "x", "nr", "x"],
                           "char_start": [0, 2, 3, 5, 0, 2]})
    entities = themes.entities(tokens)
    assert entities[entities["kind"] == "person"]["entity"].tolist() == ["张明"]  # 王伟: no title or verb by it
    assert themes.summary_people(themes.encode(tokens), tokens) == themes.known_people(tokens)


def test_textrank_scores_do_not_depend_on_the_batch(seed_sentences):
    """A document's TextRank scores (and so its tie ranks) are the same alone and batched with other documents."""

    def textrank_of_seed(sentences: pd.DataFrame) -> pd.DataFrame:
        table = themes.document_keywords(words.tokenize_sentences(sentences), sentences)
        return table[(table["doc_id"] == "seed") & (table["method"] == "textrank")].reset_index(drop=True)

    alone = textrank_of_seed(seed_sentences)
    other_text = "包头稀土产业发展迅速，稀土永磁材料和稀土产业链不断延伸。稀土产业创新中心建设取得进展。" * 3
    other = sentences_from(other_text, "a")
    batched = textrank_of_seed(pd.concat([other, seed_sentences], ignore_index=True))
    pd.testing.assert_frame_equal(batched, alone, check_exact=True)


def test_person_evidence_after_and_before_the_name():
    sentences = [["记者", "张明", "。"], ["王伟", "表示"], ["李强", "董事长"], ["主任", "赵刚", "来"], ["记者", "孙丽"],
                 ["周杰", "。"]]
    names = {"张明", "王伟", "李强", "赵刚", "孙丽", "周杰"}
    tokens = pd.DataFrame([("a", sent_id, token, "nr" if token in names else "n", 0)
                           for sent_id, sentence in enumerate(sentences) for token in sentence],
                          columns=words.TOKENS_COLUMNS)
    entities = themes.entities(tokens)
    assert sorted(entities[entities["kind"] == "person"]["entity"]) == sorted(["张明", "王伟", "李强", "孙丽"])


def test_word_test_runs_once_per_distinct_word_and_reads_no_token_as_empty():
    batch = themes.encode(pd.DataFrame({"doc_id": "a", "sent_id": 0, "token": ["稀土", "。", "稀土"], "pos": "n",
                                        "char_start": [0, 2, 3]}))
    seen = []
    flags = themes.word_test(batch, np.array([0, 1, -1, 0]), lambda word: seen.append(word) or word == "稀土")
    assert flags.tolist() == [True, False, False, True] and sorted(seen) == sorted(["", "稀土", "。"])
