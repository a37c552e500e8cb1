"""The generated pages' cache: a rebuild from the cache gives the very site a build without it gives.

Each edit a pull request can make (a partner renamed, a collectivité renamed, a country file, a
hand-written page's title in the navigation, the site's name) is built twice: with the cache of
the build before the edit, and from an empty cache. Every file must be identical, byte for byte,
and the cached rebuild must have taken most pages from the cache (or the test would prove nothing).
"""
from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from atlas import caches
from repository import Repository

ROOT = Path(__file__).resolve().parents[1]
# The one page with identifiers folium draws at random on every build (not a generated page).
# Only pages are compared: the open data carry the time of the build when the content has no history.
VOLATILE = {"cartes/index.html"}


def _build(tmp_path: Path, monkeypatch, content: Path, docs: Path, cache: Path, name: str, languages=None,
           **config) -> tuple:
    """`languages`: the editions built (default: mkdocs.yml's); hits and stores are the French edition's."""
    from mkdocs.commands import build as mkbuild
    from mkdocs.config import load_config

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ATLAS_CONTENU", str(content))
    site = tmp_path / name
    cfg = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), docs_dir=str(docs), **config)
    plugin = cfg.plugins["atlas"]
    plugin.config.dossier_cache = str(cache)
    plugin.config.cartes_png = False  # the images have their own cache and tests (test_maps.py)
    if languages:
        plugin.config.langues = languages
    mkbuild.build(cfg)
    return site, plugin.run.cache.hits, plugin.run.cache.stored


def _differences(a: Path, b: Path) -> list[str]:
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*.html")}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*.html")}
    out = sorted(files_a ^ files_b)
    out += [f for f in sorted(files_a & files_b - VOLATILE) if not filecmp.cmp(a / f, b / f, shallow=False)]
    return out


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} absent de {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _rename_partner(content, docs):
    _replace(content / "collectivites" / "lille.yml", "nom: Naplouse", "nom: Naplouse (Cisjordanie)")


def _rename_collectivite(content, docs):
    _replace(content / "collectivites" / "lille.yml", "nom: Lille\n", "nom: Lille-en-Flandre\n")


def _edit_country(content, docs):
    _replace(content / "pays" / "be.yml", "Troisième pays", "Troisième pays (enquête)")


def _rename_hand_written_page(content, docs):
    _replace(docs / "methode.md", "title: Méthode", "title: Méthode de l'atlas")


EDITS = [_rename_partner, _rename_collectivite, _edit_country, _rename_hand_written_page]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_a_rebuild_from_the_cache_equals_a_build_without_it(edit, tmp_path, monkeypatch, content_copy):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    cache = tmp_path / "cache"
    before, _, stored = _build(tmp_path, monkeypatch, content_copy, docs, cache, "avant")
    assert stored > 100  # every generated page went into the cache
    edit(content_copy, docs)
    warm, hits, rendered = _build(tmp_path, monkeypatch, content_copy, docs, cache, "reprise")
    cold, _, _ = _build(tmp_path, monkeypatch, content_copy, docs, tmp_path / "vide", "neuf")
    assert _differences(warm, cold) == []
    assert _differences(before, cold), "la modification ne change rien au site : le test ne prouverait rien"
    if edit in (_rename_partner, _rename_collectivite):  # a collectivité's edit: only the pages showing it
        assert hits > 0 and rendered > 0


def test_a_change_of_site_name_renders_every_page_again(tmp_path, monkeypatch, content_copy):
    cache = tmp_path / "cache"
    _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, "avant")
    warm, hits, rendered = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, "reprise",
                                  site_name="Atlas renommé")
    cold, _, _ = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", tmp_path / "vide", "neuf",
                        site_name="Atlas renommé")
    assert hits == 0 and rendered > 100
    assert _differences(warm, cold) == []


def test_a_damaged_or_foreign_cache_entry_is_rendered_again(tmp_path, monkeypatch, content_copy):
    cache = tmp_path / "cache"
    _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, "avant", languages=["fr"])
    entries = sorted((cache / "pages").glob("*/*.html"))
    entries[0].write_bytes(b"\xff\xfe pas une page")
    entries[1].write_text("<script>alert('cache empoisonné')</script>", encoding="utf-8")
    entries[2].write_bytes(b"")
    warm, hits, rendered = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, "reprise", languages=["fr"])
    cold, _, _ = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", tmp_path / "vide", "neuf", languages=["fr"])
    assert 3 <= rendered < 10  # (the data page may follow the clock: its exports carry the build's time)
    for entry in entries[:3]:
        assert caches.unseal(entry.read_bytes()).lstrip().startswith(b"<!doctype html>")  # rendered, stored again (sealed)
    assert _differences(warm, cold) == []


def test_a_cut_linked_or_planted_page_entry_is_never_published(tmp_path, monkeypatch, content_copy):
    """The cache is trusted only as the build wrote it: an entry cut short, a link to a file
    outside the cache (even one holding a well-sealed page), a folder in place of a file, or a
    page planted without its end are rendered again; none of their text reaches the site."""
    cache = tmp_path / "cache"
    _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, "avant", languages=["fr"])
    entries = sorted((cache / "pages").glob("*/*.html"))
    secret = "CONTENU-HORS-DU-CACHE"
    outside = tmp_path / "ailleurs.html"
    outside.write_bytes(caches.seal(f"<!doctype html><html><body>{secret}</body></html>".encode()))
    entries[0].write_bytes(entries[0].read_bytes()[:300])
    entries[1].unlink()
    entries[1].symlink_to(outside)
    entries[2].unlink()
    entries[2].mkdir()
    entries[3].write_bytes(caches.seal(f"<!doctype html><html><body>{secret}".encode()))
    linked_folder = sorted(p for p in (cache / "pages").iterdir() if p.is_dir() and p not in {e.parent for e in entries[:4]})[0]
    moved = tmp_path / "dossier-deplace"
    shutil.move(linked_folder, moved)
    linked_folder.symlink_to(moved, target_is_directory=True)  # a link on the way to the entry
    for entry in moved.glob("*.html"):
        entry.write_bytes(caches.seal(f"<!doctype html><html><body>{secret}</body></html>".encode()))
    planted = {p.name: p.read_bytes() for p in moved.iterdir()}
    warm, hits, rendered = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, "reprise", languages=["fr"])
    cold, _, _ = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", tmp_path / "vide", "neuf", languages=["fr"])
    # rendered again and stored: the cut, linked and planted entries (a folder in place of an entry,
    # and the linked folder, are rendered but not written to: nothing is written through a link)
    assert rendered >= 3
    assert {p.name: p.read_bytes() for p in moved.iterdir()} == planted
    assert not [p for p in warm.rglob("*.html") if secret in p.read_text(encoding="utf-8")]
    assert _differences(warm, cold) == []


def test_a_context_value_without_fingerprint_is_refused():
    """A new kind of value in a page's context must be given a fingerprint, never ignored
    (an ignored value would leave pages stale after an edit)."""
    from atlas.site import pagecache

    with pytest.raises(TypeError, match="fingerprint"):
        pagecache.fingerprint({"c": object()}, {})


class _Repository(Repository):
    """The atlas in a git repository, built as CI does; `entries`: the page cache's files."""

    def __init__(self, tmp_path: Path):
        super().__init__(tmp_path / "depot", env={"ATLAS_REPO_URL": "https://github.com/exemple/atlas"})

    def entries(self) -> set[str]:
        return {p.name for p in (self.root / ".cache" / "atlas" / "pages").glob("*/*.html")}


def test_a_new_commit_leaves_the_pages_it_does_not_change_in_the_cache(tmp_path):
    """Pages link each file's own history, not the checkout's commit: after a commit that touches
    no collectivité (here a hand-written page's text), every generated page comes from the cache."""
    repo = _Repository(tmp_path)
    assert repo.build().returncode == 0
    before = repo.entries()
    assert len(before) > 100
    about = repo.root / "docs" / "a-propos.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    repo.git("commit", "-q", "-am", "À propos")
    assert repo.build().returncode == 0
    # Only the data page of each edition (French, English) is new: it names the commit its open data are the version of.
    assert len(repo.entries() - before) == 2
    assert "historique des modifications" in (repo.root / "site" / "collectivites" / "lille" / "index.html").read_text()


def test_a_cache_committed_with_a_pull_request_is_refused(tmp_path):
    """A pull request that commits a finished page into .cache/ (forced past .gitignore) would have
    it published as it is, past every check and every escaping: the build refuses, in French,
    naming the files and the command that removes them, and the old site stays."""
    repo = _Repository(tmp_path)
    assert repo.build().returncode == 0
    lille = repo.root / "site" / "collectivites" / "lille" / "index.html"
    published = lille.read_text(encoding="utf-8")
    planted = sorted((repo.root / ".cache" / "atlas" / "pages").glob("*/*.html"))[0]
    planted.write_text("<!doctype html><script>alert('piégé')</script>", encoding="utf-8")
    repo.git("add", "-f", str(planted))
    repo.git("commit", "-q", "-m", "Une page toute faite")
    result = repo.build()
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "sont versionnés dans le dépôt" in result.stderr and planted.name in result.stderr
    assert "git rm -r --cached" in result.stderr
    assert lille.read_text(encoding="utf-8") == published


def test_other_plugins_change_a_page_from_the_cache_once_as_a_rendered_one(tmp_path, monkeypatch, content_copy):
    """The cache keeps the theme's page: a plugin (here a hook) changing pages after it does so on
    every build, once, whether the page was rendered or taken from the cache."""
    hook = tmp_path / "crochet.py"
    hook.write_text("def on_post_page(output, page, config):\n    return output + '<!-- crochet -->'\n",
                    encoding="utf-8")
    cache = tmp_path / "cache"
    for name in ("avant", "reprise"):
        site, hits, _ = _build(tmp_path, monkeypatch, content_copy, ROOT / "docs", cache, name, hooks=[str(hook)])
        assert (site / "collectivites" / "lille" / "index.html").read_text(encoding="utf-8").count("crochet") == 1
    assert hits > 100


def test_every_setting_of_a_script_is_part_of_the_pages_key(monkeypatch):
    """`extra_javascript` entries are mappings (path, defer, async, type): a script turned deferred
    changes every page, so no page of the cache may be reused with the old attribute."""
    from types import SimpleNamespace

    from mkdocs.config import load_config

    from atlas.site import pagecache

    monkeypatch.chdir(ROOT)
    nav = SimpleNamespace(items=[])
    keys = set()
    for defer in (True, False):
        cfg = load_config(str(ROOT / "mkdocs.yml"))
        cfg["extra_javascript"][0]["defer"] = defer
        keys.add(pagecache.site_key(cfg, nav, {}))
    assert len(keys) == 2
