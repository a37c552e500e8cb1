"""French formatting, in one place: numbers, dates, plurals, sizes, country names (everything a reader sees)."""
from __future__ import annotations

import datetime
import functools
import re
import unicodedata

import pycountry
from babel import Locale

# Kosovo has no ISO 3166-1 code yet; XK is the code the EU and most data sets use.
EXTRA_COUNTRY_CODES = {"XK"}


def number(value) -> str:
    """12345.0 → « 12 345 » (thousands separated by a narrow no-break space, decimal comma)."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}".replace(",", " ").replace(".", ",")
    else:
        text = f"{int(value):,}".replace(",", " ")
    return text.replace(" ", "\u202f")


def date(value: datetime.date) -> str:
    """« 23 novembre 2026 »."""
    from babel.dates import format_date

    return format_date(value, format="long", locale="fr_FR")


def plural(n: int, one: str, many: str | None = None, space: str = " ") -> str:
    """« 1 partenariat », « 2 partenariats » (zero and one are singular in French)."""
    return f"{n}{space}{one if n <= 1 else (many or one + 's')}"


def size(n: int) -> str:
    """« 850 o », « 12,3 ko », « 2,4 Mo »."""
    if n < 1000:
        return f"{n}\u00a0o"
    for unit, div in (("ko", 1e3), ("Mo", 1e6), ("Go", 1e9)):
        if n < div * 1000 or unit == "Go":
            v = n / div
            text = f"{v:.1f}" if v < 100 else f"{v:.0f}"
            return text.replace(".", ",") + "\u00a0" + unit
    return str(n)


def sort_key(text: str) -> str:
    """French alphabetical order: accents, case, hyphens and apostrophes ignored
    (« Calais » before « Cambrai » before « Communauté… », « Saint-Omer » = « saint omer »)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s\-'’]+", " ", folded).strip()


@functools.cache
def country_names() -> dict[str, str]:
    """ISO code → French name (Babel), for every country pycountry knows and Kosovo."""
    territories = Locale("fr").territories
    return {c.alpha_2: territories.get(c.alpha_2, c.name) for c in pycountry.countries} | {
        code: territories[code] for code in EXTRA_COUNTRY_CODES if code in territories
    }


def country_name(code: str) -> str:
    """« SN » → « Sénégal »; an unknown code is shown as typed."""
    return country_names().get(code, code)


def years(since, until) -> str:
    """A partnership's years: « depuis 1963 », « 1998–2012 », « jusqu'en 2012 », or ""."""
    if since and until:
        return f"{since}\u2013{until}"
    if until:
        return f"jusqu'en {until}"
    return f"depuis {since}" if since else ""
