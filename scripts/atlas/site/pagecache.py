"""The generated pages' cache: a page whose inputs did not change is not rendered again.

A rebuild after a pull request that changes one collectivité re-renders that collectivité's page
and the few pages showing it (its countries, themes, the « Qui d'autre ? » of its neighbours,
the indexes); every other page is copied, finished, from the earlier build.

Two keys per page, both content hashes:
- `inputs` (set by pages.generate): what the atlas's template reads. The page's own context,
  walked by `fingerprint`, where a collectivité — or one of its partnerships — counts as the hash
  of its file; the reference data (every content file but the collectivités'); the site's
  settings; the year; the code. A page reading the atlas's aggregates (indexes, statistics,
  sources) depends on every file (`Scope.ALL`).
- `final` (on_env, once MkDocs has read every page): `inputs` plus what Material puts around the
  body: the navigation (titles and addresses), the configuration, the theme and the versions.

Kept under `.cache/atlas/pages/` beside the images' cache, with the same rules: written to a
temporary file then renamed, touched when used, removed after KEEP_DAYS unused.
"""
from __future__ import annotations

import dataclasses
import datetime
import enum
import functools
import hashlib
import json
from pathlib import Path
from typing import Callable

from atlas import AtlasError, caches
from atlas.caches import KEEP_DAYS
from atlas.content.model import Collectivite, Partnership
from atlas.site import compact

DOCTYPE = b"<!doctype html>"  # how every page of Material's begins
TEMPLATE = "atlas-page-finie.html"  # theme/: prints page.content, the finished page, as it is
_LIBRARIES = ("jinja2", "markupsafe", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions")
_CODE = {".py", ".j2", ".html", ".js", ".css", ".json", ".geojson"}  # the package's files a page depends on


class Scope(enum.Enum):
    OWN = "own"  # the page reads its own context and the reference data only
    ALL = "all"  # the page reads the atlas's aggregates: it changes with any file


@functools.cache
def code_version() -> str:
    """The atlas's code, templates, theme and styles, and the libraries rendering them."""
    return caches.code_version(
        [path for path in sorted(caches.PACKAGE.rglob("*")) if path.suffix in _CODE and path.is_file()
         and "__pycache__" not in path.parts], _LIBRARIES)


@dataclasses.dataclass
class Digests:
    """Content hashes of the content folder: one per collectivité file, one for all the rest."""

    records: dict[str, str]  # collectivité slug → hash of its file
    reference: str  # every other file of the content folder (countries, themes, sources, tables…)
    everything: str

    @classmethod
    def of(cls, folder: Path, collectivites: dict[str, Collectivite]) -> "Digests":
        folder = Path(folder)
        files: dict[str, str] = {}
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        records = {slug: files.get(c.file, "") or f"?{slug}" for slug, c in collectivites.items()}
        own = {c.file for c in collectivites.values()}
        reference = hashlib.sha256(json.dumps(
            [(k, v) for k, v in files.items() if k not in own]).encode()).hexdigest()
        everything = hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()
        return cls(records, reference, everything)


def fingerprint(value, records: dict[str, str]) -> str:
    """A stable text for what a template may read of `value`; a collectivité (and any of its
    partnerships) stands for its file's hash. An unknown kind of value is refused, so that a new
    context entry is a decision, never a page silently left stale."""
    out: list[str] = []
    _walk(value, records, out)
    return "".join(out)


_PLAIN = (bool, int, float, str, datetime.date, enum.Enum, Path)


def _walk(value, records: dict[str, str], out: list[str]) -> None:
    if value is None or isinstance(value, _PLAIN):
        out.append(f"{type(value).__name__}:{value!r};")
    elif isinstance(value, Collectivite):
        out.append(f"C:{value.slug}:{records[value.slug]};")
    elif isinstance(value, Partnership):
        out.append(f"P:{value.collectivite}:{value.number}:{records[value.collectivite]};")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for item in value:
            _walk(item, records, out)
        out.append("]")
    elif isinstance(value, (set, frozenset)):
        out.append("{" + ",".join(sorted(fingerprint(v, records) for v in value)) + "}")
    elif isinstance(value, dict):
        out.append("{")
        for k, v in value.items():
            _walk(k, records, out)
            _walk(v, records, out)
        out.append("}")
    elif dataclasses.is_dataclass(value):
        out.append(type(value).__name__ + "(")
        for name in _field_names(type(value)):
            _walk(getattr(value, name), records, out)
        out.append(")")
    else:
        raise TypeError(f"page cache: {type(value).__name__} in a page's context has no fingerprint")


@functools.cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def inputs_key(shared: str, template: str, url: str, scope: Scope, digests: Digests, fields: dict) -> str:
    """`shared`: what every page depends on (settings, year, reference data, code)."""
    h = hashlib.sha256(f"{shared}\0{template}\0{url}\0{scope.value}\0".encode())
    if scope is Scope.ALL:
        h.update(digests.everything.encode())
    h.update(fingerprint(fields, digests.records).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def nav_signature(items) -> list:
    """The navigation as Material prints it: titles, addresses and nesting."""
    return [[getattr(i, "title", None), getattr(i, "url", None), nav_signature(getattr(i, "children", None) or [])]
            for i in items]


def site_key(config, nav, extra: dict) -> str:
    """What Material puts around a generated body, besides the page itself."""
    theme = config.theme
    custom = []
    for folder in theme.dirs[:1] if theme.custom_dir else []:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                custom.append((path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()))
    # The hand-written pages' titles: the navigation shows them, and MkDocs reads them from the pages
    # only after the keys are settled (on_nav). Their text changes no generated page.
    docs = [(path.relative_to(config.docs_dir).as_posix(), _title_lines(path))
            for path in sorted(Path(config.docs_dir).rglob("*.md")) if path.is_file()]
    plugins = {name: _plugin_state(plugin) for name, plugin in config.plugins.items()}
    data = {
        "config": {k: config.get(k) for k in (
            "site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name",
            "edit_uri", "use_directory_urls", "extra", "extra_css", "extra_javascript", "markdown_extensions",
            "mdx_configs")},
        "theme": {k: theme[k] for k in theme}, "custom": custom, "docs": docs, "plugins": plugins,
        "nav": nav_signature(nav.items), "extra": extra, "code": code_version(),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=_plain).encode()).hexdigest()


def _plain(value):
    """A configuration value JSON does not know: a mapping (`extra_javascript: - path: …, defer: true`
    is one) by its items, so that each of its settings counts; anything else by its text."""
    items = getattr(value, "items", None)
    return dict(items()) if callable(items) else str(value)


def _title_lines(page: Path) -> str:
    """What a Markdown page's title can come from: its front matter and its headings."""
    lines = page.read_text(encoding="utf-8", errors="replace").splitlines()
    head: list[str] = []
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), len(lines) - 1)
        head = lines[:end + 1]
    return "\n".join(head + [line for line in lines if line.lstrip().startswith("#")])


def _plugin_state(plugin):
    """A plugin's settings; a hook (a module MkDocs loads as a plugin): its code."""
    settings = getattr(plugin, "config", None)
    if settings is not None:
        return dict(settings)
    path = getattr(plugin, "__file__", None)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else type(plugin).__name__


def final_key(site: str, inputs: str, url: str) -> str:
    return hashlib.sha256(f"{site}\0{inputs}\0{url}".encode()).hexdigest()


class PageCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.hits = self.stored = 0

    @staticmethod
    def _entry(key: str) -> str:
        return f"{key[:2]}/{key}.html"

    def _page(self, key: str) -> str | None:
        """The cached page, if it is whole: sealed as written, a complete HTML document."""
        data = caches.read_sealed(self.folder, self._entry(key))
        if data is None or not (data.lstrip().startswith(DOCTYPE) and data.rstrip().endswith(b"</html>")):
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def has(self, key: str) -> bool:
        """An entry that is whole (a damaged, cut or linked one is rendered again); touched: kept by the pruning."""
        whole = self._page(key) is not None
        self.hits += whole
        return whole

    def read(self, key: str) -> str:
        page = self._page(key)
        if page is None:
            raise AtlasError(f"le cache des pages ({self.folder}) a changé pendant la construction : "
                            "relancez-la, ou supprimez ce dossier")
        return page

    def put(self, key: str, html: str) -> None:
        # a full disk or a read-only folder: the cache is only a shortcut
        self.stored += caches.write_sealed(self.folder, self._entry(key), html.encode("utf-8"))

    def prune(self, keep_days: int = KEEP_DAYS) -> int:
        return caches.prune(self.folder.glob("*/*.html"), keep_days)


class Run:
    """One build's generated pages facing the cache: which are copied finished from an earlier
    build, which are rendered now and stored once finished. Pages are MkDocs's (duck-typed: `url`,
    `file.src_uri`, `meta`, `content`, `toc`); `generated` are pages.GeneratedPage."""

    def __init__(self, cache: PageCache | None):
        self.cache = cache
        self.generated: dict = {}  # source path → pages.GeneratedPage
        self.reused: dict[str, str] = {}  # source path → cache key: copied finished
        self.to_store: dict[str, str] = {}  # source path → cache key: rendered now, stored once finished
        self.final: dict[str, str] = {}  # source path → final key (settle)
        self.kept = 0  # pages the previous site holds as they are: not even read from the cache

    def add(self, src: str, generated) -> None:
        self.generated[src] = generated

    def release(self) -> None:
        """The build is written: its pages leave memory; the cache's counts stay (the report, the tests)."""
        self.generated, self.reused, self.to_store, self.final = {}, {}, {}, {}

    def settle(self, site_key: str, url_of: Callable[[str], str]) -> dict[str, str]:
        """Each generated page's final key, once the navigation has its titles; {} without a cache."""
        self.final = {}
        if site_key:
            self.final = {src: final_key(site_key, generated.key, url_of(src))
                          for src, generated in self.generated.items() if generated.key}
        return self.final

    def start(self, file_of: Callable[[str], object], toc: Callable[[str], object]) -> None:
        """Every page is read: each generated page whose finished HTML is in the cache is marked to
        be copied, the others have their body rendered now. A kept file (the previous site holds
        the page as it is: site/reuse.py) is neither."""
        self.reused, self.to_store = {}, {}
        if self.cache is not None:
            self.cache.hits = self.cache.stored = 0
        for src, generated in self.generated.items():
            file = file_of(src)
            if getattr(file, "kept", False):
                self.kept += 1
                continue
            page, key = file.page, self.final.get(src, "")
            if key and self.cache.has(key):
                page.meta["template"], self.reused[src] = TEMPLATE, key
                continue
            page.content = generated.render()
            page.toc = toc(page.content)
            if key:
                self.to_store[src] = key

    def body(self, page) -> None:
        """A reused page's finished HTML, read when MkDocs reaches it: never all in memory."""
        key = self.reused.get(page.file.src_uri)
        if key:
            page.content = self.cache.read(key)

    def finished(self, page, output: str) -> str:
        """The page as MkDocs wrote it (theme around the body): compacted and stored."""
        src = page.file.src_uri
        if src in self.generated:
            page.content = ""  # written: not kept in memory until the end of the build
        if src in self.reused:
            return output  # finished (and compacted) in an earlier build
        output = compact.html(output)
        if src in self.to_store:
            self.cache.put(self.to_store[src], output)
        return output

    def report(self) -> str:
        if self.cache is None:
            return ""
        self.cache.prune()
        return (f"pages générées : {self.kept} gardées du site précédent, {self.cache.hits} reprises du cache, "
                f"{self.cache.stored} rendues et rangées ({self.cache.folder})")
