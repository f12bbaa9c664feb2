"""The map view: QPainter drawing of what app/core/geo computes (no web engine, no network
needed for the basemap)."""
