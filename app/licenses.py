"""The licence *texts* behind About's list (app/about.py names the libraries and their licences):
Cabinet's own, every library's, and the bundle's non-Python parts. Qt-free.

Python packages carry their licence files in their installed metadata (dist-info), in a pip
install and in the bundle alike (the bundle keeps the dist-info of everything it holds). PySide6's
wheels carry none: Qt's texts (LGPL-3.0 and the GPL texts it builds on) ship in
app/resources/qt-licenses/, so every install has them. The bundle also ships the other parts
that are not Python packages (the interpreter, the system libraries it copies); their texts are
in app/resources/licenses/<component>-<version>/, written at build time by packaging/notices.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app import DIST_NAME, version
from app.about import bundled_libraries, cabinet_licence
from app.resources import resource_path

# Qt's licence as PySide6 ships it, and the distributions that are Qt (their wheels have no text).
QT_LICENCE = "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"
QT_DISTRIBUTIONS = frozenset({"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"})
_MAX_TEXT = 1024 * 1024  # a bound on one licence file read for the viewer

_LICENCE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$|(^|/)licenses/", re.IGNORECASE)


@dataclass(frozen=True)
class Notice:
    """One component: its name, version, licence (SPDX expression or the package's own words)
    and the files with the full texts."""

    name: str
    version: str
    license: str
    files: tuple[Path, ...]

    def texts(self) -> str:
        """The licence texts, one after the other, each under its file name."""
        return "\n\n".join(f"==> {path.name} <==\n{_read(path)}" for path in self.files)


def _read(path: Path) -> str:
    with path.open("rb") as f:
        return f.read(_MAX_TEXT).decode("utf-8", errors="replace")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_files(distribution: str) -> tuple[Path, ...]:
    """The licence files in an installed distribution's metadata (or, for a checkout's egg-info,
    the ones its License-File fields name); none when it has none."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return ()
    declared = set(dist.metadata.get_all("License-File") or [])
    found = []
    for entry in dist.files or []:
        name = str(entry)
        if (".dist-info/" in name and _LICENCE_FILE.search(name)) or name in declared:
            path = Path(str(dist.locate_file(entry))).resolve()
            if path.is_file():
                found.append(path)
    return tuple(sorted(set(found)))


def qt_licence_files() -> tuple[Path, ...]:
    """Qt's notice (what Cabinet uses under which licence, where the source is) and licence texts."""
    folder = resource_path("qt-licenses")
    return tuple(sorted(folder.glob("*.txt"), key=lambda p: (p.name != "NOTICE.txt", not p.name.startswith("LGPL"),
                                                              p.name)))


def qt_notice() -> Notice:
    """Qt itself (the libraries inside PySide6, the same version as PySide6)."""
    release = next((lib.version for lib in bundled_libraries() if _normal(lib.name) == "pyside6-essentials"), "")
    return Notice("Qt", release or "6", QT_LICENCE, qt_licence_files())


def cabinet_notice() -> Notice:
    """Cabinet's own licence (MIT)."""
    return Notice(DIST_NAME, version(), cabinet_licence(), licence_files(DIST_NAME))


def bundled_notices() -> list[Notice]:
    """The bundle's parts that are not Python packages (the interpreter, Qt, system libraries);
    none in a pip install or a checkout."""
    folder = resource_path("licenses")
    if not folder.is_dir():
        return []
    notices = []
    for component in sorted(p for p in folder.iterdir() if p.is_dir()):
        name, _, release = component.name.rpartition("-")
        files = tuple(sorted(p for p in component.iterdir() if p.is_file()))
        notices.append(Notice(name or component.name, release, "see the licence files", files))
    return notices


def third_party_notices() -> list[Notice]:
    """Everything About lists besides Cabinet, with the licence texts: Qt and the bundle's
    non-Python parts first, then every library Cabinet runs on (app.about.bundled_libraries;
    PySide6's and shiboken6's texts are Qt's)."""
    libraries = [Notice(lib.name, lib.version, lib.licence,
                        licence_files(lib.name) or (qt_licence_files() if _normal(lib.name) in QT_DISTRIBUTIONS else ()))
                 for lib in bundled_libraries()]
    return [qt_notice(), *bundled_notices(), *libraries]
