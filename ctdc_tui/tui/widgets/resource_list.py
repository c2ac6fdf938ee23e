"""A list of resources that stays fast at 100,000 rows.

``ResourceList`` is a line-API widget (a :class:`~textual.scroll_view.ScrollView`
whose ``render_line`` reads one row from a :class:`RowSource`), the way
Textualize's *toolong* shows huge log files: the virtual height is the row
count and only the rows on screen are ever asked for or rendered, so handing
it 100,000 results costs nothing until they are shown.

Row text is data. Every strip is built from plain strings (``Segment``), never
from markup, and terminal control characters are made visible with
:func:`ctdc_tui.core.text.one_line` first, so a title such as ``[bold]`` or one
holding an ESC sequence shows literally. Widths are measured in terminal cells
(``rich.cells.cell_len``) so wide characters and emoji keep the columns aligned.

Contract used by the app:

* ``set_rows(source, keep_id=None)``: show another result set; when ``keep_id``
  is in it the cursor stays on that resource (and on the same screen line).
* ``cursor`` (index, ``-1`` when there are no rows), ``highlighted_id``,
  ``select_id(resource_id) -> bool``, ``empty_message``.
* Messages ``ResourceList.Highlighted(resource_id, index)`` whenever the
  resource under the cursor changes and ``ResourceList.Selected(resource_id,
  index)`` on Enter or a click. Both carry ``resource_list`` / ``control`` so
  ``@on(ResourceList.Selected, "#results")`` works.
* ``ResourceList.NearEnd(count)`` once per row source, when a row within a
  screen of its end is drawn: a source holding the first part of a longer result
  (a search's first page) can then be replaced by a longer one.
* Bindings with ids ``list.down``, ``list.up``, ``list.first``, ``list.last``,
  ``list.page_up``, ``list.page_down``, ``list.select`` (remappable through the
  app's keymap).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import ceil
from typing import ClassVar, NamedTuple, Protocol, runtime_checkable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style as VisualStyle

from ctdc_tui.core.records import FrozenRecord, frozen_record
from ctdc_tui.core.text import one_line
from ctdc_tui.tui.tcss import compact

__all__ = ["ResourceList", "Row", "RowSource", "RowsFromSequence"]

ELLIPSIS = "…"


class Row(NamedTuple):
    """What one line of the list shows about a resource."""

    id: str
    title: str
    credit: str = ""
    year: int | None = None
    marks: str = ""
    """Short status marks shown before the title (e.g. bookmarked, dead link)."""


@runtime_checkable
class RowSource(Protocol):
    """Anything the list can read rows from, one at a time, on demand.

    A source may also offer ``index_of(resource_id) -> int | None``; the list
    uses it (when present) instead of scanning rows to find an id.
    """

    def __len__(self) -> int: ...

    def row(self, i: int) -> Row: ...


class RowsFromSequence:
    """A :class:`RowSource` over an in-memory sequence of :class:`Row`."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self._rows = rows
        self._index: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, i: int) -> Row:
        return self._rows[i]

    def index_of(self, resource_id: str) -> int | None:
        if self._index is None:
            self._index = {}
            for i, r in enumerate(self._rows):
                self._index.setdefault(r.id, i)
        return self._index.get(resource_id)


def _fit(text: str, width: int) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + ELLIPSIS


def _fit_right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` cells, cut with an ellipsis if too long."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        return " " * (width - length) + text
    return set_cell_size(text, width - 1) + ELLIPSIS


class _Columns(NamedTuple):
    """Cell widths of each part of a row at one widget width."""

    marks: int
    title: int
    credit: int
    year: int

    @classmethod
    def for_width(cls, width: int, marks_width: int) -> _Columns:
        # One cell of margin at each edge and one space between columns.
        inner = max(width - 2, 0)
        marks = marks_width if inner >= 20 else 0
        year = 4 if inner >= 30 else 0
        credit = min(28, inner // 4) if inner >= 50 else 0
        gaps = sum(1 for part in (marks, credit, year) if part)
        title = max(inner - marks - credit - year - gaps, 0)
        return cls(marks, title, credit, year)


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record(slots=True)
class _Pass(FrozenRecord):
    """What one drawing pass over the list's lines shares."""

    width: int
    count: int
    top: int
    height: int
    focus: bool
    base: Style
    parts: dict[bool, tuple[Style, Style, Style, Style]]  # is_cursor -> line, marks, credit, year
    columns: _Columns

    def __init__(
        self,
        width: int,
        count: int,
        top: int,
        height: int,
        focus: bool,
        base: Style,
        parts: dict[bool, tuple[Style, Style, Style, Style]],
        columns: _Columns,
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "width", width)
        set_(self, "count", count)
        set_(self, "top", top)
        set_(self, "height", height)
        set_(self, "focus", focus)
        set_(self, "base", base)
        set_(self, "parts", parts)
        set_(self, "columns", columns)

    def _values(self) -> tuple[object, ...]:
        return (
            self.width,
            self.count,
            self.top,
            self.height,
            self.focus,
            self.base,
            self.parts,
            self.columns,
        )


# The line style, the (is_cursor -> line, marks, credit, year) styles and the columns of a pass.
_PassStyles = tuple[Style, dict[bool, tuple[Style, Style, Style, Style]], _Columns]


class _ListStrip(Strip):
    """A strip the list keeps: cut at its own end, it hands itself back without keeping that.

    ``Strip.divide`` keeps each answer on the strip, and the compositor cuts every line
    at the edges of the widgets on it. For a line that ends where the list's visible part
    ends the answer is a list holding the strip itself: a reference cycle, so the strip
    outlived the list's caches until the collector's full pass (about 1,800 strips and
    27,000 objects over 80 page steps, one 40 ms pass). Not keeping that answer costs a
    comparison.
    """

    __slots__ = ()

    def divide(self, cuts: Iterable[int]) -> Sequence[Strip]:
        cuts = list(cuts)
        length = self.cell_length
        if [cut for cut in cuts if cut <= length] == [length]:
            return [self]
        return super().divide(cuts)


class _ListScrollBar(ScrollBar):
    """Textual's scrollbar, repainting only the cells that change.

    A page step moves the scroll position, and Textual's bar then draws itself
    again through Rich, every cell, even when the thumb stays where it was: over
    100,000 rows one page moves it by about a hundredth of a cell. This bar works
    out its cells itself (with ``ScrollBarRender.render_bar``, so they look the
    same) and refreshes only the lines whose cells differ.
    """

    position: Reactive[float] = Reactive(0.0, repaint=False)

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._cells: tuple[object, list[Segment]] | None = None  # (what they come from, a cell a line)
        self._strips: dict[int, Strip] = {}  # lines drawn from those cells

    def _cell_key(self) -> tuple[object, ...]:
        assert self.parent is not None
        styles = self.parent.styles
        if self.grabbed:
            background, color = styles.scrollbar_background_active, styles.scrollbar_color_active
        elif self.mouse_over:
            background, color = styles.scrollbar_background_hover, styles.scrollbar_color_hover
        else:
            background, color = styles.scrollbar_background, styles.scrollbar_color
        if background.a < 1:
            background = self.parent.background_colors[0] + background
        color = background + color
        size = self.size
        blank = self.screen.styles.scrollbar_color.a == 0  # Textual draws no thumb then
        window = self.window_size if self.window_size < self.window_virtual_size else 0
        return (
            size,
            color,
            background,
            blank,
            ceil(self.window_virtual_size),
            ceil(window),
            self.position,
            self.visual_style,
        )

    def _cells_now(self) -> list[Segment]:
        """One segment per line (the vertical bar is one cell wide per line), cached."""
        key = self._cell_key()
        if self._cells is not None and self._cells[0] == key:
            return self._cells[1]
        size, color, background, blank, virtual, window, position, _style = key
        assert isinstance(size, Size)
        width, height = size
        if blank:
            virtual, window, position = 100, 0, 0
        bar = self.renderer.render_bar(
            size=height,
            virtual_size=virtual,  # type: ignore[arg-type]
            window_size=window,  # type: ignore[arg-type]
            position=position,  # type: ignore[arg-type]
            thickness=width,
            vertical=True,
            back_color=background.rich_color,  # type: ignore[attr-defined]
            bar_color=color.rich_color,  # type: ignore[attr-defined]
        )
        cells = list(bar.segments)
        self._cells = (key, cells)
        self._strips = {}
        return cells

    def watch_position(self) -> None:
        old = self._cells[1] if self._cells is not None else None
        if old is None or not self.vertical:
            self.refresh()
            return
        new = self._cells_now()
        if len(new) != len(old):
            self.refresh()
            return
        width = self.size.width
        for y, (before, after) in enumerate(zip(old, new, strict=True)):
            if before != after:
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        if not self.vertical:
            return super().render_line(y)
        cells = self._cells_now()
        if not 0 <= y < len(cells):
            return Strip.blank(self.size.width, self.visual_style.rich_style)
        strip = self._strips.get(y)
        if strip is None:
            cell = cells[y]
            # As Textual's widget rendering does: the widget's own style under the cell's.
            strip = Strip([Segment(cell.text, self.visual_style.rich_style + cell.style)])
            self._strips[y] = strip
        return strip


class ResourceList(ScrollView, can_focus=True):
    """A scrolling list of resources that renders only the rows on screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "First", show=False, id="list.first"),
        Binding("G,end", "last", "Last", show=False, id="list.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("enter", "select", "Open", show=False, id="list.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-list--row",
        "resource-list--cursor",
        "resource-list--marks",
        "resource-list--credit",
        "resource-list--year",
        "resource-list--empty",
    }

    DEFAULT_CSS = compact("""
    ResourceList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        & > .resource-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .resource-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .resource-list--marks { color: $warning; }
        & > .resource-list--credit { color: $text-muted; }
        & > .resource-list--year { color: $text-muted; }
        & > .resource-list--empty { color: $text-disabled; text-style: italic; }
    }
    """)

    marks_width: ClassVar[int] = 2
    """Cells reserved for ``Row.marks`` (longer marks are cut)."""

    CACHE_SIZE: ClassVar[int] = 512

    class _ListMessage(Message):
        def __init__(
            self, resource_id: str | None, index: int, resource_list: ResourceList | None = None
        ) -> None:
            super().__init__()
            self.resource_id = resource_id
            """The resource under the cursor, or None when the list is empty."""
            self.index = index
            """Its position in the current rows (-1 when the list is empty)."""
            self.resource_list = resource_list

        @property
        def control(self) -> ResourceList | None:
            return self.resource_list

    class Highlighted(_ListMessage):
        """The cursor moved to another resource (or the rows changed under it)."""

    class Selected(_ListMessage):
        """The user chose the resource under the cursor (Enter or a click)."""

    class NearEnd(Message):
        """A row within a screen of the last one was drawn (once per row source).

        A source that holds the first part of a longer result can be replaced by a
        longer one (``set_rows`` with ``keep_id`` keeps the cursor where it is).
        """

        def __init__(self, count: int, resource_list: ResourceList | None = None) -> None:
            super().__init__()
            self.count = count
            """How many rows the list held."""
            self.resource_list = resource_list

        @property
        def control(self) -> ResourceList | None:
            return self.resource_list

    def __init__(
        self,
        source: RowSource | None = None,
        *,
        empty_message: str = "Nothing to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._source: RowSource = source if source is not None else RowsFromSequence(())
        self._cursor = 0 if len(self._source) else -1
        self._empty_message = empty_message
        # Keyed by (row index or Row, width, is_cursor, focus, line filters applied, background).
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(self.CACHE_SIZE)
        # The same rows drawn for another source (kept across ``set_rows``).
        self._row_strips: LRUCache[tuple[object, ...], Strip] = LRUCache(self.CACHE_SIZE)
        self._pass: _Pass | None = None
        self._pass_styles: dict[tuple[int, bool], _PassStyles] = {}  # (width, focus) -> styles
        self._announced: tuple[str | None, int] | None = None
        self._near_end_sent = False
        self._update_virtual_size()

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar: Textual's, repainting only the cells that change."""
        if self._vertical_scrollbar is None:
            bar = _ListScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    # -- public API ------------------------------------------------------

    @property
    def source(self) -> RowSource:
        return self._source

    @property
    def row_count(self) -> int:
        return len(self._source)

    @property
    def cursor(self) -> int:
        """Index of the row under the cursor; -1 when there are no rows."""
        return self._cursor

    @cursor.setter
    def cursor(self, index: int) -> None:
        self._move_cursor(index)

    @property
    def highlighted_id(self) -> str | None:
        if self._cursor < 0:
            return None
        return self._source.row(self._cursor).id

    @property
    def empty_message(self) -> str:
        return self._empty_message

    @empty_message.setter
    def empty_message(self, message: str) -> None:
        self._empty_message = message
        if not len(self._source):
            self.refresh()

    def set_rows(self, source: RowSource, keep_id: str | None = None) -> None:
        """Show ``source``; keep the cursor on ``keep_id`` when it is among the rows."""
        old_screen_line = self._cursor - self.scroll_offset.y
        self._source = source
        self._strips.clear()
        self._near_end_sent = False
        count = len(source)
        index = self._index_of(keep_id) if keep_id is not None else None
        kept = index is not None
        if index is None:
            index = 0 if count else -1
        self._cursor = index
        self._update_virtual_size()
        if kept:
            # The same resource stays on the same screen line when it can.
            top = max(index - max(old_screen_line, 0), 0)
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def select_id(self, resource_id: str) -> bool:
        """Move the cursor to ``resource_id``; False (cursor unchanged) when it is not shown."""
        index = self._index_of(resource_id)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    # -- actions -----------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._source) - 1)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_select(self) -> None:
        if self._cursor >= 0:
            self.post_message(self.Selected(self.highlighted_id, self._cursor, self))

    # -- events -------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self._source):
            event.stop()
            self._move_cursor(index)
            self.post_message(self.Selected(self.highlighted_id, index, self))

    def _on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def _on_mount(self, event: events.Mount) -> None:
        # ScrollView's own on_mount (scrollbars) runs too: Textual dispatches along the MRO.
        self._scroll_cursor_into_view()
        self._announce()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._row_strips.clear()
        self._pass_styles.clear()

    # -- rendering ------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of this pass shares (widths, styles, the scroll position) is read
        # once: per line it cost more than drawing a cached row.
        self._pass = self._render_pass()
        try:
            if self._plain():
                return self._render_plain(crop)
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _plain(self) -> bool:
        """Nothing for Textual's styling pass to add around the rows (no border, padding, tint...).

        Textual styles every line of a widget on its way to the screen (borders, padding,
        opacity, tint, hatching) and makes a new strip of it, so a row drawn before costs
        about as much as a new one and the compositor cannot reuse what it cut from it.
        When none of that applies, the list hands out its own strips (``_render_plain``):
        the same cells, less work per line.
        """
        styles = self.styles
        return (
            not any(edge for edge, _color in styles.border)
            and not any(edge for edge, _color in styles.outline)
            and not any(styles.padding)
            and styles.tint.a == 0
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and (not styles.has_rule("hatch") or styles.hatch == "none")
            and self._border_title is None
            and self._border_subtitle is None
        )

    def _render_plain(self, crop: Region) -> list[Strip]:
        """What Textual's styling pass gives for these lines when it has nothing to add.

        Textual pads each line to the widget's width, under the scrollbar too; the cells
        the scrollbar covers are left out here (the screen shows the same), so a row's
        strip goes to the screen as it is and the compositor has nothing to cut from it.
        """
        pass_ = self._pass or self._render_pass()
        width = self.size.width
        shown = width - (self.scrollbar_size_vertical if self.show_vertical_scrollbar else 0)
        base_background, background = self.background_colors
        filters = tuple(self.get_line_filters())
        lines = []
        for y in crop.line_range:
            if pass_.width >= shown:
                # The strip kept is the filtered one: a row costs one strip, not two.
                strip = self._line(y, pass_, filters, background)
            else:  # room for a scrollbar that is not shown: padded as Textual does, then filtered
                inner = VisualStyle(background=base_background + background).rich_style
                strip = self._line(y, pass_).adjust_cell_length(shown, inner)
                strip = self._filtered(strip, filters, background)
            lines.append(strip)
        start, end = crop.column_span
        if (start, end) != (0, width):
            lines = [strip.crop(start, end) for strip in lines]
        return lines

    def _render_pass(self) -> _Pass:
        width = self.scrollable_content_region.width
        focus = self.has_focus
        # The styles of a pass change with the widget's styles (theme, classes: the cache is
        # emptied by notify_style_update), its width and its focus; a page step paid 0.5 ms
        # for working them out again.
        styles = self._pass_styles.get((width, focus))
        if styles is None:
            styles = self._pass_styles[(width, focus)] = self._styles_of_pass(width)
        base, parts, columns = styles
        return _Pass(
            width=width,
            count=len(self._source),
            top=self.scroll_offset.y,
            height=self.size.height,
            focus=focus,
            base=base,
            parts=parts,
            columns=columns,
        )

    def _styles_of_pass(self, width: int) -> _PassStyles:
        base = self.get_component_rich_style("resource-list--row")
        cursor = base + self.get_component_rich_style("resource-list--cursor")
        parts: dict[bool, tuple[Style, Style, Style, Style]] = {}
        for is_cursor, line in ((False, base), (True, cursor)):

            def part(name: str, line: Style = line, is_cursor: bool = is_cursor) -> Style:
                style = self.get_component_rich_style(name, partial=True)
                # On the cursor line the cursor colours win over the column colours.
                return line + (Style(bold=style.bold, italic=style.italic) if is_cursor else style)

            parts[is_cursor] = (
                line,
                part("resource-list--marks"),
                part("resource-list--credit"),
                part("resource-list--year"),
            )
        return base, parts, _Columns.for_width(width, self.marks_width)

    def render_line(self, y: int) -> Strip:
        return self._line(y, self._pass or self._render_pass())

    def _line(
        self, y: int, pass_: _Pass, filters: tuple[LineFilter, ...] = (), background: Color | None = None
    ) -> Strip:
        """Line ``y`` of the list; with ``filters``, as they leave it (kept so, not twice)."""
        width, count = pass_.width, pass_.count
        if not count:
            return self._filtered(self._empty_line(y, width, pass_.base), filters, background)
        index = pass_.top + y
        if not 0 <= index < count:
            return self._filtered(Strip.blank(width, pass_.base), filters, background)
        if not self._near_end_sent and index >= count - max(pass_.height, 1):
            self._near_end_sent = True
            # Not from here: drawing runs in the screen's context, and a message made there
            # counts the screen as its sender, so it would stop bubbling below the screen.
            self.call_later(self._send_near_end, count)
        is_cursor = index == self._cursor
        key = (index, width, is_cursor, pass_.focus, filters, background)
        strip = self._strips.get(key)
        if strip is None:
            row = self._source.row(index)
            # New rows (the next keystroke's results) often show resources already drawn.
            row_key = (row, width, is_cursor, pass_.focus, filters, background)
            strip = self._row_strips.get(row_key)
            if strip is None:
                strip = self._filtered(self._render_row(row, width, is_cursor, pass_), filters, background)
                self._row_strips[row_key] = strip
            self._strips[key] = strip
        return strip

    @staticmethod
    def _filtered(strip: Strip, filters: tuple[LineFilter, ...], background: Color | None) -> Strip:
        if not filters:
            return strip
        segments = list(strip)
        for line_filter in filters:  # as Strip.apply_filter does, without keeping the strip before
            assert background is not None
            segments = line_filter.apply(segments, background)
        return _ListStrip(segments, strip.cell_length)

    def _render_row(self, row: Row, width: int, is_cursor: bool, pass_: _Pass | None = None) -> Strip:
        pass_ = pass_ or self._render_pass()
        base, marks_style, credit_style, year_style = pass_.parts[is_cursor]
        if width < 4:
            return Strip([Segment(_fit(one_line(row.title), width), pass_.base)], width)
        cols = pass_.columns if width == pass_.width else _Columns.for_width(width, self.marks_width)
        # Exactly ``width`` cells: 1 + marks + 1 + title [+ 1 + credit] [+ 1 + year] + 1.
        pieces: list[tuple[str, Style]] = [(" ", base)]
        if cols.marks:
            pieces += [(_fit(one_line(row.marks), cols.marks), marks_style), (" ", base)]
        pieces.append((_fit(one_line(row.title), cols.title), base))
        if cols.credit:
            credit = _fit_right(one_line(row.credit), cols.credit)
            pieces += [(" ", base), (credit, credit_style)]
        if cols.year:
            year = "" if row.year is None else str(row.year)
            pieces += [(" ", base), (_fit_right(year, cols.year), year_style)]
        pieces.append((" ", base))
        # Neighbours of the same style become one segment: fewer segments, less work per frame.
        segments: list[Segment] = []
        text, style = pieces[0]
        for next_text, next_style in pieces[1:]:
            if next_style == style:
                text += next_text
            else:
                segments.append(Segment(text, style))
                text, style = next_text, next_style
        segments.append(Segment(text, style))
        return _ListStrip(segments, width)

    def _send_near_end(self, count: int) -> None:
        if len(self._source) == count:
            self.post_message(self.NearEnd(count, self))

    def _empty_line(self, y: int, width: int, base: Style) -> Strip:
        height = self.scrollable_content_region.height
        if y != max(height // 2, 0) or not self._empty_message:
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("resource-list--empty", partial=True)
        text = one_line(self._empty_message)
        if cell_len(text) > width:
            text = _fit(text, width)
        left = (width - cell_len(text)) // 2
        return Strip([Segment(" " * left, base), Segment(text, style)]).crop_extend(0, width, base)

    # -- internals ----------------------------------------------------------------

    def _index_of(self, resource_id: str | None) -> int | None:
        if resource_id is None:
            return None
        index_of = getattr(self._source, "index_of", None)
        if callable(index_of):
            found = index_of(resource_id)
            return found if isinstance(found, int) else None
        for i in range(len(self._source)):
            if self._source.row(i).id == resource_id:
                return i
        return None

    def _update_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, len(self._source))
        old = self.virtual_size
        if size == old:
            return
        height = self.container_size.height
        if (
            self.is_attached
            and height > 0
            and (size.width == old.width or self.styles.overflow_x == "hidden")
            and self.styles.overflow_y == "auto"
            and (size.height > height) == (old.height > height)
        ):
            # The scrollbar neither comes nor goes, so nothing else on screen moves: skip the
            # layout of the whole screen that setting ``virtual_size`` asks for (each new
            # result set would pay it), and update the scrollbar and the scroll range only.
            # (The width differs once the vertical scrollbar has taken its column; with no
            # horizontal scrolling nothing depends on it.)
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
            return
        self.virtual_size = size

    def _move_cursor(self, index: int) -> None:
        count = len(self._source)
        if not count:
            return
        index = min(max(index, 0), count - 1)
        old = self._cursor
        if index == old:
            return
        self._cursor = index
        if 0 <= old < count:
            self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_cursor_into_view()
        self._announce()

    def _page(self, direction: int) -> None:
        count = len(self._source)
        if not count:
            return
        page = max(self.scrollable_content_region.height, 1)
        screen_line = self._cursor - self.scroll_offset.y
        target = min(max(self._cursor + direction * page, 0), count - 1)
        top = min(max(target - screen_line, 0), max(count - page, 0))
        self.scroll_to(y=top, animate=False, immediate=True, force=True)
        self._move_cursor(target)

    def _scroll_cursor_into_view(self) -> None:
        if self._cursor < 0:
            return
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True, force=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True, force=True)

    def _announce(self) -> None:
        state = (self.highlighted_id, self._cursor)
        if state != self._announced and self.is_attached:
            self._announced = state
            self.post_message(self.Highlighted(state[0], state[1], self))
