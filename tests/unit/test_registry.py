"""The resource registry is the one description of each resource: everything else is derived.

The scan below lists every place in app/ that spells out two or more resource names (or
service names) together — a table, a tuple, a dict keyed by resource — and finds the registry
only, apart from the places named in ``ALLOWED`` with the reason each may keep its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.core import edits, registry
from app.core.csvimport import ColumnMapping, validate
from app.importer import jobs, taxonomy
from app.storage import migrations
from app.storage import resources as storage
from app.sync import engine

APP = Path(__file__).resolve().parents[2] / "app"
REGISTRY = APP / "core" / "registry"

# path (relative to app/) -> why it may name several resources or services itself.
ALLOWED = {
    "storage/migrations.py": "V1_RESOURCES is history: the tables migration 1 created, never to change",
    "sandbox/": "the sandbox is the services' stand-in: it keeps its own server-side model and seed data",
    # Not resources: the columns of Cache.location_points (a location's category and first layer).
    "ui/map/view.py": "the point columns 'categories' and 'layers' of Cache.location_points",
    "ui/import_wizard/preview_map.py": "the point columns 'categories' and 'layers' of Cache.location_points",
}


def _allowed(path: Path) -> bool:
    rel = path.relative_to(APP).as_posix()
    return any(rel == key or (key.endswith("/") and rel.startswith(key)) for key in ALLOWED)


def _literal_groups(path: Path) -> list[tuple[int, set[str], set[str]]]:
    """(line, resource names, service names) of each literal tuple/list/set/dict naming 2+ of either."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            elements = node.elts
        elif isinstance(node, ast.Dict):
            elements = [k for k in node.keys if k is not None]
        else:
            continue
        strings = {e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        resources, services = strings & set(registry.RESOURCES), strings & set(registry.SERVICES)
        if len(resources) >= 2 or len(services) >= 2:
            found.append((node.lineno, resources, services))
    return found


def test_no_resource_or_service_is_described_outside_the_registry() -> None:
    places = []
    for path in sorted(APP.rglob("*.py")):
        if REGISTRY in path.parents or _allowed(path):
            continue
        for line, resources, services in _literal_groups(path):
            places.append(f"{path.relative_to(APP)}:{line}: {sorted(resources | services)}")
    assert places == [], "derive these from app.core.registry instead:\n" + "\n".join(places)


def test_the_scan_finds_a_description(tmp_path: Path) -> None:
    """The scan can fail."""
    sample = tmp_path / "sample.py"
    sample.write_text('A = ("maps", "tags")\nB = {"instamapp": 1, "mapiry": 2}\nC = ("maps",)\n')
    assert [(line, sorted(r | s)) for line, r, s in _literal_groups(sample)] == [
        (1, ["maps", "tags"]), (2, ["instamapp", "mapiry"])]


def test_limits_and_scopes_are_defined_once() -> None:
    for path in sorted(APP.rglob("*.py")):
        if REGISTRY in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant | ast.Tuple):
                names = {t.id for t in node.targets if isinstance(t, ast.Name)}
                assert not names & {"MAP_SCOPED", "SERVICES", "BULK_LIMIT", "BULK_MAX"}, (
                    f"{path.relative_to(APP)}:{node.lineno} defines {names} again: import it from app.core.registry")


def test_storage_tables_are_derived() -> None:
    assert set(storage.RESOURCES) == set(registry.RESOURCES)
    for name, res in registry.RESOURCES.items():
        table = storage.RESOURCES[name]
        assert [(c.name, c.api_field, c.sql_type, c.indexed) for c in table.columns] == [
            (f.column, f.name, f.sql_type, f.indexed) for f in res.stored]
        assert table.search_fields == res.search and table.map_scoped == res.map_scoped
    assert storage.MAP_SCOPED == registry.MAP_SCOPED
    # every resource gets a table: the first ten from migration 1, later ones from their own component
    assert set(migrations.V1_RESOURCES) <= set(registry.RESOURCES)


def test_sync_reads_every_resource_of_its_service() -> None:
    assert {n: r.service for n, r in registry.RESOURCES.items()} == engine.SERVICE_OF
    for service in registry.SERVICES:
        order = engine.sync_order(service)
        assert sorted(order) == sorted(r.name for r in registry.by_service(service))
    assert engine.MAP_RESOURCES == registry.MAP_SCOPED


def test_forms_and_checks_are_the_registrys() -> None:
    for name, spec in edits.SPECS.items():
        assert spec is registry.RESOURCES[name]
    assert edits.MAP_SCOPED == registry.MAP_SCOPED


def test_csv_limits_are_the_registrys() -> None:
    loc = registry.RESOURCES["locations"].fields
    assert (
        loc["name"].high, loc["description"].high, loc["address"].high) == (validate.NAME_MAX, validate.DESCRIPTION_MAX, validate.ADDRESS_MAX)
    assert registry.RESOURCES["categories"].fields["name"].high == validate.CATEGORY_MAX
    assert registry.RESOURCES["tags"].fields["name"].high == validate.TAG_MAX
    assert registry.RESOURCES["layers"].fields["name"].high == validate.LAYER_MAX
    assert validate.BATCH_SIZE == jobs.BATCH_SIZE == registry.BULK_LIMIT
    assert set(taxonomy.KINDS) == {r for r in registry.MAP_SCOPED if r != "locations"}


@pytest.mark.parametrize(("text", "length"), [("abc", 3), ("café", 4), ("🗺 map", 6), ("𝄞", 2)])
def test_lengths_are_counted_in_utf16_units(text: str, length: int) -> None:
    assert registry.text_length(text) == length


def test_edits_and_the_csv_validator_count_lengths_alike() -> None:
    name = "🗺" * 100 + "x"  # 101 code points, 201 UTF-16 units: over the 200 limit
    _values, problems = edits.clean("locations", {"name": name, "lat": 1, "lng": 2})
    assert "name" in problems
    checker = validate.Validator(ColumnMapping(name=0, lat=1, lng=2))
    checker.feed([(1, [name, "1", "2"])])
    assert "name is longer than 200" in checker.result().invalid[0].error


def test_a_bad_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="undescribed"):
        registry.Resource("things", "mapiry", (registry.Field("id", "ID"),), singular="thing", plural="things",
                          columns=("nope",))
    with pytest.raises(ValueError, match="key field"):
        registry.Resource("things", "mapiry", (registry.Field("name", "Name"),), singular="t", plural="t")
