"""Pilot tests of the large-list widget with a generated 20,000-row source."""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import Footer

from ctdc_tui.tui.widgets.resource_list import ResourceList, Row, RowsFromSequence

ROWS = 20_000
HEIGHT = 10  # list rows on screen: terminal height minus the footer
ROW_NUMBER = re.compile(r"Resource (\d{5})")


class GeneratedRows:
    """20,000 rows made on demand; counts how many were asked for."""

    def __init__(self, count: int = ROWS, ids: list[int] | None = None) -> None:
        self._ids = ids if ids is not None else range(count)
        self.calls = 0

    def __len__(self) -> int:
        return len(self._ids)

    def row(self, i: int) -> Row:
        self.calls += 1
        n = self._ids[i]
        return Row(
            id=f"res-{n:05d}",
            title=f"Resource {n:05d} about neighbourhood data",
            credit=f"Org {n % 97}",
            year=2000 + n % 25,
            marks="*" if n % 7 == 0 else "",
        )


class ListApp(App[None]):
    def __init__(self, source: object) -> None:
        super().__init__()
        self.source = source
        self.highlighted: list[tuple[str | None, int]] = []
        self.selected: list[tuple[str | None, int]] = []

    def compose(self) -> ComposeResult:
        yield ResourceList(self.source, id="results")  # type: ignore[arg-type]
        yield Footer()

    def on_resource_list_highlighted(self, message: ResourceList.Highlighted) -> None:
        assert message.control is self.query_one(ResourceList)
        self.highlighted.append((message.resource_id, message.index))

    def on_resource_list_selected(self, message: ResourceList.Selected) -> None:
        self.selected.append((message.resource_id, message.index))


def screen_lines(app: App[None]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def shown_ids(app: App[None]) -> list[str]:
    """The resource numbers visible in the list, top to bottom."""
    found = (ROW_NUMBER.search(line) for line in screen_lines(app))
    return [m.group(1) for m in found if m]


def expected(first: int, count: int = HEIGHT) -> list[str]:
    return [f"{n:05d}" for n in range(first, first + count)]


async def test_first_rows_and_only_visible_rows_are_read() -> None:
    source = GeneratedRows()
    app = ListApp(source)
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        await pilot.pause()
        widget = app.query_one(ResourceList)
        assert widget.cursor == 0
        assert widget.virtual_size.height == ROWS
        assert shown_ids(app) == expected(0)
        # 20,000 rows, but only what is on screen (plus a few lookups) was ever built.
        assert source.calls < 5 * HEIGHT
        assert app.highlighted[-1] == ("res-00000", 0)


async def test_cursor_moves_and_scrolls_to_stay_visible() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        await pilot.press(*["j"] * 15)
        await pilot.pause()
        widget = app.query_one(ResourceList)
        assert widget.cursor == 15
        assert widget.highlighted_id == "res-00015"
        # The cursor reached the bottom edge and the list followed it.
        assert shown_ids(app) == expected(6)
        await pilot.press("k", "up", "down")
        await pilot.pause()
        assert widget.cursor == 14
        assert app.highlighted[-1] == ("res-00014", 14)


async def test_scrolling_without_the_cursor_shows_the_right_rows() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        widget.scroll_to(y=12_345, animate=False, immediate=True)
        await pilot.pause()
        assert shown_ids(app) == expected(12_345)
        widget.scroll_to(y=ROWS + 100, animate=False, immediate=True)
        await pilot.pause()
        assert shown_ids(app) == expected(ROWS - HEIGHT)


async def test_paging_moves_by_the_visible_height() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        await pilot.press("j", "j", "pagedown")
        await pilot.pause()
        assert widget.cursor == 2 + HEIGHT
        # A page step keeps the cursor on the same screen line.
        assert shown_ids(app) == expected(HEIGHT)
        await pilot.press("pagedown", "pagedown", "pageup")
        await pilot.pause()
        assert widget.cursor == 2 + 2 * HEIGHT
        assert shown_ids(app) == expected(2 * HEIGHT)
        await pilot.press("pageup", "pageup", "pageup")
        await pilot.pause()
        assert widget.cursor == 0
        assert shown_ids(app) == expected(0)


async def test_last_and_first() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        await pilot.press("G")
        await pilot.pause()
        assert widget.cursor == ROWS - 1
        assert shown_ids(app) == expected(ROWS - HEIGHT)
        await pilot.press("pagedown", "j")  # already at the end: nothing moves
        await pilot.pause()
        assert widget.cursor == ROWS - 1
        await pilot.press("g")
        await pilot.pause()
        assert widget.cursor == 0
        assert shown_ids(app) == expected(0)
        await pilot.press("end")
        await pilot.pause()
        assert widget.cursor == ROWS - 1
        await pilot.press("home")
        await pilot.pause()
        assert widget.cursor == 0


async def test_filtering_keeps_the_cursor_on_the_same_resource() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        widget.cursor = 9_003
        await pilot.pause()
        assert widget.highlighted_id == "res-09003"
        # A subset: every third resource (9003 is one of them).
        subset = GeneratedRows(ids=list(range(0, ROWS, 3)))
        widget.set_rows(subset, keep_id="res-09003")
        await pilot.pause()
        assert widget.cursor == 3_001
        assert widget.highlighted_id == "res-09003"
        assert "09003" in shown_ids(app)
        assert all(int(n) % 3 == 0 for n in shown_ids(app))
        assert app.highlighted[-1] == ("res-09003", 3_001)
        # A filter that drops the resource puts the cursor on the first row.
        even = GeneratedRows(ids=list(range(0, ROWS, 2)))
        widget.set_rows(even, keep_id="res-09003")
        await pilot.pause()
        assert widget.cursor == 0
        assert shown_ids(app) == [f"{n:05d}" for n in range(0, 2 * HEIGHT, 2)]
        assert app.highlighted[-1] == ("res-00000", 0)


async def test_empty_rows_show_the_message() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        widget.empty_message = "No resources match “zzz”."
        widget.set_rows(GeneratedRows(ids=[]))
        await pilot.pause()
        assert widget.cursor == -1
        assert widget.highlighted_id is None
        assert app.highlighted[-1] == (None, -1)
        lines = screen_lines(app)[:HEIGHT]
        message_lines = [line for line in lines if "No resources match" in line]
        assert len(message_lines) == 1
        left = len(message_lines[0]) - len(message_lines[0].lstrip())
        right = len(message_lines[0]) - len(message_lines[0].rstrip())
        assert abs(left - right) <= 2  # centred
        await pilot.press("j", "G", "enter")
        await pilot.pause()
        assert widget.cursor == -1
        assert app.selected == []


async def test_resizing_keeps_the_cursor_visible_and_adapts_columns() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(100, 30)) as pilot:
        widget = app.query_one(ResourceList)
        widget.cursor = 25
        await pilot.pause()
        assert "Org 25" in " ".join(screen_lines(app))
        await pilot.resize_terminal(40, 8)
        await pilot.pause()
        assert widget.cursor == 25
        shown = shown_ids(app)
        assert "00025" in shown
        assert len(shown) == 7
        lines = screen_lines(app)[:7]
        # Narrow: the credit column gives way, the title is cut with an ellipsis.
        assert not any("Org " in line for line in lines)
        assert all("…" in line for line in lines)
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert "00025" in shown_ids(app)
        assert "Org 25" in " ".join(screen_lines(app))


async def test_enter_and_click_select() -> None:
    app = ListApp(GeneratedRows())
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.selected == [("res-00001", 1)]
        await pilot.click(ResourceList, offset=(5, 4))
        await pilot.pause()
        assert app.selected[-1] == ("res-00004", 4)
        assert app.query_one(ResourceList).cursor == 4


async def test_select_id() -> None:
    app = ListApp(RowsFromSequence([Row(f"id{i}", f"Title {i}") for i in range(500)]))
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        assert widget.select_id("id321") is True
        await pilot.pause()
        assert widget.cursor == 321
        assert widget.select_id("missing") is False
        assert widget.cursor == 321
        assert "Title 321" in " ".join(screen_lines(app))


async def test_cached_rows_are_not_rebuilt_and_set_rows_invalidates() -> None:
    source = GeneratedRows()
    app = ListApp(source)
    async with app.run_test(size=(80, HEIGHT + 1)) as pilot:
        widget = app.query_one(ResourceList)
        await pilot.pause()
        widget.refresh()
        await pilot.pause()
        before = source.calls
        widget.refresh()
        await pilot.pause()
        assert source.calls == before  # served from the strip cache
        renamed = RowsFromSequence([Row(f"res-{n:05d}", f"Renamed {n}") for n in range(50)])
        widget.set_rows(renamed, keep_id="res-00000")
        await pilot.pause()
        assert "Renamed 0" in " ".join(screen_lines(app))
        assert "Resource 00000" not in " ".join(screen_lines(app))


HOSTILE = [
    Row("h0", "[bold]not bold[/bold] and [@click=app.quit]quit[/]", "[red]credit[/]", 2018, "!"),
    Row("h1", "Clear \x1b[2J screen \x1b]0;title\x07 and \x9b31m", "Org\x1b[31m", 2019),
    Row("h2", "漢字の資料 wide characters 데이터 도구", "市役所", 2020),
    Row("h3", "Emoji 🏙️🚲📊 dashboard 👩‍💻", "😀 Group", None, "★"),
    Row("h4", "Right-to-left \u202eoverride\u202c", "Org", 2021),
    Row("h5", "Tabs\tand\nnew\nlines", "Org", 2022),
]


async def test_hostile_titles_render_literally_and_columns_line_up() -> None:
    app = ListApp(RowsFromSequence(HOSTILE))
    async with app.run_test(size=(90, HEIGHT + 1)) as pilot:
        await pilot.pause()
        lines = screen_lines(app)[: len(HOSTILE)]
        text = "\n".join(lines)
        assert "[bold]not bold[/bold]" in text
        assert "[@click=app.quit]quit[/]" in text
        assert "[red]credit[/]" in text
        assert "\\x1b[2J" in text
        assert "\\x9b31m" in text
        assert "\\u202e" in text
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
        assert "Tabs and new lines" in text
        assert "漢字の資料" in text
        assert app.is_running  # the [@click=app.quit] title did nothing
        widget = app.query_one(ResourceList)
        width = widget.scrollable_content_region.width
        years_at = []
        for y in range(len(HOSTILE)):
            strip = widget.render_line(y)
            assert strip.cell_length == width
            assert sum(cell_len(segment.text) for segment in strip) == width
            plain = strip.text
            row = HOSTILE[y]
            if row.year is not None:
                end = plain.rstrip()
                assert end.endswith(str(row.year))
                years_at.append(cell_len(end))
        # Every year ends in the same column, whatever wide characters came before.
        assert len(set(years_at)) == 1
        await pilot.click(ResourceList, offset=(10, 0))
        await pilot.pause()
        assert app.is_running
        assert app.selected[-1] == ("h0", 0)


async def test_very_long_and_narrow() -> None:
    rows = [Row("x", "W" * 500, "C" * 300, 1999, "★★★★")]
    app = ListApp(RowsFromSequence(rows))
    async with app.run_test(size=(12, 4)) as pilot:
        widget = app.query_one(ResourceList)
        for width in (12, 5, 3, 1):
            await pilot.resize_terminal(width, 4)
            await pilot.pause()
            strip = widget.render_line(0)
            assert sum(cell_len(s.text) for s in strip) == widget.scrollable_content_region.width
            if width > 3:
                assert strip.text.rstrip().endswith("…")
