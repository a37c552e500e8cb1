"""What people type in GitHub's web editor, and what `atlas check` answers: the real mistake named,
and a fix that keeps what they meant (the sign of a longitude, the name without its quotes)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BASE = (REPO / "content" / "collectivites" / "bouvines.yml").read_text(encoding="utf-8")

# mistake → (line replaced, typed instead, words the answer must hold)
CASES = {
    "word-quotes": ("nom: Bouvines", "nom: “Bouvines”", ["guillemets typographiques", '"Bouvines"']),
    "french-quotes": ("nom: Bouvines", "nom: « Bouvines »", ["guillemets typographiques", '"Bouvines"']),
    "single-curly-quotes": ("nom: Bouvines", "nom: ‘Bouvines’", ["guillemets typographiques"]),
    "german-quotes": ("nom: Bouvines", "nom: „Bouvines“", ["guillemets typographiques"]),
    "en-dash-and-comma-in-flow": ("lon: 3.1894", "lon: –3,2", ["tiret typographique", "-3.2"]),
    "minus-sign-and-comma-in-flow": ("lon: 3.1894", "lon: −3,2", ["U+2212", "-3.2"]),
    "en-dash-alone": ("siege: {lat: 50.5783, lon: 3.1894}", "siege:\n  lat: 50.5783\n  lon: –1.0844", ["tiret typographique", "lon: -1.0844"]),
    "em-dash-and-comma-block": ("siege: {lat: 50.5783, lon: 3.1894}", "siege:\n  lat: 50.5783\n  lon: —3,2", ["lon: -3.2"]),
    "degrees-minutes": ("lat: 50.5783", "lat: 50°34′42″N", ["degrés et minutes", "lat: 50.5783"]),
    "degrees-minutes-west": ("siege: {lat: 50.5783, lon: 3.1894}", "siege:\n  lat: 50.5783\n  lon: 1°05' O", ["degrés et minutes", "lon: -1.0833"]),
    "budget-key": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nbudget: 120000", ["clé inconnue « budget »", "chiffres"]),
    "montant-key": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nmontant: 120000", ["chiffres"]),
    # the town-hall re-test's classes, each with members it did not try
    "departement-in-words": ("departement: '59'", "departement: Nord", ['departement: "59"']),
    "departement-number-and-name": ("departement: '59'", 'departement: "59 - Nord"', ['departement: "59"']),
    "departement-as-one-digit-number": ("departement: '59'", "departement: 1", ['departement: "01"']),
    "insee-code-without-its-zero": ("code: '59106'", "code: 1053", ['code: "01053"']),
    "insee-code-without-its-zero-quoted": ("code: '59106'", 'code: "1053"', ['code: "01053"', "5 caractères"]),
    "two-digit-year": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nreseaux: [{reseau: lianes-cooperation, depuis: 98, sources: [actes-colloque-lianes-2009]}]",
                       ["année en entier", "depuis: 1998"]),
    "sources-with-semicolon": ("sources: [actes-colloque-lianes-2009]", "sources: [actes-colloque-lianes-2009; enquete-acdc-villes-20000-hab-2006]",
                               ["séparez-les par une virgule", "[actes-colloque-lianes-2009, enquete-acdc-villes-20000-hab-2006]"]),
    "boolean-in-french": ("siege: {lat: 50.5783, lon: 3.1894}", "siege: {lat: 50.5783, lon: 3.1894, approximatif: vrai}", ["approximatif: true"]),
    "boolean-no": ("siege: {lat: 50.5783, lon: 3.1894}", "siege: {lat: 50.5783, lon: 3.1894, approximatif: non}", ["approximatif: false"]),
    "address-missing-colon": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nsite_web: http//www.bouvines.fr", ["site_web: http://www.bouvines.fr"]),
    "address-with-space": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nsite_web: https://www.bou vines.fr/jumelage", ["espace", "site_web: https://www.bouvines.fr/jumelage"]),
    "two-addresses": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nsite_web: https://a.example.fr ; https://b.example.fr", ["une seule adresse"]),
    "template-example-address": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nsite_web: https://www.exemple.fr/", ["adresse d'exemple du modèle"]),
    "thousands-with-spaces": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\npopulation: {valeur: 4 500 habitants, annee: 1999, source: actes-colloque-lianes-2009}",
                              ["sans espace entre les milliers", "valeur: 4500"]),
    "thousands-with-no-break-spaces": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\npopulation: {valeur: 4\u202f500, annee: 1999, source: actes-colloque-lianes-2009}",
                                       ["valeur: 4500"]),
    "thousands-with-points": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\npopulation: {valeur: 1.500.000, annee: 1999, source: actes-colloque-lianes-2009}",
                              ["sans point entre les milliers", "valeur: 1500000"]),
    "thousands-with-one-point": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\npopulation: {valeur: 4.500, annee: 1999, source: actes-colloque-lianes-2009}",
                                 ["« 4.500 » est lu comme 4.5", "valeur: 4500"]),
    "dash-glued-to-key": ("partenariats: inconnus", "partenariats:\n  -partenaire: inconnu\n    pays: BE\n    nature: jumelage\n    sources: [actes-colloque-lianes-2009]",
                          ["il manque une espace après le tiret", "« - partenaire: »"]),
    "list-dash-removed": ("partenariats: inconnus", "partenariats:\n    partenaire: inconnu\n    pays: BE\n    nature: jumelage\n    sources: [actes-colloque-lianes-2009]",
                          ["n'a pas de tiret devant", "« - partenaire: … »"]),
    "unknown-partner-in-capitals": ("partenariats: inconnus", "partenariats:\n  - partenaire: INCONNUE\n    pays: BE\n    nature: jumelage\n    sources: [actes-colloque-lianes-2009]",
                                    ["« partenaire: inconnu »"]),
    "status-in-words": ("partenariats: inconnus", "partenariats:\n  - partenaire: inconnu\n    pays: BE\n    nature: jumelage\n    statut: en sommeil\n    sources: [actes-colloque-lianes-2009]",
                        ["voulez-vous dire « en-veille » ?"]),
    # found by the second re-test (cases the code was not written for)
    "phone-as-website": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nsite_web: 03 20 00 00 00", ["pas une adresse de site", "retirez la ligne"]),
    "email-as-website": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nsite_web: contact@bouvines.fr", ["une adresse e-mail"]),
    "decade-as-year": ("region: Nord-Pas de Calais", "region: Nord-Pas de Calais\nreseaux: [{reseau: lianes-cooperation, depuis: années 80, sources: [actes-colloque-lianes-2009]}]",
                       ["depuis: 1980"]),
    "two-natures": ("partenariats: inconnus", "partenariats:\n  - partenaire: inconnu\n    pays: BE\n    nature: partenariat et jumelage\n    sources: [actes-colloque-lianes-2009]",
                    ["n'a qu'une valeur", "partenariat ou jumelage"]),
    "nature-as-a-verb": ("partenariats: inconnus", "partenariats:\n  - partenaire: inconnu\n    pays: BE\n    nature: Jumelée\n    sources: [actes-colloque-lianes-2009]",
                         ["voulez-vous dire « jumelage » ?"]),
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(REPO / "content", dest)
    return dest


def check(path: Path, code: int = 1) -> str:
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "check", str(path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode in (code, 0 if code == 1 else code) and "Traceback" not in result.stderr, result.stdout
    assert result.stdout.strip() and "Contenu valide" not in result.stdout or "avertissement" in result.stdout, result.stdout
    return result.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_editor_mistake_is_named_with_a_fix_that_keeps_what_was_meant(content, name):
    old, new, words = CASES[name]
    assert old in BASE
    path = content / "collectivites" / "bouvines.yml"
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    output = check(path)
    for w in words:
        assert w in output, output


@pytest.mark.parametrize("text", ["", "\n\n", "# plus rien\n"])
def test_an_emptied_file_says_how_to_remove_a_collectivite(content, text):
    path = content / "collectivites" / "bouvines.yml"
    path.write_text(text, encoding="utf-8")
    assert "Retirer ma collectivité" in check(path)


def test_every_example_in_the_new_file_template_is_valid_when_copied_as_written():
    """`atlas new` writes « # ex. … » beside each field: the text after « ex. » replaces the line as is."""
    from atlas.content import yamlio

    template = (REPO / "scripts" / "atlas" / "commands" / "templates" / "nouvelle-fiche.yml.j2").read_text(encoding="utf-8")
    examples = [(line.split(":")[0].strip(), line.split("# ex. ", 1)[1].strip())
                for line in template.splitlines() if "# ex. " in line and not line.lstrip().startswith("#")]
    assert len(examples) >= 3
    for key, example in examples:
        data = yamlio.parse(example, Path("exemple.yml")).data  # raises YamlError (a French message) if not
        assert isinstance(data, dict) and key in data, (key, example)


SOURCE_DATES = {"25/06/2015": "date: 2015-06-25", "3 mars 2014": "date: 2014-03-03", "2014/03/03": "date: 2014-03-03",
                "juin 2015": "date: 2015-06", "vers 1998": "date: 1998", "vingt-cinq juin deux mille quinze": "en chiffres"}


@pytest.mark.parametrize("typed", sorted(SOURCE_DATES))
def test_a_source_date_is_a_year_or_an_iso_date_and_the_hint_converts_what_was_typed(content, typed):
    sources = content / "sources.yml"
    text = sources.read_text(encoding="utf-8")
    assert "  date: 2006\n" in text
    sources.write_text(text.replace("  date: 2006\n", f"  date: {typed}\n", 1), encoding="utf-8")
    output = check(sources)
    assert "erreur" in output and SOURCE_DATES[typed] in output, output
