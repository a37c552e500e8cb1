"""Issue 29, the English edition of the generated pages: every page kind rendered from the real
content in English shows no French word of the atlas's own vocabulary outside what is marked
`lang="fr"` (the free texts people wrote) and outside proper names; the French pages are the ones
main rendered before the English edition; plurals read right for 0, 1 and 2 in both languages.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from atlas import i18n, pipeline
from atlas.config import Settings
from atlas.content import gazetteer

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SITE_URL = "https://atlas.example/"

# Words of the atlas's own French that cannot be English words (whole words, any case; accents
# matter: « Région » is French, “Region” English). « département » is kept in English on purpose.
FRENCH = set("""
le la les des du de un une et ou avec dans pour sur sans par aux au est sont qui que ne pas cette ces
leur leurs ses son sa nous vous votre ici là où aussi encore déjà chaque autre autres aucun aucune
tous toutes même mêmes selon entre depuis jusqu
partenariat partenariats partenaire partenaires collectivité collectivités pays jumelage jumelages
coopération coopérations décentralisée décentralisées thématique thématiques fiche fiches carte cartes
données année années décennie inconnu inconnue inconnus habitants statut réseau réseaux nouveautés
statistiques projet projets région accueil localisation acteurs cofinanceurs mesure valeur libellé
publié publiés chiffres limites éditeur clé contenu fichier taille colonne colonnes ligne lignes
ouvertes télécharger contribuer signaler erreur zone_ approximative approximativement nommé nommés
renseignée renseigné précisé précisée attesté membre membres flux abonner
""".split()) - {"zone_"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ELISION = re.compile(r"^(?:[ldjnsc]|qu)['’]", re.I)  # l'atlas, d'autres, n'est, qu'il
# Attributes a reader sees or hears: tooltips, labels, placeholders, text alternatives, the cards' labels.
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label"}
SKIPPED = {"code", "pre", "script", "style"}  # identifiers and markup shown as code (columns, keys)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Shown(HTMLParser):
    """The text of a page a reader sees or hears, except inside lang="fr" elements, code, and the
    elements `skip(tag, attrs)` names (parts of the page other work owns)."""

    def __init__(self, skip):
        super().__init__(convert_charrefs=True)
        self.skip, self.texts, self._stack = skip, [], []
        self.french: list[str] = []  # texts inside lang="fr" (a table's typed column names)

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hide = (a.get("lang") not in (None, "en")) or tag in SKIPPED or self.skip(tag, a)
        if not hide and not self._hidden():
            self.texts += [self._without_french(k, v) for k, v in attrs if k in SHOWN_ATTRIBUTES and v]
        if tag not in VOID:
            self._stack.append(hide)

    def handle_startendtag(self, tag, attrs):
        if not self._hidden():
            self.texts += [v for k, v in attrs if k in SHOWN_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not data.strip():
            return
        if not self._hidden():
            self.texts.append(data)
        elif self._stack and any(self._stack):
            self.french.append(" ".join(data.split()))

    def _without_french(self, name: str, value: str) -> str:
        """A card's label (cards.py) repeats its column's name, where a part typed in French is marked
        lang="fr" (a published figure's label, a table's unit): an attribute cannot mark it."""
        value = " ".join(value.split())
        if name == "data-label":
            for text in sorted(self.french, key=len, reverse=True):
                value = value.replace(text, " ")
        return value


def _no_skip(tag, attrs) -> bool:
    return False


MAP_BLOCKS = {"figure": "atlas-carte-bloc", "details": ("atlas-texte-alternatif", "note")}


def _map_block(tag, attrs) -> bool:
    """A map where a page shows one (partials/carte.html.j2: the viewer, its text alternative, the
    code to embed it), which the maps' part of issue 29 translates (branch i18n-maps): checked apart."""
    classes = (attrs.get("class") or "").split()
    wanted = MAP_BLOCKS.get(tag, ())
    return any(c in classes for c in ((wanted,) if isinstance(wanted, str) else wanted))


def shown_texts(html: str, skip=_no_skip) -> list[str]:
    parser = _Shown(skip)
    parser.feed(html)
    parser.close()
    return parser.texts


def french_words(texts, removed: list[str]) -> list[str]:
    """The French words of FRENCH in `texts`, once the strings `removed` (proper names, longest
    first) are taken out."""
    found = []
    for text in texts:
        text = " ".join(text.split())
        for name in removed:
            if name in text:
                text = text.replace(name, " ")
        for word in _WORD.findall(text):
            w = word.lower()
            if w in FRENCH or _ELISION.match(w) or w.split("'")[0].split("’")[0] in FRENCH:
                found.append(f"{word} « {text.strip()[:120]} »")
    return found


def _strings(*groups) -> list[str]:
    names = {" ".join(str(n).split()) for group in groups for n in group if n and str(n).strip()}
    return sorted(names, key=len, reverse=True)


def proper_names(atlas, site) -> list[str]:
    """What stays as typed in every edition, unmarked: the names of collectivités, partners, networks,
    régions and départements, co-funders and actors; the site's name, the data's licence and files.
    (The sources' titles and publishers, typed in French, are marked lang="fr".)"""
    departements = gazetteer.departements()
    out = [site.name, site.licence]
    for c in atlas.collectivites.values():
        out += [c.name, *c.aliases, c.region, departements.get(c.departement or "", "")]
        for p in c.partnerships:
            if p.partner:
                out += [p.partner.name, *p.partner.aliases]
            for proj in p.projects:
                out += [*proj.cofinanciers, *proj.actors_here, *proj.actors_there]
    out += [n.label for n in atlas.networks.values()]
    out += [f["nom"] for f in site.exports.get("fichiers", [])] + ["datapackage.json"]
    return _strings(out)


def free_texts_in_metadata(atlas) -> list[str]:
    """A network's own description, in French, is also its page's description (meta, search)
    where no lang="fr" can mark it."""
    return _strings(n.description for n in atlas.networks.values())


def owned_elsewhere(outputs) -> list[str]:
    """Words the pages show that other parts of issue 29 translate, not the pages' templates: the
    maps' titles, text alternatives and rows (maps/), the data files' descriptions (site/exports.py),
    the news lines (site/news.py). Checked apart, below."""
    out = []
    for info in outputs.maps.values():
        out += [info.title, info.alt, *(r.country for r in info.rows), *(r.location for r in info.rows),
                *(r.country for r in info.summary)]
    e = outputs.exports
    out += [f.get("description", "") for f in e.get("fichiers", [])] + [f.get("format", "") for f in e.get("fichiers", [])]
    for key in ("csv", "geojson", "json"):
        out += [e[key].get("description", ""), e[key].get("format", "")]
    out += [c["description"] for c in e["csv"]["colonnes"]]
    out += [n.summary for n in outputs.news]
    return _strings(out)


@pytest.fixture(scope="module")
def editions():
    """Every generated page of the real content, rendered in French and in English (with the
    pipeline's objects), as each edition's build renders them."""
    loaded = pipeline.load(CONTENT)
    out = {}
    for lang in ("fr", "en"):
        pages: dict = {}
        with i18n.using(lang):
            outputs = pipeline.generate(loaded, Settings(png=True, site_url=SITE_URL), lambda *a: None,
                                        pages.__setitem__)
            outputs.images.cancel()
            out[lang] = (outputs, {src: (page, page.render()) for src, page in pages.items()})
    return loaded.atlas, out


KINDS = {  # page kind → which generated pages (source paths)
    "collectivité": lambda src: src.startswith("collectivites/") and src != "collectivites/index.md",
    "index des collectivités": lambda src: src == "collectivites/index.md",
    "pays": lambda src: src.startswith("pays/") and src != "pays/index.md",
    "index des pays": lambda src: src == "pays/index.md",
    "thématique": lambda src: src.startswith("thematiques/") and src != "thematiques/index.md",
    "index des thématiques": lambda src: src == "thematiques/index.md",
    "nature": lambda src: src.startswith("natures/"),
    "réseau": lambda src: src.startswith("reseaux/") and src != "reseaux/index.md",
    "index des réseaux": lambda src: src == "reseaux/index.md",
    "statistiques": lambda src: src == "statistiques/index.md",
    "sources": lambda src: src == "sources/index.md",
    "nouveautés": lambda src: src == "nouveautes/index.md",
    "données": lambda src: src == "donnees/index.md",
}


def _english_pages(editions, kind):
    atlas, out = editions
    outputs, pages = out["en"]
    chosen = {src: v for src, v in pages.items() if KINDS[kind](src)}
    assert chosen, f"aucune page « {kind} »"
    return atlas, outputs, chosen


# The data page (site/exports.py and its template, the data's part of issue 29): the columns'
# descriptions quote the CSV's values (« jumelage », « actif », « pays ») as plain text, not as code.
@pytest.mark.parametrize("kind", KINDS)
def test_an_english_page_shows_no_french_word_of_the_atlas_outside_lang_fr_and_names(editions, kind):
    atlas, outputs, chosen = _english_pages(editions, kind)
    removed = _strings(proper_names(atlas, outputs.site), owned_elsewhere(outputs))
    removed.sort(key=len, reverse=True)
    offending = []
    for src, (page, html) in sorted(chosen.items()):
        words = french_words(shown_texts(html, _map_block), removed)
        metadata = [page.title, page.description] + ([page.preview["title"], page.preview["description"]]
                                                      if page.preview else [])
        words += french_words(metadata, free_texts_in_metadata(atlas) + removed)
        offending += [f"{src} : {w}" for w in words]
    assert not offending, f"{len(offending)} mot(s) français :\n" + "\n".join(offending[:40])


@pytest.mark.parametrize("kind", ["collectivité", "pays", "thématique", "données", "nouveautés"])
def test_the_words_of_maps_data_files_and_news_on_an_english_page_are_english_too(editions, kind):
    atlas, outputs, chosen = _english_pages(editions, kind)
    # the maps' source lines name the sources' publishers, unmarked
    removed = _strings(proper_names(atlas, outputs.site), (s.extra.get("editeur") for s in atlas.sources.values()))
    offending = [f"{src} : {w}" for src, (_, html) in sorted(chosen.items())
                 for w in french_words(shown_texts(html), removed)]
    assert not offending, "\n".join(offending[:40])


def test_the_checker_finds_french_outside_lang_fr_and_not_inside():
    html = ('<p>Partnerships <span lang="fr">des collectivités</span></p><p title="Carte des pays">x</p>'
            '<code>partenaire_lat</code><p>Lille et Leeds</p>')
    words = [w.split(" ")[0] for w in french_words(shown_texts(html), ["Lille", "Leeds"])]
    assert words == ["Carte", "des", "pays", "et"]
    assert french_words(shown_texts("<p>l'atlas</p>"), []) and not french_words(["the atlas's map"], [])


def test_free_texts_are_marked_french_on_english_pages(editions):
    """The engagement, descriptions and project texts people wrote reach English pages in French,
    inside lang="fr" (no file of the real content gives an English text yet)."""
    atlas, out = editions
    _, pages = out["en"]
    lille = atlas.collectivites["lille"]
    html = pages["collectivites/lille.md"][1]
    start = html.index(" ".join(lille.engagement.split()[:3]))
    assert html.rfind('lang="fr"', 0, start) > html.rfind("</div>", 0, start)
    project = next(proj for p in lille.partnerships for proj in p.projects)
    assert f'<span lang="fr">{project.title}</span>' in html.replace("&#39;", "'")


def test_english_pages_name_countries_and_labels_in_english(editions):
    _, out = editions
    _, pages = out["en"]
    page, html = pages["pays/senegal.md"]
    assert page.title == "Senegal" and "<h1" in html and ">Senegal</h1>" in html
    page, html = pages["collectivites/lille.md"]
    assert "Local authorities" in html and "Twinning" in html and "Senegal" in html
    assert page.description == "Lille — municipality (Nord): 17 partnerships in 15 countries."


# -- Plurals --------------------------------------------------------------------------------------

MY_FILES = ("site/pages.py", "site/social.py", "site/templates/", "site/theme/")
_PLURAL_NOUN_AFTER_ONE = re.compile(
    r"%\((?:count|num)\)s(?:</strong>)? (?:\w+ )?(?:partnerships|countries|authorities|projects|partners|rows"
    r"|themes|inhabitants|seats)\b")


def _plural_messages():
    return [m for m in i18n.extract() if isinstance(m.id, tuple)
            and any(loc.startswith(MY_FILES) for loc, _ in m.locations)]


def test_the_pages_plural_messages_are_found():
    assert len(_plural_messages()) >= 25


@pytest.mark.parametrize("n", [0, 1, 2])
def test_every_plural_message_of_the_pages_takes_the_right_form_for_0_1_2_in_both_languages(n):
    for m in _plural_messages():
        one, many = m.id
        assert i18n.ngettext_in("fr", one, many, n) == (one if n <= 1 else many)  # French: 0 and 1 singular
        english = i18n.catalogue("en").get(one).string
        assert i18n.ngettext_in("en", one, many, n) == (english[0] if n == 1 else english[1])
        assert not _PLURAL_NOUN_AFTER_ONE.search(english[0]), english[0]


@pytest.mark.parametrize(("one", "many", "fr_forms", "en_forms"), [
    ("partenariat", "partenariats", ("0 partenariat", "1 partenariat", "2 partenariats"),
     ("0 partnerships", "1 partnership", "2 partnerships")),
    ("collectivité", "collectivités", ("0 collectivité", "1 collectivité", "2 collectivités"),
     ("0 local authorities", "1 local authority", "2 local authorities")),
    ("pays", "pays", ("0 pays", "1 pays", "2 pays"), ("0 countries", "1 country", "2 countries")),
    ("partenariat international", "partenariats internationaux",
     ("0 partenariat international", "1 partenariat international", "2 partenariats internationaux"),
     ("0 international partnerships", "1 international partnership", "2 international partnerships")),
])
def test_counted_nouns_read_right_for_0_1_2(one, many, fr_forms, en_forms):
    assert tuple(i18n.plural(n, one, many) for n in (0, 1, 2)) == fr_forms
    with i18n.using("en"):
        assert tuple(i18n.plural(n, one, many) for n in (0, 1, 2)) == en_forms


@pytest.mark.parametrize(("n", "french", "english"), [
    (0, "0 partenariat dont les sources ne nomment pas le partenaire :",
     "0 partnerships whose partner the sources do not name:"),
    (1, "1 partenariat dont les sources ne nomment pas le partenaire :",
     "1 partnership whose partner the sources do not name:"),
    (2, "2 partenariats dont les sources ne nomment pas le partenaire :",
     "2 partnerships whose partner the sources do not name:"),
])
def test_a_template_plural_reads_right_in_both_editions(n, french, english):
    from atlas.site.templating import environment

    source = ('{% trans count=n %}{{ count }} partenariat dont les sources ne nomment pas le partenaire :'
              '{% pluralize %}{{ count }} partenariats dont les sources ne nomment pas le partenaire :{% endtrans %}')
    assert environment("fr").from_string(source).render(n=n) == french
    assert environment("en").from_string(source).render(n=n) == english


def test_a_long_listing_regrouped_by_collectivite_reads_in_english_with_the_french_anchors(monkeypatch):
    """Beyond pages.LONG_LIST partnerships (national scale), a country, theme or nature page lists
    each collectivité once, by région or département (partials/par-collectivite.html.j2): its
    sentence and group names in English, its anchors those of the French page (shared links)."""
    from atlas.site import pages as pages_module

    monkeypatch.setattr(pages_module, "LONG_LIST", 5)
    loaded = pipeline.load(CONTENT)
    rendered = {}
    for lang in ("fr", "en"):
        found: dict = {}
        with i18n.using(lang):
            outputs = pipeline.generate(loaded, Settings(png=False), lambda *a: None, found.__setitem__)
            outputs.images.cancel()
            rendered[lang] = {src: (page, page.render()) for src, page in found.items()
                              if src.startswith(("pays/", "thematiques/", "natures/"))}
    grouped = [src for src, (_, html) in rendered["en"].items() if '<h3 id="collectivites-' in html]
    assert len(grouped) > 5
    removed = proper_names(loaded.atlas, outputs.site)
    for src in grouped:
        english, french = rendered["en"][src][1], rendered["fr"][src][1]
        assert re.findall(r'<h3 id="(collectivites-[^"]+)"', english) == re.findall(r'<h3 id="(collectivites-[^"]+)"', french)
        assert "too many for a readable table" in english
        assert not french_words(shown_texts(english, _map_block), removed + owned_elsewhere(outputs)), src
    assert any("Département not given" in rendered["en"][src][1] for src in grouped)
