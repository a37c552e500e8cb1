"""The atlas's one configuration.

`Settings` is what every stage takes (pipeline, maps, exports, pages), each default written
here once. `AtlasOptions` is the plugin's block of mkdocs.yml (`plugins: - atlas:`), grouped and
documented; its keys are French, as every key a person types. `settings()` maps them, with
MkDocs's own options (site_url, site_name, repo_url), to `Settings`: the plugin, `atlas build`,
the benchmark and the tests all go through it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c
from yaml_env_tag import construct_env_tag

from atlas import SITE_NAME, urls
from atlas.i18n import N_

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# in the edition's language where shown (maps/viewer.py); another attribution set in mkdocs.yml is shown as written
OSM_ATTRIBUTION = N_('&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>')
ETALAB_LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
ETALAB_LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class Settings:
    """What the generation needs from the site's configuration."""

    # -- the site (MkDocs's own options) --
    site_url: str = ""  # public address, absolute and ending with "/"; "" when the build has none (urls.public)
    site_name: str = SITE_NAME  # the viewer's title, the images' source line, the feed's and data package's name
    repo_url: str = ""
    contact: str = ""  # e-mail address offered to readers without a GitHub account
    languages: tuple[str, ...] = ("fr",)  # published editions: French at the root, each other under <lang>/
    # -- maps --
    tiles_url: str = OSM_TILES
    tiles_attribution: str = OSM_ATTRIBUTION  # HTML, shown by Leaflet under the map
    tiles_name: str = N_("Fond OpenStreetMap")  # in the edition's language where shown
    png: bool = True  # static map images (emails, link previews, open data); the benchmark may turn them off
    workers: int | None = None  # PNG worker processes (None: one per core, up to 8)
    # -- data --
    licence: str = ETALAB_LICENCE
    licence_url: str = ETALAB_LICENCE_URL
    # -- caches (as Material's plugins: under .cache/, reused by content) --
    cache_dir: Path | None = None  # None: every page and image made again

    @property
    def images_cache(self) -> Path | None:
        return self.cache_dir / "images" if self.cache_dir else None

    @property
    def pages_cache(self) -> Path | None:
        return self.cache_dir / "pages" if self.cache_dir else None

    @property
    def check_cache(self) -> Path | None:
        return self.cache_dir / "check" if self.cache_dir else None

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


DEFAULTS = Settings()


class AtlasOptions(base.Config):
    """The `atlas` plugin's options in mkdocs.yml."""

    # -- content --
    contenu = c.Type(str, default="content")  # the content folder (atlas build --contenu sets it)
    guide = c.Type(str, default="CONTRIBUTING.md")  # published as the contribution guide
    contact = c.Type(str, default=DEFAULTS.contact)
    # -- editions: French at the site root, each other language under <lang>/ (site/editions.py) --
    langues = c.ListOfItems(c.Type(str), default=list(DEFAULTS.languages))
    # -- maps --
    tuiles_url = c.Type(str, default=DEFAULTS.tiles_url)
    tuiles_attribution = c.Type(str, default=DEFAULTS.tiles_attribution)
    cartes_png = c.Type(bool, default=DEFAULTS.png)
    # -- data --
    licence_donnees = c.Type(str, default=DEFAULTS.licence)
    licence_url = c.Type(str, default=DEFAULTS.licence_url)
    # -- caches --
    cache = c.Type(bool, default=True)  # pages, images and check results of earlier builds reused, by content
    dossier_cache = c.Type(str, default=".cache/atlas")


def settings(options: AtlasOptions, site_url: str | None = "", site_name: str | None = None,
             repo_url: str | None = "", root: Path = Path(".")) -> Settings:
    """The settings of a build: the plugin's options and MkDocs's own (`root`: mkdocs.yml's folder)."""
    return Settings(
        site_url=urls.public(site_url), site_name=site_name or DEFAULTS.site_name, repo_url=repo_url or "",
        contact=options.contact, languages=tuple(options.langues), tiles_url=options.tuiles_url,
        tiles_attribution=options.tuiles_attribution,
        png=options.cartes_png, licence=options.licence_donnees, licence_url=options.licence_url,
        cache_dir=(root / options.dossier_cache) if options.cache else None)


def from_mkdocs(options: AtlasOptions, config) -> Settings:
    """The settings of the build MkDocs runs (`config`: its loaded configuration)."""
    return settings(options, config.site_url, config.site_name, config.repo_url, Path(config.config_file_path).parent)


def settings_beside(content_dir: Path | str) -> Settings:
    """The settings of the build of `content_dir` as far as `atlas check` and `pipeline.load` need
    them (the cache folder), without MkDocs's configuration: the atlas options of the mkdocs.yml
    beside the content folder (in its parent, the repository, as `atlas build` lays them out),
    resolved from that folder as the plugin does; without a readable mkdocs.yml there, the
    defaults (cache in `.cache/atlas` of that folder)."""
    repository = Path(content_dir).resolve().parent
    options = AtlasOptions()
    options.load_dict({})
    mkdocs_yml = repository / "mkdocs.yml"
    if mkdocs_yml.is_file():
        try:
            options = options_of(_read_mkdocs_yml(mkdocs_yml))
        except (OSError, UnicodeError, ValueError, yaml.YAMLError):
            pass  # the build will say what is wrong with it; a check keeps the default
    return settings(options, root=repository)


class _SafeConfigLoader(yaml.SafeLoader):
    """mkdocs.yml read for its atlas options only: !ENV as MkDocs reads it, any other tag
    (« !!python/name: » of Markdown extensions) left unbuilt — reading it runs no code."""


_SafeConfigLoader.add_constructor("!ENV", construct_env_tag)
_SafeConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _read_mkdocs_yml(path: Path) -> dict:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeConfigLoader)
    if not isinstance(raw, dict):
        raise ValueError("mkdocs.yml n'est pas un dictionnaire")
    return raw


def options_of(mkdocs_yml: dict) -> AtlasOptions:
    """The plugin's options read from a mkdocs.yml already parsed (the benchmark rewrites copies of it)."""
    raw = next((p["atlas"] for p in mkdocs_yml.get("plugins", []) if isinstance(p, dict) and "atlas" in p), {}) or {}
    options = AtlasOptions()
    options.load_dict(dict(raw))
    failed, _ = options.validate()
    if failed:
        raise ValueError("; ".join(f"{key} : {err}" for key, err in failed))
    return options
