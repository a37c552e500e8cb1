"""What the atlas's caches under `.cache/atlas/` (images: maps/cache.py, pages: site/pagecache.py)
share: the hash of the code their entries depend on, how long an entry no build uses is kept, and
its removal. Each cache touches an entry (its modification time) when a build uses it.

An entry is trusted only as the build wrote it: sealed with its length and hash (a truncated or
altered file is dropped, then made again), read without following a symbolic link anywhere under
the cache folder (a link planted there could publish any file of the machine), and each cache
checks that what it reads is what it stores (a whole page, a PNG, an SVG without script)."""
from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import os
import shutil
import stat
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


_SEAL = b"atlas-cache 1 "  # then « <length> <sha256>\n » and the bytes
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def seal(data: bytes) -> bytes:
    return _SEAL + f"{len(data)} {hashlib.sha256(data).hexdigest()}\n".encode() + data


def unseal(raw: bytes) -> bytes | None:
    """The bytes a sealed entry holds, or None if it is not exactly what was written."""
    if not raw.startswith(_SEAL):
        return None
    header, _, data = raw[len(_SEAL):].partition(b"\n")
    try:
        length, digest = header.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        return None
    if not length.isdigit() or int(length) != len(data) or hashlib.sha256(data).hexdigest() != digest:
        return None
    return data


def read_sealed(root: Path, relative: str) -> bytes | None:
    """The entry `root/relative`, opened component by component without following any link (the
    folders on the way included), unsealed; None when missing, linked, damaged or not a file."""
    parts = relative.split("/")
    fds = []
    try:
        fds.append(os.open(root, os.O_RDONLY | _DIRECTORY | _NOFOLLOW))
        for folder in parts[:-1]:
            fds.append(os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fds[-1]))
        fd = os.open(parts[-1], os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=fds[-1])
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None
            raw = f.read()
            os.utime(f.fileno())  # used: kept by the pruning
    except OSError:
        return None
    finally:
        for fd in fds:
            os.close(fd)
    return unseal(raw)


def write_sealed(root: Path, relative: str, data: bytes) -> bool:
    """Store `data` sealed at `root/relative` (temporary file, then renamed: a concurrent build never
    sees half an entry). Nothing is written through a link; a full disk only loses the shortcut."""
    path = Path(root) / relative
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for here in [Path(root)] + [Path(root) / p for p in reversed(Path(relative).parents[:-1])]:
            if here.is_symlink():
                raise OSError(errno.ELOOP, "lien symbolique dans le cache")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(seal(data))
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
