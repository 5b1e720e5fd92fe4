"""Running the per-document steps over a corpus, caching them, and writing the tables.

The flow (see DESIGN.md): input files are hashed and cut into content-defined batches; each batch goes
through `process_batch` (read → clean → claims → cross-checks → words), a pure function mapped by an
executor (local processes by default, forked warm from a forkserver that has loaded the library and the
tokenizer, see `worker_preload`; any `concurrent.futures.Executor`, such as a Dask client's
`get_executor()`, can run it instead). A batch is sent as soon as it is cut; with a local pool a thread hashes the
inputs, so that hashing fills the wait for the workers to start.
Batch results are cached by the files' content, the code, the word lists and the tokenizer. Corpus-level
steps (duplicate clusters, keywords, topics, claim variants) then run on the per-document results.
`tabulate` has the workers write every table themselves as Arrow parts (and the articles' shingle sets for the
near-duplicate search); the main process joins the large ones into their files and maps the others as each
batch finishes, and writes the finished tables in threads while the corpus-level steps run.

Tables and where their columns are documented:
- articles, paragraphs, sentences, removed: `analysis.clean`; rejects (path, error): `analysis.read`
- claims: `analysis.claims`; cross_checks (per batch), claim_variants: `analysis.reference`
- tokens: `analysis.words`; terms, keywords, entities, quotes, cooccurrence, topics, doc_topics: `analysis.themes`
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import math
import os
import pickle
import queue
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.feather as pa_feather
import pyarrow.parquet as pq

from . import claims, clean, read, reference, themes, words
from .fingerprint import MANIFEST, corpus_fingerprint, current_manifest, input_file_stats, pipeline_fingerprint
from .outputs import write_bytes_atomic, write_text_atomic
from .paths import cache_dir, require_reference_tables, resolve_corpus
from .workers import BATCH_FILES, MAX_BATCH_BYTES, worker_context

# The per-document tables `pages_tables` makes (besides the rejects; a test checks the list)
DOCUMENT_TABLES = ("articles", "paragraphs", "sentences", "removed", "claims", "cross_checks", "tokens", "terms",
                   "paragraph_terms", "doc_keywords", "entities", "quotes", "term_pairs", "word_stats")
# Per-document tables too large to hold for a whole corpus: `tabulate` streams them to disk.
STREAMED_TABLES = ("tokens", "paragraphs", "sentences")
RETURNED_TABLES = ("rejects",)  # what a worker sends back to `tabulate`; it writes every other table as parts
# Written as Parquet only: the per-document inputs of the corpus-level words tables (intermediate results) and the
# tokens (a row per word: 3.5 million rows and 128 MB of CSV for 20 MB of pages, past the 1,048,576 rows a
# spreadsheet opens). As CSV they are several times the corpus's size and not meant for a spreadsheet.
PARQUET_ONLY_TABLES = ("tokens", "terms", "paragraph_terms", "doc_keywords", "term_pairs", "word_stats")
# Written part by part as the batches finish (`PartJoiner`), not at the end: the streamed tables, and the Parquet-only
# ones (columns of fixed types: a part's schema holds for all), which the corpus-level steps also read in memory.
JOINED_TABLES = tuple(name for name in DOCUMENT_TABLES if name in STREAMED_TABLES or name in PARQUET_ONLY_TABLES)
SERIAL_BELOW = 8  # no progress bar below this many files
WRITER_THREADS = 2  # threads writing the output tables at the end of `tabulate`
ROW_GROUP_ROWS = 1_000_000  # rows per Parquet row group when joining the streamed tables' parts
STATISTICS_COLUMNS = ("doc_id", "para_id", "sent_id")  # the streamed tables' columns given Parquet min/max statistics
# (for filtering on read); the statistics of the text columns serve no query and cost a third of the tokens' encoding
FORMULA_START = r"^[=+\-@\t\r]"  # a text cell starting so would run as a spreadsheet formula
FORMULA_FIRST_BYTES = [b"=", b"+", b"-", b"@", b"\t", b"\r"]  # the same characters, as bytes


# ---------------------------------------------------------------- per-document steps (pure)


def pages_tables(pages: list[read.Page]) -> dict[str, pd.DataFrame]:
    """Every per-document table for a batch of pages: clean, claims, tokens, terms, quotes…"""
    tables = clean.articles_tables(clean.split_pages(pages))
    sentences = tables["sentences"]
    tables["claims"] = claims.extract_claims(sentences)
    usgs, facts, shares = reference_tables()
    tables["cross_checks"] = reference.cross_check(tables["claims"], usgs, facts, tables["articles"], shares)
    tables["tokens"] = words.tokenize_sentences(sentences)
    tables.update(themes.document_summaries(tables["tokens"], sentences))
    return tables


@functools.cache
def reference_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The USGS and Chinese reference tables and China's USGS shares, loaded once per process."""
    usgs = reference.load_usgs()
    return usgs, reference.load_china_facts(), reference.usgs_shares(usgs)


def robust_pages_tables(pages: list[read.Page]) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """`pages_tables` for the batch; if it fails, page by page, a failing page becoming a reject row."""
    try:
        return pages_tables(pages), []
    except Exception:  # find the page at fault; the others still go through
        parts, rejects = [], []
        for page in pages:
            try:
                parts.append(pages_tables([page]))
            except Exception as exc:
                rejects.append({"path": page.path, "error": f"internal error: {type(exc).__name__}: {exc}"})
        return concat_tables(parts), rejects


def process_files(files: list[InputFile]) -> dict[str, pd.DataFrame]:
    """All tables for the pages in a batch of input files, plus rejects; never raises for bad input."""
    pages, rejects = [], []
    for file in files:
        try:
            file_pages, file_rejects = read.read_file(Path(file.path))
        except Exception as exc:  # a bug on one file must not stop the batch
            file_pages = []
            file_rejects = [{"path": file.path, "error": f"internal error: {type(exc).__name__}: {exc}"}]
        if file.occurrence > 1:  # the same bytes seen before in this corpus: keep the ids unique
            file_pages = [replace(page, doc_id=f"{page.doc_id}-{file.occurrence}") for page in file_pages]
        pages.extend(file_pages)
        rejects.extend(file_rejects)
    tables, failed = robust_pages_tables(pages) if pages else ({}, [])
    tables = {**empty_document_tables(), **tables}
    tables["rejects"] = pd.DataFrame(rejects + failed, columns=read.REJECT_COLUMNS)
    return tables


def concat_tables(parts: Iterable[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Concatenate dicts of tables by name, keeping the columns of empty tables."""
    grouped: dict[str, list[pd.DataFrame]] = {}
    for part in parts:
        for name, table in part.items():
            grouped.setdefault(name, []).append(table)
    out = {}
    for name, tables in grouped.items():
        non_empty = [t for t in tables if len(t)]
        out[name] = pd.concat(non_empty, ignore_index=True) if non_empty else tables[0].iloc[0:0]
    return out


# ---------------------------------------------------------------- input files and batches


@dataclass(frozen=True)
class InputFile:
    """An input file: its path, how many times its exact bytes have appeared so far, their hash and size."""

    path: str
    occurrence: int
    digest: str
    size: int = 0


def input_files(paths: list[str]) -> Iterator[InputFile]:
    """Each path with its content hash and occurrence (1 for the first copy of the same bytes), as it is read."""
    seen: dict[str, int] = {}
    for path in paths:
        try:
            data = read.read_bytes_upto(path, sys.maxsize)[1]  # (plain system calls: quickest for small files)
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
        except OSError as exc:
            digest, size = f"unreadable:{path}:{exc.errno}", 0
        seen[digest] = seen.get(digest, 0) + 1
        yield InputFile(path, seen[digest], digest, size)


def content_batches(files: Iterable[InputFile], target: int = BATCH_FILES, max_bytes: int = MAX_BATCH_BYTES,
                    n_files: int = 0) -> Iterator[list[InputFile]]:  # fmt: skip
    """Files cut into batches at content-defined points (a file whose hash is 0 mod `target`, once the batch holds
    target/4 files), each as it is cut.

    Cutting by content rather than by position keeps the other batches (and their cache entries) unchanged
    when a file is added, removed or edited. The minimum avoids tiny batches (each has a fixed cost); a batch also
    ends at 4×target files or `max_bytes` bytes. When `n_files` (how many files there are) is given, the last
    `target` files are cut at a quarter of the target: the batches that end a run are small, so that the workers
    finish together (adding a file at the end of a corpus then also recuts its last batches). A run without workers
    does not give it: one process gains nothing from small batches.
    """
    tail_start = n_files - target if n_files else sys.maxsize
    batch: list[InputFile] = []
    size = 0
    for position, file in enumerate(files):
        batch.append(file)
        size += file.size
        digest = file.digest.rsplit(":", 1)[-1]
        cut_target = target if position < tail_start else max(target // 4, 1)
        cut = (len(batch) >= cut_target // 4
               and int(hashlib.sha256(digest.encode()).hexdigest()[:8], 16) % cut_target == 0)
        if cut or len(batch) >= 4 * cut_target or size >= max_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# ---------------------------------------------------------------- cache


def batch_key(files: list[InputFile], fingerprint: str) -> str:
    """The cache key of a batch: the pipeline, and each file's path, occurrence and content hash."""
    digest = hashlib.sha256(fingerprint.encode())
    for file in files:
        digest.update(f"{file.path}\0{file.occurrence}\0{file.digest}\n".encode())
    return digest.hexdigest()


def process_batch(
    files: list[InputFile], fingerprint: str, use_cache: bool, parts_dir: str | None = None, index: int = 0
) -> dict[str, pd.DataFrame]:
    """`process_files` on one batch (the unit of work sent to a worker), through the project cache.

    With `parts_dir`, the tables are written there as numbered part files by the worker itself and left out of
    the result (all but RETURNED_TABLES), so they never travel back through a pipe to the main process; so are
    the articles' shingle sets, the per-document half of the near-duplicate search.
    """
    tables = cached_batch(files, fingerprint) if use_cache else process_files(files)
    if not parts_dir:
        return tables
    write_shingle_part(tables["articles"], Path(parts_dir), index)
    return write_parts(tables, Path(parts_dir), index)


def part_path(parts_dir: Path, name: str, index: int, suffix: str = ".arrow") -> Path:
    """Where batch `index` writes its part of `name` (an Arrow table, its CSV rows or its shingle sets)."""
    return parts_dir / f"{name}.{index:06d}{suffix}"


def write_shingle_part(articles: pd.DataFrame, parts_dir: Path, index: int) -> None:
    """The batch's number of articles and their `clean.body_shingle_sets`, pickled as `shingles.<index>.pkl`."""
    part = (len(articles), clean.body_shingle_sets(articles))
    part_path(parts_dir, "shingles", index, ".pkl").write_bytes(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))


def cached_batch(files: list[InputFile], fingerprint: str) -> dict[str, pd.DataFrame]:
    """The batch's tables from the cache, computed and stored there when missing."""
    key = batch_key(files, fingerprint)
    store = cache_dir() / "batches" / key[:2] / f"{key}.pkl"
    if store.exists():
        try:
            return pickle.loads(store.read_bytes())
        except Exception:  # a damaged cache entry is recomputed
            pass
    tables = process_files(files)
    write_bytes_atomic(store, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    return tables


# ---------------------------------------------------------------- executor


def expected_batches(paths: list[str]) -> int:
    """About how many batches `content_batches` makes of these files, from their number and total size."""
    size = sum(file_size for file_size, _ in input_file_stats(paths))
    return max(math.ceil(len(paths) / BATCH_FILES), math.ceil(size / MAX_BATCH_BYTES))


def default_executor(n_batches: int) -> Executor | None:
    """A local process pool when there are several batches, its workers starting now; None (run here) otherwise."""
    workers = min(os.cpu_count() or 1, n_batches)
    if workers < 2:
        return None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context())  # workers forked warm
    threading.Thread(target=start_workers, args=(pool,), daemon=True).start()  # warm up while inputs are hashed
    return pool


def produced_ahead(items: Iterator[list[InputFile]]) -> Iterator[list[InputFile]]:
    """The batches of `items`, produced by a thread of their own as fast as it can (an error raised there is raised
    here). Sending the first batch to a local pool waits until the forkserver has loaded the library (~2 s: the
    pool's `submit` starts its workers, forked from the forkserver, under the pool's lock); the inputs are hashed
    during that wait rather than afterwards, when the workers need the processor."""
    produced: queue.SimpleQueue = queue.SimpleQueue()
    done, stop = object(), threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():  # the run has stopped taking batches: hash no further
                    return
                produced.put(item)
        except BaseException as exc:  # (handed to the consumer)
            produced.put(exc)
        produced.put(done)

    threading.Thread(target=produce, daemon=True).start()
    try:
        while (item := produced.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def start_workers(pool: Executor) -> None:
    """Have the pool start a worker (and the forkserver load the library) before any batch is sent."""
    try:
        pool.submit(os.getpid)
    except RuntimeError:  # the pool was shut down first: nothing to warm up
        pass


def map_batches(
    work: Iterable[list[InputFile]],
    executor: Executor | None,
    use_cache: bool = True,
    progress: bool = False,
    parts_dir: Path | None = None,
    n_files: int = 0,
) -> Iterator[dict[str, pd.DataFrame]]:
    """Per-document tables batch by batch, in input order, computed by `executor` (or here when None).

    Each batch is sent as soon as `work` yields it, so the workers start while later files are still hashed;
    `n_files` (the total) sizes the progress bar."""
    fingerprint = pipeline_fingerprint()
    parts = str(parts_dir) if parts_dir else None
    sent: list[list[InputFile]] = []

    def recorded() -> Iterator[list[InputFile]]:
        for batch in work:
            sent.append(batch)
            yield batch

    results: Iterable[dict[str, pd.DataFrame]]
    if executor is None:
        results = (process_batch(b, fingerprint, use_cache, parts, i) for i, b in enumerate(recorded()))
    else:
        results = executor.map(process_batch, recorded(), itertools.repeat(fingerprint), itertools.repeat(use_cache),
                               itertools.repeat(parts), itertools.count())  # fmt: skip
    if progress and n_files > SERIAL_BELOW:
        from tqdm import tqdm

        bar = tqdm(total=n_files, unit="file", file=sys.stderr, desc="tabulate")
        for index, result in enumerate(results):
            bar.update(len(sent[index]))
            yield result
        bar.close()
    else:
        yield from results


def run_batches(
    paths: list[str], executor: Executor | None, use_cache: bool, progress: bool, parts_dir: Path | None = None
) -> Iterator[dict[str, pd.DataFrame]]:
    """Batch the input files and map them, with a local pool unless an executor is given."""
    pool = executor or default_executor(expected_batches(paths))
    try:
        work = content_batches(input_files(paths), n_files=len(paths) if pool is not None else 0)  # (see its doc)
        if pool is not None:  # the files are hashed while sending a batch waits (for the pool's first workers)
            work = produced_ahead(work)
        yield from map_batches(work, pool, use_cache, progress, parts_dir, n_files=len(paths))
    finally:
        if pool is not None and executor is None:  # the workers exit in the background (freeing their memory
            pool.shutdown(wait=False, cancel_futures=True)  # takes a while): every result is in by now


# ---------------------------------------------------------------- corpus-level steps


REPLACED_BY_CORPUS_STEPS = ("articles",)  # per-document tables that corpus_tables returns completed (dup_cluster)


def corpus_tables(tables: dict[str, pd.DataFrame], shingles: clean.ShingleSets | None = None
                  ) -> dict[str, pd.DataFrame]:  # fmt: skip
    """The corpus-level tables computed from the per-document ones (and REPLACED_BY_CORPUS_STEPS completed);
    `shingles`: the articles' shingle sets when the workers computed them."""
    articles = clean.assign_dup_clusters(tables["articles"], shingles)
    return {"articles": articles, **corpus_summary_tables(tables, articles)}


def corpus_summary_tables(tables: dict[str, pd.DataFrame], articles: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The corpus-level tables other than `articles` (which has its dup_cluster column by now)."""
    out = {"claim_variants": reference.claim_variants(tables["claims"], articles)}
    out.update(themes.corpus_summaries(tables, articles))
    return out


# ---------------------------------------------------------------- in memory (notebooks)


def list_inputs(inputs: str | Path | list | None) -> tuple[list[str], list[dict]]:
    """Input files for `inputs` (the bundled data by default) and rejects for what cannot be listed."""
    if inputs is None or isinstance(inputs, (str, Path)):
        inputs = [resolve_corpus(inputs)]
    files, rejects = read.find_input_files([Path(p) for p in inputs])
    return [str(p) for p in files], rejects


def build_tables(
    inputs: str | Path | list | None = None,
    executor: Executor | None = None,
    use_cache: bool = True,
) -> dict[str, pd.DataFrame]:
    """All tables for the corpus at `inputs` (files or folders; the bundled data/raw by default)."""
    require_reference_tables()
    paths, list_rejects = list_inputs(inputs)
    tables = concat_tables(run_batches(paths, executor, use_cache, progress=False))
    tables = tables or dict(empty_document_tables())
    tables["rejects"] = pd.concat(
        [pd.DataFrame(list_rejects, columns=read.REJECT_COLUMNS), tables["rejects"]], ignore_index=True
    )
    tables.update(corpus_tables(tables))
    return dict(sorted(tables.items()))


@functools.cache
def empty_document_tables() -> dict[str, pd.DataFrame]:
    """Every per-document table with its columns and no rows (what a file without pages yields)."""
    tables = {name: table.iloc[0:0] for name, table in pages_tables([read.empty_page()]).items()}
    return tables | {"rejects": pd.DataFrame(columns=read.REJECT_COLUMNS)}


# ---------------------------------------------------------------- writing tables


def neutralise_formulas(table: pa.Table) -> pa.Table:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @ …) get a leading apostrophe."""
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and may_start_formulas(column):
            risky = pc.fill_null(pc.match_substring_regex(column, FORMULA_START), False)
            if pc.any(risky).as_py():  # quoting every cell costs more than finding the few that need it
                quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column, pa.scalar("", column.type))
                column = pc.if_else(risky, quoted, column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def may_start_formulas(column: pa.ChunkedArray) -> bool:
    """Whether a text column holds any of the bytes a formula cell starts with (a quick scan of its character data:
    ids, tags and most words never do, and then no cell needs to be matched)."""
    for chunk in column.chunks:
        data = chunk.buffers()[2]
        if data is not None:
            text = data.to_pybytes()
            if any(byte in text for byte in FORMULA_FIRST_BYTES):  # (each a memchr over the bytes)
                return True
    return False


def to_arrow(table: pd.DataFrame) -> pa.Table:
    """A DataFrame as an Arrow table: text columns as strings, all-missing columns typed as strings.

    Column by column (pandas' Arrow-backed text columns convert without a copy): cheaper than
    `pa.Table.from_pandas`, which also builds pandas metadata, for a batch's many small tables."""
    names, arrays = [], []
    for name, column in table.items():
        if column.dtype == object:
            array = object_column_to_arrow(column)
        else:  # (from the column's own array: converting the Series costs several times more, the same result)
            values = column.array if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) else column.to_numpy()
            array = pa.array(values, from_pandas=True)
        arrays.append(array.cast(pa.string()) if pa.types.is_null(array.type) else array)
        names.append(str(name))
    return pa.Table.from_arrays(arrays, names=names)


def object_column_to_arrow(column: pd.Series) -> pa.Array:
    """A column of Python objects as Arrow: strings as they are, anything else (when mixed with text) as text."""
    if pd.api.types.infer_dtype(column, skipna=True) not in {"string", "empty"}:
        column = column.map(lambda v: v if v is None or isinstance(v, str) else str(v))  # mixed: as text
    return pa.array(column, from_pandas=True)


def csv_bytes(table: pa.Table, header: bool = True) -> bytes:
    """An Arrow table as CSV bytes (formulas neutralised, strings quoted where needed)."""
    buffer = io.BytesIO()
    options = pa_csv.WriteOptions(include_header=header, quoting_style="needed")
    pa_csv.write_csv(neutralise_formulas(table), buffer, write_options=options)
    return buffer.getvalue()


def table_to_csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with a byte-order mark, so that Excel shows the Chinese."""
    return b"\xef\xbb\xbf" + csv_bytes(to_arrow(table))


def table_to_parquet_bytes(table: pd.DataFrame) -> bytes:
    """A table as Parquet bytes."""
    buffer = io.BytesIO()
    pq.write_table(to_arrow(table), buffer)
    return buffer.getvalue()


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as `<name>.csv` and `<name>.parquet` (PARQUET_ONLY_TABLES: Parquet) in `out_dir`, atomically."""
    out_dir = Path(out_dir)
    written = []
    for name, table in sorted(tables.items()):
        if name not in PARQUET_ONLY_TABLES:
            written.append(write_bytes_atomic(out_dir / f"{name}.csv", table_to_csv_bytes(table)))
        written.append(write_bytes_atomic(out_dir / f"{name}.parquet", table_to_parquet_bytes(table)))
    return written


def write_parts(tables: dict[str, pd.DataFrame], parts_dir: Path, index: int) -> dict[str, pd.DataFrame]:
    """Write the batch's tables as part files `<name>.<index>.arrow` (STREAMED_TABLES with a CSV also `.csv`); return
    the rest (the rejects, which the main process reports as they come).

    Arrow IPC files are cheap to write and are read back memory-mapped (no copy, unlike results sent back through
    a pipe); the Parquet encoding happens once, in `PartJoiner`, over large row groups."""
    rest = {}
    for name, table in tables.items():
        if name in RETURNED_TABLES:
            rest[name] = table
            continue
        if not len(table):  # (a batch without rows for a table has no part of it)
            continue
        arrow = to_arrow(table)
        pa_feather.write_feather(arrow, part_path(parts_dir, name, index), compression="uncompressed")
        if name in STREAMED_TABLES and name not in PARQUET_ONLY_TABLES:
            part_path(parts_dir, name, index, ".csv").write_bytes(csv_bytes(arrow, header=False))
    return rest


class PartCollector:
    """Reads each batch's parts of the tables that stay in memory (memory-mapped, no copy) and its articles' shingle
    sets as the batch finishes, so that only joining them is left once the workers are done."""

    def __init__(self, parts_dir: Path, names: Iterable[str]) -> None:
        self.parts_dir = parts_dir
        self.parts: dict[str, list[pa.Table]] = {name: [] for name in names}
        self.shingles: list[clean.ShingleSets] = []
        self.first_rows: list[int] = []  # each batch's first row in the joined articles table
        self.rows = 0

    def add(self, index: int) -> None:
        """Read batch `index`'s parts (a batch without rows for a table has no part of it)."""
        for name, parts in self.parts.items():
            path = part_path(self.parts_dir, name, index)
            if path.exists():
                parts.append(pa_feather.read_table(path, memory_map=True))
        n_articles, shingles = pickle.loads(part_path(self.parts_dir, "shingles", index, ".pkl").read_bytes())
        self.shingles.append(shingles)
        self.first_rows.append(self.rows)
        self.rows += n_articles

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each table joined in batch order (its empty form when no batch had rows)."""
        return {name: pa.concat_tables(parts, promote_options="permissive").to_pandas() if parts
                else empty_document_tables()[name] for name, parts in self.parts.items()}

    def shingle_sets(self) -> clean.ShingleSets:
        """The articles' shingle sets joined in batch order (rows of the joined articles table)."""
        return clean.join_shingle_sets(self.shingles, self.first_rows)


class PartJoiner:
    """Joins one table's part files (JOINED_TABLES), batch by batch in order, into `<name>.csv` (unless
    PARQUET_ONLY_TABLES has it) and `<name>.parquet`.

    `tabulate` adds each batch as it finishes, so the joining overlaps the workers; Parquet row groups hold about
    `rows` rows (memory bounded by `rows`). A table without any part is written empty (`empty`, by default the
    table's columns with no rows)."""

    def __init__(self, parts_dir: Path, name: str, out_dir: Path, empty: pd.DataFrame | None = None,
                 rows: int = ROW_GROUP_ROWS) -> None:  # fmt: skip
        self.parts_dir, self.name, self.out_dir, self.empty, self.rows = parts_dir, name, out_dir, empty, rows
        self.targets = [out_dir / f"{name}.parquet"]
        if name not in PARQUET_ONLY_TABLES:
            self.targets.append(out_dir / f"{name}.csv")
        self.schema: pa.Schema | None = None
        self.csv: io.BufferedWriter | None = None
        self.parquet: pq.ParquetWriter | None = None
        self.pending: list[pa.Table] = []
        self.pending_rows = 0

    def add(self, index: int) -> None:
        """Append batch `index`'s part (a batch without rows for this table has none)."""
        part = part_path(self.parts_dir, self.name, index)
        if not part.exists():
            return
        table = pa_feather.read_table(part, memory_map=True)
        if self.schema is None:  # the first part fixes the columns and their types
            self.schema = table.schema.remove_metadata()
            statistics = [name for name in self.schema.names if name in STATISTICS_COLUMNS]
            self.parquet = pq.ParquetWriter(self.targets[0], self.schema, write_statistics=statistics)
            if self.name not in PARQUET_ONLY_TABLES:
                self.csv = open(self.targets[1], "wb")  # closed in `close`
                self.csv.write(b"\xef\xbb\xbf" + csv_bytes(self.schema.empty_table(), header=True))
        if self.csv:
            self.csv.write(part_path(self.parts_dir, self.name, index, ".csv").read_bytes())
        self.pending.append(table.select(self.schema.names).cast(self.schema))
        self.pending_rows += table.num_rows
        if self.pending_rows >= self.rows:
            self.write_row_group()

    def write_row_group(self) -> None:
        """Write the pending parts as one Parquet row group."""
        group = pa.concat_tables(self.pending)
        self.parquet.write_table(group, row_group_size=len(group))
        self.pending, self.pending_rows = [], 0

    def close(self) -> list[Path]:
        """Finish the files (or write the empty table when no part came); return their paths."""
        if self.schema is None:
            empty = empty_document_tables()[self.name] if self.empty is None else self.empty
            return write_tables({self.name: empty}, self.out_dir)
        if self.pending:
            self.write_row_group()
        if self.csv:
            self.csv.close()
        self.parquet.close()
        return self.targets


# ---------------------------------------------------------------- tabulate (streaming, on disk)


@dataclass
class TabulateSummary:
    """What a `tabulate` run did."""

    files: int
    articles: int
    rejected: int
    removed_lines: int
    seconds: float
    up_to_date: bool = False
    rejects: pd.DataFrame | None = None


def fresh_staging_dir(out_dir: Path) -> Path:
    """An empty folder inside `out_dir` where a run writes before moving its files into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = out_dir / f".staging-{os.getpid()}"
    staging.mkdir()
    return staging


def move_into_place(staging: Path, out_dir: Path) -> list[Path]:
    """Move every finished file from `staging` into `out_dir` (each by an atomic rename)."""
    moved = []
    for path in sorted(staging.iterdir()):
        if not path.name.startswith("."):
            os.replace(path, out_dir / path.name)
            moved.append(out_dir / path.name)
    for leftover in staging.iterdir():
        leftover.unlink()
    staging.rmdir()
    return moved


def tabulate(
    inputs: list | str | Path | None,
    out_dir: str | Path,
    executor: Executor | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> TabulateSummary:
    """Read the corpus, write every table into `out_dir` (large ones streamed), and summarise the run."""
    started = time.perf_counter()
    require_reference_tables()
    out_dir = Path(out_dir)
    paths, list_rejects = list_inputs(inputs if inputs else None)
    fingerprint = corpus_fingerprint(paths)
    manifest = current_manifest(paths, out_dir, fingerprint) if use_cache else None
    if manifest:
        return TabulateSummary(len(paths), manifest["articles"], manifest["rejected"], manifest["removed_lines"],
                               time.perf_counter() - started, up_to_date=True)
    staging = fresh_staging_dir(out_dir)
    parts_dir = staging / ".parts"
    parts_dir.mkdir()
    kept: list[dict[str, pd.DataFrame]] = []
    joiners = [PartJoiner(parts_dir, name, staging) for name in JOINED_TABLES]
    collector = PartCollector(parts_dir, [name for name in DOCUMENT_TABLES if name not in STREAMED_TABLES])
    # What the corpus-level steps need is loaded now, in a thread: with a local pool, this process mostly waits for
    # the forkserver to load the library (~2 s) before the workers start, and the load fills that wait
    threading.Thread(target=themes.prepare_corpus_summaries, daemon=True).start()
    for index, result in enumerate(run_batches(paths, executor, use_cache, progress, parts_dir)):
        kept.append(result)
        for joiner in joiners:  # JOINED_TABLES written, the others read, while the workers go on
            joiner.add(index)
        collector.add(index)
    tables = concat_tables(kept) if kept else {"rejects": empty_document_tables()["rejects"]}
    tables.update(collector.tables())
    tables["rejects"] = pd.concat(
        [pd.DataFrame(list_rejects, columns=read.REJECT_COLUMNS), tables["rejects"]], ignore_index=True
    )
    for row in tables["rejects"].itertuples():
        print(f"warning: rejected {row.path}: {row.error}", file=sys.stderr)
    # The workers wrote every table in parts; JOINED_TABLES are already mostly joined into their files. Threads
    # finish those and write the other per-document tables (pyarrow, mostly outside the GIL) while this one runs
    # the corpus-level steps.
    finished = {name: table for name, table in tables.items()
                if name not in REPLACED_BY_CORPUS_STEPS and name not in JOINED_TABLES}
    with ThreadPoolExecutor(max_workers=WRITER_THREADS) as writer:
        writing = [writer.submit(joiner.close) for joiner in joiners]
        writing += [writer.submit(write_tables, {name: table}, staging) for name, table in finished.items()]
        articles = clean.assign_dup_clusters(tables["articles"], collector.shingle_sets())  # as corpus_tables does
        writing.append(writer.submit(write_tables, {"articles": articles}, staging))  # (the largest table: early)
        corpus_level = {"articles": articles, **corpus_summary_tables(tables, articles)}
        writing += [writer.submit(write_tables, {name: table}, staging) for name, table in corpus_level.items()
                    if name != "articles"]
        for job in writing:
            job.result()
    tables.update(corpus_level)
    shutil.rmtree(parts_dir)
    written = move_into_place(staging, out_dir)
    summary = TabulateSummary(len(paths), len(tables["articles"]), len(tables["rejects"]), len(tables["removed"]),
                              time.perf_counter() - started, rejects=tables["rejects"])
    manifest = {"fingerprint": fingerprint, "files": sorted(p.name for p in written), "articles": summary.articles,
                "rejected": summary.rejected, "removed_lines": summary.removed_lines}
    write_text_atomic(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return summary
