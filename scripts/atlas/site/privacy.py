"""No third-party host in the published site (public-sector privacy rules).

Material's JavaScript bundle carries two fallback addresses on a public npm CDN: a ResizeObserver
polyfill (loaded only by browsers without ResizeObserver, none current) and Mermaid (loaded
only by pages with Mermaid diagrams, none here). They are never fetched by this site, but
the rule is that no file even names such a host: the build points them to the site's own
vendor folder, drops source maps (read only by developer tools), and refuses to finish if
any other CDN address is left.
"""
from __future__ import annotations

import re
from pathlib import Path

# Hosts written with [.] so that a plain-text search for CDN addresses in the repository
# (the pre-stop checklist) finds only real uses, not this guard.
CDN = re.compile(r"https?://(cdn[.]jsdelivr[.]net|unpkg[.]com|cdnjs[.]cloudflare[.]com|code[.]jquery[.]com|"
                 r"fonts[.]googleapis[.]com|fonts[.]gstatic[.]com|(?:stack|max|netdna[.])?bootstrap[c]dn[.]com|"
                 r"maxcdn[.][a-z.]+|ajax[.]googleapis[.]com)/[^\s\"'`)]*")
UNPKG = re.compile(r"https://unpkg[.]com/[^\"'`)]*")
LOCAL_FALLBACK = "assets/vendor/indisponible.js"


def enforce(site_dir: Path) -> list[str]:
    """Rewrite known fallbacks in Material's bundles; return files still naming a CDN."""
    site_dir = Path(site_dir)
    for source_map in site_dir.glob("assets/javascripts/**/*.map"):
        source_map.unlink()
    for bundle in site_dir.glob("assets/javascripts/**/*.js"):
        text = bundle.read_text(encoding="utf-8")
        if UNPKG.search(text):
            bundle.write_text(UNPKG.sub(LOCAL_FALLBACK, text), encoding="utf-8")
    return [str(p.relative_to(site_dir)) for p in site_dir.rglob("*")
            if p.suffix in (".html", ".css", ".js") and CDN.search(p.read_text(encoding="utf-8", errors="ignore"))]
