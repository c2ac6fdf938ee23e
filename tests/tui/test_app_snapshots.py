"""Snapshots (pytest-textual-snapshot) of the main screen, a search, the help screen and an empty category.

Each scene at 120x36, 80x24 and 60x20. Stable by construction: the index is
built in a temporary folder, every worker is awaited, the input cursor does
not blink and start-up notices are cleared before the picture is taken.
Update with ``pytest tests/tui/test_app_snapshots.py --snapshot-update`` after
checking the new pictures by eye.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ctdc_tui.tui.app import CtdcApp

from .conftest import BUNDLED, settle

SIZES = [(120, 36), (80, 24), (60, 20)]


async def _steady(pilot: Pilot) -> None:
    await settle(pilot)
    for field in pilot.app.query(Input):
        field.cursor_blink = False
    pilot.app.clear_notifications()
    await settle(pilot)


def scene(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await _steady(pilot)

    return run_before


SCENES = {
    "main": scene(),
    "search": scene("slash", *"hiring"),
    "help": scene("question_mark"),
    "empty_category": scene("4"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCENES))
def test_snapshot(snap_compare, name: str, size: tuple[int, int]) -> None:
    assert snap_compare(CtdcApp(BUNDLED), terminal_size=size, run_before=SCENES[name])
