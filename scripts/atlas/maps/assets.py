"""Self-hosted map assets: Leaflet (from django-js-lib-leaflet), the atlas's map script and style,
and the country shapes as a script (loaded by every map page, cached once by the browser).

No map page loads anything from a third-party host except the map tiles.
"""
from __future__ import annotations

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


def shapes_script() -> str:
    """The shipped country shapes as `window.atlasPays = {...}` (a script tag also works from file://)."""
    data = json.loads(SHAPES.read_text(encoding="utf-8"))
    return "window.atlasPays=" + json.dumps(data, separators=(",", ":"), ensure_ascii=False) + ";\n"


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
