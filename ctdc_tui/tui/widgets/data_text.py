"""Catalogue and bookmark text turned into ``rich.text.Text``, never read as markup.

Every string that comes from a catalogue or the bookmark store is data: a title
like ``[bold]x[/]`` or ``[@click=app.quit]`` must show literally, and an ESC
sequence must not reach the terminal. So widgets build ``Text`` objects from
plain strings (no markup parsing) after ``printable`` has made control
characters visible.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from ctdc_tui.core.text import one_line, printable

MATCH_STYLE = "bold reverse"


def data_text(value: str, style: str = "", *, single_line: bool = False) -> Text:
    """``value`` as literal text with control characters shown as escapes."""
    cleaned = one_line(value) if single_line else printable(value)
    return Text(cleaned, style=style)


def highlighted_text(
    value: str, spans: Iterable[tuple[int, int]], style: str = "", match_style: str = MATCH_STYLE
) -> Text:
    """``value`` with the ``[start, end)`` character ranges in ``spans`` emphasised.

    Each piece is made printable on its own, so offsets computed on the raw
    string still land on the right characters after escaping.
    """
    text = Text(style=style)
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)
        end = min(end, len(value))
        if start >= end:
            continue
        text.append(printable(value[position:start]))
        text.append(printable(value[start:end]), style=match_style)
        position = end
    text.append(printable(value[position:]))
    return text
