"""Read a contributor's YAML file into plain data plus the line of every value.

PyYAML does the parsing; we walk its node tree ourselves only to keep line numbers
and to refuse duplicate keys, which PyYAML would silently overwrite.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is ~10x faster; fall back when libyaml is absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Path_ = tuple  # a path into the data: ("partenariats", 0, "pays")


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
    src_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    if "\t" in src_line or "'\\t'" in problem:
        return YamlError(line, "tabulation dans l'indentation : YAML n'accepte que des espaces",
                         "remplacez la tabulation par des espaces (2 par niveau)")
    if "mapping values are not allowed" in problem:
        return YamlError(line, "deux-points inattendu : indentation incorrecte ou texte contenant « : » sans guillemets",
                         "alignez la clé sur les autres clés du même niveau, ou mettez le texte entre guillemets")
    if "could not find expected ':'" in problem:
        return YamlError(line, "une clé sans deux-points ou une ligne mal indentée",
                         "écrivez « clé: valeur » et vérifiez l'alignement avec la ligne précédente")
    if "expected <block end>" in problem or "expected <block" in problem:
        return YamlError(line, "indentation incorrecte : cette ligne n'est pas alignée avec les lignes du même niveau",
                         "alignez-la sur la clé voisine (même nombre d'espaces)")
    if "found unexpected end of stream" in problem or "found unknown escape" in problem or "quoted scalar" in problem:
        return YamlError(line, "guillemets non refermés ou caractère d'échappement invalide",
                         "refermez les guillemets ouverts sur cette ligne")
    if "undefined alias" in problem or "found undefined" in problem:
        return YamlError(line, "« * » ou « & » en début de valeur : YAML le lit comme une référence",
                         "mettez la valeur entre guillemets")
    return YamlError(line, f"YAML illisible ({exc.problem or exc})",
                     "vérifiez l'indentation (espaces), les deux-points et les guillemets de cette ligne")


def parse(text: str, path: Path) -> Document:
    """Parse `text`; raise YamlError with a French message on any problem."""
    if not text.strip() or all(l.strip().startswith("#") or not l.strip() for l in text.splitlines()):
        raise YamlError(1, "fichier vide", "partez du modèle écrit par « atlas new »")
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            if "expected a single document" in str(exc):
                line = exc.problem_mark.line + 1 if exc.problem_mark else 1
                raise YamlError(line, "plusieurs documents dans un fichier (ligne « --- »)",
                                "une fiche = un fichier : retirez la ligne « --- »") from None
            raise
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
        raise YamlError(1, "ce fichier n'est pas du texte (document Word, image... ?)",
                        "une fiche est un fichier texte .yml : partez du modèle écrit par « atlas new »")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(line, "caractères non UTF-8 (fichier enregistré en Latin-1 / Windows-1252 ?)",
                        "enregistrez le fichier en UTF-8") from None
    return parse(text, path)
