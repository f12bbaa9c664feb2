"""Desktop integration: the .desktop file and the AppStream metainfo pass their validators
(desktop-file-validate, appstreamcli), claim CSV and TSV only, and use the one app id that Qt is
told as well; `make install-desktop` puts them and the icons (PNG 16-512 px and the SVG) under
the user's XDG data folder and `make uninstall-desktop` takes every file away again.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from configparser import ConfigParser
from pathlib import Path
from urllib.parse import urlsplit

from app import APP_ID, version
from tests.packaging.tools import PACKAGING, ROOT

DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _desktop_entry(path: Path) -> dict[str, str]:
    parser = ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_the_desktop_file_validates_and_claims_only_csv_and_tsv() -> None:
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    entry = _desktop_entry(DESKTOP)
    assert [m for m in entry["MimeType"].split(";") if m] == ["text/csv", "text/tab-separated-values"]
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == "cabinet %f"


def test_the_metainfo_validates_with_screenshots_release_and_rating() -> None:
    done = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("content_rating") is not None
    assert [r.get("version") for r in root.iter("release")][0] == version()
    shots = root.findall("screenshots/screenshot/image")
    assert len(shots) >= 2
    for image in shots:  # each one is a screenshot of the repository's docs, at its real size
        local = ROOT / "docs" / "screenshots" / Path(image.text or "").name
        width, height = struct.unpack(">II", local.read_bytes()[16:24])
        assert (image.get("width"), image.get("height")) == (str(width), str(height))


def test_the_project_url_is_written_once_and_the_metainfo_and_app_id_agree_with_it() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    home = urls["Homepage"]
    parts = urlsplit(home)
    owner, repository = parts.path.strip("/").split("/")
    assert (parts.scheme, parts.netloc) == ("https", "github.com")
    assert APP_ID.startswith(f"io.github.{owner}."), "an io.github.<owner> id belongs to github.com/<owner>"
    assert urls["Issues"] == f"{home}/issues"
    root = ET.parse(METAINFO).getroot()
    assert {url.get("type"): url.text for url in root.iter("url")} == {
        "homepage": home, "bugtracker": urls["Issues"], "vcs-browser": home}
    raw = f"https://raw.githubusercontent.com/{owner}/{repository}/main/docs/screenshots/"
    for image in root.findall("screenshots/screenshot/image"):  # the repository's own screenshots
        assert (image.text or "").startswith(raw) and (ROOT / "docs" / "screenshots" / image.text[len(raw):]).is_file()
    assert "example.org" not in METAINFO.read_text(encoding="utf-8") + (ROOT / "pyproject.toml").read_text("utf-8")


def test_qt_is_told_the_same_app_id(tmp_path: Path) -> None:
    probe = ("import runpy, sys\n"
             "from PySide6.QtGui import QGuiApplication\n"
             "from app.ui import launch\n"
             "report = launch._first_paint_report\n"
             "def spy(window, when):\n"
             "    print('DESKTOP_FILE', QGuiApplication.desktopFileName(), flush=True)\n"
             "    report(window, when)\n"
             "launch._first_paint_report = spy\n"
             "sys.argv = ['app', '--demo']\n"
             "runpy.run_module('app', run_name='__main__')\n")
    env = dict(os.environ, CABINET_EXIT_AFTER_FIRST_PAINT="1", CABINET_DATA_DIR=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg"), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"DESKTOP_FILE {APP_ID}\n" in done.stdout


def _make(target: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_DATA_HOME=str(data), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(["make", "--no-print-directory", target], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_install_and_uninstall_desktop_for_the_current_user(tmp_path: Path) -> None:
    data = tmp_path / "share"
    done = _make("install-desktop", data)
    assert done.returncode == 0, done.stderr[-3000:]
    installed = _desktop_entry(data / "applications" / f"{APP_ID}.desktop")
    exe = installed["Exec"].rsplit(" ", 1)[0].strip('"')
    assert Path(exe).is_file() and os.access(exe, os.X_OK) and installed["Exec"].endswith(" %f")
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()
    hicolor = data / "icons" / "hicolor"
    for n in SIZES:
        png = (hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (n, n)
    assert (hicolor / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == \
        (ROOT / "app" / "resources" / "icons" / "cabinet.svg").read_bytes()
    validated = subprocess.run(["desktop-file-validate", str(data / "applications" / f"{APP_ID}.desktop")],
                               capture_output=True, text=True)
    assert validated.returncode == 0, validated.stdout

    done = _make("uninstall-desktop", data)
    assert done.returncode == 0, done.stderr[-3000:]
    left = [p for p in data.rglob("*") if p.is_file() and p.name != "mimeinfo.cache" and "icon-theme" not in p.name]
    assert left == []
