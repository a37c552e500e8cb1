"""Contributor text is data: payloads in every free-text field of every content kind stay text.

A copy of the real content gets the same hostile text appended to every free-text field
(collectivités, partners, partnerships, projects, organisation, sources, countries, published
tables, themes, networks, zones). The site is built, then Chromium opens each page that shows
those fields, the map pages and the search results: no dialog, no element the payload would have
created, no `javascript:` link, and the payload readable as plain text.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from atlas import urls

from .conftest import serve

ROOT = Path(__file__).resolve().parents[2]
MARK = "Zorglub"  # a word found nowhere else, to look the payload up in search
PAYLOAD = (f' {MARK} <script>alert("script")</script><img src=x onerror="alert(\'img\')">'
           '<iframe src="javascript:alert(\'iframe\')"></iframe> [lien](javascript:alert("md")) '
           '{{ cycler.__init__.__globals__.os.popen("touch /tmp/atlas-pwned").read() }} '
           '@@ATLAS-DONNEES@@ @@ATLAS-ETIQUETTE@@ " autofocus onfocus="alert(\'attr\')')
FREE_TEXT = {
    "collectivites": {"nom", "alias", "engagement", "region", "description", "titre", "precision", "cofinanceurs",
                      "acteurs_ici", "acteurs_la_bas", "libelle", "unite"},
    "pays": {"introduction", "groupes", "libelle", "note", "unite"},
    "statistiques": {"titre", "perimetre", "note", "libelle", "unite"},
    "sources.yml": {"titre", "editeur", "description"},
    "thematiques.yml": {"libelle", "description"},
    "reseaux.yml": {"nom", "description"},
    "zones.yml": {"libelle"},
}
VISIBLE = '<script>alert("script")</script>'


# Shorter payloads for the fields `atlas check` bounds (a name, a unit): the longest that fits.
SHORTER = [f' {MARK} {VISIBLE}<img src=x onerror="alert(\'img\')">{{{{ 7*7 }}}}', f" {MARK} {VISIBLE}"]


def _limits() -> dict[str, int]:
    """The smallest maxLength each field name has in the schemas."""
    found: dict[str, int] = {}

    def walk(node, name=None):
        if isinstance(node, dict):
            if name and isinstance(node.get("maxLength"), int):
                found[name] = min(found.get(name, 10**9), node["maxLength"])
            for k, v in node.items():
                walk(v, k if k not in ("properties", "items", "$defs", "oneOf") else name)
        elif isinstance(node, list):
            for v in node:
                walk(v, name)
    for path in (ROOT / "scripts" / "atlas" / "schemas").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


LIMITS = _limits()


def poison(value, keys: set, key=None):
    if isinstance(value, dict):
        return {k: poison(v, keys, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, keys, key) for v in value]
    if isinstance(value, str) and key in keys:
        room = LIMITS.get(key, 10**9)
        fitting = [p for p in (PAYLOAD, *SHORTER) if len(value) + len(p) <= room]
        return value + fitting[0] if fitting else (MARK + " " + VISIBLE)[:room]
    return value


def poison_file(path: Path, keys: set) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(poison(data, keys), allow_unicode=True, sort_keys=False, width=10_000),
                    encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    for name, keys in FREE_TEXT.items():
        for path in ([content / name] if name.endswith(".yml") else sorted((content / name).glob("*.yml"))):
            poison_file(path, keys)
    # a partner given a web site that tries to leave its attribute
    lille = content / "collectivites" / "lille.yml"
    data = yaml.safe_load(lille.read_text(encoding="utf-8"))
    data["site_web"] = 'https://example.org/"><script>alert("site")</script>'
    lille.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")
    site = work / "site"
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--contenu", str(content), "--site", str(site)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not Path("/tmp/atlas-pwned").exists(), "a template in the content was executed"
    return site


INJECTED = """() => {
  const found = [];
  for (const s of document.querySelectorAll('script')) {
    if (!s.src && s.type !== 'application/json' && s.textContent.includes('alert(')) found.push('script: ' + s.textContent.slice(0, 80));
  }
  for (const el of document.querySelectorAll('[onerror],[onfocus],[onload],[autofocus]')) found.push('attribute on ' + el.tagName);
  for (const el of document.querySelectorAll('iframe[src^="javascript" i], a[href^="javascript" i]')) found.push('link ' + el.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll('img[src="x"]')) found.push('img');
  return found;
}"""


def visit(page, url: str, dialogs: list) -> list[str]:
    page.goto(url, wait_until="networkidle")
    page.keyboard.press("Tab")  # focus moves: an injected onfocus/autofocus would fire
    page.wait_for_timeout(100)
    return page.evaluate(INJECTED) + dialogs


@pytest.fixture(scope="module")
def hostile(hostile_site, browser):
    server, url = serve(hostile_site)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"dialog: {d.message}"), d.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.fulfill(status=200, body=b""))
    yield page, url, dialogs
    context.close()
    server.shutdown()


PAGES = ["", "collectivites/", "collectivites/lille/", "collectivites/ca-saint-omer/", "pays/", "pays/senegal/", "pays/maroc/",
         "thematiques/", "reseaux/", "sources/", "statistiques/", "contribuer/reference/"]


@pytest.mark.parametrize("path", PAGES)
def test_payloads_in_content_stay_text_on_the_page(hostile, path):
    page, url, dialogs = hostile
    dialogs.clear()
    assert visit(page, url + path, dialogs) == []
    assert VISIBLE in page.text_content("article"), "the payload should be readable as text"


def test_payloads_stay_text_on_theme_and_network_pages(hostile, hostile_site):
    page, url, dialogs = hostile
    for folder in ("thematiques", "reseaux"):
        first = sorted(p.parent.name for p in (hostile_site / folder).glob("*/index.html"))[0]
        dialogs.clear()
        assert visit(page, f"{url}{folder}/{first}/", dialogs) == [], folder
        assert VISIBLE in page.text_content("article")


def test_payloads_stay_data_on_the_map_pages(hostile, hostile_site):
    page, url, dialogs = hostile
    maps = sorted((hostile_site / "cartes").glob("*.json"))
    chosen = [m.stem for m in maps if m.stem in ("monde", "liens", "collectivite-lille")]
    assert len(chosen) == 3, [m.name for m in maps][:10]
    for map_id in chosen:
        dialogs.clear()
        assert visit(page, url + urls.map_html(map_id), dialogs) == [], map_id
        page.locator("[data-pret]").wait_for()
        popups = page.locator("path.atlas-marqueur, path.atlas-lien")
        if popups.count():  # a popup writes names into the page: they must stay text
            popups.first.click(force=True)
            page.wait_for_timeout(200)
            assert page.evaluate(INJECTED) + dialogs == [], map_id
        if map_id == "liens":  # its legend names the region, a contributor's text: shown, never markup
            legend = page.locator(".atlas-legende")
            assert MARK in legend.inner_text() and legend.locator("img, script, iframe").count() == 0
        title = page.text_content(".atlas-titre") or ""
        assert MARK in title or map_id in ("monde", "liens")  # the page's title, set as text
        label = page.get_attribute(".atlas-carte", "aria-label") or ""
        assert '":' not in label and "[[" not in label, "map data leaked into an attribute"
        assert MARK in label or map_id in ("monde", "liens")


def test_payloads_stay_text_in_the_search_results(hostile):
    page, url, dialogs = hostile
    dialogs.clear()
    page.goto(url, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type(MARK.lower(), delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    assert page.evaluate(INJECTED) + dialogs == []
    assert "<script>" in page.inner_text(".md-search-result")


def test_exports_keep_the_payload_as_inert_text(hostile_site):
    import csv
    import json

    data = json.loads((hostile_site / "donnees" / "atlas.json").read_text(encoding="utf-8"))
    assert MARK in json.dumps(data, ensure_ascii=False)
    rows = list(csv.DictReader((hostile_site / "donnees" / "partenariats.csv").open(encoding="utf-8")))
    assert any(MARK in r["collectivite"] for r in rows)
