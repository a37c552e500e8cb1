"""One configuration: every stage takes `config.Settings`, made from mkdocs.yml by one function,
and each default is written once."""
from __future__ import annotations

from pathlib import Path

from mkdocs.config import load_config

from atlas import config

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scripts" / "atlas"


def test_the_plugin_takes_the_settings_config_makes_from_mkdocs_yml(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ATLAS_SITE_URL", "https://atlas.example.org/npdc")
    cfg = load_config(str(ROOT / "mkdocs.yml"))
    plugin = cfg.plugins["atlas"]
    cfg = plugin.on_config(cfg)
    assert plugin.settings == config.from_mkdocs(plugin.config, cfg)
    assert plugin.settings.site_url == "https://atlas.example.org/npdc/"  # made public, ending with "/"
    assert plugin.settings.site_name == cfg.site_name
    assert plugin.settings.cache_dir == ROOT / ".cache" / "atlas"
    assert plugin.settings.tiles_attribution == config.DEFAULTS.tiles_attribution


def test_each_option_default_is_the_settings_default():
    options = config.AtlasOptions()
    options.load_dict({})
    assert not options.validate()[0]
    made = config.settings(options)
    for field in ("tiles_url", "tiles_attribution", "png", "licence", "licence_url", "contact"):
        assert getattr(made, field) == getattr(config.DEFAULTS, field), field


def test_each_default_is_written_once_in_the_code():
    """The licence, the tiles and their attribution were once written in four places, and two
    attributions differed: now only config.py holds them."""
    for value in (config.ETALAB_LICENCE, config.ETALAB_LICENCE_URL, config.OSM_TILES, "contributeurs OpenStreetMap"):
        holders = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                         if value in p.read_text(encoding="utf-8"))
        assert holders == ["config.py"], (value, holders)


def test_an_option_with_the_wrong_type_is_refused_by_name():
    raw = {"plugins": [{"atlas": {"cartes_png": "peut-être"}}]}
    try:
        config.options_of(raw)
    except ValueError as exc:
        assert "cartes_png" in str(exc)
    else:
        raise AssertionError("une option de mauvais type est acceptée")
