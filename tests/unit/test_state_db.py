"""The state database: known maps and import jobs live apart from the disposable cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.importer.jobs import JobRow, JobStore, open_store
from app.storage import Cache, DatabaseDamagedError, DiskFullError, StateDB, state_path_for
from app.storage.migrations import MIGRATIONS as CACHE_MIGRATIONS
from app.storage.schema import migrate_component


def test_state_file_sits_beside_the_cache(tmp_path: Path) -> None:
    assert state_path_for(tmp_path / "cache.sqlite3") == tmp_path / "state.sqlite3"
    assert state_path_for(tmp_path / "demo-cache.sqlite3") == tmp_path / "demo-state.sqlite3"
    assert state_path_for(tmp_path / "big.sqlite3") == tmp_path / "big-state.sqlite3"


def test_known_maps_survive_deleting_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        cache.add_known_map("m1", "created")
        cache.upsert("maps", {"id": "m1", "title": "Shops"})
        assert [(m["id"], m["title"]) for m in cache.known_maps()] == [("m1", "Shops")]
    for leftover in tmp_path.glob("cache.sqlite3*"):
        leftover.unlink()
    with Cache(path) as cache:
        assert [(m["id"], m["source"], m["title"]) for m in cache.known_maps()] == [("m1", "created", None)]
        cache.remove_known_map("m1")
        assert cache.known_maps() == []


def test_jobs_survive_deleting_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        store = JobStore(cache.state)
        job_id = store.create_job(map_id="m1", rows=[JobRow(2, "fp", {"name": "a", "lat": 1, "lng": 2})])
        store.close()
    for leftover in tmp_path.glob("cache.sqlite3*"):
        leftover.unlink()
    with Cache(path) as cache:
        store = JobStore(cache.state)
        assert store.get_job(job_id).total_rows == 1
        store.close()


def _old_cache(path: Path) -> None:
    """A cache written by an older Cabinet: known maps and import jobs inside it."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate_component(conn, "cache", CACHE_MIGRATIONS)
    conn.execute("INSERT INTO known_maps(map_id, source, added_at) VALUES ('old1', 'created', '2026-01-01')")
    conn.close()
    old = JobStore(path)  # the importer component in the cache file, as before
    old.create_job(map_id="old1", rows=[JobRow(2, "fp", {"name": "a", "lat": 1, "lng": 2})], name="legacy")
    old.close()


def test_an_old_cache_is_adopted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CABINET_DATA_DIR", str(tmp_path))
    _old_cache(tmp_path / "cache.sqlite3")
    store = open_store()
    try:
        assert [j.name for j in store.list_jobs()] == ["legacy"]
        store.delete_job(store.list_jobs()[0].id)
    finally:
        store.close()
    with Cache(tmp_path / "cache.sqlite3") as cache:
        assert [m["id"] for m in cache.known_maps()] == ["old1"]
        cache.remove_known_map("old1")
    # Adopted once: what was removed since does not come back from the old tables.
    with Cache(tmp_path / "cache.sqlite3") as cache:
        assert cache.known_maps() == []
        store = JobStore(cache.state)
        assert store.list_jobs() == []
        store.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "folder"])
def test_a_damaged_cache_names_the_file_and_the_remedy(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        cache.add_known_map("m1")
        cache.replace_all("maps", [{"id": f"m{i}", "title": "x" * 500} for i in range(200)])
    for extra in tmp_path.glob("cache.sqlite3-*"):
        extra.unlink()
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 1000)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:5000])
    else:
        path.unlink()
        path.mkdir()
    with pytest.raises(DatabaseDamagedError) as info:
        cache = Cache(path)
        cache.known_maps()
        cache.count("maps")
    message = info.value.user_message()
    assert str(path) in message and "cabinet cache rebuild" in message
    state = StateDB.beside(path)  # the state file is untouched
    assert [m["id"] for m in state.known_maps()] == ["m1"]
    state.close()


def test_a_full_disk_says_so_and_nothing_is_half_written(tmp_path: Path) -> None:
    """SQLITE_FULL, as a full disk gives it, through a database size limit (max_page_count)."""
    with Cache(tmp_path / "cache.sqlite3") as cache:
        cache.replace_all("maps", [{"id": f"m{i}", "title": "kept"} for i in range(10)])
        conn = cache._conn()  # the connection the cache writes through  # noqa: SLF001
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(DiskFullError) as info:
            cache.replace_all("maps", [{"id": f"n{i}", "title": "x" * 400} for i in range(5000)])
        assert "The disk is full" in info.value.user_message() and "nothing was half-written" in info.value.user_message()
        assert {m["title"] for m in cache.all_rows("maps")} == {"kept"}
        assert cache.count("maps") == 10
    store = JobStore(tmp_path / "state.sqlite3")
    try:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        rows = [JobRow(i + 2, f"fp{i}", {"name": "x" * 300, "lat": 1.0, "lng": 2.0}) for i in range(3000)]
        with pytest.raises(DiskFullError):
            store.create_job(map_id="m1", rows=rows)
        assert store.list_jobs() == []
    finally:
        store.close()
