"""Maps on the real content: every map exists, no third-party host, counts match the data,
PNGs are real images, the page block renders. Expectations are computed from the loaded atlas."""
from __future__ import annotations

import dataclasses
import html
import io
import json
import re
from html import unescape
from pathlib import Path, PurePosixPath

import pytest
from markupsafe import escape

from atlas import caches, urls
from atlas.config import Settings
from atlas.maps import assets, cache, legend
from atlas.maps import interactive as maps
from atlas.maps.legend import LegendItem, Symbol
from atlas.maps.records import Collectivity, ColorClass, CountryCount, Kind, Link, Location, Marker, Origin
from expectations import expected_counts

TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>'
CDN_HOSTS = ("cdn.jsdelivr", "unpkg", "cdnjs", "code.jquery", "bootstrapcdn", "fonts.googleapis", "netdna",
             "maxcdn", "cloudflare", "googleapis", "gstatic")
URL_RE = re.compile(r"https?://[^\s\"'<>)\\]+")


@pytest.fixture(scope="module")
def built(real_atlas):
    """Every map of the real content, with PNGs, plus the assets: {uri: bytes}, {id: MapInfo}."""
    atlas, idx = real_atlas
    files: dict[str, bytes] = {}

    def emit(uri, data):
        assert uri not in files, f"{uri} emitted twice"
        files[uri] = data.encode("utf-8") if isinstance(data, str) else data

    assets.emit_assets(emit)
    infos = _generate(atlas, idx, emit, Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION, png=True))
    return files, infos


def _generate(atlas, idx, emit, settings):
    """Every map, its images written too (what the pipeline does across MkDocs's build)."""
    out, pending = maps.generate_deferred(atlas, idx, emit, settings)
    pending.finish(emit)
    return out


def map_data(files: dict, info) -> dict:
    """The map's data as the viewer script sees it: what the viewer page gives every map, under the
    map's own JSON file."""
    viewer = files[urls.MAP_VIEWER].decode("utf-8")
    shared = json.loads(html.unescape(re.search(r'data-commun="([^"]*)"', viewer).group(1)))
    return {**shared, **json.loads(files[info.data])}


# The published records read back by name (records.py; the wire format is described in carte.js).
def markers(data: dict) -> list[Marker]:
    return [Marker.from_wire(r) for r in data["m"]]


def links(data: dict) -> list[Link]:
    return [Link.from_wire(r) for r in data["l"]]


def legend_items(data: dict) -> list[LegendItem]:
    return [LegendItem(Symbol(symbol), color, label) for symbol, color, label in data["legend"]["items"]]


def expected_ids(atlas, idx) -> set[str]:
    ids = {"monde", "liens"}
    ids |= {f"collectivite-{slug}" for slug in atlas.collectivites}
    ids |= {f"pays-{code.lower()}" for code, ps in idx.by_country.items() if ps}
    ids |= {f"thematique-{key}" for key in atlas.themes}
    return ids


def test_every_map_exists(built, real_atlas):
    files, infos = built
    atlas, idx = real_atlas
    assert set(infos) == expected_ids(atlas, idx)
    for map_id, info in infos.items():
        assert info.id == map_id
        assert info.html == f"cartes/?carte={map_id}" and info.data == f"cartes/{map_id}.json" and info.data in files
        assert info.png == urls.map_png(map_id) and info.png in files
        assert info.svg is None or info.svg in files
        assert info.title and info.alt.endswith(".")


def test_one_viewer_page_draws_every_map_from_published_files(built):
    files, infos = built
    assert urls.MAP_VIEWER == "cartes/index.html"
    assert not [uri for uri in files if uri.startswith("cartes/") and uri.endswith(".html") and uri != urls.MAP_VIEWER]
    html = files[urls.MAP_VIEWER].decode("utf-8")
    refs = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert len(refs) >= 4  # Leaflet (script, style), the atlas's script, style
    shared = json.loads(unescape(re.search(r'data-commun="([^"]*)"', html).group(1)))
    refs.append(shared["shapes"])  # the country outlines, loaded by the map script when a map draws countries
    for ref in refs:
        assert not ref.startswith(("http:", "https:", "//")), f"external {ref}"
        target = str(PurePosixPath(urls.MAP_VIEWER).parent / ref)
        while "/../" in target or target.startswith("../"):
            target = re.sub(r"[^/]+/\.\./", "", target, count=1)
        assert target in files, f"{ref} is not published"


def test_no_third_party_host(built):
    """The only absolute URLs are the tiles template and the links of its attribution."""
    files, infos = built
    allowed = {TILES} | set(URL_RE.findall(ATTRIBUTION))
    checked = [files[urls.MAP_VIEWER].decode("utf-8")] + [files[i.data].decode("utf-8") for i in infos.values()]
    checked += [files[assets.MAP_JS].decode("utf-8"), files[assets.MAP_CSS].decode("utf-8")]
    for text in checked:
        assert set(URL_RE.findall(text)) <= allowed, set(URL_RE.findall(text)) - allowed
    for uri, data in files.items():
        if uri.endswith((".html", ".js", ".css")):
            text = data.decode("utf-8", "replace").lower()
            assert not any(host in text for host in CDN_HOSTS), uri
    assert not any(lib in " ".join(checked).lower() for lib in ("jquery", "bootstrap", "font-awesome", "fontawesome", "d3.js"))


def test_viewer_is_accessible_and_map_data_light(built):
    files, infos = built
    html = files[urls.MAP_VIEWER].decode("utf-8")
    assert '<html lang="fr">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert re.search(r'<div class="folium-map atlas-carte" id="map_vue" role="region" aria-label="[^"]+"', html)
    assert '<a class="atlas-retour" href="../">' in html  # the title bar's way back to the atlas
    assert '"keyboard": true' in html
    assert "user-scalable=no" not in html and "maximum-scale" not in html  # zooming the page stays possible
    assert "<noscript>" in html
    shapes_size = len(files[assets.SHAPES_JS])
    for info in infos.values():
        data = files[info.data].decode("utf-8")
        assert "Polygon" not in data, f"{info.id}: country shapes embedded"  # loaded once, from assets/
        assert "<" not in data  # markup-like characters arrive as \u003c escapes
        d = json.loads(data)
        assert (d["title"], d["page"], d["label"]) == (info.title, info.page, f"Carte interactive : {info.title}. {info.alt}")
        if info.id not in ("liens", "monde"):
            assert len(data) < shapes_size / 4


def test_counts_match_the_data(built, real_atlas):
    files, infos = built
    atlas, idx = real_atlas
    cases = [("liens", atlas.partnerships, None)]
    cases += [(f"collectivite-{c.slug}", c.partnerships, c) for c in atlas.collectivites.values()]
    cases += [(f"pays-{code.lower()}", ps, None) for code, ps in idx.by_country.items() if ps]
    cases += [(f"thematique-{key}", idx.by_theme.get(key, []), None) for key in atlas.themes]
    for map_id, partnerships, subject in cases:
        info = infos[map_id]
        assert info.partnerships == list(partnerships)
        assert (info.links, info.markers) == expected_counts(atlas, partnerships, subject), map_id
        data = map_data(files, info)
        assert data["links"] == info.links and data["markers"] == info.markers
        assert sum(1 for link in links(data) if link.seat >= 0) == info.links
        assert len(markers(data)) == info.markers
    # the "who with whom" map can be filtered by theme and by type of collectivité
    liens = map_data(files, infos["liens"])
    assert liens.get("filters") and [t[0] for t in liens["themes"]] == list(atlas.themes)
    themed = {t for link in links(liens) for t in link.themes}
    assert themed == {list(atlas.themes).index(k) for k, ps in idx.by_theme.items() if ps}


def test_records_read_back_as_published(built):
    """`from_wire` is `wire`'s inverse: the arrays of the published maps say all a record says."""
    files, infos = built
    for info in infos.values():
        data = json.loads(files[info.data])
        if data["type"] == "liens":
            assert [m.wire() for m in markers(data)] == data["m"] and [k.wire() for k in links(data)] == data["l"]


def test_world_map(built, real_atlas):
    files, infos = built
    atlas, idx = real_atlas
    data = map_data(files, infos["monde"])
    assert data["type"] == "choroplethe"
    by_country = {code: CountryCount(*v) for code, v in data["byCountry"].items()}
    classes = [ColorClass(*c) for c in data["classes"]]
    assert {code: c.partnerships for code, c in by_country.items()} == {c: len(ps) for c, ps in idx.by_country.items() if ps}
    assert classes[0].low == 1 and classes[-1].high == max(c.partnerships for c in by_country.values())
    items = legend_items(data)
    assert [it.symbol for it in items] == [Symbol.SQUARE] * len(classes)  # legend as data, no branca colormap
    assert [it.color for it in items] == [c.color for c in classes]
    assert sum(r.partnerships for r in infos["monde"].summary) == len(atlas.partnerships)


def test_home_map_aggregates_partnerships_into_one_flow_per_partner_country(built, real_atlas):
    from atlas.maps import images

    files, infos = built
    atlas, idx = real_atlas
    data = map_data(files, infos["liens"])
    drawable = [p for p in atlas.partnerships if p.point is not None]
    seats = [c.seat for c in atlas.collectivites.values() if c.seat and c.partnerships]
    origin = Origin(*data["flows"]["origin"])
    assert origin.name == "Nord-Pas de Calais"  # the one region of the content
    assert abs(origin.lat - sum(s.lat for s in seats) / len(seats)) < 1
    assert abs(origin.lon - sum(s.lon for s in seats) / len(seats)) < 1
    assert data["flows"]["zoom"] == maps.FLOW_ZOOM and data["flows"]["legend"]["items"]
    # the image shows the same design: one curved flow per country, biggest first, the biggest labelled
    spec = maps.jobs(atlas, idx, Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION))[1].spec
    assert spec.kind == "flux" and not spec.shared  # its labels are country names: drawn by each edition
    per_country = {}
    for p in drawable:
        per_country[p.country] = per_country.get(p.country, 0) + 1
    sizes = [f.partnerships for f in spec.lines]
    assert sorted(sizes) == sorted(per_country.values()) and sizes == sorted(sizes, reverse=True)
    top = max(per_country, key=per_country.get)
    assert spec.lines[0].label == f"{atlas.countries[top].name} {per_country[top]}"
    assert sum(1 for f in spec.lines if f.label) == min(maps.FLOW_LABELS, len(per_country))
    image_legend = infos["liens"].legend  # the image's legend, in words beside it: the flows'
    assert image_legend[1].label.startswith("Partenariats par pays") and image_legend[1].symbol is Symbol.FLOW
    assert infos["liens"].legend_title == f"Depuis : {origin.name}"
    bend = images.curve(0, 0, 10, 0)
    assert bend[0] == (0, 0) and bend[-1] == (10, 0) and bend[12][1] > 0.5  # a curve, not a straight line


def test_palette_has_one_home_sent_to_the_map_script(built):
    from atlas.maps import style

    files, infos = built
    for info in infos.values():
        # given once by the viewer page, not repeated in each of the thousands of map files
        assert not {"colors", "types", "natures", "root", "kinds", "locations"} & set(json.loads(files[info.data]))
        colors = map_data(files, info)["colors"]
        assert colors["flow"] == style.FLOW_COLOR and colors["country"] == style.COUNTRY_COLOR
        assert colors["land"] == style.LAND and colors["partner"] == style.PARTNER_COLOR
    js = files[assets.MAP_JS].decode("utf-8")
    assert not re.findall(r'"#[0-9a-fA-F]{3,6}"', js), "colours come with the data, not written in the script"
    assert not re.findall(r"KIND\s*=\s*\{|LOC\s*=\s*\{", js), "the kinds come with the data, not written in the script"
    assert LegendItem(Symbol.DOT, style.TYPE_COLORS["commune"], "Commune") in legend_items(map_data(files, infos["collectivite-lille"]))


def test_popups_link_to_pages(built, real_atlas):
    files, infos = built
    atlas, _ = real_atlas
    data = map_data(files, infos["liens"])
    assert data["root"] == "../"
    assert {Collectivity(*rec).url for rec in data["c"]} <= {urls.collectivite(s) for s in atlas.collectivites}


def test_each_map_has_one_png_drawn_at_twice_the_600_px_it_is_shown_at(built):
    from PIL import Image, ImageStat

    files, infos = built
    for info in infos.values():
        image = Image.open(io.BytesIO(files[info.png]))
        assert image.format == "PNG" and image.width == 1200 and image.size == info.png_size
        stddev = ImageStat.Stat(image.convert("L")).stddev[0]
        assert stddev > 10, f"{info.id}: blank image"
    assert not [uri for uri in files if uri.endswith("@2x.png")]
    assert files["cartes/monde.svg"].lstrip().startswith(b"<?xml")


def test_png_can_be_turned_off(real_atlas):
    atlas, idx = real_atlas
    files = {}
    infos = _generate(atlas, idx, files.__setitem__, Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION, png=False))
    assert not any(uri.endswith(".png") for uri in files)
    assert all(not i.png for i in infos.values())


def test_carte_block_renders(built, real_atlas):
    from atlas.site import templating

    _, infos = built
    atlas, _ = real_atlas
    env = templating.environment()
    c = max(atlas.collectivites.values(), key=lambda c: len(c.partnerships))
    info = infos[f"collectivite-{c.slug}"]
    base = urls.to_root(urls.collectivite(c.slug))
    text = env.get_template("partials/carte.html.j2").render(map_info=info, base=base, site_url="https://atlas.example/")
    assert f'src="{base}{info.html}#dans-l-atlas" loading="lazy"' in text and "<iframe title=" in text
    assert "ouvrir la carte en plein écran" in text
    caption = text[text.index("<figcaption>"):text.index("</figcaption>")]
    assert info.title in caption and str(escape(info.alt)) not in caption  # the description: below, once
    assert f"<p>{escape(info.alt)}</p>" in text
    assert "<summary>Texte alternatif : ce que montre la carte</summary>" in text
    assert text.count("<tr><td>") == len(c.partnerships)
    assert f'href="{base}{urls.collectivite(c.slug)}"' in text
    height = round(info.png_size[1] * 600 / info.png_size[0])
    assert f'<a href="{base}{info.png}"><img src="{base}{info.png}" alt="{escape(info.alt)}" width="600" height="{height}"' in text
    assert f'src=&#34;https://atlas.example/{info.html}&#34;' in text  # iframe snippet, absolute, shown as code
    assert (f'&lt;a href=&#34;https://atlas.example/{urls.collectivite(c.slug)}&#34;&gt;&lt;img src=&#34;https://atlas.example/{info.png}&#34;'
            in text)  # e-mail snippet: the 1200 px image…
    assert "width=&#34;600&#34; style=&#34;display:block;width:100%;max-width:600px;height:auto" in text  # …that shrinks
    # without a public address, no snippet with a wrong one: what is missing is said instead
    local = env.get_template("partials/carte.html.j2").render(map_info=info, base=base, site_url="")
    assert "127.0.0.1" not in local.replace("Une adresse de prévisualisation (127.0.0.1)", "")
    assert "&lt;iframe" not in local and "ATLAS_SITE_URL" in local
    # the world map's text alternative is a table by country, and works without site_url
    text = env.get_template("partials/carte.html.j2").render(map_info=infos["monde"], base="", site_url="")
    assert text.count("<tr><td>") == len(infos["monde"].summary)


def test_french_names():
    assert maps.de("Lille") == "de Lille"
    assert maps.de("Arras") == "d'Arras"
    assert maps.de("Le Portel") == "du Portel"
    assert maps.de("Hénin-Beaumont") == "d'Hénin-Beaumont"
    assert maps.de("Région Nord-Pas-de-Calais") == "de la Région Nord-Pas-de-Calais"
    assert maps.de("Département du Nord") == "du Département du Nord"


def test_classes():
    for top in (1, 2, 5, 6, 25, 1000):
        cls = maps.classes(top)
        assert cls[0].low == 1 and cls[-1].high == top and len(cls) <= 5
        assert all(a.high + 1 == b.low for a, b in zip(cls, cls[1:], strict=False))


@pytest.mark.browser
def test_drawn_counts_in_chromium(built, tmp_path, browser):
    """Leaflet really draws the counted links and markers (served locally, tiles blocked)."""
    from browser.conftest import serve

    playwright = pytest.importorskip("playwright.sync_api")
    files, infos = built
    for uri, data in files.items():
        path = tmp_path / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    server, site = serve(tmp_path)
    busiest = max((i for i in infos.values() if i.id.startswith("collectivite-")), key=lambda i: i.links)
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    try:
        page = context.new_page()
        errors: list = []
        page.on("pageerror", lambda e: errors.append(e))
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        for info in (infos["liens"], busiest, infos["monde"]):
            page.goto(site + info.html)
            page.wait_for_selector("[data-pret]")
            if info.id == "liens":  # the world view shows flows; zoomed in, every link
                page.evaluate("atlasMap.leaflet.setView([50, 3], 5, {animate: false})")
                page.wait_for_function("atlasMap.drawn.mode === 'liens'")
            state = page.evaluate("window.atlasMap")
            assert state["drawn"]["links"] == info.links and state["drawn"]["markers"] == info.markers
            assert page.locator("path.atlas-lien").count() == info.links
            assert page.locator("path.atlas-marqueur").count() == info.markers
            if info.id == "monde":
                assert page.locator("path.atlas-pays").count() == info.countries > 0
        # filtering by type of collectivité leaves fewer partnerships on the map
        page.goto(site + infos["liens"].html)
        page.wait_for_selector("[data-pret]")
        before = page.evaluate("window.atlasMap.drawn.partnerships")
        page.locator('input[name="type"]').first.uncheck()
        assert page.evaluate("window.atlasMap.drawn.partnerships") < before
        # keyboard: the map takes the focus and zooms with "+"
        zoom = page.evaluate("atlasMap.leaflet.getZoom()")
        page.focus(".atlas-carte")
        # the zoom animates, and a key pressed while the initial view still settles can be lost:
        # a reader would press again, so does the test (at most three times)
        for _ in range(3):
            page.keyboard.press("+")
            try:
                page.wait_for_function(f"atlasMap.leaflet.getZoom() > {zoom}", timeout=2000)
                break
            except playwright.TimeoutError:
                page.focus(".atlas-carte")
        assert page.evaluate("atlasMap.leaflet.getZoom()") > zoom
    finally:
        context.close()
        server.shutdown()
    assert not errors, errors


def test_map_script_and_style_are_files_of_the_package_served_as_is(built_site):
    package = Path(assets.__file__).parent / "static"
    for name in ("carte.js", "carte.css"):
        assert (built_site / assets.ATLAS_DIR / name).read_bytes() == (package / name).read_bytes()
    source = Path(assets.__file__).read_text(encoding="utf-8")
    assert "function (" not in source and "{ margin" not in source  # no script or style kept in Python strings


def test_image_cache_redraws_only_the_maps_that_changed(real_atlas, tmp_path):
    """A pull request changing one collectivité: its maps are drawn, the others come from the cache,
    byte for byte the same; a damaged entry is drawn again; entries unused for long are removed."""
    import os
    import time

    from atlas.maps import images
    from atlas.maps.cache import ImageCache

    atlas, idx = real_atlas
    specs = [j.spec for j in maps.jobs(atlas, idx, Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION))][:6]
    first = ImageCache(tmp_path / "images")
    drawn = {s.id: r for s, r in images.render_many(specs, 1, first)}
    assert first.drawn == len(specs) and first.hits == 0
    again = ImageCache(tmp_path / "images")
    reused = {s.id: r for s, r in images.render_many(specs, 1, again)}
    assert again.hits == len(specs) and again.drawn == 0
    assert all(reused[k]["png"] == drawn[k]["png"] for k in drawn)
    # one map changes (a name it writes), one entry is damaged: exactly those two are drawn
    specs[2].labels = [images.Label(*specs[2].labels[0][:2], "Nom modifié"), *specs[2].labels[1:]]
    damaged = again._dir(again.key(specs[4])) / "carte.png"
    damaged.write_bytes(b"<html>pas une image</html>")
    third = ImageCache(tmp_path / "images")
    out = {s.id: r for s, r in images.render_many(specs, 1, third)}
    assert third.drawn == 2 and third.hits == len(specs) - 2
    assert out[specs[4].id]["png"].startswith(b"\x89PNG") and caches.unseal(damaged.read_bytes()).startswith(b"\x89PNG")
    # pruning: an entry no build used for a fortnight goes
    old = third._dir(third.key(specs[0]))
    past = time.time() - 30 * 86400
    os.utime(old, (past, past))
    assert third.prune() == 1 and not old.exists()


def test_the_image_cache_key_covers_every_module_the_drawing_code_reads():
    """A colour changed in maps/style.py must redraw the images that show it: each atlas module
    images.py imports (but the worker pool, which only runs it) is in the cache's key."""
    import ast

    from atlas import caches
    from atlas.maps import cache, images

    tree = ast.parse(Path(images.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
                and node.module.startswith("atlas.")}
    imported |= {f"atlas.{a.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module == "atlas" for a in node.names}
    files = {m.removeprefix("atlas.").replace(".", "/") + ".py" for m in imported} - {"workers.py"}
    assert {"maps/records.py", "maps/style.py"} <= files
    assert files <= set(cache.CODE_FILES)
    assert all((caches.PACKAGE / name).is_file() for name in cache.CODE_FILES)


def test_workers_store_their_images_in_the_cache_and_send_back_no_image(real_atlas, tmp_path, monkeypatch):
    """Images sent back through the pool would pile up in the main process while it renders the pages."""
    from atlas.maps import images
    from atlas.maps.cache import ImageCache

    atlas, idx = real_atlas
    specs = [j.spec for j in maps.jobs(atlas, idx, Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION))][:5]
    assert "png" not in images._render_into(tmp_path / "direct", specs[0])
    assert ImageCache(tmp_path / "direct").read(specs[0])["png"].startswith(b"\x89PNG")
    monkeypatch.setattr(images, "PARALLEL_MIN", 1)  # a pool of 2 workers even for 5 maps
    cache = ImageCache(tmp_path / "images")
    drawn = {s.id: r["png"] for s, r in images.render_many(specs, 2, cache)}
    assert cache.drawn == len(specs) and cache.hits == 0
    assert drawn == {s.id: r["png"] for s, r in images.render_many(specs, 1)}


def test_the_site_name_titles_the_viewer_and_signs_every_map_escaped(real_atlas):
    """Any region's atlas: mkdocs.yml's site_name (not a name written in the code) titles the map
    viewer (carte.js adds it to each map's title) and signs each map's source line; as text."""
    from atlas.maps import viewer

    atlas, idx = real_atlas
    name = "Atlas <b>de Bretagne</b> & co"
    infos = [j.info for j in maps.jobs(atlas, idx, Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION, site_name=name))]
    assert infos and all(i.source.startswith(f"Source : {name}") for i in infos)
    html = viewer.render(TILES, ATTRIBUTION, "Fond OpenStreetMap", name,
                         maps.shared_data(Settings(tiles_url=TILES, tiles_attribution=ATTRIBUTION, site_name=name)))
    assert "<title>Carte — Atlas &lt;b&gt;de Bretagne&lt;/b&gt; &amp; co</title>" in html
    assert 'data-site="Atlas &lt;b&gt;de Bretagne&lt;/b&gt; &amp; co"' in html
    assert "<b>de Bretagne" not in html and "coopération" not in html.split("<body")[0]
    script = (Path(maps.__file__).parent / "static" / "carte.js").read_text(encoding="utf-8")
    assert 'document.title = D.title + " — " + el.getAttribute("data-site")' in script


def test_a_named_partner_without_position_is_named_at_its_country_centre_not_called_unknown(built, real_atlas):
    """Le Portel's partner, Kawara, is named by the source but has no coordinates: the map puts it
    at Burkina Faso's centre, as it does partners the source does not name, but says which it is."""
    from atlas.content.model import LOCATION_COUNTRY

    files, infos = built
    atlas, idx = real_atlas
    seen = {"named": 0, "unnamed": 0}
    for c in atlas.collectivites.values():
        at_centre = [p for p in c.partnerships if p.location == LOCATION_COUNTRY and p.point is not None]
        if not at_centre:
            continue
        data = map_data(files, infos[f"collectivite-{c.slug}"])
        points = {m.country: m for m in markers(data) if m.kind is Kind.COUNTRY}
        for code in {p.country for p in at_centre}:
            here = [p for p in at_centre if p.country == code]
            names = sorted({p.partner.name for p in here if p.partner})
            assert sorted(filter(None, points[code].label.split(" / "))) == names
            assert points[code].unnamed == sum(1 for p in here if not p.partner)  # the unnamed ones, counted
        named, unnamed = any(p.partner for p in at_centre), any(not p.partner for p in at_centre)
        seen["named"] += named
        seen["unnamed"] += unnamed
        label = legend.country_point_label(named, unnamed)
        items = legend_items(data)
        assert (items[-1].symbol, items[-1].label) == (Symbol.COUNTRY, label)  # the web map's legend
        # the image's caption and e-mail snippet say the very same items (one legend model)
        assert infos[f"collectivite-{c.slug}"].legend == items
        if not unnamed:
            assert not any("non identifié" in item.label for item in items)
    assert seen["named"] and seen["unnamed"]  # both cases are in the real content (Le Portel; Lille…)


@dataclasses.dataclass
class _Spec:
    name: str
    values: dict
    svg: bool = True


_GOOD_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0L5 5" fill="url(#g)"/></svg>'
_POISONS = {
    "cut": lambda kind, data: caches.seal(data)[:40],
    "unsealed": lambda kind, data: data,
    "wrong-hash": lambda kind, data: caches.seal(data)[:-1] + b"x",
    "svg-script": lambda kind, data: caches.seal(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') if kind == "svg" else None,
    "svg-handler": lambda kind, data: caches.seal(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') if kind == "svg" else None,
    "svg-outside-image": lambda kind, data: caches.seal(b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://example.org/x.png"/></svg>') if kind == "svg" else None,
    "svg-foreign-object": lambda kind, data: caches.seal(b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>') if kind == "svg" else None,
    "png-signature-only": lambda kind, data: caches.seal(cache.PNG_SIGNATURE + b"pas une image") if kind == "png" else None,
    "html-as-png": lambda kind, data: caches.seal(b"<!doctype html><script>alert(1)</script>") if kind == "png" else None,
}


_POISONED = [(kind, name) for name, make in _POISONS.items() for kind in ("png", "svg") if make(kind, b"x") is not None] \
    + [(kind, name) for name in ("symlink-outside", "folder-instead") for kind in ("png", "svg")]


@pytest.mark.parametrize("kind, poison", _POISONED)
def test_a_damaged_linked_or_planted_image_entry_is_drawn_again_never_published(tmp_path, kind, poison):
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    good = {"png": png.getvalue(), "svg": _GOOD_SVG}
    images = cache.ImageCache(tmp_path / "images")
    spec = _Spec("liens", {"FR": "#fff"})
    images.put(spec, dict(good))
    assert images.get(spec) is not None and images.get(spec)[kind] == good[kind]
    k = images.key(spec)
    entry = tmp_path / "images" / k[:2] / k / cache.FILES[kind]
    if poison == "symlink-outside":
        outside = tmp_path / "ailleurs"
        outside.write_bytes(caches.seal(good[kind]))  # even a valid entry: a link is never followed
        entry.unlink()
        entry.symlink_to(outside)
    elif poison == "folder-instead":
        entry.unlink()
        entry.mkdir()
    else:
        entry.write_bytes(_POISONS[poison](kind, good[kind]))
    assert images.get(spec) is None


@pytest.mark.parametrize("slug", ["lille", "tourcoing", "le-portel"])
def test_the_newsletter_image_names_its_collectivite_and_partners_without_overlap(real_atlas, slug):
    """Issue 26: the PNG of Lille's partners labelled none of its 17 points (Leeds and Turin looked
    alike). Now the collectivité and each named partner at its own place are written beside their
    points, never over one another; those that would be are counted (« + N autres »)."""
    atlas, idx = real_atlas
    spec = next(j.spec for j in maps.jobs(atlas, idx, Settings()) if j.info.id == f"collectivite-{slug}")
    from atlas.content.model import LOCATION_COUNTRY
    from atlas.maps import images

    c = atlas.collectivites[slug]
    named = {p.partner.name for p in c.partnerships if p.partner and p.location != LOCATION_COUNTRY and p.point}
    assert spec.labels[0].text == c.name and spec.subject_labels == 1
    assert {t for label in spec.labels[1:] for t in label.text.split(" / ")} == named

    drawn, left = images.render(spec)["labels"]
    names = [text for text, _ in drawn]
    assert names[0] == c.name and len(drawn) + left == len(spec.labels)
    for i, (_, a) in enumerate(drawn):
        for _, b in drawn[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_the_images_place_names_read_at_12_css_px_when_shown_600_px_wide():
    from atlas.maps import images

    assert images.LABEL_PX * 600 / images.WIDTH2X >= 12


def _decoded(rings: list[list[int]]) -> list[list[tuple[float, float]]]:
    """A country's rings as static/carte.js decodes them (integer steps of 1/QUANTUM degree)."""
    out = []
    for ring in rings:
        x = y = 0
        points = []
        for k in range(0, len(ring), 2):
            x, y = x + ring[k], y + ring[k + 1]
            points.append((x / assets.QUANTUM, y / assets.QUANTUM))
        out.append(points)
    return out


def test_country_outlines_are_world_scale_light_and_keep_every_country():
    """pays.js: every shipped country (the Vatican as a speck), each where it is (its box within a
    simplification step of the shipped one), in a quarter of the shipped weight."""
    import gzip

    from shapely.geometry import shape

    shipped = {f["properties"]["iso"]: shape(f["geometry"]) for f in json.loads(assets.SHAPES.read_text(encoding="utf-8"))["features"]}
    world = assets.world_shapes()
    assert world["q"] == assets.QUANTUM and set(world["pays"]) == set(shipped)
    for iso, polygons in world["pays"].items():
        points = [p for rings in polygons for ring in _decoded(rings) for p in ring]
        assert all(len(ring) >= 6 and len(ring) % 2 == 0 for rings in polygons for ring in rings), iso
        lon0, lat0, lon1, lat1 = shipped[iso].bounds
        slack = 2 * assets.SIMPLIFY_DEG + 2 / assets.QUANTUM + (1 if shipped[iso].geom_type == "MultiPolygon" else 0)
        assert all(lon0 - slack <= x <= lon1 + slack and lat0 - slack <= y <= lat1 + slack for x, y in points), iso
    big = {iso: max(shipped[iso].geoms if shipped[iso].geom_type == "MultiPolygon" else [shipped[iso]], key=lambda g: g.area)
           for iso in ("FR", "DE", "SN", "BR", "CA")}
    for iso, part in big.items():  # the main land keeps its extent
        xs = [x for x, _ in _decoded(world["pays"][iso][0])[0]]  # the largest part comes first
        assert abs(max(xs) - min(xs) - (part.bounds[2] - part.bounds[0])) < 2 * assets.SIMPLIFY_DEG, iso
    script = assets.shapes_script().encode()
    shipped_size = len(assets.SHAPES.read_bytes())
    assert len(script) < shipped_size / 3 and len(gzip.compress(script)) < 70_000


# -- the images drawn with Pillow: what each map draws is there, in its colour and style --

def _ocean_spec(location, **changes):
    """A seat and a partner over the Atlantic (sea all along the link between them)."""
    from atlas.maps import images

    line = images.Line(-40.0, 30.0, -20.0, 30.0, location, "commune")
    spec = images.Spec("essai", "liens", seats=[images.Seat(-40.0, 30.0, "commune")],
                       partners=[images.Point(-20.0, 30.0, Kind.APPROX)], lines=[line])
    return dataclasses.replace(spec, **changes)


def _pixels(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def _to_page(spec, lon: float, lat: float) -> tuple[int, int]:
    """Where a point of the map is on the 1,200 px image."""
    from atlas.maps import images

    box = images.layout(spec)
    x0, x1, y0, y1 = box.extent
    return (round(images.MARGIN + (lon - x0) / (x1 - x0) * images.MAP_W),
            round(box.top + (y1 - lat) / (y1 - y0) * box.map_h))


def _runs_along_link(spec, is_ink) -> list[int]:
    """Lengths of the runs of inked pixels along the middle 60 % of the spec's only link."""
    from atlas.maps import images

    image = _pixels(images.render(spec)["png"])
    line = spec.lines[0]
    (xa, y), (xb, _) = _to_page(spec, line.lon0, line.lat0), _to_page(spec, line.lon1, line.lat1)
    runs, current = [], 0
    for x in range(xa + (xb - xa) // 5, xb - (xb - xa) // 5):
        if is_ink(image.getpixel((x, y))):
            current += 1
        elif current:
            runs.append(current)
            current = 0
    return runs + ([current] if current else [])


def test_a_link_to_an_approximate_position_is_drawn_dotted_and_an_exact_one_solid():
    """Static map images: « Position approximative » is a dotted line, as on the web map and in the legend."""
    def blue(rgb):  # the commune colour (#0072B2) over the sea, not the sea (#dfe9f0)
        return rgb[0] < 120 and rgb[2] > 140

    solid = _runs_along_link(_ocean_spec(Location.EXACT), blue)
    dotted = _runs_along_link(_ocean_spec(Location.APPROX), blue)
    assert len(solid) == 1 and solid[0] > 100  # one unbroken stroke
    assert len(dotted) >= 10 and max(dotted) <= 5  # dots of a line's width, with gaps between them


def test_a_link_to_a_country_centre_is_drawn_in_grey_dashes():
    def grey(rgb):  # COUNTRY_COLOR #6b6b6b over the sea
        return max(rgb) - min(rgb) < 30 and max(rgb) < 190

    dashes = _runs_along_link(_ocean_spec(Location.COUNTRY), grey)
    assert len(dashes) >= 5 and 5 <= max(dashes) <= 12  # dashes of 4 line widths, gaps of 3


def test_maps_of_one_frame_share_one_background_drawn_once():
    from atlas.maps import images

    renderer = images.Renderer()
    a = _ocean_spec(Location.EXACT)
    b = _ocean_spec(Location.APPROX, id="autre")  # same points: same frame
    far = _ocean_spec(Location.EXACT, seats=[images.Seat(100.0, 10.0, "commune")],
                      partners=[images.Point(110.0, 12.0, Kind.PARTNER)],
                      lines=[images.Line(100.0, 10.0, 110.0, 12.0, Location.EXACT, "commune")])
    assert images.frame_key(a) == images.frame_key(b) != images.frame_key(far)
    renderer.render(a)
    renderer.render(b)
    assert renderer.bases_drawn == 1
    renderer.render(far)
    renderer.render(a)  # still kept
    assert renderer.bases_drawn == 2
    choropleth = dataclasses.replace(a, values={"FR": "#bd0026"})  # its own colours: never shared
    renderer.render(choropleth)
    renderer.render(choropleth)
    assert renderer.bases_drawn == 4


def test_the_same_map_gives_the_same_bytes_whatever_was_drawn_before(real_atlas):
    """Deterministic images: the cache, the site's hard links and its byte-for-byte comparisons rely on it."""
    from atlas.maps import images

    atlas, idx = real_atlas
    specs = {j.info.id: j.spec for j in maps.jobs(atlas, idx, Settings()) if j.spec is not None}
    chosen = [specs["collectivite-lille"], specs["liens"], specs["pays-ma"]]
    first = [images.Renderer().render(s)["png"] for s in chosen]  # each on a fresh renderer
    shared = images.Renderer()
    again = [shared.render(s)["png"] for s in reversed(chosen)][::-1]  # one renderer, other order
    assert first == again
    svg = dataclasses.replace(_ocean_spec(Location.APPROX), svg=True)
    assert images.render(svg)["svg"] == images.Renderer().render(svg)["svg"]


def test_png_drawing_never_imports_matplotlib():
    """matplotlib draws the optional SVG only; a worker drawing PNGs does without it (its import alone
    costs each worker a third of a second)."""
    import subprocess
    import sys

    code = ("import sys; from atlas.maps import images; from atlas.maps.records import Kind, Location\n"
            "line = images.Line(2.0, 48.0, 13.0, 52.0, Location.EXACT, 'commune')\n"
            "spec = images.Spec('a', seats=[images.Seat(2.0, 48.0, 'commune')],"
            " partners=[images.Point(13.0, 52.0, Kind.PARTNER)], lines=[line])\n"
            "assert images.render(spec)['png'].startswith(b'\\x89PNG')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent / "scripts")
    assert out.stdout.strip() == "[]"


def test_the_workers_get_whole_frames_so_that_each_background_is_drawn_by_one_worker():
    from atlas.maps import images

    def at(lon):
        return _ocean_spec(Location.EXACT, seats=[images.Seat(lon, 10.0, "commune")],
                           partners=[images.Point(lon + 2, 12.0, Kind.PARTNER)], lines=[])

    groups = [[at(lon)] * n for lon, n in ((-60.0, 10), (0.0, 20), (60.0, 7), (120.0, 5 * images.BATCH))]
    specs = sorted((s for g in groups for s in g), key=images.frame_key)
    assert len({images.frame_key(g[0]) for g in groups}) == len(groups)
    batches = images._batches(specs)
    assert [s for b in batches for s in b] == specs  # every map, in order
    for group in groups[:3]:
        assert sum(1 for b in batches if images.frame_key(group[0]) in map(images.frame_key, b)) == 1
    assert all(len(b) <= 4 * images.BATCH for b in batches)  # a crowded frame is cut all the same
