"""What the atlas's caches under `.cache/atlas/` (images: maps/cache.py, pages: site/pagecache.py)
share: the hash of the code their entries depend on, how long an entry no build uses is kept, and
its removal. Each cache touches an entry (its modification time) when a build uses it."""
from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import time
from pathlib import Path
from typing import Iterable

KEEP_DAYS = 14  # an entry not used by any build for this long is removed
PACKAGE = Path(__file__).resolve().parent  # scripts/atlas/


def code_version(files: Iterable[Path], libraries: Iterable[str]) -> str:
    """Hash of these files of the package (names and bytes) and of the libraries' versions:
    an entry made by other code is never reused."""
    h = hashlib.sha256()
    for path in files:
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    for lib in libraries:
        try:
            h.update(f"{lib}={importlib.metadata.version(lib)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(lib.encode())
    return h.hexdigest()


def prune(entries: Iterable[Path], keep_days: int = KEEP_DAYS) -> int:
    """Remove the entries (files or folders) untouched for `keep_days`; returns how many."""
    limit = time.time() - keep_days * 86400
    removed = 0
    for entry in entries:
        try:
            if entry.stat().st_mtime >= limit:
                continue
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:  # removed meanwhile by a concurrent build, or not ours to remove
            continue
    return removed
