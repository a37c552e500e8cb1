"""Worker processes: one policy for the whole build (the checker and the image drawing use it).

How many: the cores this process may use, at most 8. How they start: fork is fastest, but forking
a process that runs other threads (`mkdocs serve`) is unsafe; then a clean forkserver (or spawn).
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading

MAX_WORKERS = 8


def count() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_WORKERS))


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def context():
    """The multiprocessing context to start workers with."""
    if can_fork():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextlib.contextmanager
def forking():
    """Around the start of forked workers: the objects the parent already holds are frozen out of
    the garbage collector, so that a collection in a worker never writes to their pages, which
    then stay shared with the parent instead of being copied into each worker (Python's gc docs)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
