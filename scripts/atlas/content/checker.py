"""`atlas check`: every problem of the content, as `path:line: message`, in French.

Per file: YAML syntax, then the JSON Schema, then what a schema cannot say (known keys,
real country codes, points inside their country, years not in the future, a text in another
language — « description_en » — in a language the atlas publishes, beside its French text).
Across files: duplicates. The checker never raises on bad input: everything becomes a Problem.

Each rule is a method of _Rules (or, across files, a function) named after its key, and RULES,
the list of the rules, is built from them (@rule).
"""
from __future__ import annotations

import datetime
import functools
import os
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from slugify import slugify

from atlas import i18n, workers
from atlas.content import checkcache, countries, gazetteer, naming, schema, yamlio

LISTS = {"thematiques": "thematiques.yml", "sources": "sources.yml", "reseaux": "reseaux.yml", "zones": "zones.yml"}
# Entries per list: each theme, network or zone gets a page and a place in every filter, so a
# list is bounded by what an atlas can show (13 themes, 8 zones today); sources grow with the
# form's proposals (one per ticket), hence their larger bound.
# The lists whose labels are the atlas's own words, translated in its catalogues (i18n.py); the
# others (sources, networks) hold free texts, whose other-language texts the file gives.
VOCABULARY_LISTS = ("thematiques", "zones")
LIST_LIMITS = {"thematiques": 100, "zones": 50, "reseaux": 2000, "sources": 20000}
# Simplified shapes and coastal towns: a point this close to its country is accepted.
COUNTRY_TOLERANCE_KM = 30.0
# A commune's seat this far from the commune's centre (GeoNames), or a partner town this far from
# every place of its name in its country, is probably mistyped (a lost minus sign, swapped digits).
# Wide enough for the largest communes and for the village homonyms GeoNames does not list.
SEAT_TOLERANCE_KM = 25.0
TOWN_TOLERANCE_KM = 100.0


# Every rule of the checker, by name: a Problem carries the name of the rule that found it (the
# schema's own rules are « schema.<mot-clé> »), and tests hold each problem to this list. The list
# is built from the rules themselves, so that it cannot drift from them: each rule is a function
# named after its key (« collectivite.code-postal » → collectivite_code_postal), registered with its
# description by @rule; a rule raised where a file is read or a folder listed has no function of
# its own, and is registered by raised_by, which says where.
RULES: dict[str, str] = {}  # rule -> what it holds the content to, in French
RULE_FUNCTIONS: dict[str, list[str]] = {}  # rule -> the functions that apply it
RAISED_BY: dict[str, str] = {}  # rule -> where it is raised, for a rule without a function of its own


def rule_function_name(key: str) -> str:
    """« collectivite.code-postal » → « collectivite_code_postal »."""
    return key.replace(".", "_").replace("-", "_")


def rule(key: str, description: str = ""):
    """Register the decorated function as the check of rule `key` (its first function gives the
    description). It is named after the key, `collectivite_code_postal`, or, for a rule checked in
    two places, `<that name>_<where>` (`point_loin_du_lieu_siege`)."""
    name = rule_function_name(key)

    def register(function):
        if function.__name__ != name and not function.__name__.startswith(name + "_"):
            raise ValueError(f"rule {key}: its function is named {name}, not {function.__name__}")
        if bool(description) == (key in RULES):
            raise ValueError(f"rule {key}: a description, given by its first function only")
        if description:
            RULES[key] = description
        RULE_FUNCTIONS.setdefault(key, []).append(function.__qualname__)
        return function

    return register


def raised_by(key: str, description: str, where: str) -> None:
    """Register a rule that has no function of its own: `where` says what raises it."""
    if key in RULES:
        raise ValueError(f"rule {key} registered twice")
    RULES[key] = description
    RAISED_BY[key] = where


raised_by("yaml.lecture", "le fichier se lit comme du YAML (syntaxe, indentation, tabulations, doublons, encodage)",
          "_read: the YamlError of yamlio.read")
raised_by("fichier.extension", "une fiche porte l'extension .yml", "_report_unread (not .yml), check (.yaml)")
raised_by("fichier.mal-range", "une fiche est dans le dossier qui la lit", "_check_stray_files")
raised_by("fichier.pas-ordinaire", "une fiche est un fichier ordinaire, pas un lien ni un nom réservé", "_yaml_files")
raised_by("dossier.non-lu", "aucun dossier que l'atlas ne lirait pas", "_report_unread, _check_stray_files")
raised_by("dossier.lien-symbolique", "un dossier de contenu est un vrai dossier", "_yaml_files")
raised_by("dossier.introuvable", "le dossier de contenu existe", "check")
raised_by("liste.absente", "les listes contrôlées (thématiques, sources, réseaux, zones) sont là", "_check_lists")
raised_by("collectivite.aucune", "le dossier des collectivités n'est pas vide", "check")


def known_rule(rule: str) -> bool:
    return rule in RULES or rule.startswith("schema.")


class Severity(StrEnum):
    """Printed as is in the messages (« erreur », « avertissement »); only an error fails the check."""

    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    rule: str = ""  # the named rule that found it ("schema.required", "partenariat.en-double"…): see RULES

    def __post_init__(self):
        # A message quotes what was typed: no character that would drive the terminal or the CI
        # log (ESC), reverse its line (U+202E) or hide in it — each is shown as ‹U+XXXX›.
        for name in ("path", "message", "hint"):
            object.__setattr__(self, name, yamlio.visible(str(getattr(self, name))))

    def format(self) -> str:
        text = f"{self.path}:{self.line}: {self.severity} : {self.message}"
        return text + (f" — conseil : {self.hint}" if self.hint else "")

    def format_github(self) -> str:
        """GitHub Actions annotation: shown on the exact line of the pull request's diff.

        GitHub matches `file=` against paths relative to the repository root, whatever the
        directory the command was run from.
        """
        level = "error" if self.severity == Severity.ERROR else "warning"
        body = self.message + (f" — conseil : {self.hint}" if self.hint else "")
        body = body.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        file = _escape_property(_repository_path(self.path))
        title = _escape_property(f"atlas check : {self.severity}")
        return f"::{level} file={file},line={self.line},title={title}::{body}"


def _escape_property(value: str) -> str:
    return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            .replace(":", "%3A").replace(",", "%2C"))


def _repository_path(path: str) -> str:
    """`path` relative to the repository root ($GITHUB_WORKSPACE, else the folder holding .git)."""
    absolute = Path(path)
    absolute = _real_folder(absolute if absolute.is_absolute() else Path.cwd() / absolute)
    roots = [Path(os.environ["GITHUB_WORKSPACE"])] if os.environ.get("GITHUB_WORKSPACE") else []
    roots += [d for d in absolute.parents if (d / ".git").exists()][:1]
    for root in roots:
        try:
            return absolute.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return Path(path).as_posix()


@dataclass
class Report:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    lists: dict = field(default_factory=dict)  # name -> {key: entry dict}
    collectivites: dict = field(default_factory=dict)  # slug -> Document (valid ones)
    pays: dict = field(default_factory=dict)  # code -> Document
    tables: dict = field(default_factory=dict)  # key -> Document

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rules:
    """The rules one file is held to: one method per rule, named after its key and registered by @rule.

    Mixed into _FileCheck, which gives them the document (self.doc), the report (self.report) and
    where their problems go (self.add). A rule that may end the file's check returns True when it
    found a problem; a rule about a point returns True when the point is confirmed.
    """

    # -- the file --

    @rule("fichier.html", "une fiche n'est pas une page web")
    def fichier_html(self) -> bool:
        data = self.doc.data
        if not (isinstance(data, str) and data.lstrip().startswith("<")):
            return False
        self.add((), "ce fichier est une page web (HTML), pas une fiche", yamlio.MODEL_HINT, rule="fichier.html")
        return True

    @rule("fichier.pas-une-fiche", "le fichier décrit bien une collectivité, un pays ou un tableau (lignes « clé: valeur »)")
    def fichier_pas_une_fiche(self, what: str, hint: str = "") -> bool:
        if isinstance(self.doc.data, dict):
            return False
        self.add((), f"ce fichier ne décrit pas {what} (attendu des lignes « clé: valeur »)", hint, rule="fichier.pas-une-fiche")
        return True

    @rule("fichier.nom", "nom de fichier en minuscules, sans accent ni espace")
    def fichier_nom(self, path: Path) -> None:
        """A collectivité's file is named after it, as `atlas new` names it."""
        slug = path.stem
        if slugify(slug) != slug:
            self.add((), f"nom de fichier « {path.name} » non conforme (minuscules, sans accent ni espace, mots séparés par des tirets)",
                     f"renommez-le {naming.slug_for(slug, naming.guess_type(slug)) or slugify(slug)}.yml", rule="fichier.nom")

    @rule("fichier.nom")
    def fichier_nom_tableau(self, path: Path) -> None:
        if not _SLUG.fullmatch(path.stem):
            self.add((), f"nom de fichier « {path.name} » non conforme (minuscules, chiffres et tirets seulement)",
                     f"renommez-le {slugify(path.stem) or 'tableau'}.yml", rule="fichier.nom")

    # -- the controlled lists --

    @rule("liste.trop-longue",
          "une liste contrôlée a un nombre borné d'entrées (100 thématiques, 50 zones, 2 000 réseaux, 20 000 sources)")
    def liste_trop_longue(self, name: str, filename: str) -> None:
        data = self.doc.data
        if isinstance(data, list) and len(data) > LIST_LIMITS[name]:
            self.add((), f"{len(data)} entrées dans {filename} : la limite est de {LIST_LIMITS[name]}",
                     "chaque entrée fait une page et une ligne de chaque filtre : regroupez les entrées voisines, "
                     "ou demandez à l'équipe de relever la limite si l'atlas en a vraiment besoin", rule="liste.trop-longue")

    @rule("liste.cle-en-double", "une clé n'apparaît qu'une fois dans sa liste")
    def liste_cle_en_double(self, i: int, key: str, entries: dict) -> None:
        if key in entries:
            self.add((i, "cle"), f"clé « {key} » en double dans la liste", rule="liste.cle-en-double")

    @rule("liste.cle-inconnue", "une clé citée (source, thématique, réseau, zone) existe dans sa liste")
    def liste_cle_inconnue(self, where: tuple, value, listname: str, what: str) -> None:
        known = self.report.lists.get(listname, {})
        local = self.local_sources if listname == "sources" else {}  # the fiche's own new sources: citable in it
        if not (isinstance(value, str) and known and value not in known and value not in local):
            return
        guess = schema.closest(value, known, cutoff=0.5)
        listfile = f"content/{LISTS[listname]}"
        parts = [part for part in re.split(r"[\s;,]+", value) if part]
        if len(parts) > 1 and all(part in known or part in local for part in parts):
            hint = (f"{len(parts)} clés séparées par une espace ou un « ; » : séparez-les par une virgule, "
                    f"[{', '.join(parts)}]")
        elif guess:
            hint = f"voulez-vous dire « {guess} » ? (clés possibles : {listfile})"
        elif len(known) <= 12:
            hint = f"clés possibles : {', '.join(known)} ; pour en citer une nouvelle, ajoutez-la d'abord à {listfile}"
        else:
            hint = f"copiez une clé de {listfile} ; pour en citer une nouvelle, ajoutez-la d'abord à ce fichier"
        unknown = "inconnu" if listname == "reseaux" else "inconnue"  # le réseau, la source, la thématique, la zone
        line = self.doc.line(where)
        # the schema already said « n'est pas une clé valide » here: this message says more and
        # takes its place (found by its path, so a file with many unknown keys stays linear)
        slot = self._key_slots.get(tuple(where))
        if slot is None:
            self.add(where, f"{what} {unknown} « {value} »", hint, rule="liste.cle-inconnue")
        else:
            self.report.problems[slot] = Problem(self.display, line, f"{what} {unknown} « {value} »", hint, rule="liste.cle-inconnue")

    # -- values --

    @rule("annee.future", "aucune année dans le futur")
    def annee_future(self, where: tuple, value) -> None:
        if isinstance(value, int) and value > datetime.date.today().year:
            self.add(where, f"année {value} dans le futur",
                     "corrigez l'année (faute de frappe ?) ; un partenariat seulement envisagé s'écrit "
                     "« statut: en-projet », sans année", rule="annee.future")

    @rule("nombre.point-des-milliers",
          "un nombre écrit « 12.000 » (point des milliers) est signalé : il vaut 12 (sinon, avertissement)")
    def nombre_point_des_milliers(self, where: tuple, value) -> None:
        """« valeur: 12.000 » is read as 12 (a point is the decimal separator): said, with the number meant."""
        if not isinstance(value, float) or isinstance(value, bool):
            return
        try:  # the bytes the document was parsed from, when known (the cache hashed those, not a later version)
            text = self.raw.decode("utf-8") if self.raw is not None else self.doc.path.read_text(encoding="utf-8")
            line = text.splitlines()[self.doc.line(where) - 1]
        except (OSError, UnicodeError, IndexError):
            return
        typed = re.search(r"\bvaleur\s*:\s*(\d{1,3}(?:\.\d{3})+)(?![\d.])", line)
        if typed:
            meant = typed.group(1).replace(".", "")
            self.add(where, f"« {typed.group(1)} » est lu comme {value:g} : le point est le séparateur décimal",
                     f"pour {meant} (sans séparateur de milliers), écrivez valeur: {meant}", Severity.WARNING,
                     rule="nombre.point-des-milliers")

    @rule("texte.exemple-du-modele", "aucune valeur d'exemple du modèle laissée telle quelle (sinon, avertissement)")
    def texte_exemple_du_modele(self) -> None:
        website = self.doc.data.get("site_web")
        if isinstance(website, str) and _host(website) in _template_hosts():
            self.add(("site_web",), f"« {website} » est l'adresse d'exemple du modèle", "écrivez l'adresse du site de la collectivité, "
                     "ou retirez la ligne", Severity.WARNING, rule="texte.exemple-du-modele")

    @rule("texte.a-remplir", "plus de « À REMPLIR » laissé par le modèle")
    def texte_a_remplir(self) -> bool:
        placeholders = list(_placeholders(self.doc.data, ()))
        for where in placeholders:
            self.add(where, f"« {_label(where)} » encore à remplir", _placeholder_hint(where), rule="texte.a-remplir")
        return bool(placeholders)

    # -- texts in other languages (« description_en » beside « description ») --

    def translations(self, schema_name: str, data=None, at: tuple = ()) -> None:
        """Each other-language text the schema accepted (schema.translated_keys): in a language the
        atlas is published in, beside the French text it renders. `data`, `at`: a new source of the
        fiche, checked as the one entry of a list (the list schema's shape), at `at` in the file."""
        data = self.doc.data if data is None else data
        for where, base, lang in schema.translated_keys(schema_name, data):
            holder = data
            for step in where[:-1]:
                holder = holder[step]
            text = holder[where[-1]]
            where = at + where[1:] if at else where
            if not self.texte_langue_non_publiee(where, base, lang) and isinstance(text, str):
                self.texte_traduction_sans_original(where, base, lang, holder)  # (another type: the schema said it)

    @rule("texte.langue-non-publiee",
          "un texte dans une autre langue (« description_en ») est dans une langue que l'atlas publie")
    def texte_langue_non_publiee(self, where: tuple, base: str, lang: str) -> bool:
        key = f"{base}_{lang}"
        if lang == i18n.SOURCE:
            self.add(where, f"« {key} » : le texte français s'écrit dans « {base} », sans suffixe",
                     f"renommez la clé en « {base} » (ou retirez la ligne si « {base} » est déjà écrit)",
                     rule="texte.langue-non-publiee")
            return True
        others = [lang for lang in i18n.available() if lang != i18n.SOURCE]
        if lang in others:
            return False
        possible = " ; ".join(f"{base}_{other} ({schema.language_name(other)})" for other in others)
        said = f"l'atlas n'est pas publié en {schema.language_name(lang)} (« {lang} »)" if lang in schema.language_names() \
            else f"« {lang} » n'est pas une langue de l'atlas"
        self.add(where, f"« {key} » : {said}",
                 (f"langues possibles : {possible} ; " if others else "l'atlas n'est publié qu'en français ; ")
                 + "sinon retirez la ligne (une langue s'ajoute à l'atlas avec son catalogue, voir le README)",
                 rule="texte.langue-non-publiee")
        return True

    @rule("texte.traduction-sans-original", "un texte dans une autre langue accompagne le texte français du même champ")
    def texte_traduction_sans_original(self, where: tuple, base: str, lang: str, holder: dict) -> None:
        french = holder.get(base)
        if isinstance(french, str) and french.strip() or base in holder and not isinstance(french, str):
            return  # a French text, or a French value the schema already refused
        name = schema.language_name(lang)
        self.add(where, f"« {base}_{lang} » sans « {base} » : le texte en {name} accompagne le texte français, absent ici",
                 f"écrivez d'abord le texte français dans « {base}: » (le site français le montre, et l'édition en {name} "
                 f"à défaut de traduction), puis gardez « {base}_{lang}: » en dessous",
                 rule="texte.traduction-sans-original")

    @rule("texte.traduction-du-vocabulaire",
          "les thématiques et les zones se traduisent dans le catalogue de l'atlas, pas dans leur liste")
    def texte_traduction_du_vocabulaire(self, filename: str) -> None:
        for where, base, lang in schema.translated_keys("liste", self.doc.data):
            self.add(where, f"« {base}_{lang} » dans {filename} : les thématiques et les zones sont les mots de l'atlas, "
                            "traduits dans son catalogue",
                     f"retirez la ligne ; la traduction va dans scripts/atlas/locales/{lang}/LC_MESSAGES/atlas.po "
                     "(une entrée msgid « texte français », msgstr « traduction »)", rule="texte.traduction-du-vocabulaire")

    # -- places --

    @rule("point.hors-du-pays", "un point est dans le pays indiqué (à 30 km près)")
    def point_hors_du_pays(self, where: tuple, coords, code) -> None:
        if not (isinstance(coords, dict) and isinstance(code, str) and countries.is_valid(code)):
            return
        lat, lon = coords.get("lat"), coords.get("lon")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
            return
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return
        dist = countries.distance_km(code, lat, lon)
        if dist is None or dist <= COUNTRY_TOLERANCE_KM:
            return

        def inside(la, lo) -> bool:
            d = countries.distance_km(code, la, lo) if -90 <= la <= 90 else None
            return d is not None and d <= COUNTRY_TOLERANCE_KM

        if inside(lon, lat):
            hint = f"latitude et longitude inversées : écrivez lat: {lon}, lon: {lat}"
        elif inside(lat, -lon) or inside(-lat, lon) or inside(-lat, -lon):
            la, lo = next(c for c in ((lat, -lon), (-lat, lon), (-lat, -lon)) if inside(*c))
            hint = f"signe moins oublié ? écrivez lat: {la}, lon: {lo} (ouest et sud sont négatifs)"
        elif inside(lon, -lat) or inside(-lon, lat) or inside(-lon, -lat):
            la, lo = next(c for c in ((lon, -lat), (-lon, lat), (-lon, -lat)) if inside(*c))
            hint = f"latitude et longitude inversées, et signe oublié ? écrivez lat: {la}, lon: {lo}"
        else:
            hint = "vérifiez les coordonnées (degrés décimaux, ouest et sud négatifs) ou le code pays"
        self.add(where, f"le point lat: {lat}, lon: {lon} est à {dist:.0f} km du pays indiqué ({code}, {countries.name_fr(code)})",
                 hint, rule="point.hors-du-pays")

    @rule("point.loin-du-lieu", "un point est près du lieu nommé, quand GeoNames connaît ce nom (sinon, avertissement)")
    def point_loin_du_lieu_siege(self, seat: dict, commune: gazetteer.Commune) -> bool:
        """Warns when the seat is far from the commune's centre (GeoNames); True when it is near it."""
        lat, lon = seat.get("lat"), seat.get("lon")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)) or not (-90 <= lat <= 90):
            return False
        town = gazetteer.locate_commune(commune)
        if town is None:
            return False
        far = gazetteer.distance_km(lat, lon, town.lat, town.lon)
        if far <= SEAT_TOLERANCE_KM:
            return True
        self.add(("siege",), f"le siège lat: {lat}, lon: {lon} est à {far:.0f} km du centre de {commune.name} "
                             f"({town.lat:.4f}, {town.lon:.4f} selon GeoNames)",
                 _sign_hint(lat, lon, town, SEAT_TOLERANCE_KM)
                 or f"vérifiez les coordonnées ; à défaut, écrivez siege: {{lat: {town.lat:.4f}, lon: {town.lon:.4f}, approximatif: true}}",
                 Severity.WARNING, rule="point.loin-du-lieu")
        return False

    @rule("point.loin-du-lieu")
    def point_loin_du_lieu_partenaire(self, where: tuple, partner: dict, country) -> bool:
        """Warns when the point is far from every place of the partner's name in its country; True
        when it is near one of them."""
        coords, name = partner["coordonnees"], partner.get("nom")
        lat, lon = coords.get("lat"), coords.get("lon")
        if not (isinstance(name, str) and isinstance(country, str) and partner.get("type") in TOWN_KINDS
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)) and -90 <= lat <= 90):
            return False
        found = gazetteer.nearest(name, country, lat, lon)
        if found is None:
            return False
        if found[1] <= TOWN_TOLERANCE_KM:
            return True
        town, far = found
        self.add(where, f"le point lat: {lat}, lon: {lon} est à {far:.0f} km de {town.name} ({countries.name_fr(country)} ; "
                        f"{town.lat:.4f}, {town.lon:.4f} selon GeoNames)",
                 (_sign_hint(lat, lon, town, TOWN_TOLERANCE_KM) or f"vérifiez les coordonnées ; si c'est bien ce lieu, écrivez "
                  f"coordonnees: {{lat: {town.lat:.4f}, lon: {town.lon:.4f}, approximatif: true}}")
                 + " ; si le partenaire est un autre lieu du même nom, gardez le point",
                 Severity.WARNING, rule="point.loin-du-lieu")
        return False

    @rule("pays.code-inconnu", "un code pays est un code ISO réel")
    def pays_code_inconnu(self, where: tuple, code) -> None:
        if isinstance(code, str) and len(code) == 2 and code.isupper() and not countries.is_valid(code):
            guess = countries.guess_code(code)
            hint = f"voulez-vous dire {guess} ({countries.name_fr(guess)}) ?" if guess and guess != code else \
                "écrivez le code à deux lettres du pays (liste : https://fr.wikipedia.org/wiki/ISO_3166-1_alpha-2)"
            if code == "UK":
                hint = "le code du Royaume-Uni est GB"
            self.add(where, f"code pays inconnu « {code} »", hint, rule="pays.code-inconnu")

    @rule("pays.nom-de-fichier", "une fiche pays porte le nom de son code")
    def pays_nom_de_fichier(self, path: Path, code) -> None:
        if isinstance(code, str) and path.stem != code.lower():
            self.add(("code",), f"le fichier {path.name} décrit le pays {code}", f"renommez-le {code.lower()}.yml",
                     rule="pays.nom-de-fichier")

    # -- a collectivité's new sources --

    @rule("source.nouvelle",
          "une source décrite dans une fiche (nouvelles_sources) a une clé neuve et un titre, et seule cette fiche la cite")
    def source_nouvelle(self) -> None:
        """`nouvelles_sources`: documents described in the fiche itself, so that a town hall proposes
        the fiche and its new source in one edit of GitHub's web editor (no second file, no branch to
        switch). Each entry is held to the rules of sources.yml; its key is new everywhere (a key two
        fiches describe is refused by _merge_new_sources, once every file is read)."""
        entries = self.doc.data.get("nouvelles_sources")
        if not isinstance(entries, list):
            return
        known = self.report.lists.get("sources", {})
        for i, entry in enumerate(entries):
            where = ("nouvelles_sources", i)
            for problem in schema.errors("liste", [entry]):
                self.add(where + tuple(problem.where[1:]), problem.message, problem.hint, rule=problem.rule)
            if isinstance(entry, dict):
                self.translations("liste", [entry], where)
            if not isinstance(entry, dict) or not isinstance(entry.get("cle"), str):
                continue
            key = entry["cle"]
            if key in known:
                self.add(where + ("cle",), f"la source « {key} » existe déjà dans content/sources.yml",
                         "citez-la dans « sources: » sans la décrire de nouveau, ou donnez une autre clé à ce document",
                         rule="source.nouvelle")
            elif key in self.local_sources:
                self.add(where + ("cle",), f"source « {key} » décrite deux fois dans cette fiche", "gardez une seule description",
                         rule="source.nouvelle")
            else:
                self.local_sources[key] = entry
            if not isinstance(entry.get("titre"), str):
                self.add(where, f"la source « {key} » n'a pas de titre",
                         "ajoutez « titre: » avec le titre du document (ex. titre: Délibération du conseil municipal du 12 mars 2019)",
                         rule="source.nouvelle")

    @rule("source.nouvelle")
    def source_nouvelle_citee(self) -> None:
        """A new source that no fact of the fiche cites is probably a forgotten citation: said."""
        if not self.local_sources:
            return
        data = self.doc.data
        cited = set(_cited_keys(data))
        for i, entry in enumerate(data.get("nouvelles_sources") or []):
            if isinstance(entry, dict) and entry.get("cle") in self.local_sources and entry["cle"] not in cited:
                self.add(("nouvelles_sources", i, "cle"), f"la source « {entry['cle']} » est décrite mais citée nulle part dans la fiche",
                         f"ajoutez-la aux « sources: » du fait qu'elle atteste, ex. sources: [{entry['cle']}]", Severity.WARNING,
                         rule="source.nouvelle")

    # -- a collectivité --

    @rule("collectivite.code-postal", "le code d'une commune est son code INSEE, pas son code postal")
    def collectivite_code_postal(self, code: str, names: list[str]) -> bool:
        postal = _named_among(names, gazetteer.communes_with_postal_code(code))
        if not postal:
            return False
        self.add(("code",), f"« {code} » est le code postal de {postal[0].name}, pas son code INSEE",
                 f"écrivez code: \"{postal[0].code}\" (code INSEE de {postal[0].name})", rule="collectivite.code-postal")
        return True

    @rule("collectivite.code-insee", "le code INSEE correspond au département")
    def collectivite_code_insee(self, code: str, dep: str | None, named: list[gazetteer.Commune], right: str) -> bool:
        if not (dep in gazetteer.departements() and len(code) == 5 and not code.startswith(dep[:2])):
            return False
        self.add(("code",), f"le code INSEE {code} ne correspond pas au département {dep}",
                 "un code INSEE de commune commence par le numéro de son département"
                 + (f" ; {right}" if len(named) == 1 else ""), rule="collectivite.code-insee")
        return True

    @rule("collectivite.code-commune",
          "le code INSEE est celui de la commune nommée, dans le Code officiel géographique (sinon, avertissement)")
    def collectivite_code_commune(self, code: str, names: list[str], known: gazetteer.Commune | None, right: str) -> None:
        if known:
            self.add(("code",), f"le code INSEE {code} est celui de {known.name} ({known.departement}), pas de « {names[0]} »",
                     right, Severity.WARNING, rule="collectivite.code-commune")
        elif gazetteer.commune_formerly(code):
            now = gazetteer.commune_formerly(code)
            self.add(("code",), f"{code} est un ancien code INSEE : la commune fait aujourd'hui partie de {now.name} ({now.code})",
                     "gardez-le si la fiche parle de l'ancienne commune ; sinon, écrivez le code actuel",
                     Severity.WARNING, rule="collectivite.code-commune")
        elif re.fullmatch(r"[0-9]{5}|2[AB][0-9]{3}", code):
            self.add(("code",), f"le code {code} n'est pas dans le Code officiel géographique", right,
                     Severity.WARNING, rule="collectivite.code-commune")

    @rule("collectivite.departement-manquant", "seule une région n'a pas de département")
    def collectivite_departement_manquant(self) -> None:
        data = self.doc.data
        if data.get("departement") is None and "departement" in data and data.get("type") != "region":
            self.add(("departement",), "département manquant", "seule une région peut écrire « departement: null »",
                     rule="collectivite.departement-manquant")

    # -- a partnership --

    @rule("partenariat.en-double", "un partenaire n'apparaît qu'une fois par fiche")
    def partenariat_en_double(self, where: tuple, partner: dict, country, seen: dict) -> None:
        """`seen`: (folded name, country) -> the line of its first partnership in the fiche."""
        name = partner.get("nom")
        if not isinstance(name, str):
            return
        key = (countries.fold(name), country)
        if key in seen:
            self.add(where + ("partenaire", "nom"), f"partenariat avec « {name} » en double (déjà ligne {seen[key]})",
                     "un même partenariat se décrit une seule fois, en citant toutes ses sources", rule="partenariat.en-double")
        else:
            seen[key] = self.doc.line(where + ("partenaire", "nom"))

    @rule("partenariat.fin-avant-debut", "un partenariat finit après avoir commencé")
    def partenariat_fin_avant_debut(self, where: tuple, p: dict) -> None:
        since, end = p.get("depuis"), p.get("fin")
        if isinstance(since, bool) or isinstance(end, bool):  # « oui » is no year (a project's years are compared as they are)
            return
        self._end_before_start(where + ("fin",), since, end,
                               "vérifiez les années : « depuis » est l'année de départ, « fin » celle où le partenariat a pris fin",
                               rule="partenariat.fin-avant-debut")

    @rule("partenariat.fin-et-statut", "un partenariat qui a une fin est « termine »")
    def partenariat_fin_et_statut(self, where: tuple, p: dict) -> None:
        end, status = p.get("fin"), p.get("statut")
        if isinstance(end, int) and not isinstance(end, bool) and status != "termine":
            shown = f"statut: {status}" if isinstance(status, str) else "sans statut"
            self.add(where + ("fin",), f"fin en {end}, mais le partenariat est « {shown} »",
                     "un partenariat qui a pris fin s'écrit « statut: termine » ; s'il continue, retirez la ligne « fin »",
                     rule="partenariat.fin-et-statut")

    @rule("projet.fin-avant-debut", "un projet finit après avoir commencé")
    def projet_fin_avant_debut(self, where: tuple, project: dict) -> None:
        self._end_before_start(where + ("fin",), project.get("debut"), project.get("fin"),
                               "vérifiez les années du projet : « debut » est l'année de départ, « fin » celle de clôture",
                               rule="projet.fin-avant-debut")

    def _end_before_start(self, where: tuple, start, end, hint: str, *, rule: str) -> None:
        """« fin » before the start: one rule for a partnership (« depuis ») and a project (« debut »)."""
        if isinstance(start, int) and isinstance(end, int) and end < start:
            self.add(where, f"fin ({end}) avant le début ({start})", hint, rule=rule)


class _FileCheck(_Rules):
    """Collects the problems of one document."""

    def __init__(self, report: Report, doc: yamlio.Document, display: str, raw: bytes | None = None):
        self.report, self.doc, self.display, self.raw = report, doc, display, raw
        self.failed = False
        self._key_slots: dict[tuple, int] = {}  # where -> index of the schema's « pas une clé valide »
        self.local_sources: dict[str, dict] = {}  # the fiche's own nouvelles_sources: citable in this file only

    def add(self, where: tuple, message: str, hint: str = "", severity: Severity = Severity.ERROR, *, rule: str):
        self.report.problems.append(Problem(self.display, self.doc.line(where), message, hint, severity, rule))
        if severity == Severity.ERROR:
            self.failed = True

    def schema(self, name: str) -> None:
        for problem in schema.errors(name, self.doc.data):
            self.add(problem.where, problem.message, problem.hint, rule=problem.rule)
            if problem.rule == "schema.cle":  # liste_cle_inconnue may say more about this key: it takes this place
                self._key_slots[tuple(problem.where)] = len(self.report.problems) - 1

    def sources(self, where: tuple, values) -> None:
        for i, key in enumerate(values or []):
            self.liste_cle_inconnue(where + (i,), key, "sources", "source")


def _real_folder(path: Path) -> Path:
    """The path with its folder resolved but not its last part: a symbolic link names itself, never its target."""
    return _resolved(path.absolute().parent) / path.name


@functools.lru_cache(maxsize=64)  # thousands of files share a handful of folders
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def _display(path: Path) -> str:
    """The path as the person types it: relative to the current folder when inside it."""
    return _display_from(path, os.getcwd())


@functools.lru_cache(maxsize=1 << 16)  # asked for every file by each rule across files: once per file and folder
def _display_from(path: Path, cwd: str) -> str:
    try:
        return str(_real_folder(path).relative_to(_resolved(Path(cwd))))
    except ValueError:
        return str(path)


def _read(report: Report, path: Path, raw: bytes | None = None) -> yamlio.Document | None:
    """The file's document (parsed from `raw`, its bytes, when already read); None once its problem is recorded."""
    try:
        return yamlio.read(path) if raw is None else yamlio.decode(raw, path)
    except yamlio.YamlError as exc:
        report.problems.append(Problem(_display(path), exc.line, exc.message, exc.hint, rule="yaml.lecture"))
        return None


def _check_lists(report: Report) -> None:
    for name, filename in LISTS.items():
        path = report.root / filename
        display = _display(path)
        if not path.exists():
            report.problems.append(Problem(display, 1, f"liste contrôlée absente : {filename}",
                                           "le dossier de contenu doit contenir " + ", ".join(LISTS.values()),
                                           rule="liste.absente"))
            continue
        doc = _read(report, path)
        if doc is None:
            continue
        fc = _FileCheck(report, doc, display)
        fc.schema("liste")
        if name in VOCABULARY_LISTS:
            fc.texte_traduction_du_vocabulaire(filename)
        else:
            fc.translations("liste")
        fc.liste_trop_longue(name, filename)
        entries = {}
        for i, item in enumerate(doc.data if isinstance(doc.data, list) else []):
            if isinstance(item, dict) and isinstance(item.get("cle"), str):
                fc.liste_cle_en_double(i, item["cle"], entries)
                entries[item["cle"]] = item
                if name == "reseaux" and isinstance(item.get("sources"), list):
                    fc.sources((i, "sources"), item["sources"])  # sources.yml is read before reseaux.yml
        # a broken list stays empty: the files that use it are not blamed for its errors
        report.lists[name] = entries


def check_lists(root: Path) -> dict:
    """The controlled lists of a content folder (name -> {key: entry}); a broken list is empty."""
    report = Report(root=Path(root))
    _check_lists(report)
    return report.lists


def _check_collectivite(report: Report, path: Path, raw: bytes | None = None) -> None:
    """A collectivité's file, held to its rules in the order its problems are listed."""
    display = _display(path)
    doc = _read(report, path, raw)
    if doc is None:
        return
    fc = _FileCheck(report, doc, display, raw)
    if fc.fichier_html() or fc.fichier_pas_une_fiche("une collectivité", yamlio.MODEL_HINT):
        return
    data = doc.data
    fc.fichier_nom(path)
    if fc.texte_a_remplir():
        return  # the schema would only repeat the same lines in other words
    fc.schema("collectivite")
    fc.translations("collectivite")
    fc.source_nouvelle()
    fc.sources(("sources",), _items(data, "sources"))
    fc.source_nouvelle_citee()
    fc.texte_exemple_du_modele()
    _check_population(fc, data.get("population"))
    _check_memberships(fc, data)
    _check_code_and_seat(fc, data)
    fc.collectivite_departement_manquant()
    seen_partners: dict = {}
    for i, p in enumerate(_items(data, "partenariats")):
        if isinstance(p, dict):
            _check_partnership(fc, ("partenariats", i), p, seen_partners)
    if not fc.failed:
        report.collectivites[path.stem] = doc


def _check_population(fc: _FileCheck, pop) -> None:
    if isinstance(pop, dict):
        fc.nombre_point_des_milliers(("population", "valeur"), pop.get("valeur"))
        fc.annee_future(("population", "annee"), pop.get("annee"))
        fc.liste_cle_inconnue(("population", "source"), pop.get("source"), "sources", "source")


def _check_memberships(fc: _FileCheck, data: dict) -> None:
    """Its networks, and the people or offices in charge (« organisation »)."""
    for i, m in enumerate(_items(data, "reseaux")):
        if isinstance(m, dict):
            fc.liste_cle_inconnue(("reseaux", i, "reseau"), m.get("reseau"), "reseaux", "réseau")
            fc.sources(("reseaux", i, "sources"), _items(m, "sources"))
            fc.annee_future(("reseaux", i, "depuis"), m.get("depuis"))
    for i, o in enumerate(_items(data, "organisation")):
        if isinstance(o, dict):
            fc.sources(("organisation", i, "sources"), _items(o, "sources"))


def _check_code_and_seat(fc: _FileCheck, data: dict) -> None:
    code, dep = data.get("code"), data.get("departement")
    confirmed = False  # the seat is where GeoNames puts the commune (an island the simplified shapes lack)
    if data.get("type") == "commune" and isinstance(code, str) and isinstance(data.get("nom"), str):
        confirmed = _commune_code(fc, data, code, dep if isinstance(dep, str) else None)
    if isinstance(data.get("siege"), dict) and not confirmed:
        fc.point_hors_du_pays(("siege",), data["siege"], "FR")


def _check_partnership(fc: _FileCheck, where: tuple, p: dict, seen_partners: dict) -> None:
    fc.pays_code_inconnu(where + ("pays",), p.get("pays"))
    fc.sources(where + ("sources",), _items(p, "sources"))
    fc.annee_future(where + ("depuis",), p.get("depuis"))
    end = p.get("fin")
    if isinstance(end, int) and not isinstance(end, bool):  # `fin`: not in the future, after `depuis`, on an ended partnership
        fc.annee_future(where + ("fin",), end)
        fc.partenariat_fin_avant_debut(where, p)
        fc.partenariat_fin_et_statut(where, p)
    for j, t in enumerate(_items(p, "thematiques")):
        fc.liste_cle_inconnue(where + ("thematiques", j), t, "thematiques", "thématique")
    partner = p.get("partenaire")
    if isinstance(partner, dict):
        if isinstance(partner.get("coordonnees"), dict):
            # near a place of its name in its country (GeoNames): in that country, whatever the simplified shapes say
            if not fc.point_loin_du_lieu_partenaire(where + ("partenaire", "coordonnees"), partner, p.get("pays")):
                fc.point_hors_du_pays(where + ("partenaire", "coordonnees"), partner["coordonnees"], p.get("pays"))
        fc.partenariat_en_double(where, partner, p.get("pays"), seen_partners)
    for k, project in enumerate(_items(p, "projets")):
        if isinstance(project, dict):
            _check_project(fc, where + ("projets", k), project)


def _check_project(fc: _FileCheck, where: tuple, project: dict) -> None:
    fc.sources(where + ("sources",), _items(project, "sources"))
    for j, t in enumerate(_items(project, "thematiques")):
        fc.liste_cle_inconnue(where + ("thematiques", j), t, "thematiques", "thématique")
    fc.annee_future(where + ("debut",), project.get("debut"))
    for j, figure in enumerate(_items(project, "chiffres")):
        if isinstance(figure, dict):
            fc.nombre_point_des_milliers(where + ("chiffres", j, "valeur"), figure.get("valeur"))
    fc.projet_fin_avant_debut(where, project)


def _cited_keys(value):
    """Every key cited under a « sources » list or a « source » field, anywhere in the fiche."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "sources" and isinstance(v, list):
                yield from (x for x in v if isinstance(x, str))
            elif k == "source" and isinstance(v, str):
                yield v
            elif k != "nouvelles_sources":
                yield from _cited_keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _cited_keys(v)


def _merge_new_sources(report: Report) -> None:
    """Add the valid fiches' new sources to the atlas's sources, once every other file is checked (no
    other file can cite them); a key described by two fiches is refused in the second."""
    sources = report.lists.get("sources")
    if sources is None:
        return
    owners: dict[str, str] = {}
    for slug, doc in sorted(report.collectivites.items()):
        for entry in doc.data.get("nouvelles_sources") or []:
            key = entry["cle"]
            if key in owners:
                report.problems.append(Problem(_display(doc.path), doc.line(("nouvelles_sources",)),
                                               f"la source « {key} » est déjà décrite dans la fiche {owners[key]}",
                                               "donnez une autre clé à ce document, ou demandez à l'équipe de la déplacer "
                                               "dans content/sources.yml pour que les deux fiches la citent", rule="source.nouvelle"))
                continue
            owners[key] = f"{slug}.yml"
            sources[key] = entry


def _host(address: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", address.strip().lower()).split("/", 1)[0]


@functools.cache
def _template_hosts() -> frozenset[str]:
    """The web addresses `atlas new`'s template shows as examples (it renders them from naming: one home)."""
    return frozenset({_host(naming.EXAMPLE_WEBSITE)})


def _names(data: dict) -> list[str]:
    """The name, then the aliases (a malformed alias list is the schema's concern)."""
    aliases = data.get("alias") if isinstance(data.get("alias"), list) else []
    return [n for n in [data.get("nom"), *aliases] if isinstance(n, str)]


def _same_commune(names: list[str], commune: gazetteer.Commune) -> bool:
    """« Hellemmes » is « Hellemmes-Lille » of the COG: every word of one of the names is in the official one."""
    official = set(gazetteer.key(commune.name).split())
    return any(set(gazetteer.key(n).split()) <= official for n in names if gazetteer.key(n))


def _named_among(names: list[str], communes: list[gazetteer.Commune]) -> list[gazetteer.Commune]:
    """The communes of this list that the names designate: the exact name first (« Cuvry » is not
    « Coin-lès-Cuvry » when both share a postal code), else a name held in the official one."""
    keys = {gazetteer.key(n) for n in names}
    return [c for c in communes if gazetteer.key(c.name) in keys] or [c for c in communes if _same_commune(names, c)]


def _commune_code(fc: _FileCheck, data: dict, code: str, dep: str | None) -> bool:
    """The code of a commune is the INSEE code of that commune: a postal code is named as such.
    True when the seat is confirmed near the commune's centre."""
    names = _names(data)
    known = gazetteer.commune(code)
    exact = [c for n in names for c in gazetteer.communes_named(n, dep)]
    if known and (known in exact or (not exact and _same_commune(names, known))):
        return isinstance(data.get("siege"), dict) and fc.point_loin_du_lieu_siege(data["siege"], known)
    named = [c for n in names[:1] for c in gazetteer.communes_named(n, dep)]
    right = f"écrivez code: \"{named[0].code}\" (code INSEE de {named[0].name})" if len(named) == 1 else \
        "le code INSEE d'une commune se trouve sur https://www.insee.fr (« code officiel géographique »)"
    # one problem per code, by the first rule that applies: the postal code before the département
    # rule (a postal code need not start with the département's number)
    if not fc.collectivite_code_postal(code, names) and not fc.collectivite_code_insee(code, dep, named, right):
        fc.collectivite_code_commune(code, names, known, right)
    return False


def _sign_hint(lat: float, lon: float, town: gazetteer.Town, tolerance: float) -> str:
    for la, lo in ((lat, -lon), (-lat, lon), (-lat, -lon), (lon, lat)):
        if -90 <= la <= 90 and gazetteer.distance_km(la, lo, town.lat, town.lon) <= tolerance:
            what = "latitude et longitude inversées" if (la, lo) == (lon, lat) else "signe moins oublié"
            return f"{what} ? écrivez lat: {la}, lon: {lo} (ouest et sud sont négatifs)"
    return ""


TOWN_KINDS = {None, "commune", "village", "autre"}  # a region or a province is not one point of GeoNames


def _placeholders(value, where: tuple):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _placeholders(v, where + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _placeholders(v, where + (i,))
    elif isinstance(value, str) and "REMPLIR" in value.upper():
        yield where


def _placeholder_hint(where: tuple) -> str:
    """Replace it; or, when the field (or the block holding it) is optional, remove that line."""
    root = schema.load("collectivite")

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = {**root["$defs"][node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        for branch in node.get("oneOf", []):
            branch = resolve(branch)
            if "properties" in branch or "items" in branch:
                return branch
        return node

    node, keys, holder = root, [], None
    for step in where:
        if isinstance(step, int):
            holder, node = node, resolve(node.get("items", {}))
            continue
        holder = None
        keys.append((step, step in node.get("required", [])))
        node = resolve(node.get("properties", {}).get(step, {}))
    optional = next((k for k, required in reversed(keys) if not required), None)
    if keys[-2:] == [("partenaire", True), ("nom", True)]:
        return "écrivez le nom du partenaire, ou « partenaire: inconnu » si la source ne donne que le pays"
    example = ((holder or node).get("examples") or [None])[0]
    if holder is not None and isinstance(example, list) and example:  # a list item: an item of the list's example
        example = example[0]
    if isinstance(example, list) and all(isinstance(e, str) for e in example):
        example = "[" + ", ".join(example) + "]"
    elif isinstance(example, str) and example.isdigit():
        example = f'"{example}"'
    value = f"la valeur (ex. {example})" if isinstance(example, (str, int, float)) else "la valeur"
    if optional is None:
        return f"remplacez « À REMPLIR » par {value} : ce champ est obligatoire"
    if optional == keys[-1][0]:
        return f"remplacez « À REMPLIR » par {value}, ou supprimez la ligne si vous ne la connaissez pas"
    return f"remplacez « À REMPLIR » par {value}, ou retirez « {optional} » (facultatif) si vous ne le connaissez pas"


def _label(where: tuple) -> str:
    keys = [k for k in where if isinstance(k, str)]
    return keys[-1] if keys else "valeur"


_NAME_PREFIX = re.compile(naming.COMMUNE_PREFIX)


@functools.lru_cache(maxsize=1 << 16)  # the same names at every check of a long-lived process (atlas serve)
def _name_key(name: str) -> str:
    """"Ville de Saint-Omer" and "saint omer" give the same key."""
    folded = countries.fold(name).replace("\u2019", "'")
    folded = _NAME_PREFIX.sub("", folded)
    return re.sub(r"[\s'-]+", " ", folded).strip()


@rule("collectivite.en-double", "une collectivité n'a qu'une fiche (nom, alias, code)")
def collectivite_en_double(report: Report) -> None:
    """Same collectivité in two files (same name or alias, or same code): reported in both files,
    so that checking either file alone shows it."""
    by_name: dict = {}
    by_code: dict = {}
    reported: set = set()

    def duplicate(doc, display, other, field: str, what: str) -> None:
        if (other[1], display) in reported:
            return
        reported.add((other[1], display))
        other_doc = report.collectivites[other[0]]
        hint = ("une collectivité = une seule fiche : si vous venez de créer l'un des deux fichiers, "
                "reportez-en les informations dans l'autre et supprimez-le")
        for this, this_doc, that in ((display, doc, other[1]), (other[1], other_doc, display)):
            report.problems.append(Problem(this, this_doc.line((field,)), f"collectivité en double : {that} décrit déjà la même ({what})",
                                           hint, rule="collectivite.en-double"))

    for slug in sorted(report.collectivites):
        doc = report.collectivites[slug]
        display = _display(doc.path)
        kind = doc.data.get("type")
        names = [doc.data["nom"]] + [a for a in doc.data.get("alias") or [] if isinstance(a, str)]
        for name in names:
            other = by_name.get((_name_key(name), kind))
            if other and other[1] != display:
                duplicate(doc, display, other, "nom", f"« {other[2]} » et « {name} »")
                break
        for name in names:
            by_name.setdefault((_name_key(name), kind), (slug, display, name))
        code = doc.data.get("code")
        if code:
            if (code, kind) in by_code:
                duplicate(doc, display, by_code[(code, kind)], "code", f"même code {code}")
            else:
                by_code[(code, kind)] = (slug, display)


def _drop_failed_collectivites(report: Report) -> None:
    """Only the collectivités without an error (duplicates included) go on to the records."""
    failed = {p.path for p in report.problems if p.severity == Severity.ERROR}  # one pass: linear in errors
    for slug in [s for s in report.collectivites if _display(report.collectivites[s].path) in failed]:
        del report.collectivites[slug]


def _items(data: dict, key: str) -> list:
    """data[key] when it is a list (the schema reports it otherwise), else nothing to walk."""
    value = data.get(key)
    return value if isinstance(value, list) else []


def _open(report: Report, path: Path, what: str) -> _FileCheck | None:
    """Read a file that must hold a mapping; None (problem recorded) when it cannot be checked further."""
    doc = _read(report, path)
    if doc is None:
        return None
    fc = _FileCheck(report, doc, _display(path))
    return None if fc.fichier_pas_une_fiche(what) else fc


def _check_pays(report: Report, path: Path) -> None:
    fc = _open(report, path, "un pays")
    if fc is None:
        return
    doc = fc.doc
    fc.schema("pays")
    fc.translations("pays")
    code = doc.data.get("code")
    fc.pays_code_inconnu(("code",), code)
    fc.pays_nom_de_fichier(path, code)
    fc.liste_cle_inconnue(("zone",), doc.data.get("zone"), "zones", "zone")
    fc.sources(("sources",), _items(doc.data, "sources"))
    for i, f in enumerate(_items(doc.data, "chiffres")):
        if isinstance(f, dict):
            fc.liste_cle_inconnue(("chiffres", i, "source"), f.get("source"), "sources", "source")
    if not fc.failed:
        report.pays[code] = doc


def _check_table(report: Report, path: Path) -> None:
    fc = _open(report, path, "un tableau statistique")
    if fc is None:
        return
    doc = fc.doc
    fc.fichier_nom_tableau(path)
    fc.schema("statistique")
    fc.liste_cle_inconnue(("source",), doc.data.get("source"), "sources", "source")
    for i, row in enumerate(_items(doc.data, "lignes")):
        if isinstance(row, dict):
            fc.liste_cle_inconnue(("lignes", i, "zone"), row.get("zone"), "zones", "zone")
            fc.pays_code_inconnu(("lignes", i, "pays"), row.get("pays"))
    if not fc.failed:
        report.tables[path.stem] = doc


# Slugs the site itself uses inside a folder: a file with that name would shadow a generated page.
RESERVED_NAMES = {"index", "atom", "feed", "assets", "search", "sitemap"}
CONTENT_FOLDERS = ("collectivites", "pays", "statistiques")
KEPT_AS_IS = {".gitkeep"}  # lets git keep an empty folder
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _yaml_files(folder: Path, report: Report | None = None) -> list[Path]:
    """The regular .yml/.yaml files of `folder`; anything else that looks like a fiche is reported.

    Symbolic links are refused here, before anything is opened: their target (outside the
    repository, /dev/zero, a loop) is never read nor printed.
    """
    if folder.is_symlink():
        if report is not None:
            report.problems.append(Problem(_display(folder), 1, "dossier remplacé par un lien symbolique : refusé",
                                           "le dossier doit être un vrai dossier du dépôt", rule="dossier.lien-symbolique"))
        return []
    if not folder.is_dir():
        return []
    files = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if not entry.name.endswith((".yml", ".yaml")):
            if report is not None and entry.name not in KEPT_AS_IS:
                _report_unread(report, folder / entry.name, entry.is_dir(follow_symlinks=False))
            continue
        path = folder / entry.name
        problem = None
        if entry.is_symlink():
            problem = ("lien symbolique refusé : une fiche est un vrai fichier du dossier (sa cible n'est pas lue)",
                       "remplacez le lien par le fichier lui-même")
        elif not entry.is_file(follow_symlinks=False):
            problem = ("ce n'est pas un fichier ordinaire", "une fiche est un fichier texte .yml")
        elif path.stem in RESERVED_NAMES:
            problem = (f"nom de fichier « {entry.name} » réservé : le site publie déjà une page « {path.stem} » dans ce dossier",
                       "nommez le fichier d'après la collectivité, ex. saint-omer.yml")
        if problem:
            if report is not None:
                report.problems.append(Problem(_display(path), 1, *problem, rule="fichier.pas-ordinaire"))
            continue
        files.append(path)
    return [f for f in files if f.suffix == ".yml"] + [f for f in files if f.suffix == ".yaml"]


def _report_unread(report: Report, path: Path, is_folder: bool) -> None:
    """A file the atlas would never read: said, not skipped (« Contenu valide » would hide it)."""
    name = path.name
    if is_folder:
        report.problems.append(Problem(_display(path), 1, f"dossier « {name} » non lu par l'atlas",
                                       f"les fiches se rangent directement dans {path.parent.name}/, sans sous-dossier",
                                       rule="dossier.non-lu"))
        return
    stem = name.split(".")[0] or name
    report.problems.append(Problem(
        _display(path), 1, f"fichier « {name} » non lu : une fiche porte l'extension .yml",
        f"renommez-le {stem}.yml (dans l'éditeur de GitHub, le nom du fichier est modifiable en haut de la page)",
        rule="fichier.extension"))


def _check_stray_files(report: Report) -> None:
    """Files put in content/ or at the repository's root instead of their folder."""
    root = report.root
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name in CONTENT_FOLDERS or entry.name in LISTS.values() or entry.name in KEPT_AS_IS:
            continue
        path = root / entry.name
        if entry.is_dir(follow_symlinks=False):
            report.problems.append(Problem(_display(path), 1, f"dossier « {entry.name} » non lu par l'atlas",
                                           "le contenu se range dans " + ", ".join(f"{root.name}/{f}/" for f in CONTENT_FOLDERS),
                                           rule="dossier.non-lu"))
            continue
        report.problems.append(Problem(
            _display(path), 1, f"fichier « {entry.name} » non lu : il n'est pas dans le bon dossier",
            f"une fiche collectivité se range dans {root.name}/collectivites/ (nom en .yml) ; "
            f"une fiche pays dans {root.name}/pays/", rule="fichier.mal-range"))
    repository = root.resolve().parent
    if (repository / "mkdocs.yml").is_file():
        for entry in sorted(os.scandir(repository), key=lambda e: e.name):
            stem, _, ext = entry.name.partition(".")
            if entry.is_file(follow_symlinks=False) and entry.name != "mkdocs.yml" \
                    and ext in ("yml", "yaml", "yml.txt", "yaml.txt"):
                report.problems.append(Problem(
                    _display(repository / entry.name), 1,
                    f"fichier « {entry.name} » à la racine du dépôt : l'atlas ne le lit pas",
                    f"déplacez-le dans {root.name}/collectivites/ et nommez-le {stem}.yml", rule="fichier.mal-range"))


def check(root: Path | str = "content", only: Path | None = None, cache: checkcache.CheckCache | None = None) -> Report:
    """Check the content folder. With `only`, report just that file: it is checked in full, against
    the controlled lists and the other collectivités (read only as possible duplicates).

    With `cache`, a collectivité file whose bytes and references did not change since a check
    that kept it is not checked again: its problems and document are taken from the cache
    (checkcache.py). The rules across files run on every check, over every document: the report
    is the same, problem for problem, with or without the cache."""
    root = Path(root)
    report = Report(root=root)
    if not root.is_dir():
        report.problems.append(Problem(str(root), 1, "dossier de contenu introuvable",
                                       "lancez la commande depuis la racine du dépôt, ou donnez le dossier : atlas check content/",
                                       rule="dossier.introuvable"))
        return report
    _check_lists(report)
    _check_stray_files(report)
    folder = root / "collectivites"
    files = _yaml_files(folder, report)
    target = _real_folder(Path(only)) if only is not None else None
    to_check, others = [], []
    for path in files:
        if path.suffix == ".yaml":
            report.problems.append(Problem(_display(path), 1, "extension .yaml au lieu de .yml",
                                           f"renommez le fichier en {path.stem}.yml", rule="fichier.extension"))
            continue
        if target is not None and _real_folder(path) != target:
            others.append(path)  # single-file mode: the others only matter as possible duplicates
            continue
        to_check.append(path)
    _register_for_duplicates(report, others, cache)
    _check_collectivites(report, to_check, cache if only is None else None)
    if not files:
        report.problems.append(Problem(_display(folder), 1, "aucune fiche collectivité",
                                       "créez-en une avec : atlas new \"Nom de la collectivité\"", rule="collectivite.aucune"))
    collectivite_en_double(report)
    _drop_failed_collectivites(report)
    for path in _yaml_files(root / "pays", report):
        _check_pays(report, path)
    for path in _yaml_files(root / "statistiques", report):
        _check_table(report, path)
    pays_sans_fiche(report)
    _merge_new_sources(report)
    if only is not None:
        target = _display(Path(only))
        report.problems = [p for p in report.problems if p.path == target]
    report.problems.sort(key=lambda p: (p.path, p.line))
    return report


PARALLEL_MIN_FILES = 600  # below this, starting worker processes costs more than it saves


def _check_collectivites(report: Report, paths: list[Path], cache: checkcache.CheckCache | None = None) -> None:
    """Check each collectivité file, or take its result from the cache; the files to check go, on a
    national corpus, to every core (files are independent). Results are added in the files' order."""
    entries: dict[Path, checkcache.Entry] = {}
    todo: list[tuple[Path, bytes | None, str | None]] = []
    if cache is not None:
        cache.start(report.lists)
    for path in paths:
        raw = key = None
        if cache is not None:
            try:
                raw = yamlio.read_bytes(path)
            except yamlio.YamlError:
                pass  # unreadable (a link, too big…): checked below, which says why, and never stored
            else:
                key = cache.key(path.name, raw)
                entry = cache.get(key)
                if entry is not None:
                    entries[path] = entry
                    continue
        todo.append((path, raw, key))
    for path, key, entry, pack in _check_files(report, todo, cache):
        entries[path] = entry
        if key is not None:
            cache.keep(key, entry, pack)
    for path in paths:
        entry = entries[path]
        if entry.problems:
            display = _display(path)
            report.problems.extend(Problem(display, line, message, hint, Severity(severity), rule)
                                   for line, message, hint, severity, rule in entry.problems)
        if entry.valid:
            report.collectivites[path.stem] = yamlio.Document(path, entry.data, entry.lines)
    if cache is not None:
        cache.finish()


def _check_files(report: Report, todo: list, cache: checkcache.CheckCache | None) -> list:
    n = workers.count()
    # fork keeps the start cheap (the shapes are shared); where forking is unsafe, stay sequential
    if len(todo) < PARALLEL_MIN_FILES or n < 2 or not workers.can_fork():
        return _check_and_store(report.root, report.lists, cache, todo)
    countries.distance_km("FR", 48.85, 2.35)  # load the shapes once, before the workers fork
    gazetteer.commune("59350")  # and the communes of the COG
    chunks = [todo[i::n] for i in range(n)]
    with workers.forking():
        pool = workers.context().Pool(n, initializer=_init_worker, initargs=(report.root, report.lists, cache))
    with pool:
        return [result for results in pool.map(_check_chunk, chunks) for result in results]


_worker: tuple = ()  # (root, lists, cache) of a worker process


def _init_worker(root: Path, lists: dict, cache: checkcache.CheckCache | None) -> None:
    global _worker
    _worker = (root, lists, cache)


def _check_chunk(todo: list) -> list:
    return _check_and_store(*_worker, todo)


def _check_and_store(root: Path, lists: dict, cache: checkcache.CheckCache | None, todo: list) -> list:
    """(path, key, entry, pack) of each file; the entries stored where they were checked (each worker
    writes its own pack: nothing more to send back than what the report needs)."""
    results = [_check_one(root, lists, item) for item in todo]
    pack = cache.write({key: entry for _, key, entry in results if key is not None}) if cache is not None else None
    return [(path, key, entry, pack) for path, key, entry in results]


def _check_one(root: Path, lists: dict, item: tuple) -> tuple:
    """(path, key, entry) of one file: its problems, and what the rules across files and the records read."""
    path, raw, key = item
    scratch = Report(root=root, lists=lists)
    _check_collectivite(scratch, path, raw)
    doc = scratch.collectivites.get(path.stem)
    entry = checkcache.Entry(tuple((p.line, p.message, p.hint, p.severity.value, p.rule) for p in scratch.problems),
                             doc.data if doc else None, slim_lines(doc) if doc else None)
    return path, key, entry


def slim_lines(doc: yamlio.Document) -> dict:
    """The lines the rules across files and the records read of a valid document (its top-level keys,
    its partnerships and their countries), not every value's: a third of the memory and transfer,
    and every `doc.line` those rules ask answers as with the full lines."""
    return {where: line for where, line in doc.lines.items()
            if len(where) <= 1 or (where[0] == "partenariats" and (len(where) == 2 or where[2:] == ("pays",)))}


def _register_for_duplicates(report: Report, paths: list[Path], cache: checkcache.CheckCache | None) -> None:
    """Single-file mode: read the other collectivités just enough to compare them with the checked one
    (name, aliases, code, type), without validating them: 10 times faster on a national corpus. A file
    the cache holds as valid is not even parsed: its data is the cache's (the same data)."""
    if cache is not None and paths:
        cache.start(report.lists)
    for path in paths:
        data = None
        if cache is not None:
            try:
                entry = cache.get(cache.key(path.name, yamlio.read_bytes(path)))
            except yamlio.YamlError:
                entry = None
            if entry is not None and entry.valid:
                data = entry.data
        try:
            if data is None:
                data = yamlio.read(path).data  # bounded like any other read: never a plain yaml.load
        except yamlio.YamlError:
            continue
        _register_summary(report, path, data)


def _register_summary(report: Report, path: Path, data) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("nom"), str):
        return
    alias = _items(data, "alias")
    summary = {
        "nom": data["nom"], "alias": [a for a in alias if isinstance(a, str)],
        "type": data.get("type") if isinstance(data.get("type"), str) else None,
        "code": data.get("code") if isinstance(data.get("code"), str) else None,
        "partenariats": [],  # its countries are not looked at in this mode
    }
    report.collectivites[path.stem] = yamlio.Document(path=path, data=summary)


@rule("pays.sans-fiche", "un pays cité a sa fiche (sinon, avertissement)")
def pays_sans_fiche(report: Report) -> None:
    warned: set = set()  # once per country, at its first use
    for _slug, doc in sorted(report.collectivites.items()):
        parts = doc.data["partenariats"]
        for i, p in enumerate(parts if isinstance(parts, list) else []):
            if p["pays"] not in report.pays and p["pays"] not in warned:
                warned.add(p["pays"])
                report.problems.append(Problem(
                    _display(doc.path), doc.line(("partenariats", i, "pays")),
                    f"pas de fiche pays pour {p['pays']} ({countries.name_fr(p['pays'])}) : il sera classé « zone non renseignée »",
                    f"ajoutez content/pays/{p['pays'].lower()}.yml (code et zone)", Severity.WARNING, rule="pays.sans-fiche"))
