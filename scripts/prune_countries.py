"""Derive the atlas's own country shapes from Natural Earth (run once, by hand).

The shipped file keeps only what the atlas needs (ISO alpha-2 code and a simplified
geometry), so the repository carries ~0.5 MB instead of 4 MB. French names are not
stored: they come from Babel at build time.

    python scripts/prune_countries.py ../shared/data/naturalearth/ne_50m_admin_0_countries.geojson
"""
import sys
from pathlib import Path

import geopandas as gpd

# Natural Earth's "-99" features: fold the breakaway parts into their ISO country,
# give Kosovo its customary user-assigned code, drop specks with no ISO owner.
FOLD = {"CYN": "CY", "SOL": "SO", "KOS": "XK"}
TOLERANCE_DEG = 0.05
OUT = Path(__file__).parent / "atlas" / "data" / "pays.geojson"


def main(src: str) -> None:
    world = gpd.read_file(src)
    world["iso"] = world["iso_a2"].where(world["iso_a2"] != "-99", world["adm0_a3"].map(FOLD))
    world = world.dropna(subset=["iso"])[["iso", "geometry"]]
    world = world.dissolve(by="iso", as_index=False)
    world["geometry"] = world.geometry.simplify(TOLERANCE_DEG, preserve_topology=True)
    world = world[~world.geometry.is_empty]
    OUT.write_text(world.to_json(drop_id=True, to_wgs84=False).replace(", ", ","), encoding="utf-8")
    # Round after writing: to_json has no precision option in every geopandas release.
    import json
    data = json.loads(OUT.read_text(encoding="utf-8"))

    def rnd(c):
        return [rnd(x) for x in c] if isinstance(c[0], list) else [round(c[0], 3), round(c[1], 3)]

    for f in data["features"]:
        f["geometry"]["coordinates"] = rnd(f["geometry"]["coordinates"])
    OUT.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    print(f"{len(data['features'])} pays écrits dans {OUT} ({OUT.stat().st_size // 1024} Ko)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/naturalearth/ne_50m_admin_0_countries.geojson")
