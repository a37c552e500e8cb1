#!/usr/bin/env python
"""Reader tasks on a phone (issue 26): what a reader does, in taps and distance scrolled, to answer
a question on the built site, in Chromium at 375 × 812 (touch, dense screen). Prints a table.

    atlas build --site /tmp/apres                      # ATLAS_SITE_URL set: the embed snippets exist
    python scripts/reader_tasks.py /tmp/avant /tmp/apres

Each task is a path a reader takes from the page they start on: tap a field (1 tap), type a name
(keys, not taps), « OK » on the phone's keyboard (1 tap), tap a link or a button (1 tap), and scroll
until what they look for is on the screen (below the sticky header), all of it when it is the
answer to read (a list, a table). Where a site offers several paths (its menu, the links in the
page, the home's finder), each is measured; the fewest taps, then the shortest scroll, is the
task's figure. Material's search (the same on every version) is left out: the tasks measure the
pages. Not a test: a reader's tasks, before and after a change, for the issue's note.

Chromium: Debian's (/usr/bin/chromium, or --chrome); never `playwright install`.
"""
from __future__ import annotations

import argparse
import functools
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WIDTH, HEIGHT = 375, 812

# Scroll so that an element (its bottom edge: `whole`; else its first line) shows under the sticky
# header; the distance is what the page really moved.
REVEAL = """(el, whole) => {
  const r = el.getBoundingClientRect(), vh = window.innerHeight;
  const header = document.querySelector('.md-header');
  const top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
  let dy = 0;
  if (r.bottom > vh) dy = whole || r.height < vh - top ? r.bottom - vh + 8 : r.top - top - 8;
  else if (r.top < top && !(whole && r.bottom > top)) dy = r.top - top - 8;
  const before = window.scrollY;
  window.scrollBy({top: dy, behavior: 'instant'});
  return Math.abs(window.scrollY - before);
}"""

# The answer under a heading: from the heading to the element before the next heading.
BLOCK_END = """(id) => {
  const h = document.getElementById(id);
  if (!h) return null;
  let last = h, el = h.nextElementSibling;
  while (el && !/^H[1-6]$/.test(el.tagName)) { last = el; el = el.nextElementSibling; }
  last.setAttribute('data-fin-de-reponse', id);
  return true;
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Run:
    taps: int = 0
    keys: int = 0
    scrolled: int = 0
    steps: list[str] = field(default_factory=list)
    note: str = ""


class Reader:
    """A reader on one page of a site: taps, types, scrolls; counts."""

    def __init__(self, page, base: str):
        self.page, self.base, self.run = page, base, Run()

    def open(self, path: str):
        self.page.goto(self.base + path, wait_until="load")
        self.run.steps.append(f"ouvre /{path}")

    def reveal(self, locator, whole: bool = False):
        locator.wait_for(state="attached", timeout=5000)
        self.run.scrolled += round(locator.evaluate(REVEAL, whole))

    def tap(self, locator, what: str, navigates: bool = False):
        locator = locator.first
        self.reveal(locator)
        if navigates:
            with self.page.expect_navigation(wait_until="load"):
                locator.tap()
        else:
            locator.tap()
        self.run.taps += 1
        self.run.steps.append(f"touche {what}")

    def type(self, locator, text: str, what: str):
        self.tap(locator, what)
        self.page.keyboard.type(text)
        self.run.keys += len(text)
        self.run.steps.append(f"tape « {text} »")

    def ok(self):
        """« OK » on the phone's keyboard: submits the form."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.keyboard.press("Enter")
        self.run.taps += 1
        self.run.steps.append("OK (clavier)")

    def read(self, locator, what: str):
        """Scroll until all of it has been on the screen (its bottom shows)."""
        self.reveal(locator.first, whole=True)
        self.run.steps.append(f"lit {what}")

    def read_block(self, heading_id: str, what: str) -> bool:
        if not self.page.evaluate(BLOCK_END, heading_id):
            return False
        self.read(self.page.locator(f'[data-fin-de-reponse="{heading_id}"]'), what)
        return True


class Unavailable(Exception):
    """This path does not exist on this version of the site."""


# -- the paths ------------------------------------------------------------------------------------

def _menu(r: Reader, section: str, label: str):
    """Material's menu (☰) on a phone, then a section of the site."""
    burger = r.page.locator('label.md-header__button[for="__drawer"]')
    if not burger.count():
        raise Unavailable("pas de menu")
    r.tap(burger, "le menu ☰")
    link = r.page.locator(f'nav.md-nav--primary a.md-nav__link[href$="{section}/"]:visible').filter(has_text=label)
    if not link.count():
        raise Unavailable(f"pas de « {label} » dans le menu")
    r.tap(link, f"« {label} »", navigates=True)


def _explore(r: Reader, section: str, label: str):
    """The home's own links (« Explorer »)."""
    link = r.page.locator(f'article a[href$="{section}/"]:visible').filter(has_text=label)
    if not link.count():
        raise Unavailable(f"pas de lien « {label} » dans l'accueil")
    r.tap(link, f"« {label} » (accueil)", navigates=True)


def _finder(r: Reader, name: str):
    field_ = r.page.locator("form.atlas-trouver input[name=q]")
    if not field_.count():
        raise Unavailable("pas de champ « Trouver » à l'accueil")
    r.type(field_, name, "« Trouver une collectivité ou un pays »")
    # the names arrive at the first key (trouver.json): the reader sees the suggestions, then « OK »
    r.page.wait_for_function("document.querySelectorAll('form.atlas-trouver datalist option, datalist option').length > 0",
                             timeout=10_000)
    r.ok()


def _collectivite_from_index(r: Reader, name: str, slug: str):
    field_ = r.page.locator("form.atlas-filtres input[name=q]")
    if field_.count():
        r.type(field_, name, "le filtre des collectivités")
    r.tap(r.page.locator(f'table a[href$="/{slug}/"]:visible, table a[href="{slug}/"]:visible').filter(has_text=re.compile(f"^{name}$")),
          f"« {name} »", navigates=True)


def _country_from_index(r: Reader, name: str, slug: str):
    r.tap(r.page.locator(f'article a[href$="{slug}/"]:visible').filter(has_text=re.compile(f"^{name}")), f"« {name} »",
          navigates=True)


def _lille_answer(r: Reader):
    answer = r.page.locator("section.atlas-en-bref")
    if answer.count():
        r.read(answer, "la liste « 17 partenariats dans 15 pays »")
        text = answer.inner_text()
    elif r.read_block("partenaires", "le tableau « Partenaires »"):
        text = r.page.locator('[data-fin-de-reponse="partenaires"]').inner_text()
    else:
        raise Unavailable("pas de liste des partenaires")
    years = re.findall(r"\b(1[89]\d\d|20\d\d)\b", text)
    r.run.note = f"années lues : {len(years)}" if years else "aucune année dans la réponse"


def _senegal_answer(r: Reader):
    if not r.read_block("collectivites-et-partenaires", "les collectivités et leurs partenaires"):
        raise Unavailable("pas de liste des collectivités du pays")


def _arrived(r: Reader, title: str):
    if r.page.locator("h1").first.inner_text().strip() != title:
        raise Unavailable(f"arrivé sur « {r.page.locator('h1').first.inner_text()} »")
    r.run.steps.append(f"arrive sur « {title} »")


def _embed(r: Reader):
    summary = r.page.locator("summary", has_text="Intégrer cette carte")
    if not summary.count():
        raise Unavailable("pas de code d'intégration")
    r.tap(summary, "« Intégrer cette carte… »")
    block = r.page.locator("details", has=summary).locator("pre").filter(has_text="<img").first
    copy = block.locator("button.md-clipboard, button.md-code__button")
    r.read(block, "le code de l'image cliquable")
    if copy.count():
        block.hover()
        r.tap(copy, "« Copier »")
    r.run.note = "image : " + (re.search(r'src="([^"]+\.png)"', block.inner_text()) or [None, "?"])[1]


TASKS = [
    ("Qui sont les partenaires de Lille, et depuis quand ?", "", {
        "champ Trouver": lambda r: (_finder(r, "Lille"), _lille_answer(r)),
        "menu": lambda r: (_menu(r, "collectivites", "Collectivités"), _collectivite_from_index(r, "Lille", "lille"), _lille_answer(r)),
        "liens de l'accueil": lambda r: (_explore(r, "collectivites", "Collectivités"),
                                         _collectivite_from_index(r, "Lille", "lille"), _lille_answer(r)),
    }),
    ("Quelles collectivités françaises travaillent avec le Sénégal ?", "", {
        "champ Trouver": lambda r: (_finder(r, "Sénégal"), _senegal_answer(r)),
        "menu": lambda r: (_menu(r, "pays", "Pays"), _country_from_index(r, "Sénégal", "senegal"), _senegal_answer(r)),
        "liens de l'accueil": lambda r: (_explore(r, "pays", "Pays"), _country_from_index(r, "Sénégal", "senegal"), _senegal_answer(r)),
    }),
    ("Trouver ma commune (Roubaix) depuis l'accueil", "", {
        "champ Trouver": lambda r: (_finder(r, "Roubaix"), _arrived(r, "Roubaix")),
        "menu": lambda r: (_menu(r, "collectivites", "Collectivités"), _collectivite_from_index(r, "Roubaix", "roubaix"),
                           _arrived(r, "Roubaix")),
        "liens de l'accueil": lambda r: (_explore(r, "collectivites", "Collectivités"),
                                         _collectivite_from_index(r, "Roubaix", "roubaix"), _arrived(r, "Roubaix")),
    }),
    ("Intégrer la carte de Lille dans une lettre d'information (image + code)", "collectivites/lille/", {
        "page de Lille": _embed,
    }),
]


def measure(site: Path, chrome: str) -> list[tuple[str, str, Run | None, str]]:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chrome, args=["--no-sandbox", "--headless", "--disable-gpu"])
            for question, start, paths in TASKS:
                for name, path in paths.items():
                    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2,
                                                  is_mobile=True, has_touch=True, locale="fr-FR")
                    context.grant_permissions(["clipboard-read", "clipboard-write"])
                    page = context.new_page()
                    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
                    reader = Reader(page, base)
                    try:
                        reader.open(start)
                        path(reader)
                        out.append((question, name, reader.run, ""))
                    except Unavailable as e:
                        out.append((question, name, None, str(e)))
                    except Exception as e:  # a path that breaks on one version: said, not fatal
                        out.append((question, name, None, f"échec : {type(e).__name__}: {str(e).splitlines()[0][:90]}"))
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def best(runs: list[tuple[str, str, Run | None, str]], question: str):
    done = [(name, run) for q, name, run, _ in runs if q == question and run is not None]
    return min(done, key=lambda nr: (nr[1].taps, nr[1].scrolled), default=(None, None))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sites", nargs="+", help="sites construits (par exemple avant puis après)")
    parser.add_argument("--chrome", default="/usr/bin/chromium")
    parser.add_argument("--details", action="store_true", help="chaque chemin, pas à pas")
    args = parser.parse_args()
    results = {}
    for site in args.sites:
        if not (Path(site) / "index.html").is_file():
            print(f"erreur : {site} n'est pas un site construit", file=sys.stderr)
            return 2
        results[site] = measure(Path(site), args.chrome)
    print(f"Tâches de lecteurs à {WIDTH} × {HEIGHT} (tactile) : touchers, caractères tapés, distance défilée (px)\n")
    for question, _, _ in TASKS:
        print(question)
        for site, runs in results.items():
            name, run = best(runs, question)
            if run is None:
                print(f"  {site:<28} impossible")
            else:
                how = name + ("; " + run.note if run.note else "")
                print(f"  {site:<28} {run.taps:>2} touchers  {run.keys:>3} car.  {run.scrolled:>6} px   ({how})")
            if args.details:
                for q, pname, prun, why in runs:
                    if q != question:
                        continue
                    if prun is None:
                        print(f"      - {pname} : {why}")
                    else:
                        print(f"      - {pname} : {prun.taps} touchers, {prun.keys} car., {prun.scrolled} px — " + " → ".join(prun.steps))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
