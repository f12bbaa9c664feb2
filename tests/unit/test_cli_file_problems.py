"""Bad input from the command line gives a message and the documented exit status, never a
traceback (issue 9, points 5, 6 and 7): unsafe input files, unknown encodings, unwritable
outputs, a closed pipe, a damaged cache, a read-only data folder."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage import Cache

ROOT = Path(__file__).resolve().parents[2]
USAGE = 2
MAP = "c0abcdef0123456789abcdef"
MEMORY_LIMIT = 1 << 30


def cabinet(data: Path, *args: str | Path, key: bool = False) -> subprocess.CompletedProcess[str]:
    """`cabinet ARGS` with its own data folder; with ``key``, a Mapiry key and a server that is
    not there (the file is checked before any request goes out)."""
    env = dict(os.environ, CABINET_DATA_DIR=str(data), PYTHONIOENCODING="utf-8",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    for name in ("MAPIRY_API_KEY", "INSTAMAPP_API_KEY", "MAPIRY_BASE_URL", "INSTAMAPP_BASE_URL"):
        env.pop(name, None)
    if key:
        env.update(MAPIRY_API_KEY="mk_test_0123456789abcdef", MAPIRY_BASE_URL="http://127.0.0.1:9/api/v1")
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
                          preexec_fn=_bounded_memory)


def _bounded_memory() -> None:
    """In the child: at most 1 GB of address space (a reader that slurped /dev/zero stops there)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def assert_message(proc: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == status, (proc.returncode, proc.stderr)
    for word in words:
        assert word in proc.stderr, proc.stderr


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with Cache(folder / "cache.sqlite3") as cache:
        cache.add_known_map(MAP)
        cache.replace_all("maps", [{"id": MAP, "title": "=HYPERLINK(\"http://x\")"}])
    return folder


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a device"), ("/dev/null", "a device"),
                                            ("folder", "a folder"), ("fifo", "a pipe (FIFO)")])
def test_only_regular_files_are_read(tmp_path: Path, data: Path, path: str, kind: str) -> None:
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")  # nobody writes it: reading it would wait forever
    target = path if path.startswith("/") else tmp_path / path
    for args in (("--dry-run",), ("--map", MAP)):
        proc = cabinet(data, "import", target, *args, key=True)
        assert_message(proc, USAGE, f"this is {kind}, not a file", "Give the path of a CSV")


@pytest.mark.parametrize("encoding", ["rot13", "base64", "no-such-encoding"])
def test_an_encoding_that_is_no_text_encoding(tmp_path: Path, data: Path, encoding: str) -> None:
    (tmp_path / "a.csv").write_text("name,lat,lng\nA,1,2\n", encoding="utf-8")
    proc = cabinet(data, "import", tmp_path / "a.csv", "--dry-run", "--encoding", encoding)
    assert_message(proc, USAGE, f"'{encoding}' is not a text encoding")


def test_utf16_without_a_bom_is_read(tmp_path: Path, data: Path) -> None:
    text = "name,lat,lng\nA,1.5,2.5\nB,3,4\n"
    for codec in ("utf-16-le", "utf-16-be"):
        (tmp_path / "u16.csv").write_bytes(text.encode(codec))
        proc = cabinet(data, "import", tmp_path / "u16.csv", "--dry-run")
        assert proc.returncode == 0, proc.stderr
        assert f"encoding {codec}" in proc.stdout and "2 valid rows" in proc.stdout


def test_export_into_a_folder_a_missing_folder_and_dev_full(tmp_path: Path, data: Path) -> None:
    assert_message(cabinet(data, "export", "maps", "-o", tmp_path), USAGE, "is a folder")
    assert_message(cabinet(data, "export", "maps", "-o", tmp_path / "nope" / "x.csv"), USAGE, "does not exist")
    assert_message(cabinet(data, "export", "maps", "-o", "/dev/full"), USAGE, "the disk is full")
    done = cabinet(data, "export", "maps", "-o", tmp_path / "maps.csv")
    assert done.returncode == 0, done.stderr
    assert "'=HYPERLINK" in (tmp_path / "maps.csv").read_text(encoding="utf-8")  # formula-safe
    assert not list(tmp_path.glob(".maps.csv.*"))  # nothing left behind


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path, data: Path) -> None:
    with Cache(data / "cache.sqlite3") as cache:
        cache.replace_all("maps", [{"id": f"m{i}", "title": "x" * 200} for i in range(5000)])
    env = dict(os.environ, CABINET_DATA_DIR=str(data))
    pipeline = subprocess.run(f"{sys.executable} -m app export maps | head -c 10 >/dev/null; "
                              f"echo ${{PIPESTATUS[0]}}", shell=True, executable="/bin/bash", cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr, pipeline.stderr
    assert pipeline.stdout.strip() in ("0", "1")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "folder"])
def test_a_damaged_cache_names_the_file_and_the_remedy(data: Path, damage: str) -> None:
    path = data / "cache.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"not a database " * 1000)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:3000])
    else:
        path.unlink()
        path.mkdir()
    for extra in data.glob("cache.sqlite3-*"):
        extra.unlink()
    for command in (("export", "maps"), ("maps", "list")):
        assert_message(cabinet(data, *command), USAGE, str(path), "cabinet cache rebuild")
    listed = cabinet(data, "import", "--list")  # jobs live apart: unaffected
    assert listed.returncode == 0 and "No import jobs." in listed.stdout, listed.stderr
    rebuilt = cabinet(data, "cache", "rebuild", "--no-sync")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Moved the old cache aside" in rebuilt.stderr
    moved = [p for p in data.glob("cache.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1
    listed = cabinet(data, "maps", "list")
    assert listed.returncode == 0 and MAP in listed.stdout  # the known maps were not lost


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only for real: a read-only bind mount as root (root ignores file
    modes), the folder's mode otherwise."""
    if os.geteuid() == 0 and shutil.which("mount"):
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True, timeout=10)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True, timeout=10)
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True, timeout=10)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_read_only_data_folder_browses_and_exports_but_does_not_write(tmp_path: Path, data: Path) -> None:
    cabinet(data, "maps", "list")  # the log folder exists before the folder turns read-only
    with read_only(data):
        listed = cabinet(data, "maps", "list")
        assert listed.returncode == 0 and MAP in listed.stdout, listed.stderr
        exported = cabinet(data, "export", "maps", "--format", "json")
        assert exported.returncode == 0 and MAP in exported.stdout, exported.stderr
        assert cabinet(data, "import", "--list").returncode == 0
        assert_message(cabinet(data, "export", "maps", "-o", data / "maps.csv"), USAGE, "Choose another place")
        assert not (data / "maps.csv").exists()
        for command in (("maps", "remove", MAP), ("maps", "add", "c0abcdef0123456789abcdee")):
            assert_message(cabinet(data, *command), USAGE, "is read-only", "CABINET_DATA_DIR")
