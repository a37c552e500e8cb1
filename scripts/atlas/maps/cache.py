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
import io
import os
import stat
from pathlib import Path
from xml.etree import ElementTree

from atlas import caches
from atlas.caches import KEEP_DAYS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILES = {"png": "carte.png", "svg": "carte.svg"}
# What an SVG drawn by the atlas never holds: anything that runs, embeds or fetches.
# (matplotlib's own <use xlink:href="#marker"> stays: every href must point inside the drawing.)
_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "image", "animate", "set", "handler"}


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def valid_png(data: bytes) -> bool:
    """A PNG that Pillow reads to the end (signature, chunks and their checksums)."""
    if not data.startswith(PNG_SIGNATURE):
        return False
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except Exception:  # Pillow raises many kinds for a damaged file: all mean « draw it again »
        return False


def valid_svg(data: bytes) -> bool:
    """Well-formed XML whose root is <svg>, with no script, event handler, embedded document or
    outside reference: the drawing of a map, nothing else."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return False
    if not root.tag.endswith("svg"):
        return False
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1].lower() in _SVG_FORBIDDEN_TAGS:
            return False
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")) or "url(" in value and "url(#" not in value:
                return False
    return True


VALID = {"png": valid_png, "svg": valid_svg}


# What draws the pixels and writes the texts of an image: the drawing code and what it reads from
# the rest of the package (the legends' labels, the country shapes). atlas/workers.py only runs it.
CODE_FILES = ("maps/images.py", "maps/style.py", "maps/cache.py", "maps/records.py", "content/countries.py", "fr.py",
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
        k = self.key(spec)
        return all(_regular(self._dir(k) / FILES[kind]) for kind in ("png", "svg") if kind == "png" or spec.svg)

    def get(self, spec) -> dict | None:
        """The cached result, or None (missing, unreadable, damaged or not what it should be: drawn again)."""
        out = self.read(spec)
        if out is not None:
            self.hits += 1
        return out

    def read(self, spec) -> dict | None:
        k = self.key(spec)
        out = {}
        for kind in ("png", "svg") if spec.svg else ("png",):
            data = caches.read_sealed(self.folder, f"{k[:2]}/{k}/{FILES[kind]}")
            if data is None or not VALID[kind](data):
                return None
            out[kind] = data
        try:
            os.utime(self._dir(k))  # used: the pruning goes by the entry's folder
        except OSError:
            pass
        out["ms"] = 0.0
        return out

    def put(self, spec, result: dict) -> None:
        """Each file sealed and renamed into place: a build reading the same key never sees half an entry;
        a full disk or a concurrent build only loses the shortcut."""
        self.drawn += 1
        k = self.key(spec)
        for kind, filename in FILES.items():
            if result.get(kind):
                caches.write_sealed(self.folder, f"{k[:2]}/{k}/{filename}", result[kind])

    def prune(self, keep_days: int = KEEP_DAYS) -> int:
        """Remove the entries no build has used for `keep_days`; returns how many."""
        return caches.prune(self.folder.glob("*/*"), keep_days)
