"""A lazy table model over the cache (after Anki's browser model).

The model holds only the SQLite rowids that ``Cache.query_keys`` returns for the current
search, filters and sort, and fetches the rows themselves on demand, a block at a time,
keeping the most recently used blocks. Sorting and filtering happen in SQLite.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.ui.columns import COLOR, Column, Lookups

BLOCK_SIZE = 256
MAX_BLOCKS = 64

Index = QModelIndex | QPersistentModelIndex

# Qt.ItemDataRole values as plain ints (comparing ints is what a paint can afford per cell).
_DISPLAY, _DECORATION, _TOOLTIP, _ALIGN = 0, 1, 3, 7
_USER = 256
RAW_ROLE = _USER + 1  # the field's value as the API gave it
RECORD_ROLE = _USER + 2  # the whole record dict


class CacheTableModel(QAbstractTableModel):
    def __init__(self, cache: Any, resource: str, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.resource = resource
        self.columns: tuple[Column, ...] = tuple(columns)
        self._align = [int(c.align) for c in self.columns]
        self.allow_edit = False  # the edit step turns this on; columns say which fields may change
        self.lookups: dict[str, dict[str, str]] = {}
        self._keys: list[int] = []
        self._blocks: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
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

    def requery(self) -> None:
        keys = self.cache.query_keys(
            self.resource, search=self.search, filters=self.filters or None,
            sort=self.sort_key, descending=self.descending,
        )
        self.beginResetModel()
        self._keys = list(keys)
        self._blocks.clear()
        self.endResetModel()

    def set_lookups(self, lookups: Lookups) -> None:
        self.lookups = {k: dict(v) for k, v in lookups.items()}
        if self._keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._keys) - 1, len(self.columns) - 1))

    # -- rows -------------------------------------------------------------------
    def keys(self) -> list[int]:
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
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block[offset] if offset < len(block) else None

    def iter_records(self, chunk: int = 1000) -> Iterator[dict[str, Any]]:
        """Every row of the current query in order (not only the loaded blocks)."""
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
            rec = self.record(index.row())
            return None if rec is None else self.columns[index.column()].text(rec, self.lookups)
        if role == _ALIGN:
            return self._align[index.column()]
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
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.allow_edit and self.columns[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        self.set_query(sort_key=self.columns[column].key,
                       descending=order == Qt.SortOrder.DescendingOrder)
