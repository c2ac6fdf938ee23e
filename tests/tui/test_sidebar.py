"""The sidebar (a line-API widget) keeps the looks and keys of the OptionList it replaced."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Horizontal
from textual.style import Style as VisualStyle
from textual.widgets import OptionList

from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS, Entry, Sidebar, _EntryLine

CSS = "Sidebar, OptionList { width: 30; height: 1fr; border: none; padding: 0; }"


def entries(n: int) -> list[Entry]:
    found = [Entry(ALL, "All resources", 10 * n)]
    found += [Entry(f"cat-{i}", f"Category {i}", i, str(i) if i <= 9 else "") for i in range(1, n + 1)]
    return [*found, Entry(BOOKMARKS, "Bookmarks", 0)]


class SidebarApp(App[None]):
    CSS = CSS

    def __init__(self, count: int = 10, current: str = ALL) -> None:
        super().__init__()
        self.count = count
        self.current = current
        self.chosen: list[str] = []
        self.entered: list[str] = []

    def compose(self) -> ComposeResult:
        yield Sidebar(id="sidebar")

    def on_mount(self) -> None:
        self.query_one(Sidebar).set_entries(entries(self.count), searching=False, current=self.current)

    def on_sidebar_view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.chosen.append(event.key)

    def on_sidebar_entered(self, event: Sidebar.Entered) -> None:
        self.entered.append(event.key)


def screen_lines(app: App[None]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def backgrounds(app: App[None], y: int) -> set[object]:
    strip = app.screen._compositor.render_strips()[y]
    return {segment.style.bgcolor for segment in strip if segment.style and segment.text.strip()}


async def test_keys_move_the_cursor_as_option_list_did_and_choose_each_view() -> None:
    app = SidebarApp(count=10)  # 12 entries on 5 lines: the sidebar scrolls
    async with app.run_test(size=(30, 5)) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.focus()
        await pilot.pause()
        assert app.chosen == []  # set_entries is not a choice
        await pilot.press("down", "j")
        assert sidebar.highlighted == 2 and app.chosen == ["cat-1", "cat-2"]
        await pilot.press("end")
        await pilot.pause()
        assert sidebar.current_key == BOOKMARKS and sidebar.scroll_offset.y == 12 - 5
        assert screen_lines(app)[-1].split() == ["Bookmarks", "0"]
        await pilot.press("down")  # wraps to the first, scrolled back into view
        await pilot.pause()
        assert sidebar.highlighted == 0 and sidebar.scroll_offset.y == 0
        await pilot.press("up")  # and back round to the last
        assert sidebar.highlighted == 11
        await pilot.press("g")
        assert sidebar.highlighted == 0
        await pilot.press("pagedown")  # a page is the sidebar's height
        assert sidebar.highlighted == 5
        await pilot.press("pagedown", "pagedown")
        assert sidebar.highlighted == 11
        await pilot.press("pageup")
        assert sidebar.highlighted == 6
        await pilot.press("G", "k", "home")
        assert sidebar.highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.entered == [ALL]
        assert app.chosen == [
            *("cat-1", "cat-2", BOOKMARKS, ALL, BOOKMARKS, ALL),  # down, j, end, down, up, g
            *("cat-5", "cat-10", BOOKMARKS, "cat-6"),  # pagedown three times, pageup
            *(BOOKMARKS, "cat-10", ALL),  # G, k, home
        ]


async def test_setting_entries_keeps_the_cursor_and_posts_nothing() -> None:
    app = SidebarApp(count=3)
    async with app.run_test(size=(30, 8)) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.set_entries(entries(3), searching=True, current="cat-2")  # the view the app shows
        await pilot.pause()
        assert sidebar.current_key == "cat-2"
        sidebar.set_entries(entries(4), searching=False)  # other views: the cursor stays on its key
        sidebar.update_counts({"cat-2": 0}, searching=False)
        await pilot.pause()
        assert sidebar.current_key == "cat-2" and sidebar.count_of("cat-2") == 0
        sidebar.set_entries(entries(2)[:1], searching=False)  # its view is gone: the first entry
        await pilot.pause()
        assert sidebar.current_key == ALL
        assert app.chosen == []
        assert sidebar.select_key(BOOKMARKS) is False  # not shown
        sidebar.highlighted = 5  # kept within the entries, as OptionList did
        assert sidebar.highlighted == 0
        sidebar.set_entries([], searching=False)
        assert sidebar.highlighted is None and sidebar.current_key is None
        await pilot.press("down", "end", "pagedown", "enter")  # nothing to move to: no error
        assert app.chosen == [] and app.entered == []


async def test_a_click_chooses_and_enters_and_the_mouse_shows_where_it_is() -> None:
    app = SidebarApp(count=3)
    async with app.run_test(size=(30, 8)) as pilot:
        sidebar = app.query_one(Sidebar)
        await pilot.pause()
        plain = backgrounds(app, 2)
        await pilot.hover(Sidebar, offset=(4, 2))
        await pilot.pause()
        hover = sidebar.line_style("hover").rich_style.bgcolor
        assert hover is not None and hover not in plain
        assert backgrounds(app, 2) == {hover}
        assert backgrounds(app, 1) == plain
        await pilot.hover(Sidebar, offset=(4, 6))  # below the entries: no line is lit
        await pilot.pause()
        assert backgrounds(app, 2) == plain
        await pilot.click(Sidebar, offset=(4, 2))
        await pilot.pause()
        assert sidebar.current_key == "cat-2"
        assert app.chosen == ["cat-2"] and app.entered == ["cat-2"]
        await pilot.click(Sidebar, offset=(4, 7))  # no entry there
        await pilot.pause()
        assert app.entered == ["cat-2"]


class BothApp(App[None]):
    """A sidebar beside Textual's OptionList, styled alike."""

    CSS = CSS

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Sidebar(id="sidebar")
            yield OptionList("a", "b", id="options")


async def test_cursor_and_hover_lines_have_option_list_colours_in_every_theme() -> None:
    app = BothApp()
    async with app.run_test(size=(60, 6)) as pilot:
        sidebar = app.query_one(Sidebar)
        options = app.query_one(OptionList)
        themes = sorted(app.available_themes)
        assert len(themes) > 5
        for theme in themes:
            app.theme = theme
            looks = {}
            for focused in (None, sidebar, options):
                app.set_focus(focused)
                await pilot.pause()
                if focused is not options:
                    looks["sidebar", focused is sidebar] = (
                        sidebar.get_visual_style(),
                        sidebar.line_style("highlighted"),
                        sidebar.line_style("hover"),
                    )
                if focused is not sidebar:
                    looks["options", focused is options] = (
                        options.get_visual_style("option-list--option"),
                        options.get_visual_style("option-list--option", "option-list--option-highlighted"),
                        options.get_visual_style("option-list--option", "option-list--option-hover"),
                    )
            for focus in (False, True):
                assert looks["sidebar", focus] == looks["options", focus], (theme, focus)
            assert looks["sidebar", True][1] != looks["sidebar", False][1], theme  # focus shows


def rich_line(entry: Entry, searching: bool, width: int) -> list[Segment]:
    """How the OptionList-based sidebar drew a line: a Rich ``Text``, assembled and cut."""
    dim = entry.count == 0
    shortcut = Text(entry.shortcut, style="dim")
    name = Text(entry.name, style="dim" if dim else "")
    count = Text(
        "" if entry.count is None else f" {entry.count}",
        style="dim" if dim else ("bold" if searching else ""),
    )
    count.truncate(max(width - 2, 0))
    room = max(width - 2 - count.cell_len, 0)
    shortcut.truncate(min(2, width), pad=True)
    name.truncate(room, overflow="ellipsis", pad=True)
    line = Text.assemble(shortcut, name, count)
    line.truncate(width, pad=True)
    return [Segment(text, style) for text, style, _ in line.render(Console())]


@pytest.mark.parametrize("width", [1, 2, 3, 5, 8, 24, 34])
@pytest.mark.parametrize(
    ("entry", "searching"),
    [
        (Entry(ALL, "All resources", 1234), False),
        (Entry("c", "Open data portals and their many uses", 0, "3"), True),
        (Entry("c", "[bold]not markup[/]", 12, "1"), True),
        (Entry("c", "界界界 wide", None, "2"), True),
        (Entry("c", "😀 emoji", 7, ""), False),
        (Entry(BOOKMARKS, "Bookmarks", 100000), False),
    ],
)
def test_lines_draw_the_segments_rich_drew(entry: Entry, searching: bool, width: int) -> None:
    visual = VisualStyle(Color.parse("#102030"), Color.parse("red"), bold=True)
    base = visual.rich_style
    want = [Segment(text, base + style) for text, style, _ in rich_line(entry, searching, width)]
    drawn = _EntryLine(entry, searching).strip(width, visual)
    assert [(s.text, s.style) for s in drawn] == [(s.text, s.style) for s in want]
    assert drawn.cell_length == width


class HiddenSidebarApp(SidebarApp):
    """The sidebar hidden from the start, as the overlay sidebar is on a narrow screen."""

    CSS = CSS + " .hidden { display: none; }"

    def compose(self) -> ComposeResult:
        yield Sidebar(id="sidebar", classes="hidden")


async def test_a_hidden_sidebar_scrolls_only_once_shown() -> None:
    app = HiddenSidebarApp(count=10, current="cat-1")  # 12 entries on 5 lines
    async with app.run_test(size=(30, 5)) as pilot:
        sidebar = app.query_one(Sidebar)
        await pilot.pause()
        sidebar.remove_class("hidden")
        await pilot.pause()
        # The cursor's line is in view without scrolling: nothing scrolled while it had no size.
        assert sidebar.scroll_offset.y == 0 and sidebar.highlighted == 1
        assert screen_lines(app)[0].split() == ["All", "resources", "100"]
        sidebar.add_class("hidden")
        await pilot.pause()
        assert sidebar.select_key(BOOKMARKS)  # moved while hidden: in view once shown again
        sidebar.remove_class("hidden")
        await pilot.pause()
        assert sidebar.scroll_offset.y == 12 - 5
        assert screen_lines(app)[-1].split() == ["Bookmarks", "0"]
        assert sidebar.vertical_scrollbar.position == sidebar.scroll_offset.y
