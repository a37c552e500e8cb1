"""Read a contributor's YAML file into plain data plus the line of every value.

PyYAML does the parsing; we build the data from its event stream ourselves, to keep line
numbers, to refuse what PyYAML would silently overwrite or reinterpret, and to keep every
read bounded (see `parse`).
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is ~10x faster; fall back when libyaml is absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader



MODEL_HINT = "copiez le modèle de fiche du guide « Contribuer », ou lancez : atlas new \"Nom de la collectivité\""


class YamlError(Exception):
    """An unreadable file, with the line and a French explanation."""

    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass
class Document:
    path: Path
    data: Any
    lines: dict = field(default_factory=dict)

    def line(self, path: tuple) -> int:
        """Line of the deepest known ancestor of `path` (1 when nothing is known)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _translate(exc: yaml.MarkedYAMLError, text: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    problem = (exc.problem or "").lower()
    context = (exc.context or "").lower()
    lines = text.splitlines()
    src_line = lines[line - 1] if 0 < line <= len(lines) else ""
    start = exc.context_mark.line + 1 if exc.context_mark else line  # where the block/quote began
    if "nesting depth" in problem or "flow level" in context or "depth" in problem:
        # libyaml (PyYAML ≥ 6.0.2's wheels) stops at 1,000 levels on its own, before our own limit
        # is reached event by event: the same message whatever the library's build.
        return YamlError(line, NESTING_MESSAGE, NESTING_HINT)
    if "\t" in src_line or "'\\t'" in problem:
        return YamlError(line, "tabulation dans l'indentation : YAML n'accepte que des espaces",
                         "remplacez la tabulation par des espaces (2 par niveau)")
    for n in range(line, max(1, line - 3) - 1, -1):  # « -partenaire: » : the dash glued to its key
        glued = re.match(r"^(\s*)-([^\s\-#][^:]*):", lines[n - 1]) if 0 < n <= len(lines) else None
        if glued:
            return YamlError(n, f"il manque une espace après le tiret dans « -{glued.group(2)}: »",
                             f"écrivez « - {glued.group(2)}: » (un tiret, une espace, puis la clé)")
    if _apostrophe_inside_quotes(src_line):
        return YamlError(line, "apostrophe à l'intérieur d'un texte écrit entre apostrophes",
                         "doublez l'apostrophe (« 'l''eau' ») ou mettez le texte entre guillemets doubles (« \"l'eau\" »)")
    if "mapping values are not allowed" in problem and re.match(r"^\s*(- )?[^\s:#'\"][^:#]*:\s+[^'\"{\[\s].*:(\s|$)", src_line):
        return YamlError(line, "texte contenant « : » écrit sans guillemets",
                         "mettez tout le texte entre guillemets doubles : clé: \"texte : suite\"")
    if "mapping values are not allowed" in problem:
        return YamlError(line, "deux-points inattendu : indentation incorrecte ou texte contenant « : » sans guillemets",
                         "alignez la clé sur les autres clés du même niveau, ou mettez le texte entre guillemets")
    if "could not find expected ':'" in problem:
        for n in range(line, max(start, line - 2) - 1, -1):  # PyYAML notices it a line later
            glued = _GLUED_COLON.match(lines[n - 1]) if 0 < n <= len(lines) else None
            if glued:
                return YamlError(n, f"il manque une espace après les deux-points dans « {glued.group(2)}:{glued.group(3)} »",
                                 f"écrivez « {glued.group(2)}: {glued.group(3)} » (une espace après « : »)")
        previous = lines[line - 2] if 1 < line <= len(lines) + 1 else ""
        if previous.strip() and ":" not in previous and not previous.lstrip().startswith(("-", "#")):
            return YamlError(line - 1, "cette ligne n'est pas de la forme « clé: valeur » : la suite d'un texte "
                                       "de la ligne précédente, collée sur deux lignes ?",
                             "remettez le texte sur une seule ligne, à la suite de sa clé (ou indentez la suite de "
                             "deux espaces de plus que la clé)")
        return YamlError(line, "une clé sans deux-points ou une ligne mal indentée",
                         "écrivez « clé: valeur » (avec une espace après les deux-points) "
                         "et vérifiez l'alignement avec la ligne précédente")
    if "expected ',' or '}'" in problem:
        return YamlError(start, "accolade « { » ouverte sur cette ligne mais jamais refermée",
                         "terminez par « } », ex. {lat: 50.63, lon: 3.06}, et séparez les éléments par des virgules")
    if "expected ',' or ']'" in problem:
        return YamlError(start, "crochet « [ » ouvert sur cette ligne mais jamais refermé",
                         "terminez la liste par « ] », ex. [actes-colloque-lianes-2009], et séparez les éléments par des virgules")
    if ("expected <block" in problem or "did not find expected key" in problem
            or "did not find expected '-'" in problem) and src_line.lstrip().startswith("- "):
        undashed = _block_without_dash(lines, line)
        if undashed:
            return YamlError(undashed, "élément de liste sans tiret : ce bloc est au niveau des éléments « - » qui suivent",
                             "commencez sa première ligne par « - » (aligné sur les autres tirets) et décalez ses "
                             "autres lignes de deux espaces, comme les autres éléments")
        return YamlError(line, "indentation incorrecte : ce tiret n'est pas aligné sur les autres éléments de la liste",
                         "placez le tiret exactement sous les tirets des éléments précédents (même nombre d'espaces "
                         "avant lui), et décalez pareil les lignes de son bloc")
    if ("expected <block" in problem or "did not find expected key" in problem
            or "did not find expected '-'" in problem):
        return YamlError(line, "indentation incorrecte : cette ligne n'est pas alignée avec les lignes du même niveau",
                         "alignez-la sur la clé voisine du même niveau (même nombre d'espaces ; dans une liste, "
                         "les clés d'un même élément s'alignent sur la première, juste après le tiret)")
    if "quoted scalar" in context or "found unexpected end of stream" in problem or "found unknown escape" in problem:
        return YamlError(start, "guillemets ouverts sur cette ligne mais jamais refermés (ou « \\ » dans le texte)",
                         "refermez les guillemets à la fin du texte")
    if "undefined alias" in problem or "anchor" in problem or "alias" in context:
        return YamlError(line, "« * » ou « & » en début de valeur : YAML le lit comme une référence",
                         "mettez la valeur entre guillemets")
    if "cannot start any token" in problem:
        col = mark.column if mark else 0
        char = src_line[col] if col < len(src_line) else "?"
        return YamlError(line, f"une valeur ne peut pas commencer par « {char} »",
                         "mettez toute la valeur entre guillemets doubles")
    return YamlError(line, "ligne illisible (structure YAML incorrecte)",
                     "vérifiez l'indentation (espaces), les deux-points et les guillemets de cette ligne et de la précédente")


_GLUED_COLON = re.compile(r"^(\s*(?:- )?)([a-z_]+):([^\s/].*?)\s*$")


def _block_without_dash(lines: list[str], line: int) -> int | None:
    """First line of a pasted list item that lost its « - », just above the dash at `line`."""
    dash = lines[line - 1]
    indent = len(dash) - len(dash.lstrip())
    found = None
    for n in range(line - 1, 0, -1):
        text = lines[n - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        own = len(text) - len(text.lstrip())
        if own < indent:
            if text.lstrip().startswith("- ") and own + 2 == indent:
                return None  # those lines are the keys of this item: it is the dash below that is misplaced
            break
        if own == indent:
            if text.lstrip().startswith("- "):
                break
            found = n
    return found


def _apostrophe_inside_quotes(line: str) -> bool:
    """`nom: 'l'eau'` — a French apostrophe closing a single-quoted text too early."""
    body = line.split(":", 1)[1].strip() if ":" in line else line.strip()
    body = body.lstrip("-[ ").strip()
    if not body.startswith("'"):
        return False
    rest = body[1:].replace("''", "")
    end = rest.find("'")
    return end != -1 and rest[end + 1:].strip()[:1] not in ("", ",", "]", "}", "#")


# Bounds far above what a fiche needs (the largest real one: 230 lines, 6 levels deep), far
# below what would cost time or memory. Checked while reading, before anything is built.
MAX_BYTES = 512 * 1024
MAX_DEPTH = 12
MAX_KEYS = 200  # per block
MAX_NODES = 50_000
MAX_DIGITS = 15
# What people type for a minus sign: hyphens, en and em dashes, the minus sign, their small and fullwidth forms.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
NESTING_MESSAGE = f"plus de {MAX_DEPTH} niveaux d'imbrication : aucune fiche n'en a besoin"
NESTING_HINT = "vérifiez l'indentation et les crochets « [ » de ce passage"

_TRUE_FALSE = {"true": True, "false": False}
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_LEADING_ZERO = re.compile(r"0[0-9]+")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_YEAR_IN_DATE = re.compile(r"([0-9]{4})-")
# Invisible, control or direction-changing characters: they hide what a reviewer reads, break
# XML (the Atom feed) and terminals, or cannot be written as UTF-8 (lone surrogates). Refused in
# the raw text and, after escapes (« "\\u202e" »), in every value and key: one set for both.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(chr(p * 0x10000 + 0xfffe) + chr(p * 0x10000 + 0xffff) for p in range(1, 17))
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
                        "\ufeff\ufff9-\ufffb\ud800-\udfff" + _NONCHARACTERS + "]")
# In a value, a carriage return too (« "Ville\r=cmd" » would start a new row of a CSV file).
FORBIDDEN_CHARACTERS = re.compile(_INVISIBLE.pattern[:-1] + "\r]")
_CHARACTER_NAMES = {"\u202e": "forçage de l'écriture de droite à gauche", "\u202d": "forçage de l'écriture de gauche à droite",
                    "\u200b": "espace de largeur nulle", "\u2028": "saut de ligne invisible", "\u2029": "saut de paragraphe invisible",
                    "\r": "retour chariot", "\x00": "caractère nul", "\x1b": "échappement de terminal", "\x0c": "saut de page",
                    "\ufeff": "indicateur d'ordre des octets"}
# Fields that hold one line: names, titles, keys and codes (texts such as « description » may have several).
SINGLE_LINE = {"nom", "alias", "titre", "libelle", "editeur", "unite", "cle", "code", "pays", "departement", "region",
               "reseau", "source", "sources", "thematiques", "zone", "forme", "site_web", "type", "nature", "statut",
               "cofinanceurs", "acteurs_ici", "acteurs_la_bas", "groupes", "partenariats", "partenaire"}


def _translated_field(key) -> str | None:
    """« titre_en » → « titre »: another language's text of a field is one line when the field is."""
    head, _, lang = key.rpartition("_") if isinstance(key, str) else ("", "", "")
    return head if head and 2 <= len(lang) <= 3 and lang.isalpha() else None


def describe_character(char: str) -> str:
    """« U+202E (forçage de l'écriture de droite à gauche) »: how a message names a character."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        label = "moitié de paire UTF-16 isolée"
    elif (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
        label = "non-caractère Unicode"
    else:
        label = _CHARACTER_NAMES.get(char) or unicodedata.name(char, "caractère de contrôle").lower()
    return f"U+{code:04X} ({label})"


def visible(text: str) -> str:
    """`text` with each forbidden character shown as ‹U+XXXX›: a message quotes what was typed
    without printing it (a U+202E would reverse the terminal's line, an ESC could drive it)."""
    return FORBIDDEN_CHARACTERS.sub(lambda m: f"‹U+{ord(m.group()):04X}›", text)


class DateText(str):
    """A plain `1989-05-14`: kept as the text typed, remembered as a date for the year fields' message."""


def _as_typed(tag: str) -> str:
    """The tag as the contributor typed it: "!!binary", not "tag:yaml.org,2002:binary"."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _refuse(event, message: str, hint: str = "") -> YamlError:
    return YamlError(event.start_mark.line + 1, message, hint)


def _scalar(loader, event, key=None):
    """The value of one scalar, refusing every YAML 1.1 reading that changes what was typed."""
    text = event.value
    if event.style or not event.implicit[0]:  # plain style is None (Python parser) or "" (libyaml)
        return text  # quoted or block text: always a string
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    kind = tag.rsplit(":", 1)[-1]
    shown = text if len(text) <= 40 else text[:37] + "…"
    if kind == "null":
        return None
    if kind == "bool":
        if text.lower() in _TRUE_FALSE:
            return _TRUE_FALSE[text.lower()]
        if key == "pays" and text.upper() == "NO":
            raise _refuse(event, f"« {text} » serait lu par YAML comme oui/non (faux), pas comme le code de la Norvège",
                          'écrivez-le entre guillemets : pays: "NO"')
        meant = "vrai" if text.lower() in ("yes", "on") else "faux"
        raise _refuse(event, f"« {shown} » serait lu par YAML comme oui/non ({meant}), pas comme le texte tapé",
                      f"si c'est un texte, écrivez-le entre guillemets : \"{text}\" ; pour oui/non, écrivez true ou false")
    if kind == "int":
        if _LEADING_ZERO.fullmatch(text):
            return text  # a code such as 02691: the text typed, not an octal number
        if not _DECIMAL.fullmatch(text):
            what = "en base 60" if ":" in text else "en base 2, 8 ou 16" if re.match(r"[-+]?0[0-9a-zA-Z]", text) else "autrement que tapé"
            raise _refuse(event, f"« {shown} » serait lu par YAML comme un nombre {what}",
                          f"écrivez le nombre en chiffres seuls (ex. 2000), ou mettez le texte entre guillemets : \"{text}\"")
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise _refuse(event, f"nombre de {len(text.lstrip('+-'))} chiffres : aucune valeur de l'atlas n'est aussi grande",
                          "vérifiez la valeur (faute de frappe, chiffres collés ?)")
        return int(text)
    if kind == "float":
        if not _FLOAT.fullmatch(text):
            special = "." in text and text.lstrip("+-").lower() in (".inf", ".nan")
            what = "une valeur non numérique (infini ou « pas un nombre »)" if special \
                else "un nombre en base 60" if ":" in text else "un nombre écrit autrement que tapé"
            raise _refuse(event, f"« {shown} » serait lu par YAML comme {what}",
                          "écrivez un nombre décimal ordinaire avec un point (ex. 50.63), ou supprimez la ligne si la valeur est inconnue")
        if len(re.sub(r"[^0-9]", "", text.split("e")[0].split("E")[0])) > 3 * MAX_DIGITS:
            raise _refuse(event, "nombre décimal démesurément long", "gardez au plus six décimales (ex. 50.633333)")
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise _refuse(event, f"« {shown} » dépasse les nombres représentables", "vérifiez la valeur (exposant démesuré ?)")
        return value
    if kind == "timestamp":
        return DateText(text)
    if kind == "merge":
        raise _refuse(event, "clé de fusion YAML « << » refusée dans une fiche",
                      "écrivez chaque clé en toutes lettres, sans « << »")
    return text


def parse(text: str, path: Path) -> Document:
    """Parse `text`; raise YamlError with a French message on any problem.

    Built from PyYAML's event stream, not its composer: anchors, aliases and tags are refused
    where they appear (nothing is ever expanded or constructed from a tag), depth and size are
    bounded before anything is nested, and no recursion depends on the input.
    """
    if not text.strip() or all(line.strip().startswith("#") or not line.strip() for line in text.splitlines()):
        raise YamlError(1, "fichier vide", "pour retirer une collectivité de l'atlas, supprimez son fichier plutôt que de le "
                        "vider (guide « Contribuer », « Retirer ma collectivité ») ; pour une nouvelle fiche, " + MODEL_HINT)
    _refuse_invisible(text)
    loader = _Loader(text)
    try:
        try:
            return _build(loader, path, text.splitlines())
        except yaml.MarkedYAMLError as exc:
            raise _translate(exc, text) from None
        except yaml.YAMLError as exc:
            raise YamlError(1, f"YAML illisible ({exc})") from None
    finally:
        loader.dispose()


def _build(loader, path: Path, text_lines: list[str]) -> Document:
    lines: dict = {}
    # Each open block: [container, where, pending key (mappings), key line]
    stack: list[list] = []
    root: Any = None
    nodes = 0
    documents = 0

    def place(value, event) -> None:
        nonlocal root
        if isinstance(value, str) and not (value.isascii() and value.isprintable()):  # the usual value: no call
            _refuse_forbidden(value, event, stack)
            if not value.isascii():
                _refuse_mixed_scripts(value, event)
                _refuse_typographic_quotes(value, event)
        if not stack:
            root = value
            lines.setdefault((), event.start_mark.line + 1)
            return
        top = stack[-1]
        container, where = top[0], top[1]
        if isinstance(container, list):
            here = where + (len(container),)
            lines.setdefault(here, event.start_mark.line + 1)
            container.append(value)
            return
        if top[2] is None:  # this value is a key
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                _refuse_decimal_comma(value, event, text_lines)
            if not isinstance(value, str) or isinstance(value, (list, dict)):
                raise _refuse(event, "clé invalide (une clé doit être un simple mot)", "écrivez « clé: valeur »")
            _refuse_odd_space_in_key(value, event)
            if value in container:
                in_list = any(isinstance(step, int) for step in where)
                raise YamlError(event.start_mark.line + 1, f"clé « {value} » répétée (déjà à la ligne {lines[where + (value,)]})",
                                "s'il s'agit d'un nouvel élément de la liste, commencez-le par un tiret « - » aligné sur "
                                "les tirets des autres ; sinon gardez une seule fois cette clé" if in_list else
                                "gardez une seule fois cette clé : YAML n'en retiendrait que la dernière")
            if len(container) >= MAX_KEYS:
                raise _refuse(event, f"plus de {MAX_KEYS} clés dans un même bloc : ce n'est pas une fiche",
                              "une fiche n'a que les clés décrites dans la « Référence des champs »")
            top[2] = value
            lines[where + (value,)] = event.start_mark.line + 1
            return
        container[top[2]] = value
        top[2] = None

    while True:
        event = loader.get_event()
        if event is None or isinstance(event, yaml.StreamEndEvent):
            break
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _refuse(event, "plusieurs documents dans un fichier (ligne « --- »)",
                              "une fiche = un fichier : retirez la ligne « --- »")
            continue
        if isinstance(event, yaml.AliasEvent):
            raise _refuse(event, f"référence YAML « *{event.anchor} » refusée : une fiche écrit chaque valeur en toutes lettres",
                          "recopiez la valeur au lieu de « * », ou mettez-la entre guillemets si « * » fait partie du texte")
        nodes += 1
        if nodes > MAX_NODES:
            raise _refuse(event, f"plus de {MAX_NODES} valeurs dans le fichier : ce n'est pas une fiche",
                          "une fiche décrit une collectivité ; découpez ou vérifiez le fichier")
        anchor, tag = getattr(event, "anchor", None), getattr(event, "tag", None)
        if anchor is not None:
            raise _refuse(event, f"ancre YAML « &{anchor} » refusée : une fiche écrit chaque valeur en toutes lettres",
                          "retirez « &" + anchor + " », ou mettez la valeur entre guillemets si « & » fait partie du texte")
        if isinstance(event, yaml.ScalarEvent):
            if tag is not None and not (event.implicit[0] or event.implicit[1]):
                raise _refuse(event, f"étiquette YAML « {_as_typed(tag)} » refusée : "
                                     "une fiche ne contient que du texte, des nombres et des listes",
                              "retirez l'étiquette (le mot commençant par « ! ») ; pour un texte, mettez-le entre guillemets")
            top = stack[-1] if stack else None
            key = top[2] if top and isinstance(top[0], dict) else None
            value = _scalar(loader, event, key)
            if isinstance(value, str) and not event.style and (key is not None or isinstance(top and top[0], list)):
                _refuse_cut_by_comment(value, event, text_lines)
            place(value, event)
            continue
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if tag is not None and not event.implicit:
                raise _refuse(event, f"étiquette YAML « {_as_typed(tag)} » refusée : "
                                     "une fiche ne contient que du texte, des nombres et des listes",
                              "retirez l'étiquette (le mot commençant par « ! »)")
            if len(stack) >= MAX_DEPTH:
                raise _refuse(event, NESTING_MESSAGE, NESTING_HINT)
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
                raise _refuse(event, "clé invalide (une clé doit être un simple mot)", "écrivez « clé: valeur »")
            where = _where_of_next(stack)
            place(container, event)
            stack.append([container, where, None])
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
    return Document(path=path, data=root, lines=lines)


_COMMENT_AFTER = re.compile(r"(\s+)#(\S*)")
_ODD_SPACES = {"\u00a0": "espace insécable", "\u202f": "espace fine insécable", "\u2007": "espace numérique",
               "\u2009": "espace fine", "\u3000": "espace idéographique"}


def _refuse_cut_by_comment(value: str, event, text_lines: list[str]) -> None:
    """`description: un forage #solidarité avec…`: YAML stops the text at « #» and drops the rest."""
    end = event.end_mark
    if end.line >= len(text_lines):
        return
    after = _COMMENT_AFTER.match(text_lines[end.line][end.column:])
    # « #solidarité » or « … un forage # suite » cut a text; the guide's aligned « value   # note » does not
    if after and (after.group(2) or (after.group(1) == " " and " " in value)):
        # the cut text, without the guide's own aligned comment that may follow it (« text   # note »)
        cut = re.split(r"\s{2,}#", text_lines[end.line][end.column:].strip())[0].strip()
        shown = cut if len(cut) <= 40 else cut[:37] + "…"
        whole = f"{value} {cut}"
        whole = whole if len(whole) <= 60 else f"{whole[:25]}…{whole[-25:]}"
        raise _refuse(event, f"texte coupé avant « {shown} » : pour YAML, « # » après une espace commence un "
                             "commentaire, et la fin de la ligne n'est pas lue",
                      f"mettez tout le texte entre guillemets doubles : \"{whole}\" "
                      "(un commentaire s'écrit sur sa propre ligne)")


def _refuse_decimal_comma(value, event, text_lines: list[str]) -> None:
    """`{lat: 50,4486, lon: 3.1}`: the comma splits the number, « 4486 » becomes a key."""
    mark = event.start_mark
    line = text_lines[mark.line] if mark.line < len(text_lines) else ""
    before = re.search(r"((?:[-" + DASHES + r"]\s*)?[0-9]+)\s*,\s*$", line[:mark.column])
    if before:
        number = f"{before.group(1)},{line[mark.column:event.end_mark.column]}"
        typed = number.replace(",", ".")
        dash = typed[:1] in DASHES
        typed = "-" + typed[1:].lstrip() if dash else typed  # the sign is kept, typed as the keyboard's minus
        raise _refuse(event, f"virgule décimale dans « {number} » : YAML y lit deux valeurs"
                             + (f" (et le signe moins est un tiret typographique U+{ord(number[0]):04X})" if dash else ""),
                      f"écrivez un point, pas une virgule{', et le signe moins du clavier' if dash else ''} : {typed}")


def _refuse_odd_space_in_key(key: str, event) -> None:
    if key.isascii() and key.isprintable():  # the usual key: no tab, no line break, no odd space
        return
    for char in key:
        if char in _ODD_SPACES or (char.isspace() and char != " "):
            name = _ODD_SPACES.get(char, "espace spéciale")
            bare = "".join(c for c in key if not c.isspace())
            raise _refuse(event, f"{name} (U+{ord(char):04X}) dans la clé « {bare} », avant « : » (invisible à l'écran)",
                          f"effacez les espaces entre « {bare} » et les deux-points, puis retapez : {bare}: ")


def _where_of_next(stack: list) -> tuple:
    """The data path the next value will get."""
    if not stack:
        return ()
    container, where, key = stack[-1][0], stack[-1][1], stack[-1][2]
    return where + ((len(container),) if isinstance(container, list) else (key,))


_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _refuse_mixed_scripts(value: str, event) -> None:
    """« Hаlluin » with a Cyrillic « а » looks like Halluin and would publish a second one."""
    if value.isascii():
        return
    for word in re.findall(r"\w+", value):
        if max(word) < "\u0250":  # Latin only (ASCII, Latin-1, Latin Extended): the usual case, no name lookup
            continue
        scripts = {}
        for i, char in enumerate(word):
            if char.isalpha():
                name = unicodedata.name(char, "")
                script = next((s for s in _SCRIPTS if name.startswith(s)), None)
                if script:
                    scripts.setdefault(script, (i, char, name))
        if len(scripts) > 1:
            latin = "LATIN" in scripts
            odd = next(v for k, v in scripts.items() if k != "LATIN") if latin else sorted(scripts.values())[-1]
            alphabet = {"CYRILLIC": "cyrillique", "GREEK": "grec", "LATIN": "latin"}
            kinds = " et ".join(alphabet[k] for k in scripts)
            raise _refuse(event, f"le mot « {word} » mélange les alphabets {kinds} : la lettre « {odd[1]} » "
                                 f"(position {odd[0] + 1}, U+{ord(odd[1]):04X}) n'est pas une lettre latine bien qu'elle y ressemble",
                          f"retapez le mot « {word} » au clavier")


def _refuse_forbidden(value: str, event, stack: list) -> None:
    """The character rules on the value the parser produced, escapes included (« "\\f" », « "\\u202e" »)."""
    bad = FORBIDDEN_CHARACTERS.search(value)
    if bad is None and "\n" not in value:
        return
    key_place = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][2] is None
    field = None if key_place else next((s for s in reversed(_where_of_next(stack)) if isinstance(s, str)), None)
    shown = visible(value if len(value) <= 60 else value[:57] + "…")
    if bad is not None:
        where = "la clé" if key_place else f"« {field} »" if field else "la valeur"
        raise _refuse(event, f"caractère invisible ou de contrôle {describe_character(bad.group())} dans {where} : « {shown} »",
                      "retirez-le : il vient d'un copier-coller ou d'un échappement entre guillemets doubles "
                      "(« \\u… », « \\x… », « \\f »…) ; retapez le texte au clavier")
    if "\n" in value and (key_place or field in SINGLE_LINE or _translated_field(field) in SINGLE_LINE):
        what = "une clé" if key_place else f"« {field} »"
        raise _refuse(event, f"saut de ligne dans {what} : « {shown.replace(chr(10), '⏎')} » "
                             "(un nom, une clé ou un code tient sur une ligne)",
                      "retirez le saut de ligne (« \\n » entre guillemets, ou retour à la ligne dans le texte) ; "
                      "seuls les textes (description, engagement, note…) peuvent tenir sur plusieurs lignes")


_TYPOGRAPHIC_QUOTES = {"“": "”", "„": "“", "‘": "’", "«": "»", "‹": "›", "”": "”", "’": "’"}


def _refuse_typographic_quotes(value: str, event) -> None:
    """`nom: “Wattignies”` (what Word and phones type): YAML keeps the quotes inside the name."""
    text = value.strip()
    if len(text) > 2 and text[-1] == _TYPOGRAPHIC_QUOTES.get(text[0]) and text[0] not in text[1:-1]:
        bare = text[1:-1].strip(" \u00a0\u202f")
        raise _refuse(event, f"guillemets typographiques {text[0]} {text[-1]} autour de « {visible(bare)} » : "
                             "YAML les garderait dans le texte publié",
                      f"retirez-les, ou mettez des guillemets droits (touche 3 du clavier) : \"{visible(bare)}\"")


def _refuse_invisible(text: str) -> None:
    match = _INVISIBLE.search(text)
    if match is None or (match.group() == "\ufeff" and match.start() == 0):
        if match is None:
            return
        match = _INVISIBLE.search(text, 1)
        if match is None:
            return
    char = match.group()
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    raise YamlError(line, f"caractère invisible {describe_character(char)} en colonne {column}",
                    "supprimez-le : retapez le texte de cette ligne au clavier plutôt que de le copier-coller")


def read(path: Path) -> Document:
    """Read a regular file only: a symbolic link or device is refused without being opened."""
    return decode(read_bytes(path), path)


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file, bounded: a symbolic link or device is refused without being opened.
    The checker's cache hashes these very bytes, then parses them (`decode`): never a later version."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise YamlError(1, "lien symbolique refusé : une fiche est un vrai fichier du dossier (sa cible n'est pas lue)",
                            "remplacez le lien par le fichier lui-même")
        if not stat.S_ISREG(info.st_mode):
            raise YamlError(1, "ce n'est pas un fichier ordinaire (dossier, périphérique, tube…)",
                            "une fiche est un fichier texte .yml : " + MODEL_HINT)
        if info.st_size > MAX_BYTES:
            raise YamlError(1, f"fichier de {info.st_size // 1024} Ko : une fiche en fait au plus quelques-uns "
                               f"(limite {MAX_BYTES // 1024} Ko)",
                            "vérifiez que c'est bien une fiche ; découpez une liste démesurée")
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # the file may have grown since lstat
    except OSError as exc:
        raise YamlError(1, f"fichier illisible ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise YamlError(1, f"fichier de plus de {MAX_BYTES // 1024} Ko", "vérifiez que c'est bien une fiche")
    return raw


def decode(raw: bytes, path: Path) -> Document:
    """The document held by a file's bytes (`read_bytes`)."""
    if b"\x00" in raw[:4096]:
        raise YamlError(1, "ce fichier n'est pas du texte (document Word, PDF, image... ?)",
                        "une fiche est un fichier texte .yml : " + MODEL_HINT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        char = raw[exc.start:exc.start + 1].decode("cp1252", errors="replace")
        raise YamlError(line, f"caractère « {char} » mal codé : le fichier n'est pas enregistré en UTF-8",
                        "réenregistrez-le en choisissant l'encodage UTF-8 (Bloc-notes : « Enregistrer sous », "
                        "Encodage UTF-8), ou copiez son texte dans l'éditeur de GitHub") from None
    return parse(text, path)
