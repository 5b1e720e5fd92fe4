"""The local worker processes: forked warm from a forkserver that has loaded the library (`worker_preload`).

The forkserver loads the library in the background; the command line starts it before importing the library
itself when a pool looks needed (more than one batch of inputs, outputs older than them), so that the two load
side by side on two cores.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path

PRELOAD = ["analysis.worker_preload"]  # modules the forkserver imports before it forks any worker
# Batches are the unit of work and of caching. Each costs a fixed ~45 ms (tables, part files) on top of its
# files, so they hold many short pages; long pages end a batch early (MAX_BATCH_BYTES) to keep work balanced.
BATCH_FILES = 256  # typical files per batch (content-defined cuts): at least a quarter, at most 4 times this
MAX_BATCH_BYTES = 8_000_000  # a batch ends once its files hold this many bytes


def worker_context() -> BaseContext:
    """The forkserver start method, its server preloading the library (no fork of a process that may hold threads)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_forkserver() -> None:
    """Start the forkserver now; it preloads the library in the background while this process goes on."""
    worker_context()
    forkserver.ensure_running()


def more_than_one_batch(inputs: list[Path]) -> bool:
    """Whether the files under `inputs` (files or folders) exceed one batch; stops counting as soon as they do."""
    files = size = 0
    for entry_size, _ in input_file_stats(inputs):
        files, size = files + 1, size + entry_size
        if files > BATCH_FILES or size > MAX_BATCH_BYTES:
            return True
    return False


def outputs_look_current(inputs: list[Path], out_dir: Path) -> bool:
    """Whether `out_dir`'s manifest is newer than every input file: then `tabulate` most likely has nothing to
    redo (it checks for sure, by content) and needs no workers."""
    try:
        written = os.stat(out_dir / "manifest.json").st_mtime_ns
    except OSError:
        return False
    return all(modified < written for _, modified in input_file_stats(inputs))


def needs_workers(inputs: list[Path], out_dir: Path) -> bool:
    """Whether a `tabulate` of `inputs` into `out_dir` will most likely run a pool of workers."""
    return more_than_one_batch(inputs) and not outputs_look_current(inputs, out_dir)


def input_file_stats(inputs: list[Path]) -> Iterator[tuple[int, int]]:
    """(size, modification time in ns) of every file under `inputs` (files or folders); unreadable ones skipped."""
    pending = [str(path) for path in inputs]
    while pending:
        path = pending.pop()
        try:
            if os.path.isdir(path):
                with os.scandir(path) as entries:
                    pending.extend(entry.path for entry in entries)
                continue
            stat = os.stat(path)
        except OSError:
            continue
        yield stat.st_size, stat.st_mtime_ns
