"""The English edition's map viewer in Chromium: its controls, legend, filters, counts and popups in
English, the shared assets and images reached from en/, no sideways scroll on a phone."""
from __future__ import annotations

import pytest

from atlas import i18n
from atlas.config import Settings
from atlas.maps import assets
from atlas.maps import interactive as maps

from .conftest import PageWatch, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def english_site(real_atlas, tmp_path_factory):
    """The assets (written once, by the French build) and the English maps under en/."""
    atlas, idx = real_atlas
    root = tmp_path_factory.mktemp("edition-en")

    def emit_into(folder):
        def emit(uri, data):
            target = folder / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return emit

    assets.emit_assets(emit_into(root))
    with i18n.using("en"):
        _, pending = maps.generate_deferred(atlas, idx, emit_into(root / "en"), Settings(png=True, workers=1))
        pending.finish(emit_into(root / "en"))
    server, url = serve(root)
    yield url
    server.shutdown()


def _open(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 812}, locale="en-GB")
    watched = PageWatch(context.new_page())
    watched.page.goto(url, wait_until="networkidle")
    watched.page.wait_for_selector("[data-pret]")
    return context, watched


def test_the_english_viewer_speaks_english(english_site, browser):
    context, watched = _open(browser, english_site + "en/cartes/?carte=liens", 1280)
    page = watched.page
    try:
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.title().startswith("Who cooperates with whom")
        assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom in"
        assert page.locator(".atlas-legende summary").inner_text() == "Legend"
        assert page.locator(".atlas-filtres summary").inner_text() == "Filter"
        assert page.locator("label[for=atlas-pays]").inner_text() == "Country"
        assert "\u00a0partnerships to " in page.locator("output").inner_text()
        assert "Germany (" in page.locator("#atlas-pays").inner_text()
        toggle = page.locator(".leaflet-control-layers-toggle")
        assert toggle.get_attribute("aria-label") == "Choose the base map"
        # a flow's popup, by keyboard
        page.locator("path.atlas-flux").first.focus()
        page.keyboard.press("Enter")
        popup = page.locator(".leaflet-popup-content")
        assert "partnerships of " in popup.inner_text() and popup.locator("button").inner_text() == "Show these links on the map"
        assert not watched.errors and not watched.failed and not watched.outside
    finally:
        context.close()


def test_an_english_collectivite_map_names_its_links_and_fits_a_phone(english_site, browser):
    context, watched = _open(browser, english_site + "en/cartes/?carte=collectivite-lille", 375)
    page = watched.page
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        link = page.locator("path.atlas-lien").first
        assert "\u00a0partnership" in link.get_attribute("aria-label") and " : " not in link.get_attribute("aria-label")
        link.focus()
        page.keyboard.press("Enter")
        text = page.locator(".leaflet-popup-content").inner_text()
        assert "Lille ↔ " in text and "depuis" not in text and "Jumelage" not in text
        assert not watched.errors and not watched.failed and not watched.outside
        # a map address that names no map: said in English
        page.goto(english_site + "en/cartes/?carte=Nope!", wait_until="networkidle")
        assert page.locator(".atlas-erreur").inner_text().startswith("This address names no map of the atlas.")
    finally:
        context.close()
