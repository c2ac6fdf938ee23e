"""The palette pickers and commands on the real app: the selection moves, commands run."""

from __future__ import annotations

from textual.command import CommandPalette

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS

from .conftest import BUNDLED, settle
from .palette_support import wait_for_hits, wait_until


async def choose(pilot, typed: str, palette_keys: tuple[str, ...] = ("ctrl+p",)) -> list[str]:  # type: ignore[no-untyped-def]
    for key in palette_keys:
        await pilot.press(key)
    assert await wait_until(pilot, lambda: CommandPalette.is_open(pilot.app))
    await pilot.press(*typed)
    hits = await wait_for_hits(pilot, pilot.app)
    await pilot.press("enter")
    await settle(pilot)
    return hits


async def test_go_to_resource_moves_the_selection() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        target = next(r for r in app.index.browse() if r.category != app.view_key)
        hits = await choose(pilot, "go res")
        assert hits[0].startswith("Go to resource")
        assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*target.title[:14])
        hits = await wait_for_hits(pilot, app)
        assert hits[0].startswith(target.title)
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert app.current_id() == target.id
        assert app.query_one(ResourceList).highlighted_id == target.id


async def test_go_to_category_and_all_and_bookmarks() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        last = app.index.catalogue.categories[-1]
        await choose(pilot, "go cat")
        assert await wait_until(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*last.name[:8])
        await wait_for_hits(pilot, app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.view_key == last.id
        await choose(pilot, "go cat")
        await pilot.press(*"all res")
        await wait_for_hits(pilot, app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.view_key == ALL
        await choose(pilot, "go cat")
        await pilot.press(*"bookmarks")
        await wait_for_hits(pilot, app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.view_key == BOOKMARKS


async def test_palette_commands_run_app_actions_and_show_keys() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        current = app.current_id()
        await pilot.press("ctrl+p")
        hits = await wait_for_hits(pilot, app, at_least=5)
        toggle = next(hit for hit in hits if hit.startswith("Toggle bookmark"))
        assert "(b)" in toggle
        await pilot.press("escape")
        await choose(pilot, "toggle bookm")
        assert app.bookmarks.get(app.catalogue_key, current) is not None
        await choose(pilot, "cycle sort")
        assert app.sort == "title"
