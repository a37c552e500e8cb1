"""Static maps (PNG 1200 px, shown at 600 px; optional SVG): Pillow on the shipped country shapes.

Built for thousands of maps (matplotlib took 23 ms of CPU a map, most of a national build): the sea,
land and borders of a frame are drawn once per process and kept (maps share frames: extents are
snapped to a grid); each map draws only its lines and points over a copy, at twice the size, halved
(the anti-aliasing), then its texts. Saved as palette PNGs (a map has few colours: the files are
3 to 4 times smaller than RGB PNGs, and faster to write). The optional SVG still comes from
matplotlib, imported only by the process that draws one.

Plate carrée with a local aspect correction (1/cos of the middle latitude): close-ups look like the
web map, world maps are the familiar rectangle, and no reprojection is needed.

An image says no word but the names of places (collectivités, partners; countries on the flows):
its title, legend and source are in the HTML around it, in the edition's language (the page's
caption, the e-mail snippet: partials/carte.html.j2), so one image serves every edition. Only the
flows' image, whose labels are country names, is drawn by each edition (`Spec.shared`).
"""
from __future__ import annotations

import functools
import io
import itertools
import math
import os
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from atlas import workers
from atlas.maps.records import Kind, Location
from atlas.maps.style import (
    BORDER,
    CLASS_COLORS,
    COUNTRY_COLOR,
    FLOW_COLOR,
    FLOW_ORIGIN_COLOR,
    LAND,
    MUTED,
    PARTNER_COLOR,
    SEA,
    TEXT,
    TYPE_COLORS,
)

DPI = 200
WIDTH2X = 1200  # px; pages and e-mails show it 600 px wide
MARGIN = 24
MAP_W = WIDTH2X - 2 * MARGIN
# Texts of the image in pixels of the 1,200 px PNG, shown 600 px wide: half of it in CSS pixels.
LABEL_PX = 24  # place names on the map: 12 CSS px
MAX_LABELS = 80  # as the interactive map: beyond, no place is named (the text alternative lists them)
COARSE_SPAN = 50  # degrees of longitude: wider frames use simplified country outlines
COARSE_TOLERANCE = 0.08  # degrees
WORLD = (-180.0, 180.0, -58.0, 84.0)  # lon0, lon1, lat0, lat1
PARALLEL_MIN = 120  # below this many maps, worker processes cost more than they save


# What an image draws, named (tuples underneath: small to send to the workers, and their repr keys the cache).

class Seat(NamedTuple):
    lon: float
    lat: float
    type: str  # the collectivité type's key (its colour)


class Point(NamedTuple):
    """A partner, or a country's centre."""

    lon: float
    lat: float
    kind: Kind


class Line(NamedTuple):
    """A link from a seat to a partner."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float
    location: Location
    type: str  # the collectivité type's key (its colour)


class FlowLine(NamedTuple):
    """A flow from the origin to a country, its width by partnerships."""

    lon0: float
    lat0: float
    lon1: float
    lat1: float
    partnerships: int
    label: str  # "" for the smaller flows


class Label(NamedTuple):
    """A name written beside its point."""

    lon: float
    lat: float
    text: str


@dataclass
class Spec:
    """Everything one static map needs (plain data: it travels to worker processes)."""

    id: str
    kind: str = "liens"  # "liens" | "flux" | "choroplethe"
    seats: list[Seat] = field(default_factory=list)
    partners: list[Point] = field(default_factory=list)
    lines: list = field(default_factory=list)  # Line; flux: FlowLine, biggest first
    values: dict = field(default_factory=dict)  # choropleth: iso → colour
    world: bool = False
    svg: bool = False
    labels: list[Label] = field(default_factory=list)  # the map's collectivité first, then named partners
    subject_labels: int = 0  # how many of `labels`, first, name the map's own collectivité (always drawn)

    @property
    def shared(self) -> bool:
        """Whether one image serves every edition: it names places only (the flows name countries,
        in the edition's language)."""
        return self.kind != "flux"


def curve(lon0: float, lat0: float, lon1: float, lat1: float, steps: int = 24) -> list[tuple[float, float]]:
    """A flow's path: a quadratic Bézier bent to the left of its direction (by 18 % of its length),
    so that flows leaving one point fan out instead of overlapping (static/carte.js draws the same)."""
    dx, dy = lon1 - lon0, lat1 - lat0
    cx, cy = (lon0 + lon1) / 2 - dy * 0.18, (lat0 + lat1) / 2 + dx * 0.18
    out = []
    for k in range(steps + 1):
        t = k / steps
        u = 1 - t
        out.append((u * u * lon0 + 2 * u * t * cx + t * t * lon1, u * u * lat0 + 2 * u * t * cy + t * t * lat1))
    return out


def flow_width(n: int, top: int) -> float:
    """Line width (points at 2×) of a flow of n partnerships, the biggest being `top`: area-like scaling."""
    return 0.8 + 4.2 * math.sqrt(n / max(top, 1))


def extent(spec: Spec) -> tuple[float, float, float, float]:
    """(lon0, lon1, lat0, lat1): the box of the points, or WORLD."""
    if spec.world:
        return WORLD
    xs = [p.lon for p in spec.seats] + [p.lon for p in spec.partners]
    ys = [p.lat for p in spec.seats] + [p.lat for p in spec.partners]
    if not xs:
        return WORLD
    return (min(xs), max(xs), min(ys), max(ys))


SPANS = (14, 18, 24, 32, 42, 56, 75, 100, 135, 180)  # frame widths (degrees of longitude)
RATIOS = (0.55, 0.62, 0.7)  # frame height / width on the page


def frame(box: tuple[float, float, float, float]) -> tuple[tuple[float, float, float, float], float]:
    """Padded frame around a box, snapped to a grid of sizes and positions (so that maps share
    frames and their cached backgrounds); returns (extent, height/width ratio on the page)."""
    if box == WORLD:
        return WORLD, (WORLD[3] - WORLD[2]) / (WORLD[1] - WORLD[0])
    x0, x1, y0, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    k = math.cos(math.radians(max(-70, min(70, round(cy / 5) * 5))))
    need_w, need_h = (x1 - x0) * 1.1 + 3, (y1 - y0) * 1.1 + 2
    # The frame's centre moves by up to 1/16 of its size when snapped: keep that much slack.
    for w in SPANS:
        if w * 7 / 8 >= need_w and w * k * RATIOS[-1] * 7 / 8 >= need_h:
            break
    else:
        return frame(WORLD)
    ratio = next(r for r in RATIOS if w * k * r * 7 / 8 >= need_h)
    h = w * k * ratio
    sx, sy = w / 8, h / 8
    cx, cy = round(cx / sx) * sx, round(cy / sy) * sy
    cy = min(max(cy, -85 + h / 2), 85 - h / 2)
    return (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2), ratio


def frame_key(spec: Spec) -> tuple:
    """Maps with the same key share a cached background (choropleths never do)."""
    ext, ratio = frame(extent(spec))
    return (bool(spec.values), tuple(round(v, 6) for v in ext), round(ratio, 6))


# Sizes of matplotlib's day (points at DPI 200), kept: the images look as they did. On the 2×
# canvas a point is PT2 pixels.
PT2 = 2 * DPI / 72
LINK_WIDTH, COUNTRY_LINK_WIDTH = 1.0, 0.8  # points
APPROX_DASH = (1, 2)  # on, off, in line widths: dotted
COUNTRY_DASH = (4, 3)  # dashed
FLOW_ALPHA = 0.75


class Marker(NamedTuple):
    """A round marker: its area in points² (matplotlib's scatter sizes), its white or grey edge in points."""

    area: float
    edge: float


SEAT, SEAT_SMALL = Marker(34, 0.7), Marker(8, 0.7)
PARTNER, PARTNER_SMALL = Marker(18, 0.5), Marker(5, 0.5)
COUNTRY_POINT, COUNTRY_POINT_SMALL = Marker(28, 0.9), Marker(10, 0.9)
FLOW_END, FLOW_ORIGIN = Marker(14, 0.5), Marker(60, 1.0)


@dataclass(frozen=True)
class _Rings:
    """The country outlines of one level of detail, as flat numpy arrays (projected per frame)."""

    coords: list  # one (n, 2) array per ring, in the shapes' order
    boxes: object  # (rings, 4) array: lon0, lat0, lon1, lat1 of each ring
    country: object  # (rings,) the country index of each ring
    hole: object  # (rings,) bool: an interior ring (an enclave's place)
    enclave: object  # (rings,) bool: an exterior ring lying in another country's hole (drawn again over it)


@functools.cache
def _shapes() -> tuple[list[str], _Rings, _Rings]:
    """(iso codes, fine rings, coarse rings), read once per process with shapely alone (no geopandas)."""
    import json

    import numpy as np
    import shapely
    from shapely.geometry import shape

    from atlas.content.countries import SHAPES

    features = json.loads(SHAPES.read_text(encoding="utf-8"))["features"]
    codes = [f["properties"]["iso"] for f in features]
    geoms = [shape(f["geometry"]) for f in features]
    holes = [shapely.Polygon(ring) for g in geoms for p in getattr(g, "geoms", [g]) for ring in p.interiors]

    def rings(geometries) -> _Rings:
        coords, country, hole, enclave = [], [], [], []
        for i, geom in enumerate(geometries):
            for poly in getattr(geom, "geoms", [geom]):
                inside = any(h.contains(poly.representative_point()) for h in holes)
                for ring, is_hole in ((poly.exterior, False), *((r, True) for r in poly.interiors)):
                    c = np.asarray(ring.coords, dtype=float)
                    if len(c) < 4:
                        continue
                    coords.append(c)
                    country.append(i)
                    hole.append(is_hole)
                    enclave.append(inside and not is_hole)
        boxes = np.array([(c[:, 0].min(), c[:, 1].min(), c[:, 0].max(), c[:, 1].max()) for c in coords])
        return _Rings(coords, boxes, np.array(country), np.array(hole), np.array(enclave))

    coarse = [shapely.simplify(g, COARSE_TOLERANCE, preserve_topology=True) for g in geoms]
    return codes, rings(geoms), rings(coarse)


def _projection(ext, w: int, h: int):
    """lon, lat → pixel x, y of a w × h image of the extent `ext` (plate carrée)."""
    x0, x1, y0, y1 = ext
    sx, sy = w / (x1 - x0), h / (y1 - y0)
    return lambda lon, lat: ((lon - x0) * sx, (y1 - lat) * sy)


REACH = 34  # 2× pixels a mark may extend beyond its point: the biggest marker's radius, a flow's half width


def _covered(spec: Spec, ext, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The box of the 2× canvas the map's lines and points may touch (even coordinates: it halves
    into whole pixels), or None when the map draws nothing."""
    project = _projection(ext, *size)
    if spec.kind == "flux":
        points = [p for f in spec.lines for p in curve(f.lon0, f.lat0, f.lon1, f.lat1)]
    else:
        points = [(p.lon, p.lat) for p in (*spec.seats, *spec.partners)]
        points += [(line.lon0, line.lat0) for line in spec.lines] + [(line.lon1, line.lat1) for line in spec.lines]
    if not points:
        return None
    xs, ys = zip(*(project(lon, lat) for lon, lat in points), strict=True)
    left = max(0, math.floor((min(xs) - REACH) / 2) * 2)
    top = max(0, math.floor((min(ys) - REACH) / 2) * 2)
    right = min(size[0], math.ceil((max(xs) + REACH) / 2) * 2)
    bottom = min(size[1], math.ceil((max(ys) + REACH) / 2) * 2)
    return (left, top, right, bottom) if left < right and top < bottom else None


def _fonts_folder() -> str:
    """matplotlib's DejaVu fonts, found without importing matplotlib (the PNG workers never do)."""
    import importlib.util

    return os.path.join(importlib.util.find_spec("matplotlib").submodule_search_locations[0], "mpl-data", "fonts", "ttf")


class Renderer:
    """Pillow, on the shipped country shapes: the background of a frame (sea, land, borders) is drawn
    once and kept; each map pastes it into its page, draws its own lines and points at 2× over the
    part they cover and halves that (the halving is the anti-aliasing); the places' names are
    written at 1×.

    The land is drawn at 1× without anti-aliasing and doubled pixel for pixel: soft land edges were
    most of each file once (-13 % nationally), and drawn at 1,200 px the borders look the same.
    """

    CACHE = 4  # frames kept (about 3 MB each); the maps arrive sorted by frame, a few suffice

    def __init__(self):
        from PIL import ImageColor, ImageFont

        folder = _fonts_folder()
        self.font_small = ImageFont.truetype(os.path.join(folder, "DejaVuSans.ttf"), 21)
        self.font_label = ImageFont.truetype(os.path.join(folder, "DejaVuSans.ttf"), LABEL_PX)
        self.rgb = functools.cache(ImageColor.getrgb)
        self.bases: dict = {}
        self.bases_drawn = 0  # backgrounds drawn by this process (tests: one per frame)

    # -- one map --
    def render(self, spec: Spec) -> dict:
        from PIL import Image, ImageDraw

        t0 = time.perf_counter()
        box = layout(spec)
        (x0, x1, y0, y1), map_h = box.extent, box.map_h
        page = Image.new("RGB", (WIDTH2X, box.height), "white")
        # The map drawn straight into the page, its names written beside its points.
        area = _Area(page, MARGIN, box.top, MAP_W, map_h, (x0, x1, y0, y1))
        self._draw_map(area, spec)
        if spec.kind == "flux":
            self._flow_labels(area, spec)
        labels = self._place_labels(area, spec.labels, spec.subject_labels) \
            if spec.kind != "flux" and spec.labels else ([], 0)

        ImageDraw.Draw(page).rectangle((MARGIN - 1, box.top - 1, MARGIN + MAP_W, box.top + map_h), outline="#b8c4cc", width=1)

        out = {"png": _png(page), "size": page.size, "labels": labels}  # labels: (name, box) drawn, and how many left out
        if spec.svg:
            out["svg"] = _figure().svg(spec, box)
        out["ms"] = (time.perf_counter() - t0) * 1000
        return out

    def _draw_map(self, area: _Area, spec: Spec) -> None:
        """The frame's background, then this map's lines and points drawn at 2× over the part of
        the background they cover only (copying and halving the whole 2× canvas cost a fifth of
        each map's time)."""
        from PIL import Image, ImageDraw

        ext, map_h = area.ext, area.h
        base = self._base(spec, ext, map_h)
        area.page.paste(base, (area.x, area.y))
        covered = _covered(spec, ext, (2 * MAP_W, 2 * map_h))
        if covered is None:
            return
        left, top, right, bottom = covered
        # the background under the marks, doubled pixel for pixel: halved, it is the 1× one again
        canvas = base.resize((right - left, bottom - top), Image.Resampling.NEAREST,
                             box=(left // 2, top // 2, right // 2, bottom // 2))
        draw = ImageDraw.Draw(canvas, "RGBA")  # RGBA fills blend into the RGB canvas
        project = _projection(ext, 2 * MAP_W, 2 * map_h)

        def to_px(lon, lat):
            x, y = project(lon, lat)
            return x - left, y - top

        if spec.kind == "flux":
            self._draw_flows(canvas, draw, spec, to_px)
        else:
            self._draw_links(draw, spec, to_px)
        area.page.paste(canvas.reduce(2), (area.x + left // 2, area.y + top // 2))

    def _base(self, spec: Spec, ext, map_h: int):
        """The frame's sea, land and borders (kept per frame; a choropleth's colours are its own)."""
        key = (ext, map_h)
        base = None if spec.values else self.bases.get(key)
        if base is None:
            base = self._draw_base(ext, map_h, spec.values)
            self.bases_drawn += 1
            if not spec.values:
                if len(self.bases) >= self.CACHE:
                    self.bases.pop(next(iter(self.bases)))
                self.bases[key] = base
        return base

    def _draw_base(self, ext, map_h: int, values: dict):
        import numpy as np
        from PIL import Image, ImageDraw

        codes, fine, coarse = _shapes()
        rings = coarse if ext[1] - ext[0] >= COARSE_SPAN else fine
        image = Image.new("RGB", (MAP_W, map_h), SEA)
        draw = ImageDraw.Draw(image)
        x0, x1, y0, y1 = ext
        b = rings.boxes
        seen = np.flatnonzero((b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1))
        scale = np.array([MAP_W / (x1 - x0), -map_h / (y1 - y0)])
        origin = np.array([x0, y1])
        land = self.rgb(LAND)
        colors = {i: self.rgb(values[code]) for i, code in enumerate(codes) if code in values}
        # Countries, then the holes in them (sea), then the countries lying in those holes again:
        # the even-odd filling matplotlib gave each country's path.
        for selection in (seen[~rings.hole[seen]], seen[rings.hole[seen]], seen[rings.enclave[seen]]):
            for i in selection:
                xy = ((rings.coords[i] - origin) * scale).ravel().tolist()
                fill = SEA if rings.hole[i] else colors.get(rings.country[i], land)
                draw.polygon(xy, fill=fill, outline=BORDER)
        return image

    def _draw_links(self, draw, spec: Spec, to_px) -> None:
        # Links: colour by collectivité type; dotted when approximate; grey dashes to a country.
        n = len(spec.lines)
        alpha = round(255 * (0.9 if n <= 60 else max(0.18, 0.9 * math.sqrt(60 / n))))
        grey = (*self.rgb(COUNTRY_COLOR), min(alpha, 204))
        width, country_width = round(LINK_WIDTH * PT2), round(COUNTRY_LINK_WIDTH * PT2)
        # matplotlib's order: the dashed lines to countries, the exact ones, the dotted ones
        for location in (Location.COUNTRY, Location.EXACT, Location.APPROX):
            for line in spec.lines:
                if line.location != location:
                    continue
                a, b = to_px(line.lon0, line.lat0), to_px(line.lon1, line.lat1)
                if location == Location.COUNTRY:
                    _dashed(draw, a, b, grey, country_width, COUNTRY_DASH)
                    continue
                color = (*self.rgb(TYPE_COLORS.get(line.type, PARTNER_COLOR)), alpha)
                if location == Location.APPROX:
                    _dashed(draw, a, b, color, width, APPROX_DASH)
                else:
                    draw.line((*a, *b), fill=color, width=width)
        big = len(spec.seats) + len(spec.partners) > 300
        white, grey_edge = self.rgb("white"), self.rgb(COUNTRY_COLOR)
        for p in spec.partners:
            if p.kind == Kind.COUNTRY:
                _marker(draw, to_px(p.lon, p.lat), COUNTRY_POINT_SMALL if big else COUNTRY_POINT, white, grey_edge)
        partner = self.rgb(PARTNER_COLOR)
        for p in spec.partners:
            if p.kind != Kind.COUNTRY:
                _marker(draw, to_px(p.lon, p.lat), PARTNER_SMALL if big else PARTNER, partner, white)
        for s in spec.seats:
            _marker(draw, to_px(s.lon, s.lat), SEAT_SMALL if big else SEAT, self.rgb(TYPE_COLORS.get(s.type, PARTNER_COLOR)),
                    white)

    def _draw_flows(self, canvas, draw, spec: Spec, to_px) -> None:
        from PIL import Image, ImageDraw

        top = max((f.partnerships for f in spec.lines), default=1)
        color = self.rgb(FLOW_COLOR)
        for f in spec.lines:
            # Each flow whole on a mask, then laid with its transparency: a curve drawn segment by
            # segment would darken where its segments overlap (matplotlib draws a path at once).
            points = [to_px(lon, lat) for lon, lat in curve(f.lon0, f.lat0, f.lon1, f.lat1)]
            width = max(1, round(flow_width(f.partnerships, top) * PT2))
            pad = width
            left = math.floor(min(x for x, _ in points)) - pad
            top_y = math.floor(min(y for _, y in points)) - pad
            right = math.ceil(max(x for x, _ in points)) + pad
            bottom = math.ceil(max(y for _, y in points)) + pad
            mask = Image.new("L", (right - left, bottom - top_y), 0)
            pen = ImageDraw.Draw(mask)
            shifted = [(x - left, y - top_y) for x, y in points]
            pen.line(shifted, fill=255, width=width, joint="curve")
            for x, y in (shifted[0], shifted[-1]):  # round caps
                pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
            mask = mask.point(lambda v: round(v * FLOW_ALPHA))
            canvas.paste(color, (left, top_y, right, bottom), mask)
        white = self.rgb("white")
        for f in spec.lines:
            _marker(draw, to_px(f.lon1, f.lat1), FLOW_END, color, white)
        if spec.lines:
            _marker(draw, to_px(spec.lines[0].lon0, spec.lines[0].lat0), FLOW_ORIGIN, self.rgb(FLOW_ORIGIN_COLOR), white)

    def _flow_labels(self, area: _Area, spec: Spec) -> None:
        """Country name and number at the end of the biggest flows (crisp, with a white halo),
        biggest first; a label with no free side is left out."""
        self._write_beside(area, [(f.lon1, f.lat1, f.label) for f in spec.lines if f.label], self.font_small)

    def _place_labels(self, area: _Area, labels: list[Label], subject: int) -> tuple[list, int]:
        """The map's collectivité, then each named partner, beside its point on the first free side;
        a name that would cover another is left out, and « + N » says how many, in no language (the
        interactive map's rule: its labels give way to the ones drawn before them)."""
        partners = labels[subject:]
        too_many = len(partners) > MAX_LABELS
        drawn, left = self._write_beside(area, labels[:subject] + ([] if too_many else partners), self.font_label)
        left += len(partners) if too_many else 0
        if left:
            note = f"+\u00a0{left}"
            area.write((10, area.h - 10), _label(note, self.font_label, "lb"), self.rgb(TEXT))
        return drawn, left

    def _write_beside(self, area: _Area, items: list, font) -> tuple[list, int]:
        """Each (lon, lat, text) written beside its point, on the first side (right, left, above,
        below) where it stays inside the map and covers no text written before it.
        Returns the (text, box) written, in the map's pixels, and how many found no place."""
        x0, x1, y0, y1 = area.ext
        w, h = area.w, area.h
        ink = self.rgb(TEXT)
        drawn: list[tuple] = []
        left = 0
        for lon, lat, text in items:
            x, y = round((lon - x0) / (x1 - x0) * w), round((y1 - lat) / (y1 - y0) * h)
            for xy, anchor in (((x + 9, y), "lm"), ((x - 9, y), "rm"), ((x, y - 10), "mb"), ((x, y + 10), "mt")):
                rel = _label_box(text, font, anchor)
                box = (xy[0] + rel[0], xy[1] + rel[1], xy[0] + rel[2], xy[1] + rel[3])
                inside = box[0] >= 0 and box[1] >= 0 and box[2] <= w and box[3] <= h
                if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for _, b in drawn):
                    drawn.append((text, box))
                    area.write(xy, _label(text, font, anchor), ink)
                    break
            else:
                left += 1
        return drawn, left


class _Area(NamedTuple):
    """The map's place on the page: its pixels' origin and size, and the extent it shows."""

    page: object
    x: int
    y: int
    w: int
    h: int
    ext: tuple

    def write(self, xy, label: _Label, ink) -> None:
        """A name at xy (the map's pixels), on its white halo."""
        x, y = self.x + xy[0] + label.box[0], self.y + xy[1] + label.box[1]
        size = label.ink.size
        self.page.paste((255, 255, 255), (x, y, x + size[0], y + size[1]), label.halo)
        self.page.paste(ink, (x, y, x + size[0], y + size[1]), label.ink)


class _Label(NamedTuple):
    box: tuple  # around the halo, relative to the anchor point
    halo: object  # "L" masks, the size of the box
    ink: object


HALO = 3  # px of white around the names on the map


@functools.lru_cache(maxsize=8192)  # tried on up to four sides before one is free
def _label_box(text: str, font, anchor: str) -> tuple[int, int, int, int]:
    return tuple(round(v) for v in font.getbbox(text, anchor=anchor, stroke_width=HALO))


@functools.lru_cache(maxsize=256)  # a partner is named on its French partners' maps, its country's, its themes' (a few hits: small)
def _label(text: str, font, anchor: str) -> _Label:
    """A name rendered once: its box, and the masks of its white halo and of its letters."""
    from PIL import Image, ImageDraw

    box = _label_box(text, font, anchor)
    size = (box[2] - box[0], box[3] - box[1])
    halo, ink = Image.new("L", size, 0), Image.new("L", size, 0)
    ImageDraw.Draw(halo).text((-box[0], -box[1]), text, font=font, fill=255, anchor=anchor, stroke_width=HALO,
                              stroke_fill=255)
    ImageDraw.Draw(ink).text((-box[0], -box[1]), text, font=font, fill=255, anchor=anchor)
    return _Label(box, halo, ink)


def _dashed(draw, a, b, color, width: int, pattern) -> None:
    """A straight line from pixel a to b in dashes of pattern (on, off) line widths (as matplotlib's)."""
    (xa, ya), (xb, yb) = a, b
    length = math.hypot(xb - xa, yb - ya)
    if not length:
        return
    on, period = pattern[0] * width, (pattern[0] + pattern[1]) * width
    ux, uy = (xb - xa) / length, (yb - ya) / length
    start = 0.0
    while start < length:
        end = min(start + on, length)
        draw.line((xa + ux * start, ya + uy * start, xa + ux * end, ya + uy * end), fill=color, width=width)
        start += period


def _marker(draw, xy, marker: Marker, fill, edge) -> None:
    """A round marker centred on xy (2× pixels); its edge straddles the disc's outline, as matplotlib's."""
    x, y = xy
    edge_px = marker.edge * PT2
    r = (math.sqrt(marker.area) * PT2 + edge_px) / 2
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=edge, width=max(1, round(edge_px)))


class _Figure:
    """The SVG version (world maps only: few, and the slow path): one matplotlib figure with the
    country shapes as paths, imported and made only where an SVG is asked for."""

    def __init__(self):
        import matplotlib
        import numpy as np
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import LineCollection, PathCollection
        from matplotlib.figure import Figure
        from matplotlib.path import Path

        matplotlib.rcParams["svg.hashsalt"] = "atlas"  # stable SVG ids: same input, same file
        matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG
        self.np = np
        codes, fine, coarse = _shapes()

        def paths(rings: _Rings) -> list:
            out = []
            for i in range(len(codes)):
                verts = [c for c, k in zip(rings.coords, rings.country, strict=True) if k == i]
                if not verts:
                    out.append(Path(np.zeros((1, 2)), np.array([Path.MOVETO], dtype=np.uint8)))
                    continue
                kinds = []
                for c in verts:
                    code = np.full(len(c), Path.LINETO, dtype=np.uint8)
                    code[0], code[-1] = Path.MOVETO, Path.CLOSEPOLY
                    kinds.append(code)
                out.append(Path(np.concatenate(verts), np.concatenate(kinds)))
            return out

        self.iso = {code: i for i, code in enumerate(codes)}
        self.fig = Figure(figsize=(MAP_W / DPI, 4), dpi=DPI, facecolor=SEA)
        FigureCanvasAgg(self.fig)
        ax = self.ax = self.fig.add_axes([0, 0, 1, 1])
        ax.set_facecolor(SEA)
        ax.set_axis_off()
        self.land_fine = PathCollection(paths(fine), facecolors=LAND, edgecolors=BORDER, linewidths=0.35, zorder=1)
        self.land_coarse = PathCollection(paths(coarse), facecolors=LAND, edgecolors=BORDER, linewidths=0.35, zorder=1)
        ax.add_collection(self.land_fine)
        ax.add_collection(self.land_coarse)
        self.land_colors = np.tile(matplotlib.colors.to_rgba(LAND), (len(codes), 1))
        # One collection per line style (per-segment dash styles are slow in matplotlib).
        self.lines_country = LineCollection([], zorder=2, linestyles=[(0, COUNTRY_DASH)], linewidths=COUNTRY_LINK_WIDTH)
        self.lines_exact = LineCollection([], zorder=2, linestyles="solid", linewidths=LINK_WIDTH, capstyle="round")
        self.lines_approx = LineCollection([], zorder=2, linestyles=[(0, APPROX_DASH)], linewidths=LINK_WIDTH)
        self.flows = LineCollection([], zorder=2, linestyles="solid", capstyle="round")
        for coll in (self.lines_country, self.lines_exact, self.lines_approx, self.flows):
            ax.add_collection(coll)
        self.country_points = ax.scatter([], [], zorder=3, marker="o")
        self.partners = ax.scatter([], [], zorder=4, marker="o")
        self.seats = ax.scatter([], [], zorder=5, marker="o")
        self.to_rgba = matplotlib.colors.to_rgba

    def svg(self, spec: Spec, box: Layout) -> bytes:
        """The map and, on the flows, the countries' names (as the PNG: no other word)."""
        fig, ax = self.fig, self.ax
        ext = box.extent
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
        coarse = ext[1] - ext[0] >= COARSE_SPAN
        land = self.land_coarse if coarse else self.land_fine
        self.land_coarse.set_visible(coarse)
        self.land_fine.set_visible(not coarse)
        land.set_facecolors(self._colors(spec))
        self._set_data(spec)
        fig.set_size_inches(MAP_W / DPI, box.map_h / DPI)
        ax.set_position([0, 0, 1, 1])
        extra = []
        if spec.kind == "flux":  # the labels the PNG gets from Pillow
            extra += [ax.text(f.lon1, f.lat1, "  " + f.label, fontsize=6, color=TEXT, va="center")
                      for f in spec.lines if f.label]
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="svg", metadata={"Date": None}, facecolor="white")
        finally:
            for artist in extra:
                artist.remove()
        return buf.getvalue()

    def _set_flows(self, spec: Spec) -> None:
        top = max((f.partnerships for f in spec.lines), default=1)
        self.flows.set_segments([curve(f.lon0, f.lat0, f.lon1, f.lat1) for f in spec.lines])
        self.flows.set_linewidths([flow_width(f.partnerships, top) for f in spec.lines])
        self.flows.set_color(self.to_rgba(FLOW_COLOR, FLOW_ALPHA) if spec.lines else "none")
        for coll in (self.lines_exact, self.lines_approx, self.lines_country):
            coll.set_segments([])
        ends = [(f.lon1, f.lat1) for f in spec.lines]
        self._points(self.country_points, [], "white", COUNTRY_COLOR, COUNTRY_POINT_SMALL)
        self._points(self.partners, ends, FLOW_COLOR, "white", FLOW_END)
        origin = [(spec.lines[0].lon0, spec.lines[0].lat0)] if spec.lines else []
        self._points(self.seats, origin, FLOW_ORIGIN_COLOR, "white", FLOW_ORIGIN)

    def _set_data(self, spec: Spec) -> None:
        self.flows.set_segments([])
        if spec.kind == "flux":
            return self._set_flows(spec)
        n = len(spec.lines)
        alpha = 0.9 if n <= 60 else max(0.18, 0.9 * math.sqrt(60 / n))
        groups = {Location.EXACT: ([], []), Location.APPROX: ([], []), Location.COUNTRY: ([], [])}
        grey = self.to_rgba(COUNTRY_COLOR, min(alpha, 0.8))
        for line in spec.lines:
            segs, cols = groups[line.location]
            segs.append(((line.lon0, line.lat0), (line.lon1, line.lat1)))
            cols.append(grey if line.location == Location.COUNTRY else self.to_rgba(TYPE_COLORS.get(line.type, PARTNER_COLOR), alpha))
        for loc, coll in ((Location.EXACT, self.lines_exact), (Location.APPROX, self.lines_approx),
                          (Location.COUNTRY, self.lines_country)):
            segs, cols = groups[loc]
            coll.set_segments(segs)
            coll.set_color(cols or "none")
        big = len(spec.seats) + len(spec.partners) > 300
        cp = [(p.lon, p.lat) for p in spec.partners if p.kind == Kind.COUNTRY]
        pp = [(p.lon, p.lat) for p in spec.partners if p.kind != Kind.COUNTRY]
        self._points(self.country_points, cp, "white", COUNTRY_COLOR, COUNTRY_POINT_SMALL if big else COUNTRY_POINT)
        self._points(self.partners, pp, PARTNER_COLOR, "white", PARTNER_SMALL if big else PARTNER)
        self._points(self.seats, [(s.lon, s.lat) for s in spec.seats],
                     [TYPE_COLORS.get(s.type, PARTNER_COLOR) for s in spec.seats], "white", SEAT_SMALL if big else SEAT)

    def _points(self, coll, points, face, edge, marker: Marker):
        coll.set_offsets(self.np.asarray(points, dtype=float).reshape(-1, 2))
        coll.set_facecolors(face if points else "none")
        coll.set_edgecolors(edge)
        coll.set_sizes([marker.area])
        coll.set_linewidths([marker.edge])

    def _colors(self, spec: Spec):
        colors = self.land_colors
        if spec.values:
            colors = colors.copy()
            for code, color in spec.values.items():
                if code in self.iso:
                    colors[self.iso[code]] = self.to_rgba(color)
        return colors


@dataclass(frozen=True)
class Layout:
    """Where everything goes on the 2× image: known before drawing (link previews give its size)."""

    extent: tuple
    map_h: int  # even: shown at half size, the image keeps whole pixels
    top: int  # where the map starts (a white margin around it)
    height: int


def layout(spec: Spec) -> Layout:
    extent_, ratio = frame(extent(spec))
    map_h = round(MAP_W * ratio / 2) * 2
    return Layout(extent_, map_h, MARGIN, MARGIN + map_h + MARGIN)


def size(spec: Spec) -> tuple[int, int]:
    """Pixels of the PNG of `spec`."""
    return WIDTH2X, layout(spec).height


@functools.cache  # made once per process; never changed after (quantize only reads it)
def palette():
    """A fixed 256-colour palette: the style's colours and their blends with the backgrounds
    (anti-aliasing, transparency). Mapping to it is 7 times faster than computing a palette per image."""
    from PIL import Image, ImageColor

    bases = ["#ffffff", SEA, LAND]
    inks = [TEXT, MUTED, PARTNER_COLOR, COUNTRY_COLOR, FLOW_COLOR, "#b8c4cc", "#999999", *TYPE_COLORS.values(), *CLASS_COLORS]
    colors = [ImageColor.getrgb(c) for c in bases + inks]
    for b in bases:
        rb = ImageColor.getrgb(b)
        for other in bases + inks:
            ro = ImageColor.getrgb(other)
            if ro == rb:
                continue
            for a in (0.25, 0.4, 0.55, 0.7, 0.85):
                colors.append(tuple(round(x * a + y * (1 - a)) for x, y in zip(ro, rb, strict=True)))
    kept: list[tuple] = []
    for c in colors:  # Pillow's nearest-colour search is coarse: no two entries too close
        if all(max(abs(x - y) for x, y in zip(c, k, strict=True)) > 8 for k in kept):
            kept.append(c)
    colors = kept[:256]
    flat = [v for c in colors for v in c]
    flat += flat[:3] * (256 - len(colors))
    image = Image.new("P", (1, 1))
    image.putpalette(flat)
    return image


def _png(img) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    # zlib level 6: 9 % smaller than 5 for 2 ms more per map (levels 7 to 9 cost several times more)
    img.quantize(palette=palette(), dither=Image.Dither.NONE).save(buf, "PNG", compress_level=6)
    return buf.getvalue()


# One renderer per process, made on first use and reused for every map the process draws. A worker of
# the pool keeps nothing else between its tasks, so the renderer cannot be handed to it: it is cached
# here. What it holds besides (the frames' backgrounds) only saves time: an image is the same
# whichever maps the process drew before (test_maps: drawn by 1 or 2 workers, identical).
@functools.cache
def _renderer() -> Renderer:
    return Renderer()


@functools.cache
def _figure() -> _Figure:
    return _Figure()


def render(spec: Spec) -> dict:
    """Render one map with this process's figure."""
    return _renderer().render(spec)


def default_workers() -> int:
    return workers.count()


def render_many(specs: list[Spec], n_workers: int | None = None, cache=None):
    """Iterator of (spec, result), in an order that groups maps sharing a frame (so that each
    frame's background is drawn once). With many maps and several cores, worker processes start
    drawing at once (before the iterator is read): the caller can do other work meanwhile.
    With a cache (cache.ImageCache), only the maps it does not hold are drawn."""
    if cache is None:
        return _draw(specs, n_workers)
    held = [s for s in specs if cache.has(s)]
    held_ids = {id(s) for s in held}
    return _Cached(cache, held, _draw([s for s in specs if id(s) not in held_ids], n_workers, into=cache.folder))


class _Cached:
    """The cache's maps first (read one at a time), then the drawn ones, stored as they arrive."""

    def __init__(self, cache, held: list, drawing):
        self._cache, self._held, self._drawing = cache, held, drawing

    def __iter__(self):
        try:
            for spec in self._held:
                result = self._cache.get(spec)
                if result is None:  # removed or damaged meanwhile: drawn here
                    result = render(spec)
                    self._cache.put(spec, result)
                yield spec, result
            for spec, result in self._drawing:
                if "png" in result:  # drawn here: stored now
                    self._cache.put(spec, result)
                else:  # a worker stored it: read back one at a time (never all held in memory)
                    self._cache.drawn += 1
                    result = self._cache.read(spec)
                    if result is None:  # the worker could not store it (full disk): drawn here
                        result = render(spec)
                yield spec, result
        finally:
            self.close()

    def close(self) -> None:
        drawing, self._drawing = self._drawing, ()
        close = getattr(drawing, "close", None)
        if close is not None:
            close()


def _render_into(folder, spec: Spec) -> dict:
    """In a worker: draw, store in the cache, send back only the timing. Images sent back through
    the pool would pile up in the main process until it reads them, at the end of the build."""
    from atlas.maps.cache import ImageCache

    result = render(spec)
    ImageCache(folder).put(spec, result)
    return {"ms": result["ms"]}


BATCH = 16  # maps a worker takes at a time


def _batches(specs: list[Spec]) -> list[list[Spec]]:
    """The maps (sorted by frame) in batches of about BATCH, cut where the frame changes: a frame's
    background is then drawn by one worker, not by each worker that gets some of its maps (a fixed
    chunk size cut a frame in two every other chunk). A frame shared by very many maps is cut anyway,
    so that the workers end together."""
    out: list[list[Spec]] = []
    current: list[Spec] = []
    last = None
    for spec in specs:
        key = frame_key(spec)
        if len(current) >= BATCH and (key != last or len(current) >= 4 * BATCH):
            out.append(current)
            current = []
        current.append(spec)
        last = key
    return out + [current] if current else out


def _render_batch(task, specs: list[Spec]) -> list[dict]:
    return [task(spec) for spec in specs]


def _draw(specs: list[Spec], n_workers: int | None, into=None):
    """`into`: a cache folder where workers store the images themselves."""
    specs = sorted(specs, key=frame_key)
    n = default_workers() if n_workers is None else n_workers
    if n <= 1 or len(specs) < PARALLEL_MIN:
        return ((spec, render(spec)) for spec in specs)
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(n, mp_context=workers.context())  # forkserver workers load the shapes themselves
    with workers.forking():  # a forking pool starts its workers at the first submission
        task = functools.partial(_render_into, into) if into is not None else render
        batches = pool.map(functools.partial(_render_batch, task), _batches(specs))  # submits everything now
    return _Drawing(pool, specs, itertools.chain.from_iterable(batches))


class _Drawing:
    """The maps being drawn by a worker pool: iterate to read them; `close` (also at the end of
    the iteration) stops the pool, even if nothing was read."""

    def __init__(self, pool, specs, results):
        self._pool, self._specs, self._results = pool, specs, results

    def __iter__(self):
        try:
            yield from zip(self._specs, self._results, strict=False)  # closed early: fewer results
        finally:
            self.close()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
