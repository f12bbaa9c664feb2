"""The vocabulary of the resource registry: services, fields, resources, views (no Qt, no I/O).

Kept free of ``typing``/``dataclasses`` at run time: the registry is on the way to the window's
first paint and to the command line's dry run, where every imported module counts.
"""

from __future__ import annotations

from app.core.frozen import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

# -- value kinds (what a field holds; what an edit form shows for it) -----------------------
TEXT, MULTILINE, CHOICE, NUMBER, INT, BOOL, COLOR, REF, REFS, DATETIME, CURRENCY = (
    "text", "multiline", "choice", "number", "int", "bool", "color", "ref", "refs", "datetime", "currency",
)
# -- display formats beyond the kinds (how a table cell shows a value) ----------------------
MONEY, LIST, LAYERS, ENUM = "money", "list", "layers", "enum"
GONE = "gone"  # Cabinet's own mark on a record the service no longer has, shown as its status
# -- alignments (the UI turns them into Qt flags) -------------------------------------------
LEFT, RIGHT, CENTER = "left", "right", "center"
# -- how a resource is read from its service (what sync does with it) ------------------------
PAGED = "paged"      # numbered pages (InstaMapp: has_more; Mapiry: totalPages)
LISTED = "listed"    # one request returns the whole list
SINGLE = "single"    # one record (a summary)
PER_SCOPE = "per_scope"  # the scope records themselves (Mapiry maps), fetched one by one by id

_FMT_OF_KIND = {MULTILINE: TEXT, CHOICE: ENUM, CURRENCY: TEXT}
_ALIGN_OF_FMT = {MONEY: RIGHT, NUMBER: RIGHT, INT: RIGHT, BOOL: CENTER}
_SQL_OF_KIND = {NUMBER: "REAL", INT: "INTEGER", BOOL: "INTEGER"}


def text_length(text: str) -> int:
    """A text's length as the services count it: in UTF-16 code units (JavaScript's
    ``String.length``, which is what both services' validators measure). An emoji is two."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


class _Record(Frozen):
    """Immutable, compared by value; fields are set once in ``__init__`` through ``_set``."""

    __slots__ = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)


class Service(_Record):
    """One remote service Cabinet speaks: its id (the key used everywhere: settings, keyring,
    environment variables ``<ID>_API_KEY`` / ``<ID>_BASE_URL``), display name, documented base
    URL and where a person makes a key."""

    __slots__ = ("name", "title", "base_url", "key_place", "key_page", "page_size_max", "pages_counted", "secrets")
    name: str
    title: str
    base_url: str
    key_place: str  # in a sentence: "Create a key in {key_place}"
    key_page: str  # the page's name alone, for the settings' hints ("" when the app gives none)
    page_size_max: int  # the most records one page may hold
    pages_counted: bool  # a page says how many pages there are (else only whether more follow)
    secrets: tuple[str, ...]  # further secrets beside the API key, named as the adapter's keyword arguments

    def __init__(self, name: str, title: str, base_url: str, key_place: str = "", key_page: str = "", *,
                 page_size_max: int = 100, pages_counted: bool = False, secrets: tuple[str, ...] = ()) -> None:
        self._set(name=name, title=title, base_url=base_url, key_place=key_place or f"your {title} account",
                  key_page=key_page, page_size_max=page_size_max, pages_counted=pages_counted,
                  secrets=tuple(secrets))

    def secret_id(self, secret: str) -> str:
        """The credential id of a further secret ("instabot.master_key")."""
        if secret not in self.secrets:
            raise ValueError(f"{self.name} has no secret {secret!r}")
        return f"{self.name}.{secret}"

    def secret_env(self, secret: str) -> str:
        """The environment variable of a further secret: INSTABOT_MASTER_KEY."""
        self.secret_id(secret)
        return f"{self.name.upper()}_{secret.upper()}"

    @property
    def key_env(self) -> str:
        return f"{self.name.upper()}_API_KEY"

    @property
    def url_env(self) -> str:
        return f"{self.name.upper()}_BASE_URL"


class Field(_Record):
    """One field of a resource, described once: what it holds, the service's rules for it,
    how the cache keeps it and how a table shows it.

    ``name`` is the API's own field name. Rules (checked by core/edits.py and the CSV validator):
    ``required``; ``low``/``high`` — for text the least/most length in UTF-16 code units
    (``text_length``), for numbers the least/most value; ``nullable``; ``choices``; ``ref`` (the
    resource whose records a REF/REFS field points at). ``column`` is the cache's SQL column for
    it ("" when the cache keeps it only inside the JSON record). ``title`` is the table's column
    title (default: ``label``); ``fmt``/``align`` default from ``kind``; ``decimals`` fixes the
    decimals a NUMBER shows (None: up to six significant digits).
    """

    __slots__ = ("name", "label", "kind", "required", "low", "high", "nullable", "choices", "ref", "default",
                 "trim", "separate", "hint", "column", "nocase", "indexed", "title", "fmt", "align", "width",
                 "visible", "sortable", "editable", "decimals")
    name: str
    label: str
    kind: str
    required: bool
    low: float | None
    high: float | None
    nullable: bool
    choices: tuple[str, ...]
    ref: str | None
    default: Any
    trim: bool
    separate: bool
    hint: str
    column: str
    nocase: bool
    indexed: bool
    title: str
    fmt: str
    align: str
    width: int
    visible: bool
    sortable: bool
    editable: bool
    decimals: int | None

    def __init__(self, name: str, label: str, kind: str = TEXT, *, required: bool = False,
                 low: float | None = None, high: float | None = None, nullable: bool = False,
                 choices: tuple[str, ...] = (), ref: str | None = None, default: Any = None, trim: bool = False,
                 separate: bool = False, hint: str = "", column: str | bool = "", nocase: bool = False,
                 indexed: bool = True, title: str = "", fmt: str = "", align: str = "", width: int = 120,
                 visible: bool = True, sortable: bool = True, editable: bool = False,
                 decimals: int | None = None) -> None:
        fmt = fmt or _FMT_OF_KIND.get(kind, kind)
        self._set(name=name, label=label, kind=kind, required=required, low=low, high=high, nullable=nullable,
                  choices=tuple(choices), ref=ref, default=default, trim=trim, separate=separate, hint=hint,
                  column=name if column is True else (column or ""), nocase=nocase, indexed=indexed,
                  title=title or label, fmt=fmt, align=align or _ALIGN_OF_FMT.get(fmt, LEFT), width=width,
                  visible=visible, sortable=sortable, editable=editable, decimals=decimals)

    @property
    def sql_type(self) -> str:
        base = "REAL" if self.fmt == MONEY else _SQL_OF_KIND.get(self.kind, "TEXT")
        return base + " COLLATE NOCASE" if self.nocase else base


class View(_Record):
    """Where a resource shows in the window's sidebar: its group, its title, and what kind of
    page shows it ("table": the generic table page; "summary": a page of its own)."""

    __slots__ = ("name", "group", "title", "page")
    name: str
    group: str
    title: str
    page: str

    def __init__(self, name: str, group: str, title: str, page: str = "table") -> None:
        self._set(name=name, group=group, title=title, page=page)


class Resource(_Record):
    """One resource of one service: its fields and everything the app derives from them."""

    __slots__ = ("name", "service", "singular", "plural", "label_field", "key", "fields", "columns", "form",
                 "search", "filters", "map_scoped", "reading", "can_create", "can_edit", "can_delete",
                 "delete_verb", "view", "filter_aliases", "delete_note", "read_only_note")
    name: str
    service: str
    singular: str
    plural: str
    label_field: str
    key: str
    fields: dict[str, Field]
    columns: tuple[Field, ...]
    form: tuple[Field, ...]
    search: tuple[str, ...]
    filters: tuple[Field, ...]
    map_scoped: bool
    reading: str
    can_create: bool
    can_edit: bool
    can_delete: bool
    delete_verb: str
    view: View | None
    filter_aliases: dict[str, str]
    delete_note: str
    read_only_note: str

    def __init__(self, name: str, service: str, fields: Iterable[Field], *, singular: str, plural: str,
                 label_field: str = "name", key: str = "id", columns: tuple[str, ...] = (),
                 form: tuple[str, ...] = (), search: tuple[str, ...] = (), filters: tuple[str, ...] = (),
                 map_scoped: bool = False, reading: str = PAGED, can_create: bool = False,
                 can_edit: bool = False, can_delete: bool = False, delete_verb: str = "Delete",
                 view: View | None = None, filter_aliases: dict[str, str] | None = None,
                 delete_note: str = "", read_only_note: str = "") -> None:
        fields = tuple(fields)
        by_name = {f.name: f for f in fields}
        if len(by_name) != len(fields):
            raise ValueError(f"{name}: a field is described twice")
        if key not in by_name:
            raise ValueError(f"{name}: the key field {key!r} is not described")

        def pick(names: tuple[str, ...], what: str) -> tuple[Field, ...]:
            missing = [n for n in names if n not in by_name]
            if missing:
                raise ValueError(f"{name}: {what} name undescribed fields {missing}")
            return tuple(by_name[n] for n in names)

        self._set(name=name, service=service, singular=singular, plural=plural, label_field=label_field,
                  key=key, fields=by_name, columns=pick(columns, "columns"), form=pick(form, "form"),
                  search=tuple(search), filters=pick(filters, "filters"), map_scoped=map_scoped,
                  reading=reading, can_create=can_create, can_edit=can_edit, can_delete=can_delete,
                  delete_verb=delete_verb, view=view, filter_aliases=dict(filter_aliases or {}),
                  delete_note=delete_note, read_only_note=read_only_note)

    def field(self, name: str) -> Field:
        return self.fields[name]

    @property
    def stored(self) -> tuple[Field, ...]:
        """The fields the cache keeps in columns of their own, in table order (key first)."""
        return tuple(f for f in self.fields.values() if f.column)

    @property
    def read_only(self) -> bool:
        return not (self.can_create or self.can_edit or self.can_delete)
