"""The SQLite cache: migrations, atomic replace, queries, known maps, sync bookkeeping."""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from app.storage import Cache, register_component
from app.storage.migrations import COMPONENT, MIGRATIONS
from app.storage.schema import MigrationError, component_version, migrate_component
from tests.benchmarks.make_cache import fake_items, make_cache


def _item(i: int, **over: object) -> dict:
    rec = {
        "object": "item", "id": f"itm_{i:020d}", "collection_id": "col-a" if i % 2 else "col-b",
        "name": f"Item {i}", "status": "keep", "condition": None, "estimated_value": float(i),
        "currency": "USD", "notes": "", "created_at": f"2026-01-01T00:00:{i % 60:02d}Z",
        "updated_at": "2026-01-02T00:00:00Z",
    }
    rec.update(over)
    return rec


@pytest.fixture
def cache(tmp_path):
    c = Cache(tmp_path / "cache.sqlite3")
    yield c
    c.close()


def test_default_path_follows_cabinet_data_dir(data_dir):
    c = Cache()
    try:
        assert str(c.path).startswith(data_dir)
        assert c.path.name == "cache.sqlite3"
        assert c.path.exists()
    finally:
        c.close()


def test_fresh_file_has_every_migration_and_wal(cache):
    conn = cache.connect()
    assert component_version(conn, COMPONENT) == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migration_from_older_version_keeps_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate_component(conn, COMPONENT, MIGRATIONS[:1])  # a cache written by version 1
    assert component_version(conn, COMPONENT) == 1
    conn.execute("INSERT INTO locations(id, map_id, name, _scope, _search) VALUES ('L1', 'M1', 'Old', 'M1', 'old')")
    rowid = conn.execute("SELECT rowid FROM locations WHERE id = 'L1'").fetchone()[0]
    conn.execute("INSERT INTO locations_data(rowid, data) VALUES (?, ?)",
                 (rowid, '{"id": "L1", "mapId": "M1", "name": "Old", "layers": [{"id": "LY1"}], "tagIds": ["T1"]}'))
    conn.close()

    c = Cache(path)
    try:
        assert component_version(c.connect(), COMPONENT) == len(MIGRATIONS)
        assert c.get("locations", "L1")["name"] == "Old"
        # version 2 built the memberships from the records already cached
        assert c.query_keys("locations", filters={"layer_id": "LY1"}) == [rowid]
        assert c.query_keys("locations", filters={"tag_id": "T1"}) == [rowid]
    finally:
        c.close()


@pytest.mark.parametrize(("stored", "query"), [
    ("Pokémon Charizard", "pokemon"), ("Pokemon Charizard", "POKÉMON"), ("München Hbf", "munchen"),
    ("Munchen Hbf", "MÜNCHEN"), ("Café de Flore", "CAFE"), ("ＡＢＣ Ｍａｒｔ", "abc m"), ("Straße", "STRASSE"),
])
def test_search_ignores_case_and_accents_both_ways(cache, stored, query):
    cache.replace_all("items", [_item(1, name=stored), _item(2, name="Something else")])
    assert [r["name"] for r in cache.rows_for_keys("items", cache.query_keys("items", search=query))] == [stored]
    assert len(cache.query_keys("items", search=query, sort="name")) == 1  # the filtered path too


def test_a_renamed_row_is_found_by_its_new_name_only(cache):
    """The folded search text is written with the row: an edit that changes the name (an upsert,
    as after a save) is searched by the new name, accents and case ignored, and not by the old."""
    cache.replace_all("items", [_item(1, name="Cafe Kranzler"), _item(2, name="Something else")])
    key = cache.key_for_id("items", _item(1)["id"])
    assert cache.query_keys("items", search="KRANZLER") == [key]
    cache.upsert("items", _item(1, name="Pokémon Café"))
    for query in ("pokemon cafe", "POKÉMON", "café", "ca"):  # the index and the short-needle scan
        assert cache.query_keys("items", search=query) == [key], query
        assert cache.query_keys("items", search=query, sort="name") == [key], query  # the filtered path
    assert cache.query_keys("items", search="kranzler") == []
    assert cache.query_keys("items", search="kr") == []


def test_version_3_folds_the_search_text_of_an_older_cache(tmp_path):
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate_component(conn, COMPONENT, MIGRATIONS[:2])  # a cache written by version 2 (case-folded only)
    conn.execute("INSERT INTO items(id, name, _search) VALUES ('I1', 'Pokémon', 'pokémon')")
    rowid = conn.execute("SELECT rowid FROM items WHERE id = 'I1'").fetchone()[0]
    conn.execute("INSERT INTO items_data(rowid, data) VALUES (?, ?)", (rowid, '{"id": "I1", "name": "Pokémon"}'))
    conn.close()

    c = Cache(path)
    try:
        assert c.query_keys("items", search="pokemon") == [rowid]  # the full-text index was rebuilt too
        assert c.query_keys("items", search="POKÉMON") == [rowid]
        assert c.query_keys("items", search="ke", filters={"id": "I1"}) == [rowid]
    finally:
        c.close()


def test_version_4_gives_records_without_a_map_the_map_they_were_read_from(tmp_path):
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate_component(conn, COMPONENT, MIGRATIONS[:3])  # a cache written by version 3
    rows = [("locations", "L1", "M1", '{"id": "L1", "name": "As the document shows it", "extra": 1}'),
            ("locations", "L2", "M1", '{"id": "L2", "mapId": "M9", "name": "Names its map"}'),
            ("tags", "T1", "M2", '{"id": "T1", "mapId": null, "name": "wifi"}')]
    for table, ident, scope, data in rows:
        conn.execute(f"INSERT INTO {table}(id, _scope, _search) VALUES (?, ?, '')", (ident, scope))
        rowid = conn.execute(f"SELECT rowid FROM {table} WHERE id = ?", (ident,)).fetchone()[0]
        conn.execute(f"INSERT INTO {table}_data(rowid, data) VALUES (?, ?)", (rowid, data))
    conn.close()

    c = Cache(path)
    try:
        assert c.get("locations", "L1") == {"id": "L1", "name": "As the document shows it", "extra": 1, "mapId": "M1"}
        assert c.get("locations", "L2")["mapId"] == "M9"  # its own word stands
        assert c.get("tags", "T1")["mapId"] == "M2"
        assert len(c.query_keys("locations", filters={"mapId": "M1"})) == 1  # the Map column too
        assert len(c.query_keys("tags", filters={"mapId": "M2"})) == 1
    finally:
        c.close()


def test_newer_file_than_code_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "new.sqlite3", isolation_level=None)
    with pytest.raises(MigrationError):
        migrate_component(conn, COMPONENT, [*MIGRATIONS, "CREATE TABLE x(a)"]) and migrate_component(
            conn, COMPONENT, MIGRATIONS)
    # The file is now at len+1; code that knows only len migrations refuses it.
    with pytest.raises(MigrationError):
        migrate_component(conn, COMPONENT, MIGRATIONS)


def test_failed_migration_leaves_previous_version(tmp_path):
    conn = sqlite3.connect(tmp_path / "f.sqlite3", isolation_level=None)
    migrate_component(conn, "plugin", ["CREATE TABLE p1(a)"])
    with pytest.raises(MigrationError):
        migrate_component(conn, "plugin", ["CREATE TABLE p1(a)", "CREATE TABLE p2(a); SELECT * FROM nope"])
    assert component_version(conn, "plugin") == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'p2'").fetchone()[0] == 0


def test_other_components_register_their_tables(tmp_path):
    register_component("test_component_x", ["CREATE TABLE x_jobs (id INTEGER PRIMARY KEY, state TEXT)"])
    c = Cache(tmp_path / "c.sqlite3")
    try:
        conn = c.connect()
        assert component_version(conn, "test_component_x") == 1
        assert component_version(conn, COMPONENT) == len(MIGRATIONS)
        conn.execute("INSERT INTO x_jobs(state) VALUES ('new')")
    finally:
        c.close()
    with pytest.raises(ValueError):
        register_component("test_component_x", ["CREATE TABLE other (a)"])


def test_replace_all_is_atomic_when_the_source_breaks(cache):
    cache.replace_all("items", [_item(i) for i in range(10)])

    def broken():
        for i in range(100, 1300):  # more than one write chunk before the failure
            if i == 1200:
                raise ConnectionError("network went away")
            yield _item(i)

    with pytest.raises(ConnectionError):
        cache.replace_all("items", broken())
    assert cache.count("items") == 10
    assert sorted(r["id"] for r in cache.all_rows("items")) == [_item(i)["id"] for i in range(10)]


def test_replace_all_removes_missing_keeps_rowids_and_scopes(cache):
    cache.replace_all("items", [_item(1), _item(2), _item(3)])
    key2 = cache.key_for_id("items", _item(2)["id"])
    cache.replace_all("items", [_item(2, name="Renamed"), _item(4)])
    assert cache.count("items") == 2
    assert cache.get("items", _item(1)["id"]) is None
    assert cache.get("items", _item(2)["id"])["name"] == "Renamed"
    assert cache.key_for_id("items", _item(2)["id"]) == key2

    cache.replace_all("tags", [{"id": "t1", "mapId": "m1", "name": "a"}], scope="m1")
    cache.replace_all("tags", [{"id": "t2", "mapId": "m2", "name": "b"}], scope="m2")
    cache.replace_all("tags", [{"id": "t3", "mapId": "m1", "name": "c"}], scope="m1")
    assert cache.count("tags") == 2
    assert cache.count("tags", scope="m2") == 1
    assert [r["id"] for r in cache.all_rows("tags", scope="m1")] == ["t3"]


def test_upsert_delete_get(cache):
    cache.upsert("items", _item(1))
    cache.upsert("items", _item(1, status="sell"))
    assert cache.count("items") == 1
    assert cache.get("items", _item(1)["id"])["status"] == "sell"
    assert cache.query_keys("items", filters={"status": "sell"}) == [cache.key_for_id("items", _item(1)["id"])]
    cache.delete("items", _item(1)["id"])
    assert cache.get("items", _item(1)["id"]) is None
    assert cache.query_keys("items", search="item") == []


def test_search_filter_sort(cache):
    rows = [
        _item(1, name="Millennium Falcon", status="sell", estimated_value=300.0),
        _item(2, name="Twin Mill", status="keep", estimated_value=None, notes="Red line FALCON decal"),
        _item(3, name="Pokémon Charizard", status="sell", estimated_value=50.0, condition="mint_in_box"),
        _item(4, name="Castle 50% off_sale", status="trade", estimated_value=10.0),
    ]
    cache.replace_all("items", rows)
    key = {r["id"]: cache.key_for_id("items", r["id"]) for r in rows}

    def ids(keys):
        return [r["id"] for r in cache.rows_for_keys("items", keys)]

    assert ids(cache.query_keys("items", search="falcon")) == [rows[0]["id"], rows[1]["id"]]
    assert ids(cache.query_keys("items", search="FAL")) == [rows[0]["id"], rows[1]["id"]]
    assert ids(cache.query_keys("items", search="mill", filters={"status": "keep"})) == [rows[1]["id"]]
    assert ids(cache.query_keys("items", search="POKÉ")) == [rows[2]["id"]]
    # case and accents are ignored both ways, through the index and the short-text scan
    assert ids(cache.query_keys("items", search="pokemon")) == [rows[2]["id"]]
    assert ids(cache.query_keys("items", search="POKEMON CHAR")) == [rows[2]["id"]]
    assert ids(cache.query_keys("items", search="MÓ")) == [rows[2]["id"]]  # short: the scan path
    assert ids(cache.query_keys("items", search="mo", filters={"status": "sell"})) == [rows[2]["id"]]
    assert ids(cache.query_keys("items", search="0%")) == [rows[3]["id"]]  # LIKE wildcards are literal
    assert ids(cache.query_keys("items", search="f_s")) == [rows[3]["id"]]
    assert ids(cache.query_keys("items", search="mint_in")) == [rows[2]["id"]]
    assert cache.query_keys("items", search="nothing like it") == []
    # a pasted id (or its beginning) finds the record; short text does not match every id
    assert ids(cache.query_keys("items", search=rows[2]["id"])) == [rows[2]["id"]]
    assert ids(cache.query_keys("items", search=rows[2]["id"], filters={"status": "sell"})) == [rows[2]["id"]]
    assert ids(cache.query_keys("items", search="itm_0000000")) == [r["id"] for r in rows]
    assert cache.query_keys("items", search="itm") == []
    assert ids(cache.query_keys("items", sort="estimated_value")) == [
        rows[1]["id"], rows[3]["id"], rows[2]["id"], rows[0]["id"]]  # NULL first ascending
    assert ids(cache.query_keys("items", sort="name", descending=True))[0] == rows[1]["id"]
    assert ids(cache.query_keys("items", filters={"status": ["sell", "trade"]}, sort="name")) == [
        rows[3]["id"], rows[0]["id"], rows[2]["id"]]
    assert ids(cache.query_keys("items", filters={"estimated_value": None})) == [rows[1]["id"]]
    assert ids(cache.query_keys("items", sort="notes", descending=True))[0] == rows[1]["id"]  # JSON-only field
    assert cache.query_keys("items", filters={"collection_id": "col-a"}) == [key[rows[0]["id"]], key[rows[2]["id"]]]
    # rows_for_keys keeps the order asked for and skips unknown keys
    order = [key[rows[3]["id"]], 999_999, key[rows[0]["id"]]]
    assert ids(order) == [rows[3]["id"], rows[0]["id"]]
    assert cache.distinct("items", "status") == ["keep", "sell", "trade"]
    assert cache.distinct("items", "condition") == ["mint_in_box"]
    with pytest.raises(ValueError):
        cache.query_keys("items", filters={"name; DROP TABLE items": 1})
    with pytest.raises(ValueError):
        cache.query_keys("items", sort="name desc; --")


def test_locations_layers_and_api_field_aliases(cache):
    layer_a = {"id": "LA", "name": "Food", "color": "#ff0000"}
    locs = [
        {"id": "L1", "mapId": "M1", "name": "Bakery", "address": "1 Rue X", "lat": 48.1, "lng": 2.3,
         "categoryId": "C1", "tagIds": ["T1"], "layers": [layer_a]},
        {"id": "L2", "mapId": "M1", "name": "Museum", "address": "2 Rue Y", "lat": 48.2, "lng": 2.4,
         "categoryId": None, "tagIds": [], "layers": []},
    ]
    cache.replace_all("locations", locs, scope="M1")
    k1 = cache.key_for_id("locations", "L1")
    assert cache.query_keys("locations", filters={"layer_id": "LA"}) == [k1]
    assert cache.query_keys("locations", filters={"categoryId": "C1"}) == [k1]
    assert cache.query_keys("locations", filters={"map_id": "M1"}, sort="lat", descending=True)[-1] == k1
    assert cache.query_keys("locations", search="rue y") == [cache.key_for_id("locations", "L2")]
    assert cache.distinct("locations", "layer_id") == ["LA"]
    assert cache.rows_for_keys("locations", [k1])[0]["layers"][0]["color"] == "#ff0000"
    # layer membership changes follow an upsert
    cache.upsert("locations", {**locs[0], "layers": []}, scope="M1")
    assert cache.query_keys("locations", filters={"layer_id": "LA"}) == []
    cache.upsert("locations", {**locs[1], "layers": [layer_a]}, scope="M1")
    assert cache.query_keys("locations", filters={"layer": "LA"}) == [cache.key_for_id("locations", "L2")]
    cache.delete("locations", "L2")
    assert cache.distinct("locations", "layer_id") == []

    cache.replace_all("layers", [{"id": "LA", "mapId": "M1", "name": "Food", "order": 2, "routeEnabled": True}],
                      scope="M1")
    assert cache.query_keys("layers", filters={"routeEnabled": True}, sort="order")
    cache.replace_all("api_keys", [{"id": "k1", "name": "CI", "scope": "READ_ONLY", "prefix": "mk_live_ab"}])
    assert len(cache.query_keys("api_keys", filters={"scope": "READ_ONLY"})) == 1


def test_sales_summary_and_sync_times(cache):
    assert cache.sales_summary() is None
    summary = {"object": "sales_summary", "currency": "USD", "gross": 10.5, "fees": 1.0, "net_payout": 9.5,
               "refunds": 0.0, "disputes": 0.0, "orders": 2}
    cache.replace_all("sales_summary", [summary])
    assert cache.sales_summary() == summary
    assert cache.last_synced("items") is None
    when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    cache.mark_synced("items", when=when)
    cache.mark_synced("locations", "M1")
    assert cache.last_synced("items") == when
    assert datetime.now(UTC) - cache.last_synced("locations", "M1") < timedelta(minutes=1)
    assert cache.last_synced("locations") is None


def test_known_maps(cache):
    cache.add_known_map("cmap1", "created")
    cache.add_known_map("cmap2")
    cache.add_known_map("cmap2", "demo")
    with pytest.raises(ValueError):
        cache.add_known_map("cmap3", "stolen")
    cache.replace_all("maps", [{"id": "cmap1", "title": "Paris bakeries"}])
    cache.replace_all("tags", [{"id": "t1", "mapId": "cmap1", "name": "x"}], scope="cmap1")
    maps = {m["id"]: m for m in cache.known_maps()}
    assert maps["cmap1"]["source"] == "created" and maps["cmap1"]["title"] == "Paris bakeries"
    assert maps["cmap2"]["source"] == "demo" and maps["cmap2"]["title"] is None
    cache.remove_known_map("cmap1")
    assert [m["id"] for m in cache.known_maps()] == ["cmap2"]
    assert cache.count("tags") == 0 and cache.get("maps", "cmap1") is None


def test_one_connection_per_thread_and_readers_see_commits(cache):
    cache.replace_all("items", [_item(1)])
    seen: list[int] = []
    errors: list[BaseException] = []

    def reader():
        try:
            seen.append(cache.count("items"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and seen == [1, 1, 1, 1]


def test_query_speed_on_100k_items(tmp_path, capsys):
    path = make_cache(tmp_path / "big.sqlite3", 100_000)
    t0 = time.perf_counter()
    c = Cache(path)
    open_ms = (time.perf_counter() - t0) * 1000
    try:
        assert c.count("items") == 100_000
        timings = {}
        for term in ("s", "st", "sta", "star", "star wars", "falcon"):
            samples = []
            for _ in range(5):
                t = time.perf_counter()
                keys = c.query_keys("items", search=term)
                samples.append((time.perf_counter() - t) * 1000)
            timings[term] = statistics.median(samples)
            rows = c.rows_for_keys("items", keys[:50])
            assert all(term in (r["name"] + " " + r["notes"] + " " + r["id"] + " " + r["status"]
                                + " " + (r["condition"] or "")).casefold() for r in rows)
        keys = c.query_keys("items", sort="name")
        t = time.perf_counter()
        block = c.rows_for_keys("items", keys[50_000:50_200])
        block_ms = (time.perf_counter() - t) * 1000
        assert len(block) == 200
        names = [r["name"].casefold() for r in block]
        assert names == sorted(names)
        with capsys.disabled():
            print(f"\n[storage] 100,000 items: open {open_ms:.1f} ms; search median ms "
                  + ", ".join(f"{k!r} {v:.1f}" for k, v in timings.items())
                  + f"; rows_for_keys(200) {block_ms:.1f} ms")
    finally:
        c.close()


def test_fake_items_look_like_api_items():
    items = list(fake_items(3))
    assert {"id", "name", "status", "collection_id", "created_at"} <= items[0].keys()
    assert items[0]["id"].startswith("itm_") and len(items[0]["id"]) == 24
