"""Cabinet: a desktop app for a collectibles inventory on InstaMapp and maps on Mapiry."""

__version__ = "0.1.0"
APP_NAME = "Cabinet"
