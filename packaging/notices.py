"""Licence texts of the bundle's parts that are not Python packages (their dist-info carries theirs):
the Python interpreter and, on Linux, the system libraries copied from the build machine. The spec
calls `write()`; the bundle has them under app/resources/licenses/<component>/, where
app.licenses finds them for the About box. Qt's (PySide6's wheels carry no licence file) are in
every install, not only the bundle: app/resources/qt-licenses/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path


def _python(out: Path) -> None:
    folder = out / f"Python-{sys.version.split()[0]}"
    folder.mkdir(parents=True, exist_ok=True)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for candidate in (stdlib / "LICENSE.txt", Path(sys.base_prefix) / "LICENSE.txt"):
        if candidate.exists():
            shutil.copyfile(candidate, folder / "LICENSE.txt")
            return
    raise SystemExit("cannot find the Python interpreter's LICENSE.txt")


def _debian_package(path: str) -> str | None:
    """The Debian package that installed ``path`` (dpkg knows it by its /usr or / name)."""
    resolved = Path(path).resolve()
    for candidate in {str(resolved), str(resolved).removeprefix("/usr"), path}:
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":", 1)[0]
    return None


def _system_libraries(out: Path, binaries: list[str]) -> None:
    """Debian's copyright file of every system library the bundle copies (Linux builds)."""
    if shutil.which("dpkg") is None:
        return
    site = {str(Path(p).resolve()) for p in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])}
    for path in binaries:
        resolved = str(Path(path).resolve())
        if any(resolved.startswith(s) for s in site) or resolved.startswith(sys.base_prefix):
            continue  # from a wheel (its dist-info has the licence) or the interpreter (Python's)
        package = _debian_package(path)
        copyright_file = Path("/usr/share/doc") / (package or "-").split(":")[0] / "copyright"
        if package and copyright_file.exists():
            name = package.split(":")[0]
            folder = out / f"{name}-{_debian_version(name)}"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copyright_file, folder / "copyright")


def _debian_version(package: str) -> str:
    shown = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
    return shown.stdout.strip().replace(":", "_") or "unknown"


def write(folder: str, binaries: list[str]) -> Path:
    """Fill ``folder`` (emptied first) with the notices; ``binaries`` are the source paths of the
    shared libraries going into the bundle."""
    out = Path(folder)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _python(out)
    if sys.platform.startswith("linux"):
        _system_libraries(out, binaries)
    return out
