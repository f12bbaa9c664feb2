"""Before QApplication: can Qt open a window here? If not, one readable paragraph with the fix.

Without a display, or with a library missing that Qt's platform plugin needs (libxcb-cursor0
is the usual one on Linux since Qt 6.5), Qt prints a few lines about plugins and aborts the
process. This check runs first and finds those cases the way Qt would meet them: it reads the
environment for a display and loads the platform plugin's shared library (with ctypes, no Qt
code runs) to see whether its libraries resolve. Qt-free, so it can run before PySide6 loads.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

# Platforms that draw on a desktop's display; anything else (offscreen, minimal, vnc, eglfs...)
# is someone's deliberate choice, not ours to second-guess.
DESKTOP_PLATFORMS = {"xcb": "libqxcb.so", "wayland": "libqwayland.so"}

# The distribution packages that carry the libraries Qt's xcb plugin most often misses.
PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
}

NO_DISPLAY = (
    "Cabinet cannot open its window: there is no display to show it on (neither DISPLAY nor "
    "WAYLAND_DISPLAY is set). Start Cabinet from your desktop session (its menu entry, or a "
    "terminal inside the desktop); over SSH use `ssh -X`. To run without a screen, set "
    "QT_QPA_PLATFORM=offscreen. The command-line tools work without a display: see `cabinet --help`."
)


def _requested(environ: Mapping[str, str]) -> list[str]:
    """The platform names QT_QPA_PLATFORM asks for, in order (``xcb:opt`` → ``xcb``)."""
    return [part.split(":")[0].strip() for part in environ.get("QT_QPA_PLATFORM", "").split(";") if part.strip()]


def platforms_dir(environ: Mapping[str, str]) -> Path | None:
    """Where Qt looks for its platform plugins: QT_QPA_PLATFORM_PLUGIN_PATH, else PySide6's own
    (the same folder in a pip install and in the PyInstaller bundle)."""
    override = environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"


def _missing_library(plugin: Path) -> str | None:
    """None when the plugin's shared libraries all load; else the loader's complaint."""
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as exc:
        return str(exc)
    return None


def _library_name(loader_error: str) -> str:
    """``libxcb-cursor.so.0`` out of ``/x/libxcb-cursor.so.0: cannot open shared object file: ...``."""
    match = re.search(r"([^\s/:]+\.so[.\d]*): cannot open shared object file", loader_error)
    return match.group(1) if match else loader_error


def missing_library_message(platform: str, library: str) -> str:
    debian, fedora = PACKAGES.get(library, (None, None))
    fix = (
        f"Install it (Debian, Ubuntu: `sudo apt install {debian}`; Fedora, RHEL: `sudo dnf install {fedora}`; "
        f"openSUSE: `sudo zypper install {debian}`; Arch: `sudo pacman -S {fedora}`) and start Cabinet again."
        if debian else
        f"Install the package of your distribution that provides {library} and start Cabinet again."
    )
    return (f"Cabinet cannot open its window: Qt's \"{platform}\" display plugin needs the system library "
            f"{library}, which is not installed. {fix}")


def platform_problem(environ: Mapping[str, str], plugins: Path | None, system: str = sys.platform) -> str | None:
    """None when Qt can be expected to open a window; else one paragraph saying why not and what to do."""
    if not system.startswith("linux"):
        return None
    requested = _requested(environ)
    if requested and any(name not in DESKTOP_PLATFORMS for name in requested):
        return None
    has_wayland, has_x = bool(environ.get("WAYLAND_DISPLAY")), bool(environ.get("DISPLAY"))
    if not requested:
        if not has_wayland and not has_x:
            return NO_DISPLAY
        # Qt prefers Wayland in a Wayland session and falls back to X11 (XWayland).
        requested = (["wayland"] if has_wayland else []) + (["xcb"] if has_x else [])
    if plugins is None:
        return None  # not a PySide6 layout we know: let Qt speak for itself
    problems: list[str] = []
    for name in requested:
        if name == "wayland" and not has_wayland or name == "xcb" and not has_x:
            problems.append(NO_DISPLAY)
            continue
        plugin = plugins / DESKTOP_PLATFORMS[name]
        if not plugin.exists():
            return None
        error = _missing_library(plugin)
        if error is None:
            return None  # the first platform that works is the one Qt uses
        problems.append(missing_library_message(name, _library_name(error)))
    return problems[-1] if problems else None


def check_platform(environ: Mapping[str, str] = os.environ) -> str | None:
    """The start-up check for this process: :func:`platform_problem` on the real environment."""
    return platform_problem(environ, platforms_dir(environ))
