"""`atlas serve`'s first pass (commands/preview.py): after a save, the saved collectivité's page is
shown before the full rebuild, as the rebuild writes it; the rebuild that follows still gives the
site a cold build gives; the pass stands aside whenever it could be wrong.

Run in this process, as `atlas serve` runs them: the content's records, the checker's cache and the
last build are kept from one rebuild to the next.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from repository import Repository, run_atlas
from sites import differences

URL = "http://127.0.0.1:8765/"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} absent de {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A repository, its preview built once as `atlas serve` builds it, and the build it keeps."""
    from atlas.commands import build, preview

    repo = Repository(tmp_path / "depot").root
    monkeypatch.chdir(repo)
    site = tmp_path / "apercu" / "site"
    kept: list = [None]

    def rebuild() -> None:
        assert build.run(repo / "mkdocs.yml", site_dir=site, serve_url=URL,
                         built=lambda cfg: kept.__setitem__(0, preview.Snapshot.of(cfg))) == 0

    rebuild()
    assert kept[0] is not None
    return repo, site, kept, rebuild


def _cold(repo: Path, tmp_path: Path) -> Path:
    """The same content built from nothing, at the preview's address."""
    copy = tmp_path / "froid"
    shutil.copytree(repo, copy, ignore=lambda folder, names: [".cache", "site"] if Path(folder) == repo else [])
    result = run_atlas("build", "--site", str(copy / "site"), cwd=copy,
                       env={"ATLAS_SITE_URL": URL})
    assert result.returncode == 0, result.stderr
    return copy / "site"


def test_first_pass_shows_the_saved_page_as_the_rebuild_writes_it_and_the_rebuild_equals_a_cold_build(served, tmp_path):
    from atlas.commands import preview

    repo, site, kept, rebuild = served
    _replace(repo / "content/collectivites/lille.yml", "nom: Naplouse", "nom: Naplouse (Cisjordanie)")
    written = preview.first_pass(kept[0], site)
    page = "collectivites/lille/index.html"
    assert page in written and "cartes/collectivite-lille.json" in written
    assert any(uri.startswith("pays/") for uri in written)  # the pages of its countries too
    assert any(uri.startswith("cartes/pays-") for uri in written)  # and their maps' data
    first = {uri: (site / uri).read_bytes() for uri in written}
    assert "Naplouse (Cisjordanie)" in first[page].decode()
    assert "Naplouse (Cisjordanie)" in first["cartes/collectivite-lille.json"].decode()
    rebuild()
    # the rebuild writes the very files shown first (pages, maps' data)
    assert [uri for uri in written if (site / uri).read_bytes() != first[uri]] == []
    assert differences(site, _cold(repo, tmp_path)) == []


def test_first_pass_stands_aside_when_more_than_collectivites_changed(served):
    from atlas.commands import preview

    repo, site, kept, rebuild = served
    before = {p: p.stat().st_ino for p in site.rglob("*.html")}
    _replace(repo / "content/pays/be.yml", "Troisième pays", "Troisième pays (enquête)")  # a country file
    assert preview.first_pass(kept[0], site) == []
    _replace(repo / "content/pays/be.yml", "Troisième pays (enquête)", "Troisième pays")
    (repo / "content/collectivites/bondues.yml").rename(repo / "content/collectivites/ville-de-bondues.yml")
    assert preview.first_pass(kept[0], site) == []  # a renamed file: the navigation changes
    (repo / "content/collectivites/ville-de-bondues.yml").rename(repo / "content/collectivites/bondues.yml")
    _replace(repo / "docs/methode.md", "title: Méthode", "title: Méthode de l'atlas")  # a hand-written page
    _replace(repo / "content/collectivites/lille.yml", "nom: Naplouse", "nom: Naplouse (Cisjordanie)")
    assert preview.first_pass(kept[0], site) == []
    assert {p: p.stat().st_ino for p in site.rglob("*.html")} == before  # nothing written


def test_first_pass_stands_aside_for_invalid_content_and_the_preview_stays(served):
    from atlas.commands import preview

    repo, site, kept, rebuild = served
    lille = repo / "content/collectivites/lille.yml"
    page = (site / "collectivites/lille/index.html").read_bytes()
    _replace(lille, "nom: Lille\n", "nom: [Lille\n")
    assert preview.first_pass(kept[0], site) == []
    assert (site / "collectivites/lille/index.html").read_bytes() == page


def test_serve_shows_a_saved_page_before_its_rebuild_ends(tmp_path):
    """Through the preview server: the page changes, then the rebuild's end is announced."""
    import subprocess
    import sys
    import time

    from test_incremental import _free_port, _page, _wait

    root = Repository(tmp_path / "depot").root
    port = _free_port()
    url = f"http://127.0.0.1:{port}/collectivites/lille/"
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "atlas.cli", "serve", "--adresse", f"127.0.0.1:{port}"],
                                  cwd=root, stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            assert _wait(lambda: "Naplouse" in _page(url)), "l'aperçu ne s'ouvre pas"
            _replace(root / "content/collectivites/lille.yml", "nom: Naplouse", "nom: Naplouse (Cisjordanie)")
            assert _wait(lambda: "Naplouse (Cisjordanie)" in _page(url)), "la modification n'apparaît pas"
            assert _wait(lambda: log.read_text().count("Aperçu à jour") >= 2, 60)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    output = log.read_text()
    assert "montré(s) d'abord" in output and "Traceback" not in output
