"""Row sources for the resource list: search results and bookmarks turned into ``Row``s.

``ResourceList`` asks for one row at a time (only the rows on screen), so these
adapters read lazily from ``Results`` or from the bookmark list. Marks are
computed per row: ``★`` for a bookmarked resource, ``?`` for a bookmark whose
resource is not in the catalogue, and a link mark from the last link check:
``✗`` for a link that was dead at a check less than ``STALE_DAYS`` old, ``x``
for one that was dead at an older check (it may have come back). Working and
never-checked links get no mark; the detail pane says which, and how old the
knowledge is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ctdc_tui.tui.widgets.resource_list import Row

if TYPE_CHECKING:
    from ctdc_tui.core.bookmarks import Bookmark
    from ctdc_tui.core.catalog import Resource
    from ctdc_tui.core.search import Results

BOOKMARK_MARK = "★"
MISSING_MARK = "?"
DEAD_MARK = "✗"
OLD_DEAD_MARK = "x"
# A check older than this many days is old news: its dead mark is the weaker ``x``.
STALE_DAYS = 30

Marks = Callable[[str], str]

# When the rows change, the cursor stays on its resource if it is among this many first rows.
KEEP_WINDOW = 2000


def no_marks(resource_id: str) -> str:
    return ""


def link_mark(health: str | None, stale: bool) -> str:
    """The list's mark for a link's last known health (``ok``/``dead``/``unknown``, None: never checked)."""
    if health != "dead":
        return ""
    return OLD_DEAD_MARK if stale else DEAD_MARK


class ResultRows:
    """Rows over a ``Results`` (browse or search), read on demand."""

    def __init__(self, results: Results, marks: Marks = no_marks) -> None:
        self.results = results
        self.marks = marks
        self._positions: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.results)

    def resource(self, i: int) -> Resource:
        return self.results[i]

    def row(self, i: int) -> Row:
        resource = self.results[i]
        return Row(resource.id, resource.title, resource.credit, resource.year, self.marks(resource.id))

    def index_of(self, resource_id: str) -> int | None:
        """Where a resource is in the rows.

        A browse knows its ids; a search would read a stored field for every hit,
        so there only the first ``KEEP_WINDOW`` rows are looked at.
        """
        known = getattr(self.results, "index_of", None)  # a source that knows (tui/early.py)
        if known is not None:
            found: int | None = known(resource_id)
            return found
        if self._positions is None:
            self._positions = {}
            count = len(self.results)
            if count <= KEEP_WINDOW or not self.results.query:
                ids = list(self.results.ids())[:count]
            else:
                ids = [self.results[i].id for i in range(KEEP_WINDOW)]
            for i, rid in enumerate(ids):
                self._positions.setdefault(rid, i)
        return self._positions.get(resource_id)


class BookmarkRows:
    """Rows over bookmarks, each with its resource (None when it left the catalogue)."""

    def __init__(self, items: Sequence[tuple[Bookmark, Resource | None]], marks: Marks = no_marks) -> None:
        self.items = list(items)
        self.marks = marks
        self._positions = {
            bookmark.resource_id: i for i, (bookmark, _) in reversed(list(enumerate(self.items)))
        }

    def __len__(self) -> int:
        return len(self.items)

    def bookmark(self, i: int) -> Bookmark:
        return self.items[i][0]

    def resource(self, i: int) -> Resource | None:
        return self.items[i][1]

    def row(self, i: int) -> Row:
        bookmark, resource = self.items[i]
        if resource is None:
            return Row(
                bookmark.resource_id,
                f"{bookmark.title} (not in the catalogue)",
                "",
                None,
                MISSING_MARK,
            )
        return Row(resource.id, resource.title, resource.credit, resource.year, self.marks(resource.id))

    def index_of(self, resource_id: str) -> int | None:
        return self._positions.get(resource_id)
