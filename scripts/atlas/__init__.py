"""Atlas de la coopération décentralisée : du YAML au site statique."""

__version__ = "0.1.0"
