"""`make bundle`, end to end (slow: `make test-packaging`, which CI runs): the one-folder bundle
is under its size budget, nothing in it needs a glibc newer than the floor, it carries the
licences, Qt answers the same from its trimmed ICU data as from the whole, and it runs: its own sandbox and sync fill a cache with the demo data, its window opens
offscreen in demo mode showing that data, and it exits cleanly. The single-file .run starts too.

Demo mode syncs from an in-process sandbox seeded with the demo data once the window is up; the
test gets the same data into the demo cache through the bundle's `cabinet sandbox` and
`cabinet sync` (the same sandbox and sync engine), so one start can show it at its first paint.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import version
from app.ui import modes
from tests.packaging.tools import ROOT, clean_env, load, warnings

pytestmark = pytest.mark.packaging

BUNDLE = ROOT / "dist" / "Cabinet"
EXE = BUNDLE / "cabinet"
RUN_FILE = ROOT / "dist" / f"Cabinet-{version()}-x86_64.run"
# The "under 120 MB on disk": 120,000,000 bytes of disk usage, as `du -s --block-size=1`
# counts it (allocated blocks of every file and folder, hard links once).
SIZE_BUDGET = 120_000_000
BUILD_TIMEOUT = 1200


@pytest.fixture(scope="module")
def bundle() -> Path:
    done = subprocess.run([str(ROOT / "packaging" / "build.sh")], cwd=ROOT, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return BUNDLE


def _disk_usage(folder: Path) -> int:
    """Bytes on disk, as du counts them."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def test_the_bundle_is_under_its_size_budget(bundle: Path) -> None:
    size = _disk_usage(bundle)
    du = subprocess.run(["du", "-s", "--block-size=1", str(bundle)], capture_output=True, text=True, check=True)
    assert int(du.stdout.split()[0]) == size
    print(f"bundle: {size / 1e6:.1f} MB ({size // 1024} KiB) on disk in {sum(1 for _ in bundle.rglob('*'))} files; "
          f".run: {RUN_FILE.stat().st_size / 1e6:.1f} MB")
    assert size < SIZE_BUDGET


def test_qt_answers_the_same_from_the_trimmed_icu_data(bundle: Path, tmp_path: Path) -> None:
    """Collation, case mapping, time zones and codecs through the bundle's Qt and ICU libraries
    (first on the library path, before PySide6's own) against the whole data PySide6 ships."""
    probe = [sys.executable, str(ROOT / "tests" / "packaging" / "icu_probe.py")]
    icudata = load("icu").find_library(bundle)
    qt_lib = icudata.parent
    whole = subprocess.run(probe, env=clean_env(tmp_path), capture_output=True, text=True, timeout=120)
    trimmed = subprocess.run(probe, env=clean_env(tmp_path, LD_LIBRARY_PATH=str(qt_lib)), capture_output=True,
                             text=True, timeout=120)
    assert (whole.returncode, whole.stderr, trimmed.returncode, trimmed.stderr) == (0, "", 0, "")
    before, after = json.loads(whole.stdout), json.loads(trimmed.stdout)
    assert after.pop("icu data from") == [str(icudata)]
    assert before.pop("icu data from") != [str(icudata)]
    assert after == before
    # and the answers are ICU's, not a fallback's: Swedish sorts Å, Ä, Ö after Z; zones have names
    assert after["sorted sv_SE"][-4:] == ["Ångström", "Äpfel", "öl", "Özil"]
    assert after["numeric, any case en_US"].index("file9") < after["numeric, any case en_US"].index("file10")
    assert after["upper tr"] == "İSTANBUL Iİ" and after["zone de_DE"][0] == "Mitteleuropäische Normalzeit"
    assert all(after["codecs"].values())
    assert icudata.stat().st_size < 20_000_000  # 32 MB whole


def test_nothing_in_the_bundle_needs_more_than_the_glibc_floor(bundle: Path) -> None:
    glibc = load("glibc")
    files = list(glibc.elf_files(bundle))
    assert len(files) > 50  # the interpreter, its extension modules, Qt...
    assert [str(need) for need in glibc.check(bundle)] == []
    # and the build machine's C++ runtime and expat stay out: the target systems have their own
    assert not [p.name for p in files if p.name.startswith(("libstdc++", "libgcc_s", "libexpat"))]


def test_the_bundle_keeps_only_the_qt_parts_cabinet_loads(bundle: Path) -> None:
    qt = bundle / "_internal" / "PySide6" / "Qt"
    platforms = {p.name for p in (qt / "plugins" / "platforms").iterdir()}
    assert platforms == {"libqxcb.so", "libqwayland.so", "libqoffscreen.so"}
    assert {p.name for p in (qt / "plugins" / "imageformats").iterdir()} == {"libqsvg.so"}
    assert not (qt / "translations").exists()
    assert not list(qt.rglob("libQt6Network*")) and not list(qt.rglob("libQt6Qml*"))


def test_the_bundle_carries_the_licences(bundle: Path) -> None:
    internal = bundle / "_internal"
    assert (internal / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    resources = internal / "app" / "resources"
    assert {"LGPL-3.0.txt", "GPL-3.0.txt", "NOTICE.txt"} <= {p.name for p in (resources / "qt-licenses").iterdir()}
    assert list((resources / "licenses").glob("Python-3.*/LICENSE.txt"))
    assert list(internal.glob("httpx-*.dist-info/licenses/*"))


@pytest.fixture
def bundled_sandbox(bundle: Path, tmp_path: Path) -> Iterator[dict]:
    """The bundle's own `cabinet sandbox` (demo seed) in a process of its own. Its data file is the
    demo server's (``demo-server.sqlite3`` in the data folder), so the demo cache filled from it
    below belongs to it and is not reset when the demo starts (app/ui/modes.py)."""
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([str(EXE), "sandbox", "--port", "0", "--db", str(data / modes.DEMO_SERVER_FILE)],
                            env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the first line is the JSON; the pipe ends if it dies first
        assert line, proc.stderr.read() if proc.stderr else ""
        yield json.loads(line)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_the_bundle_shows_the_demo_data_offscreen_and_exits_cleanly(bundled_sandbox: dict, tmp_path: Path) -> None:
    keys = {"INSTAMAPP_BASE_URL": bundled_sandbox["instamapp"]["base_url"],
            "INSTAMAPP_API_KEY": bundled_sandbox["instamapp"]["keys"]["full"],
            "MAPIRY_BASE_URL": bundled_sandbox["mapiry"]["base_url"],
            "MAPIRY_API_KEY": bundled_sandbox["mapiry"]["keys"]["read_write"]}
    synced = subprocess.run([str(EXE), "sync", "--json"], env=clean_env(tmp_path, **keys), capture_output=True,
                            text=True, timeout=120)
    assert synced.returncode == 0, synced.stderr[-3000:]
    items = json.loads(synced.stdout)
    data = tmp_path / "data"
    shutil.copyfile(data / "cache.sqlite3", data / "demo-cache.sqlite3")

    started = subprocess.run([str(EXE), "--demo"], env=clean_env(tmp_path, CABINET_EXIT_AFTER_FIRST_PAINT="1"),
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr[-3000:]
    assert warnings(started.stderr) == []  # not one warning (Qt plugins, fonts, metadata...)
    report = dict(part.split("=", 1) for part in started.stdout.split("FIRST_PAINT", 1)[1].split()[1:])
    assert report["demo"] == "1" and report["view"] == "items"
    assert int(report["rows"]) > 0, (report, items)


def test_the_bundle_and_the_run_file_tell_their_version(bundle: Path, tmp_path: Path) -> None:
    for exe in (EXE, RUN_FILE):
        done = subprocess.run([str(exe), "--version"], env=clean_env(tmp_path), capture_output=True, text=True,
                              timeout=180)
        assert (done.returncode, done.stdout.strip(), done.stderr) == (0, f"cabinet {version()}", "")
    unpacked = list((tmp_path / "cache" / "cabinet").iterdir())
    assert len(unpacked) == 1 and (unpacked[0] / "Cabinet" / "cabinet").is_file()
