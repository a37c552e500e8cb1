"""Every page of the real atlas in Chromium: no console error, no failed or outside request."""
from __future__ import annotations

import re
import shutil

import pytest

from atlas import urls

from .conftest import page_problems, serve

pytestmark = pytest.mark.browser


def _local_page(browser, url: str, width: int, height: int):
    """A new browser context of that size, in French, that reaches nothing outside localhost; at `url`."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    page.goto(url, wait_until="load")
    return context, page


def test_every_page_loads_without_error_or_outside_request(built_site, site_url, watched):
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html"))
    assert len(pages) > 100
    problems = [f"{rel}: {p}" for rel in pages for p in page_problems(watched, site_url + rel)]
    assert not problems, "\n".join(problems[:20])


def test_a_deliberately_broken_page_is_reported(built_site, tmp_path, watched):
    """The page check above is not blind: a script error and a missing style are caught."""
    broken = tmp_path / "site"
    shutil.copytree(built_site, broken)
    home = broken / "index.html"
    html = home.read_text(encoding="utf-8")
    html = html.replace("</body>", "<script>appelInexistant();</script></body>")
    html = re.sub(r'href="assets/atlas\.css"', 'href="assets/absent.css"', html)
    home.write_text(html, encoding="utf-8")
    server, url = serve(broken)
    try:
        problems = page_problems(watched, url)
    finally:
        server.shutdown()
    assert any("appelInexistant" in p for p in problems), problems
    assert any("absent.css" in p for p in problems), problems


def test_search_typed_without_accents_lists_the_senegal_page(site_url, watched):
    page = watched.page
    page.goto(site_url, wait_until="networkidle")  # the search index is loaded
    page.locator("input.md-search__input").click()
    page.keyboard.type("senegal", delay=30)  # typed as a reader types: Material listens to key events
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(min(results.count(), 10))]
    assert any(urls.country("SN") in (h or "") for h in hrefs), hrefs


def test_search_cooperation_without_accent_finds_pages(site_url, watched):
    page = watched.page
    page.goto(site_url, wait_until="networkidle")  # the search index is loaded
    page.locator("input.md-search__input").click()
    page.keyboard.type("cooperation", delay=30)  # typed as a reader types: Material listens to key events
    page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    assert page.locator(".md-search-result__item").count() >= 3


def _search(page, site_url: str, query: str) -> list[str]:
    page.goto(site_url, wait_until="networkidle")  # the search index is loaded
    page.locator("input.md-search__input").click()
    page.keyboard.type(query, delay=30)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    page.wait_for_timeout(300)  # the list settles as the last keys arrive
    return [results.nth(i).get_attribute("href") or "" for i in range(min(results.count(), 10))]


@pytest.mark.parametrize("query, expected", [("jumelage", "natures/jumelage/"),
                                             ("cooperation decentralisee", "natures/cooperation-decentralisee/")])
def test_search_for_a_kind_of_partnership_lands_on_its_atlas_page_first(site_url, watched, query, expected):
    hrefs = _search(watched.page, site_url, query)
    assert expected in hrefs[0], hrefs
    # the contributors' guide comes after the atlas's pages
    assert not any("contribuer/reference/" in h for h in hrefs)  # the file format's reference is not searched
    guide = [i for i, h in enumerate(hrefs) if "contribuer/" in h]
    atlas_pages = [i for i, h in enumerate(hrefs) if "contribuer/" not in h]
    assert not guide or min(guide) > min(atlas_pages)


def test_search_entries_of_generated_pages_are_short_readable_and_name_what_the_page_shows(built_site, real_atlas):
    import json

    atlas, idx = real_atlas
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    by_location = {}
    for d in index["docs"]:
        by_location.setdefault(d["location"], []).append(d)
    senegal = by_location[urls.country("SN")]
    assert len(senegal) == 1  # one compact entry per generated page, not one per section
    text = senegal[0]["text"]
    assert senegal[0]["title"].startswith("Sénégal") and "senegal" in senegal[0]["title"]  # found by its title
    names = {c.name for c in idx.collectivites_in("SN")}
    assert all(n in text for n in names) and " · " in text  # names apart, not glued table cells
    lille = by_location[urls.collectivite("lille")][0]["text"]
    assert all(p.partner.name in lille for p in atlas.collectivites["lille"].partnerships if p.partner)
    # the embed code and the map's text alternative of the home stay out of the snippets
    assert not any("&lt;iframe" in d["text"] or "Texte alternatif" in d["text"] for d in index["docs"])


def test_collectivite_index_filters_by_type_and_name(site_url, watched, real_atlas):
    atlas, _ = real_atlas
    page = watched.page
    page.goto(site_url + "collectivites/")
    rows = page.locator("#table-collectivites tbody tr")
    assert rows.count() == len(atlas.collectivites)
    page.select_option("form.atlas-filtres select[name=type]", "region")
    expected = sum(1 for c in atlas.collectivites.values() if c.type == "region")
    assert page.locator("#table-collectivites tbody tr:visible").count() == expected
    page.select_option("form.atlas-filtres select[name=type]", "")
    page.fill("form.atlas-filtres input[name=q]", "lammersart")  # a source's spelling, kept as alias
    visible = page.locator("#table-collectivites tbody tr:visible")
    assert visible.count() == 1 and "Lambersart" in visible.inner_text()


def test_collectivite_index_sorts_by_number_of_partnerships(site_url, watched, real_atlas):
    atlas, _ = real_atlas
    page = watched.page
    page.goto(site_url + "collectivites/")
    header = page.locator("#table-collectivites thead th").nth(3)
    header.locator("button").click()
    header.locator("button").click()  # descending
    first = page.locator("#table-collectivites tbody tr").first.locator("td").first.inner_text()
    top = max((c for c in atlas.collectivites.values() if not c.partners_unknown), key=lambda c: len(c.partnerships))
    assert any(c.name == first and len(c.partnerships) == len(top.partnerships) for c in atlas.collectivites.values())
    assert header.get_attribute("aria-sort") == "descending"


def test_collectivite_index_is_in_french_alphabetical_order_and_the_filter_ignores_hyphens(site_url, watched, real_atlas):
    import unicodedata

    def key(name):  # written here, not imported: the order a French reader expects
        bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).lower()
        return re.sub(r"[\s\-'’]+", " ", bare)

    atlas, _ = real_atlas
    page = watched.page
    page.goto(site_url + "collectivites/")
    names = page.locator("#table-collectivites tbody tr td:first-child").all_inner_texts()
    assert names == sorted((c.name for c in atlas.collectivites.values()), key=key)
    assert names.index("Calais") < names.index("Cambrai") < names.index("Communauté d'agglomération de Saint-Omer")
    page.fill("form.atlas-filtres input[name=q]", "saint omer")
    visible = page.locator("#table-collectivites tbody tr:visible").all_inner_texts()
    assert visible and all("Saint-Omer" in row for row in visible)
    assert "sources ne nomment pas de partenaire" in page.locator("article").inner_text()  # the « ? » said in words


@pytest.mark.parametrize("path", ["collectivites/", "statistiques/", "pays/senegal/", "collectivites/lille/", "nouveautes/",
                                  "natures/accord-de-cooperation/", "thematiques/", "cartes/?carte=liens", ""])
def test_no_page_scrolls_sideways_on_a_375_px_phone(site_url, browser, path):
    context, page = _local_page(browser, site_url + path, 375, 800)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"{path} : {width} px de large sur un écran de 375 px"


def test_tables_are_cards_on_a_phone_and_tables_on_a_wide_screen(site_url, browser):
    """Issue 26: the partners table scrolled sideways with rows 230 px tall; on a phone each row is now
    a card whose cells say their column, no table needs the « faites glisser » cue; a wide screen keeps
    the table, its header and its columns."""
    context, page = _local_page(browser, site_url + "pays/senegal/", 375, 800)
    page.wait_for_timeout(300)
    assert page.locator(".atlas-defiler:not([hidden])").count() == 0
    cell = page.locator("table[data-cartes] td[data-label='Nature']").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"
    assert cell.evaluate("e => getComputedStyle(e, '::before').content").startswith('"Nature')
    context.close()
    context, page = _local_page(browser, site_url + "pays/senegal/", 1280, 800)
    cell = page.locator("table[data-cartes] td[data-label='Nature']").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "table-cell"
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") in ("none", "normal")
    context.close()


AUDITED = ["", "collectivites/lille/", "pays/senegal/", "thematiques/eau-assainissement/", "natures/jumelage/"]


@pytest.mark.parametrize("path", AUDITED, ids=["accueil", "collectivite", "pays", "thematique", "nature"])
def test_accessibility_audit_finds_no_serious_violation(site_url, watched, path):
    from axe_playwright_python.sync_playwright import Axe

    watched.page.goto(site_url + path, wait_until="load")
    results = Axe().run(watched.page)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)


@pytest.mark.parametrize("slug", ["lille", "tourcoing", "departement-du-nord", "bouvines", "cambrai"])
def test_a_collectivite_page_answers_who_with_in_the_first_screen_of_a_phone(site_url, browser, real_atlas, slug):
    """Issue 26: the partners, by country, right under the title (they were 2,022 px down on Lille)."""
    atlas, _ = real_atlas
    c = atlas.collectivites[slug]
    context, page = _local_page(browser, site_url + f"collectivites/{slug}/", 375, 812)
    answer = page.locator(".atlas-en-bref")
    top = answer.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    text = answer.inner_text()
    map_top = page.evaluate("(document.querySelector('#carte') || {getBoundingClientRect: () => ({top: 1e9})})"
                            ".getBoundingClientRect().top + window.scrollY")
    context.close()
    assert top < 812 * 0.5, f"{slug} : la réponse commence à {top:.0f} px"
    assert top < map_top  # before the map, the text and the details
    for p in c.partnerships:
        assert atlas.countries[p.country].name in text
        if p.partner:
            assert p.partner.name in text
    if any(not p.partner for p in c.partnerships):
        assert "que les sources ne nomment pas" in text


# Every kind of page a reader meets (issue 26: « proven in Chromium on every kind of page »).
EVERY_KIND = ["", "collectivites/", "collectivites/lille/", "collectivites/tourcoing/", "collectivites/bouvines/",
              "pays/", "pays/allemagne/", "pays/senegal/", "thematiques/", "thematiques/eau-assainissement/",
              "natures/jumelage/", "reseaux/", "reseaux/cites-unies-france/", "statistiques/", "donnees/", "sources/",
              "nouveautes/", "a-propos/", "methode/", "contribuer/", "contribuer/reference/"]
# A word cut across two lines: each word of each visible text measured by its boxes (code blocks,
# which scroll and never reflow, and words wider than the line alone are not counted).
CUT_WORDS = r"""
() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.md-content'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('script,style,pre,.leaflet-container,iframe,svg,thead,.md-visually-hidden,[hidden],details:not([open])')) continue;
    const re = /[^\s\-\u2010\u2011\u2013\u2014\/]+/g; let m;
    while ((m = re.exec(node.textContent))) {
      if (m[0].length < 2) continue;
      const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const boxes = Array.from(r.getClientRects()).filter(x => x.width > 0);
      const width = boxes.reduce((a, x) => a + x.width, 0);
      if (boxes.length > 1 && Math.abs(boxes[0].top - boxes[boxes.length - 1].top) > 2 && width < 0.8 * innerWidth) out.push(m[0]);
    }
  }
  return out;
}
"""
SIDEWAYS = r"""
() => Array.from(document.querySelectorAll('.md-content *'))
  .filter(e => !e.closest('pre,thead,.leaflet-container') && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
  .map(e => e.tagName + '.' + e.className)
"""


@pytest.mark.parametrize("path", EVERY_KIND)
def test_on_a_375_px_phone_nothing_scrolls_sideways_and_no_word_is_cut(site_url, browser, path):
    context, page = _local_page(browser, site_url + path, 375, 812)
    width = page.evaluate("document.documentElement.scrollWidth")
    scrolling, cut = page.evaluate(SIDEWAYS), page.evaluate(CUT_WORDS)
    context.close()
    assert width <= 375 and not scrolling, f"{path} : {width} px, défile de côté : {scrolling[:3]}"
    assert not cut, f"{path} : mots coupés {cut[:5]}"


def test_the_home_starts_from_the_readers_question_then_the_explore_links_then_one_map(site_url, browser):
    """Issue 26: no way to look up « my town » near the top, two world maps before « Explorer »."""
    context, page = _local_page(browser, site_url, 375, 812)
    top = lambda selector: page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")  # noqa: E731
    field, links, carte = top("#atlas-trouver"), top(".grid.cards"), top(".atlas-carte-bloc")
    assert field < 300 and field < links < carte
    assert page.locator(".atlas-carte-bloc iframe").count() == 1
    assert page.get_by_label("Trouver une collectivité ou un pays").is_visible()
    context.close()


@pytest.mark.parametrize("typed, lands", [("senegal", "pays/senegal/"), ("LILLE", "collectivites/lille/"),
                                          ("Ville de Lille", "collectivites/lille/"),
                                          ("communaute urbaine de dunkerque", "collectivites/communaute-urbaine-de-dunkerque/"),
                                          ("Zorglub", "collectivites/?q=Zorglub")])
def test_the_home_finder_leads_to_the_page_named_or_to_the_filtered_index(site_url, watched, typed, lands):
    page = watched.page
    page.goto(site_url)
    page.fill("#atlas-trouver", typed)
    page.wait_for_function("document.querySelectorAll('#atlas-lieux option').length > 50")
    page.press("#atlas-trouver", "Enter")
    page.wait_for_url(site_url + lands)
    if "?q=" in lands:  # not a name of the atlas: the collectivités' filter says so, with what was typed
        assert page.locator("form.atlas-filtres input[name=q]").input_value() == typed
        assert page.locator("form.atlas-filtres output").inner_text().replace("\xa0", " ").startswith("0 ")
    assert not watched.errors
