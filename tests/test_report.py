"""« Signaler une erreur »: the first answer names the page and the file, says what happens next."""
from __future__ import annotations

from pathlib import Path

import pytest

from atlas.commands import report

REPO = Path(__file__).resolve().parents[1]


def body(collectivite: str, source: str = "Délibération du 12 mars 2019") -> str:
    return (f"### Collectivité concernée\n\n{collectivite}\n\n### Adresse de la page\n\n_No response_\n\n"
            f"### Ce qui est faux\n\nLe partenariat\n\n### L'information exacte\n\nUn autre\n\n### Source\n\n{source}\n")


@pytest.mark.parametrize("typed, slug", [("Lille", "lille"), ("Ville de Lille", "lille"), ("  halluin ", "halluin"),
                                         ("LE PORTEL", "le-portel")])
def test_the_answer_names_the_page_and_the_file_of_the_collectivite(typed, slug):
    text = report.answer(body(typed), REPO, REPO / "content")
    assert f"content/collectivites/{slug}.yml" in text and f"collectivites/{slug}/" in text
    assert "La suite" in text and "vous répond ici" in text


def test_an_unknown_collectivite_is_said_and_quoted_without_mention_link_or_markup():
    text = report.answer(body("Nulle <b>part</b> @octocat #1 https://x.org"), REPO, REPO / "content")
    assert "pas trouvé" in text and "@octocat" not in text and "<b>" not in text and "#1" not in text
    assert "https://x.org" not in text


def test_a_report_without_a_source_is_asked_for_one():
    assert "Sans document" in report.answer(body("Lille", "_No response_"), REPO, REPO / "content")
