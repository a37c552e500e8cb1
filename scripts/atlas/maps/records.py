"""What a map carries, named: the records Python builds for a map and the legend every renderer draws.

Each map's JSON stays compact (thousands of maps nationally): a record crosses to JavaScript as a
short array, by `wire()`; the meaning of each position is documented once, at the top of
static/carte.js, and the enumerations (`Kind`, `Location`) are sent once, with the data every map
shares (interactive.shared_data), so that carte.js never writes a code of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Kind(IntEnum):
    """What a point is."""

    SEAT = 0  # a collectivité's seat
    PARTNER = 1  # a partner at its own position
    APPROX = 2  # a partner at an approximate position
    COUNTRY = 3  # a country's centre: partners the source does not name, or whose position is unknown


class Location(IntEnum):
    """How well a link's partner end is placed."""

    EXACT = 0
    APPROX = 1
    COUNTRY = 2


@dataclass(slots=True)
class Collectivity:
    name: str
    url: str
    type: int  # index in interactive.TYPE_KEYS

    def wire(self) -> list:
        return [self.name, self.url, self.type]


@dataclass(slots=True)
class Country:
    name: str
    url: str

    def wire(self) -> list:
        return [self.name, self.url]


@dataclass(slots=True)
class Marker:
    """A point, deduplicated by place: a seat (several collectivités may share it) or a partner."""

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


@dataclass(slots=True)
class Part:
    """One partnership carried by a link."""

    number: int  # its number in the collectivité's file (the page's anchor #partenariat-N)
    nature: int  # index in the natures
    since: int  # year, 0 when unknown

    def wire(self) -> list:
        return [self.number, self.nature, self.since]


@dataclass(slots=True)
class Link:
    """One line per (collectivité, partner place), carrying each partnership between them."""

    seat: int  # marker index of the collectivité's seat, -1 when the seat is unknown (no line drawn)
    partner: int  # marker index of the partner
    collectivity: int  # index into the map's collectivités
    location: Location
    themes: list[int] = field(default_factory=list)  # theme indexes (filterable maps only)
    parts: list[Part] = field(default_factory=list)

    def wire(self) -> list:
        return [self.seat, self.partner, self.collectivity, int(self.location), self.themes,
                [p.wire() for p in self.parts]]
