"""MkDocs plugin: validates the content, then adds the generated pages, maps and data.

Each event hands off to the pipeline (pipeline.py: load, generate, finish) or to the page cache
(site/pagecache.py: Run); the work itself is never written here.

Everything generated lives in memory (File.generated): nothing is written into docs/
or any git-tracked folder, and plain `mkdocs build` gives the same site as `atlas build`.
Validation happens in on_config, before MkDocs cleans site/, so invalid content leaves
the previous site untouched.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
from pathlib import Path

import mkdocs
from markupsafe import escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from atlas import AtlasError, editions, i18n, pipeline, urls
from atlas.config import DEFAULTS, AtlasOptions, from_mkdocs
from atlas.content import checker, history
from atlas.site import cards, compact, news, pagecache, pages, reference, reuse, search, social

log = logging.getLogger("mkdocs.plugins.atlas")


class GeneratedFile(File):
    """A file the atlas generates. `kept`: the previous site holds it exactly as this build would
    write it (site/reuse.py): MkDocs neither renders nor writes it (a build run with `dirty`, as
    `atlas build` runs it), and it is linked from the previous site at the end."""

    kept = False

    def is_modified(self) -> bool:
        return not self.kept


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


def _in_french(event):
    """An AtlasError (French, for the person who typed the content) reaches MkDocs as its PluginError."""
    @functools.wraps(event)
    def wrapper(*args, **kwargs):
        try:
            return event(*args, **kwargs)
        except AtlasError as exc:
            raise PluginError(str(exc)) from exc
    return wrapper


class AtlasPlugin(BasePlugin[AtlasOptions]):
    supports_multiple_instances = False

    def __init__(self):
        super().__init__()
        self.feed_path = ""  # read by theme/main.html: set once the feed is generated
        self.content_dir: Path | None = None
        self.guide: Path | None = None
        self.settings = DEFAULTS
        self.loaded: pipeline.Loaded | None = None  # checked content, records, indexes (on_config)
        self.outputs: pipeline.Outputs | None = None  # maps, exports, pages, feed (on_files)
        self.run = pagecache.Run(None)  # the generated pages facing the cache (on_files → on_post_page)
        self.search_entries: list[dict] = []  # generated pages: one compact entry each (site/search.py)
        self.nav = None
        self.previous_site: Path | None = None  # set by `atlas build`: the site this build replaces
        self.ledger = reuse.Ledger()  # this build's outputs: written, or kept from the previous site
        self.edition = i18n.SOURCE  # the language of this build (site/editions.py)
        self.main: AtlasPlugin | None = None  # another language's build: the French build's plugin
        self.mkdocs_config = None
        self.root_prefix = ""  # from this edition's root to the site's ("../" in English)
        self._alternate_urls: dict[str, set[str]] = {}
        # `atlas build` builds the other editions itself once MkDocs has returned from the French
        # one (its pages and files then leave memory); plain `mkdocs build` has them built here.
        self.editions_after = False

    def edition_of(self, main: AtlasPlugin, lang: str) -> None:
        """Called by site/editions.py: this build is the `lang` edition of the site `main` builds;
        it reads the content `main` checked and links the files `main` wrote for every language."""
        self.main, self.edition = main, lang
        self.root_prefix = "../" * urls.edition_prefix(lang).count("/")
        if main.previous_site is not None:
            self.previous_site = main.previous_site / lang

    def on_config(self, config):
        root = Path(config.config_file_path).parent
        self.content_dir = (root / self.config.contenu).resolve()
        self.guide = root / self.config.guide
        self.mkdocs_config = config
        if self.main is not None:  # another edition: the French build checked and loaded the content
            self.settings = self.main.settings.replace(site_name=config.site_name)  # in its language (editions.configure)
            self.loaded = self.main.loaded
            return config
        self.settings = from_mkdocs(self.config, config)
        try:
            editions.check_languages(list(self.settings.languages))
        except AtlasError as exc:
            raise PluginError(str(exc)) from None
        try:
            # checked once, also when `atlas build` checked first (same folder, same check cache)
            self.loaded = pipeline.load(self.content_dir, self.settings.check_cache)
        except pipeline.ContentError as exc:
            lines = "\n".join(p.format() for p in exc.report.errors)
            raise PluginError(
                f"contenu invalide, le site n'est pas construit (l'ancien site/ reste intact) :\n{lines}") from None
        for warning in self.loaded.report.problems:
            if warning.severity != checker.Severity.ERROR:
                log.info(warning.format())
        self._refuse_committed_cache()
        if not self.settings.site_url:
            log.info(urls.NO_PUBLIC_ADDRESS)
        return config

    def reuse(self, previous_site: Path) -> None:
        """Called by `atlas build`, which runs MkDocs with `dirty` into an empty staging folder:
        files whose inputs did not change are linked from `previous_site` instead of written."""
        self.previous_site = Path(previous_site)

    def _previous(self) -> reuse.Previous:
        """The site this build replaces, when `atlas build` asked for it and a cache keeps its manifest."""
        if self.previous_site is None or self.settings.cache_dir is None:
            return reuse.Previous()
        return reuse.Previous.read(self.settings.cache_dir, self.previous_site)

    def _refuse_committed_cache(self) -> None:
        """The cache gives finished pages and images: one committed with a pull request would be
        published as it is, past every check and every escaping. Never read a versioned cache."""
        folder = self.settings.cache_dir
        committed = history.tracked(folder) if folder is not None else []
        if committed:
            raise PluginError(
                f"{len(committed)} fichier(s) du cache {folder} sont versionnés dans le dépôt ("
                + ", ".join(committed[:5]) + ("…" if len(committed) > 5 else "")
                + ") : un cache ne se versionne jamais (une page ou une image qui s'y trouve serait publiée"
                f" telle quelle). Retirez-les du dépôt : git rm -r --cached {folder}")

    def on_files(self, files: Files, config) -> Files:
        def emit(uri: str, data) -> GeneratedFile:
            if files.src_uris.get(uri) is not None:  # a hand-written page never silently shadows a generated one
                raise PluginError(f"docs/{uri} porte le nom d'une page générée : renommez-le")
            file = GeneratedFile.generated(config, uri, content=data)
            if not file.is_documentation_page():  # a page's key is known once the navigation is (on_nav)
                file.kept = self.ledger.keep(file.dest_uri, reuse.digest(data))
            files.append(file)
            return file

        def emit_page(uri: str, page: pages.GeneratedPage) -> None:
            file = emit(uri, "")  # an empty Markdown source: MkDocs gives the page its URL and place; the HTML is ours
            self.run.add(uri, page)
            self.search_entries.append(search.entry(file.url, page.title, page.search_text, page.search_hidden))

        self._cancel_images()  # `atlas serve`: a rebuild starts before the previous one's images were read
        if self.main is None:
            editions.without_other_editions(files)
        else:
            editions.add_main_assets(files, config, self.main.mkdocs_config)
        self.run = pagecache.Run(pagecache.PageCache(self.settings.pages_cache) if self.settings.pages_cache else None)
        self.search_entries = []
        self.ledger = reuse.Ledger(self._previous())
        # Map images are drawn by worker processes while MkDocs renders the pages, and written
        # straight into the site at the end (on_post_build): never held in memory.
        self.outputs = pipeline.generate(self.loaded, self.settings, emit, emit_page, self.ledger.keep,
                                         shared=self.main.outputs if self.main else None)
        self.feed_path = news.FEED_PATH if self.outputs.feed else ""  # <link rel="alternate"> of theme/main.html
        if self.main is None:  # the contribution guide is for the town halls: French only
            reference.emit_guide(emit, self.guide, self.content_dir)
        self._alternate_urls = {}
        listed = _nav_paths(config.nav)
        for src in self.run.generated:
            if src not in listed:  # created here, MkDocs keeps them (nav.py: a file's existing page)
                GeneratedPage(None, files.src_uris.get(src), config)
        return files

    def on_page_markdown(self, markdown: str, page, config, files):
        """Generated pages: title and description set here, as escaped text (Material prints them
        as HTML in the header, navigation and search). Hand-written pages of docs/ that ask for it
        (`atlas: true`) can show the atlas's figures, rendered in Jinja's sandbox; never a generated one."""
        generated = self.run.generated.get(page.file.src_uri)
        if generated is not None:
            page.meta = {"title": escape(generated.title), "description": escape(generated.description),
                         "apercu": generated.preview, "search": {"exclude": True}}
            return ""
        if page.is_homepage:  # the home's preview: the world map
            world = self.outputs.maps.get("monde")
            page.meta["apercu"] = social.preview(config.site_name, social.home_sentence(self.loaded.atlas),
                                                 self.settings.site_url, "", world,
                                                 world.png_size if world else None).as_meta()
        if page.file.generated_by or not page.meta.get("atlas"):
            return markdown
        return pages.render_hand_written(markdown, self.outputs.site, page.url)

    def on_page_content(self, html: str, page, config, files):
        """A generated page's body is its template's HTML, never a Markdown conversion: rendered
        in on_env, unless the finished page is in the cache (its tables are labelled there)."""
        if page.file.src_uri in self.run.generated:
            return ""
        return cards.label_cells(html)  # hand-written pages' tables read as cards on a phone too

    def on_nav(self, nav, config, files):
        """Every generated page's final key, now that the navigation around it is known; those the
        previous site holds as they are (site/reuse.py) are kept, never read nor rendered."""
        self.nav = nav
        for src, generated in self.run.generated.items():
            page = files.src_uris.get(src).page
            if page.title is None:  # a page the navigation lists untitled: named before MkDocs reads any page
                page.title = escape(generated.title)
        # The engine too: under ProperDocs, `mkdocs` is ProperDocs (its pages name it in their head).
        engine = f"{mkdocs.__name__} {mkdocs.__version__}"
        site_key = pagecache.site_key(config, nav, {"feed": self.feed_path, "engine": engine, "edition": self.edition,
                                                    "langues": list(self.settings.languages),
                                                    "catalogue": i18n.digest(self.edition)}) if self.run.cache else ""
        for src, key in self.run.settle(site_key, lambda src: files.src_uris.get(src).page.url).items():
            file = files.src_uris.get(src)
            file.kept = self.ledger.keep(file.dest_uri, key)
        return nav

    @_in_french
    def on_env(self, env, config, files):
        self.env, self.files = env, files  # atlas serve renders a saved page with them (commands/preview.py)
        # The theme's own words (footer, feed title, language switch) from the edition's catalogue.
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(**i18n.jinja_callables(self.edition), newstyle=True)
        self.run.start(lambda src: files.src_uris.get(src), lambda html: get_toc(pages.toc_tokens(html)))
        return env

    @_in_french
    def on_page_context(self, context, page, config, nav):
        context["atlas_langues"] = self.alternates(page.url) if len(self.settings.languages) > 1 else []
        self.run.body(page)
        return context

    def alternates(self, page_url: str) -> list[dict]:
        """The page in every edition (theme/main.html: the language switch and `hreflang`)."""
        return editions.alternates(list(self.settings.languages), self.edition, page_url, self.settings.site_url,
                                   self._has_page)

    def _has_page(self, lang: str, url: str) -> bool:
        """Whether the `lang` edition has a page at `url`: every generated page is in every edition;
        a hand-written one where docs/ (French) or docs/<lang>/ has it."""
        if lang == self.edition or url in self._generated_urls():
            return True
        if lang not in self._alternate_urls:
            main = self.main.mkdocs_config if self.main else self.mkdocs_config
            self._alternate_urls[lang] = editions.hand_written_urls(Path(main.docs_dir), lang)
        return url in self._alternate_urls[lang]

    def _generated_urls(self) -> set[str]:
        if "" not in self._alternate_urls:  # computed once per build
            self._alternate_urls[""] = {urls.page_url(src) for src in self.run.generated}
        return self._alternate_urls[""]

    @event_priority(100)  # first: what the cache keeps is the theme's page; other plugins' changes come after, every build
    def on_post_page(self, output: str, page, config) -> str:
        return self.run.finished(page, output)

    def on_post_template(self, output_content: str, template_name: str, config) -> str:
        return compact.html(output_content) if template_name.endswith(".html") else output_content  # 404.html

    @event_priority(-100)  # after Material's search plugin has written its index
    @_in_french
    def on_post_build(self, config) -> None:
        site_dir = Path(config.site_dir)
        kept = self.ledger.link_kept(site_dir)
        pipeline.finish(site_dir, self.outputs, self.run, self.search_entries, self.ledger.kept)
        if self.settings.cache_dir is not None:
            self.ledger.save(self.settings.cache_dir, self.previous_site or site_dir, site_dir)
        if self.previous_site is not None:
            log.info(f"{kept} fichiers repris tels quels du site précédent, {len(self.ledger.keys) - kept} écrits")
        if self.main is None and len(self.settings.languages) > 1:
            # What the other editions do not read leaves memory before they take theirs.
            self.run.release()
            self.search_entries, self.ledger = [], reuse.Ledger()
            self.outputs = dataclasses.replace(self.outputs, maps={}, site=None, news=[], feed=None)
            if not self.editions_after:
                editions.build_others(self, config)

    def on_build_error(self, error) -> None:
        self._cancel_images()

    def on_shutdown(self) -> None:
        self._cancel_images()

    def _cancel_images(self) -> None:
        """The PNG worker pool lives with the build that started it, never beyond."""
        if self.outputs is not None:
            self.outputs.images.cancel()

    def on_serve(self, server, config, builder):
        server.watch(str(self.content_dir))
        return server
