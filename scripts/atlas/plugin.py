"""MkDocs plugin: validates the content, then adds the generated pages, maps and data.

Everything generated lives in memory (File.generated): nothing is written into docs/
or any git-tracked folder, and plain `mkdocs build` gives the same site as `atlas build`.
Validation happens in on_config, before MkDocs cleans site/, so invalid content leaves
the previous site untouched.
"""
from __future__ import annotations

import logging
from pathlib import Path

from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from atlas import pipeline, urls
from atlas.content import checker
from atlas.site import compact, news, pagecache, pages, search, social

log = logging.getLogger("mkdocs.plugins.atlas")


class AtlasConfig(base.Config):
    contenu = c.Type(str, default="content")
    tuiles_url = c.Type(str, default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    tuiles_attribution = c.Type(
        str, default='&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>')
    licence_donnees = c.Type(str, default="Licence Ouverte / Open Licence 2.0 (Etalab)")
    licence_url = c.Type(str, default="https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    cartes_png = c.Type(bool, default=True)
    cache = c.Type(bool, default=True)  # images of earlier builds reused, by content (as Material's plugins)
    cache_dir = c.Type(str, default=".cache/atlas")
    guide = c.Type(str, default="CONTRIBUTING.md")
    contact = c.Type(str, default="")  # an e-mail address for readers without a GitHub account


class GeneratedPage(Page):
    """A generated page: its body is the atlas's HTML (on_env), never a Markdown conversion, so
    MkDocs does not set up a Markdown converter for each of the thousands of them."""

    def render(self, config, files) -> None:
        self.content, self.present_anchor_ids = "", set()


def _nav_paths(items) -> set[str]:
    """The files mkdocs.yml's `nav` lists (MkDocs gives those their titles and places)."""
    out: set[str] = set()
    for item in items or []:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            out |= _nav_paths(value)
        elif isinstance(value, str):
            out.add(value)
    return out


class AtlasPlugin(BasePlugin[AtlasConfig]):
    supports_multiple_instances = False
    feed_path = ""  # read by theme/main.html; set once the feed is generated

    def on_config(self, config):
        root = Path(config.config_file_path).parent
        self.content_dir = (root / self.config.contenu).resolve()
        self.guide = root / self.config.guide
        try:
            self.loaded = pipeline.load(self.content_dir)  # checked once, also when `atlas build` checked first
        except pipeline.ContentError as exc:
            lines = "\n".join(p.format() for p in exc.report.errors)
            raise PluginError(f"contenu invalide, le site n'est pas construit (l'ancien site/ reste intact) :\n{lines}")
        for warning in self.loaded.report.problems:
            if warning.severity != checker.Severity.ERROR:
                log.info(warning.format())
        self.atlas, self.idx = self.loaded.atlas, self.loaded.idx
        self.settings = pipeline.Settings(
            site_url=urls.public(config.site_url), site_name=config.site_name, repo_url=config.repo_url or "",
            tiles_url=self.config.tuiles_url, tiles_attribution=self.config.tuiles_attribution,
            licence=self.config.licence_donnees, licence_url=self.config.licence_url, png=self.config.cartes_png,
            cache_dir=(root / self.config.cache_dir) if self.config.cache else None, contact=self.config.contact)
        self.site_url = self.settings.site_url
        self.page_cache = pagecache.PageCache(self.settings.cache_dir / "pages") if self.settings.cache_dir else None
        self._refuse_committed_cache()
        if not self.site_url:
            log.info(urls.NO_PUBLIC_ADDRESS)
        return config

    def _refuse_committed_cache(self) -> None:
        """The cache gives finished pages and images: one committed with a pull request would be
        published as it is, past every check and every escaping. Never read a versioned cache."""
        from atlas.content import history

        folder = self.settings.cache_dir
        committed = history.tracked(folder) if folder is not None else []
        if committed:
            raise PluginError(
                f"{len(committed)} fichier(s) du cache {folder} sont versionnés dans le dépôt ("
                + ", ".join(committed[:5]) + ("…" if len(committed) > 5 else "")
                + ") : un cache ne se versionne jamais (une page ou une image qui s'y trouve serait publiée"
                f" telle quelle). Retirez-les du dépôt : git rm -r --cached {folder}")

    def on_files(self, files: Files, config) -> Files:
        def emit(uri: str, data) -> None:
            existing = files.get_file_from_path(uri)
            if existing is not None:  # a hand-written page wins over nothing: refuse silently-shadowed pages
                raise PluginError(f"docs/{uri} porte le nom d'une page générée : renommez-le")
            files.append(File.generated(config, uri, content=data))

        def emit_page(uri: str, page: pages.GeneratedPage) -> None:
            emit(uri, "")  # an empty Markdown source: MkDocs gives the page its URL and place; the HTML is ours
            self.generated[uri] = page

        self._cancel_images()  # `atlas serve`: a rebuild starts before the previous one's images were read
        self.generated: dict[str, pages.GeneratedPage] = {}
        self.search_entries: list[dict] = []  # generated pages: one compact entry each (site/search.py)
        # Map images are drawn by worker processes while MkDocs renders the pages, and written
        # straight into the site at the end (on_post_build): never held in memory.
        out = pipeline.generate(self.loaded, self.settings, emit, emit_page)
        self.maps, self.pending_images, self.site = out.maps, out.images, out.site
        self.feed_path = news.FEED_PATH if out.feed else ""  # <link rel="alternate"> of theme/main.html
        self._emit_guide(emit)
        listed = _nav_paths(config.nav)
        for src in self.generated:
            if src not in listed:  # created here, MkDocs keeps them (nav.py: a file's existing page)
                GeneratedPage(None, files.get_file_from_path(src), config)
        return files

    def _emit_guide(self, emit) -> None:
        """The contribution guide is CONTRIBUTING.md itself (one text, two places)."""
        from atlas.site import reference

        if self.guide.exists():
            text = self.guide.read_text(encoding="utf-8")
            # Links written for the repository point to the site's copies.
            text = text.replace("(scripts/atlas/schemas/collectivite.schema.json)", "(reference.md)")
            emit("contribuer/index.md", text)
        emit("contribuer/reference.md", reference.render(self.content_dir))

    def on_page_markdown(self, markdown: str, page, config, files):
        """Generated pages: title and description set here, as escaped text (Material prints them
        as HTML in the header, navigation and search). Hand-written pages of docs/ that ask for it
        (`atlas: true`) can show the atlas's figures, rendered in Jinja's sandbox; never a generated one."""
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            page.meta = {"title": escape(generated.title), "description": escape(generated.description),
                         "apercu": generated.preview, "search": {"exclude": True}}
            self.search_entries.append(search.entry(page.url, generated.title, generated.search_text))
            return ""
        if page.is_homepage:  # the home's preview: the world map
            carte = self.maps.get("monde")
            page.meta["apercu"] = social.preview(config.site_name, social.home_sentence(self.atlas), self.site_url, "",
                                                 carte, carte.png_size if carte else None).as_meta()
        if page.file.generated_by or not page.meta.get("atlas"):
            return markdown
        return pages.sandbox().from_string(markdown).render(
            site=self.site, atlas=self.atlas, idx=self.idx, maps=self.maps, site_url=self.site_url,
            base=urls.to_root(page.url), url=page.url)

    def on_page_content(self, html: str, page, config, files):
        """A generated page's body is its template's HTML, never a Markdown conversion: rendered
        in on_env, unless the finished page is in the cache."""
        return "" if page.file.src_uri in self.generated else html

    def on_nav(self, nav, config, files):
        self.nav = nav
        return nav

    def on_env(self, env, config, files):
        """Every page is read and the navigation has its titles: each generated page whose finished
        HTML is in the cache is marked to be copied (on_page_context), the others have their body
        rendered now (stored finished in on_post_page)."""
        site_key = "" if self.page_cache is None else pagecache.site_key(config, self.nav, {"feed": self.feed_path})
        self.to_store, self.from_cache = {}, {}
        if self.page_cache is not None:
            self.page_cache.hits = self.page_cache.stored = 0
        for src, generated in self.generated.items():
            page = files.get_file_from_path(src).page
            key = pagecache.final_key(site_key, generated.key, page.url) if site_key and generated.key else ""
            if key and self.page_cache.has(key):
                page.meta["template"], self.from_cache[src] = pagecache.TEMPLATE, key
                continue
            page.content = generated.render()
            page.toc = get_toc(pages.toc_tokens(page.content))
            if key:
                self.to_store[src] = key
        return env

    def on_page_context(self, context, page, config, nav):
        key = self.from_cache.get(page.file.src_uri)
        if key:  # read one at a time: the finished pages are never all in memory
            page.content = self.page_cache.read(key)
        return context

    @event_priority(100)  # first: what the cache keeps is the theme's page; other plugins' changes come after, every build
    def on_post_page(self, output: str, page, config) -> str:
        src = page.file.src_uri
        if src in self.generated:
            page.content = ""  # written: not kept in memory until the end of the build
        if src in self.from_cache:
            return output  # finished (and compacted) in an earlier build
        output = compact.html(output)
        if src in self.to_store:
            self.page_cache.put(self.to_store[src], output)
        return output

    def on_post_template(self, output_content: str, template_name: str, config) -> str:
        return compact.html(output_content) if template_name.endswith(".html") else output_content  # 404.html

    @event_priority(-100)  # after Material's search plugin has written its index
    def on_post_build(self, config) -> None:
        from atlas.site import privacy

        site_dir = Path(config.site_dir)

        def write(uri: str, data: bytes | str) -> None:
            target = site_dir / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

        self.pending_images.finish(write)
        cache = self.pending_images.cache
        if cache is not None:
            log.info(f"images des cartes : {cache.drawn} dessinées, {cache.hits} reprises du cache ({cache.folder})")
        if self.page_cache is not None:
            log.info(f"pages générées : {self.page_cache.hits} reprises du cache, {self.page_cache.stored} rendues "
                     f"et rangées ({self.page_cache.folder})")
            self.page_cache.prune()
        search.complete_index(Path(config.site_dir), self.search_entries)
        offenders = privacy.enforce(Path(config.site_dir))
        if offenders:
            raise PluginError("adresses d'hébergeurs tiers (CDN) dans le site : " + ", ".join(offenders[:10]))

    def on_build_error(self, error) -> None:
        self._cancel_images()

    def on_shutdown(self) -> None:
        self._cancel_images()

    def _cancel_images(self) -> None:
        """The PNG worker pool lives with the build that started it, never beyond."""
        pending = getattr(self, "pending_images", None)
        if pending is not None:
            pending.cancel()

    def on_serve(self, server, config, builder):
        server.watch(str(self.content_dir))
        return server
