"""No script of the atlas holds up a page's first paint (issue 26, point 6): in every page of the
built site, each <script src> in <head> is deferred, async or a module, and so is every script of
the atlas's own (its pages' script, the map script, Leaflet) wherever it is; the country outlines
are in no page at all (the map script loads them when a map draws countries)."""
from __future__ import annotations

from html.parser import HTMLParser

from atlas.maps import assets

# The atlas's own scripts, by their published path (Material's bundle, the theme's, is not ours).
ATLAS_SCRIPTS = ("assets/atlas.js", assets.ATLAS_DIR + "/", assets.LEAFLET_DIR + "/")


class _Scripts(HTMLParser):
    """Every <script src> of a page: (src, in <head>, attributes)."""

    def __init__(self):
        super().__init__()
        self.in_head = False
        self.found: list[tuple[str, bool, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif tag == "script":
            attributes = dict(attrs)
            if attributes.get("src"):
                self.found.append((attributes["src"], self.in_head, attributes))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def _waits(attributes: dict) -> bool:
    return "defer" in attributes or "async" in attributes or attributes.get("type") == "module"


def test_no_script_of_any_page_blocks_its_first_paint(built_site):
    pages = sorted(built_site.rglob("*.html"))
    kinds = {p.relative_to(built_site).parts[0] for p in pages}
    # every kind of page: home, 404, collectivités, countries, themes, natures, networks, statistics, map viewer…
    assert {"index.html", "404.html", "collectivites", "pays", "thematiques", "statistiques", "cartes"} <= kinds
    blocking, seen = [], 0
    for page in pages:
        parser = _Scripts()
        parser.feed(page.read_text(encoding="utf-8"))
        for src, in_head, attributes in parser.found:
            ours = any(part in src for part in ATLAS_SCRIPTS)
            seen += ours
            if (in_head or ours) and not _waits(attributes):
                blocking.append(f"{page.relative_to(built_site)}: <script src={src!r}> ({'head' if in_head else 'body'})")
            assert assets.SHAPES_JS not in src, f"{page.relative_to(built_site)} loads the country outlines itself"
    assert seen > 100  # the check saw the atlas's scripts, not nothing
    assert not blocking, "\n".join(blocking[:20])


def test_the_map_viewer_runs_its_own_script_once_the_deferred_ones_have(built_site):
    """Leaflet is deferred: the page's script, which calls it, waits for DOMContentLoaded."""
    html = (built_site / "cartes" / "index.html").read_text(encoding="utf-8")
    parser = _Scripts()
    parser.feed(html)
    assert [src.rsplit("/", 1)[-1] for src, _, _ in parser.found] == ["leaflet.js", "carte.js"]
    inline = html[html.rindex("<script>"):]
    assert inline.startswith('<script>\ndocument.addEventListener("DOMContentLoaded", function () {\natlasQuandProche(')
    assert inline.index("L.map(") > inline.index("atlasQuandProche(")
