"""`atlas depuis-formulaire`: the answers of the « Ajouter ma collectivité » issue form → a fiche.

The issue body is untrusted text, read as data only: split on the form's own headings (taken
from the form's definition, so the two never drift apart), each answer kept as plain text and
written out by the YAML dumper (which quotes whatever needs quoting). Nothing is guessed that
the answers do not say: a partnership line giving only a country becomes « partenaire:
inconnu », an unrecognised piece of a line is kept in the description and listed in the report,
and the documents the contributor cites become one new entry of sources.yml that every fact
of the fiche cites. The check then says what is still to complete.
"""
from __future__ import annotations

import datetime
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markupsafe import Markup

from atlas.commands import new as newfile
from atlas.commands import replies
from atlas.content import countries, gazetteer, yamlio
from atlas.content.checker import LISTS, Severity
from atlas.content.vocabulary import NATURES, STATUTS
from atlas.content.yamlio import FORBIDDEN_CHARACTERS

FORM = Path(".github") / "ISSUE_TEMPLATE" / "ajouter-ma-collectivite.yml"
NO_RESPONSE = "_No response_"
MAX_BODY = 64 * 1024  # an issue body is at most 65,536 characters on GitHub
MAX_PARTNERSHIPS = 200

TYPES = {"commune": "commune", "intercommunalite": "intercommunalite", "departement": "departement", "region": "region"}
FORMES = [  # organisation: every form a line names (« l'adjointe, avec le comité de jumelage »)
    ("comite de jumelage", "comite-de-jumelage"), ("service", "service-relations-internationales"),
    ("association", "delegation-association"), ("elu", "elu-delegue"), ("adjoint", "elu-delegue"),
    ("delegue", "elu-delegue"), ("conseiller", "elu-delegue"),
]
_YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2})\b")
# « 2010-2011 », « 2010 – 2011 », « 2010/2011 », « de 2010 à 2011 », « depuis 2010 jusqu'en 2011 » (folded text)
_YEAR_RANGE = re.compile(r"(?:de |depuis |entre )?((?:1[89]|20)[0-9]{2}) ?"
                         r"(?:-|–|—|/| a | au | et | jusqu en | jusqu a )? ?((?:1[89]|20)[0-9]{2})")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_BARE_URL = re.compile(r"\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:fr|com|org|net|eu|gouv\.fr|info)(?:/[^\s<>\"')\]]*)?", re.IGNORECASE)


@dataclass
class Conversion:
    slug: str
    fiche: str  # the YAML text of the new fiche
    source_key: str
    source_entry: str  # the YAML text appended to sources.yml
    notes: list[str] = field(default_factory=list)  # what was not understood, in French
    partnership_lines: list[int] = field(default_factory=list)  # form line of each partnership of the fiche
    dropped: int = 0  # answer lines that are in no field of the fiche (said in the notes)


class FormError(ValueError):
    """The answers cannot make a fiche (no name…): said in French on the issue. `retry`: editing the
    ticket can fix it (not when the collectivité already has its fiche)."""

    def __init__(self, message: str, retry: bool = True):
        super().__init__(message)
        self.retry = retry


def form_fields(repository: Path, form_path: Path = FORM) -> dict[str, str]:
    """Heading (label) → id, from the form's definition."""
    form = yaml.safe_load((repository / form_path).read_text(encoding="utf-8"))
    return {item["attributes"]["label"].strip(): item["id"] for item in form["body"] if item.get("id")}


def parse_body(body: str, fields: dict[str, str]) -> dict[str, str]:
    """The answers of a rendered issue form: « ### Label » then the answer, until the next label."""
    answers: dict[str, str] = {}
    current = None
    lines: list[str] = []
    for line in body[:MAX_BODY].replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        heading = line[4:].strip() if line.startswith("### ") else None
        if heading is not None and heading in fields:
            if current:
                answers[current] = "\n".join(lines).strip()
            current, lines = fields[heading], []
        elif current:
            lines.append(line)
    if current:
        answers[current] = "\n".join(lines).strip()
    return {k: ("" if v == NO_RESPONSE else v) for k, v in answers.items()}


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[’'`\-]", " ", countries.fold(text))).strip()


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# What a list pasted from Word or a phone carries: bullets and numbering at the start of a line,
# typographic quotes around a name, invisible characters, a final full stop or semicolon.
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦‣●○■□➢➤►–—]+|\(?\d{1,3}[.)°]|[a-z][.)])\s+", re.IGNORECASE)
_QUOTED = re.compile(r"^[“„‘«‹\"']\s*(.*?)\s*[”“’»›\"']$")


def _clean_line(line: str, question: str, number: int, notes: list[str]) -> str:
    """One answer line as the person meant it; each change is said in the reply (nothing silent)."""
    typed = line
    line = FORBIDDEN_CHARACTERS.sub("", line.replace("\t", " "))
    line = _BULLET.sub("", line).strip().rstrip(" .;")
    line = ", ".join(_QUOTED.sub(r"\1", piece.strip()) for piece in line.split(","))
    if _one_line(line) != _one_line(typed):
        notes.append(f"Question « {question} », ligne {number} : « {_one_line(typed)[:80]} » lu comme "
                     f"« {_one_line(line)[:80]} » (puces, numéros, guillemets, caractères invisibles ou ponctuation finale retirés)")
    return line


def _themes(piece: str, themes: dict) -> list[str]:
    """« eau et éducation » → [eau-assainissement, education-jeunesse] (a theme's words must appear)."""
    found = []
    for part in re.split(r"\bet\b|/|;|\+", _fold(piece)):
        part = part.strip()
        if len(part) < 3:
            continue
        first = part.split()[0]  # « eau potable », « santé maternelle »: the theme's word comes first
        for key, entry in themes.items():
            words = [w for w in _fold(str(entry.get("libelle", key))).split() if len(w) >= 3 and w != "et"]
            if (part in words or first in words or any(w.startswith(part) and len(part) >= 4 for w in words)) and key not in found:
                found.append(key)
                break
    return found


_FILLERS = {"depuis", "en", "de", "d", "du", "des", "le", "la", "les", "l", "a", "au", "avec", "et", "annee", "ans",
            "officiel", "officielle", "signe", "signee", "actif", "active"}


def _read_piece(piece: str, result: dict, name_parts: list, unread: list, themes: dict, notes: list, number: int) -> bool:
    """Reads one comma-separated piece of a partnership line into `result`; True if it said something.
    A piece can say two things (« jumelée depuis 1998 », « arrêté en 2012 »): what follows the
    recognised word is read again, so its year is kept, never dropped."""
    folded = _fold(piece)
    first = not name_parts and not result  # where the partner's name goes: « Tunis » is a town, not Tunisie
    code = (countries.exact_code(piece) if first else _country(piece)) if "pays" not in result else None
    if code:
        result["pays"] = code
        if _fold(piece) != _fold(countries.name_fr(code)) and piece.strip() != code:
            notes.append(f"Question « Partenariats », ligne {number} : « {piece.strip()} » lu comme "
                         f"{countries.name_fr(code)} ({code})")
        return True
    for table, key in ((NATURES, "nature"), (STATUTS, "statut")):
        found = next(((k, v) for k, v in sorted(table.items(), key=lambda kv: -len(kv[0]))
                      if re.search(rf"(^| )\w*{re.escape(k)}\w*( |$)", folded)), None)
        # « plus actif depuis 2015 », « pas de jumelage » : a negated word is not read (kept, and said)
        negated = found and re.search(r"(^| )(plus|pas|non|ne|n|jamais|sans)( |$)", folded.split(found[0].split()[0])[0])
        if found and key not in result and not negated:
            result[key] = found[1]
            rest = re.sub(rf"\w*{re.escape(found[0])}\w*", " ", folded, count=1)
            # « jumelage depuis 1998 », « actif depuis 2005 »: the start; « arrêté en 2012 »: the end;
            # « en sommeil depuis 2015 » is neither, and stays in the description
            role = {"termine": "fin", "actif": "depuis"}.get(found[1], "depuis" if key == "nature" else None)
            _read_rest(rest, piece, result, unread, role)
            return True
    years = _YEAR_RANGE.fullmatch(folded)
    if years and "depuis" not in result:
        start, end = int(years.group(1)), int(years.group(2))
        result["depuis"] = start
        if end >= start:
            result["fin"] = end
        else:
            unread.append(piece)
        return True
    year = _YEAR.search(piece)
    if year and "depuis" not in result and len(folded) <= 20:
        result["depuis"] = int(year.group(1))
        return True
    found = _themes(piece, themes)
    if found:
        result.setdefault("thematiques", []).extend(t for t in found if t not in result.get("thematiques", []))
        labels = [str(themes[t].get("libelle", t)) for t in found]
        if _fold(piece) not in {_fold(label) for label in labels}:
            notes.append(f"Question « Partenariats », ligne {number} : « {piece.strip()} » lu comme la thématique "
                         + " et ".join(f"« {label} »" for label in labels))
        return True
    # the partner's name comes first, or right after the country (« Sénégal, Saint-Louis »)
    (name_parts if not name_parts and set(result) <= {"pays"} else unread).append(piece)
    return False


def _read_rest(rest: str, piece: str, result: dict, unread: list, role: str | None) -> None:
    """What follows « jumelage » or « arrêté » in one piece: a year for `role` (« depuis » or
    « fin »), or words kept, with the whole piece, in the description."""
    words = [w for w in rest.split() if w not in _FILLERS]
    if not words:
        return
    year = _YEAR.fullmatch(" ".join(words))
    if year and role and role not in result:
        result[role] = int(year.group(1))
        return
    unread.append(piece)


def _partnership(line: str, themes: dict, source: str, notes: list[str], number: int) -> dict | None:
    pieces = []
    for piece in re.split(r"[,;]", line):
        # « Kaya (Burkina Faso) », « Allemagne (jumelage depuis 1985) »: brackets that hold something
        # this reader knows are one more piece; other brackets are part of a name, kept as typed
        inner = re.fullmatch(r"\s*([^()]*?)\s*\(([^()]*)\)\s*([^()]*)", piece)
        if inner and _read_piece(inner.group(2), {}, [], [], themes, [], number):
            pieces += list(inner.groups())
        else:
            pieces.append(piece)
    pieces = [p.strip(" .") for p in pieces if p.strip(" .")]
    result: dict = {}
    name_parts: list[str] = []
    unread: list[str] = []
    for piece in pieces:
        _read_piece(piece, result, name_parts, unread, themes, notes, number)
    if "pays" not in result and name_parts and _country(name_parts[0]):  # « Burkina, jumelage »: only a country
        piece = name_parts.pop(0)
        result["pays"] = _country(piece)
        notes.append(f"Question « Partenariats », ligne {number} : « {piece} » lu comme "
                     f"{countries.name_fr(result['pays'])} ({result['pays']}), partenaire non nommé")
    if "pays" not in result:  # a misspelt country (« Sénagal »): the closest name, said in the reply
        # (a misspelling keeps its first three letters; at most three fuzzy searches a line)
        candidates = [p for p in unread + name_parts[1:] if 4 <= len(p) <= 40 and _fold(p)[:3] in _country_prefixes(3)]
        for piece in candidates[:3]:
            guess = countries.guess_code(piece)
            if guess and difflib.SequenceMatcher(None, _fold(piece), _fold(countries.name_fr(guess))).ratio() >= 0.75:
                result["pays"] = guess
                unread.remove(piece) if piece in unread else name_parts.remove(piece)
                notes.append(f"Question « Partenariats », ligne {number} : « {piece} » lu comme "
                             f"{countries.name_fr(guess)} ({guess}) : vérifiez")
                break
    if "pays" not in result:
        notes.append(f"Question « Partenariats », ligne {number} (« {_one_line(line)[:120]} ») : aucun pays reconnu, "
                     "ligne non reprise ; écrivez chaque partenariat sur une seule ligne, avec son pays séparé par une virgule "
                     "(ex. « Kaya, Burkina Faso, jumelage »)")
        return None
    partner: object = {"nom": name_parts[0]} if name_parts else "inconnu"
    if name_parts:
        result["pays"] = _country_of_town(partner["nom"], result["pays"], notes, number)
        _partner_position(partner, result["pays"], notes, number)
        if re.search(r" et | & |/|\+", name_parts[0]):
            notes.append(f"Question « Partenariats », ligne {number} : « {name_parts[0]} » est-il un seul partenaire ? "
                         "S'il y en a plusieurs, écrivez une ligne par partenaire (l'équipe les séparera)")
    fiche: dict = {"partenaire": partner, "pays": result["pays"]}
    if "nature" not in result:
        notes.append(f"Question « Partenariats », ligne {number} : nature non précisée (jumelage, coopération "
                     "décentralisée…), écrite « accord de coopération » sans précision")
    fiche["nature"] = result.get("nature", "accord-de-cooperation")
    if "fin" in result and result.get("statut", "termine") != "termine":
        notes.append(f"Question « Partenariats », ligne {number} : fin en {result['fin']} mais statut « {result['statut']} » : "
                     "l'année de fin n'est pas reprise ; précisez lequel est juste")
        del result["fin"]
    elif "fin" in result and "statut" not in result:
        result["statut"] = "termine"
        notes.append(f"Question « Partenariats », ligne {number} : de {result['depuis']} à {result['fin']}, "
                     "donc statut « terminé »")
    for key in ("statut", "depuis", "fin", "thematiques"):
        if key in result:
            fiche[key] = result[key]
    if unread:
        fiche["description"] = "Indiqué dans le formulaire : " + ", ".join(unread) + "."
        notes.append(f"Question « Partenariats », ligne {number} : « {', '.join(unread)[:120]} » non reconnu, "
                     "gardé dans la description du partenariat")
    fiche["sources"] = [source]
    return fiche


def _commune(name: str, code: str, departement: str, notes: list[str]) -> gazetteer.Commune | None:
    """The commune the answers name, from the Code officiel géographique; a postal code typed as
    « Code officiel » is recognised and replaced by the INSEE code, and the reply says so."""
    named = gazetteer.communes_named(name, departement or None)
    if code:
        known = gazetteer.commune(code)
        if known and gazetteer.key(known.name) == gazetteer.key(name):
            return known
        postal = [c for c in gazetteer.communes_with_postal_code(code) if c in named]
        if postal:
            also = f" (et le code INSEE de {known.name}, {known.departement})" if known else ""
            notes.append(f"Question « Code officiel » : {code} est le code postal de {postal[0].name}{also} ; son code INSEE, "
                         f"{postal[0].code}, est repris (c'est celui que l'atlas demande)")
            return postal[0]
        if known:
            notes.append(f"Question « Code officiel » : le code INSEE {code} est celui de {known.name} "
                         f"({known.departement}), pas de {name} : vérifiez-le"
                         + (f" (celui de {name} est {named[0].code})" if len(named) == 1 else ""))
        elif re.fullmatch(r"[0-9]{5}|2[AB][0-9]{3}", code):
            notes.append(f"Question « Code officiel » : {code} n'est ni un code INSEE ni un code postal connu : vérifiez-le"
                         + (f" (celui de {name} est {named[0].code})" if len(named) == 1 else ""))
        return None
    if len(named) == 1:
        notes.append(f"Code INSEE de {named[0].name} ({named[0].departement}) repris du Code officiel géographique : {named[0].code}")
        return named[0]
    if len(named) > 1:
        notes.append(f"Plusieurs communes s'appellent {name} ({', '.join(c.departement for c in named[:6])}) : "
                     "précisez le département et le code INSEE")
    return None


def _country_of_town(name: str, code: str, notes: list[str], number: int) -> str:
    """« Kinshasa, Congo »: Congo read as Congo-Brazzaville, but GeoNames has Kinshasa in the other
    Congo only. Among the countries whose French name begins with the same word (Congo, Guinée,
    Corée, Soudan…), the one that has the town, when the country read first has none."""
    if gazetteer.towns(name, code):
        return code
    word = _fold(countries.name_fr(code)).split()[0].split("-")[0]
    siblings = [c for c in countries.all_codes() if c != code and _fold(countries.name_fr(c)).split()[0].split("-")[0] == word]
    having = [c for c in siblings if gazetteer.towns(name, c)]
    if len(having) != 1:
        return code
    notes.append(f"Question « Partenariats », ligne {number} : {name} est en {countries.name_fr(having[0])} ({having[0]}) "
                 f"selon GeoNames, pas en {countries.name_fr(code)} : pays lu comme {countries.name_fr(having[0])}, vérifiez")
    return having[0]


def _partner_position(partner: dict, country: str, notes: list[str], number: int) -> None:
    """A partner town's position proposed from GeoNames, always marked approximate (a match by name)."""
    found = gazetteer.towns(partner["nom"], country)
    if not found:
        notes.append(f"Question « Partenariats », ligne {number} : {partner['nom']} n'est pas dans GeoNames en "
                     f"{countries.name_fr(country)} (lieux de plus de 500 habitants) : pas de position proposée ; "
                     "vérifiez le pays, ou donnez la position si vous la connaissez")
        return
    town = found[0]
    partner["coordonnees"] = _Point(lat=round(town.lat, 4), lon=round(town.lon, 4), approximatif=True)
    others = f" ; {len(found) - 1} autre(s) lieu(x) du même nom dans ce pays, le plus peuplé est retenu" if len(found) > 1 else ""
    notes.append(f"Question « Partenariats », ligne {number} : position de {partner['nom']} proposée d'après GeoNames "
                 f"({town.name}, {partner['coordonnees']['lat']}, {partner['coordonnees']['lon']}), marquée approximative{others}")


def _country(piece: str) -> str | None:
    text = piece.strip()
    if re.fullmatch(r"[A-Z]{2}", text) and countries.is_valid(text):
        return text
    exact = countries.exact_code(text)  # « Germany », « USA », « Royaume Uni »: a name the tables hold as is
    if exact:
        return exact
    if len(text) < 4 or len(text) > 40 or any(c.isdigit() for c in text):
        return None
    if _fold(text)[:4] not in _country_prefixes():  # cannot pass the test below: no fuzzy search for it
        return None
    code = countries.guess_code(text)
    # a country name, not a town that merely looks like one: the name must be (nearly) the country's,
    # or one of the usual names the project lists (« Angleterre »)
    if code and (_fold(countries.name_fr(code)).startswith(_fold(text)[:4]) or countries.fold(text) in countries.variants()):
        return code
    return None


@functools.cache
def _country_prefixes(size: int = 4) -> frozenset[str]:
    """The first letters of every French country name: a piece that starts otherwise is no
    country, whatever the fuzzy search would say (keeps a 60 KB body linear and fast)."""
    return frozenset([_fold(countries.name_fr(code))[:size] for code in countries.all_codes()]
                     + [_fold(name)[:size] for name in countries.variants()])


def _organisation(text: str, source: str) -> list[dict]:
    items = []
    for line in text.split("\n"):
        line = _one_line(line.lstrip("-*• "))
        if not line:
            continue
        folded = _fold(line)
        formes = list(dict.fromkeys(v for k, v in FORMES if re.search(rf"\b{k}", folded))) or ["autre"]
        items += [{"forme": forme, "precision": line, "sources": [source]} for forme in formes]  # each form it names
    return items


class _Dumper(yaml.SafeDumper):
    """The style of the fiches of content/: block lists indented under their key, short lists of
    keys on one line (`sources: [a, b]`), no line folding."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _list(dumper: yaml.SafeDumper, items: list):
    simple = all(isinstance(i, (str, int)) and len(str(i)) < 100 for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=simple)


_Dumper.add_representer(list, _list)


class _Point(dict):
    """Coordinates, written on one line as in the fiches of content/: {lat: 50.63, lon: 3.06}."""


_Dumper.add_representer(_Point, lambda dumper, point: dumper.represent_mapping("tag:yaml.org,2002:map", point, flow_style=True))


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096, default_flow_style=False)


def convert(answers: dict[str, str], issue: int, content_root: Path, lists: dict, today: datetime.date | None = None) -> Conversion:
    today = today or datetime.date.today()
    notes: list[str] = []
    typed_name = name = _one_line(answers.get("nom", ""))
    in_brackets = re.fullmatch(r"(.+?)\s*\(([^()]*)\)", name)  # « Quelquepart (59) », « Quelquepart (Nord) »
    if in_brackets:
        name = in_brackets.group(1)
        if not _one_line(answers.get("departement", "")):
            answers = {**answers, "departement": in_brackets.group(2)}
    if len(name) < 2:
        raise FormError("le nom de la collectivité manque : complétez la question « Nom officiel de la collectivité »")
    kind = TYPES.get(_fold(answers.get("type", "")).replace(" ", ""), newfile.guess_type(name))
    if newfile.guess_type(name) != "commune" and kind != newfile.guess_type(name):  # « Communauté de communes de… » ticked « Commune »
        kind = newfile.guess_type(name)
        notes.append(f"Question « Type de collectivité » : « {_one_line(answers.get('type', ''))[:40]} » coché, mais "
                     f"« {name[:80]} » est un nom de type « {kind} » : type lu comme « {kind} » ; corrigez le ticket si c'est une erreur")
    if kind == "commune":  # the COG's spelling of a commune it knows (« QUELQUEPART », « lille »)
        same = gazetteer.communes_named(newfile.official_name(name, kind))
        if same and len({c.name for c in same}) == 1 and same[0].name != newfile.official_name(name, kind):
            name = name.replace(newfile.official_name(name, kind), same[0].name)
    if name != typed_name:
        notes.append(f"Question « Nom officiel de la collectivité » : « {typed_name[:80]} » lu comme « {name} »"
                     + (" (nom du Code officiel géographique)" if not in_brackets else ""))
    if name.isupper() and len(name) > 3:
        notes.append(f"Question « Nom officiel de la collectivité » : « {name[:80]} » est écrit en capitales ; "
                     "il est publié tel quel : écrivez-le comme sur les documents officiels (« Quelquepart »)")
    official = newfile.official_name(name, kind)
    slug = newfile.slug_for(name, kind)
    if not slug:
        raise FormError(f"impossible de tirer un nom de fichier de « {name[:80]} »")
    source_key = f"formulaire-{slug}-{issue}"
    fiche: dict = {"nom": official}
    if official != name:
        fiche["alias"] = [name]
    fiche["type"] = kind
    code = re.sub(r"\s", "", answers.get("code", ""))
    typed_departement = _one_line(answers.get("departement", ""))
    # a spreadsheet drops the leading zero: « 2 » for 02, « 2408 » for 02408
    padded = "0" + typed_departement if re.fullmatch(r"[1-9]", typed_departement) else typed_departement
    if kind == "commune" and re.fullmatch(r"[1-9][0-9]{3}", code) and gazetteer.commune("0" + code):
        notes.append(f"Question « Code officiel » : « {code} » lu comme {'0' + code} (un code INSEE a 5 caractères ; "
                     "le zéro du début se perd dans un tableur)")
        code = "0" + code
    departement = gazetteer.departement_named(padded) or "" if typed_departement else ""
    if typed_departement and not departement:
        notes.append(f"Question « Département » : « {typed_departement[:60]} » n'est pas un département connu : "
                     "écrivez son numéro (ex. 59 pour le Nord, 62 pour le Pas-de-Calais)")
    elif departement != typed_departement:
        notes.append(f"Question « Département » : « {typed_departement[:60]} » lu comme le département {departement} "
                     f"({gazetteer.departements()[departement]})")
    found = _commune(official, code, departement, notes) if kind == "commune" else None
    if found:  # the code INSEE (a postal code typed there is replaced, and the reply says so)
        code, departement = found.code, departement or found.departement
    if code:
        fiche["code"] = code
    fiche["departement"] = departement if departement else None
    town = gazetteer.locate_commune(found) if found else None
    if town:
        fiche["siege"] = _Point(lat=round(town.lat, 4), lon=round(town.lon, 4), approximatif=True)
        notes.append(f"Position de {found.name} : le centre de la commune selon GeoNames ({fiche['siege']['lat']}, "
                     f"{fiche['siege']['lon']}), marqué approximatif ; l'adresse de la mairie peut la préciser")
    organisation = _organisation(answers.get("organisation", ""), source_key)
    if organisation:
        fiche["organisation"] = organisation
    fiche["sources"] = [source_key]
    partnerships = []
    lines = [line for line in answers.get("partenariats", "").split("\n") if line.strip(" -*•")]
    kept_lines, dropped = [], 0
    for number, line in enumerate(lines[:MAX_PARTNERSHIPS], 1):
        line = _clean_line(line, "Partenariats", number, notes)
        item = _partnership(line, lists.get("thematiques", {}), source_key, notes, number)
        if item:
            partnerships.append(item)
            kept_lines.append(number)
        else:
            dropped += 1
    if len(lines) > MAX_PARTNERSHIPS:
        dropped += len(lines) - MAX_PARTNERSHIPS
        notes.append(f"plus de {MAX_PARTNERSHIPS} lignes de partenariats : seules les {MAX_PARTNERSHIPS} premières sont reprises")
    fiche["partenariats"] = partnerships or "inconnus"
    schema = Path(newfile.render_schema_path(content_root, content_root / "collectivites" / f"{slug}.yml"))
    text = (f"# yaml-language-server: $schema={schema.as_posix()}\n"
            f"# Fiche proposée depuis le formulaire du ticket n° {issue} ; relisez-la avant de l'accepter.\n"
            + _dump(fiche))

    cited = answers.get("sources", "")
    url = _URL.search(cited)
    year = _YEAR.search(_BARE_URL.sub(" ", _URL.sub(" ", cited)))  # « …/actu/2023/… » is not the document's year
    documents = [line for line in cited.split("\n") if line.strip(" -*•")]
    if len(documents) > 1:
        notes.append(f"Question « Sources » : {len(documents)} documents cités ; la source proposée porte le titre du "
                     "premier et les cite tous dans sa description ; l'équipe en fera des sources séparées si besoin")
    first = _one_line(_URL.sub("", next((line for line in cited.split("\n") if line.strip()), ""))).strip(" ,;:-")
    entry: dict = {"cle": source_key, "titre": (first or f"Réponses au formulaire du ticket n° {issue}")[:300]}
    if year:
        entry["date"] = int(year.group(1))
    elif cited:
        notes.append("Question « Sources » : aucune année trouvée ; indiquez l'année du document cité "
                     "(ex. « Délibération du conseil municipal du 12 mars 2019 »)")
    entry["description"] = (f"Documents cités dans le formulaire « Ajouter ma collectivité » (ticket n° {issue}, "
                            f"{today.isoformat()}) : " + _one_line(cited)[:1500]) if cited else \
        f"Réponses au formulaire « Ajouter ma collectivité » (ticket n° {issue}, {today.isoformat()})."
    if url:
        entry["site_web"] = url.group(0)
    else:
        bare = _BARE_URL.search(cited)
        if bare:
            entry["site_web"] = "https://" + bare.group(0)
            notes.append(f"Question « Sources » : adresse « {bare.group(0)[:80]} » complétée en « https://{bare.group(0)[:80]} »")
    if not cited:
        notes.append("aucun document cité : ajoutez à la source la délibération, le rapport ou la page qui atteste ces partenariats")
    return Conversion(slug=slug, fiche=text, source_key=source_key, source_entry=_dump([entry]), notes=notes,
                      partnership_lines=kept_lines, dropped=dropped)


def write(conversion: Conversion, content_root: Path) -> Path:
    path = content_root / "collectivites" / f"{conversion.slug}.yml"
    if path.exists():
        raise FormError(f"une fiche existe déjà pour cette collectivité : content/collectivites/{path.name} ; pour la "
                        "corriger ou la compléter, ouvrez plutôt le formulaire « Signaler une erreur » (lien « Signaler "
                        "une erreur » en bas de la page de la collectivité), ou modifiez ce fichier sur GitHub "
                        "(guide « Contribuer », section « Corriger une erreur »)", retry=False)
    sources = content_root / LISTS["sources"]
    existing = sources.read_text(encoding="utf-8")
    if f"cle: {conversion.source_key}\n" in existing:
        raise FormError(f"la source {conversion.source_key} existe déjà dans sources.yml")
    path.write_text(conversion.fiche, encoding="utf-8")
    sources.write_text(existing.rstrip("\n") + "\n" + conversion.source_entry, encoding="utf-8")
    return path


QUESTIONS = {"nom": "Nom officiel de la collectivité", "alias": "Nom officiel de la collectivité",
             "type": "Type de collectivité", "code": "Code officiel", "departement": "Département",
             "siege": "Nom officiel de la collectivité", "organisation": "Organisation de l'action internationale",
             "sources": "Sources", "partenariats": "Partenariats internationaux"}


def _about_question(conversion: Conversion, problem) -> str:
    """A problem of the fiche told as the question of the form it comes from (the person never saw
    the file): the fiche's line gives the field, the field gives the question and, for a
    partnership, the line of the answer."""
    text = problem.message + (f" — {problem.hint}" if problem.hint else "")
    if Path(problem.path).name == LISTS["sources"]:
        return f"Question « Sources » : {text}"
    try:
        doc = yamlio.parse(conversion.fiche, Path("fiche.yml"))
    except yamlio.YamlError:
        return text
    starts = sorted((line, where) for where, line in doc.lines.items() if len(where) <= 2 and where)
    where = next((w for line, w in reversed(starts) if line <= problem.line), ())
    if not where or where[0] not in QUESTIONS:
        return text
    label = f"Question « {QUESTIONS[where[0]]} »"
    if where[0] == "partenariats" and len(where) == 2 and where[1] < len(conversion.partnership_lines):
        label += f", ligne {conversion.partnership_lines[where[1]]}"
    return f"{label} : {text}"


def report(conversion: Conversion | None, path: Path | None, problems: list, error: "FormError | str | None", issue: int,
           team: bool = False) -> str:
    """What the workflow posts on the issue (for the person who filled in the form: about the
    form's questions, never the file's lines) or, with `team`, puts in the pull request (the
    checker's `fichier:ligne` output too), in French (Markdown)."""
    if error:
        return replies.render("reponse-formulaire.md.j2", error=str(error), retry=getattr(error, "retry", True))
    errors = [p for p in problems if p.severity == Severity.ERROR]
    shown = [p.format() for p in problems] if team else []
    fence = "`" * max(3, 1 + max((len(r) for t in shown for r in re.findall(r"`+", t)), default=0))
    # Verbatim inside a fence longer than any backtick run they hold: Markdown reads nothing there.
    shown, fence = [Markup(line) for line in shown], Markup(fence)
    return replies.render(
        "reponse-formulaire.md.j2", error="", issue=issue, file=path.name, source_key=conversion.source_key,
        notes=conversion.notes, errors=errors, team=team, dropped=conversion.dropped, shown=shown, fence=fence,
        about_questions=[_about_question(conversion, p) for p in errors] if not team else [])
