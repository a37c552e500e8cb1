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
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(REPO / "content", dest)
    return dest


def check(path: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "check", str(path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
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
