"""The built site: every entity has its page, no broken internal link, no CDN, safe failures."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from atlas import urls

ROOT = Path(__file__).resolve().parent.parent
CDN_HOSTS = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|code\.jquery|fonts\.googleapis|fonts\.gstatic"
                       r"|bootstrapcdn|maxcdn|netdna|ajax\.googleapis")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src"):
            if a.get(attr) and not (tag == "link" and a.get("rel") in ("canonical",)):
                self.links.append((tag, a[attr]))


def _page_file(site: Path, url: str) -> Path:
    path = site / unquote(urlparse(url).path).lstrip("/")
    return path / "index.html" if url.endswith("/") or path.is_dir() else path


def test_every_collectivite_country_theme_and_network_has_its_page(built_site, real_atlas):
    atlas, idx = real_atlas
    expected = [urls.collectivite(s) for s in atlas.collectivites] + [urls.country(c) for c in atlas.countries] \
        + [urls.theme(k) for k in atlas.themes] + [urls.network(k) for k in atlas.networks]
    missing = [u for u in expected if not (built_site / u / "index.html").exists()]
    assert not missing
    lille = (built_site / urls.collectivite("lille") / "index.html").read_text(encoding="utf-8")
    assert "Qui d'autre ?" in lille and 'lang="fr"' in lille
    assert lille.count("<iframe") == 1
    # nothing known, nothing drawn: a sentence instead of an empty map (and no embed block)
    unknown = next(c for c in atlas.collectivites.values() if c.partners_unknown)
    page = (built_site / urls.collectivite(unknown.slug) / "index.html").read_text(encoding="utf-8")
    assert "<iframe" not in page and "Intégrer cette carte" not in page and "Partenaires non connus" in page
    # a page per nature of partnership, linked from the themes' index
    for key in {p.nature for p in atlas.partnerships}:
        assert (built_site / urls.nature(key) / "index.html").exists()
    themes = (built_site / "thematiques" / "index.html").read_text(encoding="utf-8")
    assert 'href="../natures/jumelage/"' in themes


def test_no_internal_link_is_broken(built_site):
    broken = []
    checked = 0
    for html in built_site.rglob("*.html"):
        page_url = "http://site/" + html.relative_to(built_site).as_posix()
        parser = _Links()
        parser.feed(html.read_text(encoding="utf-8"))
        for _tag, link in parser.links:
            if link.startswith(("mailto:", "data:", "javascript:", "#")):
                continue
            target = urljoin(page_url, link)
            if not target.startswith("http://site/"):
                continue  # outside links are checked by test_no_page_loads_from_a_cdn
            checked += 1
            path = _page_file(built_site, target[len("http://site"):])
            if not path.exists():
                broken.append(f"{html.relative_to(built_site)} → {link}")
    assert checked > 1000
    assert not broken, "\n".join(broken[:30])


def test_no_page_loads_from_a_cdn(built_site):
    offenders = [str(p.relative_to(built_site)) for p in built_site.rglob("*")
                 if p.suffix in (".html", ".css", ".js") and CDN_HOSTS.search(p.read_text(encoding="utf-8", errors="ignore"))]
    assert not offenders


def test_search_index_finds_words_typed_without_accents(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    senegal = [d for d in index["docs"] if d["location"].startswith(urls.country("SN"))]
    assert senegal and "senegal" in senegal[0]["text"]
    assert any("cooperation" in d["text"] for d in index["docs"])
    assert index["config"]["lang"] == ["fr"]


def test_generated_pages_are_not_written_into_the_repository(built_site):
    tracked = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "docs", "content"],
                             cwd=ROOT, capture_output=True, text=True).stdout
    assert "collectivites/" not in tracked.replace("content/collectivites/", "")
    # the images' cache is kept, never committed
    assert (ROOT / ".cache" / "atlas" / "images").is_dir()
    untracked = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", ".cache"],
                               cwd=ROOT, capture_output=True, text=True).stdout
    assert untracked == ""


def test_broken_content_stops_the_build_and_keeps_the_previous_site(tmp_path, built_site):
    project = tmp_path / "projet"
    project.mkdir()
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "scripts" / "atlas" / "site" / "theme", project / "scripts" / "atlas" / "site" / "theme")
    site = project / "site"
    shutil.copytree(built_site, site)
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    lille = project / "content" / "collectivites" / "lille.yml"
    lille.write_text(lille.read_text(encoding="utf-8").replace("pays: PS", "pays: Palestine", 1), encoding="utf-8")

    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build"], cwd=project, capture_output=True, text=True)

    assert result.returncode == 1
    assert re.search(r"content/collectivites/lille\.yml:\d+: erreur : « Palestine » n'est pas un code pays", result.stdout)
    assert "Traceback" not in result.stdout + result.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before
    assert not list(project.glob(".site.*"))


def test_plain_mkdocs_build_refuses_broken_content_before_touching_the_site(tmp_path):
    project = tmp_path / "projet"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "scripts" / "atlas" / "site" / "theme", project / "scripts" / "atlas" / "site" / "theme")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "site").mkdir()
    (project / "site" / "ancien.html").write_text("ancien site", encoding="utf-8")
    (project / "content" / "collectivites" / "vide.yml").write_text("partenariats: []\n", encoding="utf-8")

    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project, capture_output=True, text=True)

    assert result.returncode != 0
    assert "vide.yml:1: erreur" in result.stderr
    assert (project / "site" / "ancien.html").exists()


def test_privacy_guard_rewrites_material_fallbacks_and_reports_other_cdn_addresses(tmp_path):
    from atlas.site import privacy

    bundle = tmp_path / "assets" / "javascripts" / "bundle.min.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text('x=_t("https://unpkg.com/resize-observer-polyfill");', encoding="utf-8")
    (tmp_path / "assets" / "javascripts" / "bundle.min.js.map").write_text("{}", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text('<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>', encoding="utf-8")

    offenders = privacy.enforce(tmp_path)

    assert "unpkg" not in bundle.read_text(encoding="utf-8")
    assert not (tmp_path / "assets" / "javascripts" / "bundle.min.js.map").exists()
    assert offenders == ["page.html"]


def test_pages_are_written_without_indentation_but_code_examples_keep_theirs(built_site):
    import html as html_lib

    kept = re.compile(r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.S | re.I)
    indented = []
    for page in built_site.rglob("*.html"):
        if page.relative_to(built_site).as_posix() in ("cartes/index.html", "en/cartes/index.html"):
            # each edition's map viewer, written by Folium: not a page
            continue
        text = page.read_text(encoding="utf-8")
        if re.search(r"\n[ \t]+\S", kept.sub("", text)):
            indented.append(str(page.relative_to(built_site)))
    assert not indented, indented[:5]
    guide = (built_site / "contribuer" / "index.html").read_text(encoding="utf-8")
    examples = [html_lib.unescape(re.sub(r"<[^>]+>", "", b)) for b in re.findall(r"<pre\b.*?</pre>", guide, re.S)]
    assert any("\n  - partenaire:\n      nom: Saint-Louis\n" in e for e in examples)


@pytest.mark.parametrize("name, page, loads", [
    ("text", "<p>Voir https://cdn.jsdelivr.net/npm/x.js et //unpkg.com/y</p>", False),
    ("link-to-read", '<a href="https://cdn.jsdelivr.net/npm/x/">la page du CDN</a>', False),
    ("code", "<code>&lt;script src=https://cdnjs.cloudflare.com/x.js&gt;</code>", False),
    ("script", '<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>', True),
    ("protocol-relative", '<img src="//unpkg.com/x.png" alt="">', True),
    ("srcset", '<img srcset="a.png 1x, https://cdnjs.cloudflare.com/b.png 2x" alt="">', True),
    ("stylesheet", '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=X">', True),
    ("preconnect", '<link rel="preconnect" href="https://fonts.gstatic.com">', True),
    ("inline-style", '<div style="background:url(https://cdn.jsdelivr.net/x.png)"></div>', True),
    ("style-import", '<style>@import "https://fonts.googleapis.com/css";</style>', True),
    ("iframe", '<iframe src="https://unpkg.com/x.html" title="x"></iframe>', True),
])
def test_privacy_guard_refuses_what_a_page_loads_from_a_cdn_not_the_words_it_shows(tmp_path, name, page, loads):
    from atlas.site import privacy

    (tmp_path / "page.html").write_text(f"<!doctype html><html><body>{page}</body></html>", encoding="utf-8")
    assert privacy.enforce(tmp_path) == (["page.html"] if loads else [])


def test_privacy_guard_reads_the_loads_of_stylesheets(tmp_path):
    from atlas.site import privacy

    (tmp_path / "a.css").write_text("/* https://cdn.jsdelivr.net/ in a comment */ .x{color:red}", encoding="utf-8")
    (tmp_path / "b.css").write_text(".x{background:url('https://cdn.jsdelivr.net/x.png')}", encoding="utf-8")
    assert privacy.enforce(tmp_path) == ["b.css"]


def test_a_default_build_writes_no_preview_address_anywhere(built_site):
    """Issue 26: a build without ATLAS_SITE_URL wrote http://127.0.0.1:8000/ into 133 pages' canonical
    link (and the sitemap). No address of a preview server, in any attribute of any file."""
    import re

    preview = re.compile(r"""(?:href|src|content|loc)\s*=?\s*["'>]\s*https?://(?:127\.0\.0\.1|localhost|\[::1\])""", re.I)
    found = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*")
             if p.suffix in (".html", ".xml", ".json") and preview.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert not found, found[:5]


def test_search_results_read_as_sentences_and_show_no_contributor_page(built_site, real_atlas):
    """Issue 26: results after the first were keyword dumps (Lille's ran to 20 lines) and « jumelage »
    found the contributors' YAML template second. Each generated page's visible text is now one
    sentence (« Lille — commune (Nord) : 17 partenariats dans 15 pays. »), the names it is found by
    hidden; the contribution guide and its reference are out of the public search."""
    import json
    import re

    atlas, _ = real_atlas
    docs = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    assert not [d["location"] for d in docs if d["location"].startswith("contribuer/")]
    by_location = {d["location"]: d for d in docs}
    for c in atlas.collectivites.values():
        text = by_location[f"collectivites/{c.slug}/"]["text"]
        shown = re.sub(r"<span hidden>.*?</span>", "", text).strip()
        assert shown.startswith(f"{c.name} — ") and shown.endswith(".") and shown.count(". ") == 0, shown
        if c.partnerships:
            assert f"{len(c.partnerships)} partenariat" in shown
            partner = next((p.partner.name for p in c.partnerships if p.partner), None)
            assert partner is None or partner in text  # still found by its partners' names
    lille = re.sub(r"<span hidden>.*?</span>", "", by_location["collectivites/lille/"]["text"]).strip()
    assert lille == "Lille — commune (Nord) : 17 partenariats dans 15 pays."
