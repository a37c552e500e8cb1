"""One pipeline (atlas.pipeline) that the plugin, `atlas build`, the benchmark and the tests call."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from atlas import pipeline
from atlas.commands import build
from atlas.config import Settings
from atlas.content import checker

ROOT = Path(__file__).resolve().parents[1]


def test_atlas_build_checks_the_content_once(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    pipeline._load.cache_clear()  # a result kept by an earlier test would hide the count
    calls = []
    real = checker.check
    monkeypatch.setattr(checker, "check", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert build.run(config=ROOT / "mkdocs.yml", site_dir=tmp_path / "site") == 0
    assert len(calls) == 1, "le contenu est vérifié une seule fois par construction"
    assert (tmp_path / "site" / "collectivites" / "lille" / "index.html").is_file()


def test_load_is_read_again_when_a_file_of_the_content_changes(content_copy):
    first = pipeline.load(content_copy)
    assert pipeline.load(content_copy) is first
    lille = content_copy / "collectivites" / "lille.yml"
    lille.write_text(lille.read_text(encoding="utf-8").replace("nom: Lille", "nom: Lille ", 1), encoding="utf-8")
    os.utime(lille, ns=(lille.stat().st_atime_ns, lille.stat().st_mtime_ns + 1_000_000_000))
    assert pipeline.load(content_copy) is not first


def test_invalid_content_raises_one_error_carrying_the_report(content_copy):
    bad = content_copy / "collectivites" / "casse.yml"
    shutil.copyfile(ROOT / "tests" / "corpus" / "pays-en-toutes-lettres.yml", bad)
    with pytest.raises(pipeline.ContentError) as caught:
        pipeline.load(content_copy)
    assert any(p.path.endswith("casse.yml") for p in caught.value.report.errors)


def test_generate_hands_every_stage_its_output_and_times_it(content_copy):
    files: dict[str, bytes | str] = {}
    loaded = pipeline.load(content_copy)
    out = pipeline.generate(loaded, Settings(png=False), files.__setitem__)
    out.images.cancel()
    assert {"check", "load", "index", "history"} <= set(loaded.timings)
    assert {"maps", "exports", "news", "pages"} <= set(out.timings)
    assert "donnees/partenariats.csv" in files and "collectivites/lille.md" in files
    assert "<h1" in files["collectivites/lille.md"]  # pages emitted as their HTML by default


@pytest.mark.parametrize("given, public", [
    ("https://atlas.example.org/npdc", "https://atlas.example.org/npdc/"),
    ("http://127.0.0.1:8000/", ""), ("http://localhost:8000/", ""), ("http://[::1]:8000/", ""),
    ("", ""), (None, ""), ("/relatif/", ""),
])
def test_only_a_public_site_address_is_used_in_what_readers_copy(given, public):
    from atlas import urls

    assert urls.public(given) == public
