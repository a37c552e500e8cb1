"""`atlas new`: a commented skeleton for a new collectivité."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jinja2
from slugify import slugify

from atlas.content.schema import SCHEMA_FILES

# « Ville de », « Mairie du »…: not part of a commune's name (one home: the checker's duplicate rule uses it too)
COMMUNE_PREFIX = r"^(ville|commune|mairie)\s+(de\s+la\s+|de\s+l'|de\s+|du\s+|des\s+|d')"
PREFIXES = {
    COMMUNE_PREFIX: "commune",
    r"^(communaut[ée]|m[ée]tropole|syndicat)\b": "intercommunalite",
    r"^(d[ée]partement|conseil\s+(g[ée]n[ée]ral|d[ée]partemental))\b": "departement",
    r"^(r[ée]gion|conseil\s+r[ée]gional)\b": "region",
}
PLACEHOLDER = "À REMPLIR"


def guess_type(name: str) -> str:
    for pattern, kind in PREFIXES.items():
        if re.match(pattern, name.strip(), re.IGNORECASE):
            return kind
    return "commune"


REPOSITORY_SCHEMA = Path("scripts/atlas/schemas") / SCHEMA_FILES["collectivite"]


def slug_for(name: str, kind: str) -> str:
    short = re.sub(COMMUNE_PREFIX, "", name.strip(), flags=re.IGNORECASE) if kind == "commune" else name
    return slugify(short)


def _yaml_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) if re.search(r"[:#'\"\[\]{}]", text) else text


def official_name(name: str, kind: str) -> str:
    """A commune's official name is its bare name: "Ville de Quelquepart" → "Quelquepart"."""
    return re.sub(COMMUNE_PREFIX, "", name.strip(), flags=re.IGNORECASE) if kind == "commune" else name.strip()


def render_schema_path(content_root: Path, file_path: Path) -> str:
    """The schema as the repository holds it (not where the package happens to be installed):
    the editor of whoever opens the file in that clone finds it."""
    repository = content_root.resolve().parent
    return Path(os.path.relpath(repository / REPOSITORY_SCHEMA, file_path.parent.resolve())).as_posix()


def render(name: str, kind: str, file_path: Path, content_root: Path) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("atlas.commands", "templates"), keep_trailing_newline=True)
    schema_path = render_schema_path(content_root, file_path)
    official = official_name(name, kind)
    aliases = [name.strip()] if official != name.strip() else []
    return env.get_template("nouvelle-fiche.yml.j2").render(
        nom=official, nom_yaml=_yaml_text(official), alias_yaml="[" + ", ".join(_yaml_text(a) for a in aliases) + "]",
        type=kind, schema_path=schema_path, file_path=file_path.as_posix())


def write(name: str, content_root: Path, kind: str | None = None) -> Path:
    if not name.strip():
        raise ValueError("donnez le nom de la collectivité, ex. atlas new \"Ville de Quelquepart\"")
    kind = kind or guess_type(name)
    slug = slug_for(name, kind)
    if not slug:
        raise ValueError(f"impossible de tirer un nom de fichier de « {name} »")
    folder = content_root / "collectivites"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.yml"
    if path.exists():
        raise FileExistsError(str(path))
    path.write_text(render(name, kind, path, content_root), encoding="utf-8")
    return path
