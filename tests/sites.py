"""Two builds of a site compared file by file, byte for byte, except what differs by design:

- the data's version (the repository's last commit and its date, in the open data and on « Données »),
  which names the code as well as the content;
- the engine's name in `<meta name="generator">` (MkDocs or ProperDocs).

Run as a script to compare two folders: python tests/sites.py SITE_A SITE_B
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_VERSION = re.compile(rb"\d{4}-\d\d-\d\d\+[0-9a-f]{12}")
_GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
_DATA = {"donnees/atlas.json", "donnees/partenariats.geojson", "donnees/datapackage.json"}


def _without_version(value):
    if isinstance(value, dict):
        return {k: _without_version(v) for k, v in value.items()
                if k not in ("version", "atlas_version", "created", "hash", "bytes")}
    if isinstance(value, list):
        return [_without_version(v) for v in value]
    return value


def _normal(rel: str, data: bytes) -> bytes:
    if rel in _DATA:
        return json.dumps(_without_version(json.loads(data)), sort_keys=True).encode()
    if rel.endswith(".html"):
        return _GENERATOR.sub(b"", _VERSION.sub(b"VERSION", data))
    return data


def differences(a: Path, b: Path) -> list[str]:
    """Files only in one site, then files whose bytes differ (beyond the version and the engine's name)."""
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    out = [f"seulement dans {a if f in files_a else b} : {f}" for f in sorted(files_a ^ files_b)]
    for rel in sorted(files_a & files_b):
        x, y = (a / rel).read_bytes(), (b / rel).read_bytes()
        if x != y and _normal(rel, x) != _normal(rel, y):
            out.append(f"différent : {rel}")
    return out


if __name__ == "__main__":
    found = differences(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(found) or "identiques")
    sys.exit(1 if found else 0)
