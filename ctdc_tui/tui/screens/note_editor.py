"""A small editor for a bookmark's note: multi-line, Ctrl+S saves, Esc cancels.

``NoteEditorScreen(title, note)`` dismisses with the edited text, or with None
when cancelled, so the caller writes to the store only on a save. The title is
catalogue text and is shown literally (never as markup).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ctdc_tui.core.text import one_line
from ctdc_tui.tui.keymap import NOTE_EDITOR_BINDINGS, collect_key_help


class NoteEditorScreen(ModalScreen[str | None]):
    """Edit the note of one resource."""

    DEFAULT_CSS = """
    NoteEditorScreen {
        align: center middle;
    }
    NoteEditorScreen > Vertical {
        width: 100%;
        max-width: 90;
        height: 100%;
        max-height: 20;
        border: round $accent;
        border-title-align: left;
        background: $surface;
        padding: 0 1;
    }
    NoteEditorScreen #note-title {
        height: auto;
        max-height: 2;
        text-style: bold;
    }
    NoteEditorScreen TextArea {
        height: 1fr;
        min-height: 1;
    }
    NoteEditorScreen #note-hint {
        height: 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = NOTE_EDITOR_BINDINGS

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.resource_title = title
        self.original_note = note

    def compose(self) -> ComposeResult:
        with Vertical() as frame:
            frame.border_title = "Note"
            yield Static(Text(one_line(self.resource_title)), id="note-title", markup=False)
            yield TextArea(self.original_note, id="note-text", soft_wrap=True, tab_behavior="focus")
            yield Static(self._hint(), id="note-hint", markup=False)

    def _hint(self) -> Text:
        keys = {item.binding_id: item.keys_text for item in collect_key_help(self.app)}
        save = keys.get("note.save") or "ctrl+s"
        cancel = keys.get("note.cancel") or "esc"
        return Text(f"{save}: save   {cancel}: cancel")

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
