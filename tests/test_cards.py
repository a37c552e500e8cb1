"""site/cards.py: each data cell says its column, for the phone's cards; nothing else changes."""
from __future__ import annotations

from atlas.site import cards


def test_each_data_cell_gets_its_column_name_and_the_first_names_the_row():
    page = ('<table><thead><tr><th scope="col">Collectivité</th><th scope="col">Nature</th><th scope="col">Années</th></tr></thead>'
            "<tbody><tr><td>Lille</td><td>Jumelage</td><td>depuis 1963</td></tr>"
            "<tr><td>Arras</td><td>Partenariat</td><td></td></tr></tbody></table>")
    out = cards.label_cells(page)
    assert out.startswith("<table data-cartes>")
    assert '<td>Lille</td><td data-label="Nature">Jumelage</td><td data-label="Années">depuis 1963</td>' in out
    assert '<td>Arras</td><td data-label="Nature">Partenariat</td><td data-label="Années"></td>' in out


def test_a_header_with_markup_or_quotes_becomes_an_escaped_label():
    page = ('<table><thead><tr><th>A</th><th><span class="x">Chiffre « publié » "2009" &amp; co</span></th></tr></thead>'
            "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>")
    out = cards.label_cells(page)
    assert 'data-label="Chiffre « publié » &quot;2009&quot; &amp; co"' in out


def test_tables_without_header_or_kept_as_bars_and_escaped_text_are_left_alone():
    bars = '<table class="atlas-barres"><thead><tr><th>Zone</th><th>N</th></tr></thead><tbody><tr><th scope="row">Europe</th><td>3</td></tr></tbody></table>'
    bare = "<table><tr><td>a</td><td>b</td></tr></table>"
    typed = "<p>&lt;table&gt;&lt;thead&gt;&lt;td&gt; typed by a contributor</p>"
    for page in (bars, bare, typed):
        assert cards.label_cells(page) == page


def test_a_path_in_inline_code_may_break_after_its_slashes_but_a_code_block_is_untouched():
    assert cards.label_cells("<p><code>content/collectivites/lille.yml</code></p>") == \
        "<p><code>content/<wbr>collectivites/<wbr>lille.yml</code></p>"
    block = '<pre><span></span><code><span class="l">a/b</span>\n</code></pre>'
    assert cards.label_cells(block) == block
