"""The shortcuts the list takes to the screen draw what Textual's own ways draw.

Three of them (docs/performance.md, "App: fourth pass"): the main screen's
``PartialCompositor`` (a partial update draws only the widgets and lines it can
change), the list's own strips when Textual's styling pass has nothing to add
(``ResourceList._render_plain``), and the list's scrollbar, which works out its
cells itself and refreshes only the lines that change (``_ListScrollBar``).
Each is compared here with the Textual code it stands in for.
"""

from __future__ import annotations

import gc
from typing import Any

from rich.cells import cell_len
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from ctdc_tui.tui.compositor import MainScreen, PartialCompositor
from ctdc_tui.tui.widgets.resource_list import (
    ResourceList,
    Row,
    RowsFromSequence,
    _ListScrollBar,
    _ListStrip,
)
from tests.tui.test_resource_list import GeneratedRows, shown_ids

SIZE = (100, 24)


class ScreenApp(App[None]):
    """A screen laid out like the app's: a side pane, the list, a detail pane, a status line."""

    CSS = """
    #side { width: 22; }
    #detail { width: 1fr; }
    #results { width: 2fr; }
    #status { height: 1; }
    """

    def __init__(self, source: Any) -> None:
        super().__init__()
        self.source = source

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("All resources\nHousing\nTransport", id="side")
            yield ResourceList(self.source, id="results")
            yield Static("A resource, in detail.\n" * 40, id="detail")
        yield Static("20,000 resources", id="status")
        yield Footer()


def _cells(chops: Any, spans: list[tuple[int, int, int]]) -> list[tuple[int, int, str, Any]]:
    """Every segment a partial update writes inside its spans: (y, x, text, style)."""
    out = []
    for y, x1, x2 in spans:
        for x, strip in sorted((x, s) for x, s in chops[y].items() if s is not None):
            for segment in strip:
                end = x + cell_len(segment.text)
                if x < x2 and end > x1:
                    out.append((y, x, segment.text, segment.style))
                x = end
    return out


class Comparer:
    """Renders every partial update of a screen both ways (ours, Textual's) and compares them."""

    def __init__(self, screen: Screen[Any]) -> None:
        self.compositor = screen._compositor
        assert isinstance(self.compositor, PartialCompositor)
        self.compared = 0
        self.differences: list[Any] = []
        original = self.compositor.render_partial_update

        def checked() -> Any:
            self.compare()
            return original()

        self.compositor.render_partial_update = checked  # type: ignore[method-assign]

    def compare(self) -> None:
        compositor = self.compositor
        regions = compositor._dirty_regions.copy()
        if not regions:
            return
        crop = Region.from_union(list(regions)).intersection(compositor.size.region)
        spans = list(compositor._regions_to_spans(regions))
        rendered = {y for y, _, _ in spans}.__contains__
        ours = _cells(compositor._render_chops(crop, rendered), spans)
        compositor.__class__ = Compositor
        try:
            textual = _cells(compositor._render_chops(crop, rendered), spans)
        finally:
            compositor.__class__ = PartialCompositor
        self.compared += 1
        if ours != textual:
            self.differences.append((spans, ours, textual))


async def test_partial_updates_draw_what_textual_draws() -> None:
    app = ScreenApp(GeneratedRows())
    async with app.run_test(size=SIZE) as pilot:
        comparer = Comparer(app.screen)
        widget = app.query_one(ResourceList)
        widget.focus()
        await pilot.pause()
        await pilot.press("pagedown", "pagedown", "j", "j", "k", "pageup", "G", "g")
        await pilot.pause()
        app.notify("A toast over the list and the detail pane", timeout=30)  # another layer, in front
        await pilot.pause()
        await pilot.press("pagedown", "j")
        app.query_one("#status", Static).update("19,999 resources")
        await pilot.pause()
        await pilot.hover(ResourceList, offset=(widget.size.width - 1, 3))  # the scrollbar, hovered
        await pilot.pause()
        widget.scroll_to(y=12_000, animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("tab", "tab")  # focus leaves the list: the cursor line changes colour
        await pilot.pause()
        await pilot.resize_terminal(80, 20)
        await pilot.pause()
        await pilot.press("shift+tab", "pagedown")
        await pilot.pause()
        assert comparer.compared >= 10
        assert comparer.differences == []


async def test_a_page_step_draws_neither_side_pane() -> None:
    app = ScreenApp(GeneratedRows())
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(ResourceList).focus()
        await pilot.pause()
        drawn: list[str] = []
        for widget in app.query(Widget):
            if widget.id in ("side", "detail", "status"):

                def counted(crop: Region, widget: Widget = widget, draw: Any = widget.render_lines) -> Any:
                    drawn.append(str(widget.id))
                    return draw(crop)

                widget.render_lines = counted  # type: ignore[method-assign]
        await pilot.press("pagedown", "j", "pagedown")
        await pilot.pause()
        assert drawn == []
        assert shown_ids(app)[0] != "00000"  # the list did move (a full render: every widget)


def _textual_lines(widget: ResourceList, crop: Region) -> list[Strip]:
    """The list's lines through Textual's styling pass (what ``render_lines`` did before)."""
    widget._pass = widget._render_pass()
    try:
        return Widget.render_lines(widget, crop)
    finally:
        widget._pass = None


def _plain_lines(widget: ResourceList, crop: Region) -> list[Strip]:
    widget._pass = widget._render_pass()
    try:
        assert widget._plain()
        return widget._render_plain(crop)
    finally:
        widget._pass = None


def _assert_plain_as_textual(widget: ResourceList) -> None:
    kept = widget._render_pass()  # the styles of a pass are kept: they must be the current ones
    widget._pass_styles.clear()
    assert widget._render_pass() == kept
    width, height = widget.size
    shown = width - (widget.scrollbar_size_vertical if widget.show_vertical_scrollbar else 0)
    for crop in (Region(0, 0, width, height), Region(2, 1, shown - 4, height - 2)):
        widget._styles_cache.clear()
        textual = _textual_lines(widget, crop)
        plain = _plain_lines(widget, crop)
        right = min(crop.right, shown) - crop.x  # the scrollbar covers the rest of each line
        assert [s.crop(0, right) for s in plain] == [s.crop(0, right) for s in textual]


async def test_the_plain_lines_are_textuals_lines() -> None:
    generated = GeneratedRows(40)
    rows = [
        *(generated.row(i) for i in range(40)),
        Row("w", "漢字の資料 wide characters 데이터", "市役所", 2020, "★"),
        Row("h", "[bold]not bold[/bold] \x1b[2J", "[red]c[/]", None),
    ]
    app = ScreenApp(RowsFromSequence(rows))
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ResourceList)
        widget.focus()
        await pilot.pause()
        assert widget.show_vertical_scrollbar
        _assert_plain_as_textual(widget)
        await pilot.press("pagedown", "j")  # the cursor line, focused
        await pilot.pause()
        _assert_plain_as_textual(widget)
        await pilot.press("tab")  # blurred
        await pilot.pause()
        _assert_plain_as_textual(widget)
        widget.set_rows(RowsFromSequence(rows[:3]))  # no scrollbar
        await pilot.pause()
        assert not widget.show_vertical_scrollbar
        _assert_plain_as_textual(widget)
        widget.styles.scrollbar_gutter = "stable"  # room for a scrollbar that is not there
        await pilot.pause()
        _assert_plain_as_textual(widget)
        widget.set_rows(RowsFromSequence([]))  # the empty message
        await pilot.pause()
        _assert_plain_as_textual(widget)
        app.theme = "textual-light"
        await pilot.pause()
        widget.set_rows(RowsFromSequence(rows))
        await pilot.pause()
        _assert_plain_as_textual(widget)


async def test_a_border_goes_through_textuals_styling() -> None:
    app = ScreenApp(GeneratedRows())
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ResourceList)
        widget.styles.border = ("round", "red")
        await pilot.pause()
        assert not widget._plain()
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "╭" in text and "Resource 00000" in text
        await pilot.press("pagedown")


def _textual_bar_lines(bar: ScrollBar) -> list[Strip]:
    bar._render_content()  # Textual's way: render() through Rich
    return list(bar._render_cache.lines)


def _our_bar_lines(bar: ScrollBar) -> list[Strip]:
    return [bar.render_line(y) for y in range(bar.size.height)]


async def test_the_scrollbar_cells_are_textuals() -> None:
    for count in (30, 1_000, 20_000, 100_000):
        app = ScreenApp(GeneratedRows(count))
        async with app.run_test(size=SIZE) as pilot:
            widget = app.query_one(ResourceList)
            await pilot.pause()
            bar = widget.vertical_scrollbar
            assert isinstance(bar, _ListScrollBar)
            for top in (0, 1, 7, count // 3, count // 2 + 5, count - 40, count):
                widget.scroll_to(y=top, animate=False, immediate=True)
                await pilot.pause()
                assert _our_bar_lines(bar) == _textual_bar_lines(bar), (count, top)
            bar.mouse_over = True
            await pilot.pause()
            assert _our_bar_lines(bar) == _textual_bar_lines(bar)


async def test_the_scrollbar_refreshes_only_lines_that_change() -> None:
    app = ScreenApp(GeneratedRows(100_000))
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ResourceList)
        await pilot.pause()
        bar = widget.vertical_scrollbar
        before = _our_bar_lines(bar)
        bar._repaint_regions.clear()
        widget.scroll_to(y=widget.size.height, animate=False, immediate=True)  # a page: the thumb stays
        assert _our_bar_lines(bar) == before
        assert not bar._repaint_regions
        widget.scroll_to(y=50_000, animate=False, immediate=True)  # the thumb moves: its old and new lines
        after = _our_bar_lines(bar)
        changed = {y for y in range(len(after)) if after[y] != before[y]}
        assert changed
        assert {y for region in bar._repaint_regions for y in region.line_range} == changed
        await pilot.pause()
        assert _our_bar_lines(bar) == _textual_bar_lines(bar)


async def test_strips_the_list_drops_are_freed_at_once() -> None:
    """No reference cycles: a row's strip goes when the list's caches let it go."""
    app = ScreenApp(GeneratedRows())
    async with app.run_test(size=SIZE) as pilot:
        widget = app.query_one(ResourceList)
        widget.focus()
        await pilot.pause()
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector frees is kept in gc.garbage, to count
        try:
            # More rows than the caches hold: the strips of the first pages are dropped.
            for _ in range(ResourceList.CACHE_SIZE // widget.size.height + 3):
                await pilot.press("pagedown")
            await pilot.pause()
            gc.collect()
            left = [o for o in gc.garbage if isinstance(o, _ListStrip)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert widget.cursor > ResourceList.CACHE_SIZE
        assert left == []
