"""Every hostile string through every widget that shows catalogue or bookmark text, in the real app.

What "literally" means for text with control characters is the documented rule
(``ctdc_tui.core.text.printable``): each control character is shown as a visible escape
such as ``\\x1b``. The app runs on the hostile catalogue (every text field of every resource carries one
hostile string; category names and the catalogue title too) with a bookmark and a
hostile note on every resource. For each resource: the list row, the detail pane, the
sidebar and the status line must show the text literally, and a full redraw of the screen
must carry no control character Textual did not write itself. Notifications (copy
citation), the help screen and the note editor get the same checks. ``[@click=app.quit]``
is clicked wherever it shows; the app keeps running.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from ctdc_tui.core import links, locations
from ctdc_tui.core.bookmarks import Bookmark, BookmarkStore
from ctdc_tui.core.catalog import load_catalog
from ctdc_tui.core.text import one_line, printable
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS, Sidebar
from ctdc_tui.tui.widgets.status import StatusLine
from tests.adversarial.hostile_strings import Hostile
from tests.adversarial.screen import assert_terminal_safe, region_text, screen_lines, shows

SIZE = (160, 50)


async def settle(pilot: object) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def bookmark_everything(folder: Path, carried: dict[str, Hostile]) -> None:
    catalog, _ = load_catalog(folder)
    key = locations.catalogue_key(folder)
    with BookmarkStore.open() as store:
        for rid, item in carried.items():
            store.add(key, catalog.resources[rid], note=item.value[:2_000])


@pytest.fixture
def hostile_app(
    home: Path, hostile_catalogue: tuple[Path, dict[str, Hostile]], monkeypatch: pytest.MonkeyPatch
) -> tuple[CtdcApp, dict[str, Hostile], list[str]]:
    folder, carried = hostile_catalogue
    bookmark_everything(folder, carried)
    opened: list[str] = []
    monkeypatch.setattr(CtdcApp, "open_url", lambda self, url, new_tab=True: opened.append(url))
    return CtdcApp(folder), carried, opened


async def test_list_detail_sidebar_and_status_show_every_hostile_string_literally(
    hostile_app: tuple[CtdcApp, dict[str, Hostile], list[str]],
) -> None:
    app, carried, _ = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        sidebar = region_text(app, app.query_one(Sidebar))
        assert shows(sidebar, "[bold red]x[/]"), sidebar
        assert shows(sidebar, "\\x1b]0;pwned"), sidebar  # the OSC title sequence, made visible
        app.show_view(ALL)
        await settle(pilot)
        for rid, item in carried.items():
            assert app.query_one(ResourceList).select_id(rid)
            await settle(pilot)
            assert app.current_id() == rid
            assert_terminal_safe(app)
            assert item.visible is not None
            rows = region_text(app, app.query_one(ResourceList))
            detail = region_text(app, app.query_one(DetailPane))
            assert shows(rows, one_line(item.value), 8), (item.name, rows)
            assert shows(detail, item.visible), (item.name, detail)
            assert app.is_running
        status = region_text(app, app.query_one(StatusLine))
        assert status.strip()


async def test_clicking_a_shown_click_action_does_nothing(
    hostile_app: tuple[CtdcApp, dict[str, Hostile], list[str]],
) -> None:
    app, carried, _ = hostile_app
    target = next(rid for rid, item in carried.items() if item.name == "click-quit")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.show_view(ALL)
        await settle(pilot)
        assert app.query_one(ResourceList).select_id(target)
        await settle(pilot)
        clicked = 0
        for y, line in enumerate(screen_lines(app)):
            x = line.find("[@click=")
            while x >= 0:
                await pilot.click(offset=(x + 3, y))
                clicked += 1
                assert app.is_running and app.return_code is None
                x = line.find("[@click=", x + 1)
        await pilot.pause()
        assert clicked >= 4  # the list row, the detail pane's title, authors, organisations, notes...
        assert app.is_running and app.return_code is None
        assert_terminal_safe(app)


async def test_notifications_show_hostile_citations_literally(
    hostile_app: tuple[CtdcApp, dict[str, Hostile], list[str]],
) -> None:
    app, carried, _ = hostile_app
    wanted = [
        "click-quit",
        "bold-red",
        "link-file",
        "osc52-clipboard",
        "csi-clear",
        "bidi-rlo",
        "html-script",
    ]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.show_view(ALL)
        await settle(pilot)
        for rid, item in carried.items():
            if item.name not in wanted:
                continue
            app.clear_notifications()
            assert app.query_one(ResourceList).select_id(rid)
            await settle(pilot)
            await pilot.press("Y")
            await settle(pilot)
            assert app.clipboard and item.visible and item.visible in app.clipboard
            text = "\n".join(screen_lines(app))
            assert shows(text, "Copied: " + printable(item.value), 20), (
                item.name,
                "citation toast not literal",
            )
            assert_terminal_safe(app)
        assert app.is_running


async def test_help_screen_renders_safely(hostile_app: tuple[CtdcApp, dict[str, Hostile], list[str]]) -> None:
    app, _, _ = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Search" in "\n".join(screen_lines(app))
        assert_terminal_safe(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


EDITOR_SAMPLE = {
    "click-quit", "bold-red", "link-file", "unbalanced-open", "zero-width", "combining-zalgo", "emoji-zwj",
    "cjk-wide", "html-script", "csv-formula-eq", "csi-clear", "osc52-clipboard", "osc-title", "c1-csi",
    "bell-del", "bidi-rlo", "nul", "crlf-inject",
}  # fmt: skip


async def test_note_editor_shows_hostile_notes_literally(
    hostile_app: tuple[CtdcApp, dict[str, Hostile], list[str]],
) -> None:
    app, carried, _ = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.show_view(ALL)
        await settle(pilot)
        for rid, item in carried.items():
            if item.name not in EDITOR_SAMPLE:
                continue
            assert app.query_one(ResourceList).select_id(rid)
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            editor = app.screen.query_one(TextArea)
            assert editor.text == item.value  # the note is edited as it is: data is not altered
            assert item.visible is not None and shows("\n".join(screen_lines(app)), item.visible, 8), (
                item.name
            )
            assert_terminal_safe(app)
            await pilot.press("escape")
            await settle(pilot)
        assert app.is_running


async def test_app_opens_and_copies_only_web_links(
    home: Path, hostile_catalogue: tuple[Path, dict[str, Hostile]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved bookmarks can hold any address (imported from a browser file); only http(s) is acted on."""
    folder, _ = hostile_catalogue
    key = locations.catalogue_key(folder)
    bad = ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "\x1b]52;c;eA==\x07https://x.org"]
    with BookmarkStore.open() as store:
        for i, url in enumerate(bad):
            store.restore(
                Bookmark(key, f"gone-{i}", f"Saved {i}", url, created=f"2020-01-0{i + 1}T00:00:00.000000Z")
            )
    opened: list[str] = []
    monkeypatch.setattr(CtdcApp, "open_url", lambda self, url, new_tab=True: opened.append(url))
    app = CtdcApp(folder)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.show_view(ALL)
        await settle(pilot)
        await pilot.press("o", "a")
        await settle(pilot)
        assert opened and all(links.is_openable(u) for u in opened)
        good = len(opened)
        app.show_view(BOOKMARKS)
        await settle(pilot)
        for i in range(len(bad)):
            assert app.query_one(ResourceList).select_id(f"gone-{i}")
            await settle(pilot)
            app.copy_to_clipboard("before")
            app.clear_notifications()
            await pilot.press("o", "a", "y")
            await settle(pilot)
            assert len(opened) == good, f"opened {opened[good:]!r}"
            assert app.clipboard == "before", f"copied {app.clipboard!r} as a link"
            assert "only http and https" in "\n".join(screen_lines(app))
            assert_terminal_safe(app)
