"""`atlas serve`'s first pass after a save: the saved collectivité's page shown within seconds.

A full rebuild of the national atlas takes about ten seconds even when one file changed (every
map's data, export and page key computed again, 15,000 files handled by MkDocs and linked). Before
it, this pass renders only what the saved file is shown on — its own page and its map's data, the
pages of its countries and themes — with the previous build's configuration, navigation and
theme, writes them into the preview (each file replaced by a rename, never written through), and
the browser reloads; the full rebuild follows and is swapped in as always, then the browser
reloads again. Its result does not depend on this pass: a file replaced here no longer matches the
manifest (site/reuse.py), so the rebuild writes it anew.

The pass is only taken when it can be right: the content valid, only collectivité files changed
(no file added, removed or renamed, no country, list or table), the configuration, the
hand-written pages and the theme as they were. Otherwise the full rebuild alone runs, as before.
The map's image is not drawn here (the previous one stays shown until the rebuild), and only the
first edition's pages are shown first: the other languages' follow with the rebuild (site/editions.py).
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from markupsafe import escape
from mkdocs.commands import build as mkbuild
from mkdocs.structure.files import Files
from mkdocs.structure.toc import get_toc

from atlas import i18n, pipeline, urls
from atlas.content import countries, gazetteer, schema
from atlas.maps import interactive as maps
from atlas.site import pagecache, pages

MOST_FILES = 3  # saved together beyond this (a checkout, a search-and-replace): the full rebuild only


def _stats(*roots) -> tuple:
    """Every file under `roots` (or the file itself) with its size and modification time."""
    out = []
    for root in roots:
        if root is None:
            continue
        root = str(root)
        if os.path.isfile(root):
            st = os.stat(root)
            out.append((root, st.st_size, st.st_mtime_ns))
            continue
        out.extend(pipeline.fingerprint(root))
    return tuple(out)


@dataclasses.dataclass
class Snapshot:
    """What a finished rebuild of `atlas serve` leaves for the next save's first pass."""

    config: object  # the build's MkDocsConfig (its atlas plugin holds the content and outputs it built)
    files: object  # mkdocs Files
    nav: object
    env: object  # the theme's Jinja environment
    outside: tuple  # mkdocs.yml, docs/, the theme as they were

    @classmethod
    def of(cls, config) -> "Snapshot | None":
        plugin = config.plugins["atlas"]
        if getattr(plugin, "env", None) is None or plugin.outputs is None or plugin.loaded is None:
            return None
        # Held until the next save: the pages only (the other files carry their bytes: maps' data,
        # exports), and none of what the build kept for its own end (pages to render, search entries).
        pages_only = Files([f for f in plugin.files if f.is_documentation_page()])
        plugin.run, plugin.search_entries, plugin.files = pagecache.Run(None), [], pages_only
        return cls(config, pages_only, plugin.nav, plugin.env, _outside(config))


def _outside(config) -> tuple:
    theme = config.theme.dirs[:1] if config.theme.custom_dir else []
    return _stats(config.config_file_path, config.docs_dir, *theme)


def _changed(before: pipeline.Loaded, after: pipeline.Loaded) -> list[str]:
    """The collectivités whose file changed, when nothing else did; [] otherwise."""
    old, new = before.digests, after.digests
    if old.reference != new.reference or old.records.keys() != new.records.keys():
        return []
    changed = [slug for slug, digest in new.records.items() if old.records[slug] != digest]
    return changed if len(changed) <= MOST_FILES else []


class _Only(pages._Writer):
    """The page writer, handing on only the pages asked for (the others are not even keyed)."""

    def __init__(self, site: pages.Site, wanted: set[str], emit_page: pages.EmitPage):
        super().__init__(site, emit_page)
        self.wanted = wanted

    def page(self, template: str, url: str, *args, **kwargs) -> None:
        if urls.page_src(url) in self.wanted:
            super().page(template, url, *args, **kwargs)


def _shown(atlas, before_atlas, slugs: list[str]) -> tuple[set[str], set[str]]:
    """The countries and themes of the saved collectivités, before and after the save."""
    shown = [atlas.collectivites[s] for s in slugs] + [before_atlas.collectivites[s] for s in slugs]
    codes = {p.country for c in shown for p in c.partnerships if p.country in atlas.countries}
    themes = {t for c in shown for p in c.partnerships for t in p.themes if t in atlas.themes}
    return codes, themes


def _pages(site: pages.Site, slugs: list[str], codes: set[str], themes: set[str]) -> dict[str, pages.GeneratedPage]:
    """The saved collectivités' pages, and those of their countries and themes."""
    atlas = site.atlas
    wanted = ({urls.page_src(urls.collectivite(s)) for s in slugs} | {urls.page_src(urls.country(c)) for c in codes}
              | {urls.page_src(urls.theme(t)) for t in themes})
    out: dict[str, pages.GeneratedPage] = {}
    writer = _Only(site, wanted, out.__setitem__)
    # Each kind loops over its own part of the atlas: given only the part to show, the others cost nothing.
    for kind, part in ((pages._collectivite_pages, {"collectivites": {s: atlas.collectivites[s] for s in slugs}}),
                       (pages._country_pages, {"countries": {c: atlas.countries[c] for c in codes}}),
                       (pages._theme_pages, {"themes": {t: atlas.themes[t] for t in themes}})):
        writer.atlas = dataclasses.replace(atlas, **part)
        kind(writer)
    return out


def _render(snapshot: Snapshot, src: str, generated: pages.GeneratedPage) -> tuple[str, bytes] | None:
    """The page as the build renders it (mkdocs.commands.build: _populate_page, then _build_page's steps)."""
    config, files = snapshot.config, snapshot.files
    file = files.src_uris.get(src)
    page = getattr(file, "page", None)
    if page is None:
        return None
    page.title = escape(generated.title)  # as on_nav names it
    mkbuild._populate_page(page, config, files)
    page.content = generated.render()
    page.toc = get_toc(pages.toc_tokens(page.content))
    config._current_page, page.active = page, True
    try:
        context = mkbuild.get_context(snapshot.nav, files.documentation_pages(), config, page)
        template = snapshot.env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=snapshot.nav)
        output = config.plugins.on_post_page(template.render(context), page=page, config=config)
    finally:
        config._current_page, page.active = None, False
        page.content = ""  # not held until the next save
    return file.dest_uri, output.encode("utf-8", errors="xmlcharrefreplace")


def _replace(site_dir: Path, uri: str, data: bytes | str) -> None:
    """A new file under the same name (renamed over it): a file of the site is never written through."""
    target = site_dir / uri
    if not target.parent.is_dir():
        return
    temporary = target.with_name(f".{target.name}.apercu-{os.getpid()}")
    temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(temporary, target)


def prepare() -> None:
    """Load what checking a saved file loads once per process — the communes, the countries' shapes,
    the compiled schema — while the preview waits for a save, not after it (0.6 s nationally: the
    first build takes every file's result from the checker's cache, and never loads them)."""
    gazetteer.commune("")
    countries.distance_km("FR", 0.0, 0.0)
    schema.fast_validator("collectivite")


def first_pass(snapshot: Snapshot | None, site_dir: Path) -> list[str]:
    """Render what the saved collectivité files are shown on into `site_dir`; the files written
    ([]: the pass does not apply, the full rebuild alone shows the change)."""
    if snapshot is None or _outside(snapshot.config) != snapshot.outside:
        return []
    plugin = snapshot.config.plugins["atlas"]
    before = plugin.loaded
    try:
        loaded = pipeline.load(plugin.content_dir, plugin.settings.check_cache)
    except pipeline.ContentError:
        return []  # the full rebuild says what is wrong, and keeps the preview
    slugs = _changed(before, loaded)
    if not slugs:
        return []
    settings, outputs = plugin.settings, plugin.outputs
    codes, themes = _shown(loaded.atlas, before.atlas, slugs)
    with i18n.using(plugin.edition):
        made = maps.some_maps(loaded.atlas, loaded.idx, settings, slugs, codes, themes)
    # The pages' Site as pipeline.generate makes it (the build let its own go once written); these
    # pages read their own map only, neither the news nor the feed.
    site = pages.Site(loaded.atlas, loaded.idx, {i: info for i, (info, _) in made.items()}, settings.site_url,
                      settings.licence, settings.licence_url, settings.repo_url, outputs.exports, history=loaded.history,
                      content_dir=loaded.content_dir, name=settings.site_name, contact=settings.contact)
    written = {info.data: data for info, data in made.values()}
    # The first edition's pages (the other editions' follow with the full rebuild), in its language.
    with i18n.using(plugin.edition):
        generated = _pages(site, slugs, codes, themes)
        plugin.run = pagecache.Run(None)  # on_page_markdown and on_post_page find the pages there
        for src, page in generated.items():
            plugin.run.add(src, page)
        for src, page in generated.items():
            rendered = _render(snapshot, src, page)
            if rendered is not None:
                written[rendered[0]] = rendered[1]
    site_dir = Path(site_dir)
    for uri, content in written.items():
        _replace(site_dir, uri, content)
    return sorted(written)
