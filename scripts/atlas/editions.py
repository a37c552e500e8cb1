"""Editions: the site in each published language (`langues: [fr, en]` in the atlas's options).

French is the first edition, at the site root; every other language is a whole MkDocs build of
its own into `<site>/<lang>/`, run once the French one is written (as mkdocs-static-i18n does), with
Material in that language (`theme.language`: its interface, `<html lang>`), its own search index in
that language, the navigation's titles from the catalogue, and its hand-written pages from
`docs/<lang>/`. Generated pages keep their addresses under the edition's root; files that are the
same in every language (map images, exports, schemas) are written once, by the French build, and
linked from the others (urls.shared). The plugin hands off to this module; nothing here renders.
"""
from __future__ import annotations

import gzip
import logging
import re
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from mkdocs import config as mkconfig
from mkdocs.commands import build as mkbuild
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from atlas import AtlasError, i18n, urls

log = logging.getLogger("mkdocs.plugins.atlas")

# Pages only the French edition has: the contribution guide is for the town halls that write the files.
FRENCH_ONLY = ("contribuer/",)
SEARCH_PLUGIN = "material/search"


def check_languages(languages: list[str]) -> None:
    """French first (the language the atlas is written in), each language once and with a catalogue."""
    known = i18n.available()
    if not languages or languages[0] != i18n.SOURCE:
        raise AtlasError(f"langues : {languages!r} — la première langue doit être « {i18n.SOURCE} » (l'atlas est écrit "
                         f"en français), par exemple langues: [fr, en]")
    for lang in languages:
        if lang not in known:
            raise AtlasError(f"langues : « {lang} » n'a pas de catalogue de traduction ({i18n.catalogue_path(lang)}) ; "
                             f"langues disponibles : {', '.join(known)} (README, « Ajouter une langue »)")
    if len(set(languages)) != len(languages):
        raise AtlasError(f"langues : {languages!r} — chaque langue une seule fois")


def configure(config, lang: str, main_config) -> None:
    """Turn a fresh load of mkdocs.yml into the configuration of the `lang` edition of `main_config`'s site."""
    config.theme["language"] = lang
    search = config.plugins.get(SEARCH_PLUGIN)
    if search is not None:
        search.config.lang = [lang]
    config.site_dir = str(Path(main_config.site_dir) / lang)
    config.docs_dir = str(Path(main_config.docs_dir) / lang)
    if main_config.site_url:
        config.site_url = main_config.site_url.rstrip("/") + f"/{lang}/"
    with i18n.using(lang):
        config.nav = _translated_nav(main_config.nav)
        # The site's name and description as mkdocs.yml gives them (the region's own words): in the
        # catalogue when they are the atlas's defaults, else as typed.
        config.site_name = i18n.gettext(main_config.site_name)
        description = main_config.site_description
        config.site_description = i18n.gettext(description) if description else description
    config.repo_url = main_config.repo_url


def _translated_nav(items):
    """The navigation's titles in the edition's language; the French-only pages left out."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            title, value = next(iter(item.items()))
            if isinstance(value, list):
                value = _translated_nav(value)
                if not value:
                    continue
            elif isinstance(value, str) and value.startswith(FRENCH_ONLY):
                continue
            out.append({i18n.gettext(title): value})
        elif isinstance(item, str) and not item.startswith(FRENCH_ONLY):
            out.append(item)
    return out


def _edition_folders() -> tuple[str, ...]:
    """docs/<lang>/ of every language the atlas can publish besides French: an edition's own pages,
    never French pages, whether or not `langues` publishes that edition."""
    return tuple(f"{lang}/" for lang in i18n.available() if lang != i18n.SOURCE)


def without_other_editions(files) -> None:
    """The French build does not publish docs/en/…: those are the English edition's own pages."""
    prefixes = _edition_folders()
    if prefixes:
        for file in [f for f in files if f.src_uri.startswith(prefixes)]:
            files.remove(file)


def add_main_assets(files, config, main_config) -> None:
    """An edition's build reads docs/<lang>/ only: the static files of docs/ (styles, scripts, images)
    are added from the French edition's folder."""
    docs = Path(main_config.docs_dir)
    others = _edition_folders()
    for path in sorted(docs.rglob("*")):
        src_uri = path.relative_to(docs).as_posix()
        if (path.is_file() and path.suffix != ".md" and not src_uri.startswith(others)
                and files.get_file_from_path(src_uri) is None):
            files.append(File(src_uri, str(docs), config.site_dir, config.use_directory_urls))


def hand_written_urls(docs: Path, lang: str) -> set[str]:
    """The addresses of the hand-written pages of an edition: docs/ for French (its other
    languages' folders aside), docs/<lang>/ for the others."""
    folder = docs if lang == i18n.SOURCE else docs / lang
    others = _edition_folders()
    found = set()
    for path in folder.rglob("*.md"):
        src = path.relative_to(folder).as_posix()
        if lang != i18n.SOURCE or not src.startswith(others):
            found.add(urls.page_url(src))
    return found


def build_others(main_plugin, config) -> None:
    """After the French edition is written: each other language's edition into <site>/<lang>/."""
    languages = list(main_plugin.settings.languages)
    for lang in languages[1:]:
        pages = Path(config.docs_dir) / lang
        if not pages.is_dir():
            raise AtlasError(f"langues : l'édition « {lang} » n'a pas ses pages écrites à la main : créez {pages}/ avec "
                             f"index.md, methode.md et a-propos.md dans cette langue (README, « Ajouter une langue »)")
        cfg = _own_config(config.config_file_path, config.strict)
        configure(cfg, lang, config)
        cfg.plugins["atlas"].edition_of(main_plugin, lang)
        log.info(f"édition « {lang} » : {cfg.site_dir}")
        with i18n.using(lang):
            # `atlas build` reuses the previous site's files (dirty, as for the French build); plain
            # `mkdocs build` writes every file. The folder is empty: the French build made it anew.
            mkbuild.build(cfg, dirty=main_plugin.previous_site is not None)
    if len(languages) > 1:
        merge_sitemaps(Path(config.site_dir), languages)


def _own_config(config_file: str, strict: bool):
    """A fresh load of mkdocs.yml with plugin instances of its own. MkDocs keeps one instance of each
    plugin that has on_startup/on_shutdown from one load to the next (for `mkdocs serve`): the
    French build's atlas and search plugins would be handed back, while an edition needs its own
    (its language, its outputs, its search index). Their cache is set aside for this load."""
    option = MkDocsConfig.plugins
    saved, option.plugin_cache = option.plugin_cache, {}
    try:
        return mkconfig.load_config(config_file, strict=strict)
    finally:
        option.plugin_cache = saved


def alternates(languages: list[str], edition: str, page_url: str, site_url: str, exists) -> list[dict]:
    """The same page in each edition, for the language switch and `hreflang`: its address relative
    to this page (`href`), absolute when the site has a public address (`absolute`). `exists(lang, url)`:
    whether that edition has the page (the French-only guide's counterpart is the edition's home)."""
    depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
    if page_url and not page_url.endswith("/"):
        depth -= 1  # 404.html, a page file
    to_edition_root = "../" * depth
    to_site_root = to_edition_root + "../" * urls.edition_prefix(edition).count("/")
    out = []
    for lang in languages:
        url = page_url if exists(lang, page_url) else ""
        target = urls.edition_prefix(lang) + url
        out.append({"lang": lang, "name": i18n.language_name(lang), "current": lang == edition,
                    "href": (to_site_root + target) or "./",
                    "absolute": (site_url + target) if site_url else ""})
    return out


_URL = re.compile(r"<url>.*?</url>", re.S)
_LOC = re.compile(r"<loc>(.*?)</loc>", re.S)


def merge_sitemaps(site_dir: Path, languages: list[str]) -> None:
    """The root sitemap lists every edition's pages, each with its counterparts (`xhtml:link
    hreflang`), as search engines read alternates; each edition's own sitemap stays beside it."""
    root = site_dir / "sitemap.xml"
    if not root.exists():
        return
    entries: list[tuple[str, str]] = []  # (lang, loc)
    for lang in languages:
        path = site_dir / urls.edition_prefix(lang) / "sitemap.xml"
        if not path.exists():
            continue
        for block in _URL.findall(path.read_text(encoding="utf-8")):
            loc = _LOC.search(block)
            if loc and loc.group(1).strip() and loc.group(1).strip() != "None":
                entries.append((lang, loc.group(1).strip()))
    if not entries:
        return
    site = _site_root(entries, languages)
    by_page: dict[str, dict[str, str]] = {}
    for lang, loc in entries:
        rel = loc[len(site + urls.edition_prefix(lang)):] if loc.startswith(site + urls.edition_prefix(lang)) else loc
        by_page.setdefault(rel, {})[lang] = loc
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for lang, loc in entries:
        rel = loc[len(site + urls.edition_prefix(lang)):] if loc.startswith(site + urls.edition_prefix(lang)) else loc
        lines.append(f"  <url>\n    <loc>{xml_escape(loc)}</loc>")
        for other, other_loc in by_page.get(rel, {}).items():
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{other}" href="{xml_escape(other_loc)}"/>')
        lines.append("  </url>")
    lines.append("</urlset>\n")
    text = "\n".join(lines)
    root.write_text(text, encoding="utf-8")
    with gzip.GzipFile(site_dir / "sitemap.xml.gz", "wb", mtime=0) as f:
        f.write(text.encode("utf-8"))


def _site_root(entries: list[tuple[str, str]], languages: list[str]) -> str:
    """The site's public address, read from the French edition's home entry (the shortest address)."""
    french = [loc for lang, loc in entries if lang == languages[0]] or [loc for _, loc in entries]
    return min(french, key=len)
