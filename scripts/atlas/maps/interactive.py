"""Maps: interactive maps (Folium/Leaflet, self-hosted) and static images (images.py) for the
world ("monde"), "who with whom" ("liens"), and each collectivité, country and theme.

Every interactive map is shown by one viewer page (viewer.py, `cartes/?carte=<id>`, iframe-able)
that loads the map's own data, `cartes/<id>.json`: compact arrays that the map script turns into
one GeoJSON layer per group (see static/carte.js). Leaflet, the script and the country shapes are
published once under assets/ (assets.py) and cached by the browser. Markers are deduplicated by
place, and links by (collectivité, partner place): one line per "who with whom".

Each edition has its own viewer page and map data, in its language (titles, text alternatives,
legends, country names, the script's words). The images carry no words but place names (images.py),
so the French build draws them once for every edition; the one whose labels are country names
(the flows of « liens ») is drawn by each edition in its language.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from atlas import i18n, urls
from atlas.config import Settings
from atlas.content.countries import fold
from atlas.content.index import Index
from atlas.content.model import COLLECTIVITE_TYPES, LOCATION_APPROX, LOCATION_COUNTRY, NATURES, Atlas, Collectivite, Partnership
from atlas.i18n import N_, _, ngettext, plural
from atlas.maps import assets, legend, viewer
from atlas.maps import images as static_maps
from atlas.maps.cache import ImageCache
from atlas.maps.cache import key as image_key
from atlas.maps.legend import LegendItem
from atlas.maps.records import (
    Collectivity,
    ColorClass,
    Country,
    CountryCount,
    Flow,
    Kind,
    Link,
    Location,
    Marker,
    Origin,
    Part,
)
from atlas.maps.style import (
    BORDER,
    CLASS_COLORS,
    COUNTRY_COLOR,
    FLOW_COLOR,
    FLOW_ORIGIN_COLOR,
    LAND,
    PARTNER_COLOR,
    SEA,
    TYPE_COLORS,
)

Emit = urls.Emit

ROOT = viewer.ROOT  # from the viewer (cartes/) back to the edition's root
TABLE_MAX = 150  # longer text alternatives are summarised by country (the full list is in the CSV)
SVG_MAX_LINKS = 3000  # beyond, an SVG weighs megabytes and takes seconds: PNG only
WORLD_BOUNDS = [[-50.0, -165.0], [72.0, 175.0]]
FLOW_ZOOM = 4  # flow maps: below this zoom, one curved line per partner country; from it, each link
FLOW_LABELS = 10  # the biggest flows carry their country's name and number on the map itself
TYPE_KEYS = list(COLLECTIVITE_TYPES)
# The palette the map script draws with (the same as the images').
COLORS = {"sea": SEA, "land": LAND, "border": BORDER, "partner": PARTNER_COLOR, "country": COUNTRY_COLOR,
          "flow": FLOW_COLOR, "origin": FLOW_ORIGIN_COLOR}
LOCATION_LABELS = {"exacte": N_("exacte"), "approximative": N_("approximative"), "pays": N_("pays seulement")}


@dataclass(frozen=True)
class TextRow:
    """One partnership in a map's text alternative (short lists): what the reader reads, and links."""

    collectivity: str
    collectivity_url: str
    partner: str  # "" when the source does not name it
    partner_url: str
    country: str
    country_url: str
    location: str  # « exacte », « approximative », « pays seulement » (in the edition's language)


@dataclass(frozen=True)
class CountryRow:
    """One country in a map's text alternative (the world map, long lists)."""

    country: str
    country_url: str
    partnerships: int
    collectivities: int
    named_partners: int


@dataclass
class MapInfo:
    """A map as an edition's pages show it; addresses are relative to the edition's root (the
    prefix `edition` leads from the site's root to it: "" or "en/")."""

    id: str
    title: str
    alt: str
    html: str  # the viewer's address for this map (cartes/?carte=<id>)
    data: str  # its JSON file (cartes/<id>.json)
    png: str  # the map as an image, 1200 px wide, shown at 600 px (sharp on dense screens); "" when PNGs are off
    svg: str | None
    links: int
    markers: int
    partnerships: list
    # -- for the page templates (partials/carte.md.j2) --
    page: str = ""  # the page that shows this map (relative to the site root): target of the email snippet
    rows: list[TextRow] = field(default_factory=list)  # text alternative, short lists
    summary: list[CountryRow] = field(default_factory=list)  # text alternative by country (world map, long lists)
    countries: int = 0  # countries coloured (world map)
    png_size: tuple = (0, 0)  # pixels of the PNG, known before it is drawn (link previews)
    # -- what the image does not say (it names places only): its caption, in the edition's language --
    source: str = ""  # « Source : <site>, d'après … »
    legend: list[LegendItem] = field(default_factory=list)  # the legend of what the image draws
    legend_title: str = ""
    edition: str = ""  # urls.edition_prefix() of the edition the pages belong to
    png_site: str = ""  # the PNG's path from the site's root (absolute address: site_url + png_site)


# ---------------------------------------------------------------------------------------------
# Data of one map

def _r(v: float) -> float:
    return round(v, 3)


def de(name: str) -> str:
    """French "de" before a name: "de Lille", "d'Arras", "du Portel", "de la Région…" (French only:
    the French sentences that need it are written with it, other languages' are in their catalogue)."""
    first = name.split(" ", 1)[0]
    if first == "Le":
        return "du " + name[3:]
    if first == "Les":
        return "des " + name[4:]
    if first in ("Communauté", "Métropole", "Région", "Collectivité", "Ville", "Commune"):
        return "de la " + name
    if first in ("Département", "Conseil", "Syndicat", "Pays", "Pôle"):
        return "du " + name
    if fold(name[:1]) in "aeiouyh":
        return "d'" + name
    return "de " + name


def _nb(phrase: str) -> str:
    """« 3 partenaires » held together: a no-break space after the number (`plural`'s first space)."""
    return phrase.replace(" ", "\u00a0", 1)


class _Context:
    """Lookups shared by every map of a build."""

    def __init__(self, atlas: Atlas, idx: Index, site_name: str):
        self.atlas, self.idx, self.site_name = atlas, idx, site_name
        self.theme_keys = list(atlas.themes)
        self.theme_pos = {k: i for i, k in enumerate(self.theme_keys)}
        self.nature_keys = list(NATURES)
        self.nature_pos = {k: i for i, k in enumerate(self.nature_keys)}
        self._rows: dict[int, TextRow] = {}
        # Where the flows start: the atlas's region, or France when it spans several.
        regions = {c.region for c in atlas.collectivites.values() if c.region}
        self.origin_name = regions.pop() if len(regions) == 1 else i18n.country_name("FR")
        self.french = i18n.language() == i18n.SOURCE

    def country_name(self, code: str) -> str:
        """The country's name in the edition's language (French: the atlas's own, as its pages say it)."""
        return self.atlas.countries[code].name if self.french else i18n.country_name(code)

    def theme_label(self, key: str) -> str:
        return i18n.gettext(self.atlas.themes[key].label)

    def row(self, p: Partnership) -> TextRow:
        """One line of a map's text alternative (URLs relative to the site root)."""
        key = id(p)
        if key not in self._rows:
            c = self.atlas.collectivites[p.collectivite]
            self._rows[key] = TextRow(
                collectivity=c.name, collectivity_url=urls.collectivite(c.slug),
                partner=p.partner.name if p.partner else "",
                partner_url=f"{urls.collectivite(c.slug)}#partenariat-{p.number}",
                country=self.country_name(p.country), country_url=urls.country(p.country),
                location=i18n.gettext(LOCATION_LABELS[p.location]) if p.location in LOCATION_LABELS else p.location)
        return self._rows[key]

    def source_line(self, keys: Counter) -> str:
        """ "Source : <site name>, d'après Lianes coopération (2009), …" """
        labels: list[str] = []
        for key, _count in keys.most_common():
            entry = self.atlas.sources.get(key)
            if entry is None:
                continue
            who = str(entry.extra.get("editeur") or entry.label)
            year = str(entry.extra.get("date") or "")[:4]
            label = f"{who} ({year})" if year else who
            if label not in labels:
                labels.append(label)
        if not labels:
            return _("Source : {site}.").format(site=self.site_name)
        if len(labels) > 4:
            more = len(labels) - 3
            labels = labels[:3] + [ngettext("{n} autre source", "{n} autres sources", more).format(n=i18n.number(more))]
        return _("Source : {site}, d'après {sources}.").format(site=self.site_name, sources=", ".join(labels))


class _Layers:
    """Markers and links of one map, deduplicated as drawn (records.py; wire format: static/carte.js)."""

    def __init__(self, ctx: _Context, themes: bool):
        self.ctx, self.themes = ctx, themes
        self.markers: list[Marker] = []
        self.marker_at: dict[tuple, int] = {}
        self.collectivities: list[Collectivity] = []
        self.collectivity_at: dict[str, int] = {}
        self.links: list[Link] = []
        self.link_at: dict[tuple, int] = {}
        self.countries: dict[str, Country] = {}
        self.fixed: list[int] = []  # markers always shown (the collectivité of the page), whatever the filters

    def collectivite(self, c: Collectivite) -> int:
        if c.slug not in self.collectivity_at:
            self.collectivity_at[c.slug] = len(self.collectivities)
            self.collectivities.append(Collectivity(c.name, urls.collectivite(c.slug), TYPE_KEYS.index(c.type)))
        return self.collectivity_at[c.slug]

    def seat(self, c: Collectivite) -> int | None:
        if c.seat is None:
            return None
        ci = self.collectivite(c)
        lat, lon = _r(c.seat.lat), _r(c.seat.lon)
        key = ("s", lat, lon)
        i = self.marker_at.get(key)
        if i is None:
            i = self.marker_at[key] = len(self.markers)
            self.markers.append(Marker(lat, lon, Kind.SEAT, collectivities=[ci], type=TYPE_KEYS.index(c.type)))
        elif ci not in self.markers[i].collectivities:
            self.markers[i].collectivities.append(ci)
        return i

    def add(self, p: Partnership) -> None:
        if p.point is None:  # a country without a shape: nothing to draw
            return
        ctx = self.ctx
        c = ctx.atlas.collectivites[p.collectivite]
        ci = self.collectivite(c)
        s = self.seat(c)
        if p.country not in self.countries:
            self.countries[p.country] = Country(ctx.country_name(p.country), urls.country(p.country))
        lat, lon = _r(p.point.lat), _r(p.point.lon)
        if p.location == LOCATION_COUNTRY:
            # One point at the country's centre: the partners the source does not name (counted),
            # and the named ones whose position is unknown (by name).
            kind, loc, key = Kind.COUNTRY, Location.COUNTRY, ("c", p.country)
            label = p.partner.name if p.partner else ""
        else:
            kind = Kind.APPROX if p.location == LOCATION_APPROX else Kind.PARTNER
            loc = Location.APPROX if kind is Kind.APPROX else Location.EXACT
            key, label = ("p", kind, lat, lon), p.partner.name
        i = self.marker_at.get(key)
        if i is None:
            i = self.marker_at[key] = len(self.markers)
            self.markers.append(Marker(lat, lon, kind, label=label, country=p.country))
        else:
            marker = self.markers[i]
            if label and label not in marker.label.split(" / "):
                marker.label = f"{marker.label} / {label}" if marker.label else label
        if kind is Kind.COUNTRY and not p.partner:
            self.markers[i].unnamed += 1
        themes = [ctx.theme_pos[t] for t in p.themes if t in ctx.theme_pos] if self.themes else []
        part = Part(p.number, ctx.nature_pos.get(p.nature, len(NATURES) - 1), p.since or 0)
        j = self.link_at.get((ci, i))
        if j is None:
            self.link_at[(ci, i)] = len(self.links)
            self.links.append(Link(-1 if s is None else s, i, ci, loc, themes, [part]))
        else:
            link = self.links[j]
            link.themes.extend(t for t in themes if t not in link.themes)
            link.parts.append(part)

    # -- counts and outputs --
    @property
    def n_links(self) -> int:
        return sum(1 for link in self.links if link.seat >= 0)

    @property
    def n_markers(self) -> int:
        return len(self.markers)

    def bounds(self) -> list | None:
        if not self.markers:
            return None
        lats = [m.lat for m in self.markers]
        lons = [m.lon for m in self.markers]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]

    def legend(self) -> list[LegendItem]:
        """What the map shows: drawn by carte.js, and written beside its image (the page, the e-mail snippet)."""
        types = {self.collectivities[ci].type for m in self.markers if m.kind is Kind.SEAT for ci in m.collectivities}
        kinds = {m.kind for m in self.markers}
        points = [m for m in self.markers if m.kind is Kind.COUNTRY]
        return legend.links([TYPE_KEYS[t] for t in sorted(types)], partners=bool(kinds & {Kind.PARTNER, Kind.APPROX}),
                            approx=Kind.APPROX in kinds, country_points=bool(points),
                            named=any(m.label for m in points), unnamed=any(m.unnamed for m in points))

    def flows(self, origin_name: str) -> tuple[Origin, list[Flow]] | None:
        """Partnerships aggregated by partner country, from one origin (the mean of the seats), the
        biggest flow first; None without a seat or a partner. A country's end is the mean of its
        partners' points, weighted by partnerships."""
        seats = [m for m in self.markers if m.kind is Kind.SEAT]
        if not seats:
            return None
        origin = Origin(origin_name, _r(sum(m.lat for m in seats) / len(seats)), _r(sum(m.lon for m in seats) / len(seats)))
        by_country: dict[str, list[Link]] = {}
        for link in self.links:
            by_country.setdefault(self.markers[link.partner].country, []).append(link)
        out = []
        for code, links in by_country.items():
            n = sum(len(link.parts) for link in links)
            lat = sum(self.markers[link.partner].lat * len(link.parts) for link in links)
            lon = sum(self.markers[link.partner].lon * len(link.parts) for link in links)
            out.append(Flow(code, self.countries[code].name, _r(lat / n), _r(lon / n), n,
                            len({link.collectivity for link in links})))
        out.sort(key=lambda f: (-f.partnerships, fold(f.name)))
        return (origin, out) if out else None

    def data(self, map_id: str, settings: Settings, filters: bool = False, max_zoom: int = 6) -> dict:
        types_present = [False] * len(TYPE_KEYS)
        for c in self.collectivities:
            types_present[c.type] = True
        d = {
            "id": map_id, "type": "liens", "links": self.n_links, "markers": self.n_markers,
            "typesPresents": types_present, "m": [m.wire() for m in self.markers], "l": [k.wire() for k in self.links],
            "c": [c.wire() for c in self.collectivities], "p": {code: c.wire() for code, c in self.countries.items()},
            "legend": _legend_data(self.legend()), "bounds": self.bounds(), "maxZoom": max_zoom,
            # busy maps: fainter lines, smaller points
            "opacity": round(max(0.25, 0.85 * min(1.0, (100 / max(self.n_links, 1)) ** 0.5)), 2),
            "dense": self.n_markers > 400,
        }
        if self.fixed:
            d["fixed"] = self.fixed
        if filters:
            d["filters"] = True
            d["themes"] = [[k, self.ctx.theme_label(k)] for k in self.ctx.theme_keys]
        return d

    def spec(self, map_id: str, world: bool = False, svg: bool = False,
             flows: tuple[Origin, list[Flow]] | None = None) -> static_maps.Spec:
        """What the image draws: places and their names, no other word (its caption says the rest)."""
        seats = [static_maps.Seat(m.lon, m.lat, TYPE_KEYS[m.type]) for m in self.markers if m.kind is Kind.SEAT]
        if flows:  # the flow design: the image shows what the web map shows at the world view
            origin, ends = flows
            lines = [static_maps.FlowLine(origin.lon, origin.lat, f.lon, f.lat, f.partnerships,
                                          f"{f.name} {f.partnerships}" if k < FLOW_LABELS else "")
                     for k, f in enumerate(ends)]
            return static_maps.Spec(map_id, "flux", seats, [], lines, world=world, svg=svg)
        partners = [static_maps.Point(m.lon, m.lat, m.kind) for m in self.markers if m.kind is not Kind.SEAT]
        lines = []
        for link in self.links:
            if link.seat >= 0:
                a, b = self.markers[link.seat], self.markers[link.partner]
                lines.append(static_maps.Line(a.lon, a.lat, b.lon, b.lat, link.location,
                                              TYPE_KEYS[self.collectivities[link.collectivity].type]))
        return static_maps.Spec(map_id, "liens", seats, partners, lines, world=world, svg=svg,
                                labels=self.labels(), subject_labels=len(self.fixed))

    def labels(self) -> list[static_maps.Label]:
        """Names the image writes beside their points: the map's collectivité (where its lines start),
        then each named partner at its own position; the names of partners at a country's centre are
        not a place, they stay in the legend and the text alternative."""
        first = [static_maps.Label(m.lon, m.lat, " / ".join(self.collectivities[ci].name for ci in m.collectivities))
                 for m in (self.markers[i] for i in self.fixed)]
        named = [static_maps.Label(m.lon, m.lat, m.label)
                 for m in self.markers if m.kind in (Kind.PARTNER, Kind.APPROX) and m.label]
        return first + sorted(named, key=lambda label: fold(label.text))


def _legend_data(items: list[LegendItem], title: str = "") -> dict:
    return {"title": title, "items": [item.wire() for item in items]}


def _summary(ctx: _Context, partnerships: list[Partnership]) -> list[CountryRow]:
    """Text alternative of long lists and of the world map: one row per country."""
    by_country: dict[str, list[Partnership]] = {}
    for p in partnerships:
        by_country.setdefault(p.country, []).append(p)
    rows = [CountryRow(country=ctx.country_name(code), country_url=urls.country(code), partnerships=len(ps),
                       collectivities=len({p.collectivite for p in ps}), named_partners=sum(1 for p in ps if p.partner))
            for code, ps in by_country.items()]
    rows.sort(key=lambda r: (-r.partnerships, fold(r.country)))
    return rows


def classes(top: int) -> list[ColorClass]:
    """Up to five classes from 1 to `top`, growing geometrically."""
    if top <= 0:
        return []
    if top <= 5:
        bounds = [(i, i) for i in range(1, top + 1)]
    else:
        uppers: list[int] = []
        for k in range(1, 6):
            u = top if k == 5 else max(1, round(top ** (k / 5)))
            if uppers and u <= uppers[-1]:
                u = uppers[-1] + 1
            uppers.append(min(u, top))
        uppers = sorted(set(uppers))
        bounds, low = [], 1
        for u in uppers:
            bounds.append((low, u))
            low = u + 1
    n = len(bounds)
    colors = [CLASS_COLORS[round(i * (len(CLASS_COLORS) - 1) / (n - 1))] for i in range(n)] if n > 1 else [CLASS_COLORS[2]]
    return [ColorClass(lo, hi, col) for (lo, hi), col in zip(bounds, colors, strict=True)]


# ---------------------------------------------------------------------------------------------
# The maps

@dataclass
class _Job:
    info: MapInfo
    data: dict
    label: str
    spec: static_maps.Spec | None


def _label(title: str, alt: str) -> str:
    """What the viewer's map region is called: its title, then its text alternative."""
    return _("Carte interactive : {title}. {alt}").format(title=title, alt=alt)


def _link_map(ctx: _Context, settings: Settings, map_id: str, title: str, alt: str, page: str,
              partnerships: list[Partnership], subject: Collectivite | None = None, filters: bool = False,
              world: bool = False, svg: bool = False, source_keys: Counter | None = None, flows: bool = False) -> _Job:
    layers = _Layers(ctx, themes=filters)
    if subject is not None:
        s = layers.seat(subject)
        if s is not None:
            layers.fixed.append(s)
        else:
            layers.collectivite(subject)
    for p in partnerships:
        layers.add(p)
    data = layers.data(map_id, settings, filters=filters, max_zoom=6)
    if world:
        data["bounds"] = WORLD_BOUNDS
    aggregated = layers.flows(ctx.origin_name) if flows else None
    image_legend, image_legend_title = layers.legend(), ""
    if aggregated:
        origin, ends = aggregated
        # titled with where the flows start (the region, or France); the image draws the flows too
        image_legend = legend.flows(ends[0].partnerships)
        image_legend_title = _("Depuis : {origin}").format(origin=origin.name)
        data["flows"] = {"origin": origin.wire(), "zoom": FLOW_ZOOM, "labelled": FLOW_LABELS,
                         "legend": _legend_data(image_legend, image_legend_title)}
    if source_keys is None:
        source_keys = Counter(k for p in partnerships for k in p.sources)
        if subject is not None and not partnerships:
            source_keys.update(subject.sources)
    svg = svg and layers.n_links <= SVG_MAX_LINKS  # beyond, the SVG weighs megabytes and takes seconds
    spec = layers.spec(map_id, world=world, svg=svg, flows=aggregated) if settings.png else None
    long = len(partnerships) > TABLE_MAX
    info = MapInfo(
        id=map_id, title=title, alt=alt, html=urls.map_html(map_id), data=urls.map_data(map_id), png="", svg=None,
        links=layers.n_links, markers=layers.n_markers, partnerships=list(partnerships), page=page,
        rows=[] if long else [ctx.row(p) for p in partnerships], summary=_summary(ctx, partnerships) if long else [],
        source=ctx.source_line(source_keys), legend=image_legend, legend_title=image_legend_title,
        edition=urls.edition_prefix(),
    )
    return _Job(info, data, _label(title, alt), spec)


def _ranked_countries(ctx: _Context, partnerships: list[Partnership], top: int) -> tuple[str, bool]:
    """ "Israël (2), Allemagne (2), Sénégal": the most frequent countries; and whether there are more."""
    counts = Counter(p.country for p in partnerships)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], fold(ctx.country_name(kv[0]))))
    parts = [ctx.country_name(c) + (f" ({i18n.number(n)})" if n > 1 else "") for c, n in ranked[:top]]
    return ", ".join(parts), len(ranked) > top


def _with_countries(ctx: _Context, text: str, partnerships: list[Partnership], top: int = 3) -> str:
    """The sentence, then its most frequent countries: « … : Israël (2), Sénégal » or « …, notamment … »."""
    countries, more = _ranked_countries(ctx, partnerships, top)
    if more:
        return _("{text}, notamment {countries}").format(text=text, countries=countries)
    return _("{text} : {countries}").format(text=text, countries=countries)


def _with_unknown(text: str, unknown: int) -> str:
    """The sentence, then how many partners are known by their country only (the grey dashes)."""
    if not unknown:
        return text
    return ngettext("{text} ; un partenaire n'est connu que par son pays, relié au centre du pays en tirets gris",
                    "{text} ; {n} partenaires ne sont connus que par leur pays, reliés au centre du pays en tirets gris",
                    unknown).format(text=text, n=i18n.number(unknown))


def _collectivite_title(name: str) -> str:
    if i18n.language() == i18n.SOURCE:  # French joins « de » to the name's article: du Portel, d'Arras
        return f"Partenariats {de(name)} dans le monde"
    return _("Partenariats de {name} dans le monde").format(name=name)


def _collectivite_job(ctx: _Context, settings: Settings, c: Collectivite) -> _Job:
    ps = c.partnerships
    title = _collectivite_title(c.name)
    n_countries = len({p.country for p in ps})
    if not ps and c.partners_unknown:
        alt = _("Carte situant {name} ; aucun partenariat international n'y est recensé "
                "(partenaires non connus à ce jour).").format(name=c.name)
    elif not ps:
        alt = _("Carte situant {name} ; aucun partenariat international n'y est recensé.").format(name=c.name)
    else:
        text = _("Carte reliant {name} à {partners} dans {countries}").format(
            name=c.name, partners=_nb(plural(len(ps), "partenaire", "partenaires")),
            countries=_nb(plural(n_countries, "pays", "pays")))
        text = _with_unknown(_with_countries(ctx, text, ps, 5), sum(1 for p in ps if not p.partner))
        if c.seat is None:
            text = _("{text} ; le siège de la collectivité n'est pas localisé, seuls les partenaires sont placés").format(text=text)
        alt = text + "."
    return _link_map(ctx, settings, f"collectivite-{c.slug}", title, alt, urls.collectivite(c.slug), ps, subject=c)


def _country_job(ctx: _Context, settings: Settings, code: str, ps: list[Partnership]) -> _Job:
    name = ctx.country_name(code)
    n_c = len({p.collectivite for p in ps})
    title = _("{country} : les partenariats des collectivités").format(country=name)
    text = _("Carte des {partnerships} de {collectivities} avec des partenaires de ce pays ({country}), "
             "reliés au siège de chaque collectivité").format(
        partnerships=_nb(plural(len(ps), "partenariat", "partenariats")),
        collectivities=_nb(plural(n_c, "collectivité", "collectivités")), country=name)
    alt = _with_unknown(text, sum(1 for p in ps if not p.partner)) + "."
    return _link_map(ctx, settings, f"pays-{code.lower()}", title, alt, urls.country(code), ps)


def _theme_job(ctx: _Context, settings: Settings, key: str, ps: list[Partnership]) -> _Job:
    label = ctx.theme_label(key)
    title = _("Thématique « {theme} » : les partenariats").format(theme=label)
    if ps:
        text = _("Carte des {partnerships} de la thématique « {theme} », entre {collectivities} et des "
                 "partenaires de {countries}").format(
            partnerships=_nb(plural(len(ps), "partenariat", "partenariats")), theme=label,
            collectivities=_nb(plural(len({p.collectivite for p in ps}), "collectivité", "collectivités")),
            countries=_nb(plural(len({p.country for p in ps}), "pays", "pays")))
        alt = _with_countries(ctx, text, ps) + "."
    else:
        alt = _("Carte vide : aucun partenariat n'est encore rattaché à la thématique « {theme} ».").format(theme=label)
    return _link_map(ctx, settings, f"thematique-{key}", title, alt, urls.theme(key), ps)


def _links_job(ctx: _Context, settings: Settings) -> _Job:
    ps = ctx.atlas.partnerships
    title = _("Qui coopère avec qui : les partenariats des collectivités")
    n_countries, n_with = len({p.country for p in ps}), len({p.collectivite for p in ps})
    n_all = len(ctx.atlas.collectivites)
    text = ngettext("Carte du monde où une ligne courbe relie les collectivités ({origin}) à chacun des {n}\u00a0pays "
                    "partenaires, d'autant plus épaisse que les partenariats y sont nombreux : {partnerships} en tout",
                    "Carte du monde où une ligne courbe relie les collectivités ({origin}) à chacun des {n}\u00a0pays "
                    "partenaires, d'autant plus épaisse que les partenariats y sont nombreux : {partnerships} en tout",
                    n_countries).format(origin=ctx.origin_name, n=i18n.number(n_countries),
                                        partnerships=_nb(plural(len(ps), "partenariat", "partenariats")))
    text = _with_countries(ctx, text, ps)
    if n_with < n_all:
        text = ngettext("{text} ; {n} des {total} collectivités de l'atlas ont au moins un partenariat recensé",
                        "{text} ; {n} des {total} collectivités de l'atlas ont au moins un partenariat recensé",
                        n_with).format(text=text, n=i18n.number(n_with), total=i18n.number(n_all))
    text = _("{text}. En zoomant (ou en choisissant un pays), la carte montre chaque lien entre une collectivité "
             "et son partenaire").format(text=text)
    alt = _with_unknown(text, sum(1 for p in ps if not p.partner)) + "."
    return _link_map(ctx, settings, "liens", title, alt, "", ps, filters=True, world=True, svg=True, flows=True)


def _world_job(ctx: _Context, settings: Settings) -> _Job:
    atlas, idx = ctx.atlas, ctx.idx
    counts = {code: len(ps) for code, ps in idx.by_country.items() if ps}
    top = max(counts.values(), default=0)
    cls = classes(top)

    def color(n: int) -> str:
        return next(c.color for c in cls if n <= c.high)

    from atlas.content.countries import shapes

    shaped = set(shapes().index)
    by_country = {code: CountryCount(ctx.country_name(code), n, urls.country(code),
                                     len({p.collectivite for p in idx.by_country[code]}))
                  for code, n in counts.items()}
    drawn = sum(1 for code in by_country if code in shaped)
    legend_title = _("Partenariats par pays")
    data = {"id": "monde", "type": "choroplethe", "byCountry": {code: c.wire() for code, c in by_country.items()},
            "classes": [c.wire() for c in cls],
            "legend": _legend_data(legend.classes(cls), legend_title) if cls else None, "countries": drawn,
            "links": 0, "markers": 0, "bounds": WORLD_BOUNDS}
    title = _("Nombre de partenariats par pays")
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], fold(ctx.country_name(kv[0]))))
    head = ", ".join(f"{ctx.country_name(c)} ({i18n.number(n)})" for c, n in ranked[:3])
    text = ngettext("Carte du monde où {n}\u00a0pays sont colorés selon leur nombre de partenariats, de 1 à {top}",
                    "Carte du monde où {n}\u00a0pays sont colorés selon leur nombre de partenariats, de 1 à {top}",
                    len(counts)).format(n=i18n.number(len(counts)), top=i18n.number(top))
    if head:
        text = _("{text} ; en tête : {countries}").format(text=text, countries=head)
    alt = text + "."
    ps = atlas.partnerships
    spec = None
    if settings.png:
        spec = static_maps.Spec("monde", kind="choroplethe", values={c: color(n) for c, n in counts.items()},
                                world=True, svg=True)
    info = MapInfo(id="monde", title=title, alt=alt, html=urls.map_html("monde"), data=urls.map_data("monde"), png="", svg=None,
                   links=0, markers=0, partnerships=ps, page="", rows=[], summary=_summary(ctx, ps), countries=drawn,
                   source=ctx.source_line(Counter(k for p in ps for k in p.sources)),
                   legend=legend.classes(cls), legend_title=legend_title, edition=urls.edition_prefix())
    return _Job(info, data, _label(title, alt), spec)


def jobs(atlas: Atlas, idx: Index, settings: Settings) -> list[_Job]:
    ctx = _Context(atlas, idx, settings.site_name)
    out = [_world_job(ctx, settings), _links_job(ctx, settings)]
    out += [_collectivite_job(ctx, settings, c) for c in atlas.collectivites.values()]
    out += [_country_job(ctx, settings, code, ps) for code, ps in idx.by_country.items() if ps]
    out += [_theme_job(ctx, settings, key, idx.by_theme.get(key, [])) for key in atlas.themes]
    return out


class PendingImages:
    """PNG/SVG maps being drawn by worker processes while the caller goes on (MkDocs renders its
    pages meanwhile); `finish` writes each image as it arrives, so none is held in memory."""

    def __init__(self, results, infos: dict[str, MapInfo], cache: ImageCache | None = None, timings: dict | None = None):
        self._results, self._infos, self.cache = results, infos, cache
        self.timings = timings or {}  # ms: the maps' data and pages (generate_deferred), the images' wait (finish)

    def finish(self, emit: Emit) -> list[float]:
        t0 = time.perf_counter()
        ms = []
        for spec, result in self._results or ():
            info = self._infos[spec.id]
            emit(info.png, result["png"])
            if info.svg and result.get("svg"):
                emit(info.svg, result["svg"])
            ms.append(result["ms"])
        self._results = None
        if self.cache is not None:
            self.cache.prune()
        self.timings.update(png_wait_ms=(time.perf_counter() - t0) * 1000,
                            png_ms_per_map=(sum(ms) / len(ms)) if ms else 0.0)
        return ms

    def cancel(self) -> None:
        """Stop the drawing (failed build, `atlas serve` rebuild, end of MkDocs): closing the
        iterator shuts its worker pool down and drops the maps not yet drawn."""
        results, self._results = self._results, None
        close = getattr(results, "close", None)
        if close is not None:
            close()


def generate_deferred(atlas: Atlas, idx: Index, emit: Emit, settings: Settings,
                      kept: Callable[[str, str], bool] | None = None) -> tuple[dict[str, MapInfo], PendingImages]:
    """Emit every map page now; start the images and return them pending (their addresses are
    already in the MapInfo records, so pages can link them before they exist). `kept(uri, key)`:
    whether the previous site already holds that image as this spec draws it (site/reuse.py):
    such an image is neither drawn nor written."""
    t0 = time.perf_counter()
    todo = jobs(atlas, idx, settings)
    t1 = time.perf_counter()
    png_iter, cache = None, None
    out: dict[str, MapInfo] = {job.info.id: job.info for job in todo}
    if settings.png:
        here = [job for job in todo if job.spec is not None and _drawn_here(job.spec)]
        for job in todo:
            if job.spec is not None:
                _address_images(job, job in here)
        # Start the PNG workers first: they draw while this process writes the HTML pages.
        cache = ImageCache(settings.images_cache) if settings.images_cache else None
        to_draw = [j.spec for j in here if not (kept and _images_kept(j, kept))]
        png_iter = static_maps.render_many(to_draw, settings.workers, cache)
        for job in todo:  # while the workers draw: the size a link preview announces
            if job.spec is not None:
                job.info.png_size = static_maps.size(job.spec)
    # One viewer page for every map, then each map's data: what the reader's browser fetches.
    t = time.perf_counter()
    emit(urls.MAP_VIEWER, viewer.render(settings.tiles_url, settings.tiles_attribution, settings.tiles_name,
                                        settings.site_name, shared_data(settings), settings.languages))
    for job in todo:
        emit(job.info.data, _data_file(job))
    html_ms = (time.perf_counter() - t) * 1000
    timings = {"maps": len(out), "data_ms": (t1 - t0) * 1000, "html_ms": html_ms, "html_ms_per_map": html_ms / max(len(out), 1)}
    return out, PendingImages(png_iter, out, cache, timings)


def _drawn_here(spec: static_maps.Spec) -> bool:
    """The French build draws every image; another edition only those written in its language."""
    return i18n.language() == i18n.SOURCE or not spec.shared


def _address_images(job: _Job, own: bool) -> None:
    """Where the edition's pages find the job's images: its own (drawn by this build, under the
    edition's root), or the French build's, shared (urls.shared: "../cartes/…" from en/)."""
    png, svg = urls.map_png(job.info.id), (f"cartes/{job.info.id}.svg" if job.spec.svg else None)
    if own:
        job.info.png, job.info.svg, job.info.png_site = png, svg, urls.edition_prefix() + png
    else:
        job.info.png, job.info.svg, job.info.png_site = urls.shared(png), svg and urls.shared(svg), png


def _data_file(job: _Job) -> str:
    """The map's data file, as the viewer fetches it."""
    job.data.update(title=job.info.title, label=job.label, page=job.info.page)
    return viewer.to_json(job.data)


def some_maps(atlas: Atlas, idx: Index, settings: Settings, slugs=(), codes=(), themes=()) -> dict[str, tuple[MapInfo, str]]:
    """The maps of these collectivités, countries and themes as `generate_deferred` makes them (map
    id → its record and its data file), their images not drawn: what `atlas serve` shows first
    after a save (commands/preview.py)."""
    ctx = _Context(atlas, idx, settings.site_name)
    todo = [_collectivite_job(ctx, settings, atlas.collectivites[s]) for s in slugs]
    todo += [_country_job(ctx, settings, code, idx.by_country[code]) for code in codes if idx.by_country.get(code)]
    todo += [_theme_job(ctx, settings, key, idx.by_theme.get(key, [])) for key in themes]
    out = {}
    for job in todo:
        if settings.png and job.spec is not None:
            _address_images(job, _drawn_here(job.spec))
            job.info.png_size = static_maps.size(job.spec)
        out[job.info.id] = (job.info, _data_file(job))
    return out


def _images_kept(job, kept: Callable[[str, str], bool]) -> bool:
    """Each of the job's images (PNG, SVG) recorded with its key; True when all are kept."""
    key = image_key(job.spec)
    uris = [job.info.png] + ([job.info.svg] if job.info.svg else [])
    return all([kept(uri, f"{key}:{uri.rsplit('.', 1)[-1]}") for uri in uris])  # a list: every one recorded


def shared_data(settings: Settings) -> dict:
    """What every map's data would otherwise repeat (4,955 times nationally): given once by the
    viewer page (one per edition, in its language), under which the script lays each map's own JSON."""
    return {"root": ROOT, "tiles": i18n.gettext(settings.tiles_name),
            "shapes": viewer.shared(assets.SHAPES_JS),  # loaded when a map draws countries
            "types": [[k, i18n.gettext(COLLECTIVITE_TYPES[k]), TYPE_COLORS[k]] for k in TYPE_KEYS],
            "natures": [i18n.gettext(NATURES[k]) for k in NATURES], "colors": COLORS,
            "textes": viewer.words(),  # the script's words, in the edition's language
            # the codes of records.py, sent once: carte.js has none of its own
            "kinds": {k.name: int(k) for k in Kind}, "locations": {k.name: int(k) for k in Location}}
