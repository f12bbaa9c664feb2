"""The build tools in packaging/ (a folder, not a package: `packaging` is also pip's library)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def load(name: str) -> ModuleType:
    """packaging/<name>.py as a module of its own name (as the spec imports it)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

# The offscreen platform says this about every window it shows (it has no window manager to pass
# size hints to): an artefact of running headless, not something a person's start would print.
OFFSCREEN_NOTE = "This plugin does not support propagateSizeHints()"


def warnings(stderr: str) -> list[str]:
    """What a start printed on stderr, less the offscreen platform's own note."""
    return [line for line in stderr.splitlines() if line.strip() and line.strip() != OFFSCREEN_NOTE]


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a packaged Cabinet under test: offscreen, a UTF-8 locale as on a desktop,
    its own data, settings and cache folders, no keys, no Python or Qt settings of the test run."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("INSTAMAPP_", "MAPIRY_", "PYTHON", "QT_", "LC_")) and k != "VIRTUAL_ENV"}
    env.update(QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8", CABINET_DATA_DIR=str(tmp / "data"),
               CABINET_CONFIG_DIR=str(tmp / "config"), XDG_CONFIG_HOME=str(tmp / "xdg"),
               XDG_CACHE_HOME=str(tmp / "cache"), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               **extra)
    return env
