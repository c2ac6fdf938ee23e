"""What the app remembers between runs: theme, last category, last resource, sort.

The state is a small JSON file at ``locations.state_file()``::

    {"version": 1, "theme": "nord", "category": "data-governance",
     "resource_id": "some-resource", "sort": "title"}

It is a convenience, never user data that matters: a file that is damaged,
from a newer version of the program, or of the wrong shape is ignored (the app
starts at its defaults) and ``load_state`` says so in a notice instead of
raising. ``save_state`` writes atomically, so a crash mid-write leaves the old
file whole.

What ``category`` means is up to the app (a category id, or a name it gives to
"all resources" or "bookmarks"); None means "nothing remembered".
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

from ctdc_tui.core import locations
from ctdc_tui.core.fsutil import atomic_write_text
from ctdc_tui.core.records import FrozenRecord, frozen_record

STATE_VERSION = 1
SORTS = ("relevance", "catalogue", "title", "year")
# A state file is a few hundred bytes; anything far larger is not ours.
MAX_STATE_BYTES = 1_000_000


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record(slots=True)
class AppState(FrozenRecord):
    theme: str | None = None
    category: str | None = None
    resource_id: str | None = None
    sort: str | None = None

    def __init__(
        self,
        theme: str | None = None,
        category: str | None = None,
        resource_id: str | None = None,
        sort: str | None = None,
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "theme", theme)
        set_(self, "category", category)
        set_(self, "resource_id", resource_id)
        set_(self, "sort", sort)

    def _values(self) -> tuple[object, ...]:
        return (
            self.theme,
            self.category,
            self.resource_id,
            self.sort,
        )

    def to_json(self) -> dict[str, object]:
        return {"version": STATE_VERSION, **asdict(self)}


def _is_bad(name: str, value: object) -> bool:
    if not isinstance(value, str) or not value or len(value) > 1000:
        return True
    return name == "sort" and value not in SORTS


def load_state(path: Path | None = None) -> tuple[AppState, str | None]:
    """The remembered state and a notice for the user when the file had to be ignored.

    Never raises. A missing file is a first run: defaults and no notice.
    """
    path = Path(path) if path is not None else locations.state_file()
    ignored = f"The saved app state in {path} was ignored"
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return AppState(), None
    except OSError as exc:
        return (
            AppState(),
            f"{ignored}: it cannot be read ({exc.strerror or exc}). Starting from the defaults.",
        )
    if len(raw) > MAX_STATE_BYTES:
        return AppState(), f"{ignored}: it is far too large to be a state file. It will be replaced."
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return AppState(), f"{ignored}: it is damaged (not JSON). It will be replaced."
    if not isinstance(data, dict):
        return AppState(), f"{ignored}: it does not hold a JSON object. It will be replaced."
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        return AppState(), f"{ignored}: it has no version number. It will be replaced."
    if version > STATE_VERSION:
        return AppState(), (
            f"{ignored}: it was written by a newer version of ctdc-tui (state version {version},"
            f" this one reads {STATE_VERSION}). It will be replaced when you quit."
        )

    values: dict[str, str | None] = {}
    dropped: list[str] = []
    for item in fields(AppState):
        value = data.get(item.name)
        if value is None:
            values[item.name] = None
        elif _is_bad(item.name, value):
            values[item.name] = None
            dropped.append(item.name)
        else:
            values[item.name] = value
    state = AppState(**values)
    if dropped:
        names = ", ".join(dropped)
        return (
            state,
            f"Part of the saved app state in {path} was ignored (bad {names}); defaults used for it.",
        )
    return state, None


def save_state(state: AppState, path: Path | None = None) -> str | None:
    """Write the state atomically. Returns None, or a notice when it could not be saved.

    Never raises for a file-system problem: losing the remembered place is not
    worth a crash on quit.
    """
    path = Path(path) if path is not None else locations.state_file()
    text = json.dumps(state.to_json(), indent=2, ensure_ascii=False) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        return f"Could not remember the app state in {path}: {exc.strerror or exc}."
    return None
