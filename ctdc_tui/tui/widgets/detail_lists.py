"""The detail pane's two option lists: the places to try for a dead link, and related resources.

Both are mounted only when a view first has something to list (``DetailPane._mount_parts``),
so this module is imported then, not before the first frame: making a widget class costs
about 0.5 ms at import (docs/performance.md, "App: sixth pass"). ``ctdc_tui.tui.widgets.detail``
hands both classes out under their old names.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class RelatedList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="related.down"),
        Binding("k", "cursor_up", "Up", show=False, id="related.up"),
    ]


class LinkChoiceList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="detail.choice_down"),
        Binding("k", "cursor_up", "Up", show=False, id="detail.choice_up"),
    ]
