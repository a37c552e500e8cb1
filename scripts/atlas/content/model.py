"""Validated records: what the rest of the build reads (never the raw YAML).

A record with free texts people wrote (a description, an engagement) also carries the file's own
texts in other languages: `traductions`, language → attribute name → text (« description_en: »
gives traductions["en"]["description"]; a project's « titre_en: », traductions["en"]["title"]).
The templates' filters `libre` / `libre_ligne` read it (site/templating.py); empty when the file
gives none."""
from __future__ import annotations

from dataclasses import dataclass, field

from atlas.i18n import N_

COLLECTIVITE_TYPES = {
    "commune": N_("Commune"),
    "intercommunalite": N_("Intercommunalité"),
    "departement": N_("Département"),
    "region": N_("Région"),
}
NATURES = {
    "jumelage": N_("Jumelage"),
    "cooperation-decentralisee": N_("Coopération décentralisée"),
    "partenariat": N_("Partenariat"),
    "cooperation-transfrontaliere": N_("Coopération transfrontalière"),
    "accord-de-cooperation": N_("Accord de coopération"),
    "autre": N_("Autre"),
}
# Page titles of the natures (the atlas's pages per nature, found by a search for « jumelage »).
NATURE_TITLES = {
    "jumelage": N_("Jumelages"),
    "cooperation-decentralisee": N_("Coopérations décentralisées"),
    "partenariat": N_("Partenariats sans autre précision"),
    "cooperation-transfrontaliere": N_("Coopérations transfrontalières"),
    "accord-de-cooperation": N_("Accords de coopération"),
    "autre": N_("Autres formes de partenariat"),
}
STATUSES = {
    "actif": N_("Actif"),
    "en-veille": N_("En veille"),
    "en-projet": N_("En projet"),
    "termine": N_("Terminé"),
    "inconnu": N_("Non précisé"),
}
ORGANISATION_FORMS = {
    "elu-delegue": N_("Élu délégué"),
    "service-relations-internationales": N_("Service des relations internationales"),
    "comite-de-jumelage": N_("Comité de jumelage"),
    "delegation-association": N_("Délégation à une association"),
    "autre": N_("Autre"),
}
LOCATION_EXACT, LOCATION_APPROX, LOCATION_COUNTRY = "exacte", "approximative", "pays"


@dataclass(slots=True)
class Point:
    lat: float
    lon: float
    approximate: bool = False


@dataclass(slots=True)
class Figure:
    label: str
    value: float
    unit: str = ""


@dataclass(slots=True)
class Project:
    title: str
    sources: list[str]
    start: int | None = None
    end: int | None = None
    description: str = ""
    themes: list[str] = field(default_factory=list)
    cofinanciers: list[str] = field(default_factory=list)
    actors_here: list[str] = field(default_factory=list)
    actors_there: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    traductions: dict[str, dict[str, str]] = field(default_factory=dict)  # the file's own texts in other languages


@dataclass(slots=True)
class Partner:
    name: str
    aliases: list[str] = field(default_factory=list)
    kind: str = ""
    point: Point | None = None


@dataclass(slots=True)
class Partnership:
    collectivite: str  # slug
    number: int  # position in the file, 1-based: stable anchor "#partenariat-N"
    partner: Partner | None  # None: the sources give only the country
    country: str
    nature: str
    sources: list[str]
    status: str = "inconnu"
    since: int | None = None
    until: int | None = None  # year it ended (`fin`), when a source gives it
    themes: list[str] = field(default_factory=list)  # own themes + its projects' themes
    description: str = ""
    projects: list[Project] = field(default_factory=list)
    # Where to draw the partner end: its own point, else the country's inside point.
    point: Point | None = None
    location: str = LOCATION_COUNTRY
    traductions: dict[str, dict[str, str]] = field(default_factory=dict)  # the file's own texts in other languages


@dataclass(slots=True)
class Membership:
    network: str
    sources: list[str]
    since: int | None = None


@dataclass(slots=True)
class Organisation:
    form: str
    sources: list[str]
    detail: str = ""
    traductions: dict[str, dict[str, str]] = field(default_factory=dict)  # the file's own texts in other languages


@dataclass(slots=True)
class Collectivite:
    slug: str
    name: str
    type: str
    departement: str | None
    sources: list[str]
    partnerships: list[Partnership]
    partners_unknown: bool  # "partenariats: inconnus"
    aliases: list[str] = field(default_factory=list)
    code: str = ""
    region: str = ""
    population: tuple[int, int, str] | None = None  # (value, year, source)
    seat: Point | None = None
    website: str = ""
    networks: list[Membership] = field(default_factory=list)
    organisation: list[Organisation] = field(default_factory=list)
    engagement: str = ""
    file: str = ""  # path relative to the content folder, for "modifier cette fiche"
    traductions: dict[str, dict[str, str]] = field(default_factory=dict)  # the file's own texts in other languages

    @property
    def type_label(self) -> str:
        return COLLECTIVITE_TYPES[self.type]

    @property
    def themes(self) -> list[str]:
        seen: dict[str, None] = {}
        for p in self.partnerships:
            seen.update(dict.fromkeys(p.themes))
        return list(seen)


@dataclass(slots=True)
class CountryFigure:
    label: str
    value: float
    year: int
    source: str
    unit: str = ""
    note: str = ""


@dataclass(slots=True)
class Country:
    code: str
    name: str
    zone: str  # key of zones.yml, "non-classe" without a country file
    groups: list[str] = field(default_factory=list)
    introduction: str = ""
    sources: list[str] = field(default_factory=list)
    figures: list[CountryFigure] = field(default_factory=list)
    traductions: dict[str, dict[str, str]] = field(default_factory=dict)  # the file's own texts in other languages


@dataclass(slots=True)
class TableRow:
    label: str
    value: float
    zone: str = ""
    country: str = ""


@dataclass(slots=True)
class PublishedTable:
    key: str
    title: str
    source: str
    year: int
    rows: list[TableRow]
    scope: str = ""
    unit: str = ""
    note: str = ""


@dataclass(slots=True)
class Entry:
    """An item of a controlled list (theme, source, network, zone)."""

    key: str
    label: str
    description: str = ""
    extra: dict = field(default_factory=dict)
    traductions: dict[str, dict[str, str]] = field(default_factory=dict)  # the file's own texts in other languages


@dataclass
class Atlas:
    collectivites: dict[str, Collectivite]
    countries: dict[str, Country]  # every country with a file or a partnership
    themes: dict[str, Entry]
    sources: dict[str, Entry]
    networks: dict[str, Entry]
    zones: dict[str, Entry]
    tables: dict[str, PublishedTable]

    @property
    def partnerships(self) -> list[Partnership]:
        return [p for c in self.collectivites.values() for p in c.partnerships]
