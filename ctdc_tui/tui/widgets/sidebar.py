"""The sidebar: "All resources", the catalogue's categories in order, "Bookmarks".

Each entry shows a count: resources per category while browsing, matches per
category (facet counts) while a search is active. An entry with nothing in it
is dimmed, never hidden, so the list does not jump while the user types.
Moving the cursor chooses the view at once (the list follows).

``Sidebar`` is a line-API widget (a ``ScrollView`` drawing each entry in
``render_line``), not Textual's ``OptionList``: it looks and behaves the same
(same keys, colours, wrapping cursor, click, hover, scrolling) but costs a
fraction at start-up: a short stylesheet, no component classes (Textual styles
each of them again whenever it styles the widget), and each line drawn straight
into segments instead of through Rich.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.css.styles import Styles
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle

from ctdc_tui.core.records import FrozenRecord, frozen_record
from ctdc_tui.core.text import one_line
from ctdc_tui.tui.tcss import compact

ALL = "@all"
BOOKMARKS = "@bookmarks"

_DIM = Style(dim=True)
_BOLD = Style(bold=True)
_PLAIN = Style()
_ELLIPSIS = "…"


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record()
class Entry(FrozenRecord):
    """One sidebar line: a view key (``ALL``, ``BOOKMARKS`` or a category id), its name and count."""

    key: str
    name: str
    count: int | None
    shortcut: str = ""

    def __init__(
        self,
        key: str,
        name: str,
        count: int | None,
        shortcut: str = "",
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "key", key)
        set_(self, "name", name)
        set_(self, "count", count)
        set_(self, "shortcut", shortcut)

    def _values(self) -> tuple[object, ...]:
        return (
            self.key,
            self.name,
            self.count,
            self.shortcut,
        )


def _truncate(text: str, width: int, *, ellipsis: bool = False, pad: bool = False) -> str:
    """``text`` cut to ``width`` cells (with an ellipsis when ``ellipsis``), padded with ``pad``.

    Exactly what Rich's ``Text.truncate`` does to the plain text (the lines used to be
    Rich ``Text``, and the sidebar must look the same), quirks at tiny widths included.
    """
    length = cell_len(text)
    if length > width:
        text = set_cell_size(text, width - 1) + _ELLIPSIS if ellipsis else set_cell_size(text, width)
    if pad and length < width:
        text += " " * (width - length)
    return text


class _EntryLine:
    """One sidebar line at any width: shortcut (2 cells), name cut with an ellipsis, count at the right.

    The text is data: the name is made printable on one line (``one_line``) and
    drawn as plain segments, never read as markup. The segments are the ones
    Rich gave for the ``Text`` this used to assemble (shortcut dim; name dim
    when the count is 0; count dim when 0, bold while searching), without Rich.
    Each line keeps what it drew for the last few widths and styles, and the
    sidebar keeps the lines of entries that did not change.
    """

    __slots__ = ("_count", "_count_style", "_name", "_name_style", "_shortcut", "_strips")

    def __init__(self, entry: Entry, searching: bool) -> None:
        dim = entry.count == 0
        self._shortcut = entry.shortcut
        self._name = one_line(entry.name)
        self._name_style = _DIM if dim else _PLAIN
        self._count = "" if entry.count is None else f" {entry.count}"
        self._count_style = _DIM if dim else (_BOLD if searching else _PLAIN)
        self._strips: dict[tuple[int, VisualStyle], Strip] = {}

    def strip(self, width: int, style: VisualStyle) -> Strip:
        """The line, exactly ``width`` cells, drawn over ``style`` (the line's background and colour)."""
        key = (width, style)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) >= 8:  # widths and styles come and go (resizes, themes, focus)
                self._strips.clear()
            base = style.rich_style
            strip = self._strips[key] = Strip(
                [Segment(text, base + part) for text, part in self.parts(width) if text], max(width, 0)
            )
        return strip

    def parts(self, width: int) -> list[tuple[str, Style]]:
        """The line's pieces and their own styles, ``width`` cells in all."""
        count = _truncate(self._count, max(width - 2, 0))
        room = max(width - 2 - cell_len(count), 0)
        shortcut = _truncate(self._shortcut, min(2, width), pad=True)
        name = _truncate(self._name, room, ellipsis=True, pad=True)
        line = _truncate(shortcut + name + count, width, pad=True)
        # Split where Rich split it: at the ends of each styled piece (the shortcut always; the
        # name and the count when they have a style of their own), cut to the line's length.
        b1, b2 = len(shortcut), len(shortcut) + len(name)
        styled = [(0, b1, _DIM)]
        if self._name_style is not _PLAIN:
            styled.append((b1, b2, self._name_style))
        if self._count_style is not _PLAIN:
            styled.append((b2, b2 + len(count), self._count_style))
        end = len(line)
        cuts = {0, end}
        for first, last, _style in styled:
            if first < end:
                cuts.update((first, min(last, end)))
        offsets = sorted(cuts)
        parts = []
        for first, last in pairwise(offsets):
            style = next((s for a, b, s in styled if a <= first < b), _PLAIN)
            parts.append((line[first:last], style))
        return parts


class Sidebar(ScrollView, can_focus=True):
    """The list of views. Posts ``Sidebar.ViewChosen`` when the cursor lands on one."""

    # The keys Textual's OptionList gave (no ids, not listed in the help), then the app's own.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("home", "first", "First", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("g", "first", "First", show=False, id="sidebar.first"),
        Binding("G", "last", "Last", show=False, id="sidebar.last"),
    ]

    DEFAULT_CSS = compact("""
    Sidebar {
        color: $foreground;
        overflow-x: hidden;
        background: $surface;
        &:focus { background-tint: $foreground 5%; }
    }
    """)

    # The cursor and hover lines in the colours Textual's OptionList gives them (from the theme's
    # block-cursor variables), worked out here rather than by component classes: the stylesheet
    # styled each component class again every time the widget was styled, which cost more at
    # start-up than drawing the whole sidebar. Each entry: (background, colour, text style),
    # variables of the theme; None leaves the line's own.
    _LINE_VARIABLES: ClassVar[dict[tuple[str, bool], tuple[str, str | None, str | None]]] = {
        ("highlighted", False): (
            "block-cursor-blurred-background",
            "foreground",
            "block-cursor-blurred-text-style",
        ),
        ("highlighted", True): (
            "block-cursor-background",
            "block-cursor-foreground",
            "block-cursor-text-style",
        ),
        ("hover", False): ("block-hover-background", None, None),
        ("hover", True): ("block-hover-background", None, None),
    }

    class ViewChosen(Message):
        """The cursor moved to an entry (keys, a click, ``highlighted`` or ``select_key``)."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    class Entered(Message):
        """Enter on an entry: the app moves focus to the list."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._entries: list[Entry] = []
        self._searching = False
        self._lines: list[_EntryLine] = []
        self._highlighted: int | None = None
        self._hover: int | None = None
        self._line_styles: dict[tuple[object, ...], VisualStyle] = {}

    # -- the public API ---------------------------------------------------------------

    @property
    def entries(self) -> Sequence[Entry]:
        return self._entries

    @property
    def current_key(self) -> str | None:
        index = self._highlighted
        if index is None or not 0 <= index < len(self._entries):
            return None
        return self._entries[index].key

    @property
    def highlighted(self) -> int | None:
        """The entry under the cursor (None when there are none). Moving it posts ``ViewChosen``."""
        return self._highlighted

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        if self._move(index):
            assert self._highlighted is not None
            self.post_message(self.ViewChosen(self._entries[self._highlighted].key))

    def set_entries(self, entries: Sequence[Entry], *, searching: bool, current: str | None = None) -> None:
        """Replace every entry in one call, keeping the cursor on ``current`` (or where it was).

        A new set of entries is not a choice: no ``ViewChosen`` is posted (stale ones arriving
        later made the app flip between two views forever in issue 6's benchmarks). When the
        views are the same ones (only counts or styles differ), only the lines that changed are
        drawn again: redrawing every line cost most of the sidebar's share of a keystroke's frame.
        """
        keep = current if current is not None else self.current_key
        entries = list(entries)
        if entries == self._entries and searching == self._searching and keep == self.current_key:
            return  # nothing to redraw
        before = self._lines
        same_views = [e.key for e in entries] == [e.key for e in self._entries]
        kept = {(entry, self._searching): line for entry, line in zip(self._entries, before, strict=True)}
        self._entries = entries
        self._searching = searching
        self._lines = [kept.get((entry, searching)) or _EntryLine(entry, searching) for entry in entries]
        keys = [entry.key for entry in entries]
        index = keys.index(keep) if keep in keys else (0 if keys else None)
        if same_views:
            for y, (line, old) in enumerate(zip(self._lines, before, strict=True)):
                if line is not old:
                    self.refresh_line(y)
            self._move(index)
            return
        # Other views (another catalogue, or the first entries): everything is drawn again,
        # from the top, and the cursor is brought into view.
        self._highlighted = self._valid(index)
        self._update_virtual_size()
        self.refresh(layout=self.styles.auto_dimensions)
        self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self._scroll_to_highlight()

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

    # -- moving the cursor ---------------------------------------------------------------

    def _valid(self, index: int | None) -> int | None:
        """``index`` kept within the entries (None when there are none), as OptionList did."""
        if index is None or not self._entries:
            return None
        return min(max(index, 0), len(self._entries) - 1)

    def _move(self, index: int | None) -> bool:
        """Put the cursor on ``index``, redrawing only the two lines that change; True if it moved."""
        index = self._valid(index)
        old = self._highlighted
        if index == old:
            return False
        self._highlighted = index
        for y in (old, index):
            if y is not None and 0 <= y < len(self._entries):
                self.refresh_line(y)
        self._scroll_to_highlight()
        return True

    def _scroll_to_highlight(self) -> None:
        index = self._highlighted
        region = self.scrollable_content_region
        if index is None or not self.is_mounted or not region:
            # Not while hidden (the overlay sidebar): a scrollbar that is not shown would keep its
            # old position. Done when it gets its size (``_on_resize``).
            return
        width = region.width
        self.scroll_to_region(
            Region(0, index, width, 1), force=True, animate=False, top=False, immediate=True
        )

    def action_cursor_down(self) -> None:
        """The next entry; from the last, the first."""
        count = len(self._entries)
        if count:
            index = self._highlighted
            self.highlighted = 0 if index is None else (index + 1) % count

    def action_cursor_up(self) -> None:
        """The entry before; from the first, the last."""
        count = len(self._entries)
        if count:
            index = self._highlighted
            self.highlighted = count - 1 if index is None else (index - 1) % count

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self._entries) - 1

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        if not self._entries:
            return
        if self._highlighted is None:
            self.highlighted = 0 if direction < 0 else len(self._entries) - 1
            return
        self.highlighted = self._highlighted + direction * self.scrollable_content_region.height

    def action_select(self) -> None:
        index = self._highlighted
        if index is not None and 0 <= index < len(self._entries):
            self.post_message(self.Entered(self._entries[index].key))

    # -- the mouse ------------------------------------------------------------------------

    def _entry_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = self.scroll_offset.y + offset.y
        return index if 0 <= index < len(self._entries) else None

    async def _on_click(self, event: events.Click) -> None:
        index = self._entry_at(event)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._entry_at(event))

    def _on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        old = self._hover
        if index != old:
            self._hover = index
            for y in (old, index):
                if y is not None and 0 <= y < len(self._entries):
                    self.refresh_line(y)

    # -- size and drawing -------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, len(self._entries))
        if size != self.virtual_size:
            self.virtual_size = size

    def _on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self.refresh()
        self._scroll_to_highlight()

    def _on_show(self, event: events.Show) -> None:
        self._scroll_to_highlight()

    def notify_style_update(self) -> None:
        self.refresh()
        super().notify_style_update()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width if self._entries else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._entries)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, self.get_visual_style().rich_style)
        if index == self._highlighted:
            style = self.line_style("highlighted")
        elif index == self._hover:
            style = self.line_style("hover")
        else:
            style = self.get_visual_style()
        return self._lines[index].strip(width, style)

    def line_style(self, kind: str = "") -> VisualStyle:
        """The style of a line: ``""`` (an entry), ``"highlighted"`` (the cursor's) or ``"hover"``.

        What ``get_visual_style`` gives for a component class with the OptionList's rules:
        the component's background over the widget's, its colour and text style if it has them.
        """
        base = self.get_visual_style()
        if not kind:
            return base
        focus = self.has_focus
        key = (kind, focus, base, self.app.theme)
        style = self._line_styles.get(key)
        if style is None:
            style = self._line_styles[key] = self._component_style(base, *self._LINE_VARIABLES[(kind, focus)])
            if len(self._line_styles) >= 16:  # themes and focus come and go
                self._line_styles = {key: style}
        return style

    def _component_style(
        self, base: VisualStyle, background: str, color: str | None, text_style: str | None
    ) -> VisualStyle:
        """``base`` under a component class's rules, as ``Widget.get_visual_style`` combines them.

        The rules are the theme's values of the variables named, read by Textual's own CSS
        parser (so a value such as ``auto 87%`` means what it means in a stylesheet).
        """
        variables = self.app.theme_variables
        declarations = [f"background: {variables[background]};"]
        if color is not None:
            declarations.append(f"color: {variables[color]};")
        if text_style is not None:
            declarations.append(f"text-style: {variables[text_style]};")
        rules = Styles()
        for name, value in Styles.parse(" ".join(declarations), ("", "Sidebar lines")).get_rules().items():
            setattr(rules, name, value)  # as the stylesheet sets them (a text style is parsed then)
        opacity = 1.0
        for node in self.ancestors_with_self:
            opacity *= node.styles.opacity
        back = base.background or Color(0, 0, 0, 0)
        fore = base.foreground or Color(255, 255, 255, 0)
        tinted = rules.background.tint(rules.background_tint)
        text_background = back + tinted
        back += tinted.multiply_alpha(opacity)
        if rules.has_rule("color"):
            fore = rules.color.multiply_alpha(rules.text_opacity)
        flags = Style(
            bold=base.bold, dim=base.dim, italic=base.italic, underline=base.underline, strike=base.strike
        )
        flags += rules.text_style
        if rules.has_rule("auto_color") and rules.auto_color:
            fore = text_background.get_contrast_text(fore.a)
        return VisualStyle(
            back,
            fore,
            bold=flags.bold,
            dim=flags.dim,
            italic=flags.italic,
            underline=flags.underline,
            strike=flags.strike,
        )
