"""The window's descriptions of resources are the registry's: columns, filters, sidebar, titles."""

from __future__ import annotations

from app.core import registry
from app.ui.columns import COLUMNS, FILTERS
from app.ui.main_window import EXTRA_VIEWS, VIEW_NAMES, VIEWS
from app.ui.status import SERVICE_RESOURCES, SERVICE_TITLES


def test_columns_are_the_registrys() -> None:
    assert set(COLUMNS) == {n for n, r in registry.RESOURCES.items() if r.columns}
    for name, columns in COLUMNS.items():
        fields = registry.RESOURCES[name].columns
        assert [(c.key, c.title, c.fmt, c.width, c.visible, c.sortable) for c in columns] == [
            (f.name, f.title, f.fmt, f.width, f.visible, f.sortable) for f in fields]


def test_filters_are_the_registrys() -> None:
    assert set(FILTERS) == {n for n, r in registry.RESOURCES.items() if r.filters}
    for name, filters in FILTERS.items():
        fields = registry.RESOURCES[name].filters
        assert [(s.key, s.ref, s.values) for s in filters] == [(f.name, f.ref, f.choices) for f in fields]
        for spec in filters:
            if spec.ref:
                assert spec.ref_label == registry.RESOURCES[spec.ref].label_field


def test_the_sidebar_is_the_registrys_views_and_the_extra_ones() -> None:
    described = [view.name for _group, entries in registry.views() for view, _res in entries]
    assert sorted(VIEW_NAMES) == sorted(described + [name for _g, name, _t in EXTRA_VIEWS])
    groups = [group for group, _views in VIEWS]
    assert groups == list(dict.fromkeys(g for g, _e in registry.views()))
    table_views = {name: res for _g, views in VIEWS for name, res, _t in views if res is not None}
    assert table_views == {v.name: r.name for _g, e in registry.views() for v, r in e if v.page == "table"}


def test_service_names_and_resources_are_the_registrys() -> None:
    assert {n: registry.SERVICES[n].title for n in registry.APP_SERVICES} == SERVICE_TITLES
    assert {r for rs in SERVICE_RESOURCES.values() for r in rs} == set(registry.RESOURCES)
