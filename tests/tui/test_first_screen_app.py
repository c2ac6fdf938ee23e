"""The app's first frame from the first-screen file (tui/early.py ``FirstScreenIndex``).

The index open is held back with an event, so each test can look at the screen
the stand-in draws, then let the index take over and look again.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ctdc_tui.core import first_screen, locations
from ctdc_tui.core.search import SearchIndex
from ctdc_tui.tui import app as app_module
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.early import FirstScreenIndex
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import Sidebar
from ctdc_tui.tui.widgets.status import StatusLine

from .conftest import BUNDLED, settle

SIZE = (110, 32)


def _place() -> Path:
    return locations.index_dir(BUNDLED)


def _keep_first_screen() -> None:
    with SearchIndex.open(BUNDLED) as index:  # (CTDC_INDEX_DIR: the test's copy)
        assert index.location is not None
        first_screen.write(BUNDLED, index.location, first_screen.capture(index))


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """``SearchIndex.open`` in the app's worker waits until the test sets the event."""
    release = threading.Event()
    original = SearchIndex.open.__func__  # type: ignore[attr-defined]

    def slow_open(cls: type[SearchIndex], *args: Any, **kwargs: Any) -> SearchIndex:
        if threading.current_thread() is not threading.main_thread():
            release.wait(30)
        return original(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(SearchIndex, "open", classmethod(slow_open))
    yield release
    release.set()


def _screen_state(app: CtdcApp) -> dict[str, Any]:
    """What the user sees, widget by widget."""
    results = app.query_one(ResourceList)
    rows = [results.source.row(i) for i in range(min(results.row_count, 30))] if results.source else []
    sidebar = app.query_one(Sidebar)
    detail = app.query_one(DetailPane)
    status = app.query_one(StatusLine)
    return {
        "rows": rows,
        "count": results.row_count,
        "cursor": results.cursor,
        "sidebar": list(sidebar.entries),
        "sidebar_at": sidebar.highlighted,
        "status": status.info,
        "detail": detail.view.resource,
        "theme": app.theme,
    }


@pytest.mark.asyncio
async def test_the_first_frame_comes_from_the_file_and_matches_the_index(held_open: threading.Event) -> None:
    held_open.set()  # first, the screen as the index draws it (no file)
    (_place() / first_screen.FILE).unlink(missing_ok=True)
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.index, SearchIndex)
        from_index = _screen_state(app)
        app.save_state()  # (what the next start restores: the same view and resource)
    held_open.clear()
    _keep_first_screen()
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.index, FirstScreenIndex), "the file was not used"
        assert app.query_one(ResourceList).row_count
        assert _screen_state(app) == from_index
        held_open.set()
        await settle(pilot)
        assert isinstance(app.index, SearchIndex)
        assert _screen_state(app) == from_index


@pytest.mark.asyncio
async def test_a_stale_file_is_ignored_and_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held_open: threading.Event
) -> None:
    catalogue = tmp_path / "catalogue"
    shutil.copytree(BUNDLED, catalogue)
    held_open.set()
    with SearchIndex.open(catalogue) as index:
        assert index.location is not None
        first_screen.write(catalogue, index.location, first_screen.capture(index))
        place = index.location
        first_id = index.browse(index.catalogue.categories[0].id)[0].id
    # Edit the first resource's title: the kept first screen no longer matches the catalogue.
    for path in sorted(catalogue.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if f"id: {first_id}" in text:
            start = text.index(f"id: {first_id}")
            at = text.index("title:", start)
            end = text.index("\n", at)
            text = text[:at] + 'title: "Renamed for the stale-cache test"' + text[end:]
            path.write_text(text, encoding="utf-8")
            break
    else:
        pytest.fail("the first resource was not found in the catalogue files")
    assert first_screen.load(catalogue, place) is None
    monkeypatch.setattr(app_module, "FIRST_SCREEN_WRITE_AFTER", 0.01)
    app = CtdcApp(catalogue)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(app.index, FirstScreenIndex)
        await settle(pilot)
        results = app.query_one(ResourceList)
        assert results.source is not None
        assert results.source.row(0).title == "Renamed for the stale-cache test"
        for _ in range(50):
            if first_screen.load(catalogue, place) is not None:
                break
            await pilot.pause(0.05)
        kept = first_screen.load(catalogue, place)
        assert kept is not None, "the app did not write a fresh first screen"
        first = kept.resource(kept.views[kept.categories[0].id][0])
        assert first is not None and first.title == "Renamed for the stale-cache test"


@pytest.mark.asyncio
async def test_typing_before_the_index_opens_searches_once_it_does(held_open: threading.Event) -> None:
    _keep_first_screen()
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.index, FirstScreenIndex)
        await pilot.press("slash", *"data")
        await pilot.pause(0.1)
        held_open.set()
        # The searches the keys started wait for the index; the newest one is shown.
        for _ in range(200):
            if isinstance(app.index, SearchIndex) and all(w.is_finished for w in app.workers):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert isinstance(app.index, SearchIndex)
        assert app.results is not None and app.results.query == "data"
        assert app.query_one(ResourceList).row_count == len(app.results)


@pytest.mark.asyncio
async def test_moving_past_the_kept_rows_waits_for_the_index(held_open: threading.Event) -> None:
    from ctdc_tui.core.state import AppState, save_state
    from ctdc_tui.tui.widgets.sidebar import ALL

    save_state(AppState(category=ALL))  # every resource: more rows than one category has
    _keep_first_screen()
    place = _place()
    raw = json.loads((place / first_screen.FILE).read_text(encoding="utf-8"))
    # Keep twelve rows per view (more than the short terminal shows): the 13th comes from the index.
    raw["views"] = {key: ids[:12] for key, ids in raw["views"].items()}
    assert raw["counts"][first_screen.ALL_VIEW] > 13
    (place / first_screen.FILE).write_text(json.dumps(raw), encoding="utf-8")
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(110, 14)) as pilot:
        await pilot.pause()
        assert isinstance(app.index, FirstScreenIndex)
        assert app.query_one(ResourceList).scrollable_content_region.height < 12
        held_open.set()  # the rows past the twelfth are read through the index once it is open
        await pilot.press(*["j"] * 13)
        await settle(pilot)
        results = app.query_one(ResourceList)
        assert results.cursor == 13
        assert app.current_id() == app.index.browse(None)[13].id  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_remembered_resource_beyond_the_kept_rows_waits_for_the_index(
    held_open: threading.Event,
) -> None:
    from ctdc_tui.core.state import AppState, save_state

    _keep_first_screen()
    screen = first_screen.load(BUNDLED, _place())
    assert screen is not None
    view, ids = max(((k, v) for k, v in screen.views.items() if k), key=lambda kv: len(kv[1]))
    save_state(AppState(category=view, resource_id=ids[-1], sort="catalogue"))
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(app.index, FirstScreenIndex)  # not in the first third: the index draws it
        held_open.set()
        await settle(pilot)
        assert app.current_id() == ids[-1]
