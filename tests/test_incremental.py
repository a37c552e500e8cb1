"""A rebuild writes only what changed, and gives the very site a cold build gives (site/reuse.py).

Each edit a pull request can make is built twice: `atlas build` over the site of the build before
the edit (its unchanged files linked, not written), and from nothing (an empty cache, a new folder).
Every file must be identical, byte for byte (tests/sites.py), and the rebuild must really have kept
files (the same inode as before) — or the test would prove nothing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from repository import Repository, run_atlas
from sites import differences

UNTOUCHED = "cartes/collectivite-arras.png"  # a file none of the edits below changes


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} absent de {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rename_partner(repo: Path) -> None:
    _replace(repo / "content/collectivites/lille.yml", "nom: Naplouse", "nom: Naplouse (Cisjordanie)")


def _remove_collectivite(repo: Path) -> None:
    (repo / "content/collectivites/bailleul.yml").unlink()


def _rename_file(repo: Path) -> None:
    (repo / "content/collectivites/bondues.yml").rename(repo / "content/collectivites/ville-de-bondues.yml")


def _edit_country(repo: Path) -> None:
    _replace(repo / "content/pays/be.yml", "Troisième pays", "Troisième pays (enquête)")


def _edit_hand_written_page(repo: Path) -> None:
    _replace(repo / "docs/methode.md", "title: Méthode", "title: Méthode de l'atlas")


def _edit_published_file(repo: Path) -> None:
    """Someone edits a page of the published folder by hand: the rebuild must not trust it."""
    page = repo / "site/collectivites/arras/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Arras", "Arras (modifié à la main)"), encoding="utf-8")


EDITS = [_rename_partner, _remove_collectivite, _rename_file, _edit_country, _edit_hand_written_page,
         _edit_published_file]


def _build(repo: Path, site: Path) -> None:
    result = run_atlas("build", "--site", str(site), cwd=repo)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository and its site, built once."""
    root = Repository(tmp_path / "depot").root
    _build(root, root / "site")
    return root


def test_each_rebuild_after_an_edit_equals_a_cold_build_file_for_file(repo, tmp_path):
    site = repo / "site"
    for n, edit in enumerate(EDITS):
        before = _inodes(site)
        edit(repo)
        _build(repo, site)
        after = _inodes(site)
        assert after[UNTOUCHED] == before[UNTOUCHED], f"{edit.__name__} : la carte inchangée a été redessinée"
        kept = sum(1 for uri, ino in after.items() if before.get(uri) == ino)
        assert kept > len(after) / 2, f"{edit.__name__} : seuls {kept} fichiers sur {len(after)} repris"

        cold = tmp_path / f"froid-{n}"
        shutil.copytree(repo, cold, symlinks=True, ignore=lambda folder, names: {n for n in names if n in (".cache", "site") or n.startswith(".site")}
                        if folder == str(repo) else set())
        _build(cold, cold / "site")
        assert differences(site, cold / "site") == [], edit.__name__
        shutil.rmtree(cold)
    assert not (site / "collectivites/bailleul").exists()  # removed: no page left behind
    assert not (site / "collectivites/bondues").exists()  # renamed: at its new address only
    assert (site / "collectivites/ville-de-bondues/index.html").is_file()


def test_a_failed_rebuild_leaves_the_previous_site_as_it_was(repo, tmp_path):
    """The kept files are links to the previous site's: nothing of this build may write through one."""
    site = repo / "site"
    snapshot = tmp_path / "avant"
    shutil.copytree(site, snapshot)
    _rename_partner(repo)
    # A hand-written page citing a third-party host: refused by the last check of the build, once
    # every page is written and every kept file linked into the staging folder.
    (repo / "docs/cdn.md").write_text('# CDN\n\n<script src="https://cdn.jsdelivr.net/x.js"></script>\n',
                                      encoding="utf-8")
    result = run_atlas("build", "--site", str(site), cwd=repo)
    assert result.returncode == 1 and "cdn/index.html" in result.stderr
    assert "Aborted" not in result.stderr and "l'ancien site reste intact" in result.stderr  # in French, whole
    assert differences(site, snapshot) == []
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site.neuf-")]


def test_a_manifest_that_cannot_be_trusted_reuses_nothing(repo):
    """Damaged, or the cache turned off (`cache: false`): every file is written anew."""
    site = repo / "site"
    for manifest in (repo / ".cache/atlas/sites").glob("*.json"):
        manifest.write_text('{"version": 1, "files": {"index.html": ["x", 1, 2, 3]}, ', encoding="utf-8")
    before = _inodes(site)
    _build(repo, site)
    after = _inodes(site)
    assert not [uri for uri, ino in after.items() if before.get(uri) == ino]

    _build(repo, site)  # a sound manifest again: files are kept
    kept = _inodes(site)
    assert kept[UNTOUCHED] == after[UNTOUCHED]
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - atlas:\n", "  - atlas:\n      cache: false\n", 1),
                      encoding="utf-8")
    _build(repo, site)
    assert not [uri for uri, ino in _inodes(site).items() if kept.get(uri) == ino]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page(url: str) -> str:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait(condition, seconds: float = 120) -> bool:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_serve_shows_a_saved_file_and_keeps_the_preview_when_it_is_invalid(tmp_path):
    import subprocess
    import sys

    root = Repository(tmp_path / "depot").root
    port = _free_port()
    url = f"http://127.0.0.1:{port}/collectivites/lille/"
    server = subprocess.Popen([sys.executable, "-m", "atlas.cli", "serve", "--adresse", f"127.0.0.1:{port}"],
                              cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait(lambda: "Naplouse" in _page(url)), "l'aperçu ne s'ouvre pas"
        _rename_partner(root)
        assert _wait(lambda: "Naplouse (Cisjordanie)" in _page(url)), "la modification n'apparaît pas"
        lille = root / "content/collectivites/lille.yml"
        lille.write_text(lille.read_text(encoding="utf-8").replace("nom: Lille\n", "nom: [Lille\n", 1), encoding="utf-8")
        _replace(root / "content/collectivites/arras.yml", "nom: Arras\n", "nom: Arras-sur-Scarpe\n")
        assert not _wait(lambda: "Arras-sur-Scarpe" in _page(f"http://127.0.0.1:{port}/collectivites/arras/"), 8)
        assert "Naplouse (Cisjordanie)" in _page(url)  # the previous preview, whole
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "lille.yml" in output and "Traceback" not in output


# -- the manifest itself (site/reuse.py), without a build --

def _site_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    site = tmp_path / "site"
    for uri, data in files.items():
        (site / uri).parent.mkdir(parents=True, exist_ok=True)
        (site / uri).write_bytes(data)
    return site


def _saved(tmp_path: Path, files: dict[str, bytes]):
    from atlas.site import reuse

    site = _site_with(tmp_path, files)
    ledger = reuse.Ledger()
    for uri, data in files.items():
        ledger.keep(uri, reuse.digest(data))
    ledger.save(tmp_path / "cache", site, site)
    return site, reuse.Previous.read(tmp_path / "cache", site)


def test_a_previous_file_is_reused_only_while_it_is_exactly_what_was_written(tmp_path):
    from atlas.site import reuse

    files = {"a/index.html": b"<p>a</p>", "b.json": b"{}", "c.png": b"png", "d.csv": b"x", "e.js": b"1"}
    site, previous = _saved(tmp_path, files)
    assert all(previous.unchanged(uri, reuse.digest(data)) for uri, data in files.items())
    assert not previous.unchanged("a/index.html", reuse.digest(b"<p>autre</p>"))  # another key
    assert not previous.unchanged("nouveau.html", reuse.digest(b""))  # never written
    (site / "b.json").write_bytes(b"[]")  # same size, edited in place
    (site / "c.png").unlink()  # removed
    (site / "d.csv").unlink()
    (site / "d.csv").symlink_to("/etc/hostname")  # replaced by a link
    (site / "e.js").unlink()
    (site / "e.js").write_bytes(b"1")  # replaced by a new file with the same bytes: a new inode
    for uri in ("b.json", "c.png", "d.csv", "e.js"):
        assert not previous.unchanged(uri, reuse.digest(files[uri])), uri


@pytest.mark.parametrize("manifest", ["", "{", "[]", '{"version": 0, "files": {}}', '{"files": []}',
                                      '{"version": null}', "\x00\x01", '{"version": "1:x", "files": {"a": 1}}'])
def test_a_damaged_or_foreign_manifest_reuses_nothing(tmp_path, manifest):
    from atlas.site import reuse

    site, previous = _saved(tmp_path, {"index.html": b"x"})
    for path in (tmp_path / "cache" / reuse.FOLDER).glob("*.json"):
        path.write_text(manifest, encoding="utf-8")
    assert not reuse.Previous.read(tmp_path / "cache", site).unchanged("index.html", reuse.digest(b"x"))


def test_kept_files_are_copied_where_links_are_refused(tmp_path, monkeypatch):
    import errno

    from atlas.site import reuse

    site, previous = _saved(tmp_path, {"a/b/index.html": b"page"})
    ledger = reuse.Ledger(previous)
    assert ledger.keep("a/b/index.html", reuse.digest(b"page"))

    def refuse(*args, **kwargs):
        raise OSError(errno.EXDEV, "autre système de fichiers")

    monkeypatch.setattr(reuse.os, "link", refuse)
    staging = tmp_path / "neuf"
    assert ledger.link_kept(staging) == 1
    assert (staging / "a/b/index.html").read_bytes() == b"page"
    assert (staging / "a/b/index.html").stat().st_ino != (site / "a/b/index.html").stat().st_ino
