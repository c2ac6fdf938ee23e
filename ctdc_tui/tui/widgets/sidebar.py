"""The sidebar: "All resources", the catalogue's categories in order, "Bookmarks".

Each entry shows a count: resources per category while browsing, matches per
category (facet counts) while a search is active. An entry with nothing in it
is dimmed, never hidden, so the list does not jump while the user types.
Moving the cursor chooses the view at once (the list follows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.css.styles import RulesMap
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, RichVisual, Visual
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ctdc_tui.tui.widgets.data_text import data_text

ALL = "@all"
BOOKMARKS = "@bookmarks"


@dataclass(frozen=True)
class Entry:
    """One sidebar line: a view key (``ALL``, ``BOOKMARKS`` or a category id), its name and count."""

    key: str
    name: str
    count: int | None
    shortcut: str = ""


class _EntryLine:
    """One sidebar line at any width: shortcut (2 cells), name cut with an ellipsis, count at the right.

    Drawn segment by segment: a Rich ``Table`` per line (what this replaced) looked the
    same and cost about ten times more each time the counts changed while typing.
    """

    def __init__(self, entry: Entry, searching: bool) -> None:
        dim = entry.count == 0
        self.shortcut = Text(entry.shortcut, style="dim")
        self.name = data_text(entry.name, "dim" if dim else "", single_line=True)
        count = "" if entry.count is None else f" {entry.count}"
        self.count = Text(count, style="dim" if dim else ("bold" if searching else ""))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        least = 2 + 1 + self.count.cell_len
        return Measurement(min(least, options.max_width), options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.line(options.max_width)

    def line(self, width: int) -> Text:
        """The line, exactly ``width`` cells."""
        count = self.count.copy()
        count.truncate(max(width - 2, 0))
        room = max(width - 2 - count.cell_len, 0)
        shortcut = self.shortcut.copy()
        shortcut.truncate(min(2, width), pad=True)
        name = self.name.copy()
        name.truncate(room, overflow="ellipsis", pad=True)
        line = Text.assemble(shortcut, name, count)
        line.truncate(width, pad=True)
        return line


class _EntryVisual(Visual):
    """An entry's line as the option list draws it, drawn once per width and style.

    Each keystroke of a search can change the counts, and the option list then
    throws away every line it drew. Entries whose count did not change keep their
    ``_EntryVisual`` (``Sidebar`` reuses it), so only the changed lines are drawn
    again; and the height is always one line, so the list's layout does not render
    each entry to count its lines.
    """

    def __init__(self, widget: Widget, entry: Entry, searching: bool) -> None:
        self._widget = widget
        self._line = _EntryLine(entry, searching)
        self._rich = RichVisual(widget, self._line)
        self._strips: dict[tuple[int, int | None, VisualStyle], list[Strip]] = {}

    def render_strips(
        self, width: int, height: int | None, style: VisualStyle, options: RenderOptions
    ) -> list[Strip]:
        key = (width, height, style)
        strips = self._strips.get(key)
        if strips is None:
            if width > 0:
                strips = self._draw(width, style)[:height]
            else:
                strips = self._rich.render_strips(width, height, style, options)
            if len(self._strips) >= 8:  # widths and styles come and go (resizes, themes, focus)
                self._strips.clear()
            self._strips[key] = strips
        return list(strips)

    def _draw(self, width: int, style: VisualStyle) -> list[Strip]:
        """What ``RichVisual`` draws for the line (the base style under the line's own styles),
        without the console's wrapping pass: the line is exactly ``width`` cells already."""
        console = self._widget.app.console
        base = style.rich_style
        segments = list(self._line.line(width).render(console))
        if base:
            segments = [Segment(text, base + line_style) for text, line_style, _control in segments]
        return [Strip(segments)]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._rich.get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1  # _EntryLine is cut and padded to the width: always one line


class Sidebar(OptionList):
    """The list of views. Posts ``Sidebar.ViewChosen`` when the cursor lands on one."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("g", "first", "First", show=False, id="sidebar.first"),
        Binding("G", "last", "Last", show=False, id="sidebar.last"),
    ]

    class ViewChosen(Message):
        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    class Entered(Message):
        """Enter on an entry: the app moves focus to the list."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    # OptionList repaints all of itself when the highlight moves (about 4 ms at 37 lines; the
    # first key of a search moves it to "All resources"). Every entry is one line with no
    # dividers, so option i is line i: only the two lines that changed are redrawn.
    highlighted: reactive[int | None] = reactive(None, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[Entry] = []
        self._searching = False
        self._visuals: dict[tuple[Entry, bool], _EntryVisual] = {}

    @property
    def entries(self) -> Sequence[Entry]:
        return self._entries

    @property
    def current_key(self) -> str | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self._entries):
            return None
        return self._entries[index].key

    def set_entries(self, entries: Sequence[Entry], *, searching: bool, current: str | None = None) -> None:
        """Replace every entry in one call, keeping the cursor on ``current`` (or where it was)."""
        keep = current if current is not None else self.current_key
        if list(entries) == self._entries and searching == self._searching and keep == self.current_key:
            return  # nothing to redraw (rebuilding the options lays out the whole screen)
        before = [(entry, self._searching) for entry in self._entries]
        self._entries = list(entries)
        self._searching = searching
        # The lines of unchanged entries are kept (see _EntryVisual); only the shown ones.
        old, self._visuals = self._visuals, {}
        for entry in self._entries:
            key = (entry, searching)
            self._visuals[key] = old.get(key) or _EntryVisual(self, entry, searching)
        # A rebuild is not a choice: without this, the highlights it causes arrive later as stale
        # ViewChosen messages and the app can flip between two views forever (issue 6 benchmarks).
        with self.prevent(OptionList.OptionHighlighted):
            if self._same_views(before):
                self._redraw_changed(before, keep)
                return
            self.set_options(
                Option(self._visuals[(entry, searching)], id=entry.key) for entry in self._entries
            )
            keys = [entry.key for entry in self._entries]
            if keep in keys:
                self.highlighted = keys.index(keep)
            elif self._entries:
                self.highlighted = 0

    def _same_views(self, before: list[tuple[Entry, bool]]) -> bool:
        """The same views in the same order as the options shown (only counts or styles differ)."""
        options = self.options
        return (
            len(before) == len(self._entries) == len(options)
            and all(option.id == entry.key for option, entry in zip(options, self._entries, strict=True))
            and all(old.key == entry.key for (old, _), entry in zip(before, self._entries, strict=True))
        )

    def _redraw_changed(self, before: list[tuple[Entry, bool]], keep: str | None) -> None:
        """New counts for the views shown: swap the changed lines' prompts and redraw only those lines.

        ``set_options`` (and Textual's ``replace_option_prompt``) redraws every line of the
        list, about 0.1 ms a line even when nothing in it changed: most of the sidebar's share
        of a keystroke's frame. Every entry is one line with no dividers, so option i is line i.
        """
        changed = [
            i
            for i, (entry, old) in enumerate(zip(self._entries, before, strict=True))
            if (entry, self._searching) != old
        ]
        for i in changed:
            entry = self._entries[i]
            self.options[i]._set_prompt(self._visuals[(entry, self._searching)])
        if changed:
            self._option_render_cache.clear()  # keyed by option: the changed ones are stale
            for i in changed:
                self.refresh_line(i)
        keys = [entry.key for entry in self._entries]
        index = keys.index(keep) if keep in keys else (0 if keys else None)
        if index != self.highlighted:
            self.highlighted = index

    def update_counts(self, counts: Mapping[str, int | None], *, searching: bool) -> None:
        """New counts for the same entries (facets while searching, totals while browsing)."""
        entries = [Entry(e.key, e.name, counts.get(e.key, e.count), e.shortcut) for e in self._entries]
        self.set_entries(entries, searching=searching)

    def count_of(self, key: str) -> int | None:
        for entry in self._entries:
            if entry.key == key:
                return entry.count
        return None

    def select_key(self, key: str) -> bool:
        """Move the cursor to ``key``; False if there is no such entry.

        This posts ``ViewChosen`` like any move: the app ignores a view it already shows.
        """
        keys = [entry.key for entry in self._entries]
        if key not in keys:
            return False
        self.highlighted = keys.index(key)
        return True

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        super().watch_highlighted(new)
        for line in (old, new):
            if line is not None and 0 <= line < len(self.options):
                self.refresh_line(line)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.ViewChosen(event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Entered(event.option.id))
