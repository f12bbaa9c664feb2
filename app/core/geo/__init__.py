"""Geo computation for the map view, Qt-free and I/O-free: Web Mercator, the viewport (with the
world wrapping around the antimeridian), clustering, a spatial index, label placement and the
offline basemap's decoding. app/ui/map/ draws what these compute."""
