"""What country, theme and nature pages list, and how a collectivité page's map points to its table.

A national theme gathers more than a thousand partnerships: listed one per row with their projects,
the page weighed 2 MB. Beyond pages.LONG_LIST partnerships, these pages list each collectivité once,
by région (by département when all are in one région), with its partners there.
"""
from __future__ import annotations

import html
import re

import pytest

from atlas import pipeline, urls
from atlas.commands import synth
from atlas.config import Settings
from atlas.content.model import LOCATION_APPROX, LOCATION_COUNTRY
from atlas.site import pages
from atlas.site.templating import same_rows

ROW = re.compile(r"<tr><td><a href=\"\.\./\.\./collectivites/([^/]+)/\">[^<]*</a></td><td[^>]*>(.*?)</td><td[^>]*>(\d+)</td></tr>")


def _generate(content, monkeypatch, limit: int):
    monkeypatch.setattr(pages, "LONG_LIST", limit)
    loaded = pipeline.load(content)
    files: dict = {}
    out = pipeline.generate(loaded, Settings(png=False), files.__setitem__)
    out.images.cancel()
    return loaded.atlas, loaded.idx, files


def _section(text: str, start: str) -> str:
    """From the heading `start` to the next h2."""
    begin = text.index(start)
    end = text.find("<h2", begin + len(start))
    return text[begin:] if end < 0 else text[begin:end]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "contenu"
    synth.write(out, seed=11, collectivites=80, partnerships=240, countries=15)
    return out


def test_a_long_theme_lists_each_collectivite_once_by_region_with_its_partners_and_projects(corpus, monkeypatch):
    atlas, idx, files = _generate(corpus, monkeypatch, limit=30)
    long_themes = [k for k, ps in idx.by_theme.items() if len(ps) > 30]
    short_themes = [k for k, ps in idx.by_theme.items() if 0 < len(ps) <= 30]
    assert long_themes and short_themes  # otherwise this test proves nothing
    for key in long_themes:
        text = files[urls.page_src(urls.theme(key))]
        listing = _section(text, '<h2 id="partenariats">')
        partnerships = idx.by_theme[key]
        expected = {p.collectivite for p in partnerships}
        rows = ROW.findall(listing)
        assert sorted(slug for slug, _, _ in rows) == sorted(expected)  # each collectivité exactly once
        for slug, partners, n_projects in rows:
            mine = [p for p in partnerships if p.collectivite == slug]
            cell = html.unescape(partners)
            for p in mine:
                assert (p.partner.name if p.partner else "<em>inconnu</em>") in cell
                assert f"({atlas.countries[p.country].name})" in cell
            assert int(n_projects) == sum(1 for p in mine for proj in p.projects
                                          if key in proj.themes or key in p.themes)
        regions = {atlas.collectivites[s].region for s in expected}
        assert len(regions) > 1
        headings = re.findall(r'<h3 id="collectivites-[^"]+">([^<]+) \((\d+)\)</h3>', listing)
        assert [html.unescape(h) for h, _ in headings] == sorted(regions, key=lambda r: pages.fr.sort_key(r))
        assert sum(int(n) for _, n in headings) == len(expected)
        assert 'id="projets"' not in text  # the projects are on each collectivité's page
        assert f"{len(partnerships)} partenariats" in html.unescape(listing).replace("\u202f", "").replace("\u00a0", "")
    for key in short_themes:  # short listings keep one row per partnership, and their projects
        listing = _section(files[urls.page_src(urls.theme(key))], '<h2 id="partenariats">')
        # a row per partnership, but those the sources do not name and nothing else tells: counted below the table
        bare = [p for p in idx.by_theme[key] if not (p.partner or p.projects or p.description)]
        assert listing.count("<tr><td>") == len(idx.by_theme[key]) - len(bare)
        if bare:
            assert re.search(rf'class="atlas-non-nommes-titre">(?:Et )?{len(bare)} partenariats?', listing)
        assert not ROW.search(listing)


def test_long_country_and_nature_pages_are_regrouped_too(corpus, monkeypatch):
    atlas, idx, files = _generate(corpus, monkeypatch, limit=30)
    code = max(idx.by_country, key=lambda c: len(idx.by_country[c]))
    assert len(idx.by_country[code]) > 30
    country_page = files[urls.page_src(urls.country(code))]
    rows = ROW.findall(_section(country_page, '<h2 id="collectivites-et-partenaires">'))
    assert sorted(s for s, _, _ in rows) == sorted({p.collectivite for p in idx.by_country[code]})
    assert all(f"({atlas.countries[code].name})" not in cell for _, cell, _ in rows)  # the page is the country
    assert 'id="projets"' not in country_page
    nature_pages = [src for src in files if src.startswith("natures/")]
    assert any(ROW.search(files[src]) for src in nature_pages)


def test_a_one_region_atlas_regroups_by_departement(content_copy, monkeypatch):
    atlas, idx, files = _generate(content_copy, monkeypatch, limit=10)
    code = max(idx.by_country, key=lambda c: len(idx.by_country[c]))
    listing = _section(files[urls.page_src(urls.country(code))], '<h2 id="collectivites-et-partenaires">')
    departements = {atlas.collectivites[p.collectivite].departement for p in idx.by_country[code]}
    headings = re.findall(r'<h3 id="collectivites-[^"]+">([^<]+) \(\d+\)</h3>', listing)
    assert headings and set(headings) == {f"Département {d}" if d else "Département non renseigné" for d in departements}
    assert "par département" in listing


def test_the_real_atlas_lists_every_partnership_in_full(real_atlas):
    _atlas, idx = real_atlas
    listings = [*idx.by_country.values(), *idx.by_theme.values()]
    assert max(len(ps) for ps in listings) <= pages.LONG_LIST  # real pages keep their detailed tables


def test_a_collectivite_map_points_to_its_partners_table_instead_of_repeating_it(content_copy, monkeypatch):
    atlas, _idx, files = _generate(content_copy, monkeypatch, limit=pages.LONG_LIST)
    for slug in ("lille", "le-portel"):
        c = atlas.collectivites[slug]
        text = files[urls.page_src(urls.collectivite(slug))]
        alternative = text[text.index('<details class="atlas-texte-alternatif"'):]
        alternative = alternative[:alternative.index("</details>")]
        assert "<table" not in alternative and '<a href="#partenaires">Partenaires</a>' in alternative
        assert (f"Les {len(c.partnerships)} partenariats représentés sont ceux" if len(c.partnerships) > 1
                else "Le partenariat représenté est celui") in alternative
        table = _section(text, '<h2 id="partenaires">')
        table = table[:table.index("</table>")]
        body_rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
        rows = same_rows(c.partnerships)  # identical unnamed ones share a row that counts them
        assert len(body_rows) == len(rows) and sum(len(numbers) for _, numbers in rows) == len(c.partnerships)
        for (p, numbers), row in zip(rows, body_rows, strict=True):  # every partnership drawn is in the table
            assert all(f'id="partenariat-{n}"' in text for n in numbers)
            assert (f"({len(numbers)} partenariats)" in row) == (len(numbers) > 1)
            assert ("≈" in row) == (p.location == LOCATION_APPROX)
            assert ("(position inconnue)" in row) == (p.location == LOCATION_COUNTRY and p.partner is not None)
            assert ("<em>inconnu</em>" in row) == (p.partner is None)
    portel = atlas.collectivites["le-portel"]
    assert any(p.partner and p.location == LOCATION_COUNTRY for p in portel.partnerships)


def test_regions_typed_differently_or_with_markup_get_escaped_labels_and_distinct_anchors(content_copy, monkeypatch):
    atlas, idx, _ = _generate(content_copy, monkeypatch, limit=pages.LONG_LIST)
    slugs = list(dict.fromkeys(p.collectivite for p in idx.by_country["DE"]))[:3]
    assert len(slugs) == 3
    typed = ["Hauts-de-France", "Hauts de France", "<script>alert(1)</script>"]
    for slug, region in zip(slugs, typed, strict=True):
        path = content_copy / "collectivites" / f"{slug}.yml"
        text = path.read_text(encoding="utf-8")
        assert re.search(r"^region: .*$", text, flags=re.M)
        path.write_text(re.sub(r"^region: .*$", f"region: '{region}'", text, count=1, flags=re.M), encoding="utf-8")
    atlas, idx, files = _generate(content_copy, monkeypatch, limit=10)
    text = files[urls.page_src(urls.country("DE"))]
    listing = _section(text, '<h2 id="collectivites-et-partenaires">')
    anchors = re.findall(r'<h3 id="([^"]+)">', listing)
    assert len(anchors) == len(set(anchors)) >= 4  # the two spellings and the markup, plus the others
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert len(set(re.findall(r'\bid="([^"]+)"', text))) == len(re.findall(r'\bid="([^"]+)"', text))


def test_a_regrouped_listing_prints_a_hostile_partner_name_as_text(content_copy, monkeypatch):
    atlas, idx, _ = _generate(content_copy, monkeypatch, limit=pages.LONG_LIST)
    p = next(p for p in idx.by_country["DE"] if p.partner)
    path = content_copy / "collectivites" / f"{p.collectivite}.yml"
    text = path.read_text(encoding="utf-8")
    hostile = '<img src=x onerror=alert(1)>{{ 7*7 }}'
    assert f"nom: {p.partner.name}\n" in text
    path.write_text(text.replace(f"nom: {p.partner.name}\n", f"nom: '{hostile}'\n", 1), encoding="utf-8")
    atlas, idx, files = _generate(content_copy, monkeypatch, limit=10)
    listing = _section(files[urls.page_src(urls.country("DE"))], '<h2 id="collectivites-et-partenaires">')
    assert ROW.search(listing)  # the regrouped form
    assert "<img src=x" not in listing and "&lt;img src=x onerror=alert(1)&gt;{{ 7*7 }}" in listing
