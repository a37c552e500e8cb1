"""A file's own texts in other languages (« description_en » beside « description »): checked as the
French text, refused in French at their line when they are wrong, and shown by the English edition.

The texts here are test fixtures: no real content file is given an English text it does not have.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atlas import i18n
from atlas.content import checkcache, checker, records, schema
from atlas.site import exports, reference, templating

# A fiche with every free text that may be given in English.
FICHE = """\
nom: Quelquepart
type: commune
departement: "59"
engagement: Jumelée avec Leeds ; échanges scolaires.
engagement_en: Twinned with Leeds; school exchanges.
organisation:
  - forme: comite-de-jumelage
    precision: Comité de jumelage de Quelquepart
    precision_en: Quelquepart twinning committee
    sources: [actes-colloque-lianes-2009]
sources: [actes-colloque-lianes-2009]
partenariats:
  - partenaire: {nom: Leeds}
    pays: GB
    nature: jumelage
    description: Échanges entre écoles.
    description_en: Exchanges between schools.
    projets:
      - titre: Échanges scolaires
        titre_en: School exchanges
        description: Deux classes par an.
        description_en: Two classes a year.
        sources: [actes-colloque-lianes-2009]
    sources: [actes-colloque-lianes-2009]
"""


def _line(text: str, fragment: str) -> int:
    """The line of `text` where `fragment` first is."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


DESCRIPTION_EN_LINE = _line(FICHE, "description_en: Exchanges")  # the partnership's


def _check(content: Path, text: str, name: str = "quelquepart.yml") -> checker.Report:
    path = content / "collectivites" / name
    path.write_bytes(text.encode("utf-8"))
    return checker.check(content, only=path)


def _errors(report: checker.Report) -> list[tuple[int, str, str, str]]:
    return [(p.line, p.message, p.hint, p.rule) for p in report.errors]


def _with_description_en(value: str) -> str:
    return FICHE.replace("    description_en: Exchanges between schools.", f"    description_en: {value}")


def test_a_fiche_with_its_english_texts_is_accepted_and_its_records_carry_them(content_copy):
    report = _check(content_copy, FICHE)
    assert report.ok, [p.format() for p in report.problems]
    report = checker.check(content_copy)
    c = records.build_atlas(report).collectivites["quelquepart"]
    assert c.traductions == {"en": {"engagement": "Twinned with Leeds; school exchanges."}}
    assert c.organisation[0].traductions == {"en": {"detail": "Quelquepart twinning committee"}}
    p = c.partnerships[0]
    assert p.traductions == {"en": {"description": "Exchanges between schools."}}
    assert p.projects[0].traductions == {"en": {"title": "School exchanges", "description": "Two classes a year."}}
    # the records of a fiche without other-language texts have none (nearly all of them)
    assert all(not other.traductions for slug, other in records.build_atlas(report).collectivites.items() if slug != "quelquepart")


def test_the_english_edition_shows_the_files_own_english_text_and_the_french_one_marked_otherwise(content_copy):
    assert _check(content_copy, FICHE.replace("        description_en: Two classes a year.\n", "")).ok
    c = records.build_atlas(checker.check(content_copy)).collectivites["quelquepart"]
    project = c.partnerships[0].projects[0]
    assert str(templating.free_blocks(c, "engagement")) == "<p>Jumelée avec Leeds ; échanges scolaires.</p>"
    with i18n.using("en"):
        assert str(templating.free_blocks(c, "engagement")) == "<p>Twinned with Leeds; school exchanges.</p>"
        assert str(templating.free_inline(project, "title")) == "School exchanges"
        assert str(templating.free_blocks(project, "description")) == '<div lang="fr"><p>Deux classes par an.</p></div>'


def test_html_in_an_english_text_is_accepted_as_text_and_never_reaches_a_page_as_markup(content_copy):
    report = _check(content_copy, _with_description_en('"<script>alert(1)</script> <b>gras</b>"'))
    assert report.ok
    p = records.build_atlas(checker.check(content_copy)).collectivites["quelquepart"].partnerships[0]
    with i18n.using("en"):
        shown = str(templating.free_blocks(p, "description"))
    assert "<script" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;" in shown


# value typed after « description_en: » → (rule, words of the French message, words of its hint)
HOSTILE = {
    "bidi-escape": ('"Exchanges\\u202e between schools"', "yaml.lecture", "U+202E", "retirez-le"),
    "control-escape": ('"Exchanges\\x1b[31m"', "yaml.lecture", "U+001B", "retirez-le"),
    "nul-escape": ('"a\\0b"', "yaml.lecture", "U+0000", "retirez-le"),
    "list": ("[Exchanges, schools]", "schema.type", "« description_en » attend un texte", "guillemets"),
    "number": ("12", "schema.type", "« description_en » doit être écrit entre guillemets", 'description_en: "12"'),
    "mapping": ("{text: Exchanges}", "schema.type", "« description_en » attend un texte", "guillemets"),
    "empty": ("", "schema.type", "« description_en » est vide", "retirez la ligne"),
    "huge": ("x" * 2001, "schema.maxLength", "« description_en » fait 2001 caractères : la limite est de 2000", "raccourcissez"),
    "tag": ("!!python/object:os.system echo", "yaml.lecture", "étiquette YAML « !!python/object:os.system » refusée", "retirez"),
    "anchor": ("&texte Exchanges", "yaml.lecture", "ancre YAML « &texte » refusée", "retirez"),
    "alias": ("*texte", "yaml.lecture", "référence YAML « *texte » refusée", "recopiez"),
    "yes-no": ("yes", "yaml.lecture", "serait lu par YAML comme oui/non", "guillemets"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_english_text_is_refused_in_french_at_its_line(content_copy, case):
    value, rule, message, hint = HOSTILE[case]
    errors = _errors(_check(content_copy, _with_description_en(value)))
    assert len(errors) == 1, errors
    line, said, advice, found = errors[0]
    assert (line, found) == (DESCRIPTION_EN_LINE, rule) and message in said and hint in advice, errors[0]


def test_a_raw_control_character_in_an_english_text_is_refused_at_its_line(content_copy):
    errors = _errors(_check(content_copy, _with_description_en("Exchanges\x1b between\u202eschools")))
    assert [(line, rule) for line, _, _, rule in errors] == [(DESCRIPTION_EN_LINE, "yaml.lecture")]
    assert "U+001B" in errors[0][1] and "\x1b" not in errors[0][1]  # named, never printed


def test_an_english_title_holds_on_one_line_as_the_french_one(content_copy):
    errors = _errors(_check(content_copy, FICHE.replace("titre_en: School exchanges", 'titre_en: "School\\nexchanges"')))
    assert [(line, rule) for line, _, _, rule in errors] == [(_line(FICHE, "titre_en"), "yaml.lecture")]
    assert "saut de ligne dans « titre_en »" in errors[0][1]
    errors = _errors(_check(content_copy, FICHE.replace("titre_en: School exchanges", "titre_en: S")))
    assert errors == [(_line(FICHE, "titre_en"), "« titre_en » trop court : « S »", "écrivez-le en entier (au moins 2 caractères)", "schema.minLength")]


def test_a_language_the_atlas_does_not_publish_is_refused_with_the_ones_it_does(content_copy):
    text = FICHE.replace("    description_en: Exchanges between schools.",
                         "    description_de: Austausch zwischen Schulen.\n    description_xx: Text.\n    description_fr: Doublon.")
    errors = _errors(_check(content_copy, text))
    first = _line(text, "description_de")
    assert [(line, rule) for line, _, _, rule in errors] == [(first, "texte.langue-non-publiee"), (first + 1, "texte.langue-non-publiee"),
                                                             (first + 2, "texte.langue-non-publiee")]
    (_, german, hint, _), (_, unknown, _, _), (_, french, french_hint, _) = errors
    assert german == "« description_de » : l'atlas n'est pas publié en allemand (« de »)"
    assert "description_en (anglais)" in hint
    assert unknown == "« description_xx » : « xx » n'est pas une langue de l'atlas"
    assert "le texte français s'écrit dans « description »" in french and "renommez la clé en « description »" in french_hint


def test_an_english_text_without_its_french_text_is_refused(content_copy):
    errors = _errors(_check(content_copy, FICHE.replace("    description: Échanges entre écoles.\n", "")))
    assert errors == [(DESCRIPTION_EN_LINE - 1, "« description_en » sans « description » : le texte en anglais accompagne le texte français, absent ici",
                       "écrivez d'abord le texte français dans « description: » (le site français le montre, et l'édition en "
                       "anglais à défaut de traduction), puis gardez « description_en: » en dessous",
                       "texte.traduction-sans-original")]
    errors = _errors(_check(content_copy, FICHE.replace("engagement: Jumelée avec Leeds ; échanges scolaires.", 'engagement: "  "')))
    assert [(line, rule) for line, _, _, rule in errors] == [(_line(FICHE, "engagement_en"), "texte.traduction-sans-original")]


def test_a_mistyped_language_key_or_a_translated_name_is_told_what_to_write(content_copy):
    text = FICHE.replace("description_en: Exchanges", "Description-EN: Exchanges").replace(
        "partenaire: {nom: Leeds}", "partenaire: {nom: Leeds, nom_en: Leeds}")
    errors = _errors(_check(content_copy, text))
    assert [(line, message) for line, message, _, _ in errors] == [(_line(text, "nom_en"), "clé inconnue « nom_en »"),
                                                                    (_line(text, "Description-EN"), "clé inconnue « Description-EN »")]
    assert "les noms, clés et codes s'écrivent tels quels" in errors[0][2]
    assert errors[1][2] == "écrivez la clé en minuscules, avec un tiret bas : description_en"
    # a key the block has no text for: the ones it has
    errors = _errors(_check(content_copy, FICHE.replace("    description_en: Exchanges between schools.", "    titre_en: Twinning")))
    assert errors[0][:2] == (DESCRIPTION_EN_LINE, "clé inconnue « titre_en »") and "ici : description_en" in errors[0][2]


def test_the_controlled_lists_take_english_descriptions_except_the_atlas_s_own_vocabulary(content_copy):
    sources = content_copy / "sources.yml"
    text = sources.read_text(encoding="utf-8")
    first = re.search(r"^  description: .*$", text, re.M)
    sources.write_text(text[:first.end()] + "\n  description_en: A manifesto." + text[first.end():], encoding="utf-8")
    themes = content_copy / "thematiques.yml"
    themes.write_text(themes.read_text(encoding="utf-8").replace(
        "  description: Accès à l'eau potable", "  description_en: Water.\n  description: Accès à l'eau potable", 1), encoding="utf-8")
    report = checker.check(content_copy)
    found = [(Path(p.path).name, p.line, p.rule) for p in report.errors]
    assert found == [("thematiques.yml", _line(themes.read_text(encoding="utf-8"), "description_en"), "texte.traduction-du-vocabulaire")], found
    assert "scripts/atlas/locales/en/LC_MESSAGES/atlas.po" in report.errors[0].hint
    atlas = records.build_atlas(report)
    assert atlas.sources["manifeste-collectivites-npdc-2012"].traductions == {"en": {"description": "A manifesto."}}


def test_a_new_source_of_a_fiche_is_held_to_the_same_rules(content_copy):
    text = FICHE.replace("sources: [actes-colloque-lianes-2009]\npartenariats:", """\
nouvelles_sources:
  - cle: deliberation-quelquepart-2019
    titre: Délibération
    description: Délibération sur le jumelage.
    description_de: Beschluss.
sources: [actes-colloque-lianes-2009, deliberation-quelquepart-2019]
partenariats:""")
    errors = _errors(_check(content_copy, text))
    assert [(line, rule) for line, _, _, rule in errors] == [(_line(text, "description_de"), "texte.langue-non-publiee")]


def test_a_country_file_takes_an_english_introduction(content_copy):
    senegal = content_copy / "pays" / "sn.yml"
    senegal.write_text(senegal.read_text(encoding="utf-8").replace(
        "sources:\n", "introduction_en: Senegal leads the partnerships listed in 2009.\nsources:\n", 1), encoding="utf-8")
    report = checker.check(content_copy)
    assert report.ok, [p.format() for p in report.errors]
    assert records.build_atlas(report).countries["SN"].traductions["en"]["introduction"].startswith("Senegal leads")


def _pattern_properties(node, found: list) -> list:
    """(block, pattern, its schema) of every patternProperties of a schema."""
    if isinstance(node, dict):
        found += [(node, pattern, sub) for pattern, sub in node.get("patternProperties", {}).items()]
        for value in node.values():
            _pattern_properties(value, found)
    elif isinstance(node, list):
        for value in node:
            _pattern_properties(value, found)
    return found


def test_every_other_language_text_is_checked_exactly_as_its_french_field():
    """The schemas give each translatable field a pattern « <field>_<lang> » whose checks are the field's own."""
    checks = ("type", "minLength", "maxLength", "pattern")
    found = [(name, *t) for name in schema.SCHEMA_FILES for t in _pattern_properties(schema.load(name), [])]
    for name, block, pattern, sub in found:
        field = re.fullmatch(r"\^([a-z]+)_\[a-z\]\{2,3\}\$", pattern).group(1)
        french = block["properties"][field]
        assert {k: sub.get(k) for k in checks} == {k: french.get(k) for k in checks}, (name, pattern)
        assert field in records.TRANSLATED
    # engagement, precision, partnership and project description, project title, introduction, list description
    assert len(found) == 7


def test_the_check_cache_is_keyed_by_the_languages_the_atlas_publishes():
    """A catalogue added (a new language) makes « description_de » acceptable: no result kept from before is reused."""
    assert checkcache.code_version().endswith(":" + ",".join(i18n.available()))


def test_the_field_reference_documents_each_english_text_beside_its_french_field():
    fields = {f.title: f for f in reference.fields()}
    for title in ("engagement_en", "organisation › precision_en", "partenariats › description_en",
                  "partenariats › projets › titre_en", "partenariats › projets › description_en"):
        f = fields[title]
        assert not f.required and "en anglais" in f.description and f.examples, title
        french = f.path[-1].removesuffix("_en")
        assert re.search(rf"^\s*-? *{french}: .*\n\s*{f.path[-1]}: ", f.examples[0], re.M), f.examples[0]
    order = list(fields)
    assert order.index("partenariats › description_en") == order.index("partenariats › description") + 1
    assert "[partenariats › description_en](#champ-partenariats-description-en)" in reference.render(None)


def test_the_json_export_carries_the_english_texts_under_the_keys_of_the_files(content_copy):
    from atlas.content import index

    _check(content_copy, FICHE)
    atlas = records.build_atlas(checker.check(content_copy))
    data = exports.to_json(atlas, index.build(atlas))
    c = next(c for c in data["collectivites"] if c["slug"] == "quelquepart")
    assert c["engagement_en"] == "Twinned with Leeds; school exchanges."
    assert c["organisation"][0]["precision_en"] == "Quelquepart twinning committee"
    p = c["partenariats"][0]
    assert p["description_en"] == "Exchanges between schools." and p["description"] == "Échanges entre écoles."
    assert p["projets"][0]["titre_en"] == "School exchanges" and p["projets"][0]["description_en"] == "Two classes a year."
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    others = [x for x in data["collectivites"] if x["slug"] != "quelquepart"]
    assert not any(k.endswith("_en") for x in others for k in x)  # nothing invented for the files without
