"""The atlas's pipeline in three calls: `load` (YAML → checked records → indexes, history),
`generate` (→ maps, exports, pages, feed) and `finish` (once MkDocs has written the pages: the map
images, the search index, the caches pruned, the privacy check), each stage timed.

The MkDocs plugin's events, `atlas build`, the benchmark and the tests call these; none of them
re-implements a stage. `load` keeps its last result while the content folder is unchanged, so
`atlas build` (which checks first, to print the checker's own messages) and the plugin (which
plain `mkdocs build` also runs) read and check the content once.
"""
from __future__ import annotations

import functools
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from atlas import AtlasError, urls
from atlas.config import Settings, settings_beside
from atlas.content import checkcache, checker, history, index
from atlas.content import records as content
from atlas.content.model import Atlas
from atlas.content.schema import SCHEMAS
from atlas.maps import assets
from atlas.maps import interactive as maps
from atlas.site import exports, news, pagecache, pages, privacy, search

log = logging.getLogger("mkdocs.plugins.atlas")


class ContentError(AtlasError):
    """The content is invalid: nothing is generated. Carries the checker's report."""

    def __init__(self, report: checker.Report):
        super().__init__(f"{len(report.errors)} erreur(s) dans le contenu")
        self.report = report


@dataclass
class Loaded:
    content_dir: Path
    report: checker.Report
    atlas: Atlas
    idx: index.Index
    history: history.History
    digests: pagecache.Digests  # content hashes: what each generated page's cache key is made of
    timings: dict = field(default_factory=dict)  # stage → seconds


@dataclass
class Outputs:
    maps: dict  # map id → maps.MapInfo
    images: maps.PendingImages  # drawn by worker processes; `finish` writes them, `cancel` stops them
    exports: dict
    site: pages.Site
    news: list
    feed: news.Feed | None
    timings: dict = field(default_factory=dict)


def fingerprint(folder: Path | str) -> tuple:
    """Every file under a folder with its size and modification time (a cheap stat walk): what tells
    whether a folder changed (the content here; mkdocs.yml, docs/ and the theme for `atlas serve`)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            out.append((dirpath, name, st.st_size, st.st_mtime_ns, st.st_mode))
    return tuple(out)


def load(content_dir: Path | str, check_cache: Path | None | bool = True) -> Loaded:
    """Check the content once and build the records, indexes and history; raise ContentError if invalid.

    `check_cache`: where the checker keeps each file's result (checkcache.py); True, the folder
    the mkdocs.yml beside the content folder sets (config.settings_beside: `cache: false` there
    turns it off); None or False: every file checked."""
    folder = Path(content_dir).resolve()
    if check_cache is True:
        check_cache = settings_beside(folder).check_cache
    return _load(folder, fingerprint(folder), Path(check_cache) if check_cache else None)


@functools.lru_cache(maxsize=1)  # the last result, while the content folder is unchanged (module docstring)
def _load(folder: Path, fingerprint: tuple, check_cache: Path | None = None) -> Loaded:
    timings: dict = {}
    start = time.perf_counter()
    # the cache also lives in memory: a long-lived process (atlas serve) re-checks the saved file only
    report = checker.check(folder, cache=checkcache.open_cache(check_cache, log.warning))
    timings["check"] = time.perf_counter() - start
    if not report.ok:
        raise ContentError(report)
    start = time.perf_counter()
    atlas = content.build_atlas(report)
    timings["load"] = time.perf_counter() - start
    start = time.perf_counter()
    idx = index.build(atlas)
    timings["index"] = time.perf_counter() - start
    start = time.perf_counter()
    hist = history.read(folder)  # one `git log` for the whole folder; empty without a full history
    timings["history"] = time.perf_counter() - start
    start = time.perf_counter()
    digests = pagecache.Digests.of(folder, atlas.collectivites)
    timings["digests"] = time.perf_counter() - start
    return Loaded(folder, report, atlas, idx, hist, digests, timings)


def generate(loaded: Loaded, settings: Settings, emit: urls.Emit,
             emit_page: pages.EmitPage | None = None, kept: Callable[[str, str], bool] | None = None,
             shared: Outputs | None = None) -> Outputs:
    """Emit every generated file (maps, exports, schemas, feed) and hand each page to `emit_page`
    (default: emitted as its rendered HTML). Map images are left drawing: see Outputs.images;
    those `kept(uri, key)` says the previous site holds are not drawn (site/reuse.py).
    `shared`: the French edition's outputs, when this builds another language (site/editions.py):
    the exports and schemas are that edition's, linked (urls.shared), not made again; so are the map
    images, but the one that writes words of the edition's language (maps/interactive.py)."""
    timings: dict = {}
    atlas, idx, hist = loaded.atlas, loaded.idx, loaded.history
    start = time.perf_counter()
    assets.emit_assets(emit)
    map_info, images = maps.generate_deferred(atlas, idx, emit, settings, kept)
    timings["maps"] = time.perf_counter() - start
    start = time.perf_counter()
    if shared is None:
        export_info = exports.generate(atlas, idx, emit, settings, exports.version_of(hist.head, hist.head_date))
        for schema_file in sorted(SCHEMAS.glob("*.json")):
            emit(f"schemas/{schema_file.name}", schema_file.read_bytes())
    else:
        export_info = shared.exports
    timings["exports"] = time.perf_counter() - start
    start = time.perf_counter()
    entries = news.entries(hist, loaded.content_dir, {s: c.name for s, c in atlas.collectivites.items()})
    feed = news.feed(settings.site_url, settings.site_name, settings.licence, entries, fallback_date=hist.head_date)
    if feed:
        emit(news.FEED_PATH, news.render_feed(feed))
    emit(pages.FINDER_PATH, pages.finder(atlas))
    timings["news"] = time.perf_counter() - start
    site = pages.Site(atlas, idx, map_info, settings.site_url, settings.licence, settings.licence_url,
                      settings.repo_url, export_info, history=hist, content_dir=loaded.content_dir,
                      name=settings.site_name, news=entries, feed=feed,
                      digests=loaded.digests if settings.cache_dir else None, contact=settings.contact)
    start = time.perf_counter()
    pages.generate(site, emit_page or (lambda src, page: emit(src, page.render())))
    timings["pages"] = time.perf_counter() - start
    return Outputs(map_info, images, export_info, site, entries, feed, timings)


def finish(site_dir: Path, outputs: Outputs, run: pagecache.Run, search_entries: list[dict],
           kept: frozenset[str] | set[str] = frozenset()) -> None:
    """Once MkDocs has written the pages: the map images written beside them, the search index
    completed with the generated pages, the caches pruned, and no third-party host in the site
    (`kept`: files taken as they are from the previous site, checked when they were written)."""
    site_dir = Path(site_dir)

    def write(uri: str, data: bytes | str) -> None:
        target = site_dir / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # never written through a link to the previous site (site/reuse.py)
        target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    outputs.images.finish(write)
    cache = outputs.images.cache
    if cache is not None:
        log.info(f"images des cartes : {cache.drawn} dessinées, {cache.hits} reprises du cache ({cache.folder})")
    if run.cache is not None:
        log.info(run.report())
    search.complete_index(site_dir, search_entries)
    offenders = privacy.enforce(site_dir, kept)
    if offenders:
        raise AtlasError("adresses d'hébergeurs tiers (CDN) dans le site : " + ", ".join(offenders[:10]))
