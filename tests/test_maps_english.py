"""Maps in English on the English edition: map data, viewer page, caption and e-mail snippet say no
French word of the atlas's vocabulary (place names and sources' titles aside, they are written as
their owners write them); the French edition keeps its words; one image serves both editions."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest
from babel import Locale

from atlas import i18n, urls
from atlas.config import Settings
from atlas.maps import interactive as maps
from atlas.maps import legend, viewer
from atlas.maps.legend import Symbol
from atlas.maps.records import ColorClass

SITE_URL = "https://atlas.example.org/npdc/"

# Words of the atlas's own French vocabulary (the maps' sentences, legends, controls): none may
# reach an English map. Checked as whole words, case-insensitive, once names are taken out.
FRENCH = ["partenariat", "partenariats", "partenaire", "partenaires", "collectivité", "collectivités", "carte",
          "cartes", "pays", "monde", "thématique", "légende", "depuis", "jusqu", "d'après", "aucun", "aucune",
          "recensé", "inconnu", "inconnue", "seulement", "approximative", "non", "identifié", "identifiés",
          "siège", "reliant", "relie", "reliés", "situant", "dans", "avec", "les", "des", "du", "une",
          "où", "et", "vers", "sur", "cette", "Fond", "Filtrer", "Toutes", "Tous", "Zoomer", "Dézoomer", "Voir",
          "Afficher", "liens", "lien", "affichés", "Cliquez", "molette", "doigts", "Texte", "alternatif",
          "Intégrer", "courriel", "Commune", "Intercommunalité", "Région", "Jumelage", "Coopération",
          "nommés", "représentés", "tableau", "Localisation", "Sans", "contours", "autres", "ouvrir", "plein",
          "écran", "contributeurs", "Qui", "coopère", "Nombre"]
_FRENCH_RE = re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in FRENCH) + r")(?![\w])", re.IGNORECASE)


def _names(atlas, site_name: str) -> list[str]:
    """What stays as its owners write it: collectivités, partners, regions, sources, the site's name."""
    names = {site_name} | {c.name for c in atlas.collectivites.values()} | {c.region for c in atlas.collectivites.values() if c.region}
    names |= {p.partner.name for p in atlas.partnerships if p.partner}
    for entry in atlas.sources.values():
        names |= {str(entry.label), str(entry.extra.get("editeur") or "")}
    return sorted((n for n in names if n), key=len, reverse=True)


def french_words(text: str, names: list[str]) -> list[str]:
    for name in names:
        text = text.replace(name, " ")
    return _FRENCH_RE.findall(text)


def _generate(atlas, idx, lang: str, settings: Settings | None = None):
    files: dict[str, bytes] = {}

    def emit(uri, data):
        assert uri not in files, f"{uri} emitted twice"
        files[uri] = data.encode("utf-8") if isinstance(data, str) else data

    with i18n.using(lang):
        infos, pending = maps.generate_deferred(atlas, idx, emit, settings or Settings(site_url=SITE_URL, png=True))
        pending.finish(emit)
    return files, infos


@pytest.fixture(scope="module")
def editions(real_atlas):
    atlas, idx = real_atlas
    return {lang: _generate(atlas, idx, lang) for lang in ("fr", "en")}


def _shared_data(files) -> dict:
    page = files[urls.MAP_VIEWER].decode("utf-8")
    return json.loads(html.unescape(re.search(r'data-commun="([^"]*)"', page).group(1)))


def _strings(value):
    """Every string of a map's data that a reader may see (not codes, colours, addresses)."""
    if isinstance(value, str):
        if not re.fullmatch(r"#[0-9a-fA-F]+|[a-z0-9-]+|[a-z/.-]+\.(js|json|png)|(\.\./)+.*|[a-z-]+/.*", value):
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_english_map_data_and_viewer_say_no_french_word_of_the_atlas(editions, real_atlas):
    atlas, _ = real_atlas
    files, infos = editions["en"]
    names = _names(atlas, Settings().site_name)
    found = {}
    for info in infos.values():
        data = json.loads(files[info.data])
        for text in _strings({k: v for k, v in data.items() if k not in ("c", "m")}):  # c, m: names of places
            if french_words(text, names):
                found.setdefault(info.id, []).append(text)
    assert not found, list(found.items())[:5]
    page = files[urls.MAP_VIEWER].decode("utf-8")
    assert '<html lang="en">' in page
    shared = _shared_data(files)
    seen = [t for t in _strings(shared) if french_words(t, names)]
    assert not seen, seen
    visible = re.sub(r"<script.*?</script>|data-commun=\"[^\"]*\"", "", page, flags=re.S)
    assert not french_words(html.unescape(re.sub(r"<[^>]+>", " ", visible)), names)
    assert shared["textes"]["lang"] == "en" and shared["textes"]["zoomIn"] == "Zoom in"
    # the script finds every word it asks for (say, sayHtml, count) in the data
    script = (maps.viewer.__file__.rsplit("/", 1)[0] + "/static/carte.js")
    asked = set(re.findall(r'\b(?:say|sayHtml|count)\("(\w+)"', open(script, encoding="utf-8").read()))
    assert asked and asked <= set(shared["textes"]), asked - set(shared["textes"])


def test_english_titles_texts_and_country_names_are_english(editions):
    infos = editions["en"][1]
    lille = infos["collectivite-lille"]
    assert lille.title == "Partnerships of Lille around the world"
    assert lille.alt.startswith("Map linking Lille to 17\u00a0partners in 15\u00a0countries, including Germany (2)")
    assert infos["pays-sn"].title == "Senegal: partnerships of French local authorities"
    assert infos["monde"].legend_title == "Partnerships by country"
    assert lille.source.startswith("Source: Atlas de la coopération, based on ")
    assert [i.label for i in lille.legend][:2] == ["Municipality", "Partner"]
    rows = {r.location for r in lille.rows}
    assert rows <= {"exact", "approximate", "country only"} and rows


def test_french_maps_keep_their_words(editions):
    infos = editions["fr"][1]
    lille, arras = infos["collectivite-lille"], infos["collectivite-arras"]
    assert lille.title == "Partenariats de Lille dans le monde" and arras.title == "Partenariats d'Arras dans le monde"
    assert lille.alt.startswith("Carte reliant Lille à 17\u00a0partenaires dans 15\u00a0pays, notamment Allemagne (2)")
    assert lille.source.startswith("Source : Atlas de la coopération, d'après ")
    assert [i.label for i in lille.legend][:2] == ["Commune", "Partenaire"]
    assert infos["liens"].legend_title == "Depuis : Nord-Pas de Calais"
    shared = _shared_data(editions["fr"][0])
    assert shared["textes"]["lang"] == "fr" and shared["textes"]["zoomIn"] == "Zoomer"
    assert shared["textes"]["partnerships"] == {"one": "{n}\u00a0partenariat", "other": "{n}\u00a0partenariats"}
    assert '<html lang="fr">' in editions["fr"][0][urls.MAP_VIEWER].decode("utf-8")


def test_one_image_serves_both_editions_but_the_flows_named_in_each_language(editions, real_atlas):
    """The French build draws every image; the English one only the flows' (their labels are country
    names) and links the others from the site's root, so both editions' pages show the same file."""
    fr_files, fr_infos = editions["fr"]
    en_files, en_infos = editions["en"]
    assert {u for u in en_files if u.endswith((".png", ".svg"))} == {"cartes/liens.png", "cartes/liens.svg"}
    for map_id, en in en_infos.items():
        fr = fr_infos[map_id]
        if map_id == "liens":
            assert (en.png, en.png_site) == ("cartes/liens.png", "en/cartes/liens.png")
            continue
        assert en.png == "../" + fr.png and en.png_site == fr.png == fr.png_site and en.png_size == fr.png_size
    assert en_infos["monde"].svg == "../cartes/monde.svg"
    # the flows' image names its countries in its edition's language
    with i18n.using("en"):
        labels = [line.label for line in next(j for j in maps.jobs(*real_atlas, Settings()) if j.info.id == "liens").spec.lines]
    assert labels[0].startswith("Germany ")


def test_an_image_writes_only_place_names(real_atlas):
    """What a shared image writes: its collectivité and its partners' names (the same in every
    edition), and a « + N » without words when names do not fit."""
    atlas, idx = real_atlas
    places = {c.name for c in atlas.collectivites.values()} | {p.partner.name for p in atlas.partnerships if p.partner}
    for lang in ("fr", "en"):
        with i18n.using(lang):
            specs = [j.spec for j in maps.jobs(atlas, idx, Settings()) if j.spec is not None and j.spec.shared]
        texts = {part for s in specs for label in s.labels for part in label.text.split(" / ")}
        assert texts <= places, texts - places
    from pathlib import Path

    from atlas.maps import images
    source = Path(images.__file__).read_text(encoding="utf-8")
    assert "autre" not in source.split("def _place_labels", 1)[1].split("def _write_beside", 1)[0].split('"""', 2)[2]


class _Strict(HTMLParser):
    """Well-formed HTML: every element closed in order (void elements aside), URLs collected."""

    VOID = {"img", "br", "meta", "link", "input", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.urls, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("href", "src")]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _block(info, lang: str, base: str, site_url: str = SITE_URL) -> str:
    from atlas.site import templating

    with i18n.using(lang):
        return templating.environment(lang).get_template("partials/carte.html.j2").render(
            map_info=info, base=base, site_url=site_url)


def _snippets(text: str) -> list[str]:
    return [html.unescape(s) for s in re.findall(r'<code class="language-html">(.*?)</code>', text, flags=re.S)]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("map_id", ["collectivite-lille", "liens", "monde", "pays-sn"])
def test_the_email_snippet_is_well_formed_absolute_and_says_title_legend_and_source(editions, real_atlas, lang, map_id):
    atlas, _ = real_atlas
    info = editions[lang][1][map_id]
    page = info.page
    text = _block(info, lang, urls.to_root(page) if page else "")
    iframe, image = _snippets(text)
    parser = _Strict()
    parser.feed(image)
    parser.close()
    assert not parser.errors and not parser.stack
    edition = "" if lang == "fr" else "en/"
    assert parser.urls == [SITE_URL + edition + (page or info.html), SITE_URL + info.png_site]
    assert SITE_URL + edition + info.html in iframe
    # the words the image no longer draws: title, legend, source, at 12 CSS px at least
    assert html.escape(info.title, quote=False) in image.replace("&#39;", "'") or info.title in image
    assert info.source in html.unescape(image) and info.legend
    for item in info.legend:
        assert item.label in html.unescape(image)
        if item.glyph:
            assert f'<span style="color:{item.color}">{item.glyph}</span>' in image
    sizes = [int(px) for px in re.findall(r"font-size:(\d+)px", image)]
    assert sizes and min(sizes) >= 12
    if lang == "en":
        names = _names(atlas, Settings().site_name)
        visible = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<pre>.*?</pre>", " ", text, flags=re.S)))
        said = html.unescape(re.sub(r"<[^>]+>", " ", image))  # what the e-mail shows
        assert not french_words(visible, names) and not french_words(said, names), french_words(visible + said, names)
        # the image on an English page: the French build's, reached from the edition's page
        assert f'src="{urls.to_root(page) if page else ""}{info.png}"' in text


def test_each_legend_symbol_has_a_character_in_its_colour_for_emails():
    items = (legend.links(["commune", "region"], partners=True, approx=True, country_points=True)
             + legend.flows(12) + legend.classes([ColorClass(1, 1, "#fed976"), ColorClass(2, 5, "#bd0026")])
             + legend.links([], partners=False, approx=False, country_points=False))
    assert {item.symbol for item in items} == set(Symbol)
    assert all(item.glyph for item in items if item.symbol is not Symbol.NONE)
    assert len({legend.GLYPHS[s] for s in Symbol}) == len(Symbol)


# -- counted phrases: 0, 1, 2 in both languages (French: 0 and 1 singular; English: 1 only) --

SINGULAR = {"fr": {0, 1}, "en": {1}}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 1000])
def test_counted_phrases_follow_the_language_plural_rule(lang, n):
    singular = n in SINGULAR[lang]
    with i18n.using(lang):
        words = viewer.words()
        label = legend.class_label(n, n) if n else None
        unknown = maps._with_unknown("X", n)
        number = i18n.number(n)
    category = Locale.parse(lang).plural_form(n)  # what Intl.PluralRules says in the browser
    phrase = words["partnerships"].get(category, words["partnerships"]["other"]).replace("{n}", number)
    word = {"fr": ("partenariat", "partenariats"), "en": ("partnership", "partnerships")}[lang]
    assert phrase.endswith("\u00a0" + word[0 if singular else 1])
    for key in ("collectivities", "countries", "shownLinks", "onThisMap", "unnamedPartners"):
        forms = words[key]
        assert "other" in forms and all("{n}" in f or (lang == "fr" and f.startswith("un ")) for f in forms.values())
    if label:
        assert label.endswith(word[0 if singular else 1])
    if n == 0:
        assert unknown == "X"
    elif n == 1:
        assert unknown.startswith("X ; un partenaire n'est" if lang == "fr" else "X; 1 partner is")
    else:
        assert unknown.startswith(f"X ; {number} partenaires ne sont" if lang == "fr" else f"X; {number} partners are")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_map_alternatives_count_in_the_language(lang, real_atlas):
    """A collectivité with 1 partner, and one with 2 or more: the noun agrees in each language."""
    atlas, idx = real_atlas
    with i18n.using(lang):
        infos = {j.info.id: j.info for j in maps.jobs(atlas, idx, Settings(png=False))}
    for c in atlas.collectivites.values():
        n = len(c.partnerships)
        if not n:
            continue
        alt = infos[f"collectivite-{c.slug}"].alt
        word = ("partenaire" if n == 1 else "partenaires") if lang == "fr" else ("partner" if n == 1 else "partners")
        assert f"{n}\u00a0{word} " in alt, alt


def test_an_english_page_previews_itself_with_the_image_the_french_build_drew(editions):
    from atlas.site import social

    for lang, image in (("en", SITE_URL + "cartes/collectivite-lille.png"), ("fr", SITE_URL + "cartes/collectivite-lille.png")):
        info = editions[lang][1]["collectivite-lille"]
        with i18n.using(lang):
            shown = social.preview(info.title, "…", SITE_URL, urls.collectivite("lille"), info, info.png_size)
        assert shown.image == image and shown.alt == info.alt
        assert shown.url == SITE_URL + ("en/" if lang == "en" else "") + "collectivites/lille/"  # the page in its language
