"""The maps: interactive pages (Folium/Leaflet), images (PNG/SVG), their script and style."""
