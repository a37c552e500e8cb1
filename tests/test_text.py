"""Free text from contributors becomes paragraphs and bare http(s) links, and nothing else."""
from __future__ import annotations

from atlas.site.templating import environment, link, text_blocks, text_inline


def test_blank_lines_make_paragraphs_and_markup_stays_text():
    html = text_blocks("Premier <b>paragraphe</b>\nsuite.\n\n**Second** [x](http://a.fr)")
    assert html == ("<p>Premier &lt;b&gt;paragraphe&lt;/b&gt; suite.</p>\n"
                    '<p>**Second** [x](<a href="http://a.fr">http://a.fr</a>)</p>')


def test_only_bare_http_addresses_become_links():
    html = text_inline("Voir https://lille.fr/jumelages, ou javascript:alert(1) et data:text/html,x.")
    assert '<a href="https://lille.fr/jumelages">https://lille.fr/jumelages</a>,' in html
    assert html.count("<a ") == 1
    assert 'href="javascript' not in link("javascript:alert(1)") and "<a" not in link("javascript:alert(1)")
    assert "<a" not in link('https://x.fr/"><script>')


def test_page_templates_escape_every_value():
    env = environment()
    out = env.from_string("{{ v }}|{{ v|texte_ligne }}").render(v='<img src=x onerror="a()">')
    assert "<img" not in out and "&lt;img" in out
