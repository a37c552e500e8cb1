"""The field reference page (contribuer/reference.md) covers the whole schema, with an example per field."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from atlas.site import reference

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "scripts/atlas/schemas/collectivite.schema.json").read_text(encoding="utf-8"))


def resolve(node: dict) -> dict:
    while "$ref" in node:
        node = {**SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_fields(node: dict = SCHEMA, path: tuple = ()) -> list[tuple[tuple, dict, bool]]:
    """Every property of the schema, nested ones too: (path, schema, required)."""
    found = []
    for key, sub in node.get("properties", {}).items():
        sub = resolve(sub)
        found.append((path + (key,), sub, key in node.get("required", [])))
        for branch in [sub, *map(resolve, sub.get("oneOf", []))]:
            if "properties" in branch:
                found += schema_fields(branch, path + (key,))
            if "items" in branch and "properties" in resolve(branch["items"]):
                found += schema_fields(resolve(branch["items"]), path + (key,))
    return found


FIELDS = schema_fields()


@pytest.fixture(scope="module")
def page() -> str:
    return reference.render(REPO / "content")


def section(page: str, path: tuple) -> str:
    """The part of the page under the heading of `path`, up to the next field."""
    title = " › ".join(path)
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^<a id=|\Z)", page, re.M | re.S)
    assert match, f"pas de section pour « {title} »"
    return match.group(1)


def dig(data, path: tuple):
    """The value at `path` in an example, going through the one-item lists."""
    for key in path:
        if isinstance(data, list):
            assert len(data) == 1
            data = data[0]
        assert isinstance(data, dict) and key in data, f"{key} absent de l'exemple"
        data = data[key]
    return data


def test_the_schema_has_nested_fields_to_document():
    paths = {p for p, _, _ in FIELDS}
    assert ("partenariats", "projets", "chiffres", "libelle") in paths
    assert ("partenariats", "partenaire", "coordonnees", "lat") in paths
    assert len(paths) > 50


@pytest.mark.parametrize("path, node, required", FIELDS, ids=[" › ".join(p) for p, _, _ in FIELDS])
def test_every_schema_field_is_documented_with_a_yaml_example_in_place(page, path, node, required):
    text = section(page, path)
    assert ("**Obligatoire**" in text) == required
    if node.get("description"):
        assert node["description"] in text
    for value in node.get("enum", []):
        assert f"`{value}`" in text
    examples = re.findall(r"```yaml\n(.*?)\n```", text, re.S)
    assert examples, f"pas d'exemple pour {' › '.join(path)}"
    for snippet in examples:
        dig(yaml.safe_load(snippet), path)  # the field sits where it belongs in the file


def test_examples_keep_codes_quoted_and_values_typed(page):
    assert 'code: "59350"' in section(page, ("code",))
    lat = dig(yaml.safe_load(re.search(r"```yaml\n(.*?)\n```", section(page, ("siege", "lat")), re.S).group(1)),
              ("siege", "lat"))
    assert isinstance(lat, float)


def test_overview_table_links_every_field(page):
    for path, _, _ in FIELDS:
        anchor = "champ-" + "-".join(path).replace("_", "-")
        assert f"](#{anchor})" in page
        assert f'<a id="{anchor}"></a>' in page


def test_controlled_lists_are_listed_when_the_content_is_there(page):
    assert "<tr><td><code>eau-assainissement</code></td><td>Eau et assainissement</td></tr>" in page
    assert "<code>actes-colloque-lianes-2009</code>" in page
    assert "<tr><td><code>lianes-cooperation</code></td><td>Lianes coopération</td></tr>" in page


def test_page_renders_without_a_content_folder(tmp_path):
    text = reference.render(tmp_path / "absent")
    assert "## Listes contrôlées" not in text
    assert "## nom" in text
