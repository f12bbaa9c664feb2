"""The Websites views (InstaWP sites and templates) and the Instabot view against a real sandbox:
list, filter by type, detail; create a site (202, followed until ready) and delete it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from app.core.errors import NotFoundError
from app.services.instabot import InstabotClient
from app.services.instawp import InstaWPClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from app.ui.main_window import MainWindow
from tests.gui.looping import drive
from tests.gui.test_editing_support import Env, act, close_env, idle


@pytest.fixture
def web(make_sandbox: Any, loop: Any, tmp_path: Path, qtbot: Any) -> Iterator[tuple[Env, InstaWPClient]]:
    srv = make_sandbox()
    srv.set_limits(instawp_create_seconds=1)  # a new site is "being created" for a second
    info = srv.info
    cache = Cache(tmp_path / "cache.sqlite3")
    wp = InstaWPClient(srv.instawp_url, info["instawp"]["key"], language="en")
    ib = InstabotClient(srv.instabot_url, info["instabot"]["key"], **info["instabot"]["secrets"])
    engine = SyncEngine(cache, wp, ib)
    report = loop.run_until_complete(engine.sync(("instawp", "instabot")))
    assert report.ok, report.errors
    window = MainWindow(cache, sync_engine=engine)
    window.show()
    drive(loop, lambda: getattr(window, "edit_actions", None) is not None)
    env = Env(srv, cache, None, None, window, loop)
    try:
        yield env, wp
    finally:
        close_env(env)
        loop.run_until_complete(wp.aclose())
        loop.run_until_complete(ib.aclose())


def _heading(page: Any) -> str:
    label = page.detail.findChild(QLabel, "detailHeading")
    assert label is not None
    return label.text()


def _names(env: Env) -> list[str]:
    page = env.window.current_page()
    return [r["name"] for r in page.model.iter_records()]


def test_sites_list_type_filter_and_detail(web: tuple[Env, InstaWPClient]) -> None:
    env, _wp = web
    env.window.show_view("sites")
    page = env.window.current_page()
    assert len(_names(env)) == 7
    combo = page.filter_combos["type"]
    combo.setCurrentIndex(combo.findData("reserved"))
    drive(env.loop, lambda: len(_names(env)) == 3)
    assert set(_names(env)) == {"sophine", "shop-staging", "members-beta"}
    page.table.selectRow(0)
    assert _heading(page) == page.selected_record()["name"]
    assert page.selected_record()["type"] == "reserved"
    env.window.grab().save("/tmp/shot-sites.png")


def test_templates_list_and_detail(web: tuple[Env, InstaWPClient]) -> None:
    env, _wp = web
    env.window.show_view("templates")
    page = env.window.current_page()
    assert sorted(_names(env)) == ["Agency landing page", "Membership site", "Starter blog", "WooCommerce shop"]
    page.table.selectRow(1)
    assert _heading(page) == page.selected_record()["name"]
    assert not env.ctl.can_create("templates") and not env.ctl.can_delete("templates")


def test_instabot_view_shows_what_the_calls_return(web: tuple[Env, InstaWPClient]) -> None:
    env, _wp = web
    env.window.show_view("instabot")
    rows = list(env.window.current_page().model.iter_records())
    assert len(rows) == 1
    assert rows[0]["applicationName"] == "Cabinet Demo Bot" and rows[0]["version"] == "2016-05-01"
    assert rows[0]["access"] == "user_session" and rows[0]["userName"] == "Dana Demo"


def test_create_a_site_follow_it_until_ready_then_delete_it(web: tuple[Env, InstaWPClient]) -> None:
    env, wp = web
    env.window.show_view("sites")
    dialog = env.actions.new()
    assert [f.name for f in dialog.spec.form] == ["name"]
    dialog.widget("name").setText("Bad Name")  # InstaWP refuses it; the message lands on the field
    env.ok(dialog)
    assert dialog.isVisible() and "lowercase" in dialog.message.text()
    dialog.widget("name").setText("cabinet-test")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    kind, text = env.ctl.messages[-1]
    assert kind == "info" and text == "Site “cabinet-test”: Site is being created."
    created = next(r for r in env.cache.all_rows("sites") if r["name"] == "cabinet-test")
    assert created["status"] == "creating" and str(created["id"]) in env.ctl.following_sites
    assert "cabinet-test" in _names(env)

    # followed until InstaWP says it is ready; the view shows each answer
    drive(env.loop, lambda: not env.ctl.following_sites, timeout=30)
    ready = env.cache.get("sites", str(created["id"]))
    assert ready is not None and ready["status"] == "ready"
    assert env.ctl.messages[-1] == ("info", "The site “cabinet-test” is ready: https://cabinet-test.instawp.xyz")
    env.window.show_view("sites")
    page = env.window.current_page()
    row = next(r for r in page.model.iter_records() if r["name"] == "cabinet-test")
    assert row["status"] == "ready"

    box = env.ctl.delete("sites", [ready])
    assert "cabinet-test" in box.text() and "cannot be undone" in box.informativeText() + box.text()
    env.confirm(box)
    with pytest.raises(NotFoundError):
        env.run(wp.get_site(str(ready["id"])))
    assert env.cache.get("sites", str(ready["id"])) is None
    assert "cabinet-test" not in _names(env)
    act(env.loop, lambda: None, lambda: idle(env.ctl))
    env.run(asyncio.sleep(0))
