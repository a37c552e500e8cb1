"""Indexes: « Qui d'autre ? » stays relevant and bounded at national scale."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atlas import pipeline
from atlas.commands import synth
from atlas.content import index
from atlas.content.countries import fold


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """Few countries, many collectivités each: hundreds of candidates per country."""
    out = tmp_path_factory.mktemp("synth") / "contenu"
    synth.write(out, collectivites=600, partnerships=1500, countries=8, seed=3)
    loaded = pipeline.load(out)
    return loaded.atlas, loaded.idx


def test_synergies_put_shared_partners_first_and_examine_a_bounded_number_of_candidates(crowded, monkeypatch):
    atlas, idx = crowded
    assert max(len(m) for m in idx.members_of.values()) > 200  # the case that used to take every member
    created = []
    real = index.Synergy

    def counting(*args, **kwargs):
        created.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(index, "Synergy", counting)
    checked = 0
    for slug, c in list(atlas.collectivites.items())[:200]:
        created.clear()
        result = idx.synergies(slug, limit=12)
        sharing = {q.collectivite for p in c.partnerships if p.partner
                   for q in idx.by_partner.get((fold(p.partner.name), p.country), []) if q.collectivite != slug}
        assert len(created) <= 12 * index.SYNERGY_CANDIDATES_PER_SLOT + len(sharing)
        assert len(result) <= 12 and slug not in {s.other.slug for s in result}
        assert [s.score for s in result] == sorted((s.score for s in result), reverse=True)
        if sharing:
            checked += 1
            expected = min(len(sharing), 12)
            assert {s.other.slug for s in result[:expected]} <= sharing, slug
            assert all(s.same_partner for s in result[:expected])
    assert checked > 10


class _CountingList(list):
    """A list that counts the items read from it."""
    read = 0

    def __iter__(self):
        for item in super().__iter__():
            _CountingList.read += 1
            yield item


def test_synergies_read_a_bounded_number_of_partnerships_when_thousands_share_one_partner(tmp_path):
    """3,000 files naming the same town cost about what 3,000 distinct ones cost: each collectivité
    reads at most the candidates it can rank, not every other file naming the town."""


    content = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parents[1] / "content", content,
                    ignore=lambda d, names: [n for n in names if d.endswith("collectivites")])
    (content / "collectivites").mkdir(exist_ok=True)
    n = 600
    for i in range(n):
        (content / "collectivites" / f"commune-{i}.yml").write_text(
            f"nom: Commune {i}\ntype: commune\ndepartement: '59'\nsources: [actes-colloque-lianes-2009]\n"
            "partenariats:\n  - partenaire: {nom: Kaya}\n    pays: BF\n    nature: jumelage\n"
            "    sources: [actes-colloque-lianes-2009]\n", encoding="utf-8")
    idx = pipeline.load(content).idx
    key = (fold("Kaya"), "BF")
    idx.by_partner[key] = _CountingList(idx.by_partner[key])
    room = 12 * index.SYNERGY_CANDIDATES_PER_SLOT
    for slug in list(idx.atlas.collectivites)[:50]:
        _CountingList.read = 0
        result = idx.synergies(slug, limit=12)
        assert _CountingList.read <= room + 2, _CountingList.read  # not the 600 others
        assert len(result) == 12 and all(s.same_partner == ["Kaya"] for s in result)
