"""The detail pane: everything about one resource, its bookmark note, and related resources.

The pane renders what the app hands it (a ``DetailView``); it never asks the
index or the store itself. Catalogue text is shown through ``data_text`` so it
is never read as markup. When the link is dead (or moved), a small option list
under the text offers the places to try instead (the new address, the
alternate links, the archived copy): Tab reaches it, Enter opens one. Related
resources sit in another option list at the bottom: Enter follows one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import RenderOptions, RichVisual
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ctdc_tui.tui.tcss import compact
from ctdc_tui.tui.widgets.data_text import data_text, highlighted_text

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.widget import Widget

    from ctdc_tui.core.catalog import Resource
    from ctdc_tui.tui.widgets.detail_lists import LinkChoiceList as LinkChoiceList
    from ctdc_tui.tui.widgets.detail_lists import RelatedList as RelatedList

Spans = tuple[tuple[int, int], ...]

# Below this many columns (of the pane) each field's label goes above its value.
COMPACT_WIDTH = 40


class Saved(NamedTuple):
    """What a bookmark remembers about its resource (for one that left the catalogue)."""

    title: str
    url: str


class LinkChoice(NamedTuple):
    """A place to try when the resource's link is dead: what it is, and its address."""

    label: str  # e.g. "New address", "Also at (ok, checked 2 days ago)", "Archived copy"
    url: str


class DetailView(NamedTuple):
    """What the detail pane shows. Build one with the app's data; the pane only renders it."""

    resource: Resource | None = None
    title_spans: Spans = ()
    description_spans: Spans = ()
    bookmarked: bool = False
    note: str = ""
    saved: Saved | None = None  # set when the bookmarked resource is not in the catalogue
    link_status: str | None = None
    link_choices: Sequence[LinkChoice] = ()
    link_choices_title: str = ""
    related: Sequence[Resource] = ()
    message: Text | None = None  # shown instead of a resource (empty category, nothing selected)


def locate_spans(full: str, fragment: str, spans: Spans) -> Spans:
    """Spans computed on ``fragment`` moved onto ``full``, when the fragment is part of it.

    The search engine highlights a fragment of the description; the pane shows the
    whole description, so the spans are shifted by where the fragment starts.
    """
    if not spans:
        return ()
    if fragment == full:
        return spans
    core = fragment.strip().strip("…").strip()
    if not core:
        return ()
    start = full.find(core)
    if start < 0:
        return ()
    shift = start - fragment.find(core)
    return tuple((a + shift, b + shift) for a, b in spans if a + shift >= 0 and b + shift <= len(full))


def _fields(rows: list[tuple[str, Text]], compact: bool = False) -> RenderableType:
    """Label and value side by side; in a narrow pane, each label on its own line above its value."""
    if compact:
        lines: list[RenderableType] = []
        for label, value in rows:
            lines.append(Text(label, style="bold"))
            lines.append(Padding(value, (0, 0, 0, 2)))
        return Group(*lines)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for label, value in rows:
        grid.add_row(Text(label), value)
    return grid


def _value(value: str) -> Text:
    return data_text(value, single_line=True)


def render_detail(view: DetailView, compact: bool = False) -> Group:
    """The pane's body as Rich renderables (pure: tested without an app)."""
    if view.message is not None and view.resource is None and view.saved is None:
        return Group(view.message)
    parts: list[RenderableType] = []
    resource = view.resource
    if resource is None and view.saved is not None:
        parts.append(data_text(view.saved.title, "bold"))
        parts.append(Text("★ bookmarked · not in the catalogue", style="bold"))
        parts.append(Text(""))
        parts.append(_fields([("Link (saved)", _value(view.saved.url))], compact))
        parts.append(Text(""))
        parts.append(
            Text(
                "This bookmark's resource is no longer in the catalogue; what you saved is shown. "
                "Press b to remove the bookmark.",
                style="italic",
            )
        )
        if view.note:
            parts.extend([Text(""), Text("Your note", style="bold underline"), data_text(view.note)])
        return Group(*parts)
    if resource is None:
        return Group(Text("Nothing selected.", style="italic"))

    parts.append(highlighted_text(resource.title, view.title_spans, "bold"))
    if resource.title_full and resource.title_full != resource.title:
        parts.append(data_text(resource.title_full, "italic", single_line=True))
    if view.bookmarked:
        parts.append(Text("★ bookmarked", style="bold"))
    parts.append(Text(""))
    fields: list[tuple[str, Text]] = []
    if resource.authors:
        fields.append(("Authors", _value(", ".join(resource.authors))))
    if resource.organizations:
        fields.append(("Organisations", _value(", ".join(resource.organizations))))
    if resource.publisher and resource.publisher not in resource.organizations:
        fields.append(("Publisher", _value(resource.publisher)))
    if resource.year is not None:
        fields.append(("Year", Text(str(resource.year))))
    if resource.kind:
        fields.append(("Kind", _value(resource.kind)))
    if resource.tags:
        fields.append(("Tags", _value(", ".join(resource.tags))))
    fields.append(("Link", data_text(resource.url, "underline", single_line=True)))
    if view.link_status:
        fields.append(("Link status", data_text(view.link_status, "italic", single_line=True)))
    for alternate in resource.alternate_urls:
        fields.append(("Also at", _value(alternate)))
    parts.append(_fields(fields, compact))
    if resource.description:
        parts.append(Text(""))
        parts.append(highlighted_text(resource.description, view.description_spans))
    if resource.note:
        parts.extend([Text(""), Text("From the catalogue", style="bold underline"), data_text(resource.note)])
    if view.note:
        parts.extend([Text(""), Text("Your note", style="bold underline"), data_text(view.note)])
    return Group(*parts)


def _body_of(view: DetailView) -> DetailView:
    """What ``render_detail`` draws of a view (related and link choices have widgets of their own)."""
    return view._replace(related=(), link_choices=(), link_choices_title="")


class _BodyVisual(RichVisual):
    """The body drawn once per width: Textual's ``RichVisual`` draws it twice per update.

    A ``Static`` with ``height: auto`` renders its content to count the lines (``get_height``)
    and again to draw them (``render_strips``): two passes through Rich's table and wrapping
    at each update of the pane, at start-up and whenever the cursor rests on a resource. This
    keeps the first pass's segments and adds the base style to them as Textual's ``_Styled``
    does. Only for bodies whose drawing does not depend on the height (``render_detail``
    without ``compact``: text, a grid and text; its compact form pads by the height).
    """

    def __init__(self, widget: Widget, renderable: RenderableType) -> None:
        super().__init__(widget, renderable)
        self._lines: tuple[int, list[Segment]] | None = None  # width, segments

    def _segments(self, width: int) -> list[Segment]:
        if self._lines is None or self._lines[0] != width:
            app = self._widget.app
            options = app.console_options.update_width(width).update(highlight=False)
            self._lines = (width, list(app.console.render(self._renderable, options)))
        return self._lines[1]

    def get_height(self, rules: RulesMap, width: int) -> int:
        return sum(text.count("\n") for text, _, _ in self._segments(width))

    def render_strips(
        self, width: int, height: int | None, style: VisualStyle, options: RenderOptions
    ) -> list[Strip]:
        segments = self._segments(width)
        base = style.rich_style
        if any(seg_style is not None and seg_style._meta for _, seg_style, _ in segments):
            return super().render_strips(width, height, style, options)  # links: Textual's own way
        if base:
            add = base.__add__
            segments = [Segment(text, add(seg_style), None) for text, seg_style, _ in segments]
        lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
        return [Strip(line) for line in islice(lines, None, height)]


class _Body(Static):
    """The pane's text (``render_detail``); see ``_BodyVisual``."""

    def show(self, body: Group, compact: bool) -> None:
        if compact:
            self.update(body)
        else:
            self.update(_BodyVisual(self, body))


def __getattr__(name: str) -> object:
    # The two option lists live in ``detail_lists``, imported when the pane first mounts them.
    if name in ("RelatedList", "LinkChoiceList"):
        from ctdc_tui.tui.widgets import detail_lists

        return getattr(detail_lists, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _choice_prompt(choice: LinkChoice) -> Text:
    prompt = data_text(choice.label, "bold", single_line=True)
    prompt.append("  ")
    prompt.append(data_text(choice.url, "underline", single_line=True))
    return prompt


class DetailPane(VerticalScroll):
    """Scrollable detail of the current resource, with followable related resources."""

    DEFAULT_CSS = compact("""
    DetailPane > #link-choices-title {
        height: auto;
        margin-top: 1;
    }
    DetailPane > #link-choices {
        height: auto;
        max-height: 6;
        border: none;
        padding: 0;
        background: transparent;
    }
    """)

    BINDINGS = [
        Binding("j", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Up", show=False, id="detail.up"),
        Binding("g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
    ]

    class RelatedChosen(Message):
        def __init__(self, resource_id: str) -> None:
            self.resource_id = resource_id
            super().__init__()

    class LinkChosen(Message):
        """Enter on one of the places to try instead of a dead link."""

        def __init__(self, url: str) -> None:
            self.url = url
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = DetailView()
        self._compact = False
        self._shown_choices: tuple[LinkChoice, ...] = ()
        self._shown_related: tuple[Resource, ...] = ()
        self._shown_once = False
        self._shown_body = False
        self._shown_title = ""
        self._parts_mounted = False

    def compose(self) -> ComposeResult:
        yield _Body(id="detail-body")
        # The link choices and related resources are mounted when a view first has them
        # (``_mount_parts``): four hidden widgets less to style and lay out at start-up.

    def _mount_parts(self) -> None:
        """Mount the link choices and related resources (hidden), in their order under the body."""
        if self._parts_mounted:
            return
        self._parts_mounted = True
        from ctdc_tui.tui.widgets.detail_lists import LinkChoiceList, RelatedList

        parts = [
            Static(id="link-choices-title"),
            LinkChoiceList(id="link-choices"),
            Static(Text("Related resources", style="bold underline"), id="related-title"),
            RelatedList(id="related"),
        ]
        for part in parts:
            part.display = False
        self.mount(*parts)

    def show(self, view: DetailView) -> None:
        """Render ``view``; parts that did not change are left alone (each change lays out the screen)."""
        compact = self._is_narrow()
        if view == self.view and compact == self._compact and self._shown_once:
            return
        same_resource = view.resource and self.view.resource and view.resource.id == self.view.resource.id
        previous, was_compact = self.view, self._compact
        self.view = view
        self._compact = compact
        self._shown_once = True
        if not self._shown_body or _body_of(view) != _body_of(previous) or compact != was_compact:
            self._shown_body = True
            self.query_one("#detail-body", _Body).show(render_detail(view, compact), compact)
        if self._parts_mounted or view.link_choices or view.related:
            self._show_parts(view)
        if not same_resource:
            self.scroll_home(animate=False)

    def _show_parts(self, view: DetailView) -> None:
        """The link choices and related resources of ``view``, each shown only when it has some."""
        self._mount_parts()
        from ctdc_tui.tui.widgets.detail_lists import LinkChoiceList, RelatedList

        choices = self.query_one(LinkChoiceList)
        if view.link_choices != self._shown_choices:
            self._shown_choices = tuple(view.link_choices)
            choices.set_options(Option(_choice_prompt(choice)) for choice in view.link_choices)
            if view.link_choices:
                choices.highlighted = 0
        has_choices = bool(view.link_choices)
        choices.display = has_choices
        title = self.query_one("#link-choices-title", Static)
        if view.link_choices_title != self._shown_title:
            self._shown_title = view.link_choices_title
            title.update(Text(view.link_choices_title, style="bold underline"))
        title.display = has_choices
        related = self.query_one(RelatedList)
        if tuple(view.related) != self._shown_related:
            self._shown_related = tuple(view.related)
            related.set_options(
                Option(data_text(item.title, single_line=True), id=item.id) for item in view.related
            )
            if view.related:
                related.highlighted = 0
        visible = bool(view.related)
        related.display = visible
        self.query_one("#related-title").display = visible

    def _is_narrow(self) -> bool:
        return 0 < self.size.width < COMPACT_WIDTH

    def on_resize(self) -> None:
        if self._is_narrow() != self._compact:
            self._compact = self._is_narrow()
            self.query_one("#detail-body", _Body).show(render_detail(self.view, self._compact), self._compact)

    @property
    def related_ids(self) -> list[str]:
        return [resource.id for resource in self.view.related]

    @property
    def link_choices(self) -> list[LinkChoice]:
        return list(self.view.link_choices)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        from ctdc_tui.tui.widgets.detail_lists import LinkChoiceList  # (mounted, so imported)

        if isinstance(event.option_list, LinkChoiceList):
            if 0 <= event.option_index < len(self.view.link_choices):
                self.post_message(self.LinkChosen(self.view.link_choices[event.option_index].url))
        elif event.option.id is not None:
            self.post_message(self.RelatedChosen(event.option.id))
