"""Field reference of a collectivité file, generated from the JSON Schema (the single source of truth).

`render()` returns the Markdown page published as contribuer/reference.md: every field, nested
ones too, with whether it is required, its type or allowed values, its French description and a
YAML example placed where the field goes. Python gathers the facts; the template
templates/pages/reference.md.j2 holds the markup.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from atlas import i18n
from atlas.content import schema

SCHEMA_NAME = "collectivite"
SEPARATOR = " › "
# Where the keys of a controlled list come from: by $defs name, or by field name.
LIST_BY_DEF = {"cle_source": "sources", "thematiques": "thematiques"}
LIST_BY_KEY = {"reseau": "reseaux"}
LIST_LABELS = {"sources": "titre", "thematiques": "libelle", "reseaux": "nom"}
LIST_TITLES = {"sources": "Sources", "thematiques": "Thématiques", "reseaux": "Réseaux"}
# "obligatoire dans …": the element a nested field belongs to.
PARENTS = {
    "partenariats": "chaque partenariat", "projets": "chaque projet", "partenaire": "un partenaire nommé",
    "coordonnees": "les coordonnées", "siege": "le siège", "population": "la population",
    "reseaux": "chaque réseau", "organisation": "chaque forme d'organisation", "chiffres": "chaque chiffre",
}
TYPES = {"string": "texte", "integer": "nombre entier", "number": "nombre (point décimal : 50.63)",
         "boolean": "true ou false", "object": "bloc de champs", "array": "liste", "null": "null"}


@dataclass
class Field:
    path: tuple[str, ...]
    required: bool
    required_in: str  # "" at the top of the file
    kind: str
    allowed: list[str]  # enum values / constant words, shown as code
    list_name: str | None  # controlled list the value (or its items) must come from
    description: str
    examples: list[str]  # YAML snippets, the field inside its parents
    children: list["Field"] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def title(self) -> str:
        return SEPARATOR.join(self.path)

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def anchor(self) -> str:
        return "champ-" + "-".join(self.path).replace("_", "-")


class _Dumper(yaml.SafeDumper):
    """Block style like most of the atlas's files (and the guide): list dashes under their key,
    short lists and coordinates on one line."""


def _represent_list(dumper, data):
    flow = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper, data):
    flow = bool(data) and set(data) <= {"lat", "lon", "approximatif"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def _represent_str(dumper, data):
    if data.isdigit():  # codes: "59350", quoted as the checker asks
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)


def to_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100).rstrip("\n")


class _Schema:
    def __init__(self, root: dict):
        self.root = root

    def resolve(self, node: dict) -> tuple[dict, list[str]]:
        """`node` with its $ref chain merged in (the referring keys win), and the $defs names met."""
        refs: list[str] = []
        merged = dict(node)
        while "$ref" in merged:
            ref = merged.pop("$ref")
            name = ref.rsplit("/", 1)[-1]
            refs.append(name)
            target = self.root["$defs"][name]
            merged = {**target, **merged}
        return merged, refs

    def structure(self, node: dict) -> dict | None:
        """The object or array branch of a field (skipping `const` alternatives of a oneOf)."""
        for branch in node.get("oneOf", []):
            resolved, _ = self.resolve(branch)
            if resolved.get("type") in ("object", "array") or "properties" in resolved:
                return resolved
        return node if node.get("type") in ("object", "array") or "properties" in node else None


def _types(node: dict) -> list[str]:
    t = node.get("type", [])
    return t if isinstance(t, list) else [t]


def _describe(sch: _Schema, key: str, node: dict, refs: list[str]) -> tuple[str, list[str], str | None]:
    """(type in words, allowed values, controlled list) of one field."""
    list_name = next((LIST_BY_DEF[r] for r in refs if r in LIST_BY_DEF), None) or LIST_BY_KEY.get(key)
    if "enum" in node:
        return "une des valeurs possibles", [str(v) for v in node["enum"]], None
    if "oneOf" in node:
        words = [str(b["const"]) for b in node["oneOf"] if "const" in b]
        struct = sch.structure(node)
        what = "une liste" if struct and struct.get("type") == "array" else "un bloc de champs"
        return f"{what}, ou le mot {' / '.join(f'« {w} »' for w in words)}", [], None
    types = _types(node)
    if "array" in types:
        items, item_refs = sch.resolve(node.get("items", {}))
        list_name = list_name or next((LIST_BY_DEF[r] for r in item_refs if r in LIST_BY_DEF), None)
        if list_name:
            return f"liste de clés de content/{list_name}.yml", [], list_name
        if "enum" in items:
            return "liste de valeurs possibles", [str(v) for v in items["enum"]], None
        if "properties" in items:
            return "liste de blocs (une ligne « - » par élément)", [], None
        return f"liste de {TYPES.get(_types(items)[0], 'valeurs')}s", [], None
    if list_name:
        return f"clé de content/{list_name}.yml", [], list_name
    if "annee" in refs:
        return "année sur quatre chiffres (un nombre)", [], None
    if node.get("pattern") and "string" in types and key in ("code", "departement"):
        words = "texte entre guillemets" + (", ou null" if "null" in types else "")
        return words, [], None
    if node.get("pattern", "").startswith("^https?"):
        return "adresse web (http:// ou https://)", [], None
    if key == "pays":
        return "code pays à deux lettres majuscules (ISO 3166-1)", [], None
    return " ou ".join(TYPES.get(t, t) for t in types) or "valeur", [], None


def _synthesize(sch: _Schema, node: dict):
    """An example for a field whose schema gives none: its required children, and those with a short example."""
    struct = sch.structure(node)
    if struct is None:
        return None
    if struct.get("type") == "array":
        item, _ = sch.resolve(struct.get("items", {}))
        inner = _example_of_object(sch, item)
        return [inner] if inner is not None else None
    return _example_of_object(sch, struct)


def _example_of_object(sch: _Schema, obj: dict):
    props = obj.get("properties")
    if not props:
        return None
    required = set(obj.get("required", []))
    out = {}
    for key, sub in props.items():
        resolved, _ = sch.resolve(sub)
        examples = resolved.get("examples") or []
        value = examples[0] if examples else None
        if value is None and key in required:
            value = _synthesize(sch, resolved)
        short = value is not None and (not isinstance(value, (dict, list)) or
                                       (isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)))
        if value is not None and (key in required or short):
            out[key] = value
    return out


def _place(path: tuple, in_list: tuple, value):
    """{'partenariats': [{'projets': [{'titre': value}]}]} for path partenariats › projets › titre
    (in_list[i]: the field path[i] holds a list of blocks)."""
    for i in reversed(range(len(path))):
        value = {path[i]: value}
        if i > 0 and in_list[i - 1]:
            value = [value]
    return value


def _limits(sch: "_Schema", node: dict) -> str:
    """« (20 éléments au plus, 150 caractères au plus chacun) »: the bounds `atlas check` applies."""
    parts = []
    if "maxItems" in node:
        parts.append(f"{node['maxItems']} éléments au plus")
    items = sch.resolve(node["items"])[0] if isinstance(node.get("items"), dict) else {}
    if node.get("maxLength") and "pattern" not in node:  # a key's length goes without saying
        parts.append(f"{node['maxLength']} caractères au plus")
    elif items.get("maxLength") and "pattern" not in items:
        parts.append(f"{items['maxLength']} caractères au plus chacun")
    return f" ({', '.join(parts)})" if parts else ""


def _place_beside(path: tuple, in_list: tuple, block: dict):
    """`block` (several fields side by side) placed in the block at `path`, as _place places one field."""
    value = [block] if path and in_list[len(path) - 1] else block
    for i in reversed(range(len(path))):
        value = {path[i]: value}
        if i > 0 and in_list[i - 1]:
            value = [value]
    return value


def _translations(sch: _Schema, node: dict, key: str, path: tuple, in_list: tuple) -> list[Field]:
    """The other-language fields of the free-text field `key` (the block's patternProperties, as
    « description_en » for each language the atlas can publish besides French), each shown with
    its French field beside it: it is given only with it."""
    out = []
    french = node.get("properties", {}).get(key, {})
    for pattern, sub in node.get("patternProperties", {}).items():
        match = schema._PATTERN_FIELD.match(pattern)
        if not match or match.group(1) != key:
            continue
        resolved, refs = sch.resolve(sub)
        kind, allowed, list_name = _describe(sch, key, resolved, refs)
        for lang in [lang for lang in i18n.available() if lang != i18n.SOURCE]:
            name = f"{key}_{lang}"
            pairs = zip((french.get("examples") or [None]), (resolved.get("examples") or []), strict=False)
            out.append(Field(
                path=path + (name,), required=False,
                required_in=PARENTS.get(path[-1], f"« {path[-1]} »") if path else "",
                kind=kind + _limits(sch, resolved), allowed=allowed, list_name=list_name,
                description=f"Le texte de « {key} » en {schema.language_name(lang)}, quand la collectivité ou la source "
                            f"le donne : l'édition en {schema.language_name(lang)} le montre à la place du texte français "
                            f"(sans lui, elle montre le texte français, signalé comme tel). Vérifié comme « {key} », "
                            f"qui doit être là aussi ; un texte libre seulement : les noms, clés et codes ne se traduisent pas.",
                examples=[to_yaml(_place_beside(path, in_list, {key: fr, name: other}))
                          for fr, other in pairs if fr is not None],
            ))
    return out


def fields() -> list[Field]:
    """Every field of the schema, depth first, in the schema's order (a field's other-language
    texts right after it)."""
    sch = _Schema(schema.load(SCHEMA_NAME))
    out: list[Field] = []

    def walk(node: dict, path: tuple, in_list: tuple, parent: list[Field]):
        required = set(node.get("required", []))
        for key, sub in node.get("properties", {}).items():
            resolved, refs = sch.resolve(sub)
            kind, allowed, list_name = _describe(sch, key, resolved, refs)
            kind += _limits(sch, resolved)
            examples = list(resolved.get("examples") or [])
            structured = any(isinstance(e, (dict, list)) for e in examples)
            if sch.structure(resolved) is not None and not structured:  # show the nested shape too
                synthesized = _synthesize(sch, resolved)
                if synthesized:
                    examples.append(synthesized)
            struct = sch.structure(resolved)
            here = Field(
                path=path + (key,), required=key in required,
                required_in=PARENTS.get(path[-1], f"« {path[-1]} »") if path else "",
                kind=kind, allowed=allowed, list_name=list_name,
                description=resolved.get("description", ""),
                examples=[to_yaml(_place(path + (key,), in_list + (False,), e)) for e in examples],
            )
            parent.append(here)
            out.append(here)
            for other in _translations(sch, node, key, path, in_list):
                parent.append(other)
                out.append(other)
            if struct is None:
                continue
            if struct.get("type") == "array":
                items, _ = sch.resolve(struct.get("items", {}))
                if "properties" in items:
                    walk(items, path + (key,), in_list + (True,), here.children)
            elif "properties" in struct:
                walk(struct, path + (key,), in_list + (False,), here.children)

    walk(sch.root, (), (), [])
    return out


def _controlled_lists(content: Path | None) -> dict[str, list[tuple[str, str]]]:
    lists: dict[str, list[tuple[str, str]]] = {}
    if content is None or not Path(content).is_dir():
        return lists
    for name, label in LIST_LABELS.items():
        path = Path(content) / f"{name}.yml"
        try:
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError):
            continue
        lists[name] = [(str(e["cle"]), str(e.get(label, ""))) for e in entries if isinstance(e, dict) and "cle" in e]
    return lists


def render(content: Path | str | None = "content") -> str:
    """The Markdown reference page. With a content folder (default: ./content when it exists), the
    keys of the controlled lists (sources, thématiques, réseaux) are listed too."""
    root = schema.load(SCHEMA_NAME)
    env = jinja2.Environment(loader=jinja2.PackageLoader("atlas.site", "templates"), autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    all_fields = fields()
    return env.get_template("pages/reference.md.j2").render(
        title=root.get("title", ""), description=root.get("description", ""),
        fields=all_fields, top=[f for f in all_fields if f.depth == 1],
        lists=_controlled_lists(Path(content) if content is not None else None), list_titles=LIST_TITLES,
    )


def emit_guide(emit, guide: Path, content: Path) -> None:
    """The contribution guide is CONTRIBUTING.md itself (one text, two places), and its reference page."""
    if guide.exists():
        text = guide.read_text(encoding="utf-8")
        # Links written for the repository point to the site's copies.
        text = text.replace("(scripts/atlas/schemas/collectivite.schema.json)", "(reference.md)")
        # Out of the site search, as the reference page: its YAML examples and keys came before the
        # atlas's own pages (« jumelage » found the template second); contributors reach it from the menu.
        emit("contribuer/index.md", "---\nsearch:\n  exclude: true\n---\n" + text)
    emit("contribuer/reference.md", render(content))
