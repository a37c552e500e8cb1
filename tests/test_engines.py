"""The atlas runs on MkDocs 1.6 and on ProperDocs, its drop-in fork (the exit when Material's
maintenance ends and MkDocs 2 runs no plugins): the real content built by each engine gives the
same pages and the same data files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from mkdocs.utils import yaml as mkyaml

from sites import differences

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path, name: str) -> Path:
    """mkdocs.yml with absolute paths and a cache of its own (each engine fills its own)."""
    cfg = mkyaml.yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    cfg["docs_dir"] = str(ROOT / cfg.get("docs_dir", "docs"))
    cfg["theme"]["custom_dir"] = str(ROOT / cfg["theme"]["custom_dir"])
    for plugin in cfg["plugins"]:
        if isinstance(plugin, dict) and "atlas" in plugin:
            plugin["atlas"].update(contenu=str(ROOT / "content"), guide=str(ROOT / "CONTRIBUTING.md"),
                                   dossier_cache=str(tmp_path / f"cache-{name}"))
    target = tmp_path / f"{name}.yml"
    target.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _build(engine: str, tmp_path: Path) -> Path:
    site = tmp_path / f"site-{engine}"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("ATLAS_CONTENU", None)
    done = subprocess.run([sys.executable, "-m", engine, "build", "-q", "-f", str(_config(tmp_path, engine)),
                           "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return site


def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path):
    with_mkdocs, with_properdocs = _build("mkdocs", tmp_path), _build("properdocs", tmp_path)
    assert (with_properdocs / "collectivites" / "lille" / "index.html").is_file()
    assert (with_properdocs / "donnees" / "partenariats.csv").is_file()
    engine = (with_properdocs / "index.html").read_text(encoding="utf-8")
    assert 'content="mkdocs-ProperDocs' in engine  # the build did run on ProperDocs
    assert differences(with_mkdocs, with_properdocs) == []
