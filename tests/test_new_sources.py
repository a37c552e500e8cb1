"""A new source travels with the fiche (`nouvelles_sources`): a town hall proposes its fiche and the
document it cites in one edit of GitHub's web editor, without a second file or a branch to
switch. The source is held to the rules of sources.yml, cited by that fiche only, and published
like any other."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from atlas.content import checker

REPO = Path(__file__).resolve().parents[1]
BASE = (REPO / "content" / "collectivites" / "bouvines.yml").read_text(encoding="utf-8")
NEW = """nouvelles_sources:
  - cle: deliberation-bouvines-2019
    titre: Délibération du conseil municipal de Bouvines sur l'engagement international
    date: 2019
    site_web: https://www.example.org/deliberation
sources: [actes-colloque-lianes-2009, deliberation-bouvines-2019]"""


def _with(content: Path, text: str, name: str = "bouvines.yml") -> Path:
    path = content / "collectivites" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_fiche_describes_and_cites_its_new_source_and_the_atlas_publishes_it(content_copy, tmp_path):
    assert "sources: [actes-colloque-lianes-2009]" in BASE
    _with(content_copy, BASE.replace("sources: [actes-colloque-lianes-2009]", NEW, 1))
    report = checker.check(content_copy)
    assert report.ok, [p.format() for p in report.problems]
    assert report.lists["sources"]["deliberation-bouvines-2019"]["date"] == 2019
    site = tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--contenu", str(content_copy), "--site", str(site)],
                           cwd=REPO, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    pages = [p for p in site.rglob("*.html") if "Délibération du conseil municipal de Bouvines" in p.read_text(encoding="utf-8")]
    assert any("bouvines" in str(p) for p in pages) and any("sources" in str(p) for p in pages), pages


def test_a_new_source_is_held_to_the_rules_of_sources_yml(content_copy):
    cases = {
        # an existing key: cite it, do not describe it again
        "cle: deliberation-bouvines-2019": ("cle: actes-colloque-lianes-2009", "existe déjà dans content/sources.yml"),
        # no title
        "    titre: Délibération du conseil municipal de Bouvines sur l'engagement international\n": ("", "n'a pas de titre"),
        # a key with capitals and spaces
        "cle: deliberation-bouvines-2019\n": ("cle: Délibération 2019\n", "n'est pas"),
        # an unknown field of a source
        "    date: 2019": ("    annee: 2019", "annee"),
    }
    for old, (new, said) in cases.items():
        text = BASE.replace("sources: [actes-colloque-lianes-2009]", NEW.replace(old, new, 1), 1)
        path = _with(content_copy, text)
        problems = checker.check(content_copy, only=path).problems
        assert any(said in p.message + p.hint for p in problems if p.severity == checker.Severity.ERROR), (old, problems)
        assert all(p.line > 1 for p in problems), problems  # located in the fiche


def test_another_fiche_cannot_cite_a_source_described_in_a_fiche(content_copy):
    _with(content_copy, BASE.replace("sources: [actes-colloque-lianes-2009]", NEW, 1))
    other = (content_copy / "collectivites" / "lompret.yml").read_text(encoding="utf-8")
    assert "sources: [" in other
    other = other.replace("sources: [", "sources: [deliberation-bouvines-2019, ", 1)
    _with(content_copy, other, "lompret.yml")
    problems = [p for p in checker.check(content_copy).problems if p.path.endswith("lompret.yml")]
    assert any("source inconnue « deliberation-bouvines-2019 »" in p.message for p in problems), problems


def test_two_fiches_describing_the_same_new_key_are_refused(content_copy):
    _with(content_copy, BASE.replace("sources: [actes-colloque-lianes-2009]", NEW, 1))
    other = BASE.replace("nom: Bouvines", "nom: Bouvines-Bis").replace("code: '59106'", "code: '59107'")
    other = other.replace("sources: [actes-colloque-lianes-2009]", NEW, 1)
    _with(content_copy, other, "bouvines-bis.yml")
    report = checker.check(content_copy)
    assert any("est déjà décrite dans la fiche" in p.message for p in report.problems), [p.format() for p in report.problems]
    assert not report.ok


def test_a_new_source_that_the_fiche_does_not_cite_is_said(content_copy):
    path = _with(content_copy, BASE.replace("sources: [actes-colloque-lianes-2009]", NEW.replace(", deliberation-bouvines-2019]", "]"), 1))
    problems = checker.check(content_copy, only=path).problems
    assert any("citée nulle part" in p.message and p.severity == checker.Severity.WARNING for p in problems), problems
