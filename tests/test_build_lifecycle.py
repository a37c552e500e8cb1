"""The plugin's lifecycle owns the PNG worker pool: a failed build leaves no process drawing."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_a_build_that_fails_after_the_maps_started_stops_their_workers(tmp_path, monkeypatch):
    from mkdocs.commands import build as mkbuild
    from mkdocs.config import load_config

    from atlas.maps import images as static_maps
    from atlas.site import pages

    monkeypatch.setattr(static_maps, "default_workers", lambda: 2)  # a pool, even on a one-core machine
    monkeypatch.setattr(static_maps, "PARALLEL_MIN", 1)  # whatever the number of maps
    monkeypatch.chdir(ROOT)

    def fail(html):
        raise RuntimeError("échec simulé pendant le rendu des pages")

    monkeypatch.setattr(pages, "toc_tokens", fail)  # on_env: after on_files has started the drawing
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    config.plugins["atlas"].config.cache = False  # every page rendered (none taken finished from the cache)
    started = []
    real = static_maps.render_many
    monkeypatch.setattr(static_maps, "render_many", lambda *a, **k: started.append(1) or real(*a, **k))
    with pytest.raises(Exception, match="échec simulé"):
        mkbuild.build(config)
    assert started  # the drawing had begun
    assert multiprocessing.active_children() == [], "des processus de dessin tournent encore"
