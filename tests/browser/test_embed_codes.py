"""« Intégrer cette carte » : the codes to copy are written by atlas.js from the page (they are no
longer carried by every page), exactly as the template wrote them; without JavaScript, the block
says where their parts are instead of showing empty codes."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from markupsafe import escape

from browser.conftest import serve
from repository import ROOT

PUBLIC = "https://atlas.example/"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The real content built as the publication builds it (a public address: codes offered)."""
    site = tmp_path_factory.mktemp("publie") / "site"
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "build", "--site", str(site)], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "ATLAS_SITE_URL": PUBLIC})
    assert result.returncode == 0, result.stdout + result.stderr
    server, url = serve(site)
    yield url
    server.shutdown()


def _expected(slug: str) -> tuple[str, str]:
    """The two codes as partials/carte.html.j2 wrote them into the page (before atlas.js did)."""
    from atlas import pipeline, urls
    from atlas.config import DEFAULTS
    from atlas.maps import interactive

    loaded = pipeline.load(ROOT / "content")
    info, _ = interactive.collectivite_map(loaded.atlas, loaded.idx, DEFAULTS, loaded.atlas.collectivites[slug])
    iframe = (f'<iframe title="{escape(info.title)}" src="{PUBLIC}{info.html}" width="100%" height="480" loading="lazy" '
              'style="border:0"></iframe>')
    image = (f'<a href="{PUBLIC}{urls.collectivite(slug)}"><img src="{PUBLIC}{info.png}" alt="{escape(info.alt)}" '
             'width="600" style="display:block;width:100%;max-width:600px;height:auto;border:0"></a>')
    return iframe, image


def test_embed_codes_are_written_by_the_browser_as_the_page_carried_them(published, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        for slug in ("lille", "arras"):  # an apostrophe in the title (« d'Arras »), accents in the text
            page.goto(f"{published}collectivites/{slug}/", wait_until="domcontentloaded")
            block = page.locator("details", has=page.locator("summary", has_text="Intégrer cette carte"))
            block.locator("summary").click()
            codes = block.locator("pre code")
            assert [codes.nth(i).text_content() for i in range(codes.count())] == list(_expected(slug))
            assert block.locator(".atlas-sans-script").is_hidden()
            assert block.locator("button.md-clipboard, button.md-code__button").count() >= 1  # copy buttons
    finally:
        context.close()


def test_without_javascript_the_block_says_where_the_parts_are(published, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{published}collectivites/lille/")
        block = page.locator("details", has=page.locator("summary", has_text="Intégrer cette carte"))
        block.locator("summary").click()
        assert block.locator(".atlas-codes").is_hidden()
        assert "ouvrir la carte en plein écran" in block.locator(".atlas-sans-script").inner_text()
    finally:
        context.close()
