"""A small editor for a bookmark's note: multi-line, Ctrl+S saves, Esc cancels.

``NoteEditorScreen(title, note)`` dismisses with the edited text, or with None
when cancelled, so the caller writes to the store only on a save. The title is
catalogue text and is shown literally (never as markup).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ctdc_tui.core.text import one_line
from ctdc_tui.tui.keymap import NOTE_EDITOR_BINDINGS, collect_key_help

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
# One visible character for each character a terminal would obey: C0 as its Control Picture
# (ESC shows as ␛), DEL as ␡, C1 and bidi controls as �. One for one, so columns barely move.
_VISIBLE = {
    **{code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{code: "\ufffd" for code in range(0x80, 0xA0)},
    **{ord(ch): "\ufffd" for ch in _BIDI},
}


# A lone carriage return would become a line break in the TextArea (and a changed note on save):
# it is held as this private-use character while editing, shown as ␍, and given back on save.
_LONE_CR = "\ue00d"
_VISIBLE[ord(_LONE_CR)] = "\u240d"


class NoteTextArea(TextArea):
    """A TextArea that shows control characters as visible symbols; the text itself is unchanged."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        self._hold_cr = _LONE_CR not in text
        if self._hold_cr:
            text = re.sub(r"\r(?!\n)", _LONE_CR, text)
        super().__init__(text, **kwargs)

    @property
    def text(self) -> str:
        text = self.document.text
        return text.replace(_LONE_CR, "\r") if self._hold_cr else text

    @text.setter
    def text(self, text: str) -> None:
        self.load_text(re.sub(r"\r(?!\n)", _LONE_CR, text) if self._hold_cr else text)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        plain = line.plain
        shown = plain.translate(_VISIBLE)
        if shown == plain:
            return line
        safe = Text(shown, end=line.end, no_wrap=True)
        for span in line.spans:
            safe.stylize(span.style, span.start, span.end)
        return safe


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
            yield NoteTextArea(self.original_note, id="note-text", soft_wrap=True, tab_behavior="focus")
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
