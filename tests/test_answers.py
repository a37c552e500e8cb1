"""Issue 26, « the answer first », read in the built site's HTML: a collectivité's partners in a
compact list by country under its title; no table column empty on every row; no two identical rows."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from atlas import urls


class _Tables(HTMLParser):
    """Each table of a page as rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return [t for t in parser.tables if len(t) > 1]


def _partner_tables(site, rel: str) -> list:
    html = (site / rel / "index.html").read_text(encoding="utf-8")
    return [t for t in _tables(html) if "Partenaire" in t[0] and "Nature" in t[0]]


def test_no_partners_table_has_a_column_empty_on_every_row(built_site):
    checked = 0
    for page in sorted(built_site.glob("*/*/index.html")):
        rel = page.parent.relative_to(built_site).as_posix()
        for table in _partner_tables(built_site, rel):
            header, rows = table[0], table[1:]
            for i, name in enumerate(header):
                cells = [r[i] for r in rows if i < len(r)]
                assert any(cell and cell != "Non précisé" for cell in cells), f"{rel} : colonne « {name} » vide partout"
            checked += 1
    assert checked > 50


def test_no_partners_table_repeats_a_row(built_site):
    for page in sorted(built_site.glob("*/*/index.html")):
        rel = page.parent.relative_to(built_site).as_posix()
        for table in _partner_tables(built_site, rel):
            rows = [tuple(r) for r in table[1:]]
            repeated = {r for r in rows if rows.count(r) > 1}
            assert not repeated, f"{rel} : lignes identiques {sorted(repeated)[:2]}"


def test_identical_unnamed_partnerships_become_one_row_that_counts_them_and_keeps_each_anchor(built_site, real_atlas):
    atlas, _ = real_atlas
    found = 0
    for c in atlas.collectivites.values():
        unnamed = [p for p in c.partnerships if not (p.partner or p.projects or p.description)]
        keys = [(p.country, p.nature, p.status, p.since, p.until, tuple(p.themes), p.location) for p in unnamed]
        if len(set(keys)) == len(keys):
            continue
        found += 1
        html = (built_site / "collectivites" / c.slug / "index.html").read_text(encoding="utf-8")
        for p in unnamed:
            assert f'id="partenariat-{p.number}"' in html  # links from maps and other pages still land
        assert re.search(r"<em>inconnu</em> \(\d+ partenariats\)", html)
    assert found  # the real content has such a collectivité (Tourcoing, three in Germany)


@pytest.mark.parametrize("slug", ["lille", "tourcoing"])
def test_the_answer_comes_before_the_map_and_the_details(built_site, slug):
    html = (built_site / "collectivites" / slug / "index.html").read_text(encoding="utf-8")
    positions = [html.find(marker) for marker in ('class="atlas-en-bref"', 'id="carte"', 'id="fiche"', 'id="partenaires"')]
    assert all(p > 0 for p in positions) and positions == sorted(positions)


def test_statistics_say_undated_partnerships_in_a_sentence_not_as_a_bar(built_site, real_atlas):
    atlas, _ = real_atlas
    html = (built_site / "statistiques" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="par-decennie-de-creation"'):html.index('id="par-pays"')]
    undated = sum(1 for p in atlas.partnerships if not p.since)
    assert "inconnue" not in section
    assert f"sur {len(atlas.partnerships)} : les sources ne datent pas les {undated} autres" in section
    dated = {p.since // 10 * 10 for p in atlas.partnerships if p.since}
    assert all(f"années {d}" in section for d in dated)


def test_published_figures_do_not_repeat_the_year_their_label_already_gives(built_site):
    html = (built_site / "statistiques" / "index.html").read_text(encoding="utf-8")
    head = html[html.index('id="publies-par-pays"'):]
    head = head[head.index("<thead>"):head.index("</thead>")]
    for cell in re.findall(r'<th scope="col">([^<]*)</th>', head):
        years = re.findall(r"\b(?:19|20)\d\d\b", cell)
        assert len(years) == len(set(years)), cell


@pytest.mark.parametrize("kind", ["pays", "thematiques"])
def test_partners_the_sources_do_not_name_are_one_line_per_nature_not_one_row_each(built_site, real_atlas, kind):
    """On a page listing several collectivités (a country, a theme), every partnership whose partner
    is unknown and that has nothing else to show is counted in the line under the table and linked;
    the table keeps an « inconnu » row only for one with projects or a description."""
    atlas, idx = real_atlas
    by_page = ({urls.country(k): v for k, v in idx.by_country.items()} if kind == "pays"
               else {urls.theme(k): v for k, v in idx.by_theme.items()})
    checked = 0
    for url, partnerships in by_page.items():
        html = (built_site / url / "index.html").read_text(encoding="utf-8")
        bare = [p for p in partnerships if not (p.partner or p.projects or p.description)]
        told = [p for p in partnerships if not p.partner and (p.projects or p.description)]
        rows = [r for t in _partner_tables(built_site, url.rstrip("/")) for r in t[1:] if "inconnu" in r]
        assert len(rows) == len(told), url
        said = re.search(r'class="atlas-non-nommes-titre">(?:Et )?(\d+) partenariats?', html)
        assert (int(said.group(1)) if said else 0) == len(bare), url
        for p in bare:
            assert f'{urls.collectivite(p.collectivite)}#partenariat-' in html
        checked += bool(bare)
    assert checked or kind == "thematiques"  # the real content names every themed partner or tells its projects
