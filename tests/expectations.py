"""What the maps must draw, computed from the data independently of maps.py."""
from __future__ import annotations

from atlas.content.model import LOCATION_COUNTRY


def expected_counts(atlas, partnerships, subject=None) -> tuple[int, int]:
    """Links: one per (collectivité, partner place) with a known seat; markers: distinct seats,
    distinct partner places (a country point per country for unknown partners)."""
    seats, places, pairs = set(), set(), set()
    if subject is not None and subject.seat:
        seats.add((round(subject.seat.lat, 3), round(subject.seat.lon, 3)))
    for p in partnerships:
        if p.point is None:
            continue
        c = atlas.collectivites[p.collectivite]
        if p.location == LOCATION_COUNTRY:
            place = ("pays", p.country)
        else:
            place = (p.location, round(p.point.lat, 3), round(p.point.lon, 3))
        places.add(place)
        if c.seat:
            seats.add((round(c.seat.lat, 3), round(c.seat.lon, 3)))
            pairs.add((c.slug, place))
    return len(pairs), len(seats) + len(places)
