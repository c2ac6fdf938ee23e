"""Writing out the methods of the small dataclasses the app's first frame needs.

``@dataclass`` makes ``__init__``, ``__repr__``, ``__eq__`` (and ``__hash__``, and the
frozen ``__setattr__``) by writing their source and compiling it when the class is
made: 0.5-1.5 ms per class at every start (docs/performance.md, "App: sixth pass").
The classes on the path to the first frame turn those off in the decorator
(``init=False, repr=False, eq=False``, and no ``frozen=True``), write their ``__init__``
and a ``_values`` (the fields in order) by hand, and take ``__repr__``, ``__eq__``,
``__hash__`` and the refusal to change from ``Record``/``FrozenRecord``, which do what
the decorator's would;
``tests/core/test_records.py`` checks each class against the decorator's own.
They stay dataclasses: ``fields``, ``replace`` and ``asdict`` work on them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

_T = TypeVar("_T")

if TYPE_CHECKING:
    from typing import dataclass_transform

    @dataclass_transform(frozen_default=True)
    def frozen_record(*, slots: bool = False) -> Callable[[type[_T]], type[_T]]:
        """What a type checker sees: a frozen dataclass (assigning a field is an error)."""

else:

    def frozen_record(*, slots: bool = False) -> Any:
        """``@dataclass(slots=..., init=False, repr=False, eq=False)`` for a ``FrozenRecord``:
        run time gets the decorator without ``frozen=True`` (``FrozenRecord`` refuses
        assignment instead), type checkers see a frozen dataclass."""
        return dataclasses.dataclass(slots=slots, init=False, repr=False, eq=False)


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
    """A frozen dataclass's methods: ``Record``'s, a hash of the fields, and no assignment.

    The classes are decorated without ``frozen=True`` (the decorator would compile two more
    methods): this class refuses assignment as the decorator's would, and pickles and copies
    through ``__getstate__``/``__setstate__`` as the decorator does for a frozen class.
    """

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return list(self._values())

    def __setstate__(self, state: list[object]) -> None:
        for field, value in zip(dataclasses.fields(self), state, strict=True):  # type: ignore[arg-type]
            object.__setattr__(self, field.name, value)
