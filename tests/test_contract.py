"""One contract, checked by property: what `atlas check` accepts builds, and every output is well-formed.

Hypothesis draws content files from the schemas (tests/contract/strategies.py): collectivités,
a country file, a published table and new entries of sources.yml, reseaux.yml and
thematiques.yml, with text from all of Unicode written raw or as YAML escapes. Each example is
either refused — every problem names a file of the content, a line of it, in French — or built
by `atlas build`, without a traceback, into a site whose every output a strict reader accepts
(tests/contract/wellformed.py). The example budget is fixed and derandomized, so CI runs the
same examples every time; `ATLAS_CONTRACT_EXAMPLES=N` runs more.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from contract import strategies as gen
from contract.wellformed import FORBIDDEN, site_problems

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
KEEP = ["bouvines.yml", "le-portel.yml", "halluin.yml"]  # a small real base: unknown, named and placed partners
EXAMPLES = int(os.environ.get("ATLAS_CONTRACT_EXAMPLES", "25"))
# Shrinking re-runs whole builds: minutes per failure. CI reports the example as drawn;
# ATLAS_CONTRACT_SHRINK=1 shrinks it to a minimal file for a regression test.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if os.environ.get("ATLAS_CONTRACT_SHRINK") else [])
# The large budget (the issue's 10,000 files): every example checked, the accepted ones built together.
LARGE_FILES = int(os.environ.get("ATLAS_CONTRACT_FILES", "0"))
ENGLISH = re.compile(r"\b(Traceback|Error|Exception|object has no attribute|NoneType|KeyError|TypeError|line \d+, in)\b")


def _keys(name: str) -> tuple[str, ...]:
    return tuple(e["cle"] for e in yaml.safe_load((CONTENT / name).read_text(encoding="utf-8")))


BASE = gen.Base(sources=_keys("sources.yml"), themes=_keys("thematiques.yml"), networks=_keys("reseaux.yml"),
                zones=_keys("zones.yml"), countries=tuple(sorted(p.stem.upper() for p in (CONTENT / "pays").glob("*.yml"))))


@st.composite
def contents(draw) -> dict[str, str]:
    """Files to add to (or append to) the base content: relative path → YAML text."""
    raw = draw(st.booleans())  # printable characters raw, or every non-ASCII one escaped
    clean = draw(st.booleans())  # valid references and numbers (mostly accepted, then built), or anything
    files: dict[str, str] = {}
    for i, data in enumerate(draw(st.lists(gen.collectivite(BASE, clean), min_size=1, max_size=3))):
        files[f"collectivites/genere-{i}.yml"] = gen.to_yaml(data, raw)
    if draw(st.booleans()):
        data = draw(gen.country_file(BASE, clean))
        code = data.get("code") if isinstance(data.get("code"), str) and re.fullmatch("[A-Z]{2}", data["code"]) else "XK"
        files[f"pays/{code.lower()}.yml"] = gen.to_yaml(data, raw)
    if draw(st.booleans()):
        files["statistiques/tableau-genere.yml"] = gen.to_yaml(draw(gen.table(BASE, clean)), raw)
    for name, fields in (("sources.yml", ("cle", "titre", "date", "editeur", "description", "site_web")),
                         ("reseaux.yml", ("cle", "nom", "description", "site_web", "sources")),
                         ("thematiques.yml", ("cle", "libelle", "description"))):
        entries = draw(st.lists(gen.list_entry(BASE, fields, clean), max_size=2))
        if entries:
            files["+" + name] = gen.to_yaml(entries, raw)  # appended to the real list
    return files


def _write(root: Path, files: dict[str, str]) -> Path:
    content = root / "content"
    shutil.copytree(CONTENT, content, ignore=lambda d, names: [n for n in names if d.endswith("collectivites") and n not in KEEP])
    for rel, text in files.items():
        if rel.startswith("+"):
            with open(content / rel[1:], "a", encoding="utf-8", newline="") as f:
                f.write(text)
        else:
            (content / rel).write_text(text, encoding="utf-8", newline="", errors="surrogatepass")
    return content


def _project(root: Path) -> Path:
    """The repository's configuration, docs and theme beside a fresh cache: nothing of the
    developer's .cache/atlas is reused, and nothing is written into the repository."""
    for name in ("docs", "scripts"):
        (root / name).symlink_to(REPO / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root / "mkdocs.yml"


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n") + 1
    except OSError:
        return 1


def assert_refusal_is_located_and_french(report, content: Path) -> None:
    for p in report.errors:
        where = content.parent / p.path if not Path(p.path).is_absolute() else Path(p.path)
        assert where.exists() or (content / p.path).exists(), f"le problème ne nomme pas un fichier du contenu : {p.format()}"
        target = where if where.exists() else content / p.path
        assert 1 <= p.line <= max(1, _lines(target) if target.is_file() else 1), f"ligne hors du fichier : {p.format()}"
        assert p.message.strip() and not ENGLISH.search(p.message + p.hint), f"message qui n'est pas du français : {p.format()}"
        assert not FORBIDDEN.search(p.format()), f"le message recopie un caractère invisible tel quel : {p.format()!r}"


def check_then_build(tmp: Path, files: dict[str, str]) -> tuple[str, dict]:
    """The contract for one example: 'refusé' with located French problems, or 'construit' and well-formed."""
    from atlas.content import checker

    content = _write(tmp, files)
    report = checker.check(content)  # never raises: an exception here fails the property
    if not report.ok:
        assert_refusal_is_located_and_french(report, content)
        return "refusé", {}
    config = _project(tmp)
    site = tmp / "site"
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--config", str(config), "--site", str(site),
                             "--contenu", str(content)], cwd=tmp, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "ATLAS_SITE_URL": "https://atlas.example.org/"})
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in output, f"accepté par atlas check, puis la construction échoue :\n{output[-3000:]}"
    return "construit", site_problems(site)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=PHASES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(files=contents())
def test_whatever_atlas_check_accepts_builds_and_every_output_is_well_formed(tmp_path_factory, files):
    tmp = tmp_path_factory.mktemp("contrat")
    outcome, problems = check_then_build(tmp, files)
    note(f"{outcome} : {sorted(files)}")
    assert not problems, f"sorties mal formées : {problems}"
    shutil.rmtree(tmp, ignore_errors=True)


def _merge(examples: list[dict[str, str]]) -> dict[str, str]:
    """Accepted examples as one content: collectivité files renamed apart, list entries appended."""
    merged: dict[str, str] = {}
    for n, files in enumerate(examples):
        for rel, text in files.items():
            if rel.startswith("collectivites/"):
                merged[rel.replace("genere-", f"genere-{n}-")] = text
            elif rel.startswith("+"):
                merged[rel] = merged.get(rel, "") + text
            else:
                merged.setdefault(rel, text)
    return merged


@pytest.mark.skipif(not LARGE_FILES, reason="grand budget : ATLAS_CONTRACT_FILES=10000")
def test_large_budget_of_files_is_checked_and_the_accepted_ones_build_well_formed(tmp_path_factory):
    import time

    from atlas.content import checker

    counts = {"fichiers": 0, "exemples": 0, "refusés": 0, "acceptés": 0, "construits": 0, "constructions": 0}
    accepted: list[dict[str, str]] = []
    started = time.monotonic()

    @settings(max_examples=max(LARGE_FILES, 1), derandomize=True, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(files=contents())
    def one(files):
        if counts["fichiers"] >= LARGE_FILES:
            return
        tmp = tmp_path_factory.mktemp("grand")
        content = _write(tmp, files)
        report = checker.check(content)
        counts["fichiers"] += len(files)
        counts["exemples"] += 1
        if report.ok:
            counts["acceptés"] += 1
            accepted.append(files)
        else:
            counts["refusés"] += 1
            assert_refusal_is_located_and_french(report, content)
        shutil.rmtree(tmp, ignore_errors=True)

    one()
    for i in range(0, len(accepted), 40):
        group = accepted[i:i + 40]
        tmp = tmp_path_factory.mktemp("lot")
        outcome, problems = check_then_build(tmp, _merge(group))
        if outcome == "refusé":  # together they are duplicates of each other: build them one by one
            for files in group[:5]:
                single = tmp_path_factory.mktemp("seul")
                outcome, problems = check_then_build(single, files)
                assert not problems, problems
                counts["constructions"] += 1
        else:
            counts["construits"] += len(group)
            counts["constructions"] += 1
        assert not problems, f"sorties mal formées : {problems}"
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nGrand budget : {counts}, {time.monotonic() - started:.0f} s")


def test_what_the_issue_saw_accepted_then_broken_now_builds_well_formed(tmp_path):
    """The issue's examples of « accepted, then the build fails » in one content: a source without
    a date (what the form writes when « Sources » has no year), a network without sources, a CDN
    address and formula-like names in texts, fullwidth signs; built, and every output well-formed."""
    files = {
        "+sources.yml": '- cle: formulaire-sans-date-42\n  titre: "Délibération du conseil municipal"\n',
        "+reseaux.yml": '- cle: reseau-sans-source\n  nom: "Réseau sans source"\n',
        "collectivites/ville-du-contrat.yml": (
            'nom: "Ville du contrat"\ntype: commune\ndepartement: "59"\n'
            'engagement: "Voir https://cdn.jsdelivr.net/npm/leaflet@1/dist/leaflet.js et <script>alert(1)</script>"\n'
            "sources: [formulaire-sans-date-42]\n"
            "reseaux:\n  - reseau: reseau-sans-source\n    sources: [formulaire-sans-date-42]\n"
            "partenariats:\n"
            '  - partenaire: {nom: "=cmd|\' /C calc\'!A0"}\n    pays: SN\n    nature: jumelage\n    sources: [formulaire-sans-date-42]\n'
            '  - partenaire: {nom: "＝HYPERLINK(1)", alias: [" @SUM(A1)", "\\t-2+3"]}\n    pays: MA\n    nature: jumelage\n'
            "    description: \"Charte signée ; voir https://unpkg.com/x et //cdnjs.cloudflare.com/y\"\n"
            "    sources: [formulaire-sans-date-42]\n"),
    }
    outcome, problems = check_then_build(tmp_path, files)
    assert outcome == "construit"
    assert not problems, problems
    sources_page = (tmp_path / "site" / "sources" / "index.html").read_text(encoding="utf-8")
    assert "Délibération du conseil municipal" in sources_page and "non précisée" in sources_page
