"""An empty view says what would help: connect the service (F5 cannot), why its sync failed, or F5.

Over real HTTP to the sandbox, with the real SyncEngine and cache: InstaMapp connected, Mapiry with
a key the server refuses, Instabot and InstaWP not connected (a person with two accounts).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync

from app.services.credentials import CredentialStore
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from app.ui.main_window import MainWindow
from app.ui.views import TablePage
from tests.gui.looping import drive, in_loop, run, show


@pytest.fixture
def clients(sandbox: Any, qloop: qasync.QEventLoop) -> Iterator[tuple[InstaMappClient, MapiryClient]]:
    instamapp = InstaMappClient(sandbox.instamapp_url, sandbox.info["instamapp"]["keys"]["full"])
    mapiry = MapiryClient(sandbox.mapiry_url, sandbox.info["mapiry"]["keys"]["expired"])
    yield instamapp, mapiry
    run(qloop, instamapp.aclose())
    run(qloop, mapiry.aclose())


def _page(window: MainWindow, view: str) -> TablePage:
    window.show_view(view)
    page = window.current_page()
    assert isinstance(page, TablePage)
    return page


def test_each_empty_view_offers_what_helps(qtbot, qloop: qasync.QEventLoop, empty_cache: Cache, data_dir: str,
                                          clients: tuple[InstaMappClient, MapiryClient], tmp_path: Path) -> None:
    window = MainWindow(empty_cache, sync_engine=SyncEngine(empty_cache, *clients), credentials=CredentialStore())
    qtbot.addWidget(window)
    show(qloop, window)

    # Connected, nothing synced yet: F5 is what helps.
    items = in_loop(qloop, _page, window, "items")
    assert items.stack.currentWidget() is items.empty_state
    assert "press F5" in items.empty_state.text() and not items.empty_state.button.isVisible()

    # No key: F5 cannot help; the view says so and offers to connect the service.
    for view, service, title in (("instabot", "instabot", "Instabot"), ("sites", "instawp", "InstaWP"),
                                 ("templates", "instawp", "InstaWP")):
        page = in_loop(qloop, _page, window, view)
        state = page.empty_state
        assert page.stack.currentWidget() is state
        assert f"{title} is not connected" in state.text() and "F5" not in state.text()
        assert state.button.isVisible() and state.button.text() == f"Connect {title}…" and state.service == service
        window.grab().save(str(tmp_path / f"empty-{view}.png"))
    in_loop(qloop, window.pages["sites"].empty_state.button.click)
    dialog = window._settings_dialog  # noqa: SLF001
    assert dialog is not None and dialog.isVisible()
    assert dialog.tabs.currentWidget() is dialog.panel("instawp")
    in_loop(qloop, dialog.reject)

    # A sync: InstaMapp's items arrive; Mapiry refuses the key, and its views say why.
    in_loop(qloop, window.refresh)
    drive(qloop, lambda: window.sync_task() is not None and window.sync_task().done(), 60)
    drive(qloop, lambda: items.stack.currentWidget() is items.table, 10)
    assert items.model.rowCount() > 0
    locations = in_loop(qloop, _page, window, "locations")
    text = locations.empty_state.text()
    assert text.startswith("The last sync from Mapiry failed: ") and "expired" in text  # the reason itself
    assert "F5" not in text  # a refused key is not helped by F5, a new key is
    assert locations.empty_state.button.isVisible() and locations.empty_state.button.text() == "Connect Mapiry…"
    window.grab().save(str(tmp_path / "empty-locations-failed.png"))
    in_loop(qloop, locations.empty_state.button.click)
    dialog = window._settings_dialog  # noqa: SLF001
    assert dialog is not None and dialog.tabs.currentWidget() is dialog.panel("mapiry")
    in_loop(qloop, dialog.reject)
    # Instabot stays "not connected" after the sync (it has no client to sync with).
    assert "Instabot is not connected" in in_loop(qloop, _page, window, "instabot").empty_state.text()
    in_loop(qloop, window.close)


def test_the_sales_view_offers_to_connect_instamapp(qtbot, qloop: qasync.QEventLoop, empty_cache: Cache, data_dir: str,
                                                    clients: tuple[InstaMappClient, MapiryClient]) -> None:
    window = MainWindow(empty_cache, sync_engine=SyncEngine(empty_cache, None, clients[1]),
                        credentials=CredentialStore())
    qtbot.addWidget(window)
    show(qloop, window)
    in_loop(qloop, window.show_view, "sales")
    sales = window.pages["sales"]
    assert "InstaMapp is not connected" in sales.empty_state.text()
    in_loop(qloop, sales.empty_state.button.click)
    dialog = window._settings_dialog  # noqa: SLF001
    assert dialog is not None and dialog.tabs.currentWidget() is dialog.panel("instamapp")
    in_loop(qloop, dialog.reject)
    in_loop(qloop, window.close)
