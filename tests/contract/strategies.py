"""Hypothesis strategies for content files, generated from the project's JSON Schemas.

Each file kind (collectivité, country, published table, the controlled lists) is drawn by walking
its schema: enums, consts, alternatives, objects with their required and optional keys, lists
and numbers come from the schema itself, so a field added to a schema is drawn without a change
here. References (source, theme, network, zone, country) are mostly drawn from the base content,
so that many files are accepted and reach the build; text is drawn from all of Unicode, with the
characters an attacker would try (controls, bidi, zero-width, surrogates, noncharacters, CR,
NBSP, fullwidth signs) written raw or as YAML escapes, and markup that must stay text.
"""
from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from atlas import i18n

SCHEMAS = Path(__file__).resolve().parents[2] / "scripts" / "atlas" / "schemas"

# Characters an attacker tries first: every one must be refused, or reach no output.
SPECIAL = (
    [chr(c) for c in range(0x00, 0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u00a0", "\u202f", "\u00ad", "\u061c", "\u180e"]  # NBSP, narrow NBSP (legitimate French), soft hyphen, ALM, MVS
    + [chr(c) for c in range(0x200B, 0x2010)] + ["\u2028", "\u2029"]
    + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2060, 0x2070)]
    + ["\ufeff", "\ufff9", "\ufffa", "\ufffb", "\ufffc", "\ufffd", "\ufffe", "\uffff", "\ufdd0", "\ufdef",
       "\U0001fffe", "\U0010ffff", "\ud800", "\udbff", "\udc00", "\udfff"]  # noncharacters, lone surrogates
    + ["＝", "＋", "－", "＠", "=", "+", "-", "@", "\t", "\r", "\n", "\\", '"', "'", "#", ":", "&", "<", ">", "|", "{", "}", "[", "]", "%", "*", "!", "`", "$"]
)

# Text that must stay text: markup, templates, formulas, third-party addresses, GitHub autolinks.
PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "{% raw %}x", "${7*7}",
    "[lien](javascript:alert(1))", "<a href='javascript:alert(1)'>x</a>", "javascript:alert(1)",
    "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "＝1+1", "\t=1+1", " =HYPERLINK(\"http://x\")",
    "https://cdn.jsdelivr.net/npm/x@1/x.js", "https://fonts.googleapis.com/css?family=X", "//unpkg.com/x",
    "Closes #1", "@octocat", "# Titre", "| a | b |\n|---|---|", "---", "</textarea></html>", "]]>", "<![CDATA[x]]>",
    "&amp; &lt; &#0; &#x202e;", "\\u202e", "%s %d {0}", "' OR 1=1 --", "../../etc/passwd", "🙂 ⚠ ∑", "ﷺ",
    "Łódź Wrocław Ústí nad Labem", "Saint-Louis du Sénégal", "« guillemets » et l'apostrophe’",
]

FRENCH = [
    "Lille", "Naplouse", "Saint-Louis", "Réseau d'eau de Lalo", "Coopération décentralisée",
    "Ville de Bouvines", "Échanges scolaires et culturels", "Comité de jumelage", "Kaya",
    "Agence de l'Eau Artois-Picardie", "Mairie de Lalo", "habitants", "euros",
]

YAML_NAMED_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
                      "\r": "\\r", "\x1b": "\\e", "\x85": "\\N", "\u00a0": "\\_", "\u2028": "\\L", "\u2029": "\\P",
                      '"': '\\"', "\\": "\\\\"}


def characters(clean: bool = False) -> st.SearchStrategy[str]:
    """Any character; `clean`: the printable ones a contributor may type and the checker accepts
    (letters of every script, marks, symbols, NBSP, fullwidth signs, emoji, RTL letters), so that
    the file reaches the build with them."""
    if clean:
        return st.one_of(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Cn", "Co"))
                         .filter(lambda c: not 0x0370 <= ord(c) <= 0x052F and not 0x1F00 <= ord(c) <= 0x1FFF),  # no look-alike scripts mixed in a word
                         st.sampled_from(["\u00a0", "\u202f", "＝", "＋", "－", "＠", "=", "-", "@", "\t", '"', "'", "<", "&"]))
    return st.one_of(st.characters(codec=None), st.sampled_from(SPECIAL), st.sampled_from(string.ascii_letters))


def text(min_size: int = 0, clean: bool = False) -> st.SearchStrategy[str]:
    """Free text: plausible French, payloads, all of Unicode, combined; sometimes very long."""
    payloads = [p for p in PAYLOADS if "\n" not in p] if clean else PAYLOADS
    piece = st.one_of(st.sampled_from(FRENCH), st.sampled_from(payloads), st.text(characters(clean), max_size=12))
    joined = st.lists(piece, min_size=1, max_size=4).map(" ".join)
    long = st.tuples(st.sampled_from(FRENCH + payloads), st.integers(200, 20_000 if not clean else 1_500)).map(lambda t: (t[0] + " ") * (t[1] // len(t[0])))
    return st.one_of(st.sampled_from(FRENCH), joined, joined, long).filter(lambda s: len(s) >= min_size)


@dataclass(frozen=True)
class Base:
    """What the generated files may refer to: the keys of the base content's lists."""
    sources: tuple[str, ...]
    themes: tuple[str, ...]
    networks: tuple[str, ...]
    zones: tuple[str, ...]
    countries: tuple[str, ...]


def _key_from(choices: tuple[str, ...], clean: bool) -> st.SearchStrategy[str]:
    if clean:
        return st.sampled_from(choices)
    hostile = st.sampled_from(["inconnue", "Actes du colloque 2009", "sn", "eau\n", "a--b", "-x", "é", ""])
    return st.one_of(st.sampled_from(choices), st.sampled_from(choices), st.sampled_from(choices), hostile,
                     st.sampled_from(choices).map(lambda k: k + "\n"), st.text(characters(), max_size=6))


def _country(base: Base, clean: bool) -> st.SearchStrategy[str]:
    if clean:
        return st.sampled_from(base.countries)
    return st.one_of(st.sampled_from(base.countries), st.sampled_from(base.countries),
                     st.sampled_from(["SN\n", "sn", "ZZ", "FR", "XK", "GB", "US", " SN", "S N"]),
                     st.sampled_from(base.countries).map(lambda c: c + "\n"))


def _references(base: Base, name: str | None, clean: bool) -> st.SearchStrategy[str] | None:
    keys = {"sources": base.sources, "source": base.sources, "thematiques": base.themes, "reseau": base.networks,
            "zone": base.zones}.get(name or "")
    return None if keys is None else _key_from(keys, clean)


class SchemaWalker:
    """Strategies for the values a schema describes, with references drawn from `base`.

    `clean`: references, enums, numbers and keys stay valid, so that the file is mostly accepted
    and reaches the build; text is drawn from all of Unicode either way."""

    def __init__(self, schema: dict, base: Base, clean: bool = False, max_items: int = 3):
        self.schema, self.base, self.clean, self.max_items = schema, base, clean, max_items

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            target = self.schema
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def value(self, node: dict, name: str | None = None, item_of: str | None = None) -> st.SearchStrategy:
        node = self.resolve(node)
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            if self.clean:
                return st.sampled_from(node["enum"])
            return st.one_of(st.sampled_from(node["enum"]), st.sampled_from(node["enum"]), text())
        if "oneOf" in node:
            return st.one_of([self.value(option, name, item_of) for option in node["oneOf"]])
        kind = node.get("type")
        if isinstance(kind, list):
            if self.clean:
                kind = [k for k in kind if k != "null"]
            return st.one_of([self.value({**node, "type": k}, name, item_of) for k in kind])
        if kind == "object":
            return self.mapping(node)
        if kind == "array":
            items = node.get("items", {})
            return st.lists(self.value(items, item_of=name), min_size=node.get("minItems", 0),
                            max_size=max(node.get("minItems", 0), self.max_items),
                            unique_by=(lambda v: repr(v)) if self.clean and node.get("uniqueItems") else None)
        if kind == "string":
            return self.string(node, name, item_of)
        if kind == "integer":
            lo, hi = node.get("minimum", -10**6), node.get("maximum", 10**6)
            if self.clean:
                return st.integers(max(lo, 1950), min(hi, 2020)) if lo >= 1900 else st.integers(max(lo, 0), min(hi, 10**6))
            return st.one_of(st.integers(lo, hi), st.integers(lo, hi), st.integers(lo - 10, lo - 1), st.integers(hi + 1, hi + 10))
        if kind == "number":
            lo, hi = node.get("minimum", -1e6), node.get("maximum", 1e6)
            if name in ("lat", "lon"):  # mostly near the base content's places, so maps are drawn
                near = st.floats(42.0, 51.0) if name == "lat" else st.floats(-5.0, 8.0)
                if self.clean:  # around Lille
                    return st.floats(50.55, 50.7) if name == "lat" else st.floats(2.95, 3.15)
                return st.one_of(near, near, st.floats(lo, hi), st.integers(int(lo), int(hi)))
            if self.clean:
                return st.one_of(st.integers(max(int(lo), -1000), min(int(hi), 10**6)), st.floats(lo, hi, allow_nan=False))
            return st.one_of(st.integers(-1000, 10**6), st.floats(lo, hi, allow_nan=False), st.floats(hi, hi * 10))
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        # untyped (a source's `date`): what people write there
        return st.one_of(st.integers(1900, 2100), st.sampled_from(["2009-12-10", "2009", "vers 2009", "2009-13-40"]), st.none())

    def string(self, node: dict, name: str | None, item_of: str | None) -> st.SearchStrategy[str]:
        pattern = node.get("pattern", "")
        reference = _references(self.base, item_of or name, self.clean)
        if reference is not None and pattern:
            return reference
        if "[A-Z]{2}" in pattern:
            return _country(self.base, self.clean)
        if pattern.startswith("^([0-9]{2}|2A"):  # département
            if self.clean:
                return st.sampled_from(["59", "62"])
            return st.sampled_from(["59", "62", "2A", "974", "99", "5", "59\n"])
        if pattern.startswith("^([0-9]{5}"):  # official code
            if self.clean:
                return st.integers(59001, 59999).map(str)
            return st.one_of(st.integers(10_000, 99_999).map(str), st.sampled_from(["59350", "591\n", "2A004", "59 350", "123456789"]))
        if pattern.startswith("^https?://"):
            if self.clean:
                return text(clean=True).map(lambda t: "https://www.exemple.fr/" + t.replace(" ", "-"))
            return st.one_of(text().map(lambda t: "https://www.exemple.fr/" + t), st.sampled_from(
                ["https://cdn.jsdelivr.net/npm/x.js", "javascript:alert(1)", "www.lille.fr", "https://a.fr/\n<script>"]))
        if pattern:  # a key
            if self.clean:
                return st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
            return st.one_of(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}", fullmatch=True), st.text(characters(), max_size=8))
        drawn = text(min_size=node.get("minLength", 0), clean=self.clean)
        if self.clean and node.get("maxLength"):
            drawn = drawn.map(lambda t: t[:node["maxLength"]]).filter(lambda t: len(t) >= node.get("minLength", 0))
        return drawn

    def mapping(self, node: dict) -> st.SearchStrategy[dict]:
        properties = node.get("properties", {})
        required = [k for k in node.get("required", []) if k in properties]
        # clean: no coordinates (a point must fall in its country) and no end year (it needs a status)
        optional = [k for k in properties if k not in required and not (self.clean and k in ("coordonnees", "fin"))]
        fixed = {k: self.value(properties[k], k) for k in required}
        maybe = {k: self.value(properties[k], k) for k in optional}
        # a free text's other-language texts (« description_en »), and, unclean, a language the atlas does not publish
        translated = {}
        for pattern, sub in node.get("patternProperties", {}).items():
            field = re.match(r"\^([a-z]+)_", pattern).group(1)
            for lang in [lang for lang in i18n.available() if lang != i18n.SOURCE] + ([] if self.clean else ["de"]):
                translated[f"{field}_{lang}"] = field
                maybe[f"{field}_{lang}"] = self.value(sub, field)
        if self.clean:  # a text in another language only beside its French text
            return st.fixed_dictionaries(fixed, optional=maybe).map(
                lambda d: {k: v for k, v in d.items() if k not in translated or str(d.get(translated[k], "")).strip()})
        unknown = st.dictionaries(st.one_of(st.sampled_from(["budget", "Nom", "nom ", "contact"]), st.text(characters(), min_size=1, max_size=6)),
                                  text(), max_size=1)
        return st.tuples(st.fixed_dictionaries(fixed, optional=maybe), st.one_of(st.just({}), st.just({}), st.just({}), unknown)) \
            .map(lambda t: {**t[0], **{k: v for k, v in t[1].items() if k not in t[0]}})


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _file(name: str, base: Base, clean: bool) -> st.SearchStrategy[dict]:
    return SchemaWalker(schema(name), base, clean).value(schema(name))


def collectivite(base: Base, clean: bool = False) -> st.SearchStrategy[dict]:
    return _file("collectivite.schema.json", base, clean)


def country_file(base: Base, clean: bool = False) -> st.SearchStrategy[dict]:
    return _file("pays.schema.json", base, clean)


def table(base: Base, clean: bool = False) -> st.SearchStrategy[dict]:
    return _file("statistique.schema.json", base, clean)


def list_entry(base: Base, fields: tuple[str, ...], clean: bool = False) -> st.SearchStrategy[dict]:
    """One entry of sources.yml, reseaux.yml, thematiques.yml or zones.yml: a new key, the fields
    that list uses (drawn from liste.schema.json), some of them left out."""
    walker = SchemaWalker(schema("liste.schema.json"), base, clean)
    item = schema("liste.schema.json")["items"]["properties"]
    new_key = st.from_regex(r"zz[a-z0-9]{1,8}(-[a-z0-9]{1,6})?", fullmatch=True)
    values = {f: walker.value(item[f], f) for f in fields if f != "cle"}
    return st.tuples(new_key if clean else st.one_of(new_key, new_key, walker.value(item["cle"], "cle")),
                     st.fixed_dictionaries({}, optional=values)).map(lambda t: {"cle": t[0], **t[1]})


# -- YAML text, with escapes ------------------------------------------------------------------

def _escape(ch: str) -> str:
    if ch in YAML_NAMED_ESCAPES:
        return YAML_NAMED_ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _safe_raw(ch: str) -> bool:
    """Characters that can be written as they are inside double quotes."""
    return ch.isprintable() and ch not in '"\\' and not (0xD800 <= ord(ch) <= 0xDFFF) and ch != "\ufeff"


def quoted(value: str, raw: bool) -> str:
    """A double-quoted YAML scalar; with `raw`, printable characters are written as they are,
    otherwise every non-ASCII character is escaped."""
    return '"' + "".join(ch if (_safe_raw(ch) and (raw or ord(ch) < 0x80)) else _escape(ch) for ch in value) + '"'


def to_yaml(value, raw: bool, indent: int = 0) -> str:
    """Block YAML for a drawn value: every string double-quoted (escapes), numbers plain."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for k, v in value.items():
            key = k if (k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k)) else quoted(k, raw)
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{key}:\n" + to_yaml(v, raw, indent + 1))
            else:
                out.append(f"{pad}{key}: {_scalar(v, raw)}\n")
        return "".join(out)
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, (dict, list)) and v:
                body = to_yaml(v, raw, indent + 1)
                out.append(f"{pad}- " + body.lstrip(" "))
            else:
                out.append(f"{pad}- {_scalar(v, raw)}\n")
        return "".join(out)
    return pad + _scalar(value, raw) + "\n"


def _scalar(v, raw: bool) -> str:
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, int) or v == v and abs(v) != float("inf") else ".nan"
    if isinstance(v, (dict, list)):
        return "{}" if isinstance(v, dict) else "[]"
    return quoted(v, raw)
