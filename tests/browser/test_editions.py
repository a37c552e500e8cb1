"""The English edition in Chromium (issue 29): every kind of page opens, its switch leads to the
same page in French and back, no French word of the atlas's own vocabulary outside what people
wrote (marked lang="fr"), no accessibility violation, nothing wider than a 375 px phone."""
from __future__ import annotations

import re

import pytest

from .conftest import page_problems

pytestmark = pytest.mark.browser

# One page of each kind the English edition has, found by its address under en/.
KINDS = {
    "accueil": "", "collectivites": "collectivites/", "collectivite": "collectivites/lille/",
    "collectivite-sans-partenaire-nomme": "collectivites/bethune/", "pays-index": "pays/",
    "pays": "pays/senegal/", "pays-sans-partenariat": "pays/cuba/", "thematiques": "thematiques/",
    "thematique": "thematiques/eau-assainissement/", "nature": "natures/jumelage/", "reseaux": "reseaux/",
    "reseau": "reseaux/lianes-cooperation/", "statistiques": "statistiques/", "nouveautes": "nouveautes/",
    "donnees": "donnees/", "sources": "sources/", "methode": "methode/", "a-propos": "a-propos/",
}
# Words of the atlas's French that English never uses: function words and its own vocabulary.
FRENCH = re.compile(
    r"\b(des|les|aux|avec|dans|pour|une|sont|selon|depuis|jusqu|aucun|aucune|partenariats?|collectivités?|"
    r"coopérations?|jumelages?|thématiques?|données|carte|voir|télécharger|fiche|sources? :|"
    r"partenaires?|projets?|inconnue?|commune|région|réseaux?|nouveautés|statistiques)\b", re.I)

# The text of the page outside elements marked French (what people wrote) and outside the names
# the atlas shows as typed (collectivités, partners, networks, sources: proper names).
_VISIBLE_TEXT = """() => {
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const tag = node.tagName;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'PRE'].includes(tag)) return;
    if (node.getAttribute('lang') && !node.getAttribute('lang').startsWith('en')) return;
    if (node.hidden || getComputedStyle(node).display === 'none') return;
    for (const child of node.childNodes) walk(child);
  };
  walk(document.body);
  return out.join(' ');
}"""


def _names(real_atlas) -> list[str]:
    atlas, _ = real_atlas
    names = set()
    for c in atlas.collectivites.values():
        names |= {c.name, *c.aliases, c.region or ""}
        for p in c.partnerships:
            if p.partner:
                names |= {p.partner.name, *p.partner.aliases}
            for proj in p.projects:
                names |= {*proj.actors_here, *proj.actors_there, *proj.cofinanciers}
    names |= {n.label for n in atlas.networks.values()}
    for source in atlas.sources.values():  # publishers and titles of the documents, as typed
        names |= {source.label, str(source.extra.get("titre") or ""), str(source.extra.get("editeur") or "")}
    return sorted((n for n in names if n), key=len, reverse=True)


def _page(browser, url: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    page.goto(url, wait_until="load")
    return context, page


@pytest.mark.parametrize("path", KINDS.values(), ids=KINDS.keys())
def test_every_english_page_kind_opens_in_english_without_error(site_url, watched, path):
    problems = page_problems(watched, site_url + "en/" + path)
    assert not problems, problems
    assert watched.page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("path", KINDS.values(), ids=KINDS.keys())
def test_the_language_switch_leads_to_the_same_page_in_french_and_back(site_url, browser, path):
    context, page = _page(browser, site_url + "en/" + path)
    page.locator("nav.atlas-langues a[hreflang=fr]").click()
    page.wait_for_load_state("load")
    assert page.url == site_url + path
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator("nav.atlas-langues a[hreflang=en]").click()
    page.wait_for_load_state("load")
    assert page.url == site_url + "en/" + path
    context.close()


@pytest.mark.parametrize("path", KINDS.values(), ids=KINDS.keys())
def test_no_french_word_of_the_atlas_on_an_english_page(site_url, browser, real_atlas, path):
    context, page = _page(browser, site_url + "en/" + path)
    text = page.evaluate(_VISIBLE_TEXT)
    context.close()
    for name in _names(real_atlas):
        text = text.replace(name, " ")
    text = re.sub(r"\b[\w-]+\.(csv|geojson|json|xml|yml)\b", " ", text)  # file names: identifiers
    found = sorted({m.group(0) for m in FRENCH.finditer(text)})
    around = [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ") for m in FRENCH.finditer(text)][:8]
    assert not found, f"en/{path} : {found}\n" + "\n".join(around)


@pytest.mark.parametrize("path", ["", "collectivites/lille/", "pays/senegal/", "thematiques/eau-assainissement/",
                                  "statistiques/", "cartes/?carte=liens"])
def test_no_english_page_scrolls_sideways_on_a_375_px_phone(site_url, browser, path):
    context, page = _page(browser, site_url + "en/" + path, 375)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"en/{path} : {width} px"


@pytest.mark.parametrize("path", ["", "collectivites/lille/", "pays/senegal/", "thematiques/eau-assainissement/",
                                  "natures/jumelage/", "statistiques/", "donnees/"])
def test_axe_finds_no_violation_on_english_pages(site_url, watched, path):
    from axe_playwright_python.sync_playwright import Axe

    watched.page.goto(site_url + "en/" + path, wait_until="load")
    results = Axe().run(watched.page)
    violations = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                  for v in results.response["violations"]]
    assert not violations, "\n".join(violations)


def test_english_search_finds_a_country_by_its_english_name(site_url, watched):
    """The English edition's own index (Material's search in English): « Germany » is found by its
    English name, which the French index does not know."""
    page = watched.page
    page.goto(site_url + "en/", wait_until="networkidle")  # the search index is loaded
    page.locator("input.md-search__input").click()
    page.keyboard.type("germany", delay=30)  # typed as a reader types: Material listens to key events
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(min(results.count(), 10))]
    assert any("en/pays/allemagne/" in (h or "") for h in hrefs), hrefs
