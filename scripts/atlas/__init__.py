"""Atlas de la coopération décentralisée : du YAML au site statique."""

__version__ = "0.1.0"

# The site's name when nothing gives one; a build takes mkdocs.yml's site_name (pipeline.Settings).
SITE_NAME = "Atlas de la coopération"
