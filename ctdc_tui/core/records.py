"""Writing out the methods of the small dataclasses the app's first frame needs.

``@dataclass`` makes ``__init__``, ``__repr__``, ``__eq__`` (and ``__hash__``, and the
frozen ``__setattr__``) by writing their source and compiling it when the class is
made: 0.5-1.5 ms per class at every start (docs/performance.md, "App: sixth pass").
The classes on the path to the first frame turn those off in the decorator
(``init=False, repr=False, eq=False``), write their ``__init__`` and a ``_values``
(the fields in order) by hand, and take ``__repr__``, ``__eq__`` and ``__hash__``
from ``Record``/``FrozenRecord``, which do what the decorator's would;
``tests/core/test_records.py`` checks each class against the decorator's own.
They stay dataclasses: ``fields``, ``replace`` and ``asdict`` work on them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable


def record_repr(record: object, names: Iterable[str], values: Iterable[object]) -> str:
    """``Name(field=value, ...)``, as a dataclass's ``__repr__`` writes it."""
    inner = ", ".join(f"{name}={value!r}" for name, value in zip(names, values, strict=True))
    return f"{type(record).__qualname__}({inner})"


class Record:
    """``__repr__`` and ``__eq__`` of a dataclass (made with ``eq=True``; unhashable, as it is)."""

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        """The fields' values, in the order of the fields (each class writes its own)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        shown = [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self) if f.repr]  # type: ignore[arg-type]
        return record_repr(self, (name for name, _ in shown), (value for _, value in shown))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented


class FrozenRecord(Record):
    """A frozen dataclass's methods: ``Record``'s, and a hash of the fields."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())
