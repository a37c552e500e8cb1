"""`atlas synth`: a deterministic, valid, realistically shaped synthetic corpus."""
from __future__ import annotations

import hashlib
import statistics
from pathlib import Path

import pytest
import yaml

from atlas.commands import synth
from atlas.content import checker

SMALL = {"collectivites": 60, "partnerships": 150, "countries": 20}


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "contenu"
    synth.write(out, seed=7, **SMALL)
    return out


def _collectivites(folder: Path) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((folder / "collectivites").glob("*.yml"))]


def test_same_seed_same_bytes(small, tmp_path):
    again = tmp_path / "encore"
    synth.write(again, seed=7, **SMALL)
    assert _digest(again) == _digest(small)
    synth.write(again, seed=7, **SMALL)  # rewriting the same folder: no stale or changed file
    assert _digest(again) == _digest(small)
    other = tmp_path / "autre"
    synth.write(other, seed=8, **SMALL)
    assert _digest(other) != _digest(small)


def test_small_corpus_passes_the_checker_with_requested_counts(small):
    report = checker.check(small)
    assert report.errors == [], "\n".join(p.format() for p in report.errors[:20])
    assert not report.problems  # not even a warning: every country used has its file
    docs = _collectivites(small)
    assert len(docs) == SMALL["collectivites"] == len(report.collectivites)
    parts = [p for d in docs if isinstance(d["partenariats"], list) for p in d["partenariats"]]
    assert len(parts) == SMALL["partnerships"]
    used = sorted({p["pays"] for p in parts})
    assert len(used) == SMALL["countries"]
    assert sorted(f.stem.upper() for f in (small / "pays").glob("*.yml")) == used
    assert len(list((small / "statistiques").glob("*.yml"))) == 1
    for name in synth.LIST_FILES:
        assert (small / name).is_file()
    assert all("synthétique" in d["nom"] for d in docs)
    assert len({d["code"] for d in docs}) == len(docs)


def test_shapes_are_realistic(small):
    docs = _collectivites(small)
    counts = [len(d["partenariats"]) for d in docs if isinstance(d["partenariats"], list)]
    assert max(counts) >= 5 * statistics.median(counts)  # long tail: a few with dozens, most with one or two
    assert {d["type"] for d in docs} == {"commune", "intercommunalite", "departement", "region"}
    assert sum(d["type"] == "commune" for d in docs) > len(docs) / 2
    parts = [p for d in docs if isinstance(d["partenariats"], list) for p in d["partenariats"]]
    unknown = sum(p["partenaire"] == "inconnu" for p in parts) / len(parts)
    assert 0.15 < unknown < 0.45
    located = [p["partenaire"]["coordonnees"] for p in parts if isinstance(p["partenaire"], dict)
               and "coordonnees" in p["partenaire"]]
    assert located and all(c["approximatif"] is True for c in located)
    assert any(p.get("projets") for p in parts) and any(not p.get("projets") for p in parts)
    by_country: dict[str, int] = {}
    for p in parts:
        by_country[p["pays"]] = by_country.get(p["pays"], 0) + 1
    assert max(by_country, key=by_country.get) in synth.COUNTRY_ORDER[:5]  # Germany, UK, Belgium... first


def test_refuses_to_overwrite_real_content(tmp_path):
    (tmp_path / "collectivites").mkdir()
    (tmp_path / "collectivites" / "lille.yml").write_text("nom: Lille\n", encoding="utf-8")
    with pytest.raises(ValueError):
        synth.write(tmp_path, collectivites=5, partnerships=5, countries=2)
    assert (tmp_path / "collectivites" / "lille.yml").read_text(encoding="utf-8") == "nom: Lille\n"


def test_a_mistake_in_a_national_sized_corpus_is_reported_with_its_line(tmp_path):
    """Above PARALLEL_MIN_FILES the checker spreads files over processes: same messages, same lines."""
    from atlas.commands import synth
    from atlas.content import checker

    out = tmp_path / "grand"
    synth.write(out, collectivites=checker.PARALLEL_MIN_FILES + 50, partnerships=checker.PARALLEL_MIN_FILES * 2,
                countries=30, seed=3)
    victim = sorted((out / "collectivites").glob("*.yml"))[-1]
    lines = victim.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("pays:"))
    lines[number - 1] = lines[number - 1].split("pays:")[0] + "pays: Maroc"
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = checker.check(out)

    assert len(report.collectivites) == checker.PARALLEL_MIN_FILES + 49
    assert [(p.path.endswith(victim.name), p.line) for p in report.errors] == [(True, number)]
    assert "n'est pas un code pays" in report.errors[0].message and "MA" in report.errors[0].hint
