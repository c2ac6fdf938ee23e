"""The status line under the panes: how many results, the sort, and what the search engine says.

It shows the result count, the "did you mean" suggestion with the key that
accepts it, the notice when an all-words search fell back to any word, and the
engine's explanation of a query it could not use. Query text is data: it is
shown literally.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ctdc_tui.core.records import FrozenRecord, frozen_record
from ctdc_tui.tui.widgets.data_text import data_text

SORT_LABELS = {
    "relevance": "best match first",
    "title": "by title",
    "year": "newest first",
    "catalogue": "catalogue order",
}


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record()
class StatusInfo(FrozenRecord):
    view_name: str
    count: int
    count_is_estimate: bool = False
    query: str = ""
    sort: str = "catalogue"
    suggestion: str | None = None
    suggestion_key: str = ""
    fallback: bool = False
    explanation: str | None = None
    searching: bool = False

    def __init__(
        self,
        view_name: str,
        count: int,
        count_is_estimate: bool = False,
        query: str = "",
        sort: str = "catalogue",
        suggestion: str | None = None,
        suggestion_key: str = "",
        fallback: bool = False,
        explanation: str | None = None,
        searching: bool = False,
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "view_name", view_name)
        set_(self, "count", count)
        set_(self, "count_is_estimate", count_is_estimate)
        set_(self, "query", query)
        set_(self, "sort", sort)
        set_(self, "suggestion", suggestion)
        set_(self, "suggestion_key", suggestion_key)
        set_(self, "fallback", fallback)
        set_(self, "explanation", explanation)
        set_(self, "searching", searching)

    def _values(self) -> tuple[object, ...]:
        return (
            self.view_name,
            self.count,
            self.count_is_estimate,
            self.query,
            self.sort,
            self.suggestion,
            self.suggestion_key,
            self.fallback,
            self.explanation,
            self.searching,
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def status_text(info: StatusInfo) -> Text:
    """The status line for ``info`` (pure: tested without an app)."""
    text = Text()
    count = f"{info.count}+" if info.count_is_estimate else str(info.count)
    if info.query:
        noun = "match" if info.count == 1 and not info.count_is_estimate else "matches"
        text.append(f"{count} {noun}", style="bold")
        text.append(" for ")
        text.append(data_text(info.query, "italic", single_line=True))
        text.append(" in ")
    else:
        text.append(_plural(info.count, "resource") if not info.count_is_estimate else f"{count} resources")
        text.append(" in ")
    text.append(data_text(info.view_name, single_line=True))
    text.append(f" · {SORT_LABELS.get(info.sort, info.sort)}", style="dim")
    if info.searching:
        text.append(" · searching…", style="dim italic")
    if info.fallback:
        text.append(" · no resource has every word; showing those with any of them", style="italic")
    if info.suggestion:
        text.append(" · did you mean ")
        text.append(data_text(info.suggestion, "bold", single_line=True))
        text.append("?")
        if info.suggestion_key:
            text.append(f" ({info.suggestion_key} to use it)", style="dim")
    if info.explanation:
        text.append(" · ")
        text.append(data_text(info.explanation, "italic", single_line=True))
    return text


class StatusLine(Static):
    """One or two lines of state under the panes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info: StatusInfo | None = None
        self._shape = (0, 0)  # (lines, width) of the last text shown
        self._held = False  # two lines kept for a one-line text (see show)
        self._cut = False  # a two-line text cut to the one line shown (see show)

    def show(self, info: StatusInfo, *, typing: bool = False) -> None:
        """Show ``info``; ``typing``: a search is being typed, so the line keeps its height.

        While a search is being typed, the line does not shrink back from two lines to
        one, and (with ``typing``) does not grow from one to two either, the longer text
        cut with an ellipsis instead: the text grows and shrinks with each key
        ("searching…", the any-word notice, "did you mean"), and every change of height
        lays out the whole screen (about 20 ms), in the frame that shows the key. The app
        calls ``release`` once typing pauses, and the line takes the height its text needs.
        """
        if info == self.info and not (self._cut and not typing):
            return  # the same words: no redraw, no layout
        keep_two = bool(info.query) and self.info is not None and bool(self.info.query)
        self.info = info
        self._show(status_text(info), keep_two=keep_two, keep_one=typing)

    def _show(self, text: Text, *, keep_two: bool = False, keep_one: bool = False) -> None:
        # One line or two (the height is auto, at most 2): only a change between them
        # moves anything else, so only then lay out the screen.
        width = self.content_region.width
        lines = 1 if width > 0 and text.cell_len <= width else 2
        self._cut = keep_one and lines == 2 and self._shape == (1, width)
        if self._cut:
            text.truncate(width, overflow="ellipsis")
            lines = 1
        self._held = keep_two and lines == 1 and self._shape == (2, width)
        if self._held:
            text.append("\n")  # an empty second line
            lines = 2
        same = (lines, width) == self._shape and width > 0 and self.is_attached
        self._shape = (lines, width)
        self.update(text, layout=not same)

    def on_resize(self) -> None:
        # The first texts are shown before a layout has given the line its width (0 then):
        # keep the height and width the line has now, or the next text, though it fits as
        # it is, lays out the whole screen (about 20 ms, on the session's first key).
        self._shape = (self.size.height, self.content_region.width)

    def release(self) -> None:
        """Typing paused: the line takes the height its text needs (see ``show``)."""
        if (self._held or self._cut) and self.info is not None:
            self._show(status_text(self.info))

    def show_text(self, text: str) -> None:
        self.info = None
        self._show(data_text(text, single_line=True))
