"""Countries: ISO codes (pycountry), French names (Babel), shapes (the shipped GeoJSON)."""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from pathlib import Path

import pycountry

from atlas import fr

SHAPES = Path(__file__).parents[1] / "data" / "pays.geojson"


def fold(text: str) -> str:
    """Lower-case, accent-free form used to compare names ("Sénégal" == "senegal")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def is_valid(code: str) -> bool:
    return code in fr.country_names()


name_fr = fr.country_name


def all_codes() -> list[str]:
    return sorted(fr.country_names())


VARIANTS = Path(__file__).parents[1] / "data" / "noms-de-pays.yml"


@functools.cache
def variants() -> dict[str, str]:
    """Usual names Babel does not give (« Angleterre », « Corée du Sud »), folded → code: a short
    list reviewed by hand, kept in data/noms-de-pays.yml."""
    import yaml

    return {fold(name): code for name, code in yaml.safe_load(VARIANTS.read_text(encoding="utf-8")).items()}


@functools.cache
def _names_index() -> dict[str, str]:
    index: dict[str, str] = dict(variants())
    for code, name in fr.country_names().items():
        index[fold(name)] = code
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if hasattr(c, attr):
                index.setdefault(fold(getattr(c, attr)), c.alpha_2)
    return index


def exact_code(text: str) -> str | None:
    """The code of a country written with one of its names (French, English, usual variants) or
    its three-letter code (« DEU »), exactly, accents and case aside; None otherwise."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    if re.fullmatch(r"[A-Z]{3}", text.strip()):
        found = pycountry.countries.get(alpha_3=text.strip())
        return found.alpha_2 if found and is_valid(found.alpha_2) else None
    return _names_index().get(fold(text))


def guess_code(text: str) -> str | None:
    """The ISO code a contributor probably meant by a country name or a lower-case code."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _guess(text[:100])  # no country name is longer: a pasted paragraph costs nothing more


@functools.lru_cache(maxsize=4096)
def _guess(text: str) -> str | None:
    if text.upper() != text and is_valid(text.upper()) and len(text) == 2:
        return text.upper()
    index = _names_index()
    key = fold(text)
    if key in index:
        return index[key]
    close = difflib.get_close_matches(key, list(index), n=1, cutoff=0.8)
    if close:
        return index[close[0]]
    # Partial and official forms (« Palestine » → « palestine, state of », « Burkina » → « burkina faso »):
    # a whole-word match in the names already folded, not pycountry's fuzzy search (40 ms a call,
    # which let a pasted list of 1,000 words take a minute in the form's converter and the checker).
    if len(key) >= 4:
        word = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)")
        found = {code for name, code in index.items() if word.search(name)}
        if len(found) == 1:
            return found.pop()
    return None


@functools.cache
def shapes():
    """GeoDataFrame of country shapes indexed by ISO code (loaded once)."""
    import geopandas as gpd

    return gpd.read_file(SHAPES).set_index("iso")


@functools.cache
def _prepared() -> dict:
    """Shapes by code, prepared for fast point tests (checking thousands of points). Read with shapely
    alone: `atlas check` need not import geopandas and pandas (a third of a second)."""
    import json

    import shapely
    from shapely.geometry import shape

    features = json.loads(SHAPES.read_text(encoding="utf-8"))["features"]
    geoms = {f["properties"]["iso"]: shape(f["geometry"]) for f in features}
    for g in geoms.values():
        shapely.prepare(g)
    return geoms


def distance_km(code: str, lat: float, lon: float) -> float | None:
    """Rough distance from a point to a country's shape, 0 inside; None if no shape."""
    import shapely

    geom = _prepared().get(code)
    if geom is None:
        return None
    point = shapely.Point(lon, lat)
    if geom.contains(point):
        return 0.0
    return geom.distance(point) * 111.0  # degrees to km: rough, but only used against a coarse tolerance


@functools.cache
def centroid(code: str) -> tuple[float, float] | None:
    """(lat, lon) of a point inside the country (used when the partner town is unknown)."""
    table = shapes()
    if code not in table.index:
        return None
    p = table.geometry.loc[code].representative_point()
    return (round(p.y, 2), round(p.x, 2))
