"""`atlas signalement`: the first answer to a « Signaler une erreur » ticket.

The ticket's text is data (read as the form's answers, never run); the answer names the
collectivité's file and page the report is about, and says what happens next and who answers.
"""
from __future__ import annotations

from pathlib import Path

from atlas import urls
from atlas.commands import fromform, replies
from atlas.content import countries, yamlio

FORM = Path(".github") / "ISSUE_TEMPLATE" / "signaler-une-erreur.yml"


def find(content: Path, typed: str) -> tuple[str, str] | None:
    """(slug, official name) of the collectivité whose name or alias is what the person typed."""
    wanted = countries.fold(" ".join(typed.split()))
    for path in sorted((content / "collectivites").glob("*.yml")):
        try:
            data = yamlio.read(path).data
        except yamlio.YamlError:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("nom"), str):
            continue
        names = [data["nom"], *[a for a in data.get("alias") or [] if isinstance(a, str)]]
        if wanted in {countries.fold(n) for n in names} or wanted == countries.fold(path.stem.replace("-", " ")):
            return path.stem, data["nom"]
    return None


def answer(body: str, repository: Path, content: Path) -> str:
    answers = fromform.parse_body(body, fromform.form_fields(repository, FORM))
    typed = fromform._one_line(answers.get("collectivite", ""))[:120]
    found = find(content, typed) if typed else None
    source = fromform._one_line(answers.get("source", ""))
    slug, name = found or ("", "")
    return replies.render("reponse-signalement.md.j2", slug=slug, name=name, page=urls.collectivite(slug) if slug else "",
                          typed=typed, source=source)
