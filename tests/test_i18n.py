"""The atlas's own words in every language it publishes: one catalogue per language, complete."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from atlas import i18n

ROOT = Path(__file__).resolve().parent.parent
OTHER_LANGUAGES = [lang for lang in i18n.available() if lang != i18n.SOURCE]
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)s")


def _extracted():
    return [m for m in i18n.extract() if m.id]


def test_english_is_an_available_language():
    assert "en" in OTHER_LANGUAGES


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_message_of_the_code_and_templates_has_an_entry(lang):
    """A word marked for translation (`_`, `plural`, `{% trans %}`, N_) with no entry in a
    catalogue would reach that edition in French: the catalogue must have each one, translated."""
    catalogue = i18n.catalogue(lang)
    missing = []
    for message in _extracted():
        entry = catalogue.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        if entry is None or entry.fuzzy or not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append(f"{message.id!r} ({message.locations[0][0]}:{message.locations[0][1]})")
    assert not missing, f"{len(missing)} entrée(s) sans traduction dans {i18n.catalogue_path(lang)} :\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(lang):
    wrong = []
    for entry in i18n.catalogue(lang):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(_PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if s and set(_PLACEHOLDER.findall(s)) != wanted:
                wrong.append(f"{entry.id!r} → {s!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_the_controlled_vocabulary_of_the_content_is_translated(lang):
    """Themes and zones are the atlas's own words too (content/thematiques.yml, zones.yml)."""
    catalogue = i18n.catalogue(lang)
    missing = []
    for name in ("thematiques.yml", "zones.yml"):
        for item in yaml.safe_load((ROOT / "content" / name).read_text(encoding="utf-8")):
            for key in ("libelle", "description"):
                text = item.get(key)
                entry = catalogue.get(text) if text else None
                if text and (entry is None or not entry.string):
                    missing.append(f"{name} : {text!r}")
    assert not missing, "\n".join(missing)


def test_french_says_zero_and_one_in_the_singular():
    assert i18n.plural(0, "partenariat", "partenariats") == "0 partenariat"
    assert i18n.plural(1, "partenariat", "partenariats") == "1 partenariat"
    assert i18n.plural(2, "partenariat", "partenariats") == "2 partenariats"


def test_an_edition_formats_numbers_dates_and_country_names_in_its_language():
    import datetime

    day = datetime.date(2026, 11, 23)
    assert (i18n.number(12345), i18n.date(day), i18n.country_name("SN")) == ("12\u202f345", "23 novembre 2026", "Sénégal")
    with i18n.using("en"):
        assert (i18n.number(12345), i18n.date(day), i18n.country_name("SN")) == ("12,345", "November 23, 2026", "Senegal")
        assert i18n.years(1963, None) == "since 1963"
    assert i18n.years(1963, None) == "depuis 1963"  # the block's language ends with it


@given(st.one_of(st.integers(-10**12, 10**12), st.floats(-1e9, 1e9, allow_nan=False)))
def test_a_number_reads_back_as_itself_in_every_language(value):
    for lang in i18n.available():
        with i18n.using(lang):
            text = i18n.number(value)
        group, decimal = ("\u202f", ",") if lang == "fr" else (",", ".")
        assert abs(float(text.replace(group, "").replace(decimal, ".").replace("\u2212", "-")) - value) <= 0.05 + 1e-9 * abs(value)


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_the_navigation_and_the_site_name_of_mkdocs_yml_are_translated(lang):
    """The editions' menus and header come from mkdocs.yml's French titles (editions.configure)."""
    from atlas.config import _read_mkdocs_yml

    config = _read_mkdocs_yml(ROOT / "mkdocs.yml")
    titles = [config["site_name"], config["site_description"]]

    def walk(items):
        for item in items:
            if isinstance(item, dict):
                title, value = next(iter(item.items()))
                titles.append(title)
                if isinstance(value, list):
                    walk(value)

    walk(config["nav"])
    catalogue = i18n.catalogue(lang)
    missing = [t for t in titles if t != "Contribuer" and (catalogue.get(t) is None or not catalogue.get(t).string)]
    assert not missing, missing


def _entries(text: str):
    """(msgctxt, msgid) of each entry of a .po file, continuation lines joined."""
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield fields.get("msgctxt"), fields["msgid"]


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_no_message_is_twice_in_a_catalogue(lang):
    """Babel keeps one of two entries with one msgid without a word: the other, perhaps the better
    translation, would be silently ignored (branches appending to one catalogue can do that)."""
    seen, twice = set(), []
    for key in _entries(i18n.catalogue_path(lang).read_text(encoding="utf-8")):
        if key in seen:
            twice.append(key[1])
        seen.add(key)
    assert not twice, twice


@given(st.text(max_size=200))
def test_a_typed_text_reaches_an_english_page_as_text_whatever_it_holds(text):
    """The free-text and code filters add markup of their own only (lang span/div, code): whatever a
    file holds (tags, quotes, an ampersand, a fake key) is escaped, in both editions."""
    from markupsafe import escape

    from atlas.site.templating import codes, free_blocks, free_inline

    class Record:
        description = text + " <script>alert(1)</script>"
        traductions = {"en": {}}

    with i18n.using("en"):
        for html in (str(free_blocks(Record, "description")), str(free_inline(Record, "description")),
                     str(codes(Record.description, ["jumelage", "<b>"]))):
            assert "<script>" not in html
            stripped = re.sub(r'</?(?:p|code|span lang="fr"|div lang="fr"|span|div|a href="[^"]*")>', "", html)
            assert "<" not in stripped.replace(str(escape("<")), "")
