"""The checker's cache (atlas/content/checkcache.py): a file checked once is not checked again
while its bytes and references are unchanged, and the report is the same, problem for problem,
with or without the cache — whatever the edits, and whatever a damaged cache holds."""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas import caches, config, pipeline
from atlas.content import checkcache, checker, records, yamlio
from repository import git, run_atlas

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(autouse=True)
def _fresh_memory():
    """Each test starts with an empty in-memory cache (a module-level dict, as `atlas serve` keeps it)."""
    checkcache.forget()
    yield
    checkcache.forget()


def _same(a, b) -> bool:
    """Equal, and of the same types all the way down (True is not 1, a DateText is not a str)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(map(type, a)) == list(map(type, b)) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)


def _assert_same_report(cached: checker.Report, plain: checker.Report) -> None:
    assert [p.format() for p in cached.problems] == [p.format() for p in plain.problems]
    assert cached.problems == plain.problems  # rules and severities too
    assert list(cached.collectivites) == list(plain.collectivites)
    for slug, doc in plain.collectivites.items():
        other = cached.collectivites[slug]
        assert other.path == doc.path and _same(other.data, doc.data) and other.lines == doc.lines, slug
    assert _same(cached.lists, plain.lists)
    assert list(cached.pays) == list(plain.pays) and list(cached.tables) == list(plain.tables)


def _check(content: Path, cache_dir: Path | None) -> checker.Report:
    return checker.check(content, cache=checkcache.CheckCache(cache_dir) if cache_dir else None)


# -- the values: every type yamlio produces, back exactly --

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 15, 10 ** 15),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                     st.text(max_size=8).map(yamlio.DateText))
_KEYS = st.one_of(st.text(max_size=6), st.text(max_size=6).map(yamlio.DateText))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
                       max_leaves=30)
_LINES = st.dictionaries(st.lists(st.one_of(st.text(max_size=5), st.integers(0, 300)), max_size=4).map(tuple),
                         st.integers(1, 10 ** 6), max_size=8)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(data=_VALUES, lines=_LINES)
def test_an_entry_gives_back_every_value_type_exactly(data, lines):
    entry = checkcache.Entry((), data, lines)
    back = checkcache.decode("k", checkcache.encode("k", entry))
    assert _same(back.data, data)
    assert back.lines == lines and all(_same(list(k), list(j)) for k, j in zip(back.lines, lines, strict=True))


def test_every_real_and_corpus_file_goes_through_an_entry_unchanged():
    files = sorted(CONTENT.rglob("*.yml")) + sorted(CORPUS.glob("*.yml"))
    read = 0
    for path in files:
        try:
            doc = yamlio.read(path)
        except yamlio.YamlError:
            continue
        read += 1
        problems = ((3, "message « x »", "conseil", "avertissement", "schema.type"),)
        back = checkcache.decode("k", checkcache.encode("k", checkcache.Entry(problems, doc.data, doc.lines)))
        assert _same(back.data, doc.data) and back.lines == doc.lines and back.problems == problems, path
    assert read > 100


def test_a_date_typed_as_a_key_or_a_top_level_value_stays_a_date():
    for data in (yamlio.DateText("2020-01-01"), {yamlio.DateText("2020-01-01"): [yamlio.DateText("2021-02-02"), "x"]},
                 [{"a": {yamlio.DateText("1999-01-01"): None, "b": yamlio.DateText("2000-01-01")}}]):
        back = checkcache.decode("k", checkcache.encode("k", checkcache.Entry((), data, {})))
        assert _same(back.data, data)


# -- the report: the same with and without the cache, whatever the edits --

def _files(content: Path) -> list[Path]:
    return sorted((content / "collectivites").iterdir())


def _edit_file(path: Path, how: str, content: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if how == "unknown-key":
        text += "cle_inconnue: x\n"
    elif how == "syntax":
        text += "\tcasse: [\n"
    elif how == "country-name":
        text = re.sub(r"pays: [A-Z]{2}\b", "pays: Maroc", text, count=1) if "pays: " in text else text + "pays: Maroc\n"
    elif how == "country-without-fiche":
        text = re.sub(r"pays: [A-Z]{2}\b", "pays: BT", text, count=1)
    elif how == "unknown-source":
        text = text.replace("sources: [", "sources: [source-inexistante, ", 1)
    elif how == "future-year":
        text = re.sub(r"depuis: \d{4}", "depuis: 2999", text, count=1) if "depuis: " in text else text.replace(
            "partenariats: inconnus", "partenariats:\n  - partenaire: inconnu\n    pays: SN\n    nature: jumelage\n"
            "    depuis: 2999\n    sources: [actes-colloque-lianes-2009]")
    elif how == "same-name-as-another":
        other = _files(content)[0]
        name = re.search(r"^nom: (.*)$", other.read_text(encoding="utf-8"), re.M)
        if name:
            text = re.sub(r"^nom: .*$", f"nom: {name.group(1)}", text, count=1, flags=re.M)
    elif how == "new-source":  # described by two fiches: refused in the second, across files
        text = text.replace("sources: [", "sources: [source-des-fiches, ", 1)
        text += "nouvelles_sources:\n  - cle: source-des-fiches\n    titre: Délibération\n    date: 2020-03-12\n"
    elif how == "thousands-point":
        text += "population: {valeur: 12.000, annee: 2020, source: actes-colloque-lianes-2009}\n"
    # "same-bytes": written again as it was (a new modification time, the same content)
    path.write_text(text, encoding="utf-8")


_LIST_EDITS = ("drop-source", "add-source", "add-theme", "break-sources", "restore")


def _edit_lists(content: Path, how: str) -> None:
    sources = content / "sources.yml"
    if how == "restore":
        for name in checker.LISTS.values():
            shutil.copyfile(CONTENT / name, content / name)
    elif how == "drop-source":  # the most cited one: its files now cite an unknown source
        blocks = sources.read_text(encoding="utf-8").split("\n- cle: ")
        sources.write_text("\n- cle: ".join(b for b in blocks if not b.startswith("actes-colloque-lianes-2009\n")),
                           encoding="utf-8")
    elif how == "add-source":
        sources.write_text(sources.read_text(encoding="utf-8") + "- cle: source-ajoutee\n  titre: Ajoutée\n  date: 2021-05-04\n",
                           encoding="utf-8")
    elif how == "add-theme":
        themes = content / "thematiques.yml"
        themes.write_text(themes.read_text(encoding="utf-8") + "- cle: eau-assainisement\n  libelle: Eau (faute)\n", encoding="utf-8")
    elif how == "break-sources":
        sources.write_text(sources.read_text(encoding="utf-8") + "\tcasse\n", encoding="utf-8")


_FILE_EDITS = ("unknown-key", "syntax", "country-name", "country-without-fiche", "unknown-source", "future-year",
               "same-name-as-another", "new-source", "thousands-point", "same-bytes")
_CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.yml"))
_NAMES = ("nouvelle-ville.yml", "Ville Accentuée.yml", "renommee.yaml", "index.yml", "zz-derniere.yml")
_ACTIONS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 200), st.sampled_from(_FILE_EDITS)),
    st.tuples(st.just("remove"), st.integers(0, 200)),
    st.tuples(st.just("rename"), st.integers(0, 200), st.sampled_from(_NAMES)),
    st.tuples(st.just("add"), st.sampled_from(_CORPUS_FILES), st.sampled_from(_NAMES)),
    st.tuples(st.just("lists"), st.sampled_from(_LIST_EDITS)),
    st.tuples(st.just("forget")),  # the process ends: the next check reads the disk entries
)


def _apply(content: Path, action: tuple) -> None:
    files = _files(content)
    kind = action[0]
    if kind == "edit" and files:
        _edit_file(files[action[1] % len(files)], action[2], content)
    elif kind == "remove" and files:
        files[action[1] % len(files)].unlink()
    elif kind == "rename" and files:
        files[action[1] % len(files)].rename(content / "collectivites" / action[2])
    elif kind == "add":
        shutil.copyfile(CORPUS / action[1], content / "collectivites" / action[2])
    elif kind == "lists":
        _edit_lists(content, action[1])
    elif kind == "forget":
        checkcache.forget()


@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=st.lists(_ACTIONS, min_size=1, max_size=6))
def test_the_cached_report_equals_the_report_without_cache_after_any_edits(actions):
    checkcache.forget()
    with tempfile.TemporaryDirectory() as tmp:
        content, cache_dir = Path(tmp) / "content", Path(tmp) / "cache"
        shutil.copytree(CONTENT, content)
        _assert_same_report(_check(content, cache_dir), _check(content, None))
        for action in actions:
            _apply(content, action)
            _assert_same_report(_check(content, cache_dir), _check(content, None))


# -- what is checked again --

@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The collectivité files parsed (every parse goes through yamlio.decode), by name."""
    names: list[str] = []
    real = yamlio.decode

    def counting(raw, path):
        if Path(path).parent.name == "collectivites":
            names.append(Path(path).name)
        return real(raw, path)

    monkeypatch.setattr(yamlio, "decode", counting)
    return names


def test_one_changed_file_is_the_only_file_parsed_again(content_copy, tmp_path, parsed):
    cache_dir = tmp_path / "cache"
    _check(content_copy, cache_dir)
    assert len(parsed) == len(_files(content_copy))
    parsed.clear()
    _check(content_copy, cache_dir)
    assert parsed == []
    _edit_file(content_copy / "collectivites" / "lille.yml", "unknown-key", content_copy)
    report = _check(content_copy, cache_dir)
    assert parsed == ["lille.yml"]
    assert any(p.path.endswith("lille.yml") and "cle_inconnue" in p.message for p in report.errors)
    parsed.clear()
    checkcache.forget()  # a new process: every entry read back from the disk
    from_disk = _check(content_copy, cache_dir)
    assert parsed == []
    _assert_same_report(from_disk, _check(content_copy, None))


def test_pipeline_load_parses_only_the_changed_file_and_keeps_the_cache_beside_the_content(content_copy, parsed):
    pipeline._load.cache_clear()
    first = pipeline.load(content_copy)
    assert len(parsed) == len(_files(content_copy))
    assert len(_stored(content_copy.parent / ".cache" / "atlas" / "check")) == len(parsed)  # mkdocs.yml's default folder
    parsed.clear()
    bouvines = content_copy / "collectivites" / "bouvines.yml"
    bouvines.write_text(bouvines.read_text(encoding="utf-8") + "# relue\n", encoding="utf-8")
    second = pipeline.load(content_copy)
    assert parsed == ["bouvines.yml"]
    assert second is not first and second.atlas.collectivites.keys() == first.atlas.collectivites.keys()
    pipeline._load.cache_clear()


def test_a_long_lived_process_builds_again_only_the_changed_file_s_record(content_copy, monkeypatch):
    """atlas serve: after a save, the records of the unchanged files are those of the last load."""
    pipeline._load.cache_clear()
    first = pipeline.load(content_copy)
    built: list[str] = []
    real = records._collectivite
    monkeypatch.setattr(records, "_collectivite", lambda slug, doc, root: built.append(slug) or real(slug, doc, root))
    bouvines = content_copy / "collectivites" / "bouvines.yml"
    bouvines.write_text(bouvines.read_text(encoding="utf-8").replace("Bouvines", "Bouvines-en-Pévèle", 1), encoding="utf-8")
    second = pipeline.load(content_copy)
    assert built == ["bouvines"]
    assert second.atlas.collectivites["lille"] is first.atlas.collectivites["lille"]
    assert second.atlas.collectivites["bouvines"].name == "Bouvines-en-Pévèle"
    records._last.clear()
    fresh = records.build_atlas(second.report)
    assert fresh.collectivites == second.atlas.collectivites and fresh.countries == second.atlas.countries
    pipeline._load.cache_clear()


def test_checking_one_file_takes_the_others_from_the_cache_with_the_same_report(content_copy, tmp_path, parsed):
    """`atlas check fiche.yml`: the others only matter as possible duplicates; those the cache holds
    are not parsed, and the report is the same."""
    cache_dir = tmp_path / "cache"
    _check(content_copy, cache_dir)
    twin = content_copy / "collectivites" / "lille-bis.yml"
    shutil.copyfile(content_copy / "collectivites" / "lille.yml", twin)
    parsed.clear()
    checkcache.forget()
    cached = checker.check(content_copy, only=twin, cache=checkcache.CheckCache(cache_dir))
    assert parsed == ["lille-bis.yml"]
    plain = checker.check(content_copy, only=twin)
    assert cached.problems == plain.problems
    assert any(p.rule == "collectivite.en-double" for p in cached.problems)


def test_a_changed_list_checks_again_every_file_that_reads_it(content_copy, tmp_path, parsed):
    cache_dir = tmp_path / "cache"
    _check(content_copy, cache_dir)
    parsed.clear()
    _edit_lists(content_copy, "drop-source")
    report = _check(content_copy, cache_dir)
    assert sorted(parsed) == sorted(p.name for p in _files(content_copy))
    assert any("source inconnue « actes-colloque-lianes-2009 »" in p.message for p in report.errors)
    _edit_lists(content_copy, "restore")
    restored = _check(content_copy, cache_dir)
    assert restored.ok
    _assert_same_report(restored, _check(content_copy, None))
    assert len(_packs(cache_dir)) == 1  # the entries of the other lists went: nothing asks for them any more


def test_the_year_is_part_of_the_key(tmp_path, monkeypatch):
    """« année dans le futur » depends on today: an entry of last year is not this year's."""
    cache = checkcache.CheckCache(tmp_path)
    cache.start({})
    key = cache.key("lille.yml", b"nom: Lille\n")
    monkeypatch.setattr(checkcache, "this_year", lambda: 1990)
    cache.start({})
    assert cache.key("lille.yml", b"nom: Lille\n") != key


# -- a damaged cache never hides an error --

def _key(content: Path, path: Path) -> str:
    cache = checkcache.CheckCache(None)
    cache.start(checker.check_lists(content))
    return cache.key(path.name, path.read_bytes())


def _packs(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("*" + checkcache.PACK))


def _stored(cache_dir: Path) -> dict:
    """Every entry of the packs, by key (as JSON)."""
    entries: dict = {}
    for pack in _packs(cache_dir):
        data = caches.unseal(pack.read_bytes())
        if data is not None:
            entries.update(checkcache.loads(data)["entries"])
    return entries


def _pack(entries: dict) -> bytes:
    return checkcache.dumps({"format": checkcache.FORMAT, "entries": entries})


def _no_problem(key: str) -> dict:
    return checkcache.to_json(key, checkcache.Entry((), {"nom": "Lille"}, {(): 1}))


# (the pack's bytes, lille's key, bouvines' stored entry) -> the pack's damaged bytes
_DAMAGES = {
    "truncated": lambda raw, key, other: raw[: len(raw) // 2],
    "one-byte-changed": lambda raw, key, other: raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:],
    "empty": lambda raw, key, other: b"",
    "unsealed-json": lambda raw, key, other: _pack({key: _no_problem(key)}),
    "sealed-json-of-another-hash": lambda raw, key, other: caches.seal(_pack({key: _no_problem("0" * 64)})),
    "another-file-s-entry": lambda raw, key, other: caches.seal(_pack({key: other})),
    "sealed-other-format": lambda raw, key, other: caches.seal(checkcache.dumps({"format": 99, "entries": {key: _no_problem(key)}})),
    "sealed-not-json": lambda raw, key, other: caches.seal(b"\x80\x81 pas du json"),
    "sealed-nan": lambda raw, key, other: caches.seal(_pack({key: _no_problem(key)}).replace(b'"nom":"Lille"', b'"nom":NaN')),
    "sealed-wrong-types": lambda raw, key, other: caches.seal(json.dumps(
        {"format": 1, "entries": {key: {"key": key, "problems": [["1", "m", "", "erreur", "r"]], "document": None}}}).encode()),
    "sealed-document-of-a-file-in-error": lambda raw, key, other: caches.seal(_pack(
        {key: {"key": key, "problems": [[1, "m", "", "erreur", "r"]], "document": {"data": {"value": {}, "dates": []}, "lines": []}}})),
    "sealed-misplaced-date": lambda raw, key, other: caches.seal(_pack(
        {key: {"key": key, "problems": [], "document": {"data": {"value": {"a": 1}, "dates": [["a", "value"]]}, "lines": []}}})),
    "deeply-nested": lambda raw, key, other: caches.seal(b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("damage", sorted(_DAMAGES))
def test_a_damaged_or_foreign_entry_is_checked_again_and_never_hides_an_error(content_copy, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    lille = content_copy / "collectivites" / "lille.yml"
    _edit_file(lille, "unknown-key", content_copy)
    _check(content_copy, cache_dir)
    [pack] = _packs(cache_dir)
    key, other = _key(content_copy, lille), _stored(cache_dir)[_key(content_copy, content_copy / "collectivites" / "bouvines.yml")]
    assert _stored(cache_dir)[key]["problems"]
    pack.write_bytes(_DAMAGES[damage](pack.read_bytes(), key, other))
    checkcache.forget()
    report = _check(content_copy, cache_dir)
    assert any(p.path.endswith("lille.yml") and "cle_inconnue" in p.message for p in report.errors)
    _assert_same_report(report, _check(content_copy, None))
    checkcache.forget()
    assert checkcache.CheckCache(cache_dir).get(key).problems  # stored again, whole, in a new pack


def test_a_link_planted_in_the_cache_is_not_followed(content_copy, tmp_path):
    cache_dir = tmp_path / "cache"
    lille = content_copy / "collectivites" / "lille.yml"
    _edit_file(lille, "unknown-key", content_copy)
    _check(content_copy, cache_dir)
    [pack] = _packs(cache_dir)
    planted = tmp_path / "planted.pack"
    planted.write_bytes(caches.seal(_pack({_key(content_copy, lille): _no_problem(_key(content_copy, lille))})))
    pack.unlink()
    pack.symlink_to(planted)
    checkcache.forget()
    report = _check(content_copy, cache_dir)
    assert any(p.path.endswith("lille.yml") and "cle_inconnue" in p.message for p in report.errors)


def test_a_cache_committed_with_a_pull_request_is_never_read(tmp_path):
    """Keys are public hashes: a pull request could commit a pack saying its broken file is fine,
    under the right key. git tracks it: `atlas check` ignores the cache, says so, and finds the error."""
    repo = _repository(tmp_path, "")
    lille = repo / "content" / "collectivites" / "lille.yml"
    _edit_file(lille, "unknown-key", repo / "content")
    key = _key(repo / "content", lille)
    folder = repo / ".cache" / "atlas" / "check"
    folder.mkdir(parents=True)
    (folder / ("0" * 16 + checkcache.PACK)).write_bytes(caches.seal(_pack({key: to_json_valid(key, lille)})))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "add", "-f", ".cache")
    result = run_atlas("check", "content", cwd=repo)
    assert result.returncode == 1 and "cle_inconnue" in result.stdout
    assert "versionnés dans le dépôt : cache ignoré" in result.stderr
    pipeline._load.cache_clear()
    with pytest.raises(pipeline.ContentError):
        pipeline.load(repo / "content")
    pipeline._load.cache_clear()


def to_json_valid(key: str, path: Path) -> dict:
    """What an entry of a valid file would say: no problem, the file's own data."""
    doc = yamlio.read(path)
    return checkcache.to_json(key, checkcache.Entry((), doc.data, checker.slim_lines(doc)))


def test_hostile_files_give_the_same_french_errors_through_the_cache(content_copy, tmp_path):
    from test_hostile_input import CASES

    for name, (text, _line, _words) in CASES.items():
        (content_copy / "collectivites" / f"{name}.yml").write_text(text, encoding="utf-8")
    cache_dir = tmp_path / "cache"
    plain = _check(content_copy, None)
    first = _check(content_copy, cache_dir)
    from_memory = _check(content_copy, cache_dir)
    checkcache.forget()
    from_disk = _check(content_copy, cache_dir)
    for report in (first, from_memory, from_disk):
        _assert_same_report(report, plain)
    output = "\n".join(p.format() for p in from_disk.problems)
    for name, (_text, line, words) in CASES.items():
        assert f"{name}.yml:{line}: erreur :" in output and words in output, name


# -- where the cache is, and how to turn it off --

def _repository(tmp_path: Path, options: str) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Essai\nplugins:\n  - atlas:\n" + options
        + "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:os.system\n", encoding="utf-8")
    return tmp_path


def test_atlas_check_keeps_its_results_in_the_cache_folder_of_mkdocs_yml(tmp_path):
    repo = _repository(tmp_path, "      dossier_cache: cache-perso\n")
    first = run_atlas("check", "content", cwd=repo)
    assert first.returncode == 0 and len(_stored(repo / "cache-perso" / "check")) == len(_files(repo / "content"))
    second = run_atlas("check", "content", cwd=repo)
    assert (second.returncode, second.stdout, second.stderr) == (first.returncode, first.stdout, first.stderr)
    assert not (repo / ".cache").exists()


@pytest.mark.parametrize("options, args", [("      cache: false\n", ()), ("", ("--sans-cache",))])
def test_cache_false_or_sans_cache_checks_every_file_and_writes_nothing(tmp_path, options, args):
    repo = _repository(tmp_path, options)
    result = run_atlas("check", "content", *args, cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (repo / ".cache").exists()


def test_mkdocs_yml_is_read_for_the_cache_options_without_running_its_tags(tmp_path):
    repo = _repository(tmp_path, "      cache: false\n      contenu: !ENV [ATLAS_CONTENU, content]\n")
    assert config.settings_beside(repo / "content").check_cache is None
    (repo / "mkdocs.yml").write_text("plugins:\n  - atlas:\n      dossier_cache: ailleurs\n", encoding="utf-8")
    assert config.settings_beside(repo / "content").check_cache == repo.resolve() / "ailleurs" / "check"
    (repo / "mkdocs.yml").unlink()
    assert config.settings_beside(repo / "content").check_cache == repo.resolve() / ".cache" / "atlas" / "check"


def test_pipeline_load_without_cache_writes_nothing(content_copy, parsed):
    pipeline._load.cache_clear()
    pipeline.load(content_copy, check_cache=False)
    pipeline._load.cache_clear()
    pipeline.load(content_copy, check_cache=False)
    assert len(parsed) == 2 * len(_files(content_copy))
    assert not (content_copy.parent / ".cache").exists()
    pipeline._load.cache_clear()


def test_the_slim_lines_answer_the_rules_across_files_as_the_full_lines(content_copy):
    for path in _files(content_copy):
        doc = yamlio.read(path)
        slim = yamlio.Document(path, doc.data, checker.slim_lines(doc))
        parts = doc.data.get("partenariats")
        wheres = [("nom",), ("code",), ("nouvelles_sources",)] + [
            ("partenariats", i, "pays") for i in range(len(parts) if isinstance(parts, list) else 0)]
        assert [slim.line(w) for w in wheres] == [doc.line(w) for w in wheres], path


def test_packs_unused_for_keep_days_are_pruned(content_copy, tmp_path):
    cache_dir = tmp_path / "cache"
    _check(content_copy, cache_dir)
    stale = cache_dir / ("0" * 16 + checkcache.PACK)
    stale.write_bytes(b"vieux")
    os.utime(stale, (0, 0))
    _edit_file(content_copy / "collectivites" / "lille.yml", "unknown-key", content_copy)
    _check(content_copy, cache_dir)
    assert not stale.exists()


def test_packs_are_merged_into_one_when_they_pile_up(content_copy, tmp_path):
    """A pack per pull request, each changing another file: after MAX_PACKS of them, one pack of what
    the last check used; a pack whose entries no check asks for any more goes at once."""
    cache_dir = tmp_path / "cache"
    counts = []
    for i in range(checkcache.MAX_PACKS + 2):
        path = _files(content_copy)[i]
        path.write_text(path.read_text(encoding="utf-8") + "# relue\n", encoding="utf-8")
        checkcache.forget()
        _check(content_copy, cache_dir)
        counts.append(len(_packs(cache_dir)))
    assert counts == list(range(1, checkcache.MAX_PACKS + 1)) + [1, 2]  # merged at the pack one too many
    current = {_key(content_copy, path) for path in _files(content_copy)}
    assert current <= set(_stored(cache_dir)) and len(_stored(cache_dir)) == len(current) + 1  # + the last file's old version
    lille = content_copy / "collectivites" / "lille.yml"
    lille.write_text(lille.read_text(encoding="utf-8") + "# relue\n", encoding="utf-8")
    checkcache.forget()
    _check(content_copy, cache_dir)
    assert len(_packs(cache_dir)) == 3
    lille.write_text(lille.read_text(encoding="utf-8") + "# encore\n", encoding="utf-8")
    _check(content_copy, cache_dir)  # from memory: the pack of lille's previous version gave nothing
    assert len(_packs(cache_dir)) == 3
    checkcache.forget()
    _assert_same_report(_check(content_copy, cache_dir), _check(content_copy, None))
