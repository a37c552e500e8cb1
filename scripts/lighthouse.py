#!/usr/bin/env python
"""Lighthouse on the built site, as a reader's phone meets it (issue 26): the site served compressed
(gzip), as a static host does; Lighthouse's mobile preset; Debian's Chromium; map tiles blocked (the
one outside request, not the atlas's weight). Prints the figures per page; writes the reports beside.

    npm i -E lighthouse@12.2.3            # once, in any folder (Lighthouse 13 wants Node 22)
    atlas build
    python scripts/lighthouse.py --lighthouse /chemin/node_modules/.bin/lighthouse

Not a test: figures vary with the machine's load; the note of an issue quotes them.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"accueil": "", "collectivite": "collectivites/lille/", "pays": "pays/allemagne/",
         "visionneuse": "cartes/?carte=liens"}
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".geojson", ".txt"}


class GzipHandler(SimpleHTTPRequestHandler):
    """Files compressed on the fly when the browser accepts it (what GitHub Pages and most hosts do)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's address
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in COMPRESSED or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def run(lighthouse: str, url: str, out: Path, chrome: str) -> dict:
    flags = "--no-sandbox --headless=new --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
    cmd = [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}", f"--chrome-flags={flags}",
           "--blocked-url-patterns=*tile.openstreetmap.org*", "--only-categories=performance,accessibility"]
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": chrome}, timeout=300)
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibilite": round(report["categories"]["accessibility"]["score"] * 100),
        "FCP s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "LCP s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "TBT ms": audits["total-blocking-time"]["numericValue"],
        "CLS": audits["cumulative-layout-shift"]["numericValue"],
        "Kio": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", default=str(ROOT / "site"), help="le site construit (défaut : site/)")
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE") or shutil.which("lighthouse") or "lighthouse")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--out", default="", help="dossier des rapports JSON (défaut : un dossier temporaire)")
    args = parser.parse_args()
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"erreur : {site} n'est pas un site construit (lancez atlas build)", file=sys.stderr)
        return 2
    out = Path(args.out or tempfile.mkdtemp(prefix="lighthouse-"))
    out.mkdir(parents=True, exist_ok=True)
    server, base = serve(site)
    try:
        rows = {name: run(args.lighthouse, base + path, out / f"{name}.json", args.chrome) for name, path in PAGES.items()}
    finally:
        server.shutdown()
    cols = ["performance", "accessibilite", "FCP s", "LCP s", "TBT ms", "CLS", "Kio"]
    print("page".ljust(14) + "".join(c.rjust(14) for c in cols))
    for name, r in rows.items():
        print(name.ljust(14) + "".join((f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c])).rjust(14) for c in cols))
    print(f"(Lighthouse, préréglage mobile, site servi compressé (gzip), tuiles bloquées ; rapports : {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
