"""Editions (issue 29): French at the site root, each other language of `langues` under <lang>/,
page for page, each page linking its counterparts; a region can publish French only; a wrong
`langues` is refused in French before anything is written."""
from __future__ import annotations

import gzip
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from repository import Repository

FRENCH_ONLY = ("contribuer/",)  # the contribution guide: for the town halls, in French
_SWITCH = re.compile(r'<nav class="atlas-langues"[^>]*>(.*?)</nav>', re.S)
_LINK = re.compile(r'<a href="([^"]+)" hreflang="([a-z]+)" lang="\2">')


def _switch(html: str) -> dict[str, str]:
    """The language switch's links: language → address."""
    found = _SWITCH.search(html)
    return {lang: href for href, lang in _LINK.findall(found.group(1))} if found else {}


def _pages(folder: Path, skip: str = "") -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("index.html")
            if not (skip and p.relative_to(folder).as_posix().startswith(skip))}


def test_every_page_is_in_both_editions_but_the_french_contribution_guide(built_site):
    french, english = _pages(built_site, skip="en/"), _pages(built_site / "en")
    assert len(english) > 100
    assert english <= french
    assert {p for p in french - english} == {p for p in french if p.startswith(FRENCH_ONLY)}


@pytest.mark.parametrize("page", ["index.html", "collectivites/lille/index.html", "pays/senegal/index.html",
                                  "thematiques/sante/index.html", "methode/index.html", "statistiques/index.html"])
def test_each_page_says_its_language_and_links_its_counterpart_both_ways(built_site, page):
    for lang, path in (("fr", page), ("en", f"en/{page}")):
        html = (built_site / path).read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html
        other = "en" if lang == "fr" else "fr"
        links = _switch(html)
        assert set(links) == {other}, path
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), links[other], "index.html"))
        assert target == (page if other == "fr" else f"en/{page}"), (path, links)
        # not as <link rel="alternate" hreflang>: Material's script would fetch sitemap.xml beside each
        assert 'rel="alternate" hreflang' not in html


def test_the_guide_s_counterpart_is_the_english_home(built_site):
    html = (built_site / "contribuer/index.html").read_text(encoding="utf-8")
    assert posixpath.normpath(posixpath.join("contribuer", _switch(html)["en"])) == "en"


def test_each_edition_has_its_own_search_index_in_its_language(built_site):
    french = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    english = json.loads((built_site / "en/search/search_index.json").read_text(encoding="utf-8"))
    assert french["config"]["lang"] == ["fr"] and english["config"]["lang"] == ["en"]
    assert any(d["location"] == "pays/senegal/" and d["title"].startswith("Sénégal") for d in french["docs"])
    assert any(d["location"] == "pays/senegal/" and d["title"].startswith("Senegal") for d in english["docs"])


def test_the_sitemap_lists_both_editions_each_page_with_its_alternates(tmp_path):
    repo = Repository(tmp_path / "depot", env={"ATLAS_SITE_URL": "https://atlas.example.org/"})
    result = repo.build()
    assert result.returncode == 0, result.stderr
    site = repo.root / "site"
    text = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode("utf-8") == text
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = ET.fromstring(text.encode("utf-8")).findall("s:url", ns)
    locs = {u.find("s:loc", ns).text: {a.get("hreflang"): a.get("href") for a in u.findall("x:link", ns)} for u in urls}
    lille_fr = "https://atlas.example.org/collectivites/lille/"
    lille_en = "https://atlas.example.org/en/collectivites/lille/"
    assert locs[lille_fr] == {"fr": lille_fr, "en": lille_en} == locs[lille_en]
    assert len([u for u in locs if u.startswith("https://atlas.example.org/en/")]) > 100


def _set_languages(repo: Repository, value: str) -> None:
    config = repo.root / "mkdocs.yml"
    text = re.sub(r"(?m)^      langues: .*$", f"      langues: {value}", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")


def test_a_region_can_publish_french_only(tmp_path):
    repo = Repository(tmp_path / "depot")
    _set_languages(repo, "[fr]")
    result = repo.build()
    assert result.returncode == 0, result.stderr
    site = repo.root / "site"
    assert not (site / "en").exists()
    html = (site / "collectivites/lille/index.html").read_text(encoding="utf-8")
    assert "atlas-langues" not in html and 'hreflang="' not in html
    assert "xhtml:link" not in (site / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("value, said", [
    ("[en, fr]", "la première langue doit être « fr »"),
    ("[fr, xx]", "« xx » n'a pas de catalogue"),
    ("[fr, en, en]", "chaque langue une seule fois"),
    ("[]", "la première langue doit être « fr »"),
])
def test_a_wrong_list_of_languages_is_refused_in_french_and_the_site_stays(tmp_path, value, said):
    repo = Repository(tmp_path / "depot")
    assert repo.build().returncode == 0
    before = (repo.root / "site/index.html").read_bytes()
    _set_languages(repo, value)
    result = repo.build()
    assert result.returncode != 0
    assert said in result.stderr and "langues" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (repo.root / "site/index.html").read_bytes() == before


def test_a_language_without_its_hand_written_pages_is_refused_in_french(tmp_path):
    """A catalogue is not the whole edition: its home, method and about pages are written by hand
    in docs/<lang>/; without them the build stops saying so, and the site stays."""
    import shutil

    repo = Repository(tmp_path / "depot")
    assert repo.build().returncode == 0
    before = (repo.root / "site/index.html").read_bytes()
    shutil.rmtree(repo.root / "docs" / "en")
    result = repo.build()
    assert result.returncode == 1
    assert "n'a pas ses pages écrites à la main" in result.stderr and "docs/en" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (repo.root / "site/index.html").read_bytes() == before
