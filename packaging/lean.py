"""What goes into the bundle: the Qt parts Cabinet loads, not every part PySide6 ships.

PyInstaller's PySide6 hooks collect every plugin of every category QtGui might use and every
Qt translation; Cabinet imports QtCore, QtGui, QtWidgets (and QtSvg for its icon) and nothing
else, loads SVG and PNG images (PNG is built into QtGui) and no Qt translations. On Linux the
libraries every desktop already has (and that would raise the glibc floor if copied from the
build machine: libstdc++, libgcc_s, libexpat...) stay out too. docs/packaging.md says why each
part is there; the bundle test (tests/packaging/test_bundle.py) checks the result.

`keep(dest, platform)` is asked for every file PyInstaller collected, by its path in the bundle;
`prune(binaries)` then drops the shared libraries that only the left-out parts needed.
"""

from __future__ import annotations

import fnmatch
import re

# Qt's folder in the PySide6 wheel: PySide6/Qt/ on Linux and macOS, PySide6/ itself on Windows.
QT = re.compile(r"^PySide6/(?:Qt/)?")

# Plugin categories and the plugins Cabinet loads from them, per platform (file name globs).
PLUGINS_KEPT = {
    "linux": {
        "platforms": ["libqxcb.so", "libqwayland.so", "libqoffscreen.so"],
        "xcbglintegrations": ["*"],  # the xcb plugin asks for one when it starts
        "wayland-shell-integration": ["libxdg-shell.so"],
        "wayland-decoration-client": ["*"],  # window frames where the compositor draws none
        "platforminputcontexts": ["*"],  # compose key, dead keys; IBus for CJK input
        # The desktop's own file dialogs through the XDG portal (GNOME, KDE, sandboxes). Not the
        # GTK 3 theme: it pulls GTK, Pango, Cairo and Kerberos libraries in from the build machine.
        "platformthemes": ["libqxdgdesktopportal.so"],
        "imageformats": ["libqsvg.so"],
        "iconengines": ["libqsvgicon.so"],
    },
    "win32": {
        "platforms": ["qwindows.dll", "qoffscreen.dll"],
        "styles": ["*"],
        "imageformats": ["qsvg.dll", "qico.dll"],
        "iconengines": ["qsvgicon.dll"],
    },
    "darwin": {
        "platforms": ["libqcocoa.dylib", "libqoffscreen.dylib"],
        "styles": ["*"],
        "imageformats": ["libqsvg.dylib", "libqicns.dylib"],
        "iconengines": ["libqsvgicon.dylib"],
    },
}

# Qt libraries none of the kept modules or plugins link (QML/Quick, 3D, PDF, network, designer...).
QT_LIBS_KEPT = ("Core", "Gui", "Widgets", "Svg", "DBus", "XcbQpa", "WaylandClient")

# Linux libraries the target systems (glibc 2.34+ desktops) have, which copied from the build
# machine would raise the glibc/GLIBCXX floor or clash with the desktop's own drivers and themes.
LINUX_SYSTEM_LIBS = re.compile(
    r"^lib("
    r"stdc\+\+|gcc_s|expat|z|glib-2\.0|gthread-2\.0|gobject-2\.0|gio-2\.0|gmodule-2\.0|pcre2?-.*|"
    r"fontconfig|freetype|png16|brotli.*|bz2|harfbuzz|graphite2|"
    r"xkbcommon.*|dbus-1|X11.*|Xau|Xdmcp|Xext|Xrender|xcb.*|wayland-.*|EGL.*|GL.*|OpenGL|GLX|GLdispatch|"
    r"gtk-3|gdk-3|gdk_pixbuf-2\.0|pango.*|cairo.*|atk.*|epoxy|"
    r"systemd|udev|cap|gcrypt|gpg-error|lz4|zstd|mount|blkid|selinux|ffi|uuid|"
    # OpenSSL 3 (libssl.so.3) is on every glibc 2.34+ system and gets its security fixes there;
    # the `cryptography` package carries its own copy.
    r"ssl|crypto"
    r")\.so(\.|$)"
)


def _plugin_kept(rest: str, platform: str) -> bool:
    category, _, name = rest.partition("/")
    globs = PLUGINS_KEPT.get("linux" if platform.startswith("linux") else platform, {}).get(category, [])
    return any(fnmatch.fnmatch(name, glob) for glob in globs)


def _qt_lib_kept(name: str) -> bool:
    match = re.match(r"^(?:lib)?Qt6([A-Za-z]+)", name)
    return match is None or match.group(1) in QT_LIBS_KEPT


def keep(dest: str, platform: str) -> bool:
    """Whether the file collected for bundle path ``dest`` goes into the bundle on ``platform``."""
    dest = dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    in_qt = QT.sub("", dest) if QT.match(dest) else None
    if in_qt is not None and in_qt.startswith("plugins/"):
        return _plugin_kept(in_qt.removeprefix("plugins/"), platform)
    if in_qt is not None and in_qt.split("/", 1)[0] in ("translations", "qml", "metatypes"):
        return False  # Cabinet loads no Qt translations and no QML
    if not _qt_lib_kept(name):
        return False
    return not (platform.startswith("linux") and "/" not in dest and LINUX_SYSTEM_LIBS.match(name))


def _needed(path: str) -> list[str]:
    """The DT_NEEDED sonames of an ELF file; none for anything else."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            return [tag.needed for section in elf.iter_sections() if isinstance(section, DynamicSection)
                    for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]
    except (ELFError, OSError):
        return []


def _is_library(dest: str) -> bool:
    """A shared library that is only there for others to link (not a plugin, a Python module or
    libpython, which the bootloader loads)."""
    dest = dest.replace("\\", "/")
    if dest.startswith("libpython"):
        return False
    return "/" not in dest and ".so" in dest and not dest.endswith(".abi3.so") and "cpython" not in dest \
        or QT.sub("", dest).startswith("lib/")


def prune(binaries: list[tuple[str, str, str]], platform: str) -> list[tuple[str, str, str]]:
    """Linux: drop the libraries no kept plugin, module or library needs (PyInstaller collected
    them for the plugins `keep` left out, e.g. GTK's for the GTK theme)."""
    if not platform.startswith("linux"):
        return binaries
    by_name = {dest.replace("\\", "/").rsplit("/", 1)[-1]: (dest, source) for dest, source, _kind in binaries}
    pending = [source for dest, source, _kind in binaries if not _is_library(dest)]
    reached: set[str] = set()
    while pending:
        for name in _needed(pending.pop()):
            if name in by_name and name not in reached:
                reached.add(name)
                pending.append(by_name[name][1])
    return [entry for entry in binaries
            if not _is_library(entry[0]) or entry[0].replace("\\", "/").rsplit("/", 1)[-1] in reached]
