"""Aggregation: the indexes every page, map and export reads (records → indexes)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from atlas.content.countries import fold
from atlas.content.model import Atlas, Collectivite, Partnership


@dataclass
class Synergy:
    other: Collectivite
    same_partner: list[str] = field(default_factory=list)  # partner names shared
    same_countries: list[str] = field(default_factory=list)  # ISO codes shared
    same_themes: list[str] = field(default_factory=list)  # theme keys shared

    @property
    def score(self) -> tuple:
        return (len(self.same_partner), len(self.same_countries), len(self.same_themes))


@dataclass
class Index:
    atlas: Atlas
    by_country: dict[str, list[Partnership]]
    by_theme: dict[str, list[Partnership]]
    by_network: dict[str, list[Collectivite]]
    by_partner: dict[tuple[str, str], list[Partnership]]  # (folded name, country) → partnerships
    countries_of: dict[str, set[str]]  # collectivité slug → countries
    themes_of: dict[str, set[str]]
    members_of: dict[str, list[str]]  # country → slugs of the collectivités working there (file order)

    # -- counts for the statistics page and the home page --
    def count_by_zone(self) -> Counter:
        return Counter(self.atlas.countries[p.country].zone for p in self.atlas.partnerships)

    def count_by_type(self) -> Counter:
        return Counter(self.atlas.collectivites[p.collectivite].type for p in self.atlas.partnerships)

    def count_by_decade(self) -> Counter:
        return Counter(f"{p.since // 10 * 10}" if p.since else "inconnue" for p in self.atlas.partnerships)

    def count_by_theme(self) -> Counter:
        return Counter({k: len(v) for k, v in self.by_theme.items()})

    def count_by_country(self) -> Counter:
        return Counter({k: len(v) for k, v in self.by_country.items()})

    def collectivites_in(self, code: str) -> list[Collectivite]:
        return [self.atlas.collectivites[s] for s in self.members_of.get(code, [])]

    def synergies(self, slug: str, limit: int = 6) -> list[Synergy]:
        """Other collectivités with the same partner, in the same countries, on the same themes.

        Six: enough to point a reader somewhere, one screen on a phone; twelve made « Qui d'autre ? »
        the heaviest part of a page (4.4 kB of 30 on average, 21 MB of a national site).

        Candidates come from the same partner first, then from the countries the collectivité
        shares with the fewest others (working in Burkina Faso says more than twinning in Germany),
        so the cost stays bounded at national scale instead of growing with every pair.
        """
        me = self.atlas.collectivites[slug]
        candidates: dict[str, Synergy] = {}

        def get(other_slug: str) -> Synergy:
            if other_slug not in candidates:
                candidates[other_slug] = Synergy(self.atlas.collectivites[other_slug])
            return candidates[other_slug]

        room = limit * SYNERGY_CANDIDATES_PER_SLOT
        for p in me.partnerships:
            if p.partner:
                # Bounded too: 3,000 files naming the same town made this loop quadratic (each of
                # them walked the 3,000 others); the first `room` others are enough to rank.
                for q in self.by_partner.get((fold(p.partner.name), p.country), []):
                    if q.collectivite == slug:
                        continue
                    if q.collectivite not in candidates and len(candidates) >= room:
                        break
                    shared = get(q.collectivite).same_partner
                    if p.partner.name not in shared:
                        shared.append(p.partner.name)
        my_countries = self.countries_of.get(slug, set())
        # Bounded inside each country too: at national scale one country holds hundreds of
        # collectivités, and taking them all made this the slowest step of the build.
        for code in sorted(my_countries, key=lambda c: (len(self.members_of[c]), c)):
            for other in self.members_of[code]:
                if len(candidates) >= room:
                    break
                if other != slug:
                    get(other)
        my_themes = self.themes_of.get(slug, set())
        for s in candidates.values():
            other_countries = self.countries_of.get(s.other.slug, set())
            s.same_countries = sorted(my_countries & other_countries)
            s.same_themes = sorted(my_themes & self.themes_of.get(s.other.slug, set()))
        ranked = sorted(candidates.values(), key=lambda s: (s.score, s.other.slug), reverse=True)
        return ranked[:limit]


SYNERGY_CANDIDATES_PER_SLOT = 4


def build(atlas: Atlas) -> Index:
    by_country: dict = defaultdict(list)
    by_theme: dict = {k: [] for k in atlas.themes}
    by_network: dict = {k: [] for k in atlas.networks}
    by_partner: dict = defaultdict(list)
    countries_of: dict = defaultdict(set)
    themes_of: dict = defaultdict(set)
    for c in atlas.collectivites.values():
        for m in c.networks:
            by_network.setdefault(m.network, []).append(c)
        for p in c.partnerships:
            by_country[p.country].append(p)
            countries_of[c.slug].add(p.country)
            for t in p.themes:
                by_theme.setdefault(t, []).append(p)
                themes_of[c.slug].add(t)
            if p.partner:
                by_partner[(fold(p.partner.name), p.country)].append(p)
                for alias in p.partner.aliases:
                    if (fold(alias), p.country) != (fold(p.partner.name), p.country):
                        by_partner[(fold(alias), p.country)].append(p)
    members_of = {code: list(dict.fromkeys(p.collectivite for p in ps)) for code, ps in by_country.items()}
    return Index(atlas, dict(by_country), by_theme, by_network, dict(by_partner), dict(countries_of), dict(themes_of),
                 members_of)
