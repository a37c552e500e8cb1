"""Atlas de la coopération décentralisée : du YAML au site statique."""

__version__ = "0.1.0"

# The site's name when nothing gives one; a build takes mkdocs.yml's site_name (config.Settings).
SITE_NAME = "Atlas de la coopération"


class AtlasError(Exception):
    """A build stops with this French message (the plugin hands it to MkDocs as a PluginError)."""
