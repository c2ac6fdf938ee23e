"""Making catalogue text safe to show in a terminal.

Catalogue and bookmark text is data. Before the CLI prints it, control
characters (C0 except newline and tab, DEL, C1, and the bidi override/isolate
marks) are replaced by visible ``\\xNN``/``\\u....`` escapes so that an ESC
sequence in a title cannot move the cursor, set the window title or hide text.
The TUI does not need this for markup (it renders ``rich.text.Text`` objects,
never markup strings) but uses it for the same control characters.
"""

from __future__ import annotations

import re

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
_UNSAFE: re.Pattern[str] | None = None  # compiled when first needed (see printable)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every terminal control character shown as an escape."""
    global _UNSAFE
    # Every unsafe character is unprintable (``str.isprintable``), so text that is printable
    # apart from newlines and tabs has none: most text never needs the pattern, and compiling
    # it cost more than the rest of this module's import, before the app's first frame.
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        cleaned = text
    else:
        if _UNSAFE is None:
            _UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
        cleaned = _UNSAFE.sub(_escape, text)
    if not keep_newlines:
        cleaned = cleaned.replace("\r", "\\r").replace("\n", " ").replace("\t", " ")
    return cleaned


def one_line(text: str) -> str:
    """``printable`` folded onto one line (for list rows and table cells)."""
    return printable(" ".join(text.split()), keep_newlines=False)
