"""What people write for the atlas's keys (« en cours » for actif, « jumelée » for jumelage): one
home for the form's reader and the checker's hints."""
from __future__ import annotations

import re

from atlas.content import countries

NATURES = {  # what people write → the schema's key (longest first when matching)
    "cooperation decentralisee": "cooperation-decentralisee", "cooperation transfrontaliere": "cooperation-transfrontaliere",
    "accord de cooperation": "accord-de-cooperation", "jumelage": "jumelage", "jumele": "jumelage",
    "partenariat": "partenariat", "interreg": "cooperation-transfrontaliere",
}
STATUTS = {"actif": "actif", "active": "actif", "en cours": "actif", "en veille": "en-veille", "en sommeil": "en-veille",
           "en projet": "en-projet", "termine": "termine", "terminee": "termine", "arrete": "termine", "inconnu": "inconnu"}


def key_for(word, allowed) -> str | None:
    """The key among `allowed` that this word or phrase means, when it is one of the usual ways to say it."""
    if not isinstance(word, str):
        return None
    folded = " ".join(countries.fold(word).replace("-", " ").replace("'", " ").split())
    for table in (NATURES, STATUTS):
        for said, key in sorted(table.items(), key=lambda kv: -len(kv[0])):
            if key in allowed and re.search(rf"(^| ){said}\w*( |$)", folded):  # « jumelée », « en cours depuis »
                return key
    return None
