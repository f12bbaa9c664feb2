# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""Search in the window ignores case and accents both ways, over a cache filled from the sandbox
over real HTTP."""

from __future__ import annotations

from PySide6.QtTest import QTest

from app.sync.engine import SyncEngine
from tests.gui.looping import drive, in_loop
from tests.gui.test_editing_support import Env, env, idle  # noqa: F401


def _search(env: Env, view: str, text: str) -> list[str]:
    env.window.show_view(view)
    page = env.window.current_page()
    in_loop(env.loop, page.search.clear)
    if text.isascii():
        in_loop(env.loop, QTest.keyClicks, page.search, text)
    else:  # QTest types ASCII only; an input method would insert the text
        in_loop(env.loop, page.search.insert, text)
    drive(env.loop, lambda: not page._search_timer.isActive() and page.model.keys_complete)  # noqa: SLF001
    field = "title" if view == "maps" else "name"
    return sorted(str(r[field]) for r in page.model.iter_records())


def test_search_ignores_case_and_accents_both_ways(env: Env) -> None:
    pokemon = sorted(r["name"] for r in env.cache.all_rows("items") if "Pokémon" in r["name"])
    assert len(pokemon) >= 3
    for typed in ("pokemon", "Pokémon", "POKEMON", "pokÉmon"):
        assert _search(env, "items", typed) == pokemon, typed

    # A location written on the server with accents, brought in by a sync, is found without them
    # (and one written without, with them).
    map_id = env.cache.known_maps()[0]["id"]
    env.run(env.mapiry.create_location(map_id, name="München Hbf", lat=48.140232, lng=11.558335))
    env.run(env.mapiry.create_location(map_id, name="Cafe Kranzler", lat=52.503, lng=13.332))
    env.run(SyncEngine(env.cache, env.instamapp, env.mapiry).sync())
    assert _search(env, "locations", "Munchen") == ["München Hbf"]
    assert _search(env, "locations", "MÜNCHEN") == ["München Hbf"]
    assert "Cafe Kranzler" in _search(env, "locations", "CAFÉ KRANZ")
    cafes = _search(env, "categories", "CAFE")
    assert cafes and all(name.casefold().startswith("caf") for name in cafes)
    assert idle(env.ctl)


