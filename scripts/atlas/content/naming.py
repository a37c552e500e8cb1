"""A collectivité's name as typed (« Ville de Saint-Omer »): its kind, its official name, its file
name; and the example values of the new-fiche model.

Shared by `atlas new`, which writes a fiche, and the checker, which reads it: kept here, below
both, so that reading the content never imports a command.
"""
from __future__ import annotations

import re

from slugify import slugify

# « Ville de », « Mairie du »…: not part of a commune's name (one home: the checker's duplicate rule uses it too)
COMMUNE_PREFIX = r"^(ville|commune|mairie)\s+(de\s+la\s+|de\s+l'|de\s+|du\s+|des\s+|d')"
PREFIXES = {
    COMMUNE_PREFIX: "commune",
    r"^(communaut[ée]|m[ée]tropole|syndicat)\b": "intercommunalite",
    r"^(d[ée]partement|conseil\s+(g[ée]n[ée]ral|d[ée]partemental))\b": "departement",
    r"^(r[ée]gion|conseil\s+r[ée]gional)\b": "region",
}
# The web address the model (`atlas new`) shows as an example: left as is in a fiche, it is said.
EXAMPLE_WEBSITE = "https://www.exemple.fr"


def guess_type(name: str) -> str:
    for pattern, kind in PREFIXES.items():
        if re.match(pattern, name.strip(), re.IGNORECASE):
            return kind
    return "commune"


def slug_for(name: str, kind: str) -> str:
    short = re.sub(COMMUNE_PREFIX, "", name.strip(), flags=re.IGNORECASE) if kind == "commune" else name
    return slugify(short)


def official_name(name: str, kind: str) -> str:
    """A commune's official name is its bare name: "Ville de Quelquepart" → "Quelquepart"."""
    return re.sub(COMMUNE_PREFIX, "", name.strip(), flags=re.IGNORECASE) if kind == "commune" else name.strip()
