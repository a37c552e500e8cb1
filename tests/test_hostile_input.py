"""Contributor files are untrusted: every hostile file gets a French refusal, never a crash or a hang.

Each case is checked by `atlas check` in a subprocess under a memory limit and a time limit, as
CI would run it on a pull request: exit code 1, `path:line:` naming the file, a French message,
no traceback, within 20 s and 1 GiB. The large files are generated here, not committed.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BASE = (REPO / "content" / "collectivites" / "bouvines.yml").read_text(encoding="utf-8")
MEMORY_LIMIT = 1024 ** 3
SECRET = "CONTENU-SECRET-HORS-DEPOT"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check(content: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "check", str(content), *args],
                            cwd=content.parent, capture_output=True, text=True, timeout=20,
                            preexec_fn=_limit_memory, env={**os.environ, "PYTHONFAULTHANDLER": ""})
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def content(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(REPO / "content", dest)
    return dest


def variant(**replace: str) -> str:
    """Bouvines' real file with some lines replaced: everything else stays valid."""
    text = BASE
    for old, new in replace.items():
        old = old.replace("_", " ") if old.startswith("_") else old
        assert old in text, old
        text = text.replace(old, new)
    return text


BILLION_LAUGHS = "\n".join(
    ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]) + "\n"

# name → (file text, line of the refusal, words the French message must contain)
CASES = {
    "alias-expansion-billion-laughs": (BILLION_LAUGHS, 1, "ancre YAML"),
    "alias-reference": ("nom: &n Bouvines\nalias: [*n]\n", 1, "ancre YAML"),
    "alias-without-anchor": (variant(**{"type: commune": "type: *commune"}), 3, "référence YAML « *commune » refusée"),
    "merge-key": (variant(**{"type: commune": "<<: {type: commune}"}), 3, "fusion"),
    "tag-binary": (variant(**{"type: commune": "type: !!binary aGVsbG8="}), 3, "étiquette YAML « !!binary »"),
    "tag-python-object": (variant(**{"type: commune": "type: !!python/object/apply:os.system ['id']"}), 3, "« !!python/object/apply:os.system » refusée"),
    "tag-local": (variant(**{"type: commune": "type: !commune x"}), 3, "étiquette YAML"),
    "nested-lists-10000": ("nom: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, "niveaux d'imbrication"),
    "nested-lists-100000": ("nom: " + "[" * 100_000 + "]" * 100_000 + "\n", 1, "niveaux d'imbrication"),
    "nested-blocks": ("".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "k: v\n", 13, "niveaux d'imbrication"),
    "date-in-year-field": (variant(**{"sources: [actes-colloque-lianes-2009]":
                                      "sources: [actes-colloque-lianes-2009]\nreseaux:\n  - reseau: cites-unies-france\n    depuis: 1989-05-14\n    sources: [actes-colloque-lianes-2009]"}),
                           12, "écrivez l'année seule : 1989"),
    "huge-integer": (variant(**{"code: '59106'": "code: " + "9" * 5000}), 4, "5000 chiffres"),
    "nan-coordinate": (variant(**{"lat: 50.5783": "lat: .nan"}), 7, "non numérique"),
    "infinite-coordinate": (variant(**{"lon: 3.1894": "lon: -.inf"}), 7, "non numérique"),
    "overflowing-float": (variant(**{"lon: 3.1894": "lon: 1.0e+999"}), 7, "dépasse"),
    "base-60-year": (variant(**{"sources: [actes-colloque-lianes-2009]":
                                "sources: [actes-colloque-lianes-2009]\nreseaux:\n  - reseau: cites-unies-france\n    depuis: 33:20\n    sources: [actes-colloque-lianes-2009]"}),
                     12, "base 60"),
    "hexadecimal": (variant(**{"lat: 50.5783": "lat: 0x32"}), 7, "base 2, 8 ou 16"),
    "yes-no-reading": (variant(**{"region: Nord-Pas de Calais": "region: NO"}), 6, "oui/non"),
    "population-out-of-range": (variant(**{"siege:": "population: {valeur: 999999999999, annee: 1999, source: actes-colloque-lianes-2009}\nsiege:"}),
                                7, "hors limites"),
    "bidi-override": (variant(**{"nom: Bouvines": "nom: Bouv\u202eines"}), 2, "U+202E"),
    "control-character": (variant(**{"nom: Bouvines": "nom: Bouv\x07ines"}), 2, "U+0007"),
    "zero-width-space": (variant(**{"nom: Bouvines": "nom: Bou\u200bvines"}), 2, "U+200B"),
    "cyrillic-look-alike": (variant(**{"nom: Bouvines": "nom: Bouvin\u0435s"}), 2, "mélange les alphabets latin et cyrillique"),
    "greek-look-alike": (variant(**{"nom: Bouvines": "nom: B\u03bfuvines"}), 2, "grec"),
    "thousands-of-unknown-keys": (BASE + "".join(f"cle{i}: x\n" for i in range(5000)), 202, "clés dans un même bloc"),
    "tens-of-thousands-of-bad-keys-in-one-list": (
        variant(**{"sources: [actes-colloque-lianes-2009]":
                   "sources: [" + ", ".join(f"Source_{i}" for i in range(24_000)) + "]"}),
        9, "source inconnue « Source_23999 »"),
    "oversized-file": (BASE + "# " + "x" * 600_000 + "\n", 1, "Ko"),
    # The character rules hold on the value the parser made, escapes included (issue's examples,
    # then others of the same class it did not name).
    **{f"escaped-{label}": (variant(**{"nom: Bouvines": f'nom: "Bouv{escape}ines"'}), 2, code)
       for label, escape, code in [
           ("form-feed", "\\f", "U+000C"), ("nul", "\\0", "U+0000"), ("escape", "\\e", "U+001B"),
           ("bidi-override", "\\u202e", "U+202E"), ("zero-width", "\\u200b", "U+200B"),
           ("noncharacter", "\\ufffe", "U+FFFE"), ("line-separator", "\\L", "U+2028"),
           ("next-line", "\\N", "U+0085"), ("paragraph-separator", "\\P", "U+2029"), ("vertical-tab", "\\v", "U+000B"),
           ("delete", "\\x7f", "U+007F"), ("c1-control", "\\x9b", "U+009B"), ("isolate", "\\u2066", "U+2066"),
           ("arabic-letter-mark", "\\u061c", "U+061C"), ("plane-16-noncharacter", "\\U0010FFFF", "U+10FFFF"),
           ("fdd0-noncharacter", "\\ufdd0", "U+FDD0"), ("carriage-return", "\\r", "U+000D"), ("bom", "\\ufeff", "U+FEFF"),
       ]},
    "escaped-control-in-a-key": (variant(**{"type: commune": 'type: commune\n"eng\\u202eagement": x'}), 4, "U+202E"),
    "escaped-control-in-a-list-item": (variant(**{"sources: [actes-colloque-lianes-2009]": 'sources: ["actes-colloque-lianes-2009\\u200b"]'}), 9, "U+200B"),
    "country-code-with-final-newline": (variant(**{"partenariats: inconnus": 'partenariats:\n  - partenaire: inconnu\n    pays: "SN\\n"\n    nature: jumelage\n    sources: [actes-colloque-lianes-2009]'}), 12, "saut de ligne dans « pays »"),
    "theme-key-with-final-newline": (variant(**{"partenariats: inconnus": 'partenariats:\n  - partenaire: inconnu\n    pays: SN\n    nature: jumelage\n    thematiques: ["eau-assainissement\\n"]\n    sources: [actes-colloque-lianes-2009]'}), 14, "saut de ligne dans « thematiques »"),
    "name-with-line-break": (variant(**{"nom: Bouvines": 'nom: "Bouvines\\nVille"'}), 2, "tient sur une ligne"),
    "eight-thousand-themes": (variant(**{"partenariats: inconnus": "partenariats:\n  - partenaire: inconnu\n    pays: SN\n    nature: jumelage\n    thematiques: [" + ", ".join(f"t{i}" for i in range(8000)) + "]\n    sources: [actes-colloque-lianes-2009]"}), 14, "la limite est de 15"),
    "thousand-partnerships": (variant(**{"partenariats: inconnus": "partenariats:\n" + "".join(f"  - {{partenaire: {{nom: Ville {i}}}, pays: SN, nature: jumelage, sources: [actes-colloque-lianes-2009]}}\n" for i in range(1000))}), 10, "la limite est de 300"),
    "very-long-name": (variant(**{"nom: Bouvines": "nom: " + "Bouvines " * 2000}), 2, "la limite est de 150"),
    "very-long-engagement": (variant(**{"engagement: En 2009": "engagement: " + "très long " * 2000 + "En 2009"}), 8, "la limite est de 2000"),
    "multiple-documents": (BASE + "---\nnom: Autre\n", 11, "plusieurs documents"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_refused_in_french_with_its_line(content: Path, name: str):
    text, line, words = CASES[name]
    (content / "collectivites" / f"{name}.yml").write_text(text, encoding="utf-8")
    code, output = check(content)
    assert code == 1, output
    assert "Traceback" not in output and "Error" not in output, output[-3000:]
    assert f"{name}.yml:{line}: erreur :" in output, output[-3000:]
    assert words in output, output[-3000:]
    assert "conseil :" in output


@pytest.mark.parametrize("name", ["alias-expansion-billion-laughs", "huge-integer", "date-in-year-field", "nested-lists-100000"])
def test_hostile_file_still_gets_a_github_annotation(content: Path, name: str):
    text, line, _ = CASES[name]
    (content / "collectivites" / f"{name}.yml").write_text(text, encoding="utf-8")
    code, output = check(content, "--format", "github")
    assert code == 1
    assert "::error file=" in output and f"{name}.yml,line={line}," in output, output[-2000:]
    assert "Traceback" not in output


def test_symlink_to_a_file_outside_the_repository_is_refused_unread(content: Path, tmp_path: Path):
    outside = tmp_path / "secret.yml"
    outside.write_text(f"nom: {SECRET}\n", encoding="utf-8")
    (content / "collectivites" / "lien.yml").symlink_to(outside)
    for args in ((), ("--format", "github")):
        code, output = check(content, *args)
        assert code == 1
        assert "lien.yml" in output and "lien symbolique refusé" in output
        assert SECRET not in output
    # checking that one file, as a contributor would
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "check", "content/collectivites/lien.yml"],
                            cwd=content.parent, capture_output=True, text=True, timeout=20)
    assert result.returncode == 1 and SECRET not in result.stdout + result.stderr
    assert "lien symbolique refusé" in result.stdout + result.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "loop"])
def test_symlink_to_a_device_or_in_a_loop_is_refused(content: Path, target: str):
    link = content / "collectivites" / "lien.yml"
    if target == "loop":
        (content / "collectivites" / "boucle.yml").symlink_to(link)
        link.symlink_to(content / "collectivites" / "boucle.yml")
    else:
        link.symlink_to(target)
    code, output = check(content)
    assert code == 1 and "Traceback" not in output
    assert "lien.yml:1: erreur : lien symbolique refusé" in output


def test_named_pipe_is_refused_without_blocking(content: Path):
    os.mkfifo(content / "collectivites" / "tube.yml")
    code, output = check(content)
    assert code == 1 and "tube.yml:1: erreur : ce n'est pas un fichier ordinaire" in output


def test_file_named_like_a_generated_page_is_refused(content: Path):
    (content / "collectivites" / "index.yml").write_text(BASE.replace("Bouvines", "Index"), encoding="utf-8")
    code, output = check(content)
    assert code == 1 and "index.yml:1: erreur : nom de fichier « index.yml » réservé" in output


def test_leading_zero_code_keeps_the_text_typed(tmp_path: Path):
    from atlas.content import yamlio

    doc = yamlio.parse("code: 02691\ndepuis: 2006\nx: 0\n", tmp_path / "f.yml")
    assert doc.data == {"code": "02691", "depuis": 2006, "x": 0}


def test_look_alike_name_cannot_publish_a_second_collectivite(content: Path):
    halluin = (content / "collectivites" / "halluin.yml").read_text(encoding="utf-8")
    (content / "collectivites" / "halluin-bis.yml").write_text(halluin.replace("nom: Halluin", "nom: H\u0430lluin"), encoding="utf-8")
    code, output = check(content)
    assert code == 1 and "halluin-bis.yml:2: erreur : le mot « Hаlluin » mélange" in output


def test_template_code_in_a_hand_written_page_runs_in_the_sandbox():
    import jinja2.sandbox

    from atlas.site import templating

    env = templating.sandbox()
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ cycler.__init__.__globals__.os.popen('id').read() }}").render()
    assert env.from_string("{{ 1200|fr_number }}").render() == "1\u202f200"
