"""The licence *texts* behind About's list (app/about.py names the libraries and their licences):
Cabinet's own, every library's, and the bundle's non-Python parts. Qt-free.

Python packages carry their licence files in their installed metadata (dist-info), in a pip
install and in the bundle alike (the bundle keeps the dist-info of everything it holds). The
bundle also ships the parts that are not Python packages (the interpreter, Qt, the system
libraries it copies); their texts are in app/resources/licenses/<component>-<version>/,
written at build time by packaging/notices.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app import DIST_NAME, version
from app.about import bundled_libraries, cabinet_licence
from app.resources import resource_path

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
        return "\n\n".join(f"==> {path.name} <==\n{path.read_text(encoding='utf-8', errors='replace')}"
                           for path in self.files)


def licence_files(distribution: str) -> tuple[Path, ...]:
    """The licence files in an installed distribution's metadata; none when it has none."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return ()
    found = []
    for entry in dist.files or []:
        if ".dist-info/" in str(entry) and _LICENCE_FILE.search(str(entry)):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                found.append(path)
    return tuple(sorted(found))


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
    """Everything About lists besides Cabinet, with the licence texts: the bundle's non-Python
    parts first, then every library Cabinet runs on (app.about.bundled_libraries)."""
    libraries = [Notice(lib.name, lib.version, lib.licence, licence_files(lib.name)) for lib in bundled_libraries()]
    return [*bundled_notices(), *libraries]
