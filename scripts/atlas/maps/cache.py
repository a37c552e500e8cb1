"""The images' cache: a map whose drawing instructions did not change is not drawn again.

Keyed by content: the hash of the map's Spec (plain data: its points, lines, texts, colours) and
of the drawing code and libraries that turn it into pixels. Kept under `.cache/atlas/images/`
(as Material's own plugins cache under `.cache/`), one folder per key; a pull request that changes
one collectivité redraws only the maps that show it. CI keeps the folder between runs (Actions
cache, see publier.yml and verifier.yml). Entries unused for a while are removed.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import shutil
from pathlib import Path

from atlas import caches
from atlas.caches import KEEP_DAYS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILES = {"png": "carte.png", "svg": "carte.svg"}


# What draws the pixels and writes the texts of an image: the drawing code and what it reads from
# the rest of the package (the legends' labels, the country shapes). atlas/workers.py only runs it.
CODE_FILES = ("maps/images.py", "maps/style.py", "maps/cache.py", "content/model.py", "content/countries.py",
              "data/pays.geojson")


@functools.cache
def _code_version() -> str:
    return caches.code_version([caches.PACKAGE / name for name in CODE_FILES], ("matplotlib", "pillow", "numpy", "shapely"))


def key(spec) -> str:
    # The Spec's repr: plain data (strings, numbers, tuples, lists) in its fields' fixed order,
    # a few times quicker than dataclasses.asdict + json for the 5,000 maps of a national build.
    # (`values`, iso → colour, sorted: a dict's order must not change the key.)
    if spec.values:
        spec = dataclasses.replace(spec, values=dict(sorted(spec.values.items())))
    return hashlib.sha256((_code_version() + repr(spec)).encode("utf-8")).hexdigest()


class ImageCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.hits = self.drawn = 0  # this build's maps taken from the cache, drawn and stored
        self._keys: dict[int, str] = {}

    def key(self, spec) -> str:
        k = self._keys.get(id(spec))
        if k is None:
            k = self._keys[id(spec)] = key(spec)
        return k

    def _dir(self, k: str) -> Path:
        return self.folder / k[:2] / k

    def has(self, spec) -> bool:
        entry = self._dir(self.key(spec))
        return (entry / FILES["png"]).is_file() and (not spec.svg or (entry / FILES["svg"]).is_file())

    def get(self, spec) -> dict | None:
        """The cached result, or None (missing, unreadable or not a PNG: drawn again)."""
        out = self.read(spec)
        if out is not None:
            self.hits += 1
        return out

    def read(self, spec) -> dict | None:
        entry = self._dir(self.key(spec))
        try:
            out = {"png": (entry / FILES["png"]).read_bytes()}
            if spec.svg:
                out["svg"] = (entry / FILES["svg"]).read_bytes()
            os.utime(entry)  # used: kept by the pruning
        except OSError:
            return None
        if not out["png"].startswith(PNG_SIGNATURE):
            return None
        out["ms"] = 0.0
        return out

    def put(self, spec, result: dict) -> None:
        """Written to a temporary folder, then renamed: a build reading the same key never sees half an entry."""
        self.drawn += 1
        entry = self._dir(self.key(spec))
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            for name, filename in FILES.items():
                if result.get(name):
                    (tmp / filename).write_bytes(result[name])
            if entry.exists():  # a damaged entry (or one a concurrent build just wrote): replaced
                shutil.rmtree(entry, ignore_errors=True)
            os.replace(tmp, entry)
        except OSError:  # a full disk or a concurrent build: the cache is only a shortcut
            for f in tmp.glob("*"):
                f.unlink(missing_ok=True)
            try:
                tmp.rmdir()
            except OSError:
                pass

    def prune(self, keep_days: int = KEEP_DAYS) -> int:
        """Remove the entries no build has used for `keep_days`; returns how many."""
        return caches.prune(self.folder.glob("*/*"), keep_days)
