"""Turn a checked content folder into the Atlas records (YAML → validated records)."""
from __future__ import annotations

from pathlib import Path

from atlas.content import checker, countries, schema
from atlas.content.model import (
    LOCATION_APPROX,
    LOCATION_COUNTRY,
    LOCATION_EXACT,
    Atlas,
    Collectivite,
    Country,
    CountryFigure,
    Entry,
    Figure,
    Membership,
    Organisation,
    Partner,
    Partnership,
    Point,
    Project,
    PublishedTable,
    TableRow,
)

UNCLASSIFIED_ZONE = "non-classe"
# The free-text fields of the files that may be given in another language (« description_en »,
# schemas' patternProperties), by the name of the record's attribute that holds the French text.
TRANSLATED = {"engagement": "engagement", "precision": "detail", "titre": "title", "description": "description",
              "introduction": "introduction"}
_NONE: dict = {}  # shared by the records without other-language texts (nearly all): never modified


def _translations(d: dict) -> dict[str, dict[str, str]]:
    """language → attribute → text, from the keys « <field>_<lang> » of one block of a checked file
    (the checker accepted only the languages the atlas publishes, each beside its French text)."""
    out: dict[str, dict[str, str]] = {}
    for key, value in d.items():
        field, _, lang = key.rpartition("_")
        if field in TRANSLATED and isinstance(value, str) and value.strip() and schema.TRANSLATION_KEY.fullmatch(key):
            out.setdefault(lang, {})[TRANSLATED[field]] = value
    return out or _NONE


def _point(d: dict | None) -> Point | None:
    if not d:
        return None
    return Point(float(d["lat"]), float(d["lon"]), bool(d.get("approximatif", False)))


def _project(d: dict) -> Project:
    return Project(
        title=d["titre"], sources=list(d["sources"]), start=d.get("debut"), end=d.get("fin"),
        description=d.get("description", ""), themes=list(d.get("thematiques", [])),
        cofinanciers=list(d.get("cofinanceurs", [])), actors_here=list(d.get("acteurs_ici", [])),
        actors_there=list(d.get("acteurs_la_bas", [])),
        figures=[Figure(f["libelle"], f["valeur"], f.get("unite", "")) for f in d.get("chiffres", [])],
        traductions=_translations(d),
    )


def _partnership(slug: str, number: int, d: dict) -> Partnership:
    partner = None
    if isinstance(d["partenaire"], dict):
        pd = d["partenaire"]
        partner = Partner(pd["nom"], list(pd.get("alias", [])), pd.get("type", ""), _point(pd.get("coordonnees")))
    projects = [_project(p) for p in d.get("projets", [])]
    themes = dict.fromkeys(d.get("thematiques", []))
    for proj in projects:
        themes.update(dict.fromkeys(proj.themes))
    p = Partnership(
        collectivite=slug, number=number, partner=partner, country=d["pays"], nature=d["nature"],
        sources=list(d["sources"]), status=d.get("statut", "inconnu"), since=d.get("depuis"), until=d.get("fin"),
        themes=list(themes), description=d.get("description", ""), projects=projects, traductions=_translations(d),
    )
    if partner and partner.point:
        p.point = partner.point
        p.location = LOCATION_APPROX if partner.point.approximate else LOCATION_EXACT
    else:
        c = countries.centroid(p.country)
        p.point = Point(c[0], c[1], True) if c else None
        p.location = LOCATION_COUNTRY
    return p


def _collectivite(slug: str, doc, root: Path) -> Collectivite:
    d = doc.data
    parts = d["partenariats"]
    pop = d.get("population")
    return Collectivite(
        slug=slug, name=d["nom"], type=d["type"], departement=d.get("departement"),
        sources=list(d["sources"]),
        partnerships=[_partnership(slug, i + 1, p) for i, p in enumerate(parts)] if isinstance(parts, list) else [],
        partners_unknown=parts == "inconnus", aliases=list(d.get("alias", [])), code=d.get("code", ""),
        region=d.get("region", ""), population=(pop["valeur"], pop["annee"], pop["source"]) if pop else None,
        seat=_point(d.get("siege")), website=d.get("site_web", ""),
        networks=[Membership(m["reseau"], list(m["sources"]), m.get("depuis")) for m in d.get("reseaux", [])],
        organisation=[Organisation(o["forme"], list(o["sources"]), o.get("precision", ""), _translations(o))
                      for o in d.get("organisation", [])],
        engagement=d.get("engagement", ""), file=doc.path.relative_to(root).as_posix() if doc.path.is_relative_to(root) else doc.path.name,
        traductions=_translations(d),
    )


def _entries(items: dict, label_key: str) -> dict[str, Entry]:
    # Every field the list format allows is present, None when the file leaves it out (a source
    # without `date`, a network without `sources`): the templates test it, never trip on its absence.
    allowed = schema.load("liste")["items"]["properties"]
    out = {}
    for key, item in items.items():
        extra = {k: item.get(k) for k in allowed if k not in ("cle", label_key, "description")}
        out[key] = Entry(key, str(item.get(label_key, key)), item.get("description", ""), extra, _translations(item))
    return out


# The collectivités' records of the last atlas built: a long-lived process (atlas serve) builds
# again only the records of the files that changed. A record is reused when its document's data
# is the very object it was built from — the checker's cache hands back the same object for an
# unchanged file, a new one for any file checked again — at the same path and root; it reads
# nothing else but the (fixed) country centroids. Records are never modified once built (slots).
_last: dict[str, tuple] = {}  # slug -> (data, path, root, Collectivite)


def _collectivites(report: checker.Report) -> dict[str, Collectivite]:
    global _last
    root = report.root
    built, kept = {}, {}
    for slug, doc in sorted(report.collectivites.items()):
        last = _last.get(slug)
        if last is not None and last[0] is doc.data and last[1] == doc.path and last[2] == root:
            record = last[3]
        else:
            record = _collectivite(slug, doc, root)
        built[slug] = record
        kept[slug] = (doc.data, doc.path, root, record)
    _last = kept
    return built


def build_atlas(report: checker.Report) -> Atlas:
    collectivites = _collectivites(report)
    zones = _entries(report.lists["zones"], "libelle")
    zones.setdefault(UNCLASSIFIED_ZONE, Entry(UNCLASSIFIED_ZONE, "Zone non renseignée"))
    result: dict[str, Country] = {}
    for code, doc in report.pays.items():
        d = doc.data
        result[code] = Country(
            code=code, name=countries.name_fr(code), zone=d["zone"], groups=list(d.get("groupes", [])),
            introduction=d.get("introduction", ""), sources=list(d.get("sources", [])),
            figures=[CountryFigure(f["libelle"], f["valeur"], f["annee"], f["source"], f.get("unite", ""), f.get("note", ""))
                     for f in d.get("chiffres", [])],
            traductions=_translations(d),
        )
    for c in collectivites.values():
        for p in c.partnerships:
            if p.country not in result:
                result[p.country] = Country(p.country, countries.name_fr(p.country), UNCLASSIFIED_ZONE)
    tables = {}
    for key, doc in sorted(report.tables.items()):
        d = doc.data
        tables[key] = PublishedTable(
            key=key, title=d["titre"], source=d["source"], year=d["annee"], scope=d.get("perimetre", ""),
            unit=d.get("unite", ""), note=d.get("note", ""),
            rows=[TableRow(r["libelle"], r["valeur"], r.get("zone", ""), r.get("pays", "")) for r in d["lignes"]],
        )
    return Atlas(
        collectivites=collectivites,
        countries=dict(sorted(result.items(), key=lambda kv: countries.fold(kv[1].name))),
        themes=_entries(report.lists["thematiques"], "libelle"),
        sources=_entries(report.lists["sources"], "titre"),
        networks=_entries(report.lists["reseaux"], "nom"),
        zones=zones,
        tables=tables,
    )
