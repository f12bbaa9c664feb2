"""Start-up without a display or with a library Qt's platform plugin needs missing: one readable
paragraph with the fix and exit status 1, not Qt's plugin abort.

The plugins are real shared objects: copies of PySide6's offscreen plugin (which loads wherever
the offscreen tests run) under the xcb plugin's name, one of them made to need a library that is
not there with patchelf, as a system without libxcb-cursor0 has it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.platform_check import NO_DISPLAY, platform_problem, platforms_dir

ROOT = Path(__file__).resolve().parents[2]
QT_PLUGINS = platforms_dir({})
assert QT_PLUGINS is not None
QT_LIB = QT_PLUGINS.parent.parent / "lib"


def _plugin_dir(tmp: Path, missing: str | None) -> Path:
    """A platforms folder whose libqxcb.so loads, or needs ``missing`` (absent) when given."""
    folder = tmp / "platforms"
    folder.mkdir()
    plugin = folder / "libqxcb.so"
    shutil.copy(QT_PLUGINS / "libqoffscreen.so", plugin)
    subprocess.run(["patchelf", "--set-rpath", str(QT_LIB), str(plugin)], check=True)
    if missing:
        subprocess.run(["patchelf", "--add-needed", str(tmp / "absent" / missing), str(plugin)], check=True)
    return folder


def test_no_display_is_one_message() -> None:
    assert platform_problem({}, QT_PLUGINS, system="linux") == NO_DISPLAY
    assert platform_problem({"QT_QPA_PLATFORM": "xcb"}, QT_PLUGINS, system="linux") == NO_DISPLAY


@pytest.mark.parametrize("env", [{"QT_QPA_PLATFORM": "offscreen"}, {"QT_QPA_PLATFORM": "vnc"}])
def test_platforms_without_a_display_are_left_to_qt(env: dict[str, str]) -> None:
    assert platform_problem(env, QT_PLUGINS, system="linux") is None


def test_other_systems_are_not_checked() -> None:
    assert platform_problem({}, QT_PLUGINS, system="win32") is None
    assert platform_problem({}, QT_PLUGINS, system="darwin") is None


def test_a_plugin_whose_libraries_load_passes(tmp_path: Path) -> None:
    assert platform_problem({"DISPLAY": ":0"}, _plugin_dir(tmp_path, None), system="linux") is None


def test_a_missing_xcb_library_names_the_package(tmp_path: Path) -> None:
    message = platform_problem({"DISPLAY": ":0"}, _plugin_dir(tmp_path, "libxcb-cursor.so.0"), system="linux")
    assert message is not None
    assert "libxcb-cursor.so.0" in message and "sudo apt install libxcb-cursor0" in message
    assert "sudo dnf install xcb-util-cursor" in message


def test_wayland_session_falls_back_to_x11_like_qt(tmp_path: Path) -> None:
    # No wayland plugin in this folder, a working xcb one: Qt would use X11 (XWayland).
    env = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    assert platform_problem(env, _plugin_dir(tmp_path, None), system="linux") is None


def _start(env_extra: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(CABINET_DATA_DIR=str(tmp / "data"), CABINET_CONFIG_DIR=str(tmp / "config"),
               XDG_CONFIG_HOME=str(tmp / "xdg"), **env_extra)
    return subprocess.run([sys.executable, "-m", "app", "--demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_starting_without_a_display_says_so(tmp_path: Path) -> None:
    done = _start({}, tmp_path)
    assert done.returncode == 1
    assert done.stderr.replace("\n", " ").strip() == NO_DISPLAY
    assert done.stdout == ""


def test_starting_without_libxcb_cursor_says_what_to_install(tmp_path: Path) -> None:
    plugins = _plugin_dir(tmp_path, "libxcb-cursor.so.0")
    done = _start({"DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(plugins)}, tmp_path)
    assert done.returncode == 1
    text = done.stderr.replace("\n", " ")
    assert text.startswith("Cabinet cannot open its window") and "sudo apt install libxcb-cursor0" in text
    assert "qt.qpa" not in done.stderr and "Traceback" not in done.stderr
