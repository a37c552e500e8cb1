"""`atlas new`: a commented skeleton for a new collectivité."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jinja2

from atlas.content import gazetteer
from atlas.content.naming import EXAMPLE_WEBSITE, guess_type, official_name, slug_for
from atlas.content.schema import SCHEMA_FILES

PLACEHOLDER = "À REMPLIR"


REPOSITORY_SCHEMA = Path("scripts/atlas/schemas") / SCHEMA_FILES["collectivite"]


def _yaml_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) if re.search(r"[:#'\"\[\]{}]", text) else text


def render_schema_path(content_root: Path, file_path: Path) -> str:
    """The schema as the repository holds it (not where the package happens to be installed):
    the editor of whoever opens the file in that clone finds it."""
    repository = content_root.resolve().parent
    return Path(os.path.relpath(repository / REPOSITORY_SCHEMA, file_path.parent.resolve())).as_posix()


def propose(name: str, kind: str, departement: str | None = None) -> tuple[gazetteer.Commune | None, gazetteer.Town | None, list[str]]:
    """For a commune, its INSEE code and centre from the offline gazetteer, when the name is
    unambiguous (in the département, if given); what was proposed, or why not, in French."""
    if kind != "commune":
        return None, None, []
    official = official_name(name, kind)
    named = gazetteer.communes_named(official, departement)
    if len(named) != 1:
        where = f" dans le département {departement}" if departement else ""
        if not named:
            return None, None, [f"aucune commune « {official} »{where} dans le Code officiel géographique : "
                                "code, département et position sont à remplir"]
        deps = sorted({c.departement for c in named})
        raise ValueError(f"{len(named)} communes s'appellent « {official} » (départements {', '.join(deps)}) : "
                         f"précisez le vôtre, ex. atlas new \"{name.strip()}\" --departement {deps[0]}")
    commune = named[0]
    town = gazetteer.locate_commune(commune)
    notes = [f"code INSEE {commune.code} et département {commune.departement} repris du Code officiel géographique"]
    notes.append(f"position : centre de {commune.name} selon GeoNames, marquée approximative" if town else
                 "position introuvable dans GeoNames : à remplir")
    return commune, town, notes


def render(name: str, kind: str, file_path: Path, content_root: Path,
           commune: gazetteer.Commune | None = None, town: gazetteer.Town | None = None) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("atlas.commands", "templates"), keep_trailing_newline=True)
    schema_path = render_schema_path(content_root, file_path)
    official = official_name(name, kind)
    aliases = [name.strip()] if official != name.strip() else []
    return env.get_template("nouvelle-fiche.yml.j2").render(
        nom=official, nom_yaml=_yaml_text(official), alias_yaml="[" + ", ".join(_yaml_text(a) for a in aliases) + "]",
        type=kind, schema_path=schema_path, file_path=file_path.as_posix(), commune=commune, town=town,
        site_web_exemple=EXAMPLE_WEBSITE)


def write(name: str, content_root: Path, kind: str | None = None, departement: str | None = None) -> tuple[Path, list[str]]:
    """The new fiche's path, and what was filled in from the gazetteer (to tell the person)."""
    if not name.strip():
        raise ValueError("donnez le nom de la collectivité, ex. atlas new \"Ville de Quelquepart\"")
    notes = []
    in_brackets = re.fullmatch(r"(.+?)\s*\(([^()]*)\)\s*", name)  # « Fourmies (Nord) », « Fourmies (59) »
    if in_brackets and gazetteer.departement_named(in_brackets.group(2)):
        name, named = in_brackets.group(1), gazetteer.departement_named(in_brackets.group(2))
        if departement and departement != named:
            raise ValueError(f"« {in_brackets.group(2)} » (département {named}) et --departement {departement} ne s'accordent pas")
        departement = named
        notes.append(f"« ({in_brackets.group(2)}) » lu comme le département {named}, retiré du nom")
    if departement and departement not in gazetteer.departements():
        raise ValueError(f"« {departement} » n'est pas un numéro de département (ex. --departement 59, --departement 2A)")
    kind = kind or guess_type(name)
    slug = slug_for(name, kind)
    if not slug:
        raise ValueError(f"impossible de tirer un nom de fichier de « {name} »")
    folder = content_root / "collectivites"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.yml"
    if path.exists():
        raise FileExistsError(str(path))
    commune, town, proposed = propose(name, kind, departement)  # before writing: an ambiguous name writes nothing
    path.write_text(render(name, kind, path, content_root, commune, town), encoding="utf-8")
    return path, notes + proposed
