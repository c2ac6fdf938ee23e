"""Layout at different terminal sizes, and catalogue text that tries to be markup or escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.early import CatalogueBrowser
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import Sidebar

from .conftest import BUNDLED, resource, settle, write_catalogue
from .test_app_flows import body_text, shown_ids


async def test_three_panes_wide_sidebar_narrows_at_80() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        sidebar, results, detail = (
            app.query_one(Sidebar),
            app.query_one(ResourceList),
            app.query_one(DetailPane),
        )
        assert sidebar.region.width > 0 and results.region.width > 0 and detail.region.width > 0
        assert sidebar.region.x < results.region.x < detail.region.x
        wide = sidebar.region.width
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert 0 < sidebar.region.width < wide
        assert results.region.y == detail.region.y


async def test_sidebar_hides_under_70_and_opens_with_a_key() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        sidebar = app.query_one(Sidebar)
        assert not sidebar.region.width
        await pilot.press("c")
        await settle(pilot)
        assert sidebar.region.width > 0 and app.focused is sidebar
        await pilot.press("j")  # choose All resources... then the next entry
        await settle(pilot)
        chosen = app.view_key
        await pilot.press("enter")  # Enter closes the overlay and goes to the list
        await settle(pilot)
        assert not sidebar.region.width and app.focused is app.query_one(ResourceList)
        assert app.view_key == chosen
        await pilot.press("1")  # number keys work with the sidebar hidden
        await settle(pilot)
        assert app.view_key == app.index.catalogue.categories[0].id


async def test_list_and_detail_stack_under_50() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(45, 24)) as pilot:
        await settle(pilot)
        results, detail = app.query_one(ResourceList), app.query_one(DetailPane)
        assert results.region.width > 0 and detail.region.height > 0
        assert results.region.y < detail.region.y
        assert results.region.x == detail.region.x


async def test_resizing_down_to_20x6_never_crashes() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for size in [(80, 24), (60, 20), (45, 15), (30, 10), (20, 6), (21, 7), (120, 36), (20, 6)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await pilot.press("j", "l", "h", "c", "escape", "slash", "a", "escape", "escape")
            await settle(pilot)
        assert app.is_running
        assert app.current_id() is not None


HOSTILE = [
    ("markup", "[bold red]x[/]"),
    ("click", "[@click=app.quit]click me[/]"),
    ("escape", "\x1b[31mred\x1b[0m and \x1b]0;title\x07"),
]


async def test_hostile_catalogue_text_is_shown_literally_and_does_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(CtdcApp, "open_url", lambda self, url, new_tab=True: opened.append(url))
    resources = [
        resource(
            rid,
            title,
            description=f"Description {title}",
            organizations=[title],
            tags=["[b]tag[/b]"],
            url="https://example.org/" + rid,
        )
        for rid, title in HOSTILE
    ]
    folder = write_catalogue(
        tmp_path / "hostile", [{"id": "bad", "name": "[@click=app.quit]Category[/]", "resources": resources}]
    )
    app = CtdcApp(folder)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert shown_ids(app) == [rid for rid, _ in HOSTILE]
        results = app.query_one(ResourceList)
        for n, (rid, title) in enumerate(HOSTILE):
            results.cursor = n
            await settle(pilot)
            text = body_text(app)
            if rid == "escape":
                assert "\x1b" not in text and "\\x1b[31mred" in text
            else:
                assert title in text
            # the row on screen shows the characters, not a style or an action
            line = "".join(seg.text for seg in results.render_line(n))
            assert (title if rid != "escape" else "\\x1b[31mred") in line
            assert "\x1b" not in line
            await pilot.click(DetailPane, offset=(3, 0))  # click the title: no action fires
            await pilot.click(ResourceList, offset=(5, n))
            await settle(pilot)
            assert app.is_running
        assert opened and all(url.startswith("https://example.org/") for url in opened)
        sidebar_names = [e.name for e in app.query_one(Sidebar).entries]
        assert "[@click=app.quit]Category[/]" in sidebar_names
        await pilot.click(Sidebar, offset=(5, 1))
        await settle(pilot)
        assert app.is_running


async def test_progress_updates_in_a_row_reach_the_strip_before_it_has_mounted_its_bar() -> None:
    from textual.widgets import ProgressBar

    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app._show_progress(1, 10)  # mounts the strip; its bar is mounted a moment later
        app._show_progress(2, 10)  # (this used to look the bar up, and miss it)
        await pilot.pause()
        assert app.query_one("#indexing").display
        assert app.query_one("#index-progress", ProgressBar).progress == 2
        app._hide_indexing_bar()
        await pilot.pause()
        assert not app.query_one("#indexing").display


async def test_progress_shows_while_the_index_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from textual.widgets import ProgressBar

    from ctdc_tui.core.search import SearchIndex

    real_open = SearchIndex.open
    release = threading.Event()

    def slow_open(catalogue, index_dir=None, *, rebuild=False, progress=None):  # type: ignore[no-untyped-def]
        time.sleep(0.25)
        progress(5, 15)
        release.wait(10)
        return real_open(catalogue, index_dir, rebuild=rebuild, progress=progress)

    monkeypatch.setattr(SearchIndex, "open", staticmethod(slow_open))
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.query("#indexing")  # mounted when a build first reports
        for _ in range(50):
            await pilot.pause(0.05)
            if app.query("#indexing"):
                break
        strip = app.query_one("#indexing")
        bar = app.query_one("#index-progress", ProgressBar)
        assert strip.display and bar.progress == 5 and bar.total == 15
        # browsing works from the catalogue meanwhile; searching says when it will work
        for _ in range(60):
            await pilot.pause(0.05)
            if app.rows is not None:
                break
        assert isinstance(app.index, CatalogueBrowser) and app.browsing_early
        first = app.index.catalogue.categories[0]
        assert shown_ids(app) == list(first.resource_ids)
        await pilot.press("slash", "d", "a", "t", "a")
        for _ in range(20):
            await pilot.pause(0.05)
        assert "index is ready" in str(app.query_one("#status").render())
        await pilot.press("escape", "j")  # escape leaves the search box for the list
        await pilot.pause(0.2)
        chosen = app.current_id()
        assert chosen == first.resource_ids[1], (app.focused, app.query_one(ResourceList).cursor)
        assert app.query_one(DetailPane).view.resource.id == chosen
        release.set()
        await settle(pilot)
        assert not strip.display and not isinstance(app.index, CatalogueBrowser) and not app.browsing_early
        assert app.current_id() == chosen  # the place is kept when the index arrives


async def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.filter import Monochrome, NoColor

    monkeypatch.setenv("NO_COLOR", "1")
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        assert any(isinstance(f, Monochrome | NoColor) for f in app._filters)
        assert app.current_id() is not None
