"""Stable, readable addresses of every generated page (relative to the site root)."""
from __future__ import annotations

import functools
from typing import Callable

from slugify import slugify

from atlas import i18n
from atlas.fr import country_name

# What every generator is given to publish a file at a site path: text is UTF-8-encoded by the caller's sink.
Emit = Callable[[str, "bytes | str"], None]


NO_PUBLIC_ADDRESS = ("pas d'adresse publique du site (ATLAS_SITE_URL) : les codes d'intégration des cartes, "
                     "le flux Atom et les aperçus de liens ne sont pas produits ; la publication pose cette adresse.")


def public(site_url: str | None) -> str:
    """The site's public address ending with "/", or "" when there is none: a local preview address
    (127.0.0.1, localhost) would make every pasted map, feed entry and link preview point nowhere."""
    if not site_url or not site_url.startswith(("https://", "http://")):
        return ""
    host = site_url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]").lower()
    if host in ("127.0.0.1", "localhost", "0.0.0.0", "::1", ""):
        return ""
    return site_url if site_url.endswith("/") else site_url + "/"


def edition_prefix(lang: str | None = None) -> str:
    """Where an edition lives under the site root: "" for the first language (French), "en/" for English.
    Its pages have the same addresses below it (en/collectivites/lille/)."""
    lang = lang or i18n.language()
    return "" if lang == i18n.SOURCE else f"{lang}/"


def shared(path: str) -> str:
    """A file every edition shows but only the French build writes (map images, exports, schemas),
    relative to the root of the edition being built: "cartes/lille.png" or "../cartes/lille.png"."""
    return "../" * edition_prefix().count("/") + path


def collectivite(slug: str) -> str:
    return f"collectivites/{slug}/"


@functools.cache
def country_slug(code: str) -> str:
    return slugify(country_name(code)) or code.lower()


def country(code: str) -> str:
    return f"pays/{country_slug(code)}/"


def theme(key: str) -> str:
    return f"thematiques/{key}/"


def nature(key: str) -> str:
    return f"natures/{key}/"


def network(key: str) -> str:
    return f"reseaux/{key}/"


def source(key: str) -> str:
    return f"sources/#{key}"


def page_src(url: str) -> str:
    """The Markdown source path that MkDocs turns into `url` (directory URLs)."""
    return url.rstrip("/") + ".md" if url.count("/") > 1 else url + "index.md"


def page_url(src: str) -> str:
    """The address MkDocs gives the Markdown source `src` (directory URLs): "methode.md" → "methode/"."""
    stem = src[:-3] if src.endswith(".md") else src
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return stem + "/"


MAP_VIEWER = "cartes/index.html"  # one page draws every map (maps/viewer.py)


def map_html(map_id: str) -> str:
    """The address that shows one interactive map (the viewer, told which map to load)."""
    return f"cartes/?carte={map_id}"


def map_data(map_id: str) -> str:
    return f"cartes/{map_id}.json"


def map_png(map_id: str) -> str:
    """One image per map, at twice the size it is shown (600 px): sharp on dense screens."""
    return f"cartes/{map_id}.png"


def to_root(url: str) -> str:
    """Relative prefix from a page at `url` back to the site root ("collectivites/lille/" → "../../")."""
    depth = url.strip("/").count("/") + 1 if url.strip("/") else 0
    return "../" * depth
