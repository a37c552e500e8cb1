"""The legend of a map: one model (a list of LegendItem), built here once from what the map shows,
in the edition's language, and drawn by a table of renderers — the interactive map's script
(static/carte.js, `SYMBOLS`) from the items sent in the map's JSON, and the HTML of the image's
caption and of the e-mail snippet (`GLYPHS`, partials/carte.html.j2). The images carry no legend:
one image serves every edition (images.py)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from atlas import i18n
from atlas.content.model import COLLECTIVITE_TYPES
from atlas.i18n import _, ngettext
from atlas.maps.records import ColorClass
from atlas.maps.style import COUNTRY_COLOR, FLOW_COLOR, FLOW_ORIGIN_COLOR, MUTED, PARTNER_COLOR, TYPE_COLORS


class Symbol(StrEnum):
    DOT = "puce"  # a filled point (a seat's type, a partner)
    SQUARE = "case"  # a filled square (a choropleth class)
    APPROX = "approx"  # a dotted line (an approximate position)
    COUNTRY = "pays"  # a dashed line to a hollow point (a country's centre)
    FLOW = "flux"  # a thick line (flows)
    NONE = "aucun"  # text only


# The symbols as characters, in the item's colour: what an e-mail client shows (it runs no script
# and keeps few styles; coloured text it keeps).
GLYPHS = {Symbol.DOT: "\u25cf", Symbol.SQUARE: "\u25a0", Symbol.APPROX: "\u2508\u2508",
          Symbol.COUNTRY: "\u254c\u254c\u25cb", Symbol.FLOW: "\u2501\u2501", Symbol.NONE: ""}


@dataclass(frozen=True)
class LegendItem:
    symbol: Symbol
    color: str
    label: str

    def wire(self) -> list:
        return [str(self.symbol), self.color, self.label]

    @property
    def glyph(self) -> str:
        return GLYPHS[self.symbol]


def country_point_label(named: bool, unnamed: bool) -> str:
    """A point at a country's centre: a partner the source does not name, or a named partner whose
    position is unknown."""
    if named and unnamed:
        return _("Centre du pays : partenaire non identifié ou sans position")
    if named:
        return _("Centre du pays : position du partenaire inconnue")
    return _("Pays seul : partenaire non identifié")


def links(types: list[str], partners: bool, approx: bool, country_points: bool, named: bool = False,
          unnamed: bool = True) -> list[LegendItem]:
    """A map of links: the seats' types present, partners, approximate positions, country points."""
    items = [LegendItem(Symbol.DOT, TYPE_COLORS[key], i18n.gettext(COLLECTIVITE_TYPES[key]))
             for key in COLLECTIVITE_TYPES if key in types]
    if partners:
        items.append(LegendItem(Symbol.DOT, PARTNER_COLOR, i18n.pgettext("carte", "Partenaire")))
    if approx:
        items.append(LegendItem(Symbol.APPROX, MUTED, _("Position approximative")))
    if country_points:
        items.append(LegendItem(Symbol.COUNTRY, COUNTRY_COLOR, country_point_label(named, unnamed)))
    if not partners and not country_points:
        items.append(LegendItem(Symbol.NONE, MUTED, _("Aucun partenariat recensé dans l'atlas")))
    return items


def flows(top: int) -> list[LegendItem]:
    """The world view of the links map: one line per partner country, thicker with more partnerships."""
    return [LegendItem(Symbol.DOT, FLOW_ORIGIN_COLOR, _("Collectivités de l'atlas")),
            LegendItem(Symbol.FLOW, FLOW_COLOR, _("Partenariats par pays (1 à {top})").format(top=i18n.number(top)))]


def class_label(low: int, high: int) -> str:
    """« 1 partenariat », « 2–5 partenariats », “2–5 partnerships”: the plural of the class's upper bound."""
    span = i18n.number(low) if low == high else f"{i18n.number(low)}\u2013{i18n.number(high)}"
    return ngettext("{span} partenariat", "{span} partenariats", high).format(span=span)


def classes(bounds: list[ColorClass]) -> list[LegendItem]:
    """The world map's classes: « 1 partenariat », « 2–5 partenariats »."""
    return [LegendItem(Symbol.SQUARE, c.color, class_label(c.low, c.high)) for c in bounds]
