"""The map viewer: one page, `cartes/index.html`, built once by Folium, that draws any map of the
atlas from its small JSON file (`cartes/?carte=<id>` loads `cartes/<id>.json`).

Built through Folium's extension points: element classes with their own Jinja `_template` and
`default_js`/`default_css` (as folium's plugins are), so Leaflet and the map script come from the
site itself (assets.py), never from a CDN. No script blocks the page's first paint: they are
`defer`red and the page's own script runs once they have (DOMContentLoaded); the country outlines
are not in the page at all, the map script loads them when a map draws countries.

Each edition has its viewer page (en/cartes/index.html…), in its language: the page's own words
here, the map script's in the data every map shares (`words`: carte.js writes none of its own).
"""
from __future__ import annotations

import json
import re

import folium
from branca.element import Figure, JavascriptLink
from folium.elements import JSCSSMixin
from folium.template import Template

from atlas import i18n, urls
from atlas.i18n import _, ngettext, pgettext
from atlas.maps import assets

ROOT = "../"  # from cartes/ back to the edition's root


def shared(path: str) -> str:
    """A file every edition's viewer loads (assets/: Leaflet, the map script, the country outlines),
    written once by the French build: from cartes/ of the edition being built."""
    return ROOT + urls.shared(path)

_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def to_json(data) -> str:
    """Strict JSON, also safe inside HTML: no character can end a <script> block or start markup,
    and no NaN/Infinity (JSON.parse would refuse them)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group()], text)


class ViewerPage(Figure):
    """A page in the edition's language (lang, title) whose script runs after the body it draws in and after the
    deferred scripts it calls (Leaflet, the map script): at DOMContentLoaded, and, in a frame,
    once the reader comes near the map (static/carte.js, atlasQuandProche)."""

    _template = Template(
        "<!DOCTYPE html>\n<html lang=\"{{ this.lang|e }}\">\n<head>\n"
        "<title>{{ this.title|e }}</title>\n"
        "{% for alt in this.alternates %}<link rel=\"alternate\" hreflang=\"{{ alt.lang|e }}\" href=\"{{ alt.href|e }}\">\n{% endfor %}"
        "{{ this.header.render(**kwargs) }}\n</head>\n<body>\n"
        "{{ this.html.render(**kwargs) }}\n"
        "<script>\ndocument.addEventListener(\"DOMContentLoaded\", function () {\natlasQuandProche(function () {\n"
        "{{ this.script.render(**kwargs) }}\n});\n});\n</script>\n</body>\n</html>\n"
    )


class DeferredScript(JavascriptLink):
    """A script of the site that does not hold up the page's first paint (`defer`: fetched while
    the page is read, run in order once it is, before DOMContentLoaded)."""

    _template = Template('<script defer src="{{ this.url|e }}"></script>')


class DeferredJSCSSMixin(JSCSSMixin):
    """folium's JSCSSMixin, whose default_js are deferred scripts (same names, same order)."""

    def render(self, **kwargs):
        super().render(**kwargs)
        header = self.get_root().header
        for name, url in self.default_js:
            header.add_child(DeferredScript(url), name=name)  # replaces folium's blocking <script src>


class ViewerMap(DeferredJSCSSMixin, folium.Map):
    """A Leaflet map served from the site (no CDN), in an accessible region under a title bar;
    unlike folium's default page, the reader may zoom the page (no `user-scalable=no`)."""

    default_js: list = []  # not folium's CDN: the site's own, set per edition (__init__)
    default_css: list = []
    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <meta name="viewport" content="width=device-width, initial-scale=1">
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <i id="dans-l-atlas" hidden></i>
            <header class="atlas-barre">
              <h1 class="atlas-titre">{{ this.words.heading|e }}</h1>
              {%- for alt in this.alternates if alt.lang != this.lang %}
              <a class="atlas-langue" href="{{ alt.href|e }}" hreflang="{{ alt.lang|e }}" lang="{{ alt.lang|e }}"
                 data-meme-carte>{{ alt.name|e }}</a>
              {%- endfor %}
              <a class="atlas-retour" href="{{ this.root|e }}">{{ this.words.back|e }}</a>
            </header>
            <main>
            <div class="folium-map atlas-carte" id={{ this.get_name()|tojson }} role="region" aria-label="{{ this.words.region|e }}"
                 data-site="{{ this.site_name|e }}" data-commun="{{ this.shared|e }}"></div>
            <noscript><p class="atlas-sans-script">{{ this.words.noscript|e }}
            <a href="{{ this.root|e }}">{{ this.site_name|e }}</a>.</p></noscript>
            </main>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
        {% endmacro %}
        """
    )

    def __init__(self, site_name: str, shared_data: dict):
        super().__init__(location=[25, 10], zoom_start=2, tiles=None, keyboard=True, zoom_snap=0.25, min_zoom=1)
        self.default_js = [("leaflet", shared(assets.LEAFLET_JS))]
        self.default_css = [("leaflet_css", shared(assets.LEAFLET_CSS))]
        self.options["min_zoom"] = 1  # folium passes min_zoom to its default tiles only
        # No view in the page: the map script frames the map's own places first (static/carte.js,
        # frame), so nothing is drawn, nor any tile asked for, at a view the reader never sees;
        # this one serves a map without places.
        self.start = {"center": self.location, "zoom": self.options.pop("zoom")}
        self.root, self.site_name, self.shared = ROOT, site_name, to_json(shared_data)
        self.words = {"heading": _("Carte de l'atlas"), "back": _("Voir dans l'atlas"), "region": pgettext("carte", "Carte"),
                      "noscript": _("Cette carte a besoin de JavaScript. Sa page dans l'atlas en donne le texte complet :")}


class AtlasDrawing(DeferredJSCSSMixin):
    """The atlas's map script and style; on load, it reads `?carte=<id>`, fetches that map's JSON
    and draws it on the parent map (static/carte.js: atlasVisionneuse), loading the country
    outlines only if the map draws countries."""

    default_js: list = []  # set per edition (__init__)
    default_css: list = []
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            atlasVisionneuse({{ this._parent.get_name() }}, {{ this.tiles.get_name() }}, {{ this._parent.start|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, tiles: folium.TileLayer):
        super().__init__()
        self.tiles = tiles
        self.default_js = [("atlas_carte", shared(assets.MAP_JS))]
        self.default_css = [("atlas_carte_css", shared(assets.MAP_CSS))]


def alternates(languages) -> list[dict]:
    """The viewer of each edition, from this edition's cartes/ (the map script adds the map asked
    for, `?carte=…`, so that the switch shows the same map in the other language)."""
    to_site_root = ROOT + "../" * urls.edition_prefix().count("/")
    return [{"lang": lang, "name": i18n.language_name(lang), "href": to_site_root + urls.edition_prefix(lang) + "cartes/"}
            for lang in languages] if len(languages) > 1 else []


def render(tiles_url: str, tiles_attribution: str, tiles_name: str, site_name: str, shared: dict,
           languages=("fr",)) -> str:
    """The viewer page (one per edition); `shared`: what every map's data has in common;
    `languages`: the site's editions (a link to the same map in each other one)."""
    page = ViewerPage(title=_("Carte — {site}").format(site=site_name))
    page.lang = i18n.language()
    page.alternates = alternates(languages)
    m = ViewerMap(site_name, shared)
    m.lang, m.alternates = page.lang, page.alternates
    page.add_child(m)
    tiles = folium.TileLayer(tiles=tiles_url, attr=i18n.gettext(tiles_attribution), name=i18n.gettext(tiles_name),
                             max_zoom=18, max_native_zoom=18)
    m.add_child(tiles)
    drawing = AtlasDrawing(tiles)
    m.add_child(drawing)
    # Fixed names instead of folium's random ones: two builds of the same site are identical.
    for element, name in ((page, "page"), (m, "vue"), (tiles, "fond"), (drawing, "dessin")):
        element._id = name
    return page.render()


def words() -> dict:
    """What the map script says (static/carte.js), in the edition's language: `{name}` placeholders,
    filled by the script; counted phrases by plural category (`i18n.counted`)."""
    return {
        "lang": i18n.language(),
        # counted phrases
        "partnerships": i18n.counted(lambda n: ngettext("{n} partenariat", "{n} partenariats", n)),
        "collectivities": i18n.counted(lambda n: ngettext("{n} collectivité", "{n} collectivités", n)),
        "countries": i18n.counted(lambda n: ngettext("{n} pays", "{n} pays", n)),
        "shownLinks": i18n.counted(lambda n: ngettext("{n} lien affiché", "{n} liens affichés", n)),
        "onThisMap": i18n.counted(lambda n: ngettext("{n} partenariat sur cette carte", "{n} partenariats sur cette carte", n)),
        "unnamedPartners": i18n.counted(lambda n: ngettext("un partenaire non identifié", "{n} partenaires non identifiés", n)),
        # tooltips, popups, the keyboard's labels
        "nameCount": _("{name} : {count}"),
        "linkName": _("{collectivity} ↔ {partner} : {count}"),
        "flowName": _("{origin} → {country} : {partnerships}, {collectivities}"),
        "flowPopup": _("{partnerships} de {collectivities}"),
        "showLinks": _("Afficher ces liens sur la carte"),
        "approximate": _("Position approximative."),
        "partnerOf": _("Partenaire de : {list}"),
        "and": _("{first} et {second}"),
        "unnamedPartner": _("Partenaire non identifié"),
        "countryPointUnknown": _("Le point marque le pays, pas une ville : position inconnue."),
        "countryPointUnnamed": _("Le point marque le pays, pas une ville : la source ne nomme pas le partenaire."),
        "whoUnnamed": _("partenaire non identifié"),
        "whoAtCentre": _("partenaire au centre du pays"),
        "whoNoPosition": _("{name}, position inconnue"),
        "since": _("depuis {year}"),
        # controls
        "legend": _("Légende"),
        "filter": _("Filtrer"),
        "country": pgettext("carte", "Pays"),
        "allCountries": _("Tous (vue d'ensemble)"),
        "type": _("Type de collectivité"),
        "theme": pgettext("carte", "Thématique"),
        "allThemes": _("Toutes"),
        "flowCount": _("{partnerships} vers {countries}"),
        "zoomIn": _("Zoomer"),
        "zoomOut": _("Dézoomer"),
        "wheelHint": _("Cliquez sur la carte (ou Ctrl + molette) pour zoomer avec la molette"),
        "touchHint": _("Utilisez deux doigts pour déplacer la carte"),
        "tiles": _("Fond de carte"),
        "noTiles": _("Sans fond (contours des pays)"),
        "chooseTiles": _("Choisir le fond de carte"),
        "backNewTab": _("Voir dans l'atlas (nouvel onglet)"),
        # the viewer's failures
        "home": _("Aller à l'accueil de l'atlas"),
        "noSuchMap": _("Cette adresse ne désigne aucune carte de l'atlas."),
        "noMapAsked": _("L'adresse ne dit pas quelle carte afficher."),
        "loadFailed": _("Cette carte n'a pas pu être chargée (adresse périmée ou connexion interrompue)."),
    }
