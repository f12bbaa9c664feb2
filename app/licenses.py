"""Cabinet's licence and the licences of what it uses, for Help → About (Qt-free).

Python packages carry their licence files in their installed metadata (dist-info), in a pip
install and in the bundle alike (the bundle keeps the dist-info of everything it holds). The
bundle also ships the parts that are not Python packages (the interpreter, Qt, system
libraries); their texts are in app/resources/licenses/<component>/, written at build time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from app import DIST_NAME
from app.resources import resource_path

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
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


def _license_name(dist: Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression") or ""
    if expression:
        return expression
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    short = (meta.get("License") or "").strip()
    return ", ".join(classifiers) or (short if short and "\n" not in short else "see the licence files")


def _files(dist: Distribution) -> tuple[Path, ...]:
    found = []
    for entry in dist.files or []:
        if ".dist-info/" in str(entry) and _LICENCE_FILE.search(str(entry)):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                found.append(path)
    return tuple(sorted(found))


def _notice(dist: Distribution) -> Notice:
    return Notice(dist.metadata["Name"], dist.version, _license_name(dist), _files(dist))


def cabinet_notice() -> Notice:
    """Cabinet's own licence (MIT)."""
    try:
        return _notice(distribution(DIST_NAME))
    except PackageNotFoundError:
        return Notice("cabinet", "unknown", "MIT", ())


def _requirement_names(dist: Distribution) -> list[str]:
    """The packages ``dist`` requires, without the optional extras (`; extra == ...`)."""
    names = []
    for requirement in dist.requires or []:
        if "extra ==" in requirement.replace("extra==", "extra =="):
            continue
        match = _NAME.match(requirement)
        if match:
            names.append(match.group(1))
    return names


def python_package_notices() -> list[Notice]:
    """Every Python package Cabinet runs on (what it requires, and what those require) that is
    installed here, sorted by name."""
    seen: dict[str, Notice] = {}
    pending = _requirement_names(distribution(DIST_NAME)) if _installed(DIST_NAME) else []
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen or not _installed(name):
            continue  # a platform-specific requirement that is not installed on this one
        dist = distribution(name)
        seen[key] = _notice(dist)
        pending.extend(_requirement_names(dist))
    return sorted(seen.values(), key=lambda n: n.name.lower())


def _installed(name: str) -> bool:
    try:
        distribution(name)
    except PackageNotFoundError:
        return False
    return True


def bundled_notices() -> list[Notice]:
    """The parts of a bundle that are not Python packages (the interpreter, Qt, system libraries);
    none in a pip install. Folder names are ``<component>-<version>``."""
    folder = resource_path("licenses")
    if not folder.is_dir():
        return []
    notices = []
    for component in sorted(p for p in folder.iterdir() if p.is_dir()):
        name, _, version = component.name.rpartition("-")
        files = tuple(sorted(p for p in component.iterdir() if p.is_file()))
        notices.append(Notice(name or component.name, version, "see the licence files", files))
    return notices


def third_party_notices() -> list[Notice]:
    """Everything About lists besides Cabinet itself: bundled parts first, then Python packages."""
    return [*bundled_notices(), *python_package_notices()]
