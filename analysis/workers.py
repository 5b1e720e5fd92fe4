"""The local worker processes: forked warm from a forkserver that has loaded the library (`worker_preload`).

The forkserver loads the library in the background; the command line starts it before importing the library
itself when a pool looks needed (more than one batch of inputs whose outputs are not up to date), so that the
two load side by side on two cores.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path

from .fingerprint import input_file_stats

PRELOAD = ["analysis.worker_preload"]  # modules the forkserver imports before it forks any worker
# Batches are the unit of work and of caching. Each costs a fixed ~40 ms (tables, part files) on top of its
# files, so they hold many short pages; long pages end a batch early (MAX_BATCH_BYTES) to keep work balanced, and
# the last ones are smaller (see `corpus.content_batches`).
BATCH_FILES = 512  # typical files per batch (content-defined cuts): at least a quarter, at most 4 times this
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
