"""The `atlas` command as a contributor uses it: check, check one file, new, --format github."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from atlas.content import checker
from repository import run_atlas

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A scratch repository: a copy of content/ and a .git folder marking its root."""
    shutil.copytree(CONTENT, tmp_path / "content")
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_atlas_check_passes_on_the_real_content():
    result = run_atlas("check", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": erreur :" not in result.stdout
    assert "Contenu valide" in result.stderr


def test_checking_one_real_file_reports_only_that_file_and_is_fast(repo):
    shutil.copyfile(CORPUS / "pays-en-toutes-lettres.yml", repo / "content" / "collectivites" / "cassee.yml")
    target = "content/collectivites/halluin.yml"
    started = time.perf_counter()
    result = run_atlas("check", target, cwd=repo)
    elapsed = time.perf_counter() - started
    print(f"\natlas check {target} : {elapsed:.2f} s (commande complète, démarrage de Python compris)")
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(line.startswith(f"{target}:") for line in result.stdout.splitlines())
    assert "Contenu valide : halluin.yml" in result.stderr

    started = time.perf_counter()
    checker.check(repo / "content", only=repo / "content" / "collectivites" / "halluin.yml")
    print(f"checker.check(only=…) dans un processus déjà lancé : {time.perf_counter() - started:.2f} s")

    broken = run_atlas("check", "content/collectivites/cassee.yml", cwd=repo)
    assert broken.returncode == 1
    assert {line.split(":")[0] for line in broken.stdout.splitlines()} == {"content/collectivites/cassee.yml"}


def test_checking_a_file_that_does_not_exist_says_so(repo):
    result = run_atlas("check", "content/collectivites/nulle-part.yml", cwd=repo)
    assert result.returncode == 1
    assert "content/collectivites/nulle-part.yml:1: erreur : fichier introuvable" in result.stderr


def fill_placeholders(text: str) -> str:
    """What a contributor writes in place of each « À REMPLIR » of the model (realistic values)."""
    replacements = [
        ('code: "À REMPLIR"', 'code: "59999"'),
        ('departement: "À REMPLIR"', 'departement: "59"'),
        ("siege: {lat: À REMPLIR, lon: À REMPLIR}", "siege: {lat: 50.6511, lon: 3.1022}"),
        ("sources: [À REMPLIR]              #", "sources: [actes-colloque-lianes-2009]  #"),
        ("nom: À REMPLIR", "nom: Saint-Louis"),
        ("pays: À REMPLIR", "pays: SN"),
        ("sources: [À REMPLIR]", "sources: [actes-colloque-lianes-2009]"),
    ]
    for old, new in replacements:
        assert old in text, f"le modèle a changé : « {old} » introuvable"
        text = text.replace(old, new, 1)
    assert not any("REMPLIR" in line.split("#")[0] for line in text.splitlines())
    return text


def test_atlas_new_writes_a_model_that_fails_only_on_placeholders_then_passes_once_filled(repo):
    created = run_atlas("new", "Ville de Quelquepart", cwd=repo)
    assert created.returncode == 0, created.stderr
    path = repo / "content" / "collectivites" / "quelquepart.yml"
    assert "content/collectivites/quelquepart.yml" in created.stdout

    first = run_atlas("check", "content/collectivites/quelquepart.yml", cwd=repo)
    assert first.returncode == 1
    problems = first.stdout.splitlines()
    assert problems and all("encore à remplir" in line for line in problems), first.stdout
    values = [line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(problems) == sum(v.count("À REMPLIR") for v in values)  # one message per placeholder

    path.write_text(fill_placeholders(path.read_text(encoding="utf-8")), encoding="utf-8")
    second = run_atlas("check", "content/collectivites/quelquepart.yml", cwd=repo)
    assert second.returncode == 0, second.stdout
    assert run_atlas("check", cwd=repo).returncode == 0


def test_atlas_new_points_the_editor_to_the_schema_of_this_repository_wherever_atlas_is_installed(repo):
    schema = repo / "scripts" / "atlas" / "schemas" / "collectivite.schema.json"
    schema.parent.mkdir(parents=True)
    shutil.copyfile(REPO / "scripts" / "atlas" / "schemas" / schema.name, schema)
    assert run_atlas("new", "Ville de Quelquepart", cwd=repo).returncode == 0  # atlas itself is installed elsewhere
    path = repo / "content" / "collectivites" / "quelquepart.yml"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == schema.resolve()


def test_editor_settings_give_each_content_folder_the_schema_the_checker_uses():
    import fnmatch
    import json

    from atlas.content.schema import SCHEMA_FILES, SCHEMAS

    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    globs = {Path(k).name: v if isinstance(v, list) else [v] for k, v in settings["yaml.schemas"].items()}
    for schema_path in settings["yaml.schemas"]:
        assert (REPO / schema_path).resolve() == (SCHEMAS / Path(schema_path).name).resolve()
    files = {
        "collectivite": sorted(CONTENT.glob("collectivites/*.yml")), "pays": sorted(CONTENT.glob("pays/*.yml")),
        "statistique": sorted(CONTENT.glob("statistiques/*.yml")),
        "liste": [CONTENT / n for n in checker.LISTS.values()],
    }
    for kind, paths in files.items():
        assert paths
        for path in paths:
            rel = path.relative_to(REPO).as_posix()
            assert any(fnmatch.fnmatch(rel, g) for g in globs[SCHEMA_FILES[kind]]), rel
    # read as the checker reads: YAML 1.1 booleans (NO, yes) show up as errors in the editor too; spaces only
    assert settings["yaml.yamlVersion"] == "1.1" and settings["yaml.customTags"] == []
    assert settings["[yaml]"]["editor.insertSpaces"] is True
    editorconfig = (REPO / ".editorconfig").read_text(encoding="utf-8")
    assert "[*.{yml,yaml}]\n" in editorconfig and "indent_style = space" in editorconfig


def test_atlas_new_refuses_to_replace_an_existing_file(repo):
    before = (repo / "content" / "collectivites" / "lille.yml").read_bytes()
    result = run_atlas("new", "Ville de Lille", cwd=repo)
    assert result.returncode == 1
    assert "existe déjà" in result.stderr
    assert (repo / "content" / "collectivites" / "lille.yml").read_bytes() == before


ANNOTATION = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),title=([^:]+)::(.+)$")


def annotations(stdout: str) -> list[tuple[str, str, int, str, str]]:
    found = []
    for line in stdout.splitlines():
        match = ANNOTATION.match(line)
        assert match, f"ligne qui n'est pas une annotation GitHub : {line}"
        level, file, number, title, body = match.groups()
        found.append((level, file, int(number), title, body))
    return found


@pytest.mark.parametrize("cwd, target", [(".", "content"), ("content", "."), ("content/collectivites", "..")])
def test_github_format_annotates_the_exact_line_with_a_path_from_the_repository_root(repo, cwd, target):
    shutil.copyfile(CORPUS / "pays-en-toutes-lettres.yml", repo / "content" / "collectivites" / "cassee.yml")
    result = run_atlas("check", target, "--format", "github", cwd=repo / cwd)
    assert result.returncode == 1
    errors = [a for a in annotations(result.stdout) if a[0] == "error"]
    assert [(a[1], a[2]) for a in errors] == [("content/collectivites/cassee.yml", n) for n in (13, 18, 23)]
    level, file, line, title, body = errors[0]
    assert title == "atlas check %3A erreur"
    assert body == ("« Sénégal » n'est pas un code pays — conseil : écrivez le code ISO à deux lettres "
                    "majuscules : SN (Sénégal)")


def test_github_format_uses_github_workspace_when_there_is_no_git_folder(tmp_path):
    shutil.copytree(CONTENT, tmp_path / "depot" / "content")
    shutil.copyfile(CORPUS / "tabulation.yml", tmp_path / "depot" / "content" / "collectivites" / "cassee.yml")
    result = run_atlas("check", str(tmp_path / "depot" / "content"), "--format", "github", cwd=tmp_path,
                       env={"GITHUB_WORKSPACE": str(tmp_path / "depot")})
    assert ("error", "content/collectivites/cassee.yml", 11) in [a[:3] for a in annotations(result.stdout)]


def test_github_format_turns_warnings_into_warning_annotations(repo):
    result = run_atlas("check", "--format", "github", cwd=repo)
    assert result.returncode == 0
    for level, file, line, title, _body in annotations(result.stdout):
        assert (level, title) == ("warning", "atlas check %3A avertissement")
        assert file.startswith("content/") and line >= 1


def test_github_annotation_escapes_what_would_break_the_command():
    problem = checker.Problem("content/collectivites/a,b.yml", 3, "100 % faux\nsur deux lignes", "a: b")
    assert problem.format_github() == (
        "::error file=content/collectivites/a%2Cb.yml,line=3,title=atlas check %3A erreur::"
        "100 %25 faux%0Asur deux lignes — conseil : a: b")
