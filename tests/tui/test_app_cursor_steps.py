"""The detail pane follows the cursor without redrawing on every step of a fast move (issue 6).

A move after a quiet spell updates the pane at once; moves that follow each other
closely (a held key) update it once, when the cursor rests. These tests drive the
app with Pilot on the bundled catalogue and a fake clock for "closely".
"""

from __future__ import annotations

import pytest

from ctdc_tui.tui import views
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import ALL

from .conftest import BUNDLED, settle


class FakeClock:
    """``monotonic`` for views.py: each reading is ``step`` seconds after the last."""

    def __init__(self, step: float) -> None:
        self.now = 1e9  # later than any real reading taken before the patch
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def open_all(pilot) -> CtdcApp:
    app = pilot.app
    await settle(pilot)
    app.show_view(ALL)
    app.query_one(ResourceList).focus()
    await settle(pilot)
    return app


def shown_id(app: CtdcApp) -> str | None:
    resource = app.query_one(DetailPane).view.resource
    return resource.id if resource is not None else None


def count_bodies(app: CtdcApp) -> list[str | None]:
    """Record, per detail pane update, which resource it showed."""
    pane = app.query_one(DetailPane)
    shown: list[str | None] = []
    original = pane.show

    def show(view):  # type: ignore[no-untyped-def]
        shown.append(view.resource.id if view.resource is not None else None)
        original(view)

    pane.show = show  # type: ignore[method-assign]
    return shown


async def test_a_burst_of_moves_ends_on_the_resource_under_the_cursor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_all(pilot)
        monkeypatch.setattr(views, "monotonic", FakeClock(0.01))  # every move 10 ms after the last
        monkeypatch.setattr(views, "DETAIL_TRAIL", 1.0)  # a slow machine's key presses stay within it
        shown = count_bodies(app)
        await pilot.press(*["j"] * 6)
        assert app.query_one(ResourceList).cursor == 6
        await pilot.pause(views.DETAIL_TRAIL * 1.5)
        await settle(pilot)
        assert app.current_id() is not None
        assert shown_id(app) == app.current_id()
        # The first move drew at once; the other five gave one trailing update (plus related results).
        assert len(set(shown)) == 2, shown
        assert shown[0] == app.rows.row(1).id


async def test_a_single_move_after_a_pause_updates_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_all(pilot)
        monkeypatch.setattr(views, "monotonic", FakeClock(1.0))  # a second between moves: always quiet
        for expected in (1, 2, 1):
            await pilot.press("j" if expected > app.query_one(ResourceList).cursor else "k")
            await pilot.pause()  # no timer waited for
            assert app.query_one(ResourceList).cursor == expected
            assert shown_id(app) == app.rows.row(expected).id


async def test_related_list_belongs_to_the_shown_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_all(pilot)
        monkeypatch.setattr(views, "monotonic", FakeClock(0.01))
        monkeypatch.setattr(views, "DETAIL_TRAIL", 1.0)
        await pilot.press(*["j"] * 4)
        await pilot.pause(views.DETAIL_TRAIL * 1.5)
        await settle(pilot)
        pane = app.query_one(DetailPane)
        current = app.current_id()
        assert shown_id(app) == current
        expected = [resource.id for resource in app.index.related(current)]
        assert expected, "bundled resources share words, so each has related ones"
        assert pane.related_ids == expected
        assert current not in pane.related_ids


async def test_rows_are_read_ahead_when_the_cursor_rests_not_while_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = CtdcApp(BUNDLED, None, None)
    async with app.run_test(size=(120, 8)) as pilot:  # a list a few rows high: 15 rows are pages
        await open_all(pilot)
        results = app.query_one(ResourceList)
        page = results.scrollable_content_region.height
        assert 0 < page * 2 < results.row_count
        warmed: list[list[tuple[int, int]]] = []
        monkeypatch.setattr(app, "_warm_rows", lambda generation, rows, ranges: warmed.append(ranges))
        monkeypatch.setattr(views, "monotonic", FakeClock(0.01))  # every move 10 ms after the last
        monkeypatch.setattr(views, "DETAIL_TRAIL", 1.0)

        def expected() -> list[tuple[int, int]]:
            top = results.scroll_offset.y // page * page
            return [(top + page, top + (2 + views.PREFETCH_PAGES) * page), (max(top - page, 0), top)]

        await pilot.press("pagedown")  # the first move after a pause: read ahead at once
        await pilot.pause()
        assert warmed == [expected()]
        await pilot.press("pagedown", "k")  # moves in a burst: nothing read ahead meanwhile
        await pilot.pause()
        assert len(warmed) == 1
        await pilot.pause(views.DETAIL_TRAIL * 1.5)
        await settle(pilot)
        assert warmed[1:] == [expected()]  # once the cursor rested, from where it rests
