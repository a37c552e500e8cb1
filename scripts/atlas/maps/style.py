"""The maps' palette, in one place: the PNG/SVG images draw with it, and the web maps receive it
with their data (interactive.py → static/carte.js), so both always agree."""

SEA = "#dfe9f0"
LAND = "#d9d6cf"
BORDER = "#ffffff"
TEXT = "#1f1f1f"
MUTED = "#555555"
PARTNER_COLOR = "#333333"
COUNTRY_COLOR = "#6b6b6b"
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
TYPE_COLORS = {"commune": "#0072B2", "intercommunalite": "#009E73", "departement": "#D55E00", "region": "#CC79A7"}
CLASS_COLORS = ["#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"]
FLOW_COLOR = "#1d5a8c"  # flows (aggregated partnerships): one colour, the width tells the number
FLOW_ORIGIN_COLOR = TYPE_COLORS["region"]  # where the flows start: the atlas's collectivités together
