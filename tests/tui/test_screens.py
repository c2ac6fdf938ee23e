"""The note editor: multi-line, Ctrl+S saves, Esc cancels, the title is never markup."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static, TextArea

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.screens.note_editor import NoteEditorScreen
from tests.adversarial.hostile_strings import TERMINAL_CONTROLS, by_name

from .conftest import BUNDLED, settle

UNSET = object()


class EditorApp(App[None]):
    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.editor_args = (title, note)
        self.result: Any = UNSET

    def compose(self) -> ComposeResult:
        yield Static("main")

    def on_mount(self) -> None:
        self.push_screen(NoteEditorScreen(*self.editor_args), self._done)

    def _done(self, result: str | None) -> None:
        self.result = result


async def test_ctrl_s_saves_the_edited_multiline_text() -> None:
    app = EditorApp("A resource", "first line")
    async with app.run_test() as pilot:
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert app.focused is area
        assert area.text == "first line"
        await pilot.press("enter", *"second", "space", *"line")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == "first line\nsecond line"
        assert not isinstance(app.screen, NoteEditorScreen)


async def test_escape_cancels_without_a_result() -> None:
    app = EditorApp("A resource", "keep me")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press(*"changed")
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None
        assert not isinstance(app.screen, NoteEditorScreen)


async def test_saving_an_emptied_note_gives_empty_text_not_cancel() -> None:
    app = EditorApp("A resource", "abc")
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("backspace", "backspace", "backspace", "ctrl+s")
        await pilot.pause()
        assert app.result == ""


async def test_hostile_title_and_note_are_shown_literally() -> None:
    title = by_name("click-quit").value + " " + by_name("csi-clear").value
    note = by_name("bold-red").value
    app = EditorApp(title, note)
    async with app.run_test() as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#note-title", Static).content)
        assert "[@click=app.quit]Press me[/]" in shown
        assert not TERMINAL_CONTROLS & set(shown)
        assert app.screen.query_one(TextArea).text == note
        await pilot.click("#note-title")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == note


async def test_note_editor_in_the_real_app_saves_and_cancels() -> None:
    app = CtdcApp(BUNDLED)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        current = app.current_id()
        assert current is not None
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditorScreen)
        await pilot.press(*"why it matters", "ctrl+s")
        await settle(pilot)
        bookmark = app.bookmarks.get(app.catalogue_key, current)
        assert bookmark is not None and bookmark.note == "why it matters"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "why it matters"
        await pilot.press(*" and more", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, NoteEditorScreen)
        assert app.bookmarks.get(app.catalogue_key, current).note == "why it matters"


async def test_control_characters_show_as_symbols_and_save_unchanged() -> None:
    note = "a\x1b]52;c;eA==\x07b\rc\r\nd\u202ee\x7f"
    app = EditorApp("T", note)
    async with app.run_test() as pilot:
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert area.text == note
        shown = "".join(area.get_line(i).plain for i in range(area.document.line_count))
        assert not TERMINAL_CONTROLS & set(shown)
        assert "\u241b" in shown and "\u240d" in shown  # ESC as ␛, the lone carriage return as ␍
        assert area.document.line_count == 2  # only the real line break breaks the line
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.result == note
