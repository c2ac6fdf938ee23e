"""Pilot tests of bookmarks in the app: toggle, marks, notes, undo, the Bookmarks view, searching notes."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from ctdc_tui.core import locations
from ctdc_tui.core.bookmarks import Bookmark, BookmarkStore
from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.rows import BOOKMARK_MARK, MISSING_MARK
from ctdc_tui.tui.widgets.sidebar import BOOKMARKS, Sidebar

from .conftest import BUNDLED, resource, settle, write_catalogue
from .test_app_flows import body_text, search, shown_ids


def bookmarks_count(app: CtdcApp) -> int | None:
    return app.query_one(Sidebar).count_of(BOOKMARKS)


async def test_b_toggles_marks_and_counts() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rid = app.current_id()
        await pilot.press("b")
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, rid) is not None
        assert app.rows.row(0).marks == BOOKMARK_MARK
        assert bookmarks_count(app) == 1
        assert app.query_one(DetailPane).view.bookmarked
        await pilot.press("b")
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, rid) is None
        assert app.rows.row(0).marks == "" and bookmarks_count(app) == 0
        await pilot.press("u")  # undo the removal
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, rid) is not None
        assert bookmarks_count(app) == 1 and app.current_id() == rid


async def test_note_editor_saves_and_cancels_and_notes_are_searchable() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rid = app.current_id()
        await pilot.press("n")
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        area.text = "zanzibar workshop [bold]plan[/]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = app.bookmarks.get(app.catalogue_key, rid)
        assert saved is not None and saved.note == "zanzibar workshop [bold]plan[/]"
        assert "zanzibar workshop [bold]plan[/]" in body_text(app)  # shown literally
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "thrown away"
        await pilot.press("escape")
        await settle(pilot)
        assert app.bookmarks.get(app.catalogue_key, rid).note == saved.note


async def test_note_words_and_is_bookmarked_are_searchable_as_you_type() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rid = app.current_id()
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "zanzibar workshop"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await search(pilot, "zanzibar")
        assert app.query_one("#search").value == "zanzibar", app.screen_stack
        assert shown_ids(app) == [rid]
        await pilot.press("ctrl+u")  # clear the input
        await search(pilot, "is:bookmarked")
        assert shown_ids(app) == [rid]


async def test_bookmarks_view_newest_first_and_missing_resource(tmp_path: Path) -> None:
    folder = write_catalogue(
        tmp_path / "cat",
        [{"id": "one", "name": "One", "resources": [resource("r1", "First"), resource("r2", "Second")]}],
    )
    key = locations.catalogue_key(folder)
    store = BookmarkStore.open()
    store.restore(
        Bookmark(
            key,
            "gone",
            "A resource that left",
            "https://example.org/gone",
            created="2020-01-01T00:00:00.000000Z",
            changed="2020-01-01T00:00:00.000000Z",
        )
    )
    store.close()
    app = CtdcApp(folder)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("b", "j", "b")  # r1 then r2: r2 is newest
        await settle(pilot)
        app.show_view(BOOKMARKS)
        await settle(pilot)
        assert shown_ids(app) == ["r2", "r1", "gone"]
        assert app.rows.row(2).marks == MISSING_MARK and "not in the catalogue" in app.rows.row(2).title
        await pilot.press("G")
        await settle(pilot)
        text = body_text(app)
        assert "A resource that left" in text and "not in the catalogue" in text
        assert "https://example.org/gone" in text
        await pilot.press("y")
        assert app.clipboard == "https://example.org/gone"
        await pilot.press("b")  # removing a missing bookmark works too, and can be undone
        await settle(pilot)
        assert shown_ids(app) == ["r2", "r1"]
        await pilot.press("u")
        await settle(pilot)
        assert "gone" in shown_ids(app)


async def test_empty_bookmarks_view_says_how_to_add() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.show_view(BOOKMARKS)
        await settle(pilot)
        assert shown_ids(app) == []
        assert "Press b on a resource" in body_text(app)
