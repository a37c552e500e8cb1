"""`atlas depuis-formulaire`: an « Ajouter ma collectivité » issue, as GitHub renders its body,
becomes a fiche and a source that the checker reads, without anything of the body being run.

The bodies in tests/formulaires/ are what GitHub writes for an issue form: « ### Question »
headings, `_No response_` for a skipped question, ticked boxes as `- [X]`, CRLF line endings.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.commands import fromform, replies
from atlas.content import countries, yamlio

REPO = Path(__file__).resolve().parents[1]
BODIES = Path(__file__).parent / "formulaires"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    form = tmp_path / fromform.FORM
    form.parent.mkdir(parents=True)
    shutil.copyfile(REPO / fromform.FORM, form)
    return tmp_path


def convert(repo: Path, body: str, ticket: int = 42) -> tuple[subprocess.CompletedProcess, str]:
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "depuis-formulaire", str(BODIES / body),
                             "--ticket", str(ticket), "--rapport", "rapport.md", "--rapport-equipe", "equipe.md"],
                            cwd=repo, capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    report = (repo / "rapport.md").read_text(encoding="utf-8")
    return result, report


def check(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "atlas.cli", "check"], cwd=repo, capture_output=True, text=True, timeout=120)


def fiche(repo: Path, slug: str) -> dict:
    return yamlio.read(repo / "content" / "collectivites" / f"{slug}.yml").data


def test_the_converter_knows_every_question_of_the_form_by_its_heading():
    fields = fromform.form_fields(REPO)
    assert {"nom", "type", "code", "departement", "partenariats", "organisation", "sources"} <= set(fields.values())


def test_a_complete_form_becomes_a_fiche_and_a_source_that_pass_the_check(repo):
    result, report = convert(repo, "complet.md")
    assert result.returncode == 0, report
    data = fiche(repo, "quelquepart")
    key = "formulaire-quelquepart-42"
    assert data["nom"] == "Quelquepart" and data["alias"] == ["Ville de Quelquepart"]  # a commune: its bare name
    assert (data["type"], data["code"], data["departement"]) == ("commune", "59999", "59")
    by_country = {p["pays"]: p for p in data["partenariats"]}
    assert set(by_country) == {"SN", "DE", "MA"}
    # the position comes from the offline gazetteer (GeoNames), marked approximate, and the reply says so
    assert by_country["SN"]["partenaire"] == {"nom": "Saint-Louis",
                                              "coordonnees": {"lat": 16.0179, "lon": -16.4896, "approximatif": True}}
    assert (by_country["SN"]["nature"], by_country["SN"]["statut"], by_country["SN"]["depuis"]) == \
        ("cooperation-decentralisee", "actif", 1998)
    assert by_country["SN"]["thematiques"] == ["eau-assainissement", "education-jeunesse"]
    assert by_country["DE"]["partenaire"] == "inconnu"  # only the country was given
    assert [o["forme"] for o in data["organisation"]] == ["elu-delegue", "comite-de-jumelage"]
    cited = {s for p in data["partenariats"] for s in p["sources"]} | set(data["sources"])
    assert cited == {key}
    sources = yamlio.read(repo / "content" / "sources.yml").data
    entry = next(s for s in sources if s["cle"] == key)
    assert entry["site_web"].startswith("https://www.quelquepart.fr/") and entry["date"] == 2019
    assert check(repo).returncode == 0
    assert "ne signale aucune erreur" in report and "Question « Partenariats », ligne 2 : nature non précisée" in report
    assert "position de Saint-Louis proposée d'après GeoNames" in report
    assert "59999 n'est ni un code INSEE ni un code postal connu" in report


def test_skipped_questions_country_only_lines_and_windows_line_ends_are_read(repo):
    result, report = convert(repo, "pays-seulement-crlf.md", ticket=7)
    assert result.returncode == 0, report
    data = fiche(repo, "communaute-de-communes-du-pays-de-quelquepart")
    assert data["type"] == "intercommunalite" and "code" not in data  # « _No response_ » is no answer
    assert [(p["partenaire"], p["pays"]) for p in data["partenariats"]] == [("inconnu", "BF")]
    assert "Question « Partenariats », ligne 2 (« un village du Mali ») : aucun pays reconnu" in report
    assert check(repo).returncode == 0


def test_hostile_answers_stay_plain_text_and_the_check_says_what_is_wrong(repo):
    before = {p for p in (repo / "content").rglob("*")}
    result, report = convert(repo, "hostile.md", ticket=9)
    assert result.returncode == 1  # written, and the check has something to say
    created = {p for p in (repo / "content").rglob("*")} - before
    assert len(created) == 1 and created.pop().parent.name == "collectivites"
    path = next((repo / "content" / "collectivites").glob("quelquepart-*.yml"))
    data = yamlio.read(path).data  # no anchor, alias or tag survived: the dumper quoted them
    assert data["nom"].startswith("Quelquepart <script>alert(1)</script> {{ cycler.")
    assert data["code"] == "!!python/object/apply:os.system['id']"
    # not a département: left empty, and the reply quotes what was typed (escaped) and asks for the number
    assert data["departement"] is None
    assert "Question « Département » : « &#38;a &#91;&#42;a, &#42;a&#93; » n'est pas un département connu" in report
    assert data["partenariats"][0]["partenaire"] == {"nom": "<img src=x onerror=alert(1)>"}
    assert data["partenariats"][1]["pays"] == "NO"
    notes = report.split("```")[0]
    assert "<" not in notes.replace("&lt;", "") and "[lien]" not in notes and "@" not in notes
    team = (repo / "equipe.md").read_text(encoding="utf-8")  # the proposal: the checker's own lines
    assert "n'est pas un code valide" in team and ".yml:" in team
    assert ".yml:" not in report and "point(s) à compléter" in report  # the person: about the form, no file lines


def test_a_form_for_a_collectivite_already_in_the_atlas_writes_nothing_and_says_where_it_is(repo, tmp_path):
    body = tmp_path / "lille.md"
    body.write_text((BODIES / "complet.md").read_text(encoding="utf-8").replace("Ville de Quelquepart", "Ville de Lille"),
                    encoding="utf-8")
    sources = (repo / "content" / "sources.yml").read_text(encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "depuis-formulaire", str(body), "--ticket", "3"],
                            cwd=repo, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "une fiche existe déjà pour cette collectivité : content/collectivites/lille.yml" in result.stdout
    assert (repo / "content" / "sources.yml").read_text(encoding="utf-8") == sources


def test_a_form_without_a_name_writes_nothing(repo, tmp_path):
    body = tmp_path / "sans-nom.md"
    body.write_text("### Nom officiel de la collectivité\n\n_No response_\n\n### Sources\n\nrapport\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "depuis-formulaire", str(body), "--ticket", "4"],
                            cwd=repo, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "le nom de la collectivité manque" in result.stdout
    assert not list((repo / "content" / "collectivites").glob("*-4.yml"))


def test_a_60_kb_answer_makes_few_fuzzy_country_lookups(monkeypatch):
    """The converter was linear but slow (a fuzzy search of 13 ms per comma-separated piece: 104 s
    of CPU for 62 KB): now only a piece that could be a country's French name is looked up."""
    import random

    from atlas.content import checker

    rng = random.Random(7)
    lines = [", ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyzé") for _ in range(rng.randint(4, 9)))
                       for _ in range(rng.randint(1, 300))) for _ in range(200)]
    text = "\n".join(lines)[:60_000]
    pieces = text.count(",") + text.count("\n") + 1
    looked_up = []
    real = countries.guess_code
    monkeypatch.setattr(countries, "guess_code", lambda t: looked_up.append(t) or real(t))
    answers = {"nom": "Ville de Quelquepart", "type": "Commune", "departement": "59", "partenariats": text,
               "sources": "Délibération, 2019"}
    fromform.convert(answers, 42, REPO / "content", checker.check_lists(REPO / "content"))
    assert len(looked_up) <= pieces // 20, (len(looked_up), pieces)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from("@#:./<>[]`*_|\\~&")), max_size=60)
       .map(lambda t: t + " Closes #1 @octocat https://x.org www.x.org [a](b) <img src=x> #12"))
def test_text_quoted_from_the_ticket_cannot_mention_link_close_or_inject(text):
    shown = replies.markdown_text(text)
    bare = re.sub(r"&#\d+;", "\0", shown)  # the character references themselves aside
    assert not re.search(r"@\w", bare)  # no mention
    assert "#" not in bare  # no issue reference, so no closing keyword either
    assert "://" not in bare and "www." not in bare.lower()  # no autolink
    assert not re.search(r"[<>\[\]`]", bare)  # no HTML, no Markdown link, no code span
    assert html.unescape(shown) == text  # and what was typed is what is shown


def _converted(partenariats: str, **answers):
    from atlas.content import checker

    base = {"nom": "Ville de Quelquepart", "type": "Commune", "departement": "59",
            "sources": "Délibération du conseil municipal du 12 mars 2019", "partenariats": partenariats}
    conversion = fromform.convert({**base, **answers}, 42, REPO / "content", checker.check_lists(REPO / "content"))
    return yaml.safe_load(conversion.fiche), yaml.safe_load(conversion.source_entry)[0], conversion.notes


@pytest.mark.parametrize("typed, partner, said", [
    ("\t“Rydułtowy”, Pologne, jumelage", "Rydułtowy", "guillemets"),
    ("• Kaya, Burkina Faso, jumelage", "Kaya", "puces"),
    ("1. Tétouan, Maroc, jumelage.", "Tétouan", "numéros"),
    ("- « Naplouse », Palestine, coopération décentralisée ;", "Naplouse", "guillemets"),
    ("a) Leeds\u200b, Royaume-Uni, jumelage", "Leeds", "invisibles"),
])
def test_a_list_pasted_from_word_keeps_the_names_and_the_reply_says_what_was_cleaned(typed, partner, said):
    fiche, _, notes = _converted(typed)
    assert fiche["partenariats"][0]["partenaire"]["nom"] == partner
    assert any("Question « Partenariats », ligne 1" in n and said in n for n in notes), notes


@pytest.mark.parametrize("typed, since, end", [
    ("Kaya, Burkina Faso, jumelage, 2010-2011", 2010, 2011),
    ("Kaya, Burkina Faso, jumelage, 2010 – 2012", 2010, 2012),
    ("Kaya, Burkina Faso, jumelage, de 1998 à 2004", 1998, 2004),
    ("Kaya, Burkina Faso, jumelage, 2001/2003", 2001, 2003),
])
def test_a_year_range_becomes_start_end_and_a_finished_status_said_in_the_reply(typed, since, end):
    fiche, _, notes = _converted(typed)
    p = fiche["partenariats"][0]
    assert (p["depuis"], p["fin"], p["statut"]) == (since, end, "termine")
    assert any("statut « terminé »" in n for n in notes)


@pytest.mark.parametrize("typed, code, name", [
    ("Leeds, Angleterre, jumelage", "GB", "Royaume-Uni"), ("Cardiff, Pays de Galles, jumelage", "GB", "Royaume-Uni"),
    ("Séoul, Corée du Sud, partenariat", "KR", "Corée du Sud"), ("Utrecht, Hollande, jumelage", "NL", "Pays-Bas"),
    ("Bobruisk, Biélorussie, jumelage", "BY", "Biélorussie"),
])
def test_usual_country_names_are_read_and_a_non_exact_match_is_said(typed, code, name):
    fiche, _, notes = _converted(typed)
    assert fiche["partenariats"][0]["pays"] == code
    if typed.split(", ")[1] != name:
        assert any(f"lu comme {name} ({code})" in n for n in notes), notes


def test_a_departement_typed_with_its_name_and_a_web_address_without_scheme_are_read_and_said():
    fiche, source, notes = _converted("Kaya, Burkina Faso, jumelage", departement="Nord (59)",
                                      sources="Délibération de 2019, www.quelquepart.fr/deliberation.pdf")
    assert fiche["departement"] == "59" and source["site_web"] == "https://www.quelquepart.fr/deliberation.pdf"
    assert any("Département" in n and "59" in n for n in notes) and any("https://" in n for n in notes)


def test_a_source_without_a_year_is_asked_for_its_year():
    _, source, notes = _converted("Kaya, Burkina Faso, jumelage", sources="Délibération du conseil municipal")
    assert "date" not in source and any("Question « Sources » : aucune année" in n for n in notes)


# --- The form loses nothing silently: each class of answer the town-hall re-test found, with
# members of the class that the re-test did not use ------------------------------------------

def _convert(partnerships: str = "", **answers) -> fromform.Conversion:
    from atlas.content import checker

    base = {"nom": "Quelquepart", "type": "Commune", "departement": "59", "partenariats": partnerships,
            "sources": "Délibération, 2019"}
    return fromform.convert({**base, **answers}, 42, REPO / "content", checker.check_lists(REPO / "content"))


def _partnerships(conversion: fromform.Conversion) -> list[dict]:
    return yamlio.parse(conversion.fiche, Path("f.yml")).data["partenariats"]


@pytest.mark.parametrize("line,country,said", [
    ("Tunis, Tunisia, jumelage", "TN", "« Tunisia » lu comme Tunisie (TN)"),  # English name
    ("Hamburg, DEU, jumelage", "DE", "« DEU » lu comme Allemagne (DE)"),  # three-letter code
    ("Lisbonne, Portugall, jumelage", "PT", "« Portugall » lu comme Portugal (PT)"),  # misspelt
    ("Rabat, Marroc, jumelage", "MA", "« Marroc » lu comme Maroc (MA) : vérifiez"),
    ("Tunis (Tunisie), jumelage", "TN", None),  # the country in brackets
    ("Maroc, Rabat, jumelage", "MA", None),  # the country first
    ("Bissau, Guinée, jumelage", "GW", "Bissau est en Guinée-Bissau (GW) selon GeoNames"),  # a country name two share
    ("Tunis, Tunisie, jumelage", "TN", None),  # a town named like its country stays the partner
    ("Burkina, jumelage", "BF", "« Burkina » lu comme Burkina Faso (BF), partenaire non nommé"),
])
def test_a_partnership_country_written_otherwise_is_read_and_said(line, country, said):
    conversion = _convert(line)
    (item,) = _partnerships(conversion)
    assert item["pays"] == country
    assert item["partenaire"] == "inconnu" if "non nommé" in (said or "") else item["partenaire"]["nom"] in line
    if said:
        assert any(said in n for n in conversion.notes), conversion.notes


@pytest.mark.parametrize("line,expected,in_description", [
    ("Tunis, Tunisie, jumelé en 1987", {"nature": "jumelage", "depuis": 1987}, None),
    ("Rabat, Maroc, coopération décentralisée depuis 2001", {"nature": "cooperation-decentralisee", "depuis": 2001}, None),
    ("Sfax, Tunisie, jumelage, terminé en 2010", {"statut": "termine", "fin": 2010}, None),
    ("Fès, Maroc, jumelage, en veille depuis 2012", {"statut": "en-veille"}, "en veille depuis 2012"),
    ("Maroc (jumelage depuis 1990)", {"nature": "jumelage", "depuis": 1990, "partenaire": "inconnu"}, None),
])
def test_a_year_written_beside_a_nature_or_a_status_is_kept(line, expected, in_description):
    (item,) = _partnerships(_convert(line))
    assert {k: item.get(k) for k in expected} == expected, item
    if in_description:
        assert in_description in item["description"]
    else:
        assert "depuis" in item or "fin" in item


def test_two_partners_on_one_line_are_asked_about():
    conversion = _convert("Tunis / Sfax, Tunisie, jumelage")
    assert any("« Tunis / Sfax » est-il un seul partenaire ?" in n for n in conversion.notes)


@pytest.mark.parametrize("typed,departement,expected", [
    ("Seine-Saint-Denis", "93", None), ("Corse du Sud", "2A", None), ("finistère (29)", "29", None),
    ("4", "04", None), ("Calais", None, "n'est pas un département connu"),
])
def test_a_departement_written_in_words_or_without_its_zero_is_read_as_its_number(typed, departement, expected):
    conversion = _convert("", nom="Quelquepart", departement=typed)
    assert yamlio.parse(conversion.fiche, Path("f.yml")).data["departement"] == departement
    assert any(f"« {typed}" in n for n in conversion.notes) or typed == departement


def test_a_commune_name_in_capitals_or_with_its_departement_takes_the_official_spelling_and_says_so():
    conversion = _convert("", nom="ROUBAIX (Nord)", departement="", code="")
    data = yamlio.parse(conversion.fiche, Path("f.yml")).data
    assert (data["nom"], data["departement"], data["code"]) == ("Roubaix", "59", "59512")
    assert any("« ROUBAIX (Nord) » lu comme « Roubaix »" in n for n in conversion.notes)
    conversion = _convert("", nom="bourg-en-bresse", departement="1", code="1053")  # zeros lost by a spreadsheet
    data = yamlio.parse(conversion.fiche, Path("f.yml")).data
    assert (data["nom"], data["departement"], data["code"]) == ("Bourg-en-Bresse", "01", "01053")
    assert any("« 1053 » lu comme 01053" in n for n in conversion.notes)


def test_every_organisation_form_a_line_names_is_kept():
    conversion = _convert("", organisation="Le maire adjoint et l'association des amis de Kaya")
    forms = [o["forme"] for o in yamlio.parse(conversion.fiche, Path("f.yml")).data["organisation"]]
    assert forms == ["delegation-association", "elu-delegue"]


def test_the_source_year_is_the_document_s_not_the_address_s_and_several_documents_are_said():
    conversion = _convert("", sources="Compte rendu du conseil de 2004 https://mairie.example.fr/2021/05/jumelage\n"
                                      "Bulletin municipal 2006")
    entry = yamlio.parse(conversion.source_entry, Path("s.yml")).data[0]
    assert entry["date"] == 2004 and entry["site_web"] == "https://mairie.example.fr/2021/05/jumelage"
    assert any("2 documents cités" in n for n in conversion.notes)


def test_a_reply_never_says_no_error_when_an_answer_line_is_not_in_the_fiche(repo):
    result, report = convert(repo, "ligne-perdue.md", ticket=11)
    assert "ne signale aucune erreur" not in report.split("**Ce qui")[0] + report.split("**", 3)[-1].split("La suite")[0] \
        or "ligne(s) de vos réponses ne sont pas dans la fiche" in report
    assert "1 ligne(s) de vos réponses ne sont pas dans la fiche" in report


def test_a_checker_problem_is_told_as_the_question_of_the_form_it_comes_from(repo):
    result, report = convert(repo, "code-mal-saisi.md", ticket=12)
    assert result.returncode == 1
    assert "Question « Partenariats internationaux », ligne 2 :" in report  # the checker's problem, on its answer line
    assert ".yml:" not in report


def test_a_theme_written_with_more_words_is_read_by_its_first_and_said():
    conversion = _convert("Kaya, Burkina Faso, jumelage, eau potable, santé maternelle")
    (item,) = _partnerships(conversion)
    assert item["thematiques"] == ["eau-assainissement", "sante"]
    assert any("« eau potable » lu comme la thématique « Eau et assainissement »" in n for n in conversion.notes)
    assert "description" not in item  # nothing left unread


def test_a_line_without_country_asks_for_one_line_per_partnership():
    conversion = _convert("Kaya\nBurkina Faso, jumelage")
    assert any("ligne 1" in n and "chaque partenariat sur une seule ligne" in n for n in conversion.notes)
    assert conversion.dropped == 1


def test_a_form_for_a_collectivite_that_has_its_fiche_points_to_the_correction_routes_not_to_editing_the_ticket(repo):
    body = REPO / "tests" / "formulaires" / "ligne-perdue.md"
    (repo / "content" / "collectivites" / "quelquepart.yml").write_text("nom: Quelquepart\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "depuis-formulaire", str(body), "--ticket", "4", "--rapport", "r.md"],
                            cwd=repo, capture_output=True, text=True, timeout=60)
    report = (repo / "r.md").read_text(encoding="utf-8")
    assert result.returncode == 2 and "Signaler une erreur" in report and "Modifiez le ticket" not in report


def test_a_type_ticked_that_the_name_contradicts_follows_the_name_and_is_said():
    conversion = _convert("Kaya, Burkina Faso, jumelage", nom="Communauté de communes du Pays de Quelquepart", type="Commune")
    assert yamlio.parse(conversion.fiche, Path("f.yml")).data["type"] == "intercommunalite"
    assert any("type lu comme « intercommunalite »" in n for n in conversion.notes)


def test_a_negated_status_is_not_read_as_that_status_and_is_kept():
    conversion = _convert("Kaya, Burkina Faso, jumelage, plus actif depuis 2015")
    (item,) = _partnerships(conversion)
    assert "statut" not in item and "plus actif depuis 2015" in item["description"]
    assert any("« plus actif depuis 2015 » non reconnu" in n for n in conversion.notes)


def test_a_partner_that_geonames_does_not_know_in_its_country_is_said():
    conversion = _convert("Valenciennes, Belgique, jumelage")
    (item,) = _partnerships(conversion)
    assert "coordonnees" not in item["partenaire"]
    assert any("Valenciennes n'est pas dans GeoNames en Belgique" in n for n in conversion.notes)


HOSTILE = "@equipe-atlas fixes #1 <img src=x onerror=alert(1)> https://evil.example/x www.evil.fr `code` [lien](https://e.x) _a_ *b*"


def _raw_hostile(text: str) -> list[str]:
    return [bit for bit in ("@equipe", "#1", "<img", "https://", "www.evil.fr", "`code`", "[lien]", "_a_", "*b*") if bit in text]


def test_every_value_a_reply_prints_is_escaped_even_one_a_template_forgets_to_filter():
    """The replies' environment escapes each printed value itself (finalize): no template can print a
    typed text as a mention, a closing keyword, a link or HTML; only Markup, declared by the code, is
    verbatim (the checker's lines inside their fence)."""
    from markupsafe import Markup

    formulaire = replies.render("reponse-formulaire.md.j2", error="", issue=7, file="x.yml", source_key="formulaire-x-7",
                                notes=[HOSTILE], errors=[object()], team=False, dropped=0, shown=[], fence=Markup("```"),
                                about_questions=[HOSTILE])
    failed = replies.render("reponse-formulaire.md.j2", error=HOSTILE, retry=True)
    signalement = replies.render("reponse-signalement.md.j2", slug="", name="", page="", typed=HOSTILE, source="")
    found = replies.render("reponse-signalement.md.j2", slug="lille", name=HOSTILE, page="collectivites/lille/", typed="", source="x")
    for text in (formulaire, failed, signalement, found):
        assert "equipe-atlas" in text and not _raw_hostile(text), (_raw_hostile(text), text)
    # a template-level value never reaches GitHub raw either, whatever its name
    env = replies.environment()
    assert not _raw_hostile(env.from_string("{{ anything }}").render(anything=HOSTILE))
    assert env.from_string("{{ verbatim }}").render(verbatim=Markup(HOSTILE)) == HOSTILE


@pytest.mark.parametrize("typed", ["``` fin", "````\n@equipe-atlas fixes #1\n````", "`" * 12 + "\n<img src=x onerror=alert(1)>"])
def test_the_team_reply_keeps_every_checker_line_inside_its_fence_whatever_was_typed(typed):
    """The pull request's reply prints the checker's lines verbatim (they quote what was typed) inside a
    code fence longer than any backtick run they hold: no typed fence, line break or mention gets out."""
    from atlas.commands import fromform
    from atlas.content.checker import Problem

    conversion = fromform.Conversion("x", "", "formulaire-x-7", "")
    problem = Problem("content/collectivites/x.yml", 3, f"valeur « {typed} » refusée", hint=f"écrivez « {typed} »")
    text = fromform.report(conversion, Path("x.yml"), [problem], None, 7, team=True)
    lines = text.splitlines()
    fence = next(line for line in lines if re.fullmatch(r"`{3,}", line))
    opened, closed = lines.index(fence), len(lines) - 1 - lines[::-1].index(fence)
    inside, outside = "\n".join(lines[opened + 1:closed]), "\n".join(lines[:opened] + lines[closed + 1:])
    assert typed in inside
    assert all(len(run) < len(fence) for run in re.findall(r"`+", inside))  # nothing inside closes it
    assert "@equipe" not in outside and "<img" not in outside and "#1" not in outside
