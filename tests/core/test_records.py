"""The dataclasses whose methods are written out by hand (``ctdc_tui/core/records.py``).

Each is compared with the class ``@dataclass`` makes from the same fields with its
methods on: the same ``__init__`` parameters and defaults, the same ``repr``, equality
and hash, and the same refusal to change a frozen one.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from ctdc_tui.core.bookmarks import Bookmark, MergeResult
from ctdc_tui.core.first_screen import FirstScreen, ScreenCategory
from ctdc_tui.core.records import FrozenRecord
from ctdc_tui.core.resource import Resource
from ctdc_tui.core.state import AppState
from ctdc_tui.tui.widgets.resource_list import _Pass
from ctdc_tui.tui.widgets.sidebar import Entry
from ctdc_tui.tui.widgets.status import StatusInfo

WRITTEN_OUT = [
    Resource,
    Bookmark,
    MergeResult,
    ScreenCategory,
    FirstScreen,
    AppState,
    StatusInfo,
    Entry,
    _Pass,
]


# (frozen, slots) as each class was declared with the decorator before its methods were written
# out: the written-out class must keep both, whatever it inherits.
DECLARED = {
    Resource: (True, True),
    Bookmark: (True, True),
    MergeResult: (False, True),
    ScreenCategory: (True, True),
    FirstScreen: (False, False),
    AppState: (True, True),
    StatusInfo: (True, False),
    Entry: (True, False),
    _Pass: (True, True),
}


@pytest.mark.parametrize("cls", WRITTEN_OUT, ids=lambda c: c.__name__)
def test_each_keeps_its_declared_frozen_and_slots(cls: type) -> None:
    frozen, slots = DECLARED[cls]
    assert issubclass(cls, FrozenRecord) is frozen
    assert ("__slots__" in cls.__dict__) is slots
    values = _values(cls, "a")
    record = cls(**values)
    name = next(iter(values))
    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, name, "x")
        hash(record)  # a frozen record with equality hashes
    else:
        setattr(record, name, "x")
        assert getattr(record, name) == "x"
    if slots:
        assert not hasattr(record, "__dict__")


def _reference(cls: type) -> type:
    """The class ``@dataclass`` would make from ``cls``'s fields with every method generated."""
    fields = []
    for f in dataclasses.fields(cls):
        spec: Any = dataclasses.field(
            default=f.default, default_factory=f.default_factory, repr=f.repr, compare=f.compare
        )
        fields.append((f.name, f.type, spec))
    made = dataclasses.make_dataclass(
        cls.__name__, fields, frozen=issubclass(cls, FrozenRecord), slots="__slots__" in cls.__dict__
    )
    made.__qualname__ = cls.__qualname__
    return made


def _values(cls: type, salt: str) -> dict[str, Any]:
    # Every field gets a value of its own (a string is enough for repr, equality and hash).
    return {f.name: f"{salt}-{n}" for n, f in enumerate(dataclasses.fields(cls))}


@pytest.mark.parametrize("cls", WRITTEN_OUT, ids=lambda c: c.__name__)
def test_written_out_methods_are_the_decorators(cls: type) -> None:
    reference = _reference(cls)
    ours, theirs = inspect.signature(cls), inspect.signature(reference)
    assert list(ours.parameters) == list(theirs.parameters)
    factories = {f.name for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING}
    for name, parameter in ours.parameters.items():
        other = theirs.parameters[name]
        assert parameter.kind == other.kind, name
        if name in factories:  # written as None, made fresh (the decorator uses a private marker)
            assert parameter.default is None
        else:
            assert parameter.default == other.default, name
    values, others = _values(cls, "a"), _values(cls, "b")
    a, a2, b = cls(**values), cls(*values.values()), cls(**others)
    ra, rb = reference(**values), reference(**others)
    assert repr(a) == repr(ra) and repr(b) == repr(rb)
    assert a == a2 and a != b
    assert (a == ra) is False  # another class: never equal, as with the decorator's
    for name in values:  # every compared field takes part in equality
        changed = cls(**{**values, name: "other"})
        compared = next(f.compare for f in dataclasses.fields(cls) if f.name == name)
        assert (changed != a) is compared, name
    if reference.__hash__ is None:
        assert cls.__hash__ is None
    else:
        assert hash(a) == hash(ra) and hash(a) == hash(a2)
    for name in values:
        assert getattr(a, name) == values[name]
    if issubclass(cls, FrozenRecord):  # no assignment, with the decorator's words
        name = next(iter(values))
        messages = []
        for record in (a, ra):
            with pytest.raises(dataclasses.FrozenInstanceError) as assigned:
                setattr(record, name, "x")
            with pytest.raises(dataclasses.FrozenInstanceError) as deleted:
                delattr(record, name)
            messages.append((str(assigned.value), str(deleted.value)))
        assert messages[0] == messages[1]
    for copied in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert copied == a and copied is not a
    assert dataclasses.replace(a, **others) == b
    assert dataclasses.asdict(a) == dataclasses.asdict(ra)
    assert ("__slots__" in cls.__dict__) == ("__slots__" in reference.__dict__)


def test_defaults_from_factories_are_fresh() -> None:
    one, two = MergeResult(), MergeResult()
    one.added.append(Bookmark("c", "r", "t", "u"))
    assert two.added == [] and one != two
    screen = FirstScreen("t", 0, [], {}, {})
    assert screen.resources == {} and screen.resources is not FirstScreen("t", 0, [], {}, {}).resources
