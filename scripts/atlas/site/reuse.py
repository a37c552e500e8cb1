"""Write only what changed: the previous complete site's files reused, by hard link.

Each `atlas build` (and each rebuild of `atlas serve`) records, for every file it puts in the site
whose inputs it can name — a generated page (the page cache's final key), a map's data, an export
(a hash of the bytes), a map image (the image cache's key) — that key and the identity of the file
it left (inode, size, modification time): the manifest, under the cache folder, one per site folder.

The next build still builds into an empty staging folder that is swapped in whole: a file whose key
is unchanged and whose previous copy is intact (same inode, size and time: nobody edited, replaced
or removed it) is neither rendered nor written; it is hard-linked from the previous site into the
staging folder once MkDocs has written the rest (copied where the filesystem refuses links). The
old site is never written into, so a killed build still leaves it whole, and a file that is not
in the new build (a removed or renamed collectivité) is simply not linked.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

from atlas import caches

FOLDER = "sites"  # under the cache folder: one manifest per site folder
VERSION = 1


@functools.cache
def _version() -> str:
    """A kept file is not checked again for third-party hosts: a change of that check (or of this
    module) makes every manifest foreign, and every file is written and checked anew."""
    return f"{VERSION}:" + caches.code_version([caches.PACKAGE / "site/privacy.py", caches.PACKAGE / "site/reuse.py"], ())


def digest(data: bytes | str) -> str:
    """The key of a file known by its bytes."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _manifest_name(site: Path) -> str:
    return hashlib.sha256(os.fsencode(os.path.abspath(site))).hexdigest()[:24] + ".json"


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_ino, st.st_size, st.st_mtime_ns]


class Previous:
    """The previous complete site and what each of its keyed files was made from."""

    def __init__(self, folder: Path | None = None, entries: dict | None = None):
        self.folder, self.entries = folder, entries or {}

    @classmethod
    def read(cls, cache_dir: Path, site: Path) -> "Previous":
        """The manifest of `site`; an empty one when missing, damaged, linked or written by another version."""
        data = caches.read_sealed(Path(cache_dir) / FOLDER, _manifest_name(site))
        try:
            raw = json.loads(data) if data is not None else None
        except ValueError:
            return cls()
        if not (isinstance(raw, dict) and raw.get("version") == _version() and isinstance(raw.get("files"), dict)):
            return cls()
        return cls(Path(site), raw["files"])

    def unchanged(self, uri: str, key: str) -> bool:
        """The previous site holds `uri` as this build would write it: same key, file intact."""
        entry = self.entries.get(uri)
        if self.folder is None or not key or not isinstance(entry, list) or len(entry) != 4 or entry[0] != key:
            return False
        try:
            st = os.lstat(self.folder / uri)
        except (OSError, ValueError):
            return False
        return stat.S_ISREG(st.st_mode) and _identity(st) == entry[1:]


class Ledger:
    """This build's keyed outputs: which are written, which are taken from the previous site."""

    def __init__(self, previous: Previous | None = None):
        self.previous = previous or Previous()
        self.keys: dict[str, str] = {}  # site-relative path → key, for every keyed output of this build
        self.kept: set[str] = set()  # those the previous site already holds, linked at the end

    def keep(self, uri: str, key: str) -> bool:
        """Record an output of this build; True when the previous site's copy is reused as it is."""
        if not key:
            return False
        self.keys[uri] = key
        if self.previous.unchanged(uri, key):
            self.kept.add(uri)
            return True
        self.kept.discard(uri)
        return False

    def link_kept(self, site_dir: Path) -> int:
        """Link each kept file from the previous site into `site_dir` (which MkDocs has written);
        returns how many. Where the previous site is `site_dir` itself, there is nothing to do."""
        source = self.previous.folder
        if source is None or os.path.abspath(source) == os.path.abspath(site_dir):
            return 0
        for uri in sorted(self.kept):
            target = Path(site_dir) / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source / uri, target)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                shutil.copy2(source / uri, target)  # another filesystem, or links refused: a copy
        return len(self.kept)

    def save(self, cache_dir: Path, site: Path, site_dir: Path) -> None:
        """Write the manifest of `site` (the folder the site will be published in) from the files
        now in `site_dir` (the same folder, or the staging folder swapped in as a whole: inodes,
        sizes and times stay). A failure only costs the next build its shortcut."""
        files = {}
        for uri, key in self.keys.items():
            try:
                st = os.lstat(Path(site_dir) / uri)
            except OSError:
                continue
            files[uri] = [key, *_identity(st)]
        # sealed and renamed into place as every cache entry (caches.py): a failure only costs the shortcut
        caches.write_sealed(Path(cache_dir) / FOLDER, _manifest_name(site),
                            json.dumps({"version": _version(), "files": files}, separators=(",", ":")).encode())
