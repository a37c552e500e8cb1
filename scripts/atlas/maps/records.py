"""What a map carries, named: the records Python builds for a map (the legend has its own module,
legend.py).

Each map's JSON stays compact (thousands of maps nationally): a record crosses to JavaScript as a
short array, by `wire()`; the meaning of each position is documented once, at the top of
static/carte.js (« the wire format »), and the enumerations (`Kind`, `Location`) are sent once, with
the data every map shares (interactive.shared_data), so that carte.js never writes a code of its own.
Python never reads a record by position; `from_wire` is `wire`'s inverse (the tests read the
published JSON with it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Self


class Kind(IntEnum):
    """What a point is (sent once as `kinds`: carte.js compares with KIND.SEAT…, never with a number)."""

    SEAT = 0  # a collectivité's seat
    PARTNER = 1  # a partner at its own position
    APPROX = 2  # a partner at an approximate position
    COUNTRY = 3  # a country's centre: partners the source does not name, or whose position is unknown


class Location(IntEnum):
    """How well a link's partner end is placed (sent once as `locations`)."""

    EXACT = 0
    APPROX = 1
    COUNTRY = 2


@dataclass(slots=True)
class Collectivity:
    """A collectivité shown on the map (markers and links refer to it by its index). Wire: a map's `c`."""

    name: str
    url: str
    type: int  # index in interactive.TYPE_KEYS

    def wire(self) -> list:
        return [self.name, self.url, self.type]


@dataclass(slots=True)
class Country:
    """A partner country of the map. Wire: a map's `p`, by ISO code."""

    name: str
    url: str

    def wire(self) -> list:
        return [self.name, self.url]


@dataclass(slots=True)
class Marker:
    """A point, deduplicated by place: a seat (several collectivités may share it) or a partner.
    Wire: a map's `m`, one array per kind (carte.js)."""

    lat: float
    lon: float
    kind: Kind
    label: str = ""  # partners: their names, " / " between homonyms at one place
    country: str | None = None  # partners: ISO code
    collectivities: list[int] = field(default_factory=list)  # seats: indexes into the map's collectivités
    type: int = 0  # seats: the collectivité type's index
    unnamed: int = 0  # country points: partners the source does not name

    def wire(self) -> list:
        if self.kind is Kind.SEAT:
            return [self.lat, self.lon, int(self.kind), self.collectivities, None, self.type]
        if self.kind is Kind.COUNTRY:
            return [self.lat, self.lon, int(self.kind), self.label, self.country, self.unnamed]
        return [self.lat, self.lon, int(self.kind), self.label, self.country]

    @classmethod
    def from_wire(cls, r: list) -> Self:
        kind = Kind(r[2])
        if kind is Kind.SEAT:
            return cls(r[0], r[1], kind, collectivities=r[3], type=r[5])
        return cls(r[0], r[1], kind, label=r[3], country=r[4], unnamed=r[5] if kind is Kind.COUNTRY else 0)


@dataclass(slots=True)
class Part:
    """One partnership carried by a link. Wire: the last item of a link's array."""

    number: int  # its number in the collectivité's file (the page's anchor #partenariat-N)
    nature: int  # index in the natures
    since: int  # year, 0 when unknown

    def wire(self) -> list:
        return [self.number, self.nature, self.since]

    @classmethod
    def from_wire(cls, r: list) -> Self:
        return cls(*r)


@dataclass(slots=True)
class Link:
    """One line per (collectivité, partner place), carrying each partnership between them. Wire: a map's `l`."""

    seat: int  # marker index of the collectivité's seat, -1 when the seat is unknown (no line drawn)
    partner: int  # marker index of the partner
    collectivity: int  # index into the map's collectivités
    location: Location
    themes: list[int] = field(default_factory=list)  # theme indexes (filterable maps only)
    parts: list[Part] = field(default_factory=list)

    def wire(self) -> list:
        return [self.seat, self.partner, self.collectivity, int(self.location), self.themes,
                [p.wire() for p in self.parts]]

    @classmethod
    def from_wire(cls, r: list) -> Self:
        return cls(r[0], r[1], r[2], Location(r[3]), r[4], [Part.from_wire(p) for p in r[5]])


@dataclass(slots=True)
class Origin:
    """Where a flow map's lines start: the mean of the seats, named after the region (or France).
    Wire: a map's `flows.origin`."""

    name: str
    lat: float
    lon: float

    def wire(self) -> list:
        return [self.name, self.lat, self.lon]


@dataclass(slots=True)
class Flow:
    """The partnerships with one country, from the origin (the flow map's world view, and its image).
    Not sent: carte.js sums the links itself, as the reader's filters change."""

    country: str  # ISO code
    name: str
    lat: float  # the mean of its partners' points, weighted by partnerships
    lon: float
    partnerships: int
    collectivities: int


@dataclass(slots=True)
class CountryCount:
    """One country of the world map (choropleth). Wire: its `byCountry`, by ISO code."""

    name: str
    partnerships: int
    url: str
    collectivities: int

    def wire(self) -> list:
        return [self.name, self.partnerships, self.url, self.collectivities]


@dataclass(frozen=True, slots=True)
class ColorClass:
    """One class of the world map: from `low` to `high` partnerships, drawn in `color`. Wire: its `classes`."""

    low: int
    high: int
    color: str

    def wire(self) -> list:
        return [self.low, self.high, self.color]
