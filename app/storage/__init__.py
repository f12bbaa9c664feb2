"""The offline cache (SQLite): every resource the adapters read, sync times, known maps."""

from app.storage.cache import Cache
from app.storage.schema import register_component

__all__ = ["Cache", "register_component"]
