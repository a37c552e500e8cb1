"""The JSON Schemas (single source of truth) and French messages for their errors."""
from __future__ import annotations

import copy
import difflib
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from atlas.content import countries, gazetteer, vocabulary, yamlio

SCHEMAS = Path(__file__).parents[1] / "schemas"  # the documented file formats, at the package's top
SCHEMA_FILES = {
    "collectivite": "collectivite.schema.json",
    "pays": "pays.schema.json",
    "statistique": "statistique.schema.json",
    "liste": "liste.schema.json",
}
FIELD_LABELS = {"lat": "latitude", "lon": "longitude"}
REFERENCE_HINT = "voyez l'exemple de ce champ dans la « Référence des champs » (guide Contribuer)"


@functools.cache
def load(name: str) -> dict:
    return json.loads((SCHEMAS / SCHEMA_FILES[name]).read_text(encoding="utf-8"))


_END = re.compile(r"(?<!\\)\$")


def _whole_value_pattern(validator, pattern, instance, schema):
    """`pattern` as JSON Schema means it (ECMA-262: « $ » is the end of the value), not as Python's
    `re.search` reads it (« $ » also before a final newline: « "SN\\n" » matched « ^[A-Z]{2}$ »)."""
    if validator.is_type(instance, "string") and not re.search(_END.sub(r"\\Z", pattern), instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


# The same validator, with patterns matched on the whole value (fastjsonschema already does so).
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _whole_value_pattern})


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    # local "$ref"s inlined: resolving them through `referencing` at each step was most of the
    # time spent explaining an invalid file (5,000 broken files: 3 times the clean check)
    return _Validator(_inline_refs(load(name), load(name)))


def _inline_refs(node, root: dict, seen: tuple = ()):
    if isinstance(node, list):
        return [_inline_refs(n, root, seen) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and ref not in seen:
        target = _inline_refs(root["$defs"][ref.removeprefix("#/$defs/")], root, seen + (ref,))
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}  # siblings are annotations
    return {k: (v if k == "$defs" else _inline_refs(v, root, seen)) for k, v in node.items()}


def closest(word, choices, cutoff: float = 0.6) -> str | None:
    """The choice a contributor probably meant ("thematique" for "thématiqe"), or None."""
    return _closest(str(word)[:80], tuple(choices), cutoff)  # nothing longer is a typo of a key


@functools.lru_cache(maxsize=8192)  # a broken national corpus repeats the same few mistakes
def _closest(word: str, choices: tuple, cutoff: float) -> str | None:
    folded = {countries.fold(c): c for c in choices}
    hit = difflib.get_close_matches(countries.fold(word), list(folded), n=1, cutoff=cutoff)
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
        where = _context(path)
        if missing == "sources":
            return path, f"aucune source citée pour {where} (champ « sources » manquant)", _required_hint(missing)
        return path, f"champ obligatoire « {missing} » manquant dans {where}", \
            _required_hint(missing, error.schema.get("properties", {}).get(missing))
    if v == "additionalProperties":
        return _unknown_keys(error)[0]
    if v == "enum":
        several = [k for k in dict.fromkeys(vocabulary.key_for(part, error.validator_value) or closest(part, error.validator_value, 0.8)
                                            for part in re.split(r",|;|/|\bet\b|\+", str(inst))) if k]
        if isinstance(inst, str) and len(several) > 1:
            return path, f"« {name} » n'a qu'une valeur, pas « {_show(inst)} »", \
                f"choisissez la principale : {' ou '.join(several)} ; l'autre peut se dire dans la description"
        guess = vocabulary.key_for(inst, error.validator_value) or closest(inst, error.validator_value)
        hint = (f"voulez-vous dire « {guess} » ? " if guess else "") + \
            "valeurs possibles : " + ", ".join(map(str, error.validator_value))
        return path, f"valeur « {_show(inst)} » non admise pour « {name} »", hint
    if v == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        if inst is None:  # `depuis:` with nothing after it
            example = error.schema.get("examples", [None])[0]
            typed = (f"{path[-1]}: {json.dumps(example, ensure_ascii=False)}"
                     if example is not None and path and isinstance(path[-1], str) else "")
            return path, f"« {name} » est vide", \
                (f"écrivez la valeur après les deux-points (ex. {typed}), " if typed else "écrivez la valeur, ") + \
                "ou retirez la ligne si elle est inconnue"
        if "integer" in expected and isinstance(inst, yamlio.DateText):
            year = inst[:4]
            return path, f"« {name} » attend une année, pas la date « {inst} »", f"écrivez l'année seule : {year}"
        if "integer" in expected and isinstance(inst, str) and "-" in inst and any(c.isdigit() for c in inst):
            return path, f"« {name} » attend une seule année (un nombre), pas « {inst} »", \
                "pour une période, écrivez l'année de début ici ; dans un projet, « debut: 2009 » et « fin: 2012 »"
        if "boolean" in expected:
            word = countries.fold(str(inst)).strip(" .!")
            meant = ("true" if word in {"oui", "vrai", "yes", "o", "x", "1"}
                     else "false" if word in {"non", "faux", "no", "n", "0"} else None)
            key = path[-1] if path and isinstance(path[-1], str) else name
            return path, f"« {name} » attend true ou false, pas « {_show(inst)} »", \
                f"écrivez {key}: {meant}" if meant else f"écrivez {key}: true (oui) ou {key}: false (non)"
        if "integer" in expected and isinstance(inst, str) and name in YEAR_FIELDS and re.search(r"ann[ée]es?\s+(19)?[0-9]0", inst):
            decade = re.search(r"(19)?([0-9]0)\b", inst.split("nn", 1)[1]).group(2)
            return path, f"« {name} » attend une année, pas « {_show(inst)} »", \
                f"écrivez l'année exacte si vous la connaissez, sinon le début de la décennie : {name}: 19{decade}"
        if "integer" in expected and isinstance(inst, str) and re.fullmatch(r"\s*[0-9]{2}\s*", inst) and name in YEAR_FIELDS:
            return path, f"« {name} » attend une année en entier, pas « {inst.strip()} »", \
                f"écrivez les quatre chiffres, ex. {name}: 20{inst.strip()} ou {name}: 19{inst.strip()}"
        if "integer" in expected or "number" in expected:
            typed = _typed_number(inst) if isinstance(inst, str) else None
            if typed is not None:
                number, what = typed
                key = path[-1] if path and isinstance(path[-1], str) else name
                if what == "virgule décimale":
                    return path, f"« {name} » attend un nombre, pas « {inst} »", f"le séparateur décimal est un point : {number}"
                return path, f"« {name} » attend un nombre, pas « {_show(inst)} » ({what})", \
                    f"écrivez {key}: {number}" + (" (le signe moins du clavier « - », un point décimal)" if "tiret" in what else "")
            return path, f"« {name} » attend un nombre, pas « {_show(inst)} »", "écrivez le nombre seul, sans guillemets ni unité"
        if "array" in expected:
            if isinstance(inst, dict) and inst:  # « partenaire: … » under « partenariats: » without its « - »
                first = next(iter(inst))
                return path, f"« {name} » attend une liste, et « {_show(first)}: » n'a pas de tiret devant", \
                    f"il manque le tiret de liste : écrivez « - {first}: … », un tiret par élément, aligné sous « {name} »"
            if isinstance(inst, str) and path and isinstance(path[-1], str):
                return path, f"« {name} » attend une liste", f"écrivez-la entre crochets : {path[-1]}: [{inst}]"
            return path, f"« {name} » attend une liste", "écrivez une liste : [a, b] ou une ligne « - a » par élément"
        if "object" in expected:
            if name == "partenariats" and path and isinstance(path[-1], int) and isinstance(inst, str):
                return path, f"partenariat écrit comme un simple texte (« {_show(inst)} »)", \
                    "un partenariat est un bloc : « - partenaire: {nom: ...} » puis pays, nature et sources " \
                    "alignés sous « partenaire » (voir le modèle du guide Contribuer)"
            if name in ("siege", "coordonnees"):
                return path, f"« {name} » attend une latitude et une longitude", f"écrivez {name}: {{lat: 50.63, lon: 3.06}}"
            return path, f"« {name} » attend un bloc de champs (clé: valeur)", REFERENCE_HINT
        if "string" in expected:
            key = path[-1] if path and isinstance(path[-1], str) else name
            if isinstance(inst, (int, float)) and not isinstance(inst, bool):
                zero = ", avec son zéro du début" if _padded(name, inst) != str(inst) else ""
                return path, f"« {name} » doit être écrit entre guillemets", \
                    f"écrivez {key}: \"{_padded(name, inst)}\" (un code s'écrit toujours entre guillemets{zero})"
            return path, f"« {name} » attend un texte, pas « {_show(inst)} »", "mettez la valeur entre guillemets"
        return path, f"type de valeur incorrect pour « {name} »", REFERENCE_HINT
    if v == "pattern":
        if name == "pays":
            guess = countries.guess_code(inst)
            hint = f"écrivez le code ISO à deux lettres majuscules : {guess} ({countries.name_fr(guess)})" if guess \
                else "écrivez le code ISO à deux lettres majuscules (SN, MA, DE...)"
            return path, f"« {inst} » n'est pas un code pays", hint
        if error.validator_value.startswith("^https?://"):
            return _address(path, str(inst))
        if name == "departement":
            number = gazetteer.departement_named(str(inst))
            return path, f"« {_show(inst)} » n'est pas un numéro de département", \
                f"écrivez le numéro seul : departement: \"{number}\"" if number else \
                "écrivez le numéro du département entre guillemets, ex. departement: \"59\" (Nord), \"62\" (Pas-de-Calais)"
        if name == "code":
            text = str(inst).strip()
            if re.fullmatch(r"[0-9]{4}", text):
                return path, f"« {text} » : un code INSEE a 5 caractères", f"avec son zéro du début : code: \"0{text}\""
            return path, f"« {_show(inst)} » n'est pas un code valide", \
                "un code INSEE de commune a 5 caractères (\"59350\"), un SIREN d'intercommunalité 9 chiffres " \
                "(\"245900410\"), un département son numéro (\"59\") ; entre guillemets"
        if name == "date":
            return path, f"date « {_show(inst)} » illisible", _date_hint(str(inst))
        return path, f"« {_show(inst)} » n'est pas une clé valide pour « {name} »", \
            "une clé s'écrit en minuscules, sans accent ni espace, mots séparés par des tirets : copiez-la depuis sa liste"
    if v in ("minimum", "maximum"):
        if name in YEAR_FIELDS and isinstance(inst, int) and 0 <= inst < 100:
            return path, f"« {name} » attend une année en entier, pas « {inst} »", \
                f"écrivez les quatre chiffres, ex. {name}: {2000 + inst if inst < 30 else 1900 + inst}"
        if name in ("latitude", "longitude"):
            bound = "-90 à 90" if name == "latitude" else "-180 à 180"
            return path, f"{name} {inst} hors limites ({bound})", \
                "écrivez des degrés décimaux avec un point (Lille : lat: 50.63, lon: 3.06)"
        return path, f"« {name} » = {inst} hors limites", f"attendu {'au moins' if v == 'minimum' else 'au plus'} {error.validator_value}"
    if v == "minItems":
        if name == "sources":
            return path, "aucune source citée", "chaque fait cite au moins une clé de sources.yml"
        return path, f"liste « {name} » vide", "ajoutez au moins un élément, ou retirez la ligne si le champ est facultatif"
    if v == "minLength":
        if isinstance(inst, str) and inst.strip():
            return path, f"« {name} » trop court : « {_show(inst)} »", \
                f"écrivez-le en entier (au moins {error.validator_value} caractères)"
        return path, f"« {name} » est vide", "remplissez-le ou retirez la ligne"
    if v == "maxItems":
        return path, f"{len(inst)} éléments dans « {name} » : la limite est de {error.validator_value}", \
            "gardez les principaux : au-delà, la page n'est plus lisible ; si l'atlas a vraiment besoin de plus, " \
            "dites-le à l'équipe dans la proposition"
    if v == "maxLength":
        return path, f"« {name} » fait {len(inst)} caractères : la limite est de {error.validator_value}", \
            "raccourcissez-le ; un texte long se résume en quelques phrases (les détails restent dans la source citée)"
    if v == "uniqueItems":
        return path, f"élément en double dans « {name} »", "retirez le doublon"
    if v == "oneOf":
        return _one_of(error, path, name) or (path, f"valeur incorrecte pour « {name} »", REFERENCE_HINT)
    if v == "const":
        return path, f"valeur « {_show(inst)} » non admise pour « {name} »", f"attendu : {error.validator_value}"
    return path, f"valeur incorrecte pour « {name} » ({error.message})", REFERENCE_HINT


YEAR_FIELDS = {"depuis", "fin", "debut", "annee", "date"}


def _padded(name: str, value) -> str:
    """A code YAML read as a number lost its leading zero: département 2 → "02", INSEE 2408 → "02408"."""
    text = str(value)
    if isinstance(value, int) and ((name == "departement" and len(text) == 1) or (name == "code" and len(text) == 4)):
        return "0" + text
    return text


def _address(path: tuple, typed: str) -> tuple[tuple, str, str]:
    key = path[-1] if path and isinstance(path[-1], str) else "site_web"
    if "@" in typed and "://" not in typed or not re.search(r"[a-z0-9-]\.[a-z]{2,}", typed.lower()):
        what = "une adresse e-mail" if "@" in typed else "pas une adresse de site"
        return path, f"« {_show(typed)} » : {what}", \
            f"« {key} » attend l'adresse d'un site (https://www.exemple.fr/…), copiée depuis la barre du navigateur ; " \
            "un courriel ou un téléphone n'a pas sa place dans la fiche : retirez la ligne"
    pieces = [p for p in re.split(r"[\s,;]+", typed.strip()) if p]
    if len(pieces) > 1 and sum(bool(re.match(r"(https?:|www\.)", p)) for p in pieces) > 1:
        return path, f"plusieurs adresses dans « {key} » : « {_show(typed)} »", \
            f"une seule adresse, la principale : {key}: {pieces[0]} (les autres vont dans la source ou la description)"
    if re.search(r"\s", typed.strip()):
        joined = "".join(typed.split())
        return path, f"espace dans l'adresse « {_show(typed)} »", \
            f"une adresse ne contient pas d'espace : {key}: {joined} (vérifiez-la dans le navigateur)"
    repaired = re.sub(r"^(https?)[:/]*(?=[^:/])", r"\1://", typed.strip(), flags=re.IGNORECASE)
    if not re.match(r"https?://", repaired, re.IGNORECASE):
        repaired = "https://" + typed.strip().lstrip("/")
    return path, f"adresse incomplète : « {_show(typed)} » ne commence pas par https://", \
        f"écrivez l'adresse entière, copiée depuis la barre du navigateur : {key}: {repaired}"


_MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
           "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}


def _date_hint(typed: str) -> str:
    """The date as the atlas reads it, from what people write (« 25/06/2015 », « juin 2015 »)."""
    text = countries.fold(typed)
    day = re.fullmatch(r"\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*", text)
    if day:
        return f"une date s'écrit AAAA-MM-JJ : date: {day.group(3)}-{int(day.group(2)):02d}-{int(day.group(1)):02d}"
    backwards = re.fullmatch(r"\s*(\d{4})[/. ](\d{1,2})[/. ](\d{1,2})\s*", text)
    if backwards:
        return f"une date s'écrit AAAA-MM-JJ : date: {backwards.group(1)}-{int(backwards.group(2)):02d}-{int(backwards.group(3)):02d}"
    month = re.fullmatch(r"\s*(?:(\d{1,2})(?:er)?\s+)?([a-z]+)\s+(\d{4})\s*", text)
    if month and month.group(2) in _MONTHS:
        m, d = _MONTHS[month.group(2)], month.group(1)
        return "une date s'écrit AAAA-MM-JJ : date: " + (f"{month.group(3)}-{m:02d}-{int(d):02d}" if d else f"{month.group(3)}-{m:02d}")
    year = re.search(r"\b(1[0-9]{3}|20[0-9]{2})\b", text)
    return "une année (2015) ou une date AAAA-MM-JJ (2015-06-25)" + (f" : date: {year.group(1)}" if year else " ; en chiffres")


MONEY_WORDS = {"budget", "budgets", "montant", "cout", "financement", "subvention", "euros"}
_DMS = re.compile(r"\s*(\d{1,3})\s*[°º]\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*['′’]\s*)?(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:[\"″”]|'')\s*)?([NSEOW])?\s*",
                  re.IGNORECASE)


def _typed_number(text: str) -> tuple[str, str] | None:
    """A number as people type it (« –3,2 », « 13°05′N ») → (the decimal to write, what was off)."""
    dms = _DMS.fullmatch(text)
    if dms:
        degrees, minutes, seconds, side = dms.groups()
        value = int(degrees) + float((minutes or "0").replace(",", ".")) / 60 + float((seconds or "0").replace(",", ".")) / 3600
        sign = "-" if (side or "").upper() in ("S", "O", "W") else ""
        return f"{sign}{value:.4f}".rstrip("0").rstrip("."), \
            "degrés et minutes" + (" ; sud et ouest s'écrivent avec un signe moins" if sign else "")
    stripped = text.strip()
    off = []
    unit = re.fullmatch(r"(.*?\d)\s*(€|euros?|eur|habitants?|hab\.?|km)\s*", stripped, re.IGNORECASE)
    if unit:
        off.append(f"sans l'unité « {unit.group(2)} »")
        stripped = unit.group(1)
    if re.fullmatch(r"[-–—−]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?", stripped):
        off.append("sans espace entre les milliers")
        stripped = re.sub(r"[ \u00a0\u202f]", "", stripped)
    elif re.fullmatch(r"[-–—−]?\d{1,3}(\.\d{3}){2,}", stripped):  # « 1.500.000 »: a point is a decimal separator
        off.append("sans point entre les milliers")
        stripped = stripped.replace(".", "")
    if stripped[:1] in yamlio.DASHES:
        off.append(f"le signe moins est un tiret typographique U+{ord(stripped[0]):04X}")
        stripped = "-" + stripped[1:].lstrip()
    if "," in stripped and "." not in stripped:
        off.append("virgule décimale")
        stripped = stripped.replace(",", ".", 1)
    try:
        float(stripped)
    except ValueError:
        return None
    return (stripped, " ; ".join(off)) if off else None


CONTEXTS = {"partenariats": "ce partenariat", "projets": "ce projet", "reseaux": "ce réseau",
            "organisation": "cette organisation", "partenaire": "ce partenaire", "population": "la population",
            "siege": "le siège", "coordonnees": "les coordonnées", "chiffres": "ce chiffre", "lignes": "cette ligne"}


def _context(path) -> str:
    keys = [p for p in path if isinstance(p, str)]
    return CONTEXTS.get(keys[-1], f"« {keys[-1]} »") if keys else "la fiche"


def _unknown_keys(error: jsonschema.ValidationError) -> list[tuple[tuple, str, str]]:
    """One problem per key the schema does not know, with the closest known key."""
    path, inst = tuple(error.absolute_path), error.instance
    allowed = error.schema.get("properties", {})
    patterns = list(error.schema.get("patternProperties", {}))
    out = []
    for key in [k for k in inst if k not in allowed and not _matches(patterns, k)] or ["?"]:
        guess = closest(key, allowed)
        hint = f"voulez-vous dire « {guess} » ? (les clés s'écrivent sans accent ni majuscule)" if guess else \
            "clés possibles ici : " + ", ".join(allowed)
        meant = re.sub(r"[\s-]+", "_", countries.fold(str(key)).strip())  # « Description-EN », « description en »
        if meant != key and _matches(patterns, meant):
            hint = f"écrivez la clé en minuscules, avec un tiret bas : {meant}"
        elif _looks_translated(key):
            here = [m.group(1) + "_" + key.rpartition("_")[2] for m in map(_PATTERN_FIELD.match, patterns) if m]
            hint = ("seuls les textes libres se donnent dans une autre langue ; ici : " + ", ".join(here) if here else
                    "rien dans ce bloc ne se donne dans une autre langue : les noms, clés et codes s'écrivent tels quels "
                    "pour toutes les éditions") + " (guide « Contribuer », « Donner un texte en anglais »)"
        if countries.fold(str(key)) in MONEY_WORDS:
            hint = ("un budget ou un montant s'écrit dans les « chiffres » d'un projet : "
                    "chiffres: [{libelle: budget, valeur: 120000, unite: euros}] (guide « Contribuer », « Donner un budget »)")
        out.append((path + (key,), f"clé inconnue « {key} »", hint))
    return out


def _misspelt(error: jsonschema.ValidationError, missing: str) -> bool:
    """A required key reported missing because it is there with an accent or a capital (`Pays:`)."""
    allowed = error.schema.get("properties", {})
    patterns = list(error.schema.get("patternProperties", {}))
    inst = error.instance if isinstance(error.instance, dict) else {}
    return any(k not in allowed and not _matches(patterns, k) and closest(k, allowed) == missing for k in inst)


def _matches(patterns: list[str], key) -> bool:
    return isinstance(key, str) and any(re.search(_END.sub(r"\\Z", p), key) for p in patterns)


# -- texts in other languages: « description_en » beside « description » --

TRANSLATION_KEY = re.compile(r"(?P<field>[a-z]+)_(?P<lang>[a-z]{2,3})")
_PATTERN_FIELD = re.compile(r"\^([a-z]+)_")  # « ^description_[a-z]{2,3}$ » → description


@functools.cache
def language_names() -> dict[str, str]:
    """Language code → its name in French (Babel): « en » → « anglais »."""
    from babel import Locale

    return dict(Locale("fr").languages)


def language_name(lang: str) -> str:
    """« anglais »; a code Babel does not know is shown as typed."""
    return language_names().get(lang, f"« {lang} »")


def _looks_translated(key) -> bool:
    """« nom_en », « titre_de »: a field and a language code (« acteurs_ici » is no language)."""
    match = TRANSLATION_KEY.fullmatch(key) if isinstance(key, str) else None
    return bool(match) and match["lang"] in language_names()


@functools.cache
def _inlined(name: str) -> dict:
    return _inline_refs(load(name), load(name))


def translated_keys(name: str, data) -> list[tuple[tuple, str, str]]:
    """(where, field, language) of each key of `data` that the schema `name` accepts as another
    language's text of a free-text field (its patternProperties: « description_en » → description, en).
    Where the schema refuses the key (« titre_en » in a partnership), it is not listed: the schema said it."""
    found: list[tuple[tuple, str, str]] = []
    _walk_translations(_inlined(name), data, (), found)
    return found


def _fits(node: dict, value) -> bool:
    """Whether `value` has the shape of this oneOf branch (the branch its errors would be about)."""
    if "const" in node:
        return node["const"] == value
    kinds = node.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return ("object" in kinds or "properties" in node) and isinstance(value, dict) or \
        ("array" in kinds or "items" in node) and isinstance(value, list)


def _walk_translations(node: dict, value, where: tuple, found: list) -> None:
    for branch in node.get("oneOf", []):
        if _fits(branch, value):
            _walk_translations(branch, value, where, found)
    if isinstance(value, dict):
        properties, patterns = node.get("properties", {}), node.get("patternProperties", {})
        for key, sub in value.items():
            if key in properties:
                _walk_translations(properties[key], sub, where + (key,), found)
                continue
            match = TRANSLATION_KEY.fullmatch(key) if isinstance(key, str) else None
            if match and _matches(list(patterns), key):
                found.append((where + (key,), match["field"], match["lang"]))
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _walk_translations(node["items"], item, where + (i,), found)


def _required_hint(missing: str, subschema: dict | None = None) -> str:
    if missing == "sources":
        return "citez au moins une clé de content/sources.yml : sources: [actes-colloque-lianes-2009]"
    if missing == "partenaire":
        return "nommez le partenaire (partenaire: {nom: ...}) ou écrivez « partenaire: inconnu »"
    props = load("collectivite")["properties"]
    subschema = subschema if subschema is not None else props.get(missing)
    if subschema is None:
        return ""
    ex = (subschema.get("examples") or [None])[0]
    if ex is None and "$ref" in subschema:
        ex = (_definition(subschema["$ref"]).get("examples") or [None])[0]
    enum = subschema.get("enum")
    shown = json.dumps(ex, ensure_ascii=False) if isinstance(ex, str) and ex.isdigit() else _show(ex)
    hint = f"ajoutez par exemple « {missing}: {shown} »" if ex is not None else f"ajoutez la ligne « {missing}: ... »"
    return hint + (" ; valeurs possibles : " + ", ".join(map(str, enum)) if enum else "")


def _definition(ref: str) -> dict:
    name = ref.rsplit("/", 1)[-1]
    return load("collectivite").get("$defs", {}).get(name, {}) if ref.startswith("#/$defs/") else {}


def _one_of(error, path, name):
    inst = error.instance
    if name == "partenariats":
        if inst == [] or inst is None:
            return path, "liste de partenariats vide", \
                "ajoutez au moins un partenariat, ou écrivez « partenariats: inconnus » si la source n'en nomme aucun"
        if isinstance(inst, dict) and inst:  # the first partnership without its « - »
            first = next(iter(inst))
            return path, f"« partenariats » attend une liste, et « {_show(first)}: » n'a pas de tiret devant", \
                f"il manque le tiret de liste : écrivez « - {first}: … », un tiret devant chaque partenariat"
        if not isinstance(inst, list):
            return path, "« partenariats » doit être une liste, ou le mot « inconnus »", REFERENCE_HINT
    if name == "partenaire":
        if isinstance(inst, str) and countries.fold(inst).strip(" .?!") in {"", "inconnu", "inconnue", "inconnus", "inconnues",
                                                                           "non connu", "nc", "n/a", "aucun", "?"}:
            return path, f"partenaire « {_show(inst)} » : le mot attendu est « inconnu »", \
                "écrivez « partenaire: inconnu » (en minuscules) si la source ne donne que le pays"
        if isinstance(inst, str):
            return path, f"partenaire écrit comme un texte (« {_show(inst)} »)", \
                f"écrivez « partenaire: {{nom: {inst}}} », ou « partenaire: inconnu » si la source ne donne que le pays"
        if inst is None:
            return path, "partenaire vide", "écrivez « partenaire: inconnu » si la source ne donne que le pays"
    return None  # no shape-specific message: the caller explains the branch it fits, or says it generally


def _matching_branch(error: jsonschema.ValidationError) -> list | None:
    """Errors of the oneOf branch the value was meant for (the one whose shape it has)."""
    branches: dict[int, list] = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0], []).append(e)
    fitting = [errs for errs in branches.values()
               if not any(not e.relative_path and e.validator in ("type", "const") for e in errs)]
    return fitting[0] if len(fitting) == 1 else None


def _expand(error: jsonschema.ValidationError):
    """(leaf error, (path, message, hint)) for each problem this error stands for."""
    if error.validator == "additionalProperties":
        for t in _unknown_keys(error):
            yield error, t
        return
    if error.validator == "required" and _misspelt(error, error.message.split("'")[1]):
        return  # the « clé inconnue » problem already names it
    if error.validator == "oneOf" and error.context:
        path, name = tuple(error.absolute_path), _name(error.absolute_path)
        special = _one_of(error, path, name)
        if special is not None:
            yield error, special
            return
        branch = _matching_branch(error)
        if branch:
            for e in branch:
                yield from _expand(e)
            return
        yield error, (path, f"valeur incorrecte pour « {name} »", REFERENCE_HINT)
        return
    yield error, translate(error)


KEY_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"  # a key of a controlled list (sources, thématiques…)


@dataclass(frozen=True)
class SchemaProblem:
    where: tuple
    message: str
    hint: str
    rule: str  # "schema.<keyword>", or "schema.cle" for a malformed key of a controlled list


def _rule(error: jsonschema.ValidationError) -> str:
    if error.validator == "pattern" and error.validator_value == KEY_PATTERN:
        return "schema.cle"
    return f"schema.{error.validator}"


@functools.cache
def fast_validator(name: str):
    """The same schema compiled to Python by fastjsonschema: ~20x faster on valid files, which
    are nearly all of them at national scale. It stops at the first error, so any invalid file
    goes through jsonschema for the complete, explained list."""
    import fastjsonschema

    # Our schemas use only draft-07 keywords; fastjsonschema knows drafts 04 to 07.
    # a deep copy: fastjsonschema rewrites the "$ref"s of the schema it is given, in place
    return fastjsonschema.compile(dict(copy.deepcopy(load(name)), **{"$schema": "http://json-schema.org/draft-07/schema#"}))


def errors(name: str, data) -> list[tuple[tuple, str, str]]:
    """All schema problems of one document."""
    try:
        fast_validator(name)(data)
        return []
    except Exception:  # JsonSchemaException, or a value fastjsonschema cannot handle: ask jsonschema
        pass
    found = [SchemaProblem(*t, rule=_rule(leaf)) for e in validator(name).iter_errors(data) for leaf, t in _expand(e)]
    if not found:  # the fast validator refused what jsonschema accepts: refuse, never let it through
        found = [SchemaProblem((), "la fiche ne suit pas le format attendu", REFERENCE_HINT, rule="schema.autre")]
    return found
