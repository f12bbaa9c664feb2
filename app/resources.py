"""Where Cabinet's bundled files (icons, OpenAPI specs, seed data) live.

From a source checkout they are in `resources/` beside the `app` package; in a
PyInstaller bundle they are unpacked under `sys._MEIPASS/resources`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of a bundled file, e.g. resource_path("icons", "cabinet.svg")."""
    return resources_dir().joinpath(*parts)
