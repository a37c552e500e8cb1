"""Generated pages: one HTML page per collectivité, country, theme, network, plus indexes.

Python gathers what each page shows; the templates in templates/pages/ hold the markup.
"""
from __future__ import annotations

import datetime
import functools
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from slugify import slugify

from atlas import SITE_NAME, fr, i18n, urls
from atlas.content import countries, gazetteer
from atlas.content.history import History, history_url
from atlas.content.index import Index
from atlas.content.model import (
    COLLECTIVITE_TYPES,
    LOCATION_APPROX,
    NATURE_TITLES,
    NATURES,
    STATUSES,
    Atlas,
)
from atlas.i18n import _, ngettext, plural
from atlas.site import cards, pagecache, social
from atlas.site.news import FEED_PATH
from atlas.site.pagecache import Scope
from atlas.site.templating import environment, sandbox


def render_hand_written(markdown: str, site: Site, url: str) -> str:
    """A hand-written page of docs/ that asks for the atlas's figures (`atlas: true`), rendered in the sandbox."""
    return sandbox().from_string(markdown).render(site=site, atlas=site.atlas, idx=site.idx, maps=site.maps,
                                                  site_url=site.site_url, base=urls.to_root(url), url=url)


@dataclass
class GeneratedPage:
    """A generated page: its title and description as plain text, its HTML body rendered on demand."""

    title: str
    description: str
    render: Callable[[], str]
    preview: dict | None = None  # link preview (social.Preview.as_meta()): plain text, absolute URLs
    search_text: str = ""  # the sentence a search result shows (plain text; see search.py)
    search_hidden: str = ""  # the names it is also found by, not shown
    key: str = ""  # hash of everything its template reads (pagecache.py); empty: not cached


EmitPage = Callable[[str, "GeneratedPage"], None]


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
    history: History = field(default_factory=History)
    content_dir: Path | None = None
    name: str = SITE_NAME
    news: list = field(default_factory=list)  # news.NewsEntry, newest first
    feed: object = None  # news.Feed, or None without an absolute site address
    digests: pagecache.Digests | None = None  # content hashes: pages get cache keys (None: no cache)
    contact: str = ""  # e-mail address for readers without a GitHub account ("" : none offered)

    def report_url(self, name: str, url: str) -> str:
        """The « Signaler une erreur » form, its first answers filled in (GitHub reads them from the
        address); without a repository, the guide's section on it."""
        if not self.repo_url:
            return ""
        query = urllib.parse.urlencode({"template": "signaler-une-erreur.yml", "labels": "erreur signalée",
                                        "collectivite": name, "page": url})
        return f"{self.repo_url.rstrip('/')}/issues/new?{query}"

    def freshness(self, relative: str) -> dict | None:
        """When the file `relative` (to the content folder) last changed, and where its history is."""
        if not self.history or self.content_dir is None:
            return None
        change = self.history.last_change(self.content_dir / relative)
        if change is None:
            return None
        path = self.history.relative(self.content_dir / relative)
        # The file's own last commit, not the checkout's: the same link until the file changes again
        # (a page changing with every commit of the repository could never come from the cache).
        return {"date": change.date, "url": history_url(self.repo_url, change.commit, path) if path else ""}

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


LONG_LIST = 200  # partnerships: beyond, a country, theme or nature page lists each collectivité once


def by_collectivite(atlas: Atlas, partnerships: list, theme: str | None = None) -> dict | None:
    """A long listing regrouped for reading (a national theme gathers thousands of partnerships:
    megabytes of table, unreadable on a phone): each collectivité once, with its partnerships and
    its projects here, by région — by département when all are in one région. None: the list is
    short enough to show in full."""
    if len(partnerships) <= LONG_LIST:
        return None
    per: dict[str, list] = {}
    for p in partnerships:
        per.setdefault(p.collectivite, []).append(p)
    rows = [(atlas.collectivites[slug], ps,
             sum(1 for p in ps for proj in p.projects if theme is None or theme in proj.themes or theme in p.themes))
            for slug, ps in per.items()]
    by_region = len({row[0].region for row in rows}) > 1
    groups: dict[str, list] = {}
    for row in rows:
        c = row[0]
        # The group's French name: its anchor, the same in every edition (a shared link keeps working).
        if by_region:
            label = c.region or "Région non renseignée"
        else:
            label = f"Département {c.departement}" if c.departement else "Département non renseigné"
        groups.setdefault(label, []).append(row)
    out, ids = [], set()
    for label in sorted(groups, key=fr.sort_key):
        # Régions are typed by contributors: « Hauts-de-France » and « Hauts de France » share a slug.
        anchor = base = "collectivites-" + (slugify(label) or "region")
        n = 1
        while anchor in ids:
            n += 1
            anchor = f"{base}-{n}"
        ids.add(anchor)
        out.append({"id": anchor, "label": _group_label(groups[label][0][0], by_region),
                    "rows": sorted(groups[label], key=lambda row: fr.sort_key(row[0].name))})
    out.sort(key=lambda group: fr.sort_key(group["label"]))  # the edition's names in its order
    return {"by": "région" if by_region else "département", "collectivites": len(rows), "groups": out}


def _group_label(c, by_region: bool) -> str:
    """A by_collectivite group's name in the edition's language (a région's name is typed: kept)."""
    if by_region:
        return c.region or _("Région non renseignée")
    return _("Département {number}").format(number=c.departement) if c.departement else _("Département non renseigné")


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


def _published_by_country(atlas: Atlas, idx: Index) -> tuple[list[dict], list[dict]]:
    """Rows: country, the atlas's count, then each published per-country figure side by side."""
    columns: dict[tuple, object] = {}  # → the first figure of the column: its label, typed in French
    for c in atlas.countries.values():
        for f in c.figures:
            columns.setdefault((f.label, f.year, f.source), f)
    cols = sorted(columns, key=lambda k: (k[1], k[0]))
    rows = []
    for code, country in atlas.countries.items():
        values = {(f.label, f.year, f.source): f for f in country.figures}
        n = len(idx.by_country.get(code, []))
        if not n and not values:
            continue
        rows.append({"code": code, "name": i18n.country_name(code), "atlas": n,
                     "published": [values.get(k) for k in cols]})
    rows.sort(key=lambda r: (-r["atlas"], countries.fold(r["name"])))
    return [{"label": k[0], "year": k[1], "source": k[2], "figure": columns[k]} for k in cols], rows


@dataclass(frozen=True)
class BriefPartner:
    name: str
    number: int  # the partnership's anchor on the page (#partenariat-N)
    detail: str  # « jumelage, depuis 1963 » (in the edition's language)


@dataclass(frozen=True)
class BriefCountry:
    """One line of a collectivité's answer-first list: a country and who there."""

    code: str
    name: str
    named: tuple[BriefPartner, ...]
    unnamed: str  # « 2 partenaires que les sources ne nomment pas (jumelage) », or ""


def brief(c, atlas: Atlas) -> list[BriefCountry]:
    """Who with, in a few lines: the partners by country (in the order of the edition's country
    names), each with its nature and years when known; the partners the sources do not name,
    counted in one phrase per country."""
    by_country: dict[str, list] = {}
    for p in c.partnerships:
        by_country.setdefault(p.country, []).append(p)
    ended = i18n.gettext(STATUSES["termine"]).lower()
    out = []
    for code, ps in by_country.items():
        named = tuple(BriefPartner(p.partner.name, p.number,
                                   ", ".join(x for x in (i18n.gettext(NATURES[p.nature]).lower(),
                                                         i18n.years(p.since, p.until),
                                                         ended if p.status == "termine" else "") if x))
                      for p in ps if p.partner)
        anonymous = [p for p in ps if not p.partner]
        natures = Counter(i18n.gettext(NATURES[p.nature]).lower() for p in anonymous)
        unnamed = ""
        if anonymous:
            kinds = ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in natures.most_common())
            unnamed = plural(len(anonymous), "partenaire que les sources ne nomment pas",
                             "partenaires que les sources ne nomment pas") + f" ({kinds})"
        out.append(BriefCountry(code, i18n.country_name(code), named, unnamed))
    out.sort(key=lambda b: fr.sort_key(b.name))
    return out


class _Writer:
    """Hands each generated page to `emit_page`, with the cache key of what its template reads."""

    def __init__(self, site: Site, emit_page: EmitPage):
        self.site, self.atlas, self.idx, self.emit_page = site, site.atlas, site.idx, emit_page
        self.env = environment()
        self.written: list[str] = []
        year = datetime.date.today().year  # only the year: the pages (and their cache) do not change every day
        self.common = {"site": site, "atlas": site.atlas, "idx": site.idx, "maps": site.maps, "site_url": site.site_url,
                       "year": year}
        digests = site.digests
        # What every page reads besides its own context: settings, the year, reference data, code.
        self.shared = "" if digests is None else pagecache.fingerprint(
            [site.site_url, site.name, site.licence, site.licence_url, site.repo_url, site.contact, year,
             digests.reference, pagecache.code_version()], digests.records)

    def page(self, template: str, url: str, title: str, description: str, preview: str = "", words: tuple = (),
             scope: Scope = Scope.OWN, **ctx) -> None:
        """`preview`: the one sentence a chat or a social network shows with the page's map;
        `words`: the names a reader may search the page by, besides its title and description;
        `scope`: Scope.ALL for a page reading the atlas's aggregates (idx, atlas), not only `ctx`."""
        src, site, digests = urls.page_src(url), self.site, self.site.digests
        map_info = ctx.get("map_info")
        shown = social.preview(title, preview or description, site.site_url, url, map_info,
                               map_info.png_size if map_info is not None else None)
        meta, hidden = shown.as_meta(), search_words(words)
        key = "" if digests is None else pagecache.inputs_key(
            self.shared, template, url, scope, digests,
            {"title": title, "description": description, "meta": meta, "search": hidden, **ctx})
        render = functools.partial(self._render, template, url, ctx)
        self.emit_page(src, GeneratedPage(title, description, render, meta, search_text=description, search_hidden=hidden, key=key))
        self.written.append(src)

    @functools.cached_property
    def by_nature(self) -> dict[str, list]:
        """Partnerships by nature: the themes' index and the natures' pages both read it."""
        out: dict[str, list] = {}
        for p in self.atlas.partnerships:
            out.setdefault(p.nature, []).append(p)
        return out

    def overview(self, *args, **kwargs) -> None:
        """Index and overview pages read the atlas's aggregates: any file changes them."""
        self.page(*args, scope=Scope.ALL, **kwargs)

    def _render(self, template: str, url: str, ctx: dict) -> str:
        page = self.env.get_template(f"pages/{template}").render(**self.common, base=urls.to_root(url), url=url, **ctx)
        return cards.label_cells(page)  # tables read as cards on a phone


def _collectivite_pages(w: _Writer) -> None:
    atlas, idx, site = w.atlas, w.idx, w.site
    departements = gazetteer.departements()
    for c in atlas.collectivites.values():
        n_countries = len({p.country for p in c.partnerships})
        where = f" ({departements.get(c.departement, c.departement)})" if c.departement else ""
        count = (_("{partnerships} dans {countries}").format(
                     partnerships=plural(len(c.partnerships), "partenariat", "partenariats"),
                     countries=plural(n_countries, "pays", "pays")) if c.partnerships
                 else _("partenaires non connus à ce jour") if c.partners_unknown else _("aucun partenariat recensé"))
        kind = i18n.gettext(c.type_label)
        w.page("collectivite.html.j2", urls.collectivite(c.slug), c.name,
               _("{name} — {kind}{where} : {count}.").format(name=c.name, kind=kind.lower(), where=where, count=count),
               preview=social.collectivite_sentence(c), freshness=site.freshness(c.file),
               words=(kind, c.departement or "", c.region, *c.aliases,
                      *(n for p in c.partnerships if p.partner for n in (p.partner.name, *p.partner.aliases)),
                      *(i18n.country_name(p.country) for p in c.partnerships),
                      *(i18n.gettext(NATURES[p.nature]) for p in c.partnerships),
                      *(i18n.gettext(atlas.themes[t].label) for t in c.themes if t in atlas.themes),
                      *(proj.title for p in c.partnerships for proj in p.projects)),
               c=c, synergies=idx.synergies(c.slug), map_info=site.maps.get(f"collectivite-{c.slug}"),
               brief=brief(c, atlas))
    w.overview("collectivites.html.j2", "collectivites/", _("Collectivités"),
               _("Toutes les collectivités de l'atlas, filtrables par type et département."),
               collectivites=sorted(atlas.collectivites.values(), key=lambda c: fr.sort_key(c.name)),
               shown=i18n.counted(lambda n: ngettext("{n} collectivité affichée", "{n} collectivités affichées", n)),
               departements=sorted({c.departement for c in atlas.collectivites.values() if c.departement}))


def _country_pages(w: _Writer) -> None:
    """Every country with a file gets a page, even with no partnership yet: the figures the
    sources published for it (Cuba in 2009...) are worth showing next to the atlas's zero."""
    atlas, idx, site = w.atlas, w.idx, w.site
    for code, country in atlas.countries.items():
        partnerships = idx.by_country.get(code, [])
        collectivites = idx.collectivites_in(code)
        name = i18n.country_name(code)
        w.page("pays.html.j2", urls.country(code), name,
               i18n.ngettext("{collectivites} de l'atlas coopèrent avec {country} : {partnerships}.",
                             "{collectivites} de l'atlas coopèrent avec {country} : {partnerships}.",
                             len(collectivites)).format(
                   collectivites=plural(len(collectivites), "collectivité", "collectivités"), country=name,
                   partnerships=plural(len(partnerships), "partenariat", "partenariats")),
               preview=social.country_sentence(name, partnerships),
               words=(*(c.name for c in collectivites), *(p.partner.name for p in partnerships if p.partner)),
               freshness=site.freshness(f"pays/{code.lower()}.yml"),
               country=country, partnerships=partnerships, collectivites=collectivites,
               zone=atlas.zones.get(country.zone), map_info=site.maps.get(f"pays-{code.lower()}"),
               grouped=by_collectivite(atlas, partnerships))
    by_zone: dict[str, list] = {}
    for code in atlas.countries:
        by_zone.setdefault(atlas.countries[code].zone, []).append(atlas.countries[code])
    w.overview("pays-index.html.j2", "pays/", _("Pays"),
               _("Les pays partenaires des collectivités de l'atlas, par zone."),
               by_zone=[(atlas.zones[z], by_zone[z]) for z in atlas.zones if z in by_zone])


def _theme_pages(w: _Writer) -> None:
    atlas, idx, site = w.atlas, w.idx, w.site
    for key, theme in atlas.themes.items():
        label = i18n.gettext(theme.label)
        w.page("thematique.html.j2", urls.theme(key), label, i18n.gettext(theme.description),
               preview=social.theme_sentence(label, idx.by_theme.get(key, [])),
               words=tuple(atlas.collectivites[p.collectivite].name for p in idx.by_theme.get(key, [])),
               theme=theme, partnerships=idx.by_theme.get(key, []), map_info=site.maps.get(f"thematique-{key}"),
               grouped=by_collectivite(atlas, idx.by_theme.get(key, []), key))
    w.overview("thematiques.html.j2", "thematiques/", _("Thématiques"), _("Les thématiques de coopération de l'atlas, "
               "et les partenariats par nature : jumelages, coopérations décentralisées…"), by_nature=w.by_nature)


def _nature_pages(w: _Writer) -> None:
    """What a reader searching « jumelage » or « coopération décentralisée » is after."""
    atlas, by_nature = w.atlas, w.by_nature
    for key, french_title in NATURE_TITLES.items():
        ps = by_nature.get(key, [])
        if ps:
            title = i18n.gettext(french_title)
            ps = sorted(ps, key=lambda p: (fr.sort_key(atlas.collectivites[p.collectivite].name), p.number))
            n_collectivites, n_pays = len({p.collectivite for p in ps}), len({p.country for p in ps})
            w.page("nature.html.j2", urls.nature(key), title,
                   _("{title} des collectivités de l'atlas : {partnerships} de {collectivites} dans {countries}.").format(
                       title=title, partnerships=plural(len(ps), "partenariat", "partenariats"),
                       collectivites=plural(n_collectivites, "collectivité", "collectivités"),
                       countries=plural(n_pays, "pays", "pays")),
                   words=(i18n.gettext(NATURES[key]), *(atlas.collectivites[p.collectivite].name for p in ps)),
                   key=key, nature_title=title, partnerships=ps, n_collectivites=n_collectivites, n_pays=n_pays,
                   grouped=by_collectivite(atlas, ps))


def _network_pages(w: _Writer) -> None:
    for key, network in w.atlas.networks.items():
        # The description is the network's own text, in French (the page marks it lang="fr").
        w.page("reseau.html.j2", urls.network(key), network.label, network.description,
               network=network, members=w.idx.by_network.get(key, []))
    w.overview("reseaux.html.j2", "reseaux/", _("Réseaux"), _("Les réseaux de collectivités et d'acteurs de la coopération."))


def _sources_page(w: _Writer) -> None:
    w.overview("sources.html.j2", "sources/", _("Sources et limites"),
               _("Les documents dont l'atlas est tiré, ce que chacun apporte, et ce que l'atlas ne sait pas."),
               facts=_fact_counts(w.atlas), unknowns=_unknowns(w.atlas))


def _statistics_page(w: _Writer) -> None:
    atlas, idx = w.atlas, w.idx
    columns, published_rows = _published_by_country(atlas, idx)
    # Undated partnerships are said in a sentence: as a bar, 142 « inconnue » dwarfed 5 known decades.
    decades = idx.count_by_decade()
    undated = decades.pop("inconnue", 0)
    zone_labels = {k: i18n.gettext(z.label) for k, z in atlas.zones.items()}
    theme_labels = {k: i18n.gettext(t.label) for k, t in atlas.themes.items()}
    w.overview("statistiques.html.j2", "statistiques/", _("Statistiques"),
               _("Les partenariats de l'atlas par pays, zone, thématique, type de collectivité et décennie, "
                 "à côté des chiffres publiés par les sources."),
               by_country=_bars(idx.count_by_country(), {c: i18n.country_name(c) for c in idx.by_country},
                                lambda c: urls.country(c)),
               by_zone=_bars(idx.count_by_zone(), zone_labels),
               by_theme=_bars(idx.count_by_theme(), theme_labels, lambda k: urls.theme(k)),
               by_type=_bars(idx.count_by_type(), {k: i18n.gettext(label) for k, label in COLLECTIVITE_TYPES.items()}),
               by_decade=sorted(_bars(decades, {k: _("années {decade}").format(decade=k) for k in decades}),
                                key=lambda r: r["key"]),
               undated=undated,
               published_columns=columns, published_rows=published_rows,
               zone_table=_zone_comparison(atlas, idx))


def _news_page(w: _Writer) -> None:
    w.overview("nouveautes.html.j2", "nouveautes/", _("Nouveautés"),
               _("Les collectivités ajoutées à l'atlas et les fiches modifiées, les plus récentes d'abord."),
               news=w.site.news, feed=w.site.feed, feed_path=FEED_PATH)


def _data_page(w: _Writer) -> None:
    site = w.site
    n = site.exports["partenariats"]
    w.overview("donnees.html.j2", "donnees/", _("Données"),
               i18n.ngettext("Les données de l'atlas, libres et téléchargeables : {count} partenariat "
                             "en CSV et GeoJSON, et l'atlas entier en JSON.",
                             "Les données de l'atlas, libres et téléchargeables : {count} partenariats "
                             "en CSV et GeoJSON, et l'atlas entier en JSON.", n).format(count=i18n.number(n)),
               exports=site.exports, licence=site.licence, licence_url=site.licence_url)


FINDER_PATH = "trouver.json"  # the home's « Trouver une collectivité ou un pays » (docs/assets/atlas.js)


def finder(atlas: Atlas) -> bytes:
    """Every collectivité (by its name and aliases) and every country with a page, with its address:
    [[name, url], …], fetched by the home's field when the reader first types in it."""
    import json

    rows = [[name, urls.collectivite(c.slug)] for c in atlas.collectivites.values() for name in (c.name, *c.aliases)]
    rows += [[i18n.country_name(code), urls.country(code)] for code in atlas.countries]  # in the edition's language
    rows.sort(key=lambda r: fr.sort_key(r[0]))
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Each kind of generated page, in the order they are handed to MkDocs.
PAGE_KINDS = (_collectivite_pages, _country_pages, _theme_pages, _nature_pages, _network_pages, _sources_page,
              _statistics_page, _news_page, _data_page)


def generate(site: Site, emit_page: EmitPage) -> list[str]:
    """Hand every generated page to `emit_page`; returns the list of source paths emitted.

    Pages are HTML from autoescaped templates, rendered when MkDocs asks for them: no
    Markdown pass and no front matter, so nothing a contributor types is read as markup.
    """
    writer = _Writer(site, emit_page)
    for kind in PAGE_KINDS:
        kind(writer)
    return writer.written


def search_words(words) -> str:
    """Each distinct name once (case and accents kept: search.py folds them): what a page is found
    by besides its sentence, hidden from the result's preview (search.entry)."""
    seen: dict[str, str] = {}
    for w in words:
        w = " ".join(str(w or "").split())
        if w:
            seen.setdefault(w.casefold(), w)
    return " · ".join(seen.values())


_HEADING = re.compile(r'<h([1-3]) id="([^"]*)">(.*?)</h\1>', re.S)
# Every tag but a language's span: a heading typed in French keeps its lang="fr" in the table of contents.
_TAG = re.compile(r'<(?!span lang="[a-z]{2,3}">|/span>)[^>]+>')


def toc_tokens(html: str) -> list[dict]:
    """The table of contents of a generated page, from its own headings (already escaped text)."""
    root: list[dict] = []
    stack: list[dict] = []
    for level, anchor, inner in _HEADING.findall(html):
        if anchor.startswith("partenariat-"):  # listed by « en bref » and the table; in every TOC: 2 MB nationally
            continue
        token = {"level": int(level), "id": anchor, "name": _TAG.sub("", inner), "children": []}
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root


def _zone_comparison(atlas: Atlas, idx: Index) -> list[dict]:
    """Published zone tables next to the atlas's own zone counts."""
    counts = idx.count_by_zone()
    out = []
    for t in atlas.tables.values():
        if any(r.zone for r in t.rows):
            out.append({"table": t, "rows": [{"row": r, "atlas": counts.get(r.zone) if r.zone else None} for r in t.rows]})
    return out
