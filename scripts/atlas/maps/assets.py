"""Self-hosted map assets: Leaflet (from django-js-lib-leaflet), the atlas's map script and style,
and the country outlines as a script, at world scale, that the map script loads only when a map
draws countries (the world map; a map whose tiles fail or that the reader shows without them).

No map page loads anything from a third-party host except the map tiles.
"""
from __future__ import annotations

import functools
import importlib.resources
import json

from atlas import urls
from atlas.content.countries import SHAPES

LEAFLET_DIR = "assets/vendor/leaflet"
ATLAS_DIR = "assets/atlas"
# What every map page loads, relative to the site root (maps.py prefixes "../").
LEAFLET_JS = f"{LEAFLET_DIR}/leaflet.js"
LEAFLET_CSS = f"{LEAFLET_DIR}/leaflet.css"
MAP_JS = f"{ATLAS_DIR}/carte.js"
MAP_CSS = f"{ATLAS_DIR}/carte.css"
SHAPES_JS = f"{ATLAS_DIR}/pays.js"

Emit = urls.Emit


def leaflet_files() -> dict[str, bytes]:
    """Leaflet's distributed files (js, css, source map, images), keyed by their published path."""
    root = importlib.resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    out = {}
    for name in ("leaflet.js", "leaflet.js.map", "leaflet.css"):
        out[f"{LEAFLET_DIR}/{name}"] = (root / name).read_bytes()
    for image in sorted((root / "images").iterdir(), key=lambda p: p.name):
        if image.name.endswith(".png"):
            out[f"{LEAFLET_DIR}/images/{image.name}"] = image.read_bytes()
    return out


# The outlines as the maps show them: the world map at zoom 1 to 3 (one screen pixel is 0.09 to 0.7
# degree, half that on a dense screen), a map's fallback under its tiles at zoom 2 to 6. Simplified
# as a coverage (neighbours keep one shared border: no gap, no overlap at any zoom); islands smaller
# than MIN_AREA (≈ 25 × 25 km at the equator, under a pixel at zoom 4) dropped, each country's
# largest part always kept (small island states stay on the map); coordinates in hundredths of a
# degree (≈ 1 km).
SIMPLIFY_DEG = 0.15
MIN_AREA_DEG2 = 0.05
QUANTUM = 100  # coordinates × QUANTUM, as integers


def _parts(geometry) -> list:
    return list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]


def _ring(coords) -> list[int]:
    """A ring as [x0, y0, dx1, dy1, …]: integer steps from the previous point (closing point left
    out; points that fall on the same integer pair are one)."""
    out: list[int] = []
    px = py = 0
    for x, y in list(coords)[:-1]:
        qx, qy = round(x * QUANTUM), round(y * QUANTUM)
        if out and (qx, qy) == (px, py):
            continue
        out += [qx - px, qy - py]
        px, py = qx, qy
    return out


@functools.cache
def world_shapes() -> dict:
    """{"q": QUANTUM, "pays": {iso: [polygon [ring [x0, y0, dx, dy…]…]…]}}: the shipped shapes
    (data/pays.geojson) at world scale, in the compact form static/carte.js decodes (pays.js)."""
    import shapely
    from shapely.geometry import shape

    features = json.loads(SHAPES.read_text(encoding="utf-8"))["features"]
    simplified = shapely.coverage_simplify([shape(f["geometry"]) for f in features], SIMPLIFY_DEG)
    out: dict[str, list] = {}
    for feature, geometry in zip(features, simplified, strict=True):
        if geometry.is_empty:
            continue
        parts = sorted(_parts(geometry), key=lambda part: -part.area)
        kept = parts[:1] + [part for part in parts[1:] if part.area >= MIN_AREA_DEG2]
        polygons = [[_ring(ring.coords) for ring in (part.exterior, *part.interiors)] for part in kept]
        polygons = [[ring for ring in rings if len(ring) >= 6] for rings in polygons]  # 3 points at least
        polygons = [rings for rings in polygons if rings and len(rings[0]) >= 6]
        if not polygons:  # smaller than the grid (the Vatican): a speck where it is, not nothing
            point = geometry.representative_point()
            x, y = round(point.x * QUANTUM), round(point.y * QUANTUM)
            polygons = [[[x, y, 1, 0, -1, 1]]]
        out[feature["properties"]["iso"]] = polygons
    return {"q": QUANTUM, "pays": out}


def shapes_script() -> str:
    """The country outlines as `window.atlasPays = {...}` (a script, not JSON to fetch: a script
    element also loads from file://). Loaded on demand by static/carte.js, never by a page's head."""
    return "window.atlasPays=" + json.dumps(world_shapes(), separators=(",", ":")) + ";\n"


def static_file(name: str) -> bytes:
    """A file of the package's static/ folder (the map script and style are files, not strings)."""
    return (importlib.resources.files("atlas.maps") / "static" / name).read_bytes()


def emit_assets(emit: Emit) -> None:
    for path, data in leaflet_files().items():
        emit(path, data)
    # carte.js: data comes from interactive.py (compact arrays, records.py; the format is described at
    # the top of carte.js); the script turns them into one GeoJSON layer per group, draws them, and
    # keeps the drawn counts where tests read them.
    emit(MAP_JS, static_file("carte.js"))
    emit(MAP_CSS, static_file("carte.css"))
    emit(SHAPES_JS, shapes_script())
