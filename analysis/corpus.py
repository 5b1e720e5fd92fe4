"""Running the per-document steps over a corpus and writing the resulting tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .outputs import write_bytes_atomic
from .paths import resolve_corpus
from .read import read_pages


def build_tables(inputs: str | Path | list | None = None) -> dict[str, pd.DataFrame]:
    """All tables for the corpus at `inputs` (files or folders; the bundled data by default)."""
    if inputs is None or isinstance(inputs, (str, Path)):
        inputs = [resolve_corpus(inputs)]
    pages = read_pages([Path(p) for p in inputs])
    articles = pages.rename(columns={"text": "body"})
    return {"articles": articles}


def table_to_csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with a byte-order mark, so that Excel shows the Chinese."""
    return table.to_csv(index=False).encode("utf-8-sig")


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write every table as `<name>.csv` and `<name>.parquet` in `out_dir`, atomically."""
    import io

    out_dir = Path(out_dir)
    written = []
    for name, table in sorted(tables.items()):
        written.append(write_bytes_atomic(out_dir / f"{name}.csv", table_to_csv_bytes(table)))
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        written.append(write_bytes_atomic(out_dir / f"{name}.parquet", buffer.getvalue()))
    return written
