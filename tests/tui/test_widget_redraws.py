"""The sidebar and the status line redraw no more than what changed (issue 6), and still show it."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS, Entry, Sidebar
from ctdc_tui.tui.widgets.status import StatusInfo, StatusLine


class SidebarApp(App[None]):
    CSS = "Sidebar { width: 30; height: 1fr; border: none; padding: 0; }"

    def compose(self) -> ComposeResult:
        yield Sidebar(id="sidebar")


def entries(counts: list[int | None]) -> list[Entry]:
    found = [Entry(ALL, "All resources", sum(c or 0 for c in counts))]
    found += [Entry(f"cat-{n}", f"Category {n}", count, str(n)) for n, count in enumerate(counts, 1)]
    return [*found, Entry(BOOKMARKS, "Bookmarks", 0)]


def screen_lines(app: App[None]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def lines_drawn(sidebar: Sidebar) -> list[int]:
    """The content lines the sidebar draws from now on, in order (a spy on ``render_line``)."""
    drawn: list[int] = []
    render_line = sidebar.render_line

    def counting(y: int):  # type: ignore[no-untyped-def]
        drawn.append(y)
        return render_line(y)

    sidebar.render_line = counting  # type: ignore[method-assign]
    return drawn


async def test_new_counts_redraw_only_the_changed_sidebar_lines() -> None:
    app = SidebarApp()
    async with app.run_test(size=(30, 12)) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.set_entries(entries([3, 5, 7]), searching=True, current=ALL)
        await pilot.pause()
        kept = sidebar.render_line(1)  # category 1, whose count stays 3
        drawn = lines_drawn(sidebar)
        sidebar.set_entries(entries([3, 0, 7]), searching=True, current=ALL)
        await pilot.pause()
        assert sorted(set(drawn)) == [0, 2]  # "All resources" (the total) and category 2
        assert sidebar.render_line(1) is kept  # an unchanged entry's line is not drawn again
        lines = screen_lines(app)
        assert lines[0].split() == ["All", "resources", "10"]
        assert lines[2].split() == ["2", "Category", "2", "0"]
        assert lines[3].split() == ["3", "Category", "3", "7"]
        assert sidebar.highlighted == 0

        # Other views (another catalogue): every line is drawn again.
        drawn.clear()
        sidebar.set_entries([Entry(ALL, "All resources", 1), Entry("x", "Other", 1, "1")], searching=False)
        await pilot.pause()
        assert [entry.key for entry in sidebar.entries] == [ALL, "x"]
        assert set(range(5)) <= set(drawn)  # the two entries and the blank lines below them
        lines = screen_lines(app)
        assert lines[1].split() == ["1", "Other", "1"]
        assert not lines[2].strip()  # category 2's line is gone


async def test_moving_the_sidebar_highlight_redraws_only_the_two_lines_it_changes() -> None:
    app = SidebarApp()
    async with app.run_test(size=(30, 12)) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.set_entries(entries([3, 5, 7]), searching=False, current="cat-2")
        await pilot.pause()
        drawn = lines_drawn(sidebar)
        chosen: list[str] = []
        original = sidebar.post_message

        def spy(message):  # type: ignore[no-untyped-def]
            if isinstance(message, Sidebar.ViewChosen):
                chosen.append(message.key)
            return original(message)

        sidebar.post_message = spy  # type: ignore[method-assign]
        assert sidebar.select_key(ALL)
        await pilot.pause()
        assert sorted(set(drawn)) == [0, 2]  # the old highlight (category 2) and the new (All)
        assert chosen == [ALL]  # moving still chooses the view
        highlighted = sidebar.line_style("highlighted")
        plain = sidebar.get_visual_style()
        styles = {y: strip for y, strip in enumerate(app.screen._compositor.render_strips())}
        # The highlight's colours moved with it: line 0 now draws like a highlighted option.
        assert highlighted.rich_style.bgcolor in {s.style.bgcolor for s in styles[0]._segments if s.style}
        assert highlighted.rich_style.bgcolor not in {s.style.bgcolor for s in styles[2]._segments if s.style}
        assert plain.rich_style.bgcolor != highlighted.rich_style.bgcolor


class StatusApp(App[None]):
    CSS = "#status { height: auto; max-height: 2; } #below { height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Static("below", id="below")


async def test_status_line_keeps_two_lines_while_a_search_is_typed() -> None:
    long = StatusInfo("All resources", 3, query="x" * 40, fallback=True)
    short = StatusInfo("All resources", 3, query="x" * 41)
    app = StatusApp()
    async with app.run_test(size=(100, 8)) as pilot:
        status = app.query_one(StatusLine)
        status.show(StatusInfo("All resources", 10))
        await pilot.pause()
        assert status.size.height == 1
        status.show(long)  # the any-word notice takes a second line
        await pilot.pause()
        assert status.size.height == 2
        status.show(short)  # fits one line, but the search goes on: no new layout
        await pilot.pause()
        assert status.size.height == 2
        lines = screen_lines(app)
        assert lines[0].startswith("3 matches for " + "x" * 41) and not lines[1].strip()
        status.release()  # typing paused
        await pilot.pause()
        assert status.size.height == 1
        assert screen_lines(app)[1].startswith("below")
        status.show(long)
        await pilot.pause()
        assert status.size.height == 2
        status.show(StatusInfo("All resources", 10))  # the search is over
        await pilot.pause()
        assert status.size.height == 1
        status.show(short)  # a new search that fits one line starts on one line
        await pilot.pause()
        assert status.size.height == 1


async def test_status_line_does_not_grow_while_a_search_is_typed_and_shows_all_once_typing_pauses() -> None:
    long = StatusInfo("All resources", 3, query="x" * 40, fallback=True)
    app = StatusApp()
    async with app.run_test(size=(100, 8)) as pilot:
        status = app.query_one(StatusLine)
        status.show(StatusInfo("All resources", 10))
        await pilot.pause()
        layouts: list[bool] = []
        refresh = status.refresh

        def spy(*regions, **kwargs):  # type: ignore[no-untyped-def]
            layouts.append(bool(kwargs.get("layout")))
            return refresh(*regions, **kwargs)

        status.refresh = spy  # type: ignore[method-assign]
        status.show(StatusInfo("All resources", 5, query="x" * 40, searching=True), typing=True)
        status.show(long, typing=True)  # the any-word notice would take a second line
        await pilot.pause()
        assert status.size.height == 1 and not any(layouts)  # no layout while typing
        line = screen_lines(app)[0]
        assert line.startswith("3 matches for " + "x" * 40) and line.rstrip().endswith("…")
        assert screen_lines(app)[1].startswith("below")
        status.show(long, typing=True)  # the same words again: nothing to do
        status.release()  # typing paused: the whole text, on two lines
        await pilot.pause()
        assert status.size.height == 2
        assert "showing those with any of them" in " ".join(screen_lines(app)[:2])
        status.show(StatusInfo("All resources", 10))
        await pilot.pause()
        status.show(long)  # not typing (a sort, Enter): the line grows at once
        await pilot.pause()
        assert status.size.height == 2
