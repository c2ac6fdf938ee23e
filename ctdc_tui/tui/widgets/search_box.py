"""The search box at the top of the main screen.

An ``Input`` with a placeholder that teaches the query syntax. The app hands it
a callback that runs with each new value (search as you type) and reacts to
``Input.Submitted`` (Enter: go to the list). Esc is handled by the app, which
clears the box or steps back to the list.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Size
from textual.widgets import Input

PLACEHOLDER = 'Search (/): words, "a phrase", tag:open-data, year:2014..2017, is:bookmarked'


class SearchBox(Input):
    """The query input. Its value is the active query."""

    def __init__(self, *, id: str | None = None, on_value: Callable[[str], None] | None = None) -> None:
        # "-valid" from the start: Input sets it at the first change of value (the box has no
        # validators, so every value is valid), and that class change restyled the box and
        # laid out the whole screen (about 20 ms) in the frame of the session's first key.
        super().__init__(placeholder=PLACEHOLDER, id=id, select_on_focus=False, classes="-valid")
        self._on_value = on_value

    def _watch_value(self, value: str) -> None:
        # Input's own watcher sets ``virtual_size``, which lays out the whole screen on
        # every key. The box has a fixed size and no scrollbar, so only the scroll range
        # (the text's width) needs to follow: set it quietly first, so that Input's
        # assignment changes nothing, and let Input do the rest (validation, Changed).
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
        if self._on_value is not None:
            # Called here, while the key is handled, rather than from ``Input.Changed``
            # (which reaches the app a few message hops later): the widgets the new value
            # changes then ask for their repaint with the box's own, and a search that runs
            # at once (a small catalogue) is drawn in the frame that echoes the key.
            self._on_value(value)
