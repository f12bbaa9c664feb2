"""A lazy table model over the cache (after Anki's browser model).

The model holds only the SQLite rowids that ``Cache.query_keys`` returns for the current
search, filters and sort, and fetches the rows themselves on demand, a block at a time,
keeping the most recently used blocks. Sorting and filtering happen in SQLite.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from app.ui.columns import COLOR, INT, MONEY, NUMBER, Column, Lookups

if TYPE_CHECKING:
    from app.storage import CacheStore


def _log() -> Any:
    """This module's logger. `logging` is imported when something is logged, not on the way to
    the first paint (start-up: PySide scans the source of every module imported after it loads)."""
    import logging

    return logging.getLogger(__name__)


BLOCK_SIZE = 64  # rows read per query: a screenful or two, so a paint reads little more than it shows
MAX_BLOCKS = 256  # blocks kept (16,384 rows)
MAX_TEXTS = 2048  # rows whose display texts are kept (a few screens' worth)
FIRST_ROWS = 300  # keys read before the first paint of a query; the rest follow from a worker thread


class _KeyWorker:
    """One background thread (started on first use) that runs the full key queries, newest first.

    Only the latest job of each model is worth running: a job superseded while it waited is
    dropped without touching SQLite. The thread keeps its own SQLite connection per cache.
    """

    def __init__(self) -> None:
        import threading  # start-up: the worker starts after the first paint

        self._threading = threading
        self._cond = threading.Condition()
        self._jobs: dict[int, Any] = {}  # id(model) -> job; a newer job replaces a waiting one
        self._thread: threading.Thread | None = None

    def submit(self, owner: object, job: Any) -> None:
        with self._cond:
            self._jobs[id(owner)] = job
            if self._thread is None or not self._thread.is_alive():
                self._thread = self._threading.Thread(target=self._run, name="cabinet-keys", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs:
                    if not self._cond.wait(timeout=30.0) and not self._jobs:
                        self._thread = None  # idle: let the thread end; submit() starts another
                        return
                _owner, job = self._jobs.popitem()
            try:
                job()
            except Exception:  # noqa: BLE001 - a job reports its own errors; never kill the thread
                _log().exception("key query failed")


_worker: _KeyWorker | None = None


def _key_worker() -> _KeyWorker:
    global _worker
    if _worker is None:
        _worker = _KeyWorker()
    return _worker


class _KeyRelay(QObject):
    """Carries a worker's keys back to the GUI thread as a queued signal.

    One relay for the whole app, never deleted: a worker must never emit on a QObject that the
    GUI thread may be deleting (a model closed with its window). Models are found again by
    token, through weak references.
    """

    loaded = Signal(int, int, object)  # model token, generation, list of keys (or the exception)

    def __init__(self) -> None:
        super().__init__()
        import weakref  # start-up: made when the first page loads, after the first paint

        self.models: weakref.WeakValueDictionary[int, CacheTableModel] = weakref.WeakValueDictionary()
        self.latest: dict[int, int] = {}  # model token -> generation of its newest query
        self.loaded.connect(self._deliver)

    def _deliver(self, token: int, generation: int, keys: Any) -> None:
        if self.latest.get(token) == generation:
            del self.latest[token]
        model = self.models.get(token)
        if model is None or not shiboken6.isValid(model):
            return
        model.keys_arrived(generation, keys)


_relay: _KeyRelay | None = None
_tokens = itertools.count(1)


def _key_relay() -> _KeyRelay:
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _KeyRelay()
    return _relay

Index = QModelIndex | QPersistentModelIndex


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Ascending positions as (first, last) runs of consecutive ones: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for p in positions:
        if runs and runs[-1][1] == p - 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs

# Qt.ItemDataRole values as plain ints (comparing ints is what a paint can afford per cell).
_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGN = 0, 1, 3, 6, 7
_USER = 256
RAW_ROLE = _USER + 1  # the field's value as the API gave it
RECORD_ROLE = _USER + 2  # the whole record dict


class CacheTableModel(QAbstractTableModel):
    """``first_rows`` (0: off) makes each query read only that many keys before it returns; the
    full key list then comes from a worker thread and the rows past the first are inserted
    (``keysLoaded`` says so). ``keys_complete`` tells whether every key is in."""

    keysLoaded = Signal(int)  # the full row count, once every key of the current query is in

    def __init__(self, cache: CacheStore, resource: str, columns: Sequence[Column], parent: Any = None,
                 *, first_rows: int = 0) -> None:
        super().__init__(parent)
        self.cache = cache
        self.resource = resource
        self.columns: tuple[Column, ...] = tuple(columns)
        self._align = [int(c.align) for c in self.columns]
        # Numbers in figures of one width: right-aligned with fixed decimals, the decimal points line up.
        self._figures = [c.fmt in (NUMBER, MONEY, INT) for c in self.columns]
        self._figures_font: QFont | None = None
        self._base_flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        self._edit_flags = self._base_flags | Qt.ItemFlag.ItemIsEditable
        self.allow_edit = False  # the edit step turns this on; columns say which fields may change
        self.lookups: dict[str, dict[str, str]] = {}
        self.first_rows = first_rows
        self._keys: list[int] = []
        self._complete = True
        # While held, the rest of a query's keys wait for release_rest() (the page's first paint).
        self.hold_rest = False
        self._held: tuple[int, dict[str, Any]] | None = None
        self._generation = 0
        self._token = next(_tokens)
        self._blocks: dict[int, list[dict[str, Any]]] = {}  # least recently used first
        self._texts: dict[int, list[str | None]] = {}  # row -> display texts formatted so far
        self.search = ""
        self.filters: dict[str, Any] = {}
        self.sort_key: str | None = None
        self.descending = False

    # -- querying ---------------------------------------------------------------
    def set_query(self, *, search: str | None = None, filters: Mapping[str, Any] | None = None,
                  sort_key: str | None | bool = False, descending: bool | None = None) -> None:
        """Change any part of the query (False/None leave a part as it is) and re-run it."""
        if search is not None:
            self.search = search
        if filters is not None:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "")}
        if sort_key is not False:
            self.sort_key = sort_key  # type: ignore[assignment]
        if descending is not None:
            self.descending = descending
        self.requery()

    def _query(self) -> dict[str, Any]:
        return {"search": self.search, "filters": self.filters or None, "sort": self.sort_key,
                "descending": self.descending}

    def requery(self) -> None:
        self._generation += 1
        if _relay is not None:
            _relay.latest.pop(self._token, None)  # a waiting job for the old query is dropped
        query = self._query()
        first = self.first_rows
        if first > 0:
            keys = self.cache.query_keys(self.resource, limit=first, **query)
            complete = len(keys) < first
        else:
            keys = self.cache.query_keys(self.resource, **query)
            complete = True
        self._reset(keys)
        self._complete = complete
        self._held = None
        if not complete:
            if self.hold_rest:
                self._held = (self._generation, query)
            else:
                self._load_rest(self._generation, query)

    def release_rest(self) -> None:
        """Stop holding: read the rest of the current query's keys now (from the worker)."""
        self.hold_rest = False
        held, self._held = self._held, None
        if held is not None and held[0] == self._generation and not self._complete:
            self._load_rest(*held)

    def _reset(self, keys: list[int]) -> None:
        self.beginResetModel()
        self._keys = list(keys)
        self._blocks.clear()
        self._texts.clear()
        self.endResetModel()

    def _load_rest(self, generation: int, query: dict[str, Any]) -> None:
        cache, resource, token = self.cache, self.resource, self._token
        relay = _key_relay()
        relay.models[token] = self
        latest = relay.latest
        latest[token] = generation

        def job() -> None:
            # Never touch the model here: the last reference to a Qt object must not go away
            # in this thread. A plain dict says whether this query is still the newest.
            if latest.get(token) != generation:
                return  # a newer query replaced this one while it waited
            # A connection of this job's own: the cache may be closed meanwhile (its window
            # closing), and closing a connection another thread is reading through is unsafe.
            conn = None
            try:
                conn = cache.connect()
                result: Any = cache.query_keys(resource, connection=conn, **query)
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread
                result = exc
            finally:
                if conn is not None:
                    conn.close()
            relay.loaded.emit(token, generation, result)

        _key_worker().submit(self, job)

    def keys_arrived(self, generation: int, keys: Any) -> None:
        if generation != self._generation:
            return
        self._complete = True
        if isinstance(keys, BaseException):
            _log().warning("could not read every key of %s: %s", self.resource, keys)
            self.keysLoaded.emit(len(self._keys))
            return
        n = len(self._keys)
        if keys[:n] == self._keys:
            if len(keys) > n:
                self.beginInsertRows(QModelIndex(), n, len(keys) - 1)
                self._keys = keys
                self.endInsertRows()
        else:  # the cache changed in between: show the new result
            self._reset(keys)
        self.keysLoaded.emit(len(self._keys))

    @property
    def keys_complete(self) -> bool:
        return self._complete

    def load_all_keys(self) -> None:
        """Read the rest of the keys now (in this thread), when all of them are needed at once."""
        if not self._complete:
            self._generation += 1
            if _relay is not None:
                _relay.latest.pop(self._token, None)
            generation = self._generation
            self.keys_arrived(generation, self.cache.query_keys(self.resource, **self._query()))

    def refresh(self) -> None:
        """Re-run the current query after the cache changed, in place: changed rows repaint, rows
        that went are removed, new ones inserted and moved ones moved, each as Qt's model signals
        say (no reset), so the views keep their selection, current row and scroll position."""
        self._generation += 1
        if _relay is not None:
            _relay.latest.pop(self._token, None)  # a waiting job for the old keys is dropped
        self._held = None
        self._complete = True
        new = self.cache.query_keys(self.resource, **self._query())
        self._forget()  # every row is read again: changed ones show their new values
        old = self._keys
        if new != old:
            wanted = set(new)
            gone = [i for i, k in enumerate(old) if k not in wanted]
            for start, end in reversed(_runs(gone)):
                self.beginRemoveRows(QModelIndex(), start, end)
                del self._keys[start:end + 1]
                self._forget()  # the blocks read meanwhile hold the old rows' places
                self.endRemoveRows()
            kept = set(self._keys)
            order = [k for k in new if k in kept]
            if order != self._keys:
                self._move_to(order)
            added = [i for i, k in enumerate(new) if k not in kept]
            for start, end in _runs(added):
                self.beginInsertRows(QModelIndex(), start, end)
                self._keys[start:start] = new[start:end + 1]
                self._forget()
                self.endInsertRows()
        if self._keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._keys) - 1, len(self.columns) - 1))
        self.keysLoaded.emit(len(self._keys))

    def _forget(self) -> None:
        self._blocks.clear()
        self._texts.clear()

    def _move_to(self, order: list[int]) -> None:
        """Reorder the rows to ``order`` (the same keys), carrying the persistent indexes along."""
        self.layoutAboutToBeChanged.emit()
        position = {k: i for i, k in enumerate(order)}
        old_indexes = self.persistentIndexList()
        new_indexes = [self.index(position[self._keys[i.row()]], i.column()) for i in old_indexes]
        self._keys = list(order)
        self._forget()
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()

    def row_of(self, key: int | None) -> int | None:
        """The row that shows the record with this rowid, or None when the query leaves it out."""
        if key is None:
            return None
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    def set_lookups(self, lookups: Lookups) -> None:
        self.lookups = {k: dict(v) for k, v in lookups.items()}
        self._texts.clear()
        if self._keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._keys) - 1, len(self.columns) - 1))

    # -- rows -------------------------------------------------------------------
    def keys(self) -> list[int]:
        self.load_all_keys()
        return list(self._keys)

    def record(self, row: int) -> dict[str, Any] | None:
        if not 0 <= row < len(self._keys):
            return None
        block_no, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_no)
        if block is None:
            start = block_no * BLOCK_SIZE
            block = self.cache.rows_for_keys(self.resource, self._keys[start:start + BLOCK_SIZE])
            self._blocks[block_no] = block
            while len(self._blocks) > MAX_BLOCKS:
                del self._blocks[next(iter(self._blocks))]  # the least recently used
        else:
            self._blocks[block_no] = self._blocks.pop(block_no)  # now the most recently used
        return block[offset] if offset < len(block) else None

    def iter_records(self, chunk: int = 1000) -> Iterator[dict[str, Any]]:
        """Every row of the current query in order (not only the loaded blocks)."""
        self.load_all_keys()
        keys = list(self._keys)
        for start in range(0, len(keys), chunk):
            yield from self.cache.rows_for_keys(self.resource, keys[start:start + chunk])

    def loaded_blocks(self) -> int:
        return len(self._blocks)

    def column_index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return i
        raise KeyError(key)

    # -- Qt model API -------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = 0) -> Any:
        # Called for every role of every visible cell on each paint: plain ints, cheapest checks first.
        if role == _DISPLAY:
            row, column = index.row(), index.column()
            texts = self._texts.get(row)
            if texts is not None:
                text = texts[column]
                if text is not None:
                    return text
            rec = self.record(row)
            if rec is None:
                return None
            if texts is None:
                if len(self._texts) >= MAX_TEXTS:  # repaints and scrolls back reuse them
                    self._texts.clear()
                texts = self._texts[row] = [None] * len(self.columns)
            text = texts[column] = self.columns[column].text(rec, self.lookups)
            return text
        if role == _ALIGN:
            return self._align[index.column()]
        if role == _FONT:
            return self.figures_font() if self._figures[index.column()] else None
        if role == _DECORATION:
            col = self.columns[index.column()]
            if col.fmt != COLOR:
                return None
            rec = self.record(index.row())
            value = col.value(rec) if rec else None
            if isinstance(value, str) and QColor.isValidColorName(value):
                return QColor(value)
            return None
        if role == _TOOLTIP:
            rec = self.record(index.row())
            if rec is None:
                return None
            text = self.columns[index.column()].text(rec, self.lookups)
            return text if len(text) > 30 else None
        if role == RAW_ROLE:
            rec = self.record(index.row())
            return self.columns[index.column()].value(rec) if rec else None
        if role == RECORD_ROLE:
            return self.record(index.row())
        return None

    def figures_font(self) -> QFont:
        """The application font with tabular figures (every digit as wide as the others)."""
        if self._figures_font is None:
            font = QFont()
            font.setFeature(QFont.Tag("tnum"), 1)
            self._figures_font = font
        return self._figures_font

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.label()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align)
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.key
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.allow_edit and self.columns[index.column()].editable:
            return self._edit_flags
        return self._base_flags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        self.set_query(sort_key=self.columns[column].key,
                       descending=order == Qt.SortOrder.DescendingOrder)
