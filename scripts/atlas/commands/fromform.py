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
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from atlas.content import countries, gazetteer
from atlas.content.yamlio import FORBIDDEN_CHARACTERS
from atlas.commands import new as newfile
from atlas.content.checker import LISTS, Severity

FORM = Path(".github") / "ISSUE_TEMPLATE" / "ajouter-ma-collectivite.yml"
NO_RESPONSE = "_No response_"
MAX_BODY = 64 * 1024  # an issue body is at most 65,536 characters on GitHub
MAX_PARTNERSHIPS = 200

TYPES = {"commune": "commune", "intercommunalite": "intercommunalite", "departement": "departement", "region": "region"}
NATURES = {  # what people write → the schema's key (longest first when matching)
    "cooperation decentralisee": "cooperation-decentralisee", "cooperation transfrontaliere": "cooperation-transfrontaliere",
    "accord de cooperation": "accord-de-cooperation", "jumelage": "jumelage", "jumele": "jumelage",
    "partenariat": "partenariat", "interreg": "cooperation-transfrontaliere",
}
STATUTS = {"actif": "actif", "active": "actif", "en cours": "actif", "en veille": "en-veille", "en sommeil": "en-veille",
           "en projet": "en-projet", "termine": "termine", "terminee": "termine", "arrete": "termine", "inconnu": "inconnu"}
FORMES = [  # organisation: first match wins
    ("comite de jumelage", "comite-de-jumelage"), ("service", "service-relations-internationales"),
    ("association", "delegation-association"), ("elu", "elu-delegue"), ("adjoint", "elu-delegue"),
    ("delegue", "elu-delegue"), ("conseiller", "elu-delegue"),
]
_YEAR = re.compile(r"\b(1[89][0-9]{2}|20[0-9]{2})\b")
# « 2010-2011 », « 2010 – 2011 », « 2010/2011 », « de 2010 à 2011 », « depuis 2010 jusqu'en 2011 » (folded text)
_YEAR_RANGE = re.compile(r"(?:de |depuis |entre )?((?:1[89]|20)[0-9]{2}) ?(?:-|–|—|/| a | au | et | jusqu en | jusqu a )? ?((?:1[89]|20)[0-9]{2})")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_BARE_URL = re.compile(r"\b(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:fr|com|org|net|eu|gouv\.fr|info)(?:/[^\s<>\"')\]]*)?", re.IGNORECASE)


@dataclass
class Conversion:
    slug: str
    fiche: str  # the YAML text of the new fiche
    source_key: str
    source_entry: str  # the YAML text appended to sources.yml
    notes: list[str] = field(default_factory=list)  # what was not understood, in French


class FormError(ValueError):
    """The answers cannot make a fiche (no name…): said in French on the issue."""


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
        for key, entry in themes.items():
            words = [w for w in _fold(str(entry.get("libelle", key))).split() if len(w) >= 3 and w != "et"]
            if (part in words or any(w.startswith(part) and len(part) >= 4 for w in words)) and key not in found:
                found.append(key)
                break
    return found


def _partnership(line: str, themes: dict, source: str, notes: list[str], number: int) -> dict | None:
    pieces = [p.strip(" .") for p in re.split(r"[,;]", line) if p.strip(" .")]
    result: dict = {}
    name_parts, unread = [], []
    for piece in pieces:
        folded = _fold(piece)
        code = _country(piece) if "pays" not in result else None  # one country per line: stop looking
        if code:
            result["pays"] = code
            if _fold(piece) != _fold(countries.name_fr(code)) and piece.strip() != code:
                notes.append(f"Question « Partenariats », ligne {number} : « {piece.strip()} » lu comme "
                             f"{countries.name_fr(code)} ({code})")
            continue
        nature = next((v for k, v in sorted(NATURES.items(), key=lambda kv: -len(kv[0])) if k in folded), None)
        if nature and "nature" not in result:
            result["nature"] = nature
            continue
        statut = next((v for k, v in STATUTS.items() if folded == k or folded.startswith(k + " ")), None)
        if statut and "statut" not in result:
            result["statut"] = statut
            continue
        years = _YEAR_RANGE.fullmatch(folded)
        if years and "depuis" not in result:
            start, end = int(years.group(1)), int(years.group(2))
            result["depuis"] = start
            if end >= start:
                result["fin"] = end
            else:
                unread.append(piece)
            continue
        year = _YEAR.search(piece)
        if year and "depuis" not in result and len(folded) <= 20:
            result["depuis"] = int(year.group(1))
            continue
        found = _themes(piece, themes)
        if found:
            result.setdefault("thematiques", []).extend(t for t in found if t not in result.get("thematiques", []))
            continue
        (name_parts if not result and not name_parts else unread).append(piece)
    if "pays" not in result:
        notes.append(f"Question « Partenariats », ligne {number} (« {_one_line(line)[:120]} ») : aucun pays reconnu, "
                     "ligne non reprise ; ajoutez le pays, séparé par une virgule (ex. « Kaya, Burkina Faso, jumelage »)")
        return None
    partner: object = {"nom": name_parts[0]} if name_parts else "inconnu"
    if name_parts:
        _partner_position(partner, result["pays"], notes, number)
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


def _partner_position(partner: dict, country: str, notes: list[str], number: int) -> None:
    """A partner town's position proposed from GeoNames, always marked approximate (a match by name)."""
    found = gazetteer.towns(partner["nom"], country)
    if not found:
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
def _country_prefixes() -> frozenset[str]:
    """The first four letters of every French country name: a piece that starts otherwise is no
    country, whatever the fuzzy search would say (keeps a 60 KB body linear and fast)."""
    return frozenset([_fold(countries.name_fr(code))[:4] for code in countries.all_codes()]
                     + [_fold(name)[:4] for name in countries.variants()])


def _organisation(text: str, source: str) -> list[dict]:
    items = []
    for line in text.split("\n"):
        line = _one_line(line.lstrip("-*• "))
        if not line:
            continue
        folded = _fold(line)
        forme = next((v for k, v in FORMES if k in folded), "autre")
        items.append({"forme": forme, "precision": line, "sources": [source]})
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
    name = _one_line(answers.get("nom", ""))
    if len(name) < 2:
        raise FormError("le nom de la collectivité manque : complétez la question « Nom officiel de la collectivité »")
    kind = TYPES.get(_fold(answers.get("type", "")).replace(" ", ""), newfile.guess_type(name))
    official = newfile.official_name(name, kind)
    slug = newfile.slug_for(name, kind)
    if not slug:
        raise FormError(f"impossible de tirer un nom de fichier de « {name[:80]} »")
    notes: list[str] = []
    source_key = f"formulaire-{slug}-{issue}"
    fiche: dict = {"nom": official}
    if official != name:
        fiche["alias"] = [name]
    fiche["type"] = kind
    code = re.sub(r"\s", "", answers.get("code", ""))
    typed_departement = _one_line(answers.get("departement", ""))
    number = re.search(r"\b(2A|2B|97[1-6]|[0-9]{2})\b", typed_departement, re.IGNORECASE)
    departement = number.group(1).upper() if number else re.sub(r"\s", "", typed_departement)
    if departement != typed_departement:
        notes.append(f"Question « Département » : « {typed_departement[:60]} » lu comme le département {departement}")
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
    lines = [l for l in answers.get("partenariats", "").split("\n") if l.strip(" -*•")]
    for number, line in enumerate(lines[:MAX_PARTNERSHIPS], 1):
        line = _clean_line(line, "Partenariats", number, notes)
        item = _partnership(line, lists.get("thematiques", {}), source_key, notes, number)
        if item:
            partnerships.append(item)
    if len(lines) > MAX_PARTNERSHIPS:
        notes.append(f"plus de {MAX_PARTNERSHIPS} lignes de partenariats : seules les {MAX_PARTNERSHIPS} premières sont reprises")
    fiche["partenariats"] = partnerships or "inconnus"
    schema = Path(newfile.render_schema_path(content_root, content_root / "collectivites" / f"{slug}.yml"))
    text = (f"# yaml-language-server: $schema={schema.as_posix()}\n"
            f"# Fiche proposée depuis le formulaire du ticket n° {issue} ; relisez-la avant de l'accepter.\n"
            + _dump(fiche))

    cited = answers.get("sources", "")
    url = _URL.search(cited)
    year = _YEAR.search(cited)
    first = _one_line(_URL.sub("", next((l for l in cited.split("\n") if l.strip()), ""))).strip(" ,;:-")
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
    return Conversion(slug=slug, fiche=text, source_key=source_key, source_entry=_dump([entry]), notes=notes)


def write(conversion: Conversion, content_root: Path) -> Path:
    path = content_root / "collectivites" / f"{conversion.slug}.yml"
    if path.exists():
        raise FormError(f"une fiche existe déjà pour cette collectivité : content/collectivites/{path.name} ; "
                        "proposez plutôt une modification de ce fichier (guide « Contribuer »)")
    sources = content_root / LISTS["sources"]
    existing = sources.read_text(encoding="utf-8")
    if f"cle: {conversion.source_key}\n" in existing:
        raise FormError(f"la source {conversion.source_key} existe déjà dans sources.yml")
    path.write_text(conversion.fiche, encoding="utf-8")
    sources.write_text(existing.rstrip("\n") + "\n" + conversion.source_entry, encoding="utf-8")
    return path


_MARKDOWN_ACTIVE = re.compile(r"[&<>@`\[\]*_#|\\~]|:(?=//)|(?<=www)\.", re.IGNORECASE)


def _markdown_text(text: str) -> str:
    """Contributor text quoted in a comment or a pull request: shown as typed, never a mention
    (@), an issue reference or closing keyword (#1), a link (https://, www.) or HTML. GitHub reads
    those in the raw text, not in character references, which display the same; one pass, so an
    entity written here is never escaped again."""
    return _MARKDOWN_ACTIVE.sub(lambda m: f"&#{ord(m.group())};", text)


def report(conversion: Conversion | None, path: Path | None, problems: list, error: str | None, issue: int,
           team: bool = False) -> str:
    """What the workflow posts on the issue (for the person who filled in the form: about the
    form's questions, never the file's lines) or, with `team`, puts in the pull request (the
    checker's `fichier:ligne` output too), in French (Markdown)."""
    if error:
        return (f"Merci pour ce formulaire. Il n'a pas pu être transformé en fiche : {_markdown_text(error)}.\n\n"
                "Modifiez le ticket (menu « … » › « Edit ») : la fiche sera proposée de nouveau.")
    lines = [f"Merci ! Vos réponses au formulaire (ticket n° {issue}) sont devenues une proposition de fiche : "
             f"`content/collectivites/{path.name}`, et une source `{conversion.source_key}` dans `content/sources.yml`.", ""]
    if conversion.notes:
        lines += ["**Ce qui n'a pas pu être repris tel quel :**", ""] + [f"- {_markdown_text(n)}" for n in conversion.notes] + [""]
    errors = [p for p in problems if p.severity == Severity.ERROR]
    if errors and not team:
        lines += [f"**La vérification signale {len(errors)} point(s) à compléter** avant la publication ; l'équipe de "
                  "l'atlas s'en charge avec vous dans la proposition, et vous écrit ici si une réponse du formulaire "
                  "est à préciser.", ""]
    elif errors:
        shown = [p.format() for p in problems]
        fence = "`" * max(3, 1 + max((len(r) for t in shown for r in re.findall(r"`+", t)), default=0))
        lines += [f"**La vérification (`atlas check`) signale {len(errors)} point(s) à compléter** avant la publication ; "
                  "l'équipe de l'atlas s'en charge avec vous dans la proposition :", "", fence]
        lines += shown + [fence, ""]
    else:
        lines += ["**La vérification (`atlas check`) ne signale aucune erreur.**", ""]
    lines += ["La suite : un membre de l'équipe relit la fiche et la source ; vous recevez une notification à "
              "chaque commentaire. Une fois la proposition acceptée, la page de votre collectivité paraît sur "
              "le site dans les minutes qui suivent."]
    return "\n".join(lines) + "\n"
