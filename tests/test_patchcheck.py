"""The form's pull request changes one collectivité file and sources.yml, nothing else: each
other kind of change git can write in a patch is refused before `git apply`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from atlas.commands import patchcheck
from repository import git

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "content" / "collectivites").mkdir(parents=True)
    (tmp_path / "scripts" / "atlas").mkdir(parents=True)
    (tmp_path / "content" / "sources.yml").write_text("- cle: a\n", encoding="utf-8")
    (tmp_path / "content" / "collectivites" / "lille.yml").write_text("nom: Lille\n", encoding="utf-8")
    (tmp_path / "scripts" / "atlas" / "__init__.py").write_text("x = 1\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "départ")
    return tmp_path


def patch_of(repo: Path, change) -> str:
    """The patch the form's job would make: `git add --intent-to-add` then `git diff --binary`."""
    change(repo)
    git(repo, "add", "--intent-to-add", ".")
    return git(repo, "diff", "--binary", "-M", "HEAD")


def _write(rel: str, text: str = "nom: X\n"):
    return lambda r: (r / rel).parent.mkdir(parents=True, exist_ok=True) or (r / rel).write_text(text, encoding="utf-8")


ALLOWED = {
    "new-collectivite": _write("content/collectivites/ville-x.yml"),
    "new-collectivite-and-source": lambda r: (_write("content/collectivites/ville-x.yml")(r),
                                              _write("content/sources.yml", "- cle: a\n- cle: b\n")(r)),
    "changed-collectivite": _write("content/collectivites/lille.yml", "nom: Lille\nalias: [Rijsel]\n"),
}
REFUSED = {
    "package-file": _write("scripts/atlas/__init__.py", "import os\n"),
    "workflow": _write(".github/workflows/x.yml", "on: push\n"),
    "country-file": _write("content/pays/sn.yml", "code: SN\n"),
    "nested-path": _write("content/collectivites/sous/ville.yml"),
    "upper-case-name": _write("content/collectivites/Ville.yml"),
    "not-yml": _write("content/collectivites/ville.yaml"),
    "symlink": lambda r: os.symlink("/etc/passwd", r / "content" / "collectivites" / "ville-x.yml"),
    "executable": lambda r: os.chmod(r / "content" / "collectivites" / "lille.yml", 0o755),
    "deletion": lambda r: (r / "content" / "collectivites" / "lille.yml").unlink(),
    "rename": lambda r: (r / "content" / "collectivites" / "lille.yml").rename(r / "content" / "collectivites" / "lille-2.yml"),
    "binary": lambda r: (r / "content" / "collectivites" / "ville-x.yml").write_bytes(b"\x00\x01\x02PNG"),
}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_patch_adding_or_changing_only_the_allowed_files_passes(repo, name):
    assert patchcheck.problems(patch_of(repo, ALLOWED[name])) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_patch_touching_anything_else_is_refused_in_french(repo, name):
    found = patchcheck.problems(patch_of(repo, REFUSED[name]))
    assert found and all(p.startswith(("ligne", "correctif")) for p in found), found


def test_a_second_patch_hidden_after_a_short_hunk_is_refused(repo):
    """git reads the lines after a hunk's announced count as new headers: a « --- a/… » there is a
    patch of another file, even without « diff --git »."""
    good = patch_of(repo, ALLOWED["new-collectivite"])
    smuggled = good + "--- a/scripts/atlas/__init__.py\n+++ b/scripts/atlas/__init__.py\n@@ -1 +1 @@\n-x = 1\n+import os\n"
    assert patchcheck.problems(smuggled)
    git(repo, "reset", "-q", "--hard")
    git(repo, "clean", "-qfd")
    (repo / "p.patch").write_text(smuggled, encoding="utf-8")
    applied = subprocess.run(["git", "apply", "--numstat", "p.patch"], cwd=repo, capture_output=True, text=True)
    assert "scripts/atlas/__init__.py" in applied.stdout  # git would have applied it: the check is needed


@pytest.mark.parametrize("text", ["", "n'importe quoi\n", "diff --git a/content/sources.yml b/content/sources.yml\n@@ -1 +1,5 @@\n+x\n",
                                  "diff --git a/content/collectivites/../../x.yml b/content/collectivites/../../x.yml\n"])
def test_an_empty_cut_or_made_up_patch_is_refused(text):
    assert patchcheck.problems(text)


def test_the_check_runs_with_the_runners_python_alone(repo, tmp_path):
    """The pushing job runs it without installing the atlas: the standard library only."""
    patch = tmp_path / "f.patch"
    patch.write_text(patch_of(repo, REFUSED["symlink"]), encoding="utf-8")
    result = subprocess.run([sys.executable, "-I", str(ROOT / "scripts/atlas/commands/patchcheck.py"), str(patch)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "mode" in result.stderr
