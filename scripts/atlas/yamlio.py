"""Read a contributor's YAML file into plain data plus the line of every value.

PyYAML does the parsing; we walk its node tree ourselves only to keep line numbers
and to refuse duplicate keys, which PyYAML would silently overwrite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is ~10x faster; fall back when libyaml is absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Path_ = tuple  # a path into the data: ("partenariats", 0, "pays")


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
    if "\t" in src_line or "'\\t'" in problem:
        return YamlError(line, "tabulation dans l'indentation : YAML n'accepte que des espaces",
                         "remplacez la tabulation par des espaces (2 par niveau)")
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
        return YamlError(line, "une clé sans deux-points ou une ligne mal indentée",
                         "écrivez « clé: valeur » (avec une espace après les deux-points) et vérifiez l'alignement avec la ligne précédente")
    if "expected ',' or '}'" in problem:
        return YamlError(start, "accolade « { » ouverte sur cette ligne mais jamais refermée",
                         "terminez par « } », ex. {lat: 50.63, lon: 3.06}, et séparez les éléments par des virgules")
    if "expected ',' or ']'" in problem:
        return YamlError(start, "crochet « [ » ouvert sur cette ligne mais jamais refermé",
                         "terminez la liste par « ] », ex. [actes-colloque-lianes-2009], et séparez les éléments par des virgules")
    if ("expected <block" in problem or "did not find expected key" in problem
            or "did not find expected '-'" in problem) and src_line.lstrip().startswith("- "):
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


def _apostrophe_inside_quotes(line: str) -> bool:
    """`nom: 'l'eau'` — a French apostrophe closing a single-quoted text too early."""
    body = line.split(":", 1)[1].strip() if ":" in line else line.strip()
    body = body.lstrip("-[ ").strip()
    if not body.startswith("'"):
        return False
    rest = body[1:].replace("''", "")
    end = rest.find("'")
    return end != -1 and rest[end + 1:].strip()[:1] not in ("", ",", "]", "}", "#")


def parse(text: str, path: Path) -> Document:
    """Parse `text`; raise YamlError with a French message on any problem."""
    if not text.strip() or all(l.strip().startswith("#") or not l.strip() for l in text.splitlines()):
        raise YamlError(1, "fichier vide", MODEL_HINT)
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            if "expected a single document" in str(exc):
                line = exc.problem_mark.line + 1 if exc.problem_mark else 1
                raise YamlError(line, "plusieurs documents dans un fichier (ligne « --- »)",
                                "une fiche = un fichier : retirez la ligne « --- »") from None
            raise _translate(exc, text) from None
        except yaml.MarkedYAMLError as exc:
            raise _translate(exc, text) from None
        except yaml.YAMLError as exc:
            raise YamlError(1, f"YAML illisible ({exc})") from None
        lines: dict = {}

        def build(node, where: tuple):
            lines.setdefault(where, node.start_mark.line + 1)
            if isinstance(node, yaml.MappingNode):
                out: dict = {}
                for key_node, value_node in node.value:
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise YamlError(key_node.start_mark.line + 1, "clé invalide (une clé doit être un simple mot)")
                    key = loader.construct_object(key_node)
                    key_line = key_node.start_mark.line + 1
                    if key in out:
                        raise YamlError(key_line, f"clé « {key} » répétée (déjà à la ligne {lines[where + (key,)]})",
                                        "gardez une seule fois cette clé : YAML n'en retiendrait que la dernière")
                    lines[where + (key,)] = key_line
                    out[key] = build(value_node, where + (key,))
                return out
            if isinstance(node, yaml.SequenceNode):
                return [build(item, where + (i,)) for i, item in enumerate(node.value)]
            try:
                return loader.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                raise YamlError(node.start_mark.line + 1, f"valeur illisible ({exc.problem})",
                                "mettez la valeur entre guillemets") from None

        data = build(root, ()) if root is not None else None
        return Document(path=path, data=data, lines=lines)
    finally:
        loader.dispose()


def read(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(1, f"fichier illisible ({exc.strerror})") from None
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
