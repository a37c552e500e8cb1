"""The legend of a map: one model (a list of LegendItem), built here once from what the map shows,
and drawn by a table of renderers — images.py for the PNG (Pillow) and the SVG (matplotlib), the
interactive map's script (static/carte.js, `SYMBOLS`) from the items sent in the map's JSON."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlas.content.model import COLLECTIVITE_TYPES
from atlas.maps.records import ColorClass
from atlas.maps.style import COUNTRY_COLOR, FLOW_COLOR, FLOW_ORIGIN_COLOR, MUTED, PARTNER_COLOR, TYPE_COLORS


class Symbol(StrEnum):
    DOT = "puce"  # a filled point (a seat's type, a partner)
    SQUARE = "case"  # a filled square (a choropleth class)
    APPROX = "approx"  # a dotted line (an approximate position)
    COUNTRY = "pays"  # a dashed line to a hollow point (a country's centre)
    FLOW = "flux"  # a thick line (flows)
    NONE = "aucun"  # text only


@dataclass(frozen=True)
class LegendItem:
    symbol: Symbol
    color: str
    label: str

    def wire(self) -> list:
        return [str(self.symbol), self.color, self.label]


def country_point_label(named: bool, unnamed: bool) -> str:
    """A point at a country's centre: a partner the source does not name, or a named partner whose
    position is unknown."""
    if named and unnamed:
        return "Centre du pays : partenaire non identifié ou sans position"
    if named:
        return "Centre du pays : position du partenaire inconnue"
    return "Pays seul : partenaire non identifié"


def links(types: list[str], partners: bool, approx: bool, country_points: bool, named: bool = False,
          unnamed: bool = True) -> list[LegendItem]:
    """A map of links: the seats' types present, partners, approximate positions, country points."""
    items = [LegendItem(Symbol.DOT, TYPE_COLORS[key], COLLECTIVITE_TYPES[key]) for key in COLLECTIVITE_TYPES if key in types]
    if partners:
        items.append(LegendItem(Symbol.DOT, PARTNER_COLOR, "Partenaire"))
    if approx:
        items.append(LegendItem(Symbol.APPROX, MUTED, "Position approximative"))
    if country_points:
        items.append(LegendItem(Symbol.COUNTRY, COUNTRY_COLOR, country_point_label(named, unnamed)))
    if not partners and not country_points:
        items.append(LegendItem(Symbol.NONE, MUTED, "Aucun partenariat recensé dans l'atlas"))
    return items


def flows(top: int) -> list[LegendItem]:
    """The world view of the links map: one line per partner country, thicker with more partnerships."""
    return [LegendItem(Symbol.DOT, FLOW_ORIGIN_COLOR, "Collectivités de l'atlas"),
            LegendItem(Symbol.FLOW, FLOW_COLOR, f"Partenariats par pays (1 à {top})")]


def classes(bounds: list[ColorClass]) -> list[LegendItem]:
    """The world map's classes: « 1 partenariat », « 2–5 partenariats »."""
    return [LegendItem(Symbol.SQUARE, c.color, f"{label} partenariat{'s' if label != '1' else ''}")
            for c, label in ((c, str(c.low) if c.low == c.high else f"{c.low}\u2013{c.high}") for c in bounds)]
