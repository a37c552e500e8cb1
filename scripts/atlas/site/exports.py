"""Open data: donnees/partenariats.csv, donnees/partenariats.geojson, donnees/atlas.json.

Stable, documented formats with French keys (like the YAML files), independent of the internal
records: renaming a field of model.py must not break anyone's reuse of the data.

Written once, by the French edition, and linked by every edition (urls.shared). Their words are
described in every language of the atlas: the data package gives each title and description in
French (`title`, `description`: Frictionless's own properties, what its tools show) and in each
other language beside it (`title_en`, `description_en`: the convention of the YAML files, as
custom properties the specification allows), and lists its languages, French first (`languages`,
Frictionless's « language support » pattern). The data page says the same in the edition's
language: `generate` returns French labels, which its template translates (`|tr`).
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
from collections import Counter

from atlas import fr, i18n, urls
from atlas.config import DEFAULTS, Settings
from atlas.content import records
from atlas.content.index import Index
from atlas.content.model import (
    COLLECTIVITE_TYPES,
    LOCATION_APPROX,
    LOCATION_COUNTRY,
    LOCATION_EXACT,
    NATURES,
    STATUSES,
    Atlas,
    Collectivite,
    Partnership,
    Project,
)
from atlas.i18n import N_

Emit = urls.Emit

CSV_PATH = "donnees/partenariats.csv"
GEOJSON_PATH = "donnees/partenariats.geojson"
JSON_PATH = "donnees/atlas.json"
PACKAGE_PATH = "donnees/datapackage.json"
FORMAT = "atlas-cooperation/1"
DECIMALS = 5  # about 1 m: the sources are never more precise

# (column, description) — the Données page shows this list.
COLUMNS = [
    ("collectivite", N_("Nom de la collectivité française")),
    ("collectivite_slug", N_("Identifiant de la collectivité dans l'atlas (adresse de sa page)")),
    ("collectivite_type", N_("commune, intercommunalite, departement ou region")),
    ("collectivite_code", N_("Code officiel (code INSEE de la commune, SIREN…), s'il est connu")),
    ("departement", N_("Numéro du département")),
    ("collectivite_lat", N_("Latitude du siège de la collectivité (WGS 84)")),
    ("collectivite_lon", N_("Longitude du siège de la collectivité (WGS 84)")),
    ("numero", N_("Numéro du partenariat dans la fiche de la collectivité")),
    ("partenaire", N_("Nom du partenaire ; vide quand la source ne donne que le pays")),
    ("partenaire_type", N_("Type de collectivité partenaire, s'il est connu")),
    ("pays", N_("Pays du partenaire : code ISO 3166-1 alpha-2")),
    ("pays_nom", N_("Nom du pays en français")),
    ("zone", N_("Zone géographique de l'atlas")),
    ("nature", N_("jumelage, cooperation-decentralisee, partenariat, cooperation-transfrontaliere, accord-de-cooperation, autre")),
    ("statut", N_("actif, en-veille, en-projet, termine ou inconnu")),
    ("depuis", N_("Année de début, si elle est connue")),
    ("fin", N_("Année où le partenariat a pris fin, si une source la donne")),
    ("thematiques", N_("Thématiques (clés), séparées par « ; »")),
    ("projets", N_("Nombre de projets décrits")),
    ("partenaire_lat", N_("Latitude du point dessiné pour le partenaire (WGS 84)")),
    ("partenaire_lon", N_("Longitude du point dessiné pour le partenaire (WGS 84)")),
    ("localisation", N_("exacte, approximative (position approchée) ou pays (partenaire inconnu : "
                        "le point est un point intérieur du pays, pas une ville)")),
    ("sources", N_("Sources (clés de la page Sources), séparées par « ; »")),
    ("page", N_("Adresse de la fiche, relative à la racine du site")),
]

# The values a column takes from the atlas's keys: shown as code on the Données page, in every language.
CODED = {"collectivite_type": list(COLLECTIVITE_TYPES), "nature": list(NATURES), "statut": list(STATUSES),
         "localisation": [LOCATION_EXACT, LOCATION_APPROX, LOCATION_COUNTRY]}


_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# TableSchema of each column (https://specs.frictionlessdata.io/table-schema/): what data.gouv.fr
# and schema.data.gouv.fr read. Descriptions come from COLUMNS.
FIELD_TYPES = {
    "collectivite": {"type": "string", "constraints": {"required": True}},
    "collectivite_slug": {"type": "string", "constraints": {"required": True, "pattern": _SLUG}},
    "collectivite_type": {"type": "string", "constraints": {"required": True, "enum": list(COLLECTIVITE_TYPES)}},
    "collectivite_code": {"type": "string"},
    "departement": {"type": "string", "constraints": {"pattern": "^([0-9]{2,3}|2A|2B)$"}},
    "collectivite_lat": {"type": "number", "constraints": {"minimum": -90, "maximum": 90}},
    "collectivite_lon": {"type": "number", "constraints": {"minimum": -180, "maximum": 180}},
    "numero": {"type": "integer", "constraints": {"required": True, "minimum": 1}},
    "partenaire": {"type": "string"},
    "partenaire_type": {"type": "string"},
    "pays": {"type": "string", "constraints": {"required": True, "pattern": "^[A-Z]{2}$"}},
    "pays_nom": {"type": "string", "constraints": {"required": True}},
    "zone": {"type": "string"},
    "nature": {"type": "string", "constraints": {"required": True, "enum": list(NATURES)}},
    "statut": {"type": "string", "constraints": {"required": True, "enum": list(STATUSES)}},
    "depuis": {"type": "integer", "constraints": {"minimum": 1900, "maximum": 2100}},
    "fin": {"type": "integer", "constraints": {"minimum": 1900, "maximum": 2100}},
    "thematiques": {"type": "string"},
    "projets": {"type": "integer", "constraints": {"required": True, "minimum": 0}},
    "partenaire_lat": {"type": "number", "constraints": {"minimum": -90, "maximum": 90}},
    "partenaire_lon": {"type": "number", "constraints": {"minimum": -180, "maximum": 180}},
    "localisation": {"type": "string", "constraints": {"required": True,
                                                       "enum": [LOCATION_EXACT, LOCATION_APPROX, LOCATION_COUNTRY]}},
    "sources": {"type": "string", "constraints": {"required": True}},
    "page": {"type": "string", "constraints": {"required": True}},
}


def languages(settings: Settings = DEFAULTS) -> list[str]:
    """The languages the atlas is published in (mkdocs.yml « langues »), French first: those its words are described in."""
    return [i18n.SOURCE] + [lang for lang in settings.languages if lang != i18n.SOURCE and lang in i18n.available()]


def described(key: str, french: str, langs: list[str]) -> dict:
    """{key: the French text, key_en: its English…}: one of the atlas's own texts in every language."""
    out = {key: french}
    for lang in langs[1:]:
        with i18n.using(lang):
            out[f"{key}_{lang}"] = i18n.gettext(french)
    return out


def table_schema(langs: list[str] | None = None) -> dict:
    langs = langs or [i18n.SOURCE]
    return {
        "fields": [{"name": name, **described("description", description, langs), **FIELD_TYPES[name]}
                   for name, description in COLUMNS],
        "missingValues": [""],
        "primaryKey": ["collectivite_slug", "numero"],
    }


def _resource(path: str, data: bytes, **extra) -> dict:
    return {"name": path.rsplit("/", 1)[-1].replace(".", "-"), "path": path.rsplit("/", 1)[-1],
            "bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "encoding": "utf-8", **extra}


# What the data package and the data page say of each file (French; translated where shown).
PACKAGE_DESCRIPTION = N_(
    "Les partenariats internationaux des collectivités (jumelages, coopération décentralisée), tirés des documents "
    "cités pour chaque fait. Un partenaire inconnu (« partenaire » vide) est un partenariat dont les sources ne "
    "donnent que le pays. Dans le CSV, un texte qui commencerait par =, +, -, @ (ou leurs formes pleine chasse), une "
    "tabulation ou un retour chariot est précédé d'une apostrophe, pour qu'un tableur ne l'exécute pas comme une formule.")
CSV_TITLE, CSV_DESCRIPTION = N_("Partenariats"), N_(
    "Un partenariat par ligne : qui, avec qui, où, depuis quand, sur quels sujets, d'après quelles sources.")
GEOJSON_TITLE = N_("Partenariats (GeoJSON)")
GEOJSON_RESOURCE = N_("Les partenariats en lignes (du siège au partenaire) et les lieux en points.")
GEOJSON_DESCRIPTION = N_("Les mêmes partenariats en lignes (du siège de la collectivité au partenaire), et les lieux en "
                         "points : sièges des collectivités, partenaires localisés.")
JSON_TITLE = N_("L'atlas entier (JSON)")
JSON_RESOURCE = N_("Collectivités avec partenariats et projets, pays, thématiques, sources, réseaux, zones et tableaux publiés.")
JSON_DESCRIPTION = N_("L'atlas entier : collectivités avec leurs partenariats et projets, pays, thématiques, sources, "
                      "réseaux, zones et tableaux publiés.")
CSV_FORMAT, GEOJSON_FORMAT = N_("CSV, UTF-8, séparateur virgule"), N_("GeoJSON (WGS 84)")


def datapackage(atlas: Atlas, version: dict, files: dict[str, bytes], settings: Settings) -> dict:
    """The Frictionless data package (datapackage.json) describing the exports of this build, its
    words in every language of the atlas (module docstring)."""
    langs = languages(settings)
    sources = []
    for s in atlas.sources.values():
        entry = {"title": s.label}
        if str(s.extra.get("site_web", "")).startswith(("https://", "http://")):
            entry["path"] = s.extra["site_web"]
        sources.append(entry)
    package = {
        "name": "atlas-cooperation-internationale",
        "title": settings.site_name,
        **described("description", PACKAGE_DESCRIPTION, langs),
        "languages": langs,
        "version": version["version"],
        "created": version["date"],
        "licenses": [{"name": "etalab-2.0", "title": settings.licence, "path": settings.licence_url}],
        "sources": sources,
        "resources": [
            _resource(CSV_PATH, files[CSV_PATH], **described("title", CSV_TITLE, langs), profile="tabular-data-resource",
                      format="csv", mediatype="text/csv", **described("description", CSV_DESCRIPTION, langs),
                      dialect={"delimiter": ",", "header": True, "lineTerminator": "\r\n", "quoteChar": '"'},
                      schema=table_schema(langs)),
            _resource(GEOJSON_PATH, files[GEOJSON_PATH], **described("title", GEOJSON_TITLE, langs), format="geojson",
                      mediatype="application/geo+json", **described("description", GEOJSON_RESOURCE, langs)),
            _resource(JSON_PATH, files[JSON_PATH], **described("title", JSON_TITLE, langs), format="json",
                      mediatype="application/json", **described("description", JSON_RESOURCE, langs)),
        ],
    }
    if settings.site_url.startswith(("https://", "http://")):
        package["homepage"] = settings.site_url
    return package


def _coord(v: float | None):
    return None if v is None else round(v, DECIMALS)


def _row(atlas: Atlas, c: Collectivite, p: Partnership) -> dict:
    country = atlas.countries.get(p.country)
    return {
        "collectivite": c.name, "collectivite_slug": c.slug, "collectivite_type": c.type,
        "collectivite_code": c.code, "departement": c.departement or "",
        "collectivite_lat": _coord(c.seat.lat) if c.seat else None,
        "collectivite_lon": _coord(c.seat.lon) if c.seat else None,
        "numero": p.number, "partenaire": p.partner.name if p.partner else "",
        "partenaire_type": p.partner.kind if p.partner else "",
        "pays": p.country, "pays_nom": country.name if country else p.country,
        "zone": country.zone if country else "", "nature": p.nature, "statut": p.status,
        "depuis": p.since, "fin": p.until, "thematiques": ";".join(p.themes), "projets": len(p.projects),
        "partenaire_lat": _coord(p.point.lat) if p.point else None,
        "partenaire_lon": _coord(p.point.lon) if p.point else None,
        "localisation": p.location, "sources": ";".join(p.sources),
        "page": f"{urls.collectivite(c.slug)}#partenariat-{p.number}",
    }


def rows(atlas: Atlas) -> list[dict]:
    return [_row(atlas, c, p) for c in atlas.collectivites.values() for p in c.partnerships]


# What makes a spreadsheet (Excel, LibreOffice, Sheets) run a cell as a formula: its first
# character after any leading spaces — ASCII or fullwidth = + - @, a tab or a carriage return.
_FORMULA_START = re.compile(r"^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20\t\r]")


def csv_cell(value):
    """A text cell a spreadsheet would read as a formula gets one leading apostrophe (OWASP's
    advice; the data package says so). Numbers, negative longitudes included, stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def to_csv(table: list[dict]) -> str:
    """RFC 4180: rows end with CRLF, and a field holding a comma, a quote, CR or LF is quoted, so a
    carriage return inside a name can never start a row of its own."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=[name for name, _ in COLUMNS], lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writeheader()
    for r in table:
        w.writerow({k: csv_cell(v) for k, v in r.items()})
    return buf.getvalue()


def to_geojson(atlas: Atlas, table: list[dict]) -> dict:
    """Links as LineStrings (seat → partner), places as Points (seats and located partners)."""
    features = []
    for r in table:
        if r["collectivite_lat"] is None or r["partenaire_lat"] is None:
            continue
        props = {k: v for k, v in r.items() if not k.endswith(("_lat", "_lon"))}
        features.append({"type": "Feature", "properties": {"objet": "partenariat", **props}, "geometry": {
            "type": "LineString",
            "coordinates": [[r["collectivite_lon"], r["collectivite_lat"]], [r["partenaire_lon"], r["partenaire_lat"]]]}})
    n_lines = len(features)
    for c in atlas.collectivites.values():
        if c.seat:
            features.append({"type": "Feature", "properties": {
                "objet": "collectivite", "nom": c.name, "collectivite_slug": c.slug, "collectivite_type": c.type,
                "departement": c.departement or "", "partenariats": len(c.partnerships),
                "localisation": "approximative" if c.seat.approximate else "exacte", "page": urls.collectivite(c.slug)},
                "geometry": {"type": "Point", "coordinates": [_coord(c.seat.lon), _coord(c.seat.lat)]}})
    places: dict[tuple, dict] = {}
    for c in atlas.collectivites.values():
        for p in c.partnerships:
            if not p.partner or not p.point or p.location == LOCATION_COUNTRY:
                continue
            key = (p.partner.name, p.country, _coord(p.point.lat), _coord(p.point.lon))
            if key not in places:
                places[key] = {"type": "Feature", "properties": {
                    "objet": "partenaire", "nom": p.partner.name, "partenaire_type": p.partner.kind, "pays": p.country,
                    "pays_nom": atlas.countries[p.country].name, "localisation": p.location, "collectivites": []},
                    "geometry": {"type": "Point", "coordinates": [_coord(p.point.lon), _coord(p.point.lat)]}}
            slugs = places[key]["properties"]["collectivites"]
            if c.slug not in slugs:
                slugs.append(c.slug)
    features.extend(places.values())
    for f in features[n_lines:]:
        if isinstance(f["properties"].get("collectivites"), list):
            f["properties"]["collectivites"] = ";".join(f["properties"]["collectivites"])
    return {"type": "FeatureCollection", "name": "partenariats", "features": features}


# -- atlas.json --

def _plain(v):
    """YAML values made JSON-safe (dates become ISO strings)."""
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


_YAML_KEYS = {attribute: key for key, attribute in records.TRANSLATED.items()}  # « title » → « titre »


def _own_texts(record) -> dict:
    """The file's texts in other languages, under the keys of the YAML files: {"description_en": …}."""
    return {f"{_YAML_KEYS[name]}_{lang}": text for lang, texts in sorted(record.traductions.items())
            for name, text in texts.items()}


def _point(pt):
    return None if pt is None else {"lat": pt.lat, "lon": pt.lon, "approximatif": pt.approximate}


def _project(pr: Project) -> dict:
    return {"titre": pr.title, "debut": pr.start, "fin": pr.end, "description": pr.description,
            "thematiques": pr.themes, "cofinanceurs": pr.cofinanciers, "acteurs_ici": pr.actors_here,
            "acteurs_la_bas": pr.actors_there,
            "chiffres": [{"libelle": f.label, "valeur": f.value, "unite": f.unit} for f in pr.figures],
            "sources": pr.sources, **_own_texts(pr)}


def _partnership(p: Partnership) -> dict:
    partner = None
    if p.partner:
        partner = {"nom": p.partner.name, "alias": p.partner.aliases, "type": p.partner.kind,
                   "coordonnees": _point(p.partner.point)}
    return {"numero": p.number, "partenaire": partner, "pays": p.country, "nature": p.nature, "statut": p.status,
            "depuis": p.since, "fin": p.until, "thematiques": p.themes, "description": p.description, "sources": p.sources,
            "localisation": p.location, "point": _point(p.point), "projets": [_project(x) for x in p.projects],
            **_own_texts(p)}


def _collectivite(c: Collectivite) -> dict:
    return {
        "slug": c.slug, "nom": c.name, "type": c.type, "alias": c.aliases, "code": c.code,
        "departement": c.departement, "region": c.region,
        "population": {"valeur": c.population[0], "annee": c.population[1], "source": c.population[2]} if c.population else None,
        "siege": _point(c.seat), "site_web": c.website, "engagement": c.engagement, "sources": c.sources,
        "reseaux": [{"reseau": m.network, "depuis": m.since, "sources": m.sources} for m in c.networks],
        "organisation": [{"forme": o.form, "precision": o.detail, "sources": o.sources, **_own_texts(o)} for o in c.organisation],
        "partenaires_inconnus": c.partners_unknown, "page": urls.collectivite(c.slug),
        "partenariats": [_partnership(p) for p in c.partnerships], **_own_texts(c),
    }


def _entries(entries: dict, label: str) -> list[dict]:
    return [{"cle": e.key, label: e.label, "description": e.description,
             **_plain({k: v for k, v in e.extra.items() if v is not None}), **_own_texts(e)} for e in entries.values()]


def to_json(atlas: Atlas, idx: Index) -> dict:
    counts = idx.count_by_country()
    return {
        "format": FORMAT,
        "genere_le": datetime.date.today().isoformat(),
        "effectifs": {"collectivites": len(atlas.collectivites), "partenariats": len(atlas.partnerships),
                      "pays": len([c for c in counts if counts[c]])},
        "collectivites": [_collectivite(c) for c in atlas.collectivites.values()],
        "pays": [{"code": k.code, "nom": k.name, "zone": k.zone, "groupes": k.groups, "introduction": k.introduction,
                  "sources": k.sources, "partenariats": counts.get(k.code, 0),
                  "chiffres": [{"libelle": f.label, "valeur": f.value, "annee": f.year, "source": f.source, "unite": f.unit,
                                "note": f.note} for f in k.figures], **_own_texts(k)} for k in atlas.countries.values()],
        "thematiques": _entries(atlas.themes, "libelle"),
        "sources": _entries(atlas.sources, "titre"),
        "reseaux": _entries(atlas.networks, "nom"),
        "zones": _entries(atlas.zones, "libelle"),
        "tableaux": [{"cle": t.key, "titre": t.title, "source": t.source, "annee": t.year, "perimetre": t.scope,
                      "unite": t.unit, "note": t.note,
                      "lignes": [{"libelle": r.label, "valeur": r.value, "zone": r.zone, "pays": r.country} for r in t.rows]}
                     for t in atlas.tables.values()],
    }


size_label = fr.size


def version_of(commit: str, date: datetime.datetime | None) -> dict:
    """The atlas's version: the date of its last commit and that commit (« 2026-11-23+1df37f0a1b2c »)."""
    when = (date or datetime.datetime.now(datetime.timezone.utc)).replace(microsecond=0)
    return {"date": when.isoformat(), "commit": commit,
            "version": when.date().isoformat() + (f"+{commit[:12]}" if commit else "")}


def generate(atlas: Atlas, idx: Index, emit: Emit, settings: Settings = DEFAULTS, version: dict | None = None) -> dict:
    """Write the exports and their data package (named after the site, under its licence); return
    what the Données page shows."""
    version = version or version_of("", None)
    table = rows(atlas)
    csv_text = to_csv(table).encode("utf-8")
    geo = to_geojson(atlas, table)
    geo["atlas_version"] = version  # a foreign member (RFC 7946 §6.1): readers ignore it
    # allow_nan=False: strict JSON, which JavaScript and every JSON reader accept
    geo_text = json.dumps(geo, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    whole = to_json(atlas, idx)
    whole["version"] = version
    # Compact, as the GeoJSON: an indented dump goes through json's pure-Python encoder (seconds at national scale)
    json_text = json.dumps(whole, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    emit(CSV_PATH, csv_text)
    emit(GEOJSON_PATH, geo_text)
    emit(JSON_PATH, json_text)
    package = datapackage(atlas, version, {CSV_PATH: csv_text, GEOJSON_PATH: geo_text, JSON_PATH: json_text},
                          settings)
    emit(PACKAGE_PATH, json.dumps(package, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8"))
    kinds = Counter(f["properties"]["objet"] for f in geo["features"])
    # French labels: the data page translates them into its edition's language (|tr), sizes too (|taille)
    files = {
        "csv": {"chemin": CSV_PATH, "nom": "partenariats.csv", "format": CSV_FORMAT,
                "taille": len(csv_text), "lignes": len(table),
                "description": CSV_DESCRIPTION,
                "colonnes": [{"nom": n, "description": d, "valeurs": CODED.get(n, [])} for n, d in COLUMNS]},
        "geojson": {"chemin": GEOJSON_PATH, "nom": "partenariats.geojson", "format": GEOJSON_FORMAT,
                    "taille": len(geo_text), "lignes": len(geo["features"]),
                    "liens": kinds["partenariat"], "sieges": kinds["collectivite"], "partenaires": kinds["partenaire"],
                    "description": GEOJSON_DESCRIPTION},
        "json": {"chemin": JSON_PATH, "nom": "atlas.json", "format": "JSON", "taille": len(json_text),
                 "lignes": len(whole["collectivites"]),
                 "description": JSON_DESCRIPTION},
    }
    return {
        "fichiers": [files["csv"], files["geojson"], files["json"]], **files,
        "partenariats": len(table), "collectivites": len(atlas.collectivites),
        "partenaires_inconnus": sum(1 for r in table if not r["partenaire"]),
        "format": FORMAT, "version": version, "paquet": PACKAGE_PATH,
    }
