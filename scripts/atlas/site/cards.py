"""Tables that fit a phone: each data cell of a generated page's tables carries its column's name
(`data-label`), so that on a narrow screen atlas.css shows every row as a card (« Nature : Jumelage »)
instead of a table scrolling sideways. Wide screens keep the table; screen readers keep the table's
semantics, the labels being CSS-generated text only on phones.

Runs on the HTML of the atlas's own templates (their tables are regular: one header row, no merged
cells), never on contributor markup: what a contributor typed is escaped text by then, and a `<td`
can only come from a template.
"""
from __future__ import annotations

import html
import re

_TABLE = re.compile(r"<table(?P<attrs>[^>]*)>(?P<body>.*?)</table>", re.S)
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
_HEADER = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<(td|th)\b")
_TAG = re.compile(r"<[^>]+>")
# Tables kept as they are: the statistics' bars already fit (label, number, bar).
_KEEP = ("atlas-barres",)


def _label(header: str) -> str:
    text = " ".join(html.unescape(_TAG.sub("", header)).split())
    return html.escape(text, quote=True)


def _labelled_row(row: str, labels: list[str]) -> str:
    out, column, pos = [], 0, 0
    for match in _CELL.finditer(row):
        out.append(row[pos:match.end()])
        pos = match.end()
        if match.group(1) == "td" and column < len(labels) and labels[column]:
            out.append(f' data-label="{labels[column]}"')
        column += 1
    out.append(row[pos:])
    return "".join(out)


def _table(match: re.Match) -> str:
    attrs, body = match.group("attrs"), match.group("body")
    head = _HEAD.search(body)
    if head is None or any(name in attrs for name in _KEEP):
        return match.group(0)
    labels = [_label(h) for h in _HEADER.findall(head.group(1))]
    if len(labels) < 2:
        return match.group(0)
    labels[0] = ""  # the first cell names the row (a collectivité, a partner): no label before it
    tail = body[head.end():]
    tail = _ROW.sub(lambda r: r.group(0).replace(r.group(1), _labelled_row(r.group(1), labels), 1), tail)
    return f"<table{attrs} data-cartes>{body[:head.end()]}{tail}</table>"


# Inline code holding a path (« scripts/atlas/schemas/collectivite.schema.json »): a line may break
# after each « / » rather than inside a name. Code blocks hold markup inside <code>: never matched.
_PATH_CODE = re.compile(r"<code>([^<]*/[^<]*)</code>")


def label_cells(page: str) -> str:
    """The page with each table's data cells labelled by their column (see the module's docstring),
    and paths in inline code breakable after their slashes."""
    if "<table" in page:
        page = _TABLE.sub(_table, page)
    return _PATH_CODE.sub(lambda m: "<code>" + m.group(1).replace("/", "/<wbr>") + "</code>", page)
