"""The search box at the top of the main screen.

An ``Input`` with a placeholder that teaches the query syntax. The app reacts
to ``Input.Changed`` (search as you type, in a worker) and to
``Input.Submitted`` (Enter: go to the list). Esc is handled by the app, which
clears the box or steps back to the list.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Input

PLACEHOLDER = 'Search (/): words, "a phrase", tag:open-data, year:2014..2017, is:bookmarked'


class SearchBox(Input):
    """The query input. Its value is the active query."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id, select_on_focus=False)

    def _watch_value(self, value: str) -> None:
        # Input's own watcher sets ``virtual_size``, which lays out the whole screen on
        # every key. The box has a fixed size and no scrollbar, so only the scroll range
        # (the text's width) needs to follow: set it quietly first, so that Input's
        # assignment changes nothing, and let Input do the rest (validation, Changed).
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
