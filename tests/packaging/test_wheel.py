"""The sdist and the wheel built from it are complete (slow: `make test-packaging`, which CI runs):
the wheel, installed into an empty virtualenv, starts `cabinet --version`, `cabinet sandbox` and
the window (offscreen) with nothing on stderr, its resources found through importlib.resources.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from app import version
from tests.packaging.tools import ROOT, clean_env, warnings

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty virtualenv with the wheel and its pinned dependencies (from pip's cache when it has them)."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    wheel = next(dist.glob("cabinet-*.whl"))
    done = subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "-c",
                           str(ROOT / "constraints.txt"), str(wheel)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


def test_the_wheel_holds_the_resources_the_licence_and_ranges(dist: Path) -> None:
    wheel = next(dist.glob("cabinet-*.whl"))
    assert wheel.name == f"cabinet-{version()}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(f"cabinet-{version()}.dist-info/METADATA").decode()
    assert {"app/py.typed", "app/resources/__init__.py", "app/resources/icons/cabinet.svg",
            "app/resources/openapi/instamapp-v1.json", "app/resources/openapi/mapiry-v1.json",
            f"cabinet-{version()}.dist-info/licenses/LICENSE"} <= names
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert requires and not [r for r in requires if "==" in r], "exact pins belong in constraints.txt"
    assert "License-Expression: MIT" in metadata


def test_the_sdist_stands_alone(dist: Path) -> None:
    sdist = next(dist.glob("cabinet-*.tar.gz"))
    with tarfile.open(sdist) as tf:
        names = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "constraints.txt", "Makefile", "app/resources/icons/cabinet.svg",
            "tests/data/csv/expectations.json", "tests/data/csv/README.md", "packaging/cabinet.spec"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_installed_wheel_tells_its_version(venv: Path, tmp_path: Path) -> None:
    done = subprocess.run([str(venv / "bin" / "cabinet"), "--version"], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, f"cabinet {version()}", "")


def test_the_installed_wheel_runs_the_sandbox(venv: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen([str(venv / "bin" / "cabinet"), "sandbox", "--port", "0"], cwd=tmp_path,
                            env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["instamapp"]["base_url"].startswith("http://127.0.0.1:")
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert err.startswith("Sandbox listening on") and "Traceback" not in err and "Warning" not in err


def test_the_installed_wheel_opens_its_window_without_a_warning(venv: Path, tmp_path: Path) -> None:
    done = subprocess.run([str(venv / "bin" / "cabinet"), "--demo"], cwd=tmp_path,
                          env=clean_env(tmp_path, CABINET_EXIT_AFTER_FIRST_PAINT="1"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("FIRST_PAINT ") and "demo=1" in done.stdout
    assert warnings(done.stderr) == []  # e.g. no "qt.svg: Cannot open .../cabinet.svg"


def test_the_installed_wheel_has_the_licence_texts_about_shows(venv: Path, tmp_path: Path) -> None:
    probe = ("import json\n"
             "from app.licenses import cabinet_notice, third_party_notices\n"
             "print(json.dumps({n.name: n.texts() for n in [cabinet_notice(), *third_party_notices()]}))\n")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", probe], cwd=tmp_path, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    texts = json.loads(done.stdout)
    assert "Permission is hereby granted" in texts["cabinet"]  # MIT, from the wheel's dist-info
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts["Qt"]  # from app/resources/qt-licenses/
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts["PySide6_Essentials"]
