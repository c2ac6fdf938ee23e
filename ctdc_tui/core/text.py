"""Making catalogue text safe to show in a terminal.

Catalogue and bookmark text is data. Before the CLI prints it, control
characters (C0 except newline and tab, DEL, C1, and the bidi override/isolate
marks) are replaced by visible ``\\xNN``/``\\u....`` escapes so that an ESC
sequence in a title cannot move the cursor, set the window title or hide text.
The TUI does not need this for markup (it renders ``rich.text.Text`` objects,
never markup strings) but uses it for the same control characters.
"""

from __future__ import annotations

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
# Each unsafe character and its escape (a table for ``str.translate``: compiling the same set as a
# regular expression cost more than the rest of this module, and it is needed before the first frame).
_UNSAFE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), *map(ord, _BIDI))
}


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every terminal control character shown as an escape."""
    # Printable ASCII (the common case) has none: of ASCII, only the unsafe ones, newline and tab
    # are not printable.
    cleaned = text if text.isascii() and text.isprintable() else text.translate(_UNSAFE)
    if not keep_newlines:
        cleaned = cleaned.replace("\r", "\\r").replace("\n", " ").replace("\t", " ")
    return cleaned


def one_line(text: str) -> str:
    """``printable`` folded onto one line (for list rows and table cells)."""
    return printable(" ".join(text.split()), keep_newlines=False)
