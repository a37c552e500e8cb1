"""Worker processes: one policy for the whole build (the checker and the image drawing use it).

How many: the cores this process may use, at most 8. How they start: fork is fastest, but forking
a process that runs other threads (`mkdocs serve`) is unsafe; then a clean forkserver (or spawn).
"""
from __future__ import annotations

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
