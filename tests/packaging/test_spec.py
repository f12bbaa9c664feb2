"""The PyInstaller spec read for Linux, Windows and macOS (only Linux can be built here): every
input it names exists, Windows gets a console companion for the command line, macOS a .app that
opens CSV/TSV files, the icons are made from the SVG at 16-256 px (.ico) and for macOS (.icns),
and the bundle keeps only the Qt parts Cabinet loads.

PyInstaller's build steps (Analysis, EXE, COLLECT, BUNDLE...) are recorded by stand-ins; the
spec's own code, its helpers (packaging/lean.py, notices.py) and PyInstaller's copy_metadata run
for real.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app import APP_ID, APP_NAME
from app.cli import COMMAND_MODULES
from tests.packaging.tools import PACKAGING, ROOT, load

SPEC = PACKAGING / "cabinet.spec"


class Recorder:
    """Stand-ins for the build steps PyInstaller puts into a spec's namespace."""

    def __init__(self) -> None:
        self.calls: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}

    def step(self, name: str) -> Any:
        recorder = self

        class Step:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                recorder.calls.setdefault(name, []).append((args, kwargs))
                self.args, self.kwargs = args, kwargs
                if name == "Analysis":
                    self.pure, self.scripts = [], []
                    self.binaries = [(dest, str(ROOT / "LICENSE"), "BINARY") for dest in SAMPLE_BINARIES]
                    self.datas = [(dest, str(ROOT / "LICENSE"), "DATA") for dest in SAMPLE_DATAS]

        return Step

    def namespace(self) -> dict[str, Any]:
        steps = {name: self.step(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
        return {"SPECPATH": str(PACKAGING), "__file__": str(SPEC), **steps,
                "Tree": lambda folder, prefix: [(prefix, folder, "DATA")]}


# Files PyInstaller's PySide6 hooks collect (Linux names; the spec sees the platform's own).
SAMPLE_BINARIES = [
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqeglfs.so", "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/imageformats/libqtiff.so", "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6/Qt/lib/libQt6Network.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Qml.so.6",
    "PySide6/plugins/platforms/qwindows.dll", "PySide6/plugins/imageformats/qgif.dll",
    "libstdc++.so.6", "libexpat.so.1", "libsqlite3.so.0", "libpython3.11.so.1.0",
]
SAMPLE_DATAS = ["PySide6/Qt/translations/qtbase_de.qm", "app/resources/icons/cabinet.svg"]


@pytest.fixture(scope="module")
def icons(tmp_path_factory: pytest.TempPathFactory, qapp: Any) -> Path:
    out = tmp_path_factory.mktemp("icons")
    load("icons").windows_macos(out)
    return out


def read_spec(platform: str, icons: Path, notices: Path, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    monkeypatch.setenv("CABINET_BUNDLE_PLATFORM", platform)
    monkeypatch.setenv("CABINET_ICON_DIR", str(icons))
    monkeypatch.setenv("CABINET_NOTICES_DIR", str(notices))
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts packaging/ on it
    recorder = Recorder()
    code = compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
    exec(code, recorder.namespace())  # noqa: S102 - a spec is Python that PyInstaller execs the same way
    return recorder


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_the_spec_reads_for_each_platform_and_its_inputs_exist(
        platform: str, icons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = read_spec(platform, icons, tmp_path / "notices", monkeypatch)
    (scripts,), analysis = recorder.calls["Analysis"][0]
    assert all(Path(script).is_file() for script in scripts)
    assert set(COMMAND_MODULES) <= set(analysis["hiddenimports"]), "sub-commands are imported by name"
    for source, _dest in analysis["datas"]:
        assert Path(source).exists(), source
    metadata = {Path(source).name.split("-")[0].split(".")[0] for source, _dest in analysis["datas"]
                if source.endswith((".dist-info", ".egg-info"))}
    assert {"cabinet", "httpx", "qasync", "keyring"} <= metadata, "the version and licences are bundled"
    assert (ROOT / "LICENSE").is_file()
    notices = tmp_path / "notices"
    assert any(p.name.startswith("Python-") for p in notices.iterdir())
    # Qt's texts are in app/resources/qt-licenses/ (every install has them), which the bundle holds
    assert any(source == str(ROOT / "app" / "resources") for source, _dest in analysis["datas"])

    exes = [kwargs for _args, kwargs in recorder.calls["EXE"]]
    names = {kwargs["name"]: kwargs for kwargs in exes}
    assert names["cabinet"]["console"] is False
    if platform == "win32":
        assert names["cabinet-cli"]["console"] is True, "Windows needs a console companion for the CLI"
    else:
        assert set(names) == {"cabinet"}
    icon = names["cabinet"]["icon"]
    if platform == "linux":
        assert icon is None
    else:
        assert Path(icon).is_file() and Path(icon).suffix == {"win32": ".ico", "darwin": ".icns"}[platform]
    (coll_args, coll_kwargs), = recorder.calls["COLLECT"]
    assert coll_kwargs["name"] == APP_NAME

    if platform == "darwin":
        (_args, bundle), = recorder.calls["BUNDLE"]
        assert bundle["bundle_identifier"] == APP_ID and Path(bundle["icon"]).suffix == ".icns"
        documents = bundle["info_plist"]["CFBundleDocumentTypes"]
        types = {t for doc in documents for t in doc["LSItemContentTypes"]}
        assert types == {"public.comma-separated-values-text", "public.tab-separated-values-text"}
        assert {e for doc in documents for e in doc["CFBundleTypeExtensions"]} >= {"csv", "tsv"}
    else:
        assert "BUNDLE" not in recorder.calls


def test_the_spec_keeps_only_what_cabinet_loads(icons: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = read_spec("linux", icons, tmp_path / "notices", monkeypatch)
    (_args, coll_kwargs), = recorder.calls["COLLECT"]
    assert coll_kwargs["strip"] is True
    (coll_args, _), = recorder.calls["COLLECT"]
    collected = {entry[0] for toc in coll_args if isinstance(toc, list) for entry in toc}
    # (Which libraries the kept parts link is the bundle test's: these stand-ins link nothing.)
    assert {"PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/imageformats/libqsvg.so",
            "app/resources/icons/cabinet.svg"} <= collected
    assert not collected & {"PySide6/Qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/platforms/libqeglfs.so",
                            "PySide6/Qt/plugins/imageformats/libqtiff.so", "PySide6/Qt/plugins/tls/libqopensslbackend.so",
                            "PySide6/Qt/lib/libQt6Network.so.6", "PySide6/Qt/lib/libQt6Qml.so.6",
                            "PySide6/Qt/translations/qtbase_de.qm", "libstdc++.so.6", "libexpat.so.1"}


def test_windows_keeps_its_platform_plugin() -> None:
    keep = load("lean").keep
    assert keep("PySide6/plugins/platforms/qwindows.dll", "win32")
    assert not keep("PySide6/plugins/imageformats/qgif.dll", "win32")
    assert not keep("PySide6/translations/qtbase_de.qm", "win32")
    assert keep("libstdc++-6.dll", "win32")  # only Linux leaves the system's libraries out


def test_the_icons_are_drawn_from_the_svg_at_every_size(icons: Path) -> None:
    with Image.open(icons / "cabinet.ico") as ico:
        assert {size for size in ico.info["sizes"]} == {(n, n) for n in (16, 24, 32, 48, 64, 128, 256)}
    with Image.open(icons / "cabinet.icns") as icns:
        assert icns.size == (1024, 1024)
    assert os.path.getsize(icons / "cabinet.icns") > 10_000
