"""The fields a CSV column can be mapped to, in mapping order. A module of its own so the command
line can name them (``--name-column`` ...) without loading the CSV engine."""

FIELDS = ("name", "lat", "lng", "wkt", "description", "address", "category", "tags", "layer")
