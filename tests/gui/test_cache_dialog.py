"""A cache that cannot be read at start: the dialog names the file and rebuilds it (issue 9, point 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.storage import Cache, DatabaseDamagedError
from app.ui.cache_dialog import RebuildCacheDialog, rebuild_or_quit


def _damaged(tmp_path: Path) -> tuple[Path, DatabaseDamagedError]:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        cache.add_known_map("c0abcdef0123456789abcdef", "created")
    for extra in tmp_path.glob("cache.sqlite3-*"):
        extra.unlink()
    path.write_bytes(b"garbage " * 4096)
    with pytest.raises(DatabaseDamagedError) as info:
        Cache(path)
    return path, info.value


def _press_later(button_name: str) -> None:
    """Press a button of the modal dialog once it is up (exec() runs its own loop)."""

    def press() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, RebuildCacheDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(20, press)
            return
        dialog.grab().save(f"/tmp/shot-cache-dialog-{button_name}.png")
        getattr(dialog, button_name).click()

    QTimer.singleShot(20, press)


def test_the_dialog_says_which_file_and_rebuilds_it(qtbot: Any, tmp_path: Path) -> None:
    path, problem = _damaged(tmp_path)
    dialog = RebuildCacheDialog(problem)
    qtbot.addWidget(dialog)
    assert str(path) in dialog.text() and "not a database" in dialog.text()
    assert dialog.rebuild_button.text() == "Rebuild"
    _press_later("rebuild_button")
    cache = rebuild_or_quit(problem, path)
    assert cache is not None
    try:
        assert [m["id"] for m in cache.known_maps()] == ["c0abcdef0123456789abcdef"]  # kept apart
        assert cache.count("maps") == 0
    finally:
        cache.close()
    assert len([p for p in tmp_path.glob("cache.sqlite3.damaged-*")]) == 1


def test_quit_leaves_the_file_as_it_was(qtbot: Any, tmp_path: Path) -> None:
    path, problem = _damaged(tmp_path)
    _press_later("decline_button")
    assert rebuild_or_quit(problem, path) is None
    assert path.read_bytes().startswith(b"garbage")
