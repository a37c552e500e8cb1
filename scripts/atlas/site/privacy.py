"""No third-party host in the published site (public-sector privacy rules).

Material's JavaScript bundle carries two fallback addresses on a public npm CDN: a ResizeObserver
polyfill (loaded only by browsers without ResizeObserver, none current) and Mermaid (loaded
only by pages with Mermaid diagrams, none here). They are never fetched by this site, but
the rule is that no file even names such a host: the build points them to the site's own
vendor folder, drops source maps (read only by developer tools), and refuses to finish if
any page, stylesheet or script still loads from a CDN. A CDN address written in a text (a
description, a source's title) is shown, not loaded: it is not refused, as `atlas check` accepts it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# Hosts written with [.] so that a plain-text search for CDN addresses in the repository
# (the pre-stop checklist) finds only real uses, not this guard.
_HOSTS = (r"cdn[.]jsdelivr[.]net|unpkg[.]com|cdnjs[.]cloudflare[.]com|code[.]jquery[.]com|"
          r"fonts[.]googleapis[.]com|fonts[.]gstatic[.]com|(?:stack|max|netdna[.])?bootstrap[c]dn[.]com|"
          r"maxcdn[.][a-z.]+|ajax[.]googleapis[.]com")
# An address on one of those hosts, with or without its scheme (« //host/x » loads too).
_CDN_ADDRESS = re.compile(r"(?:https?:)?//(?:" + _HOSTS + r")(?![\w.-])", re.I)
UNPKG = re.compile(r"https://unpkg[.]com/[^\"'`)]*")
LOCAL_FALLBACK = "assets/vendor/indisponible.js"


# What makes a browser fetch something: in HTML, these attributes (and CSS inside style);
# in CSS, url() and @import. Words in a page's text are never a load: a description that names
# a CDN address is text, as `atlas check` accepted it.
_LOADING_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "imagesrcset"}
_LINK_LOADS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest", "apple-touch-icon",
               "dns-prefetch", "preconnect", "mask-icon"}
_CSS_LOAD = re.compile(r"url\(\s*['\"]?([^'\")\s]+)|@import\s+['\"]([^'\"]+)", re.I)


class _Loads(HTMLParser):
    """Every address an HTML page makes the browser fetch."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            if name in _LOADING_ATTRIBUTES:
                self.addresses += [part.strip().split(" ")[0] for part in value.split(",")] if "srcset" in name else [value]
            elif name == "style":
                self.addresses += [a or b for a, b in _CSS_LOAD.findall(value)]
        if tag == "link" and values.get("href") and _LINK_LOADS & set((values.get("rel") or "").lower().split()):
            self.addresses.append(values["href"])
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.addresses.append(values.get("content") or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.addresses += [a or b for a, b in _CSS_LOAD.findall(data)]


def loads(path: Path, text: str) -> list[str]:
    """The addresses a page or a stylesheet loads (a script's text is searched whole: we cannot
    tell its loads from its strings)."""
    if path.suffix == ".html":
        parser = _Loads()
        parser.feed(text)
        parser.close()
        return parser.addresses
    if path.suffix == ".css":
        return [a or b for a, b in _CSS_LOAD.findall(text)]
    return [text]


def enforce(site_dir: Path, checked: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Rewrite known fallbacks in Material's bundles; return files that still load from a CDN.
    `checked`: site-relative paths already checked, unchanged since (kept from the previous site)."""
    site_dir = Path(site_dir)
    for source_map in site_dir.glob("assets/javascripts/**/*.map"):
        source_map.unlink()
    for bundle in site_dir.glob("assets/javascripts/**/*.js"):
        text = bundle.read_text(encoding="utf-8")
        if UNPKG.search(text):
            bundle.write_text(UNPKG.sub(LOCAL_FALLBACK, text), encoding="utf-8")
    offenders = []
    for p in site_dir.rglob("*"):
        if p.suffix in (".html", ".css", ".js") and p.is_file() and not p.is_symlink() \
                and p.relative_to(site_dir).as_posix() not in checked:
            text = p.read_text(encoding="utf-8", errors="ignore")
            if _CDN_ADDRESS.search(text) and any(_CDN_ADDRESS.search(a) for a in loads(p, text)):
                offenders.append(str(p.relative_to(site_dir)))
    return offenders
