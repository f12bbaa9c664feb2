"""What "About Cabinet" says, without Qt: Cabinet's version and licence, and the libraries it
runs on with theirs, read from the installed packages' metadata (so it never goes stale)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata

from app import APP_NAME, DIST_NAME, __version__

DISTRIBUTION = DIST_NAME
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_MAX_LIBRARIES = 200  # a bound on the walk over requirements


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    licence: str


def _licence(meta: metadata.PackageMetadata) -> str:
    """The short licence of a package: its SPDX expression, a one-line License field, or the
    name in its "License ::" classifier."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            return classifier.rsplit("::", 1)[-1].strip()
    return "see the package's licence file"


def _runtime_requirements(dist: str) -> list[str]:
    out = []
    for requirement in metadata.requires(dist) or []:
        if "extra ==" in requirement:
            continue
        match = _NAME.match(requirement)
        if match:
            out.append(match.group(1))
    return out


def cabinet_licence() -> str:
    try:
        return _licence(metadata.metadata(DISTRIBUTION))
    except metadata.PackageNotFoundError:
        return "MIT"


def bundled_libraries(root: str = DISTRIBUTION) -> list[Library]:
    """Every library Cabinet runs on (its runtime requirements and theirs), sorted by name."""
    seen: dict[str, Library] = {}
    queue = _safe_requirements(root)
    while queue and len(seen) < _MAX_LIBRARIES:
        name = queue.pop(0)
        key = name.lower().replace("_", "-").replace(".", "-")
        if key in seen:
            continue
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-specific requirement that is not installed
        seen[key] = Library(meta.get("Name") or name, meta.get("Version") or "?", _licence(meta))
        queue.extend(_safe_requirements(name))
    return sorted(seen.values(), key=lambda lib: lib.name.lower())


def _safe_requirements(dist: str) -> list[str]:
    try:
        return _runtime_requirements(dist)
    except metadata.PackageNotFoundError:
        return []


def about_text() -> str:
    """One line for logs and the CLI: name, version and licence."""
    return f"{APP_NAME} {__version__} ({cabinet_licence()})"
