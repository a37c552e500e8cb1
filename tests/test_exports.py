"""Open data on the real content: CSV, GeoJSON and JSON match the loaded atlas."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import i18n
from atlas.config import Settings
from atlas.content import countries
from atlas.content.model import LOCATION_APPROX, LOCATION_COUNTRY, LOCATION_EXACT
from atlas.site import exports

REQUIRED = ["collectivite", "collectivite_type", "departement", "partenaire", "pays", "pays_nom", "thematiques",
            "statut", "depuis", "partenaire_lat", "partenaire_lon", "localisation", "sources", "nature",
            "collectivite_slug"]


@pytest.fixture(scope="module")
def exported(real_atlas):
    atlas, idx = real_atlas
    files: dict[str, bytes] = {}

    def emit(uri, data):
        assert uri not in files
        files[uri] = data.encode("utf-8") if isinstance(data, str) else data

    info = exports.generate(atlas, idx, emit, Settings(languages=("fr", "en")))
    return files, info


def test_files_and_info(exported):
    files, info = exported
    assert set(files) == {exports.CSV_PATH, exports.GEOJSON_PATH, exports.JSON_PATH, exports.PACKAGE_PATH}
    for f in info["fichiers"]:
        assert f["taille"] == len(files[f["chemin"]]) > 0
        assert f["description"] and f["format"]


def test_csv_one_row_per_partnership(exported, real_atlas):
    files, info = exported
    atlas, _ = real_atlas
    text = files[exports.CSV_PATH].decode("utf-8")  # UTF-8, strictly
    assert not text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    assert set(REQUIRED) <= set(reader.fieldnames)
    table = list(reader)
    partnerships = atlas.partnerships
    assert len(table) == len(partnerships) == info["csv"]["lignes"] == info["partenariats"]
    for row, p in zip(table, partnerships, strict=True):
        c = atlas.collectivites[p.collectivite]
        assert row["collectivite_slug"] == c.slug and row["collectivite"] == c.name
        assert row["collectivite_type"] == c.type and row["departement"] == (c.departement or "")
        assert row["pays"] == p.country and len(p.country) == 2 and countries.is_valid(p.country)
        assert row["pays_nom"] == atlas.countries[p.country].name
        assert row["partenaire"] == (p.partner.name if p.partner else "")
        assert row["localisation"] == p.location in (LOCATION_EXACT, LOCATION_APPROX, LOCATION_COUNTRY)
        assert (row["localisation"] == LOCATION_COUNTRY) == (not p.partner or not p.partner.point)
        assert row["thematiques"].split(";") == p.themes or (row["thematiques"] == "" and not p.themes)
        assert row["sources"].split(";") == p.sources
        assert row["nature"] == p.nature and row["statut"] == p.status
        assert row["depuis"] == (str(p.since) if p.since else "")
        if p.point:
            assert abs(float(row["partenaire_lat"]) - p.point.lat) < 1e-4
            assert abs(float(row["partenaire_lon"]) - p.point.lon) < 1e-4
    assert [c["nom"] for c in info["csv"]["colonnes"]] == reader.fieldnames


def test_geojson_lines_and_points(exported, real_atlas):
    files, info = exported
    atlas, _ = real_atlas
    geo = json.loads(files[exports.GEOJSON_PATH])
    assert geo["type"] == "FeatureCollection"
    kinds = {}
    for f in geo["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] in ("LineString", "Point")
        for lon, lat in (f["geometry"]["coordinates"] if f["geometry"]["type"] == "LineString"
                         else [f["geometry"]["coordinates"]]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
        kinds.setdefault((f["geometry"]["type"], f["properties"]["objet"]), []).append(f)
    drawable = [p for p in atlas.partnerships if p.point and atlas.collectivites[p.collectivite].seat]
    assert len(kinds[("LineString", "partenariat")]) == len(drawable) == info["geojson"]["liens"]
    assert len(kinds[("Point", "collectivite")]) == sum(1 for c in atlas.collectivites.values() if c.seat)
    located = {(p.partner.name, p.country) for p in atlas.partnerships if p.partner and p.partner.point}
    assert {(f["properties"]["nom"], f["properties"]["pays"]) for f in kinds.get(("Point", "partenaire"), [])} == located
    line = kinds[("LineString", "partenariat")][0]["properties"]
    assert {"collectivite", "partenaire", "pays", "localisation", "sources"} <= set(line)


def test_json_round_trips(exported, real_atlas):
    files, info = exported
    atlas, _ = real_atlas
    data = json.loads(files[exports.JSON_PATH])
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["format"] == exports.FORMAT
    assert [c["slug"] for c in data["collectivites"]] == list(atlas.collectivites)
    parts = [p for c in data["collectivites"] for p in c["partenariats"]]
    assert len(parts) == len(atlas.partnerships)
    for d, p in zip(parts, atlas.partnerships, strict=True):
        assert d["pays"] == p.country and d["numero"] == p.number and d["localisation"] == p.location
        assert (d["partenaire"] is None) == (p.partner is None)
        assert len(d["projets"]) == len(p.projects)
    assert {t["cle"] for t in data["thematiques"]} == set(atlas.themes)
    assert {s["cle"] for s in data["sources"]} == set(atlas.sources)
    assert {n["cle"] for n in data["reseaux"]} == set(atlas.networks)
    assert {t["cle"] for t in data["tableaux"]} == set(atlas.tables)
    assert {k["code"] for k in data["pays"]} == set(atlas.countries)


def test_donnees_page(exported):
    from atlas.site import templating

    _, info = exported
    env = templating.environment()
    tpl = env.get_template("pages/donnees.html.j2")
    from types import SimpleNamespace

    site = SimpleNamespace(name="Atlas de la coopération internationale des collectivités")
    text = tpl.render(exports=info, base="../", site=site, licence="Licence Ouverte / Open Licence 2.0 (Etalab)",
                      licence_url="https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    assert f"« {site.name}, d'après les documents cités" in text  # the licence cites the site by its own name
    assert '<h1 id="donnees-ouvertes">Données ouvertes</h1>' in text
    for f in info["fichiers"]:
        assert f'href="../{f["chemin"]}"' in text and i18n.size(f["taille"]) in text
    for col in info["csv"]["colonnes"]:
        assert f"<code>{col['nom']}</code>" in text
    assert "Licence Ouverte / Open Licence 2.0 (Etalab)" in text
    # without the licence variables, the page still names the licence
    assert "Licence Ouverte" in tpl.render(exports=info, base="../", site=site)


def test_size_label():
    assert exports.size_label(850) == "850\u00a0o"
    assert exports.size_label(12_345) == "12,3\u00a0ko"
    assert exports.size_label(2_400_000) == "2,4\u00a0Mo"


def test_csv_text_cells_read_as_formulas_are_neutralised_numbers_stay_numbers():
    from atlas.site.exports import csv_cell

    for text in ("=HYPERLINK(\"http://x\")", "+33 1 23", "-cmd", "@SUM(A1)", "\tx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell(-9.2372) == -9.2372 and csv_cell(0) == 0
    assert csv_cell("Lille") == "Lille" and csv_cell(None) == ""


def test_the_data_package_is_named_after_the_site(real_atlas):
    atlas, idx = real_atlas
    written = {}
    exports.generate(atlas, idx, written.__setitem__, Settings(site_name="Atlas de la coopération en Bretagne"))
    package = json.loads(written[exports.PACKAGE_PATH])
    assert package["title"] == "Atlas de la coopération en Bretagne"


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_after_spaces_and_in_fullwidth():
    from atlas.site.exports import csv_cell

    for text in ("  =1+1", "\u00a0+1", "＝1+1", "＋cmd", "－2", "＠SUM(A1)", "\r=cmd", " \t@x"):
        assert csv_cell(text) == "'" + text


_cell = st.one_of(st.text(st.characters(codec="utf-8"), max_size=30),
                  st.sampled_from(["=cmd|' /C calc'!A0", "Ville\r=cmd|' /C calc'!A0", "a,b", 'x"y', "l1\nl2", "  -x", "＠"]),
                  st.integers(-10**9, 10**9), st.floats(-180, 180, allow_nan=False))


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.lists(_cell, min_size=len(exports.COLUMNS), max_size=len(exports.COLUMNS)), max_size=6))
def test_csv_reads_back_exactly_the_exported_rows_and_no_text_cell_starts_a_formula(cells):
    """Any text (CR, LF, quotes, commas, all of Unicode) and numbers: csv.reader gives back each row
    as written, with the one documented change (a leading apostrophe on formula-like text)."""
    names = [name for name, _ in exports.COLUMNS]
    table = [dict(zip(names, row, strict=True)) for row in cells]
    text = exports.to_csv(table)
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read[0] == names and len(read) == len(table) + 1
    for row, back in zip(cells, read[1:], strict=True):
        expected = [str(exports.csv_cell(v)) for v in row]
        assert back == expected
        for value, cell in zip(row, back, strict=True):
            if isinstance(value, str) and cell != value:
                assert cell == "'" + value
            assert not re.match(r"^[\s\u00a0\u3000]*[=+\-@＝＋－＠]", cell) or not isinstance(value, str)
    assert text.endswith("\r\n")


def test_the_data_package_describes_every_column_in_french_and_in_english_and_stays_valid(exported, tmp_path):
    from frictionless import validate

    files, _ = exported
    package = json.loads(files[exports.PACKAGE_PATH])
    assert package["languages"] == ["fr", "en"]  # Frictionless's language-support pattern: French first
    for described in [package, *package["resources"], *package["resources"][0]["schema"]["fields"]]:
        french, english = described["description"], described["description_en"]
        assert english and english != french, described.get("name")
        with i18n.using("en"):
            assert english == i18n.gettext(french)
    for resource in package["resources"]:
        assert resource["title_en"] and resource["title_en"] != resource["title"]
    for uri, data in files.items():
        (tmp_path / uri.rsplit("/", 1)[-1]).write_bytes(data)
    report = validate(str(tmp_path / "datapackage.json"))  # the added properties keep it a valid data package
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_a_french_only_atlas_describes_its_data_in_french_only(real_atlas):
    atlas, idx = real_atlas
    written = {}

    exports.generate(atlas, idx, written.__setitem__, Settings(languages=("fr",)))
    package = json.loads(written[exports.PACKAGE_PATH])
    assert package["languages"] == ["fr"] and "description_en" not in json.dumps(package)


def test_the_english_data_page_links_the_files_the_french_edition_wrote_and_says_everything_in_english(exported):
    from types import SimpleNamespace

    from atlas.site import templating

    _, info = exported
    with i18n.using("en"):
        text = templating.environment().get_template("pages/donnees.html.j2").render(
            exports=info, base="../", site=SimpleNamespace(name="Atlas"))
    assert '<h1 id="donnees-ouvertes">Open data</h1>' in text  # same anchors in both editions
    for f in info["fichiers"]:  # from en/donnees/: the files at the site's root, written once
        assert f'href="../../{f["chemin"]}"' in text
        with i18n.using("en"):
            assert i18n.size(f["taille"]) in text
    assert 'href="../../donnees/datapackage.json"' in text and 'href="../sources/"' in text
    for name, description in exports.COLUMNS:
        assert f"<code>{name}</code>" in text and f"<td>{description}</td>" not in text.replace("&#39;", "'")
    for french in ("Télécharg", "téléchargeable", "partenariats de", "Colonne", "lignes", "Données"):
        assert french not in text, french
    assert "Name of the French local authority" in text
