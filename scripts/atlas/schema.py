"""The JSON Schemas (single source of truth) and French messages for their errors."""
from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path

import jsonschema

from . import countries

SCHEMAS = Path(__file__).parent / "schemas"
SCHEMA_FILES = {
    "collectivite": "collectivite.schema.json",
    "pays": "pays.schema.json",
    "statistique": "statistique.schema.json",
    "liste": "liste.schema.json",
}
FIELD_LABELS = {"lat": "latitude", "lon": "longitude"}


@functools.cache
def load(name: str) -> dict:
    return json.loads((SCHEMAS / SCHEMA_FILES[name]).read_text(encoding="utf-8"))


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load(name))


def _closest(word: str, choices) -> str | None:
    choices = list(choices)
    folded = {countries.fold(c): c for c in choices}
    hit = difflib.get_close_matches(countries.fold(str(word)), list(folded), n=1, cutoff=0.6)
    return folded[hit[0]] if hit else None


def _name(path) -> str:
    keys = [p for p in path if isinstance(p, str)]
    return FIELD_LABELS.get(keys[-1], keys[-1]) if keys else "fiche"


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "…"


def translate(error: jsonschema.ValidationError) -> tuple[tuple, str, str]:
    """(path, message, hint) in French for one schema error."""
    path = tuple(error.absolute_path)
    v, inst, name = error.validator, error.instance, _name(error.absolute_path)
    if v == "required":
        missing = error.message.split("'")[1]
        return path, f"champ obligatoire « {missing} » manquant", _required_hint(missing)
    if v == "additionalProperties":
        allowed = error.schema.get("properties", {})
        extra = [k for k in inst if k not in allowed]
        key = extra[0] if extra else "?"
        guess = _closest(key, allowed)
        hint = f"voulez-vous dire « {guess} » ? (clés sans accent ni majuscule)" if guess else \
            "clés possibles ici : " + ", ".join(allowed)
        return path + (key,), f"clé inconnue « {key} »", hint
    if v == "enum":
        guess = _closest(inst, error.validator_value)
        hint = (f"voulez-vous dire « {guess} » ? " if guess else "") + \
            "valeurs possibles : " + ", ".join(map(str, error.validator_value))
        return path, f"valeur « {_show(inst)} » non admise pour « {name} »", hint
    if v == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        if "integer" in expected and isinstance(inst, str) and "-" in inst and any(c.isdigit() for c in inst):
            return path, f"« {name} » attend une seule année (un nombre), pas « {inst} »", \
                "pour une période, écrivez l'année de début ici ; dans un projet, « debut: 2009 » et « fin: 2012 »"
        if "integer" in expected or "number" in expected:
            return path, f"« {name} » attend un nombre, pas « {_show(inst)} »", "écrivez le nombre seul, sans guillemets ni unité"
        if "array" in expected:
            return path, f"« {name} » attend une liste", "écrivez une liste : [a, b] ou une ligne « - a » par élément"
        if "object" in expected:
            return path, f"« {name} » attend un bloc de champs (clé: valeur)", "voir le modèle écrit par « atlas new »"
        if "string" in expected:
            return path, f"« {name} » attend un texte, pas « {_show(inst)} »", "mettez la valeur entre guillemets"
        return path, f"type de valeur incorrect pour « {name} »", ""
    if v == "pattern":
        if name == "pays":
            guess = countries.guess_code(inst)
            hint = f"écrivez le code ISO à deux lettres majuscules : {guess} ({countries.name_fr(guess)})" if guess \
                else "écrivez le code ISO à deux lettres majuscules (SN, MA, DE...)"
            return path, f"« {inst} » n'est pas un code pays", hint
        if name in ("code", "departement"):
            return path, f"« {inst} » n'est pas un {name} valide", \
                "entre guillemets : département \"59\", commune INSEE \"59350\", SIREN \"245900410\""
        return path, f"« {_show(inst)} » mal formé pour « {name} »", \
            "une clé s'écrit en minuscules sans accent, mots séparés par des tirets"
    if v in ("minimum", "maximum"):
        if name in ("latitude", "longitude"):
            bound = "-90 à 90" if name == "latitude" else "-180 à 180"
            return path, f"{name} {inst} hors limites ({bound})", "degrés décimaux : latitude puis longitude (Lille : 50.63, 3.06)"
        return path, f"« {name} » = {inst} hors limites", f"attendu {'au moins' if v == 'minimum' else 'au plus'} {error.validator_value}"
    if v == "minItems":
        if name == "sources":
            return path, "aucune source citée", "chaque fait cite au moins une clé de sources.yml"
        return path, f"liste « {name} » vide", ""
    if v == "minLength":
        return path, f"« {name} » est vide", "remplissez-le ou retirez la ligne"
    if v == "uniqueItems":
        return path, f"élément en double dans « {name} »", "retirez le doublon"
    if v == "oneOf":
        return _one_of(error, path, name)
    if v == "const":
        return path, f"valeur « {_show(inst)} » non admise pour « {name} »", f"attendu : {error.validator_value}"
    return path, f"valeur incorrecte pour « {name} » ({error.message})", ""


def _required_hint(missing: str) -> str:
    if missing == "sources":
        return "citez au moins une clé de sources.yml : sources: [actes-colloque-lianes-2009]"
    if missing == "partenaire":
        return "nommez le partenaire (partenaire: {nom: ...}) ou écrivez « partenaire: inconnu »"
    props = load("collectivite")["properties"]
    if missing in props:
        ex = props[missing].get("examples", [None])[0]
        shown = json.dumps(ex, ensure_ascii=False) if isinstance(ex, str) and ex.isdigit() else _show(ex)
        return f"exemple : {missing}: {shown}" if ex is not None else ""
    return ""


def _one_of(error, path, name):
    inst = error.instance
    if name == "partenariats":
        if inst == [] or inst is None:
            return path, "liste de partenariats vide", \
                "ajoutez au moins un partenariat, ou écrivez « partenariats: inconnus » si la source n'en nomme aucun"
        if not isinstance(inst, list):
            return path, f"« partenariats » doit être une liste, ou le mot « inconnus »", "voir le modèle écrit par « atlas new »"
    if name == "partenaire":
        if isinstance(inst, str):
            return path, f"partenaire écrit comme un texte (« {_show(inst)} »)", \
                f"écrivez « partenaire: {{nom: {inst}}} », ou « partenaire: inconnu » si la source ne donne que le pays"
        if inst is None:
            return path, "partenaire vide", "écrivez « partenaire: inconnu » si la source ne donne que le pays"
    return path, f"valeur incorrecte pour « {name} »", "voir le modèle écrit par « atlas new »"


def _matching_branch(error: jsonschema.ValidationError) -> list | None:
    """Errors of the oneOf branch the value was meant for (the one whose shape it has)."""
    branches: dict[int, list] = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0], []).append(e)
    fitting = [errs for errs in branches.values()
               if not any(not e.relative_path and e.validator in ("type", "const") for e in errs)]
    return fitting[0] if len(fitting) == 1 else None


def _expand(error: jsonschema.ValidationError):
    if error.validator == "oneOf" and error.context:
        special = _one_of(error, tuple(error.absolute_path), _name(error.absolute_path))
        if not special[1].startswith("valeur incorrecte"):
            yield special
            return
        branch = _matching_branch(error)
        if branch:
            for e in branch:
                yield from _expand(e)
            return
    yield translate(error)


def errors(name: str, data) -> list[tuple[tuple, str, str]]:
    """All schema problems of one document."""
    return [t for e in validator(name).iter_errors(data) for t in _expand(e)]
