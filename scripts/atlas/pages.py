"""Generated pages: one Markdown page per collectivité, country, theme, network, plus indexes.

Python gathers what each page shows; the templates in templates/pages/ hold the markup.
"""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import jinja2
import jinja2.sandbox

from . import countries, urls
from .index import Index
from .model import (COLLECTIVITE_TYPES, LOCATION_APPROX, LOCATION_COUNTRY, NATURES, ORGANISATION_FORMS,
                    STATUSES, Atlas)

Emit = Callable[[str, str], None]


def fr_number(value) -> str:
    """12345.0 → "12 345" (French thousands separator: narrow no-break space)."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}".replace(",", " ").replace(".", ",")
    else:
        text = f"{int(value):,}".replace(",", " ")
    return text.replace(" ", "\u202f")


def cell(value) -> str:
    """Text safe inside a Markdown table cell."""
    return str(value or "").replace("|", "\\|").replace("\n", " ")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("atlas", "templates"),
        autoescape=False,  # Markdown output; values go through `e` where they land in HTML
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(fr_number=fr_number, cell=cell, pays=countries.name_fr)
    env.globals.update(
        urls=urls, TYPES=COLLECTIVITE_TYPES, NATURES=NATURES, STATUSES=STATUSES,
        FORMS=ORGANISATION_FORMS, LOCATION_COUNTRY=LOCATION_COUNTRY, LOCATION_APPROX=LOCATION_APPROX,
    )
    return env


def sandbox() -> jinja2.sandbox.SandboxedEnvironment:
    """For the hand-written pages of docs/ that use the atlas's figures: no attribute walk to Python internals."""
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.PackageLoader("atlas", "templates"), autoescape=False,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters.update(environment().filters)
    env.globals.update(environment().globals)
    return env


@dataclass
class Site:
    """What every template may read besides its own subject."""

    atlas: Atlas
    idx: Index
    maps: dict  # map id → maps.MapInfo
    site_url: str
    licence: str
    licence_url: str
    repo_url: str
    exports: dict

    def figures(self) -> dict:
        a = self.atlas
        return {
            "collectivites": len(a.collectivites),
            "partenariats": len(a.partnerships),
            "pays": len(self.idx.by_country),
            "thematiques": sum(1 for v in self.idx.by_theme.values() if v),
            "partenaires_connus": sum(1 for p in a.partnerships if p.partner),
            "projets": sum(len(p.projects) for p in a.partnerships),
        }


def _bars(counter: Counter, labels: dict | None = None, link=None) -> list[dict]:
    top = max(counter.values(), default=0) or 1
    rows = []
    for key, n in counter.most_common():
        rows.append({"key": key, "label": (labels or {}).get(key, key), "n": n,
                     "pct": round(100 * n / top), "url": link(key) if link else None})
    return rows


def _fact_counts(atlas: Atlas) -> Counter:
    """How many facts cite each source (partnerships, projects, memberships, populations...)."""
    n: Counter = Counter()
    for c in atlas.collectivites.values():
        n.update(c.sources)
        if c.population:
            n[c.population[2]] += 1
        for m in c.networks:
            n.update(m.sources)
        for o in c.organisation:
            n.update(o.sources)
        for p in c.partnerships:
            n.update(p.sources)
            for proj in p.projects:
                n.update(proj.sources)
    for country in atlas.countries.values():
        n.update(country.sources)
        n.update(f.source for f in country.figures)
    for t in atlas.tables.values():
        n[t.source] += 1
    return n


def _unknowns(atlas: Atlas) -> dict:
    no_partner = [p for p in atlas.partnerships if not p.partner]
    approx = [p for p in atlas.partnerships if p.location == LOCATION_APPROX]
    approx_seats = [c for c in atlas.collectivites.values() if c.seat and c.seat.approximate]
    no_seat = [c for c in atlas.collectivites.values() if not c.seat]
    return {
        "sans_partenaire": no_partner,
        "sans_partenaire_par_collectivite": Counter(p.collectivite for p in no_partner),
        "coordonnees_approx": approx,
        "partenaires_sans_coordonnees": [p for p in atlas.partnerships if p.partner and not p.partner.point],
        "sieges_approx": approx_seats,
        "sans_siege": no_seat,
        "partenaires_inconnus": [c for c in atlas.collectivites.values() if c.partners_unknown],
        "sans_annee": sum(1 for p in atlas.partnerships if not p.since),
    }


def _published_by_country(atlas: Atlas, idx: Index) -> tuple[list[str], list[dict]]:
    """Rows: country, the atlas's count, then each published per-country figure side by side."""
    columns: dict[tuple, str] = {}
    for c in atlas.countries.values():
        for f in c.figures:
            columns.setdefault((f.label, f.year, f.source), f"{f.label}")
    cols = sorted(columns, key=lambda k: (k[1], k[0]))
    rows = []
    for code, country in atlas.countries.items():
        values = {(f.label, f.year, f.source): f for f in country.figures}
        n = len(idx.by_country.get(code, []))
        if not n and not values:
            continue
        rows.append({"code": code, "name": country.name, "atlas": n,
                     "published": [values.get(k) for k in cols]})
    rows.sort(key=lambda r: (-r["atlas"], countries.fold(r["name"])))
    return [{"label": k[0], "year": k[1], "source": k[2]} for k in cols], rows


def generate(site: Site, emit: Emit) -> list[str]:
    """Render every generated page; returns the list of source paths emitted."""
    env = environment()
    atlas, idx = site.atlas, site.idx
    written: list[str] = []
    common = {"site": site, "atlas": atlas, "idx": idx, "maps": site.maps, "site_url": site.site_url,
              "today": datetime.date.today()}

    def page(template: str, url: str, **ctx) -> None:
        src = urls.page_src(url)
        text = env.get_template(f"pages/{template}").render(**common, base=urls.to_root(url), url=url, **ctx)
        emit(src, text)
        written.append(src)

    # Collectivités
    for c in atlas.collectivites.values():
        page("collectivite.md.j2", urls.collectivite(c.slug), c=c, synergies=idx.synergies(c.slug),
             carte=site.maps.get(f"collectivite-{c.slug}"))
    page("collectivites.md.j2", "collectivites/",
         departements=sorted({c.departement for c in atlas.collectivites.values() if c.departement}))
    # Countries
    # Every country with a file gets a page, even with no partnership yet: the figures the
    # sources published for it (Cuba in 2009...) are worth showing next to the atlas's zero.
    for code in atlas.countries:
        partnerships = idx.by_country.get(code, [])
        page("pays.md.j2", urls.country(code), country=atlas.countries[code], partnerships=partnerships,
             collectivites=idx.collectivites_in(code), zone=atlas.zones.get(atlas.countries[code].zone),
             carte=site.maps.get(f"pays-{code.lower()}"))
    by_zone: dict[str, list] = {}
    for code in atlas.countries:
        by_zone.setdefault(atlas.countries[code].zone, []).append(atlas.countries[code])
    page("pays-index.md.j2", "pays/", by_zone=[(atlas.zones[z], by_zone[z]) for z in atlas.zones if z in by_zone])
    # Themes
    for key, theme in atlas.themes.items():
        page("thematique.md.j2", urls.theme(key), theme=theme, partnerships=idx.by_theme.get(key, []),
             carte=site.maps.get(f"thematique-{key}"))
    page("thematiques.md.j2", "thematiques/")
    # Networks
    for key, network in atlas.networks.items():
        page("reseau.md.j2", urls.network(key), network=network, members=idx.by_network.get(key, []))
    page("reseaux.md.j2", "reseaux/")
    # Sources, statistics, data
    page("sources.md.j2", "sources/", facts=_fact_counts(atlas), unknowns=_unknowns(atlas))
    columns, published_rows = _published_by_country(atlas, idx)
    zone_labels = {k: z.label for k, z in atlas.zones.items()}
    theme_labels = {k: t.label for k, t in atlas.themes.items()}
    page("statistiques.md.j2", "statistiques/",
         by_country=_bars(idx.count_by_country(), {c: atlas.countries[c].name for c in idx.by_country},
                          lambda c: urls.country(c)),
         by_zone=_bars(idx.count_by_zone(), zone_labels),
         by_theme=_bars(idx.count_by_theme(), theme_labels, lambda k: urls.theme(k)),
         by_type=_bars(idx.count_by_type(), COLLECTIVITE_TYPES),
         by_decade=sorted(_bars(idx.count_by_decade()), key=lambda r: r["key"]),
         published_columns=columns, published_rows=published_rows,
         zone_table=_zone_comparison(atlas, idx))
    page("donnees.md.j2", "donnees/", exports=site.exports, licence=site.licence, licence_url=site.licence_url)
    return written


def _zone_comparison(atlas: Atlas, idx: Index) -> list[dict]:
    """Published zone tables next to the atlas's own zone counts."""
    counts = idx.count_by_zone()
    out = []
    for t in atlas.tables.values():
        if any(r.zone for r in t.rows):
            out.append({"table": t, "rows": [{"row": r, "atlas": counts.get(r.zone) if r.zone else None} for r in t.rows]})
    return out
