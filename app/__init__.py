"""Cabinet: a desktop app for a collectibles inventory on InstaMapp and maps on Mapiry."""

from __future__ import annotations

APP_NAME = "Cabinet"
# The one application id (reverse DNS): the .desktop file's name, Qt's desktop file name, the
# AppStream metainfo id and the installed icon's name (packaging/linux/ uses it as file names).
APP_ID = "io.github.cabinetapp.Cabinet"
DIST_NAME = "cabinet"


def version() -> str:
    """Cabinet's version, read from the installed distribution's metadata: pyproject.toml is its
    one source."""
    # start-up: importlib.metadata costs tens of ms the first paint does not need
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(DIST_NAME)
    except PackageNotFoundError:
        return "0+unknown"  # a checkout on sys.path that was never installed


def __getattr__(name: str) -> str:
    """``app.__version__`` (PEP 562), computed on first use."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'app' has no attribute {name!r}")
