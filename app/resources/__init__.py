"""Cabinet's bundled files (icons, OpenAPI documents, ...), shipped inside this package.

They are found through importlib.resources, so the same lookup works from a source checkout
(editable install), an installed wheel and a PyInstaller bundle (which collects this
package's data files under ``sys._MEIPASS/app/resources``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resources_dir() -> Path:
    """The folder of the bundled files; always a real folder (the package is never zipped)."""
    root = files(__name__)
    if not isinstance(root, Path):
        raise RuntimeError(f"Cabinet's resources are not in a folder ({root!r}); install Cabinet unzipped")
    return root


def resource_path(*parts: str) -> Path:
    """The path of a bundled file, e.g. resource_path("icons", "cabinet.svg")."""
    return resources_dir().joinpath(*parts)
