"""The GitHub files: workflows, issue forms, pull request template.

Validated offline with the schemas bundled in check-jsonschema; every action pinned to a commit.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from atlas import cli

REPO = Path(__file__).resolve().parents[1]
GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ISSUE_FORMS = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+\.\d+\.\d+\s*$")


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    assert exe, "check-jsonschema n'est pas installé (pip install -c constraints.txt -e \".[test]\")"
    return subprocess.run([exe, "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=120)


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML reads the key `on:` as True (YAML 1.1)
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict) -> list[dict]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def test_the_expected_github_files_exist():
    assert {p.name for p in WORKFLOWS} >= {"verifier.yml", "publier.yml", "formulaire.yml"}
    assert {p.name for p in ISSUE_FORMS} >= {"signaler-une-erreur.yml", "ajouter-ma-collectivite.yml"}
    assert (GITHUB / "ISSUE_TEMPLATE" / "config.yml").is_file()
    assert (GITHUB / "pull_request_template.md").is_file()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_for_github(path):
    result = check_jsonschema("vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_form_is_valid_for_github(path):
    result = check_jsonschema("vendor.github-issue-forms", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_template_config_is_valid_for_github():
    result = check_jsonschema("vendor.github-issue-config", GITHUB / "ISSUE_TEMPLATE" / "config.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_with_its_version_in_a_comment(path):
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines
    for line in lines:
        assert PINNED.match(line), f"action non épinglée (commit de 40 caractères + « # vX.Y.Z ») : {line.strip()}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_atlas_commands_of_the_workflows_exist(path):
    for step in steps(load(path)):
        for line in step.get("run", "").splitlines():
            line = line.strip().split(" 2>&1")[0].split(" ||")[0]
            line = re.sub(r'"\$\w+"', "1", line)  # a shell variable stands for a value of the event
            if line.startswith("atlas "):
                cli.parser().parse_args(shlex.split(line)[1:])  # exits on an unknown option


def test_pull_requests_are_checked_with_line_annotations_and_a_site_preview():
    wf = load(GITHUB / "workflows" / "verifier.yml")
    assert "pull_request" in wf["on"]
    assert wf["permissions"] == {"contents": "read"}
    all_steps = steps(wf)
    runs = [s.get("run", "") for s in all_steps]
    assert 'pip install -c constraints.txt -e ".[test]"' in runs  # the lock file, as the README installs
    assert "atlas check --format github" in runs
    assert any(r.startswith("atlas build") for r in runs)
    python = next(s for s in all_steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    upload = next(s for s in all_steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"
    order = [i for i, s in enumerate(all_steps) if s.get("run", "").startswith(("atlas check --format", "atlas build"))]
    assert order == sorted(order) and len(order) == 2  # check first: annotations even when the build would fail


def test_main_is_published_to_github_pages_with_its_own_url():
    wf = load(GITHUB / "workflows" / "publier.yml")
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["jobs"]["deployer"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert wf["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = wf["jobs"]["construire"], wf["jobs"]["deployer"]
    pages = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/configure-pages@"))
    site = next(s for s in build["steps"] if s.get("run", "").startswith("atlas build"))
    assert site["env"]["ATLAS_SITE_URL"] == "${{ steps.%s.outputs.base_url }}/" % pages["id"]
    assert site["env"]["ATLAS_REPO_URL"] == "${{ github.server_url }}/${{ github.repository }}"  # « lien vers le dépôt »
    artifact = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert artifact["with"]["path"].rstrip("/") == "site"
    assert deploy["needs"] == "construire"
    assert deploy["environment"]["name"] == "github-pages"
    step = next(s for s in deploy["steps"] if s.get("uses", "").startswith("actions/deploy-pages@"))
    assert deploy["environment"]["url"] == "${{ steps.%s.outputs.page_url }}" % step["id"]


def test_pull_request_template_is_a_french_checklist():
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert len(items) >= 4
    for words in ("source", "atlas check", "Une seule fiche par collectivité", "À REMPLIR"):
        assert any(words in item for item in items), words


def test_pull_request_check_only_reads_the_repository_and_uses_no_secret():
    workflow = load(GITHUB / "workflows" / "verifier.yml")
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert "secrets." not in (GITHUB / "workflows" / "verifier.yml").read_text(encoding="utf-8")


def test_only_the_deploy_job_can_publish_and_it_runs_nothing_from_the_repository():
    workflow = load(GITHUB / "workflows" / "publier.yml")
    assert not workflow.get("permissions"), "aucun droit au niveau du workflow"
    writers = {name: job for name, job in workflow["jobs"].items()
               if any(v == "write" for v in (job.get("permissions") or {}).values())}
    assert list(writers) == ["deployer"]
    assert writers["deployer"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert all("run" not in step and "actions/deploy-pages@" in step["uses"] for step in writers["deployer"]["steps"])
    build = workflow["jobs"]["construire"]
    assert set(build["permissions"].values()) == {"read"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_event_text_is_pasted_into_a_shell_script(path):
    """Titles, branch names and bodies are attacker-chosen: inside `run:` they would be shell code."""
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name")


def test_dependencies_pin_a_material_without_the_search_xss_and_mkdocs_1():
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert "mkdocs-material>=9.7.7,<10" in deps and "mkdocs>=1.6.1,<2" in deps


def test_form_answers_reach_the_converter_as_data_and_only_the_job_that_runs_nothing_can_write():
    workflow = load(GITHUB / "workflows" / "formulaire.yml")
    assert workflow["on"] == {"issues": {"types": ["opened", "edited"]}}
    assert not workflow.get("permissions")
    convert, propose = workflow["jobs"]["convertir"], workflow["jobs"]["proposer"]
    assert "nouvelle collectivité" in convert["if"]
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "ajouter-ma-collectivite.yml").read_text(encoding="utf-8"))
    assert "nouvelle collectivité" in form["labels"]  # the label the form puts is the one the workflow waits for
    assert convert["permissions"] == {"contents": "read"}
    step = next(s for s in convert["steps"] if "atlas depuis-formulaire" in s.get("run", ""))
    assert step["env"]["CORPS"] == "${{ github.event.issue.body }}"  # through the environment, never in the script
    assert 'printf \'%s\\n\' "$CORPS" > ' in step["run"]
    assert propose["needs"] == "convertir"
    assert propose["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
    script = "\n".join(s.get("run", "") for s in propose["steps"])
    assert "atlas " not in script and "pip " not in script  # the job that can write runs nothing of the atlas
    assert "git apply" in script and "gh pr create" in script and "gh issue comment" in script


@pytest.mark.parametrize("name", ["verifier.yml", "publier.yml"])
def test_builds_in_ci_keep_the_map_images_cache_between_runs(name):
    """The images' cache (.cache/atlas, where the atlas plugin keeps it) is restored before the
    build, keyed by content and code, with the newest earlier cache as fallback."""
    all_steps = steps(load(GITHUB / "workflows" / name))
    cached = [i for i, s in enumerate(all_steps) if s.get("uses", "").startswith("actions/cache@")]
    build = next(i for i, s in enumerate(all_steps) if s.get("run", "").startswith("atlas build"))
    assert len(cached) == 1 and cached[0] < build
    step = all_steps[cached[0]]["with"]
    assert step["path"] == ".cache/atlas" and "hashFiles('content/**'" in step["key"]
    assert step["restore-keys"] and step["key"].startswith(step["restore-keys"])
    from atlas.config import AtlasOptions

    assert dict(AtlasOptions._schema)["dossier_cache"].default == ".cache/atlas"  # where the plugin keeps it


def test_every_install_takes_the_versions_of_the_lock_file():
    """README, .ci/run and each workflow install with constraints.txt: a newcomer, CI and the
    published site get the same versions (PyYAML's build changed a message once)."""
    installs = [line for path in [*WORKFLOWS, REPO / ".ci" / "run", REPO / "README.md", REPO / "CONTRIBUTING.md"]
                for line in path.read_text(encoding="utf-8").splitlines()
                if re.search(r"pip install .*-e", line) and "/tmp/maj" not in line]  # (the lock's own update recipe)
    assert len(installs) >= 5 and all("-c constraints.txt" in line for line in installs), installs
    pinned = {line.split("==")[0].lower() for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
              if "==" in line}
    assert {"pyyaml", "mkdocs", "mkdocs-material", "folium", "geopandas", "hypothesis", "jsonschema"} <= pinned


def test_no_job_a_ticket_triggers_saves_a_cache_the_publication_restores():
    """`issues` events run in the default branch's cache scope: no pip cache, no actions/cache there."""
    workflow = load(GITHUB / "workflows" / "formulaire.yml")
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            assert not step.get("uses", "").startswith("actions/cache"), step
            assert "cache" not in step.get("with", {}), step


def test_the_form_patch_is_checked_before_it_is_applied_and_a_reviewed_branch_is_never_force_pushed():
    workflow = load(GITHUB / "workflows" / "formulaire.yml")
    script = "\n".join(s.get("run", "") for s in workflow["jobs"]["proposer"]["steps"])
    check = script.index("patchcheck.py")
    assert check < script.index("git apply") and "exit 1" in script[check:script.index("git apply")]
    assert "--force" not in script and "push -f" not in script and "+refs" not in script
    assert "git push origin" in script


def test_an_error_report_is_answered_by_a_job_that_reads_and_one_that_only_comments():
    workflow = load(GITHUB / "workflows" / "signalement.yml")
    read, answer = workflow["jobs"]["lire"], workflow["jobs"]["repondre"]
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "signaler-une-erreur.yml").read_text(encoding="utf-8"))
    assert form["labels"][0] in read["if"]
    assert read["permissions"] == {"contents": "read"} and answer["permissions"] == {"issues": "write"}
    step = next(s for s in read["steps"] if "atlas signalement" in s.get("run", ""))
    assert step["env"]["CORPS"] == "${{ github.event.issue.body }}"
    script = "\n".join(s.get("run", "") for s in answer["steps"])
    assert "atlas " not in script and "gh issue comment" in script
