"""Indexes: « Qui d'autre ? » stays relevant and bounded at national scale."""
from __future__ import annotations

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
