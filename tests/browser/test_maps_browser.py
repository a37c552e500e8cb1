"""Maps in a real browser, served from localhost with every outside request blocked."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlas import urls
from expectations import expected_counts

from .conftest import serve

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _map_frame(page, map_id: str):
    """The iframe of a page that shows cartes/<map_id>.html, once its map is drawn."""
    frame_el = page.locator(f'iframe[src$="cartes/{map_id}.html"]').first
    frame_el.scroll_into_view_if_needed()  # iframes are lazy-loaded
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_selector("[data-pret]", timeout=15_000)
    return frame


def test_home_maps_draw_every_link_and_marker_of_the_data(site_url, watched, real_atlas):
    atlas, idx = real_atlas
    watched.page.goto(site_url)
    liens = _map_frame(watched.page, "liens")
    drawn = liens.evaluate("window.atlasMap.drawn")
    assert (drawn["links"], drawn["markers"]) == expected_counts(atlas, atlas.partnerships)
    assert liens.evaluate("typeof L === 'object' && !!L.version")  # Leaflet initialised
    assert liens.locator("path.atlas-lien").count() == drawn["links"]
    monde = _map_frame(watched.page, "monde")
    assert monde.evaluate("window.atlasMap.drawn.countries") == sum(1 for ps in idx.by_country.values() if ps)
    assert not watched.errors and not watched.outside


def test_collectivite_page_map_matches_its_partnerships(site_url, watched, real_atlas):
    atlas, _ = real_atlas
    saint_omer = atlas.collectivites["ca-saint-omer"]
    watched.page.goto(site_url + urls.collectivite(saint_omer.slug))
    frame = _map_frame(watched.page, "collectivite-ca-saint-omer")
    drawn = frame.evaluate("window.atlasMap.drawn")
    assert (drawn["links"], drawn["markers"]) == expected_counts(atlas, saint_omer.partnerships, saint_omer)
    # a partner known only by its country is drawn differently (dashed, grey)
    unknown = sum(1 for p in saint_omer.partnerships if not p.partner)
    assert frame.locator("path.atlas-lien-pays").count() == unknown


def test_popup_opens_on_click_and_its_link_leads_to_the_page(site_url, watched, real_atlas):
    atlas, _ = real_atlas
    page = watched.page
    page.goto(site_url + urls.map_html("collectivite-halluin"))
    page.locator("[data-pret]").wait_for()
    page.locator("path.atlas-siege").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    link = popup.locator("a", has_text=atlas.collectivites["halluin"].name).first
    assert link.get_attribute("target") == "_top"
    link.click()
    page.wait_for_url(site_url + urls.collectivite("halluin"))
    assert page.locator("h1").inner_text() == atlas.collectivites["halluin"].name


def test_standalone_map_works_inside_an_iframe_of_another_local_page(site_url, watched, tmp_path, real_atlas):
    atlas, _ = real_atlas
    (tmp_path / "journal.html").write_text(
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Lettre</title></head><body>'
        f'<h1>Notre lettre</h1><iframe title="Carte" src="{site_url}{urls.map_html("liens")}" width="600" height="400"></iframe>'
        "</body></html>", encoding="utf-8")
    server, other_site = serve(tmp_path)  # another origin (port), as a partner's website would be
    try:
        watched.page.goto(other_site + "journal.html")
        frame = watched.page.locator("iframe").element_handle().content_frame()
        frame.wait_for_selector("[data-pret]", timeout=15_000)
        drawn = frame.evaluate("window.atlasMap.drawn")
        assert (drawn["links"], drawn["markers"]) == expected_counts(atlas, atlas.partnerships)
        assert not watched.errors and not watched.failed
    finally:
        server.shutdown()


def test_map_stays_readable_without_tiles(site_url, browser):
    """Tiles refused outright: the country shapes still draw the world."""
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    page.goto(site_url + urls.map_html("monde"))
    page.locator("[data-pret]").wait_for()
    assert page.locator("path.atlas-fond, path.atlas-pays").count() > 100
    context.close()


@pytest.fixture(scope="module")
def national_site(tmp_path_factory):
    """The synthetic national atlas (4,800 collectivités, 12,000 partnerships), built once."""
    work = tmp_path_factory.mktemp("national")
    subprocess.run([sys.executable, "-m", "atlas.cli", "synth", str(work / "contenu")], check=True, cwd=ROOT,
                   capture_output=True)
    build = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--contenu", str(work / "contenu"),
                            "--site", str(work / "site")], cwd=ROOT, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    server, url = serve(work / "site")
    yield url
    server.shutdown()


@pytest.mark.parametrize("path", ["", "pays/senegal/"], ids=["accueil", "pays"])
def test_national_site_opens_a_page_whole_and_light(national_site, watched, path):
    """Its speed is measured by scripts/bench.py (ratios in one run; a timed test fails on a busy
    machine); here: the page opens whole, with nothing failing, and its HTML stays light."""
    start = time.perf_counter()
    response = watched.page.goto(national_site + path, wait_until="load")
    print(f"{path or 'accueil'} : {time.perf_counter() - start:.2f} s (pour information)")
    assert response.ok and watched.page.locator("h1").count() == 1
    assert len(response.body()) < 3_000_000


def _map_name(frame) -> str:
    return frame.evaluate("Object.keys(window).find(k => window[k] instanceof L.Map)")


def test_wheel_over_a_map_in_a_page_scrolls_the_page_until_the_map_is_clicked(site_url, watched):
    page = watched.page
    page.goto(site_url + urls.collectivite("lille"))
    frame = _map_frame(page, "collectivite-lille")
    name = _map_name(frame)
    zoom = frame.evaluate(f"{name}.getZoom()")
    box = page.locator('iframe[src$="cartes/collectivite-lille.html"]').bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = page.evaluate("window.scrollY")
    for _ in range(3):
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(150)
    assert page.evaluate("window.scrollY") > before, "la molette doit faire défiler la page"
    assert frame.evaluate(f"{name}.getZoom()") == zoom, "la carte ne doit pas zoomer sans clic"
    assert frame.locator(".atlas-indice").text_content().startswith("Cliquez sur la carte")
    frame.evaluate(f"{name}.fire('click', {{latlng: {name}.getCenter()}})")  # the reader clicks the map
    assert frame.evaluate(f"{name}.scrollWheelZoom.enabled()")


def test_map_controls_speak_french_and_the_legend_is_open_where_it_fits(site_url, watched):
    watched.page.goto(site_url + urls.collectivite("lille"))
    frame = _map_frame(watched.page, "collectivite-lille")
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoomer"
    assert frame.locator(".leaflet-control-zoom-out").get_attribute("title") == "Dézoomer"
    assert frame.locator(".leaflet-control-layers-toggle").get_attribute("aria-label") == "Choisir le fond de carte"
    assert frame.locator(".atlas-legende details").get_attribute("open") is not None
    texts = frame.locator(".leaflet-control-container").inner_text()
    assert "Zoom in" not in texts and "Layers" not in frame.locator(".leaflet-control-container").inner_html()
