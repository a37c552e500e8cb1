"""`atlas check` on the mistakes contributors really make.

tests/corpus/ holds one broken file per kind of mistake. Each test copies the real content/
into a temporary folder, drops ONE corpus file into collectivites/, checks, and compares the
errors of that file with the table below: same lines, same message, a hint saying what to do,
and nothing else. Changing a message or a line number makes these tests fail on purpose.
"""
from __future__ import annotations

import ast
import datetime
import re
import shutil
from pathlib import Path

import pytest

from atlas.content import checker
from repository import run_atlas

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
CORPUS = Path(__file__).parent / "corpus"
GUIDE = REPO / "CONTRIBUTING.md"

# corpus file -> the errors it must give: (line, fragment of the message, fragment of the hint).
# An empty list means the file is correct and must be accepted.
EXPECTED: dict[str, list[tuple[int, str, str]]] = {
    "tabulation.yml": [
        (11, "tabulation dans l'indentation", "remplacez la tabulation par des espaces")],
    "indentation.yml": [
        (13, "indentation incorrecte", "alignez-la sur la clé voisine")],
    "tiret-mal-aligne.yml": [
        (15, "ce tiret n'est pas aligné sur les autres éléments de la liste", "sous les tirets des éléments précédents")],
    "cle-en-double.yml": [
        (17, "clé « sources » répétée (déjà à la ligne 15)", "gardez une seule fois cette clé")],
    "cle-accentuee.yml": [
        (15, "clé inconnue « Statut »", "voulez-vous dire « statut » ?"),
        (16, "clé inconnue « thématiques »", "voulez-vous dire « thematiques » ?")],
    "cle-majuscule-obligatoire.yml": [  # and no second error « pays manquant »
        (11, "clé inconnue « Pays »", "voulez-vous dire « pays » ?")],
    "pays-en-toutes-lettres.yml": [
        (13, "« Sénégal » n'est pas un code pays", "deux lettres majuscules : SN"),
        (18, "« Maroc » n'est pas un code pays", "deux lettres majuscules : MA"),
        (23, "« Palestine » n'est pas un code pays", "deux lettres majuscules : PS")],
    "code-pays-inconnu.yml": [
        (12, "code pays inconnu « UK »", "le code du Royaume-Uni est GB"),
        (16, "code pays inconnu « XY »", "écrivez le code à deux lettres du pays")],
    "thematique-mal-orthographiee.yml": [
        (15, "thématique inconnue « eau-assainisement »", "voulez-vous dire « eau-assainissement » ?")],
    "source-mal-orthographiee.yml": [
        (15, "source inconnue « actes-colloque-lianes-2008 »", "voulez-vous dire « actes-colloque-lianes-2009 » ?")],
    # the mistakes of a town hall's first contribution (issue « sans aide »)
    "diese-dans-un-texte.yml": [
        (8, "texte coupé avant « #solidarité avec le village partenaire. » : pour YAML, « # » après une espace "
            "commence un commentaire", "mettez tout le texte entre guillemets doubles")],
    "pays-norvege-sans-guillemets.yml": [
        (11, "« NO » serait lu par YAML comme oui/non (faux), pas comme le code de la Norvège", 'pays: "NO"')],
    "virgule-decimale-entre-accolades.yml": [
        (7, "virgule décimale dans « 50,4486 »", "un point, pas une virgule : 50.4486")],
    "site-web-sans-https.yml": [
        (8, "adresse incomplète : « www.quelquepart.fr » ne commence pas par https://", "site_web: https://www.quelquepart.fr")],
    "annee-vide.yml": [
        (10, "« depuis » est vide", "ou retirez la ligne si elle est inconnue")],
    "espace-insecable-avant-deux-points.yml": [
        (6, "espace insécable (U+00A0) dans la clé « region »", "retapez : region:")],
    "deux-points-sans-espace.yml": [
        (11, "il manque une espace après les deux-points dans « pays:DE »", "écrivez « pays: DE »")],
    "texte-sur-deux-lignes.yml": [
        (9, "la suite d'un texte de la ligne précédente, collée sur deux lignes ?", "remettez le texte sur une seule ligne")],
    "guillemet-non-referme.yml": [
        (8, "guillemets ouverts sur cette ligne mais jamais refermés", "refermez les guillemets")],
    "bloc-colle-sans-tiret.yml": [
        (10, "élément de liste sans tiret", "commencez sa première ligne par « - »")],
    "second-bloc-sans-tiret.yml": [
        (13, "clé « partenaire » répétée (déjà à la ligne 10)", "commencez-le par un tiret « - »")],
    "date-dans-les-annees.yml": [
        (7, "« annee » attend une année, pas la date « 1999-03-08 »", "écrivez l'année seule : 1999"),
        (14, "« depuis » attend une année, pas la date « 1989-05-14 »", "écrivez l'année seule : 1989"),
        (18, "« debut » attend une année, pas la date « 2009-09-01 »", "écrivez l'année seule : 2009")],
    "valide-code-zero-initial.yml": [],
    "partenariat-fin-incoherente.yml": [
        (15, "fin (1999) avant le début (2005)", "« fin » celle où le partenariat a pris fin"),
        (22, "fin en 2010, mais le partenariat est « statut: actif »", "s'écrit « statut: termine »")],
    "valide-partenariat-termine.yml": [],
    "nom-trop-court.yml": [  # « est vide » would send them looking for a blank line
        (2, "« nom » trop court : « Q »", "écrivez-le en entier (au moins 2 caractères)")],
    "reseau-inconnu.yml": [
        (9, "réseau inconnu « cites-unies »", "voulez-vous dire « cites-unies-france » ?"),
        (11, "réseau inconnu « resacoop »", "ajoutez-la d'abord à content/reseaux.yml")],
    "latitude-longitude-inversees.yml": [
        (13, "est à 4421 km du pays indiqué (SN, Sénégal)",
         "latitude et longitude inversées : écrivez lat: 16.0179, lon: -16.4896")],
    "signe-moins-oublie.yml": [
        (13, "du pays indiqué (SN, Sénégal)", "signe moins oublié ? écrivez lat: 16.0179, lon: -16.4896")],
    "coordonnees-hors-limites.yml": [
        (7, "latitude 506366 hors limites (-90 à 90)", "degrés décimaux avec un point")],
    "virgule-decimale.yml": [
        (8, "« latitude » attend un nombre, pas « 50,65 »", "le séparateur décimal est un point : 50.65")],
    "sources-sans-crochets.yml": [
        (8, "« sources » attend une liste", "entre crochets : sources: [actes-colloque-lianes-2009]")],
    "partenaires-en-liste-de-textes.yml": [
        (10, "partenariat écrit comme un simple texte (« Saint-Louis (Sénégal) »)", "« - partenaire: {nom: ...} »"),
        (11, "partenariat écrit comme un simple texte (« Oujda (Maroc) »)", "« - partenaire: {nom: ...} »")],
    "partenariat-sans-source.yml": [
        (10, "aucune source citée pour ce partenariat", "sources: [actes-colloque-lianes-2009]")],
    "champ-obligatoire-manquant.yml": [
        (2, "champ obligatoire « departement » manquant dans la fiche", "departement: \"59\""),
        (9, "champ obligatoire « nature » manquant dans ce partenariat", "valeurs possibles : jumelage")],
    "partenariats-liste-vide.yml": [
        (9, "liste de partenariats vide", "« partenariats: inconnus »")],
    "valide-partenariats-inconnus.yml": [],
    "valide-partenaire-inconnu.yml": [],
    "partenaire-en-texte.yml": [
        (9, "partenaire écrit comme un texte (« Saint-Louis »)", "partenaire: {nom: Saint-Louis}")],
    "annee-periode.yml": [
        (15, "« depuis » attend une seule année (un nombre), pas « 2009-2012 »", "« debut: 2009 » et « fin: 2012 »")],
    "annee-future.yml": [
        (15, "année 2099 dans le futur", "corrigez l'année")],
    "projet-fin-avant-debut.yml": [
        (18, "fin (2010) avant le début (2012)", "« debut » est l'année de départ")],
    "code-sans-guillemets.yml": [
        (4, "« code » doit être écrit entre guillemets", 'code: "59999"'),
        (5, "« departement » doit être écrit entre guillemets", 'departement: "59"')],
    "apostrophe.yml": [
        (7, "apostrophe à l'intérieur d'un texte écrit entre apostrophes", "doublez l'apostrophe")],
    "deux-points-dans-un-texte.yml": [
        (7, "texte contenant « : » écrit sans guillemets", "entre guillemets doubles")],
    "accolade-non-refermee.yml": [
        (7, "accolade « { » ouverte sur cette ligne mais jamais refermée", "terminez par « } »")],
    "fichier-vide.yml": [
        (1, "fichier vide", "copiez le modèle de fiche")],
    "page-html.yml": [
        (1, "ce fichier est une page web (HTML), pas une fiche", "copiez le modèle de fiche")],
    "fichier-binaire.yml": [
        (1, "ce fichier n'est pas du texte", "une fiche est un fichier texte .yml")],
    "pas-utf8.yml": [
        (8, "caractère « é » mal codé : le fichier n'est pas enregistré en UTF-8", "encodage UTF-8")],
    "doublon-nom.yml": [
        (2, "collectivité en double : content/collectivites/lille.yml décrit déjà la même (« Ville de Lille » et « Lille »)",
         "une collectivité = une seule fiche")],
    "doublon-code.yml": [
        (4, "collectivité en double : content/collectivites/halluin.yml décrit déjà la même (même code 59279)",
         "une collectivité = une seule fiche")],
    "a-remplir.yml": [
        (4, "« code » encore à remplir", "remplacez « À REMPLIR » par la valeur"),
        (13, "« pays » encore à remplir", "remplacez « À REMPLIR » par la valeur")],
    "Ville de Quelquepart.yml": [
        (2, "nom de fichier « Ville de Quelquepart.yml » non conforme", "renommez-le quelquepart.yml")],
    "extension.yaml": [
        (1, "extension .yaml au lieu de .yml", "renommez le fichier en extension.yml")],
}

# A few corpus files also go through the real command, as a contributor runs it.
THROUGH_THE_COMMAND = ["tabulation.yml", "pays-en-toutes-lettres.yml", "fichier-binaire.yml", "pas-utf8.yml",
                       "doublon-code.yml"]


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".yml", ".yaml"))


@pytest.fixture
def content(tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the real content/ (other people edit the real one), run from its parent
    as a contributor runs `atlas check` from the root of the repository."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    monkeypatch.chdir(tmp_path)
    return root


def drop(content: Path, name: str) -> Path:
    target = content / "collectivites" / name
    shutil.copyfile(CORPUS / name, target)
    return target


def errors_of(report: checker.Report, path: Path) -> list[checker.Problem]:
    return [p for p in report.errors if Path(p.path).resolve() == path.resolve()]


def test_every_corpus_file_has_its_expected_errors_written_down():
    assert corpus_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gives_exactly_the_expected_errors_with_a_hint(content, name):
    path = drop(content, name)
    report = checker.check(content, only=path)

    got = sorted((p.line, p.message, p.hint) for p in errors_of(report, path))
    unmatched = list(got)
    for line, message, hint in EXPECTED[name]:
        hit = next((g for g in unmatched if g[0] == line and message in g[1] and hint in g[2]), None)
        assert hit, f"{name}: attendu ligne {line}: « {message} » (conseil « {hint} »), obtenu :\n" + \
            "\n".join(f"  {g[0]}: {g[1]} — conseil : {g[2]}" for g in got)
        unmatched.remove(hit)
    assert not unmatched, f"{name}: erreurs en trop : {unmatched}"
    assert all(p.hint for p in errors_of(report, path)), "chaque erreur doit dire quoi faire"
    # each problem names the rule that found it (structured problems: no rule reads another's text)
    assert all(checker.known_rule(p.rule) for p in report.problems), [(p.rule, p.message) for p in report.problems]

    whole = checker.check(content)  # the same errors when the whole content is checked
    assert sorted((p.line, p.message, p.hint) for p in errors_of(whole, path)) == got


@pytest.mark.parametrize("name", [n for n, errs in EXPECTED.items() if not errs])
def test_valid_corpus_file_is_accepted_as_a_collectivite(content, name):
    path = drop(content, name)
    report = checker.check(content)
    assert report.ok, [p.format() for p in report.errors]
    assert path.stem in report.collectivites


def test_single_file_mode_reports_only_that_file(content):
    broken = drop(content, "pays-en-toutes-lettres.yml")
    report = checker.check(content, only=broken)
    assert {Path(p.path).name for p in report.problems} == {broken.name}
    other = content / "collectivites" / "lille.yml"
    assert checker.check(content, only=other).ok


def test_duplicate_is_reported_in_both_files_whichever_is_checked_alone(content):
    new = drop(content, "doublon-nom.yml")
    existing = content / "collectivites" / "lille.yml"
    for path, other in ((new, existing), (existing, new)):
        report = checker.check(content, only=path)
        assert [p.line for p in report.errors] == [2], [p.format() for p in report.errors]
        assert f"collectivites/{other.name} décrit déjà la même" in report.errors[0].message


# files put where the atlas does not read them: (folder, name, message, hint)
STRAY_FILES = [
    ("content/collectivites", "quelquepart.yml.txt", "« quelquepart.yml.txt » non lu : une fiche porte l'extension .yml",
     "renommez-le quelquepart.yml"),
    ("content/collectivites", "quelquepart", "« quelquepart » non lu : une fiche porte l'extension .yml",
     "renommez-le quelquepart.yml"),
    ("content", "quelquepart.yml", "« quelquepart.yml » non lu : il n'est pas dans le bon dossier",
     "se range dans content/collectivites/"),
    (".", "quelquepart.yml", "« quelquepart.yml » à la racine du dépôt : l'atlas ne le lit pas",
     "déplacez-le dans content/collectivites/"),
]


@pytest.mark.parametrize("where, name, message, hint", STRAY_FILES)
def test_a_file_the_atlas_would_not_read_is_reported_not_ignored(content, where, name, message, hint):
    (content.parent / "mkdocs.yml").write_text("site_name: Atlas\n", encoding="utf-8")  # the repository's root
    stray = content.parent / where / name
    shutil.copyfile(CORPUS / "valide-partenaire-inconnu.yml", stray)
    for report in (checker.check(content), checker.check(content, only=stray)):
        hits = [p for p in report.errors if p.path.endswith(name) and message in p.message and hint in p.hint]
        assert hits and hits[0].line == 1, [p.format() for p in report.problems]
    result = run_atlas("check", str(stray.relative_to(content.parent)), cwd=content.parent)
    assert result.returncode == 1 and message in result.stdout, result.stdout + result.stderr


def test_a_broken_list_is_reported_alone_even_when_checked_by_itself(content):
    sources = content / "sources.yml"
    lines = sources.read_text(encoding="utf-8").splitlines()
    at = next(i for i, row in enumerate(lines) if row.lstrip().startswith("titre:"))
    lines[at] = lines[at].split(":", 1)[0] + ': "titre jamais refermé'
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = checker.check(content)
    assert [(Path(p.path).name, p.line) for p in whole.errors] == [("sources.yml", at + 1)], \
        [p.format() for p in whole.errors]  # reseaux.yml and the fiches are not blamed for it
    alone = checker.check(content, only=sources)
    assert [(p.line, p.message) for p in alone.errors] == [(p.line, p.message) for p in whole.errors]
    result = run_atlas("check", "content/sources.yml", cwd=content.parent)
    assert result.returncode == 1 and f"sources.yml:{at + 1}: erreur" in result.stdout


def test_year_in_the_future_is_relative_to_today(content):
    path = content / "collectivites" / "futur.yml"
    next_year = datetime.date.today().year + 1
    text = (CORPUS / "annee-future.yml").read_text(encoding="utf-8").replace("2099", str(next_year))
    path.write_text(text, encoding="utf-8")
    assert [(p.line, p.message) for p in checker.check(content, only=path).errors] == \
        [(15, f"année {next_year} dans le futur")]
    path.write_text(text.replace(str(next_year), str(next_year - 1)), encoding="utf-8")
    assert checker.check(content, only=path).ok


def test_real_content_passes_the_checker():
    report = checker.check(CONTENT)
    assert report.ok, "\n".join(p.format() for p in report.errors)
    assert report.collectivites


@pytest.mark.parametrize("name", THROUGH_THE_COMMAND)
def test_atlas_check_command_prints_path_and_line_and_exits_1(content, name):
    drop(content, name)
    target = f"content/collectivites/{name}"
    for args in ([], [target]):  # whole content, then the single file
        result = run_atlas("check", *args, cwd=content.parent)
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert result.returncode == 1, output
        lines = [row for row in result.stdout.splitlines() if row.startswith(f"{target}:")]
        assert sorted(int(row.split(":")[1]) for row in lines if ": erreur :" in row) == \
            sorted(line for line, _, _ in EXPECTED[name])
        for (line, message, _hint) in EXPECTED[name]:
            assert any(row.startswith(f"{target}:{line}: erreur : ") and message in row and "conseil : " in row
                       for row in lines), output


def test_no_corpus_file_makes_the_command_crash(content):
    for name in corpus_files():
        drop(content, name)
    result = run_atlas("check", cwd=content.parent)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1


def guide_examples() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.S | re.M)


def test_examples_of_the_contribution_guide_pass_the_checker(content):
    """What a newcomer copies from CONTRIBUTING.md must be accepted (or fail only on « À REMPLIR »)."""
    examples = guide_examples()
    fiches = [e for e in examples if e.startswith("nom:")]
    partnerships = [e for e in examples if e.lstrip().startswith("- partenaire:")]
    citations = [e for e in examples if e.startswith("sources:")]
    new_sources = [e for e in examples if e.startswith("nouvelles_sources:")]  # in the fiche, with its citation
    assert len(fiches) == 2 and partnerships and citations and new_sources
    assert all(e.startswith("  - partenaire:") for e in partnerships)  # one list style: the dash under its key
    assert len(fiches) + len(partnerships) + len(citations) + len(new_sources) == len(examples), \
        "un exemple du guide n'est vérifié par aucun test"

    model, filled = sorted(fiches, key=lambda e: "À REMPLIR" not in e)
    path = content / "collectivites" / "exemple-du-guide.yml"
    path.write_text(model, encoding="utf-8")
    report = checker.check(content, only=path)
    assert report.errors and all("encore à remplir" in p.message for p in report.errors)
    assert len(report.errors) == sum(line.split("#")[0].count("À REMPLIR") for line in model.splitlines())

    path.write_text(filled, encoding="utf-8")
    assert checker.check(content, only=path).ok, [p.format() for p in checker.check(content, only=path).errors]

    base = filled.split("partenariats:")[0]
    for snippet in partnerships:
        path.write_text(base + "partenariats:\n" + snippet, encoding="utf-8")
        report = checker.check(content, only=path)
        assert report.ok, [p.format() for p in report.errors]
    for snippet in citations:
        path.write_text(re.sub(r"^sources: .*$", snippet.strip(), filled, count=1, flags=re.M), encoding="utf-8")
        assert checker.check(content, only=path).ok

    for snippet in new_sources:  # the block takes the place of the fiche's « sources: » line, in one file
        assert re.search(r"^sources: \[.*\b" + re.search(r"cle: (\S+)", snippet).group(1), snippet, re.M)
        path.write_text(re.sub(r"^sources: .*\n", lambda m, snippet=snippet: snippet, filled, count=1, flags=re.M), encoding="utf-8")
        report = checker.check(content)
        assert report.ok, [p.format() for p in report.errors]
        assert re.search(r"cle: (\S+)", snippet).group(1) in report.lists["sources"]


def test_every_message_quoted_in_the_guide_is_one_the_checker_gives():
    """The guide's table of frequent errors quotes the checker's messages (those the corpus proves)."""
    table = GUIDE.read_text(encoding="utf-8").split('<a id="erreurs-frequentes">')[1].split("<a id=")[0]
    first_column = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    quoted = [q for cell in first_column for q in re.findall(r"`([^`]+)`", cell)]
    assert len(quoted) >= 15
    proven = " ".join(f"{m} {h}" for errs in EXPECTED.values() for _, m, h in errs) + \
        " ".join(f"{m} {h}" for _, _, m, h in STRAY_FILES)
    for message in quoted:
        for piece in re.sub(r"«[^»]*»", "…", message).split("…"):
            assert piece.strip() in proven, f"« {piece.strip()} » ne correspond à aucun message vérifié par le corpus"


def _checker_functions() -> dict[str, ast.FunctionDef]:
    """The checker's functions and methods, by qualified name (« _Rules.annee_future »)."""
    tree = ast.parse(Path(checker.__file__).read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            found.update({f"{node.name}.{f.name}": f for f in node.body if isinstance(f, ast.FunctionDef)})
    return found


def _rule_literals(node: ast.AST) -> list[str]:
    """Every `rule="…"` written as a literal under this node."""
    return [k.value.value for n in ast.walk(node) if isinstance(n, ast.Call) for k in n.keywords
            if k.arg == "rule" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)]


def test_every_rule_the_checker_applies_is_named_in_its_list():
    used = set(_rule_literals(ast.parse(Path(checker.__file__).read_text(encoding="utf-8"))))
    assert used == set(checker.RULES), (used ^ set(checker.RULES))
    assert all(checker.RULES.values())


def test_every_rule_is_a_function_named_after_it_or_says_where_it_is_raised():
    functions = _checker_functions()
    for key in checker.RULES:
        assert (key in checker.RULE_FUNCTIONS) != (key in checker.RAISED_BY), key
        name = checker.rule_function_name(key)
        for qualname in checker.RULE_FUNCTIONS.get(key, []):
            function = functions[qualname]
            assert function.name == name or function.name.startswith(name + "_"), (key, qualname)
            # a rule's function raises that rule only (and raises it: no function registered in vain)
            assert set(_rule_literals(function)) == {key}, (key, qualname, _rule_literals(function))
        if key in checker.RAISED_BY:  # the functions it names do raise it
            named = [w for w in re.findall(r"\w+", checker.RAISED_BY[key]) if w in functions]
            assert named, (key, checker.RAISED_BY[key])
            assert all(key in _rule_literals(functions[w]) for w in named), (key, checker.RAISED_BY[key])
    assert set(checker.RULE_FUNCTIONS) | set(checker.RAISED_BY) == set(checker.RULES)


def test_a_rule_function_is_named_after_its_key():
    with pytest.raises(ValueError):
        checker.rule("annee.future")(lambda: None)  # not named annee_future…
    with pytest.raises(ValueError):
        def annee_future_bis():
            pass
        checker.rule("annee.future", "une seconde description")(annee_future_bis)  # the rule has its description
    assert checker.RULE_FUNCTIONS["annee.future"] == ["_Rules.annee_future"]  # neither was registered


def test_the_example_address_the_checker_knows_is_the_one_the_model_shows(tmp_path):
    from atlas.commands import new as newfile
    from atlas.content import naming

    written = newfile.render("Ville de Quelquepart", "commune", tmp_path / "quelquepart.yml", tmp_path)
    assert f"# site_web: {naming.EXAMPLE_WEBSITE}\n" in written
    assert checker._host(naming.EXAMPLE_WEBSITE) in checker._template_hosts()
