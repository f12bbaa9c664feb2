"""The offline cache (SQLite, disposable) and the state database beside it (known maps,
import jobs: what a cache rebuild must not lose)."""

from app.storage.cache import Cache
from app.storage.errors import DatabaseDamagedError, DiskFullError, ReadOnlyDatabaseError, StorageError
from app.storage.files import move_aside
from app.storage.rebuild import rebuild_cache
from app.storage.schema import register_component
from app.storage.state import StateDB, state_path_for
from app.storage.store import CacheStore

__all__ = [
    "Cache",
    "CacheStore",
    "DatabaseDamagedError",
    "DiskFullError",
    "ReadOnlyDatabaseError",
    "StateDB",
    "StorageError",
    "move_aside",
    "rebuild_cache",
    "register_component",
    "state_path_for",
]
