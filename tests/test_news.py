"""Dates and « Nouveautés » from git: a scratch repository made in the test, one pass of git."""
from __future__ import annotations

import datetime
import shutil
import subprocess
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from atlas.content import history
from atlas.site import news
from repository import git

ATOM = "{http://www.w3.org/2005/Atom}"

LILLE_V1 = """\
nom: Lille
type: commune
partenariats:
  - partenaire: {nom: Leeds}
    pays: GB
    sources: [s]
sources: [s]
"""


def _write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path) -> Path:
    """content/ with three commits: Lille added, Arras added, then Lille gains two partnerships."""
    repo = tmp_path / "depot"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    _write(repo, "content/collectivites/lille.yml", LILLE_V1)
    _write(repo, "README.md", "hors du contenu\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Lille", date="2024-01-10T10:00:00+01:00")
    _write(repo, "content/collectivites/arras.yml", "nom: Arras\ntype: commune\npartenariats: inconnus\nsources: [s]\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Arras", date="2024-03-05T09:30:00+01:00")
    lille = LILLE_V1.rstrip("\n").rsplit("\n", 1)[0] + """
  - partenaire: inconnu
    pays: SN
    sources: [s]
  - partenaire: inconnu
    pays: MA
    sources: [s]
sources: [s]
population: {valeur: 230000, annee: 1999, source: s}
"""
    _write(repo, "content/collectivites/lille.yml", lille)
    _write(repo, "README.md", "changé, hors du contenu\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "<script>alert(1)</script> Lille", date="2025-06-01T12:00:00+02:00")
    return repo


def test_last_change_of_each_file_comes_from_one_git_log_pass(repo):
    h = history.read(repo / "content")
    assert h
    lille = h.last_change(repo / "content/collectivites/lille.yml")
    arras = h.last_change(repo / "content/collectivites/arras.yml")
    assert lille.date == datetime.datetime.fromisoformat("2025-06-01T12:00:00+02:00")
    assert arras.date == datetime.datetime.fromisoformat("2024-03-05T09:30:00+01:00")
    assert lille.status == "M" and arras.status == "A"
    # README.md is outside content/: not read
    assert all(ch.path.startswith("content/") for ch in h.changes)
    assert len(h.changes) == 3


def test_news_are_newest_first_and_say_what_changed_in_words(repo):
    h = history.read(repo / "content")
    entries = news.entries(h, repo / "content", {"lille": "Lille", "arras": "Arras"})
    assert [(e.slug, e.kind) for e in entries] == [("lille", "modification"), ("arras", "ajout"),
                                                    ("lille", "ajout")]
    assert entries[0].sentences[0] == "2 partenariats ajoutés : Sénégal, Maroc"
    assert "mise à jour : population" in entries[0].sentences
    assert entries[1].sentences == ["nouvelle fiche, partenaires non connus à ce jour"]
    assert entries[2].sentences == ["nouvelle fiche : 1 partenariat (Leeds (Royaume-Uni))"]
    assert entries[0].url == "collectivites/lille/"
    # nothing of the commit message (contributor text) is published
    assert all("script" not in e.summary for e in entries)


def test_removed_file_is_told_and_links_nowhere(repo):
    (repo / "content/collectivites/arras.yml").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "retrait", date="2025-07-01T12:00:00+02:00")
    entries = news.entries(history.read(repo / "content"), repo / "content", {"lille": "Lille"})
    assert (entries[0].slug, entries[0].kind, entries[0].url) == ("arras", "retrait", "")
    assert entries[0].name == "Arras"
    assert entries[0].sentences == ["fiche retirée de l'atlas"]


def test_a_tarball_without_git_history_gives_no_dates_and_no_error(repo, tmp_path):
    archive = tmp_path / "atlas.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(repo / "content", arcname="content")
    out = tmp_path / "extrait"
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    h = history.read(out / "content")
    assert not h
    assert h.last_change(out / "content/collectivites/lille.yml") is None
    assert news.entries(h, out / "content", {"lille": "Lille"}) == []


def test_no_git_on_the_machine_gives_an_empty_history(repo, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert not history.read(repo / "content")


def test_an_old_version_that_no_longer_parses_is_just_modified(repo):
    _write(repo, "content/collectivites/lille.yml", "nom: [Lille\n")
    git(repo, "commit", "-qam", "cassé", date="2025-08-01T12:00:00+02:00")
    _write(repo, "content/collectivites/lille.yml", LILLE_V1)
    git(repo, "commit", "-qam", "réparé", date="2025-08-02T12:00:00+02:00")
    entries = news.entries(history.read(repo / "content"), repo / "content", {"lille": "Lille"})
    assert entries[0].kind == "modification" and entries[0].sentences  # no exception, still said


def _render(feed: news.Feed) -> str:
    from atlas.site import news as n

    return n.render_feed(feed)


def test_feed_is_valid_atom_with_absolute_urls_newest_first(repo):
    h = history.read(repo / "content")
    entries = news.entries(h, repo / "content", {"lille": "Lille & <Cie>", "arras": "Arras"})
    entries[0].name = "Lille & <Cie>"
    f = news.feed("https://atlas.example.org/npdc/", "Atlas", "Licence Ouverte 2.0", entries)
    xml = _render(f)
    root = ET.fromstring(xml.encode("utf-8"))  # well-formed despite « & » and « < »
    assert root.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: id, title, updated once; author on the feed (entries have none)
    for tag in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{ATOM}{tag}")) == 1, tag
    self_link = [line for line in root.findall(f"{ATOM}link") if line.get("rel") == "self"][0]
    assert self_link.get("href") == "https://atlas.example.org/npdc/nouveautes.xml"
    items = root.findall(f"{ATOM}entry")
    assert len(items) == 3
    dates = [datetime.datetime.fromisoformat(e.find(f"{ATOM}updated").text) for e in items]
    assert dates == sorted(dates, reverse=True)
    ids = [e.find(f"{ATOM}id").text for e in items]
    assert len(set(ids)) == 3
    for e in items:
        for tag in ("id", "title", "updated", "link", "summary"):
            assert e.find(f"{ATOM}{tag}") is not None, tag
        assert e.find(f"{ATOM}link").get("href").startswith("https://atlas.example.org/npdc/")
    assert items[0].find(f"{ATOM}title").text.startswith("Lille & <Cie> : 2 partenariats ajoutés")
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.entries[0].link == "https://atlas.example.org/npdc/collectivites/lille/"


def test_no_feed_without_an_absolute_site_address():
    assert news.feed("", "Atlas", "LO", []) is None
    assert news.feed("/relatif/", "Atlas", "LO", []) is None


def test_a_reformatting_that_keeps_the_data_is_no_news(repo):
    lille = repo / "content/collectivites/lille.yml"
    text = lille.read_text(encoding="utf-8")
    lille.write_text(text.replace("\nsources: [s]\n", "\nsources:\n  - s\n"), encoding="utf-8")  # same data
    git(repo, "commit", "-qam", "mise en forme", date="2025-09-01T12:00:00+02:00")
    entries = news.entries(history.read(repo / "content"), repo / "content", {"lille": "Lille", "arras": "Arras"})
    assert entries[0].date == datetime.datetime.fromisoformat("2025-06-01T12:00:00+02:00")  # not the reformatting
    assert len(entries) == 3


def test_a_partnership_that_ended_is_said_to_have_ended_with_its_year():
    before = {"partenariats": [{"partenaire": {"nom": "Leeds"}, "pays": "GB", "statut": "actif"}]}
    after = {"partenariats": [{"partenaire": {"nom": "Leeds"}, "pays": "GB", "statut": "termine", "fin": 2012}]}
    assert news.describe(before, after) == ["1 partenariat terminé : Leeds (Royaume-Uni) en 2012"]


def test_a_shallow_clone_gives_no_dates_rather_than_wrong_ones(repo, tmp_path):
    clone = tmp_path / "superficiel"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True, capture_output=True)
    assert not history.read(clone / "content")  # every file would look added by the last commit


def test_the_workflows_that_build_fetch_the_whole_history():
    import yaml

    root = Path(__file__).resolve().parents[1] / ".github" / "workflows"
    for name in ("publier.yml", "verifier.yml"):
        steps = [s for job in yaml.safe_load((root / name).read_text(encoding="utf-8"))["jobs"].values()
                 for s in job.get("steps", []) if s.get("uses", "").startswith("actions/checkout@")]
        assert steps and all(s["with"]["fetch-depth"] == 0 for s in steps), name


def test_no_character_xml_forbids_reaches_the_feed_even_from_an_old_file_version():
    """An older version of a file in the git history may hold what the checker refuses today
    (« "\\f" », « "\\0" » escapes): the feed stays well-formed XML for a strict parser."""
    from atlas.site import news as news_module

    bad = news_module.NewsEntry(slug="x", name="Ville\x0c\x00\u202e\ufffe", date=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
                                commit="0" * 40, kind="modification", url="",
                                said=[news_module.Said("ajoutes", (news_module.Label("A\x1bB\ud800", "GB"),))])
    f = news_module.feed("https://atlas.example.org/", "Atlas\x0b", "Licence", [bad])
    ET.fromstring(news_module.render_feed(f).encode("utf-8"))  # raises on an invalid character


def test_the_template_guard_replaces_forbidden_characters_without_turning_text_into_markup():
    """finalize keeps Markup as Markup (already escaped HTML) and text as text (escaped after)."""
    from markupsafe import Markup

    from atlas.site import templating

    assert templating.environment().finalize is templating._printable  # every {{ value }} of every template
    kept = templating._printable(Markup("<b>gras\x0c</b>"))
    assert isinstance(kept, Markup) and kept == Markup("<b>gras\ufffd</b>")
    text = templating._printable("<i>\x00\u202e")
    assert not isinstance(text, Markup) and text == "<i>\ufffd\ufffd"  # still text: autoescaped after


def test_the_english_edition_has_its_own_feed_in_english_under_en(repo):
    """The same entries, said in English at the English edition's addresses (en/nouveautes.xml), well-formed Atom."""
    from atlas import i18n

    h = history.read(repo / "content")
    entries = news.entries(h, repo / "content", {"lille": "Lille", "arras": "Arras"})
    f = news.feed("https://atlas.example.org/npdc/", "Atlas", "Licence Ouverte 2.0", entries)
    french = ET.fromstring(_render(f).encode("utf-8"))
    with i18n.using("en"):
        xml = _render(f)
        assert entries[0].summary == "2 partnerships added: Senegal, Morocco; updated: population."
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert root.find(f"{ATOM}title").text == "Atlas — what's new"
    assert root.find(f"{ATOM}subtitle").text == "Local authorities added and entries updated, most recent first."
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"][0]
    assert self_link.get("href") == "https://atlas.example.org/npdc/en/nouveautes.xml"
    items = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in items] == [
        "Lille: 2 partnerships added: Senegal, Morocco", "Arras: new entry, partners not known to date",
        "Lille: new entry: 1 partnership (Leeds (United Kingdom))"]
    assert items[0].find(f"{ATOM}link").get("href") == "https://atlas.example.org/npdc/en/collectivites/lille/"
    # its own entry ids: a reader subscribed to both editions sees two distinct entries
    assert not {e.find(f"{ATOM}id").text for e in items} & {e.find(f"{ATOM}id").text for e in french.findall(f"{ATOM}entry")}
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.language == "en" and parsed.entries[0].link.endswith("/en/collectivites/lille/")
    # the French feed is left as it was
    assert french.find(f"{ATOM}entry/{ATOM}title").text == "Lille : 2 partenariats ajoutés : Sénégal, Maroc"


def test_a_project_title_is_said_in_the_file_s_own_english_when_it_gives_one():
    from atlas import i18n

    before = {"partenariats": [{"partenaire": {"nom": "Leeds"}, "pays": "GB"}]}
    after = {"partenariats": [{"partenaire": {"nom": "Leeds"}, "pays": "GB", "projets": [
        {"titre": "Échanges scolaires", "titre_en": "School exchanges"}, {"titre": "Jardins"}]}],
        "engagement_en": "Twinned with Leeds."}
    assert news.describe(before, after) == ["2 projets ajoutés : « Échanges scolaires », « Jardins »", "mise à jour : présentation"]
    with i18n.using("en"):
        assert news.describe(before, after) == ["2 projects added: “School exchanges”, “Jardins”", "updated: presentation"]
        many = {"partenariats": [{"partenaire": {"nom": f"Ville {i}"}, "pays": "DE"} for i in range(7)]}
        assert news.describe(None, many) == [
            "new entry: 7 partnerships (Ville 0 (Germany), Ville 1 (Germany), Ville 2 (Germany), Ville 3 (Germany), "
            "Ville 4 (Germany) and 2 others)"]
