"""What changed, shared well: dates from git, « Nouveautés » and its Atom feed, link previews,
and the open-data package — on a site built from a scratch git repository made here.

The repository has two commits: everything on 2024-01-10, then one partnership removed from
Arras on 2025-06-01. The site is built with a published address, as the publish workflow does.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import feedparser
import pytest
from PIL import Image

from repository import Repository

SITE_URL = "https://atlas.example.org/npdc/"
REPO_URL = "https://github.com/exemple/atlas"
ARRAS_BELGIUM = """  - partenaire: inconnu
    pays: BE
    nature: accord-de-cooperation
    statut: inconnu
    sources: [enquete-acdc-villes-20000-hab-2006]
"""


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> tuple[Path, str]:
    repo = Repository(tmp_path_factory.mktemp("partage") / "depot",
                      env={"ATLAS_SITE_URL": SITE_URL, "ATLAS_REPO_URL": REPO_URL}, date="2024-01-10T10:00:00+01:00")
    arras = repo.root / "content" / "collectivites" / "arras.yml"
    text = arras.read_text(encoding="utf-8")
    assert ARRAS_BELGIUM in text
    arras.write_text(text.replace(ARRAS_BELGIUM, ""), encoding="utf-8")
    repo.git("commit", "-q", "-am", "<b>Arras</b>", date="2025-06-01T12:00:00+02:00")
    head = repo.git("rev-parse", "HEAD").strip()
    result = repo.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return repo.root / "site", head


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def metas(html: str) -> dict[str, str]:
    return {k: v for k, v in re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', html)}


def test_each_page_says_when_its_file_last_changed_and_links_its_history(shared):
    site, head = shared
    lille, arras = page(site, "collectivites/lille"), page(site, "collectivites/arras")
    assert '<time datetime="2024-01-10">10 janvier 2024</time>' in lille
    assert '<time datetime="2025-06-01">1 juin 2025</time>' in arras
    assert f'href="{REPO_URL}/commits/{head}/content/collectivites/arras.yml">historique des modifications' in arras
    # Lille's history link names Lille's own last commit (the first one), not the checkout's: pages
    # of unchanged files stay the same from one commit to the next (and come from the cache).
    first = subprocess.run(["git", "-C", str(site.parent), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                           text=True, check=True).stdout.strip()
    assert first != head
    assert f'href="{REPO_URL}/commits/{first}/content/collectivites/lille.yml">historique des modifications' in lille
    assert '<time datetime="2024-01-10">10 janvier 2024</time>' in page(site, "pays/senegal")


def test_news_page_and_feed_list_the_changes_newest_first_in_words(shared):
    site, _ = shared
    news = page(site, "nouveautes")
    items = re.findall(r"<li id=\"[^\"]+\"><time datetime=\"([^\"]+)\">", news)
    assert items and items == sorted(items, reverse=True)
    first = news.split("<li id=")[1]
    assert "Arras" in first and "1 partenariat retiré : Belgique" in first
    assert "<b>Arras</b>" not in news and "&lt;b&gt;" not in news  # the commit message is never published
    feed = feedparser.parse((site / "nouveautes.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.entries[0].link == SITE_URL + "collectivites/arras/"
    assert feed.entries[0].summary.startswith("1 partenariat retiré : Belgique")
    assert all(e.link.startswith(SITE_URL) for e in feed.entries)
    # relative, so that it works wherever the site is served; it resolves to the feed
    assert '<link rel="alternate" type="application/atom+xml" title="Nouveautés de l\'atlas" ' \
           'href="../../nouveautes.xml">' in page(site, "collectivites/lille")


@pytest.mark.parametrize("url", ["", "collectivites/lille", "pays/senegal", "thematiques/eau-assainissement"])
def test_pages_carry_a_link_preview_with_their_map_and_its_real_size(shared, url):
    site, _ = shared
    tags = metas(page(site, url))
    assert tags["og:title"] and len(tags["og:description"]) > 20
    assert tags["og:url"] == SITE_URL + (url + "/" if url else "")
    image = tags["og:image"]
    assert image.startswith(SITE_URL + "cartes/") and image.endswith(".png") and "@2x" not in image
    with Image.open(site / image[len(SITE_URL):]) as png:
        assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == png.size
    assert tags["og:image:alt"] and tags["twitter:card"] == "summary_large_image"


def test_data_package_describes_the_exports_and_validates_with_frictionless(shared, tmp_path):
    from frictionless import validate

    site, head = shared
    folder = site / "donnees"
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"].endswith("+" + head[:12]) and package["licenses"][0]["name"] == "etalab-2.0"
    csv_resource = package["resources"][0]
    fields = {f["name"]: f for f in csv_resource["schema"]["fields"]}
    assert fields["pays"]["constraints"]["pattern"] == "^[A-Z]{2}$" and all(f["description"] for f in fields.values())
    assert "termine" in fields["statut"]["constraints"]["enum"] and "fin" in fields
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    assert json.loads((folder / "atlas.json").read_text(encoding="utf-8"))["version"]["commit"] == head
    assert 'href="../donnees/datapackage.json"' in page(site, "donnees") or 'donnees/datapackage.json"' in page(site, "donnees")

    # the same schema rejects a CSV that breaks it: a country written in words
    broken = tmp_path / "partenariats.csv"
    rows = (folder / "partenariats.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = re.sub(r",([A-Z]{2}),", ",Sénégal,", rows[1], count=1)
    broken.write_text("\n".join(rows) + "\n", encoding="utf-8")
    resource = {k: v for k, v in csv_resource.items() if k not in ("hash", "bytes")} | {"path": broken.name}
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "essai", "resources": [resource]}), encoding="utf-8")
    report = validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert any(e[1] == "pays" for e in report.flatten(["rowNumber", "fieldName"]))
