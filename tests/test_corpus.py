"""Tests for analysis/corpus.py: batches, duplicate files, executors, cache and table writing."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate

import pandas as pd
import pyarrow as pa
import pyarrow.feather as pa_feather
import pyarrow.parquet as pq
import pytest

from analysis import corpus


@pytest.fixture
def two_copies(tmp_path, seed_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_bytes(seed_path.read_bytes())
    return folder


def test_identical_files_are_both_kept_with_distinct_ids(two_copies):
    tables = corpus.build_tables(two_copies, use_cache=False)
    ids = tables["articles"]["doc_id"].tolist()
    assert len(ids) == 2 and ids[1] == f"{ids[0]}-2"
    assert set(tables["claims"]["doc_id"]) == set(ids)
    assert tables["articles"]["dup_cluster"].nunique() == 1


def test_any_executor_gives_the_same_tables(two_copies):
    serial = corpus.build_tables(two_copies, use_cache=False)
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = corpus.build_tables(two_copies, executor=pool, use_cache=False)
    for name in ("articles", "sentences", "claims", "keywords"):
        pd.testing.assert_frame_equal(serial[name], threaded[name])


def test_batches_are_cut_by_content_so_an_added_file_keeps_the_others(tmp_path):
    files = [corpus.InputFile(f"/x/{i}.txt", 1, f"{i:064x}") for i in range(400)]
    before = list(corpus.content_batches(files, target=8))
    after = list(corpus.content_batches([*files[:200], corpus.InputFile("/x/new.txt", 1, "f" * 64), *files[200:]], 8))
    assert sum(len(b) for b in before) == 400 and max(len(b) for b in before) <= 32
    assert min(len(b) for b in before[:-1]) >= 2  # a cut needs a quarter of the target first: no tiny batches
    unchanged = {tuple(f.path for f in b) for b in before} & {tuple(f.path for f in b) for b in after}
    assert len(unchanged) >= len(before) - 2


def test_the_last_files_are_cut_into_small_batches_so_that_the_workers_finish_together():
    files = [corpus.InputFile(f"/x/{i}.txt", 1, f"{i:064x}") for i in range(2000)]
    plain = list(corpus.content_batches(files, target=64))
    tapered = list(corpus.content_batches(files, target=64, n_files=2000))
    assert [f for b in tapered for f in b] == files
    before_tail = [b for b, end in zip(plain, accumulate(map(len, plain)), strict=True) if end <= 2000 - 64]
    assert tapered[: len(before_tail)] == before_tail  # the same cuts up to the last 64 files
    assert max(map(len, plain)) > 64 and max(map(len, tapered[len(before_tail):])) <= 64  # 4 × a quarter of 64


def test_a_run_without_workers_keeps_its_last_batches_whole(tmp_path, monkeypatch):
    for n in range(300):  # fewer than a batch's typical files: no pool
        (tmp_path / f"{n}.txt").write_text(f"稀土 {n}", encoding="utf-8")
    paths = [str(path) for path in sorted(tmp_path.iterdir())]
    monkeypatch.setattr(corpus, "process_batch", lambda files, *args: {"files": len(files)})
    sizes = [result["files"] for result in corpus.run_batches(paths, None, use_cache=False, progress=False)]
    plain = [len(b) for b in corpus.content_batches(corpus.input_files(paths))]
    assert sizes == plain != [len(b) for b in corpus.content_batches(corpus.input_files(paths), n_files=300)]


def test_batches_produced_ahead_come_in_order_and_an_error_while_hashing_reaches_the_run(tmp_path):
    paths = []
    for n in range(50):
        (tmp_path / f"{n:02d}.txt").write_text(f"稀土 {n}", encoding="utf-8")
        paths.append(str(tmp_path / f"{n:02d}.txt"))
    batches = list(corpus.content_batches(corpus.input_files(paths), target=8))
    assert list(corpus.produced_ahead(corpus.content_batches(corpus.input_files(paths), target=8))) == batches

    def failing():
        yield batches[0]
        raise OSError("disk gone")

    ahead = corpus.produced_ahead(failing())
    assert next(ahead) == batches[0]
    with pytest.raises(OSError, match="disk gone"):
        next(ahead)


def test_a_run_that_stops_taking_batches_stops_the_hashing_thread():
    produced = []

    def endless():
        while True:
            time.sleep(0.001)
            produced.append(len(produced))
            yield [produced[-1]]

    ahead = corpus.produced_ahead(endless())
    next(ahead)
    ahead.close()  # (as when the run fails)
    time.sleep(0.2)
    stopped_at = len(produced)
    time.sleep(0.2)
    assert len(produced) == stopped_at


def test_a_batch_of_long_pages_ends_at_the_byte_limit():
    files = [corpus.InputFile(f"/x/{i}.html", 1, f"{i:064x}", size=300_000) for i in range(40)]
    batches = list(corpus.content_batches(files, target=1000, max_bytes=1_000_000))
    assert [len(b) for b in batches] == [4] * 10  # 4 × 300 kB reaches 1 MB


def test_second_run_reads_the_cache(tmp_path, monkeypatch, seed_path):
    monkeypatch.setenv("RARE_EARTH_CACHE", str(tmp_path / "cache"))
    files = list(corpus.input_files([str(seed_path)]))
    first = corpus.process_batch(files, "fingerprint", use_cache=True)
    monkeypatch.setattr(corpus, "process_files", lambda files: pytest.fail("recomputed despite the cache"))
    second = corpus.process_batch(files, "fingerprint", use_cache=True)
    pd.testing.assert_frame_equal(first["claims"], second["claims"])


def test_formula_like_cells_are_neutralised_in_csv_only():
    table = pd.DataFrame({"text": ["=1+1", "+86 电话", "-3%", "@user", "稀土"], "value": [-1.0, 2.0, 3.0, 4.0, 5.0]})
    csv = corpus.table_to_csv_bytes(table).decode("utf-8-sig")
    assert "\"'=1+1\"" in csv and "\"'@user\"" in csv and "\"'-3%\"" in csv and "\"稀土\"" in csv
    assert "\"'=1+1\",-1\n" in csv  # numbers stay numbers
    parquet = pd.read_parquet(pa.BufferReader(corpus.table_to_parquet_bytes(table)))
    assert parquet["text"].tolist()[0] == "=1+1"


def test_only_columns_holding_a_formula_character_are_matched_cell_by_cell():
    ids = pa.chunked_array([pa.array(["0123456789abcdef", None, "稀土"])])
    inside = pa.chunked_array([pa.array(["包头-白云鄂博", "稀土", ""])])  # a "-" inside a cell: checked, not quoted
    assert not corpus.may_start_formulas(ids) and corpus.may_start_formulas(inside)
    assert corpus.may_start_formulas(pa.chunked_array([pa.array(["稀土", "=1+1"])[1:]]))  # a slice of an array
    table = corpus.neutralise_formulas(pa.table({"id": ids, "text": inside}))
    assert table.column("id").to_pylist() == ["0123456789abcdef", None, "稀土"]
    assert table.column("text").to_pylist() == ["包头-白云鄂博", "稀土", ""]


def test_large_tables_are_written_in_parts_and_joined_in_order(tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    batches = [
        {"sentences": pd.DataFrame({"doc_id": ["a"], "text": ["稀土"]}), "claims": pd.DataFrame({"x": [1]})},
        {"sentences": pd.DataFrame({"doc_id": pd.Series([], dtype=str), "text": pd.Series([], dtype=str)})},
        {"sentences": pd.DataFrame({"doc_id": ["b"], "text": ["=包头"]}),
         "tokens": pd.DataFrame({"doc_id": ["b"], "token": ["=包头"]})},
    ]
    for index, tables in enumerate(batches):
        tables = {**{name: pd.DataFrame() for name in corpus.STREAMED_TABLES}, **tables}
        rest = corpus.write_parts(tables, parts, index)
        assert not set(corpus.STREAMED_TABLES) & set(rest)
    joiners = {name: corpus.PartJoiner(parts, name, tmp_path, pd.DataFrame(columns=["doc_id", column]))
               for name, column in (("sentences", "text"), ("tokens", "token"), ("paragraphs", "text"))}
    for index in [0, 1, 2]:
        for joiner in joiners.values():
            joiner.add(index)
    assert [path.name for path in joiners["sentences"].close()] == ["sentences.parquet", "sentences.csv"]
    assert pd.read_parquet(tmp_path / "sentences.parquet")["text"].tolist() == ["稀土", "=包头"]
    csv = (tmp_path / "sentences.csv").read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf") and csv.count(b"doc_id") == 1
    assert pd.read_csv(tmp_path / "sentences.csv", encoding="utf-8-sig")["text"].tolist() == ["稀土", "'=包头"]
    assert [path.name for path in joiners["tokens"].close()] == ["tokens.parquet"]  # Parquet only
    assert pd.read_parquet(tmp_path / "tokens.parquet")["token"].tolist() == ["=包头"]
    assert not list(parts.glob("tokens.*.csv"))
    joiners["paragraphs"].close()  # no batch had paragraphs: the empty table given
    assert list(pd.read_csv(tmp_path / "paragraphs.csv", encoding="utf-8-sig").columns) == ["doc_id", "text"]


def test_the_per_document_table_names_are_those_pages_tables_makes():
    assert (*corpus.DOCUMENT_TABLES, *corpus.RETURNED_TABLES) == tuple(corpus.empty_document_tables())


def test_workers_return_only_the_rejects_and_every_other_table_is_read_back_from_parts(tmp_path):
    rejects = pd.DataFrame({"path": ["bad.txt"], "error": ["empty file"]})
    collector = corpus.PartCollector(tmp_path, ["claims", "quotes"])
    body = "包头稀土资源储量占全国的83.7%，占世界的37.8%。" * 2  # (30 comparable characters or more)
    for index, doc_id in enumerate(["a", "b"]):
        tables = {"claims": pd.DataFrame({"doc_id": [doc_id], "value": [83.7 + index]}), "rejects": rejects,
                  "articles": pd.DataFrame({"doc_id": [doc_id], "body": [body]})}
        corpus.write_shingle_part(tables["articles"], tmp_path, index)
        assert list(corpus.write_parts(tables, tmp_path, index)) == ["rejects"]
        collector.add(index)
    claims = collector.tables()["claims"]
    assert claims["doc_id"].tolist() == ["a", "b"] and claims["value"].tolist() == [83.7, 84.7]
    assert claims["doc_id"].dtype == corpus.empty_document_tables()["claims"]["doc_id"].dtype
    quotes = collector.tables()["quotes"]  # no batch had any: the table's empty form
    assert quotes.empty and list(quotes.columns) == list(corpus.empty_document_tables()["quotes"].columns)
    indexed, _, _, signatures = collector.shingle_sets()  # both bodies, as rows 0 and 1 of the joined articles
    assert indexed.tolist() == [0, 1] and (signatures[0] == signatures[1]).all()


def test_parts_are_joined_into_row_groups_of_bounded_size_in_order(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    joiner = corpus.PartJoiner(tmp_path, "sentences", out, rows=7)
    for index in range(5):  # five parts of three rows each, joined as they come
        table = pa.table({"doc_id": [f"d{index}"] * 3, "sent_id": [index * 3 + i for i in range(3)],
                          "text": ["稀土。", "包头。", "赣州。"]})
        pa_feather.write_feather(table, tmp_path / f"sentences.{index:06d}.arrow")
        (tmp_path / f"sentences.{index:06d}.csv").write_bytes(corpus.csv_bytes(table, header=False))
        joiner.add(index)
    joiner.add(5)  # a batch without sentences
    joiner.close()
    parquet = pq.ParquetFile(out / "sentences.parquet")
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.metadata.num_row_groups)]
    assert sizes == [9, 6]  # parts are kept whole; a group closes once it has 7
    assert parquet.read().column("sent_id").to_pylist() == list(range(15))
    assert pd.read_csv(out / "sentences.csv", encoding="utf-8-sig")["sent_id"].tolist() == list(range(15))
    columns = parquet.metadata.row_group(1).to_dict()["columns"]
    stated = {column["path_in_schema"]: column["statistics"] is not None for column in columns}
    assert stated == {"doc_id": True, "sent_id": True, "text": False}  # min/max kept only where a filter uses them


def test_intermediate_tables_are_written_as_parquet_only(tmp_path):
    tables = {"terms": pd.DataFrame({"doc_id": ["a"], "term": ["稀土"]}), "claims": pd.DataFrame({"x": [1]})}
    written = corpus.write_tables(tables, tmp_path)
    assert sorted(p.name for p in written) == ["claims.csv", "claims.parquet", "terms.parquet"]
    assert {"terms", "tokens"} <= set(corpus.PARQUET_ONLY_TABLES) and "sentences" not in corpus.PARQUET_ONLY_TABLES


def test_a_run_without_the_reference_tables_stops_before_reading_anything(tmp_path, seed_path, monkeypatch):
    from analysis import paths

    monkeypatch.setattr(paths, "REFERENCE_TABLES", (tmp_path / "china_rare_earth_facts.csv",))

    def no_listing(*args, **kwargs):
        raise AssertionError("the inputs were listed before the reference tables were checked")

    monkeypatch.setattr(corpus, "list_inputs", no_listing)
    with pytest.raises(paths.MissingReferenceData, match=r"china_rare_earth_facts\.csv"):
        corpus.build_tables([seed_path], executor=ThreadPoolExecutor(1), use_cache=False)
    with pytest.raises(paths.MissingReferenceData):
        corpus.tabulate([seed_path], tmp_path / "out", use_cache=False, progress=False)
    assert not (tmp_path / "out").exists()


def test_to_arrow_converts_each_kind_of_column_as_pyarrow_converts_the_series():
    table = pd.DataFrame({"text": ["稀土", None, "包头"], "mixed": [1, "氧化镨钕", None], "empty": [None, None, None],
                          "count": [1, 2, 3], "value": [1.5, float("nan"), 2.0], "flag": [True, False, True]})
    arrow = corpus.to_arrow(table)
    assert arrow.column("text").to_pylist() == ["稀土", None, "包头"]
    assert arrow.schema.field("text").type == pa.large_string()
    assert arrow.column("mixed").to_pylist() == ["1", "氧化镨钕", None]  # mixed with text: as text
    assert arrow.schema.field("empty").type == pa.string() and arrow.column("empty").null_count == 3
    assert arrow.column("value").to_pylist() == [1.5, None, 2.0]  # NaN: missing, as from_pandas makes it
    assert [arrow.schema.field(name).type for name in ("count", "flag")] == [pa.int64(), pa.bool_()]
    assert arrow.schema.metadata is None
