"""Is a built site well-formed? Each output read back by a strict reader of its format.

Written apart from the atlas's own code on purpose: an oracle that shares the implementation's
helpers would share its mistakes.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

# Never in a published text file: C0 controls but tab, LF and CR; DEL and C1; bidi controls;
# zero-width characters; line/paragraph separators; BOM; lone surrogates; noncharacters.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(p * 0x10000 + 0xfffe)}{chr(p * 0x10000 + 0xffff)}" for p in range(1, 17)) + "]")
# A cell a spreadsheet would run as a formula (after leading spaces): ASCII and fullwidth signs, tab, CR.
FORMULA = re.compile(r"^[\s]*[=+\-@＝＋－＠\t\r]")
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "path",
        "circle", "rect", "line", "polyline", "polygon", "use", "stop"}
# Elements whose end tag HTML lets the parser imply; everything else must be closed in order.
IMPLIED_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup", "caption"}
# Contributor markup seen raw in a page means it was not escaped.
UNESCAPED = ["<script>alert(1)", "onerror=alert(1)>", "<a href='javascript:", "<img src=x"]


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag not in self.stack:
            self.errors.append(f"</{tag}> sans ouverture (ligne {self.getpos()[0]})")
            return
        while self.stack:
            top = self.stack.pop()
            if top == tag:
                return
            if top not in IMPLIED_END:
                self.errors.append(f"<{top}> non fermé avant </{tag}> (ligne {self.getpos()[0]})")


def html_problems(text: str) -> list[str]:
    problems = []
    if not text.lstrip().lower().startswith("<!doctype html"):
        problems.append("pas de <!doctype html>")
    if not text.rstrip().endswith("</html>"):
        problems.append("ne finit pas par </html>")
    parser = _Balance()
    parser.feed(text)
    parser.close()
    left = [t for t in parser.stack if t not in IMPLIED_END]
    problems += parser.errors[:3] + ([f"non fermés : {left[:5]}"] if left else [])
    problems += [f"balise du contributeur non échappée : {m}" for m in UNESCAPED if m in text]
    return problems


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"constante {name} interdite en JSON strict")
    return json.loads(text, parse_constant=refuse)


def csv_problems(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    problems = []
    if rows and any(len(r) != len(rows[0]) for r in rows):
        problems.append("lignes de longueurs différentes")
    if not text.endswith("\r\n") and text:
        problems.append("les lignes ne finissent pas par \\r\\n")
    for row in rows[1:]:
        for cell in row:
            if FORMULA.match(cell) and not NUMBER.match(cell.strip()):
                problems.append(f"cellule lue comme une formule : {cell[:40]!r}")
    # What csv writes back from the rows it read is the same text: nothing was split or merged.
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    if rows and out.getvalue() != text:
        problems.append("le CSV ne se relit pas à l'identique (guillemets ou fins de ligne)")
    return problems


def site_problems(site: Path, frictionless: bool = True) -> dict[str, list[str]]:
    """Every problem of every output file, by path relative to the site."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(site))] = ["lien symbolique dans le site"]
            continue
        if not path.is_file():
            continue
        rel = str(path.relative_to(site))
        own = re.sub(r"^[a-z]{2,3}/(?=assets/)", "", rel)  # an edition's copy (en/assets/…) of the same files
        if own.startswith("assets/") and "/atlas/" not in own and not own.startswith("assets/cartes"):
            continue  # Material's and Leaflet's own files: not made from the content
        suffix = path.suffix
        if suffix not in (".html", ".xml", ".json", ".geojson", ".csv", ".svg", ".txt", ".js"):
            continue
        problems = []
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            found[rel] = [f"pas de l'UTF-8 : {exc}"]
            continue
        bad = FORBIDDEN.search(text)
        if bad:
            problems.append(f"caractère interdit U+{ord(bad.group()):04X} à la position {bad.start()}")
        try:
            if suffix == ".html":
                problems += html_problems(text)
            elif suffix in (".xml", ".svg"):
                ET.fromstring(text.encode("utf-8"))
            elif suffix in (".json", ".geojson"):
                _strict_json(text)
            elif suffix == ".csv":
                problems += csv_problems(text)
        except (ET.ParseError, ValueError, csv.Error) as exc:
            problems.append(f"illisible : {exc}")
        if problems:
            found[rel] = problems
    package = site / "donnees" / "datapackage.json"
    if frictionless and package.exists():
        from frictionless import validate

        report = validate(str(package))
        if not report.valid:
            found["donnees/datapackage.json (frictionless)"] = [
                f"{e.type}: {e.message}"[:200] for task in report.tasks for e in task.errors][:5] or ["invalide"]
    return found
