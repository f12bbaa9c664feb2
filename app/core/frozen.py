"""A small immutable record compared and hashed by value.

What a frozen dataclass gives, without importing dataclasses on the way to the app's first
paint. Subclasses name their fields in ``__slots__`` and set them once in ``__init__`` with
``object.__setattr__``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: the CSV dry run's start-up counts it
if TYPE_CHECKING:
    from typing import Any


class Frozen:
    __slots__ = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in self._fields()))

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({args})"
