"""What the main screen shows: the view, the query, the sort, and the rows they give.

``ViewsMixin`` is part of ``CtdcApp``. It turns (view, query, sort) into rows
for the resource list, counts for the sidebar, the status line and the detail
pane. Browsing is synchronous (``browse()`` returns a lazy ``Results``);
searching goes through the app's worker and comes back through
``show_search_results``, where results of an older generation are dropped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.worker import get_current_worker

from ctdc_tui.tui.advice import EmptyView, empty_advice
from ctdc_tui.tui.widgets.data_text import data_text
from ctdc_tui.tui.widgets.detail import DetailPane, DetailView, LinkChoice, Saved, locate_spans
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.rows import BOOKMARK_MARK, STALE_DAYS, BookmarkRows, ResultRows, link_mark
from ctdc_tui.tui.widgets.search_box import SearchBox
from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS, Entry, Sidebar
from ctdc_tui.tui.widgets.status import StatusInfo, StatusLine

if TYPE_CHECKING:
    from ctdc_tui.core.catalog import Category, Resource
    from ctdc_tui.core.search import Results


SEARCH_SORTS = ("relevance", "title", "year", "catalogue")
BROWSE_SORTS = ("catalogue", "title", "year")

Rows = ResultRows | BookmarkRows

# The detail pane follows the cursor, but laying it out costs more than moving the
# cursor. A move after DETAIL_QUIET seconds of stillness updates the pane at once;
# moves closer together than that (a held or fast-tapped key) update it once, when
# the cursor has rested for DETAIL_TRAIL seconds. DETAIL_QUIET is well above the
# cost of one step on a loaded machine: were it below, a slow step would make the
# next one redraw the pane, and so slow that one down too (docs/performance.md).
DETAIL_QUIET = 0.25
DETAIL_TRAIL = 0.05
# While the user types, new results leave the detail pane alone until no result has come
# for this long: drawing it would hold up the echo of the next key.
DETAIL_AFTER_TYPING = 0.2
# The related lookup (it holds the index) starts once the cursor and the query have
# been still this long.
RELATED_QUIET = 0.4
# Near the end of a search's first page the list asks for at least this many hits (then 4x).
MORE_AT_LEAST = 1000
# Pages below the one on screen whose rows are read ahead, in the background, besides the next
# one (_prefetch_rows).
PREFETCH_PAGES = 2


def is_openable(url: str) -> bool:
    """``core.link_status.is_openable``, imported when first needed (not before the first frame)."""
    from ctdc_tui.core.link_status import is_openable as openable

    return openable(url)


def archived_url(url: str) -> str | None:
    """``core.link_status.archived_url``, imported when first needed."""
    from ctdc_tui.core.link_status import archived_url as archived

    return archived(url)


class ViewsMixin:
    """View state and rendering for ``CtdcApp`` (see module docstring)."""

    app: Any
    index: Any
    bookmarks: Any
    catalogue_key: str
    catalogue_path: Any

    def _init_views(self) -> None:
        self.view_key = ALL
        self.search_text = ""
        self.sort = "relevance"
        self.generation = 0
        self.last_search_seconds = 0.0
        self.facet_seconds: float | None = None  # how long the last facet count took
        self._last_query_at = 0.0  # monotonic time of the last search started
        self._last_shown_at = 0.0  # monotonic time the last search's results were shown
        self.rows: Rows | None = None
        self.results: Results | None = None  # the search results behind the rows, when searching
        self.facets: dict[str, int] = {}
        self.facets_pending = False  # the search on screen has no facet counts yet
        self.exact_total: int | None = None  # the exact match count of that search, once known
        self.suggestion: str | None = None  # "did you mean", for the query as typed
        self.bookmarked: set[str] = set()
        self.dead_links: set[str] = set()
        self.stale_links: set[str] = set()  # checked more than STALE_DAYS ago
        self.link_health: dict[str, str] = {}  # resource id -> ok/dead/unknown (what sync_link_status got)
        self.checking_links: set[str] = set()  # resources whose link is being re-checked now
        self.link_cache: Any = None  # LinkStatusCache of the last `ctdc links check`
        self._keep_id: str | None = None
        self._view_before_search: str | None = None
        self._related_for: str | None = None
        self._related: list[Resource] = []
        self._last_move = 0.0  # monotonic time of the last cursor move in the list
        self._detail_timer: Any = None  # the pending trailing detail update, while the cursor moves
        self._detail_for: str | None = None  # the row id the detail pane was last drawn for
        self._typing_detail = False  # the pending detail update waits for typing to pause
        self._related_timer: Any = None  # the pending related lookup, while the cursor moves
        self._last_rows_at = 0.0  # monotonic time new rows were shown (their first frame needs the index)
        self._prefetched: tuple[int, int, int] | None = None  # (rows, top, page) of the last prefetch
        self._prefetch_generation = 0

    # ------------------------------------------------------------------ facts
    def categories(self) -> list[Category]:
        if self.index is None:
            return []
        return list(self.index.catalogue.categories)

    def special_views(self) -> tuple[str, ...]:
        return (BOOKMARKS,)

    def category_count(self, category: Category) -> int:
        count = getattr(category, "count", None)
        return int(count) if isinstance(count, int) else len(category.resource_ids)

    def view_name(self, key: str | None = None) -> str:
        key = self.view_key if key is None else key
        if key == ALL:
            return "All resources"
        if key == BOOKMARKS:
            return "Bookmarks"
        for category in self.categories():
            if category.id == key:
                return category.name
        return key

    def effective_sort(self) -> str:
        if self.search_text.strip():
            return self.sort
        return "catalogue" if self.sort == "relevance" else self.sort

    def marks(self, resource_id: str) -> str:
        mark = BOOKMARK_MARK if resource_id in self.bookmarked else ""
        if resource_id in self.dead_links:
            mark += link_mark("dead", resource_id in self.stale_links)
        return mark

    def current_id(self) -> str | None:
        rows = self.rows
        cursor = self.query_one(ResourceList).cursor  # type: ignore[attr-defined]
        if rows is None or not 0 <= cursor < len(rows):
            return None
        return rows.row(cursor).id

    def current_resource(self) -> Resource | None:
        rows = self.rows
        cursor = self.query_one(ResourceList).cursor  # type: ignore[attr-defined]
        if rows is None or not 0 <= cursor < len(rows):
            return None
        return rows.resource(cursor)

    def use_link_status(self, cache: Any) -> None:
        """Marks and ``is:ok``/``is:dead`` from the last link check.

        Resources whose address changed since the check are left out.
        """
        current = {}
        for resource_id in cache.resources:
            resource = self.index.get(resource_id) if self.index is not None else None
            if resource is not None:
                current[resource_id] = resource.url
        self.link_cache = cache
        self.link_health = dict(cache.status_map(current))
        self.dead_links = {rid for rid, health in self.link_health.items() if health == "dead"}
        old = datetime.now(UTC) - timedelta(days=STALE_DAYS)
        self.stale_links = set()
        for rid in self.dead_links:
            result = cache.get(rid)
            if result is not None and result.checked_at < old:
                self.stale_links.add(rid)
        if self.index is not None and self.link_health:
            self.index.sync_link_status(self.link_health)

    def update_link_health(self, resource_id: str, health: str, checked_at: datetime) -> None:
        """One resource was re-checked: its mark and ``is:ok``/``is:dead`` follow at once."""
        self.link_health[resource_id] = health
        self.dead_links.discard(resource_id)
        self.stale_links.discard(resource_id)
        if health == "dead":
            self.dead_links.add(resource_id)
            if checked_at < datetime.now(UTC) - timedelta(days=STALE_DAYS):
                self.stale_links.add(resource_id)
        if hasattr(self.index, "sync_link_status"):  # not while browsing the catalogue before the index opens
            self.index.sync_link_status(self.link_health)

    def _link_result(self, resource: Resource) -> Any:
        """The last check of the resource's main link, or None (never checked, or edited since)."""
        cache = self.link_cache
        if cache is None or resource.id not in cache.resources:
            return None
        if cache.resources[resource.id][:1] != (resource.url,):
            return None  # the catalogue changed this link since it was checked
        return cache.get(resource.id)

    def link_text(self, resource: Resource) -> str:
        """The last known status of the resource's link, in words, with how old that knowledge is.

        ``dead: not found (HTTP 404), checked 3 days ago``; ``not checked yet`` when there is no entry.
        """
        checking = resource.id in self.checking_links
        result = self._link_result(resource)
        if result is None:
            return "checking now…" if checking else "not checked yet"
        health = {"ok": "works", "dead": "dead", "unknown": "unknown"}.get(result.health, result.health)
        text = health if result.status == "ok" else f"{health}: {result.label}"
        text += f", checked {result.age_text()}"
        if result.final_url and result.final_url != resource.url:
            text += f"; now at {result.final_url}"
        if checking:
            text += "; checking again now…"
        return text

    def link_choices(self, resource: Resource) -> tuple[str, tuple[LinkChoice, ...]]:
        """For a dead or moved link: a title and the places to try instead, every one openable."""
        result = self._link_result(resource)
        if result is None:
            return "", ()
        moved = bool(result.final_url and result.final_url != resource.url)
        if result.health != "dead" and not moved:
            return "", ()
        choices: list[LinkChoice] = []
        if moved and is_openable(result.final_url):
            choices.append(
                LinkChoice("New address" if result.health != "dead" else "Redirects to", result.final_url)
            )
        for alternate in resource.alternate_urls:
            if not is_openable(alternate):
                continue
            known = self.link_cache.get_url(alternate)
            label = "Also at"
            if known is not None:
                label += f" ({known.label}, checked {known.age_text()})"
            choices.append(LinkChoice(label, alternate))
        archive = archived_url(resource.url)
        key = self.key_for("app.open_archive")  # type: ignore[attr-defined]
        if result.health == "dead" and archive is not None:
            choices.append(LinkChoice(f"Archived copy ({key})" if key else "Archived copy", archive))
        if not choices:
            return "", ()
        if result.health == "dead":
            title = "The link is dead; try instead (Tab, then Enter opens)"
        else:
            title = "The link has moved (Tab, then Enter opens)"
        return title, tuple(choices)

    # --------------------------------------------------------------- changing
    def show_view(self, key: str, select: str | None = None) -> None:
        """Switch to a view (ALL, a category id, BOOKMARKS), keeping ``select`` under the cursor if shown."""
        self.view_key = key
        self.refresh_sidebar()
        self.query_one(Sidebar).select_key(key)  # type: ignore[attr-defined]
        self.reload(select)

    def set_query(self, text: str) -> None:
        """A new query from the search box.

        Starting a search moves from a category to "All resources" (the sidebar's
        facet counts then say where the matches are; choosing a category narrows);
        clearing it goes back to the category it started from. The Bookmarks view
        stays: searching there searches the bookmarks.
        """
        if text == self.search_text:
            return
        was_searching = bool(self.search_text.strip())
        self.search_text = text
        searching = bool(text.strip())
        if searching and not was_searching and self.view_key not in (ALL, BOOKMARKS):
            self._view_before_search = self.view_key
            self.view_key = ALL
            self.query_one(Sidebar).select_key(ALL)  # type: ignore[attr-defined]
        elif not searching and was_searching and self._view_before_search is not None:
            if self.view_key == ALL:
                self.view_key = self._view_before_search
                self.query_one(Sidebar).select_key(self.view_key)  # type: ignore[attr-defined]
            self._view_before_search = None
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Recompute the rows for the current view, query and sort."""
        if self.index is None:
            return
        keep = select or self.current_id()
        self.generation += 1
        query = self.search_text.strip()
        if query:
            self._keep_id = select  # an explicit choice; else whatever is under the cursor on arrival
            category = self.view_key if self.view_key not in (ALL, BOOKMARKS) else None
            self.start_search(self.generation, query, category, self.sort)  # type: ignore[attr-defined]
            return
        self.results = None
        self.facets = {}
        self.facets_pending = False
        self.exact_total = None
        if self.view_key == BOOKMARKS:
            rows: Rows = self.bookmark_rows()
        else:
            category = None if self.view_key == ALL else self.view_key
            rows = ResultRows(self.index.browse(category, sort=self.effective_sort()), self.marks)
        self.apply_rows(rows, keep)

    def bookmark_rows(self, only: set[str] | None = None) -> BookmarkRows:
        items = []
        if self.bookmarks is not None:
            for bookmark in self.bookmarks.list(self.catalogue_key, "newest"):
                if only is None or bookmark.resource_id in only:
                    items.append((bookmark, self.index.get(bookmark.resource_id)))
        if self.effective_sort() == "title":
            items.sort(key=lambda item: (item[1].title if item[1] else item[0].title).casefold())
        elif self.effective_sort() == "year":
            items.sort(key=lambda item: -(item[1].year or 0) if item[1] else 1)
        return BookmarkRows(items, self.marks)

    def show_search_results(
        self, generation: int, results: Results, facets: dict[str, int] | None = None
    ) -> None:
        """A search's first page of hits; ``facets`` None: they follow (``show_facets``)."""
        if generation != self.generation:
            return  # a newer keystroke or view change made these stale
        self.results = results
        self.facets_pending = facets is None
        if facets is not None:
            self.facets = dict(facets)
        self.exact_total = None if results.total_is_estimate else results.total
        self.suggestion = results.suggestion
        if self.view_key == BOOKMARKS:
            matched = set(results.ids()[: len(results)])
            rows: Rows = self.bookmark_rows(only=matched)
        else:
            rows = ResultRows(results, self.marks)
        typing = monotonic() - self._last_query_at < DETAIL_QUIET
        self.apply_rows(rows, self._keep_id or self.current_id(), detail_later=typing, sidebar_later=typing)

    def show_facets(self, generation: int, results: Results, facets: dict[str, int]) -> None:
        """The sidebar's counts for the search on screen (counting also makes the total exact)."""
        if generation != self.generation or results is not self.results:
            return
        self.facets = dict(facets)
        self.facets_pending = False
        if not results.total_is_estimate:
            self.exact_total = results.total
        self.refresh_sidebar()
        self.update_status()

    def show_more_results(self, generation: int, results: Results) -> None:
        """A longer first part of the same search (the list neared its end)."""
        current = self.results
        if generation != self.generation or current is None or len(results) <= len(current):
            return
        self.results = results
        if not results.total_is_estimate:
            self.exact_total = results.total
        rows = ResultRows(results, self.marks)
        self.rows = rows
        self.query_one(ResourceList).set_rows(rows, keep_id=self.current_id())  # type: ignore[attr-defined]
        self.update_status()

    def on_resource_list_near_end(self, event: ResourceList.NearEnd) -> None:
        results, rows = self.results, self.rows
        if event.resource_list is None or event.resource_list.id != "results":
            return
        if results is None or not isinstance(rows, ResultRows) or rows.results is not results:
            return
        if len(results) >= results.total and not results.total_is_estimate:
            return  # every hit is here
        if len(results) < event.count:
            return
        category = self.view_key if self.view_key not in (ALL, BOOKMARKS) else None
        limit = max(len(results) * 4, MORE_AT_LEAST)
        self.fetch_more(self.generation, self.search_text.strip(), category, self.sort, limit)  # type: ignore[attr-defined]

    def show_suggestion(self, generation: int, suggestion: str) -> None:
        """A "did you mean" found after the results were shown (whole-word check of the last word)."""
        if generation == self.generation and self.results is not None:
            self.suggestion = suggestion
            self.update_status()  # (its key is checked as it is pressed: no footer rebuild needed)

    def apply_rows(
        self, rows: Rows, keep: str | None, *, detail_later: bool = False, sidebar_later: bool = False
    ) -> None:
        """Show ``rows``; with ``detail_later`` (the user is typing) the detail pane waits for a pause.

        With ``sidebar_later`` the sidebar's counts are drawn in the frame after the rows: the
        rows are what the keystroke asked for, and when every count changes (the first key of a
        search) redrawing the sidebar costs more than the list (docs/performance.md).
        """
        self.rows = rows
        self._last_rows_at = monotonic()
        results_list = self.query_one(ResourceList)  # type: ignore[attr-defined]
        results_list.empty_message = self.empty_message(short=True)
        results_list.set_rows(rows, keep_id=keep)
        if sidebar_later:
            self.call_after_refresh(self.refresh_sidebar)  # type: ignore[attr-defined]
        else:
            self.refresh_sidebar()
        self.update_status()
        if detail_later:
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._typing_detail = True
            self._detail_timer = self._detail_pane_timer(DETAIL_AFTER_TYPING)
        else:
            self.update_detail()

    def refresh_marks(self) -> None:
        """Bookmarks changed: new marks, new counts, the same rows (or new rows in the Bookmarks view)."""
        if self.bookmarks is not None:
            self.bookmarked = self.bookmarks.ids(self.catalogue_key)
        if self.view_key == BOOKMARKS or self.search_text.strip():
            self.reload()
        elif self.rows is not None:
            self.apply_rows(self.rows, self.current_id())

    # -------------------------------------------------------------- rendering
    def refresh_sidebar(self) -> None:
        if self.index is None:
            return
        searching = bool(self.search_text.strip()) and self.results is not None
        categories = self.categories()
        bookmark_count = len(self.bookmarked)
        counts: dict[str, int | None]
        if searching and self.facets_pending and not self.facets:
            # The first keystroke's counts are still being made: blank, not a row of zeros.
            counts = {category.id: None for category in categories}
            total = self.results.total  # type: ignore[union-attr]
        elif searching:
            # While counts are made for the newest keystroke, the last ones stay (no flicker).
            counts = {category.id: self.facets.get(category.id, 0) for category in categories}
            total = sum(self.facets.values()) if self.facets else self.results.total  # type: ignore[union-attr]
        else:
            counts = {category.id: self.category_count(category) for category in categories}
            total = self.index.info.resource_count if hasattr(self.index, "info") else sum(counts.values())
        entries = [Entry(ALL, "All resources", total)]
        for n, category in enumerate(categories, start=1):
            entries.append(Entry(category.id, category.name, counts[category.id], str(n) if n <= 9 else ""))
        entries.append(Entry(BOOKMARKS, "Bookmarks", bookmark_count))
        self.query_one(Sidebar).set_entries(entries, searching=searching, current=self.view_key)  # type: ignore[attr-defined]

    def update_status(self, *, searching: bool = False) -> None:
        status = self.query_one(StatusLine)  # type: ignore[attr-defined]
        query = self.search_text.strip()
        results = self.results if query else None
        count = len(self.rows) if self.rows is not None else 0
        estimate = False
        if results is not None and self.view_key != BOOKMARKS:
            count, estimate = results.total, bool(results.total_is_estimate)
            if estimate and self.exact_total is not None:
                count, estimate = self.exact_total, False
        key = self.key_for("app.accept_suggestion")  # type: ignore[attr-defined]
        # (Typing: the key that started this search came within the pause after which the
        # detail pane is drawn; drawing it releases the line's height: see StatusLine.show.)
        typing = bool(query) and monotonic() - self._last_query_at < DETAIL_AFTER_TYPING
        status.show(
            StatusInfo(
                view_name=self.view_name(),
                count=count,
                count_is_estimate=estimate,
                query=query,
                sort=self.effective_sort(),
                suggestion=self.suggestion if results is not None else None,
                suggestion_key=key,
                fallback=bool(results.fallback) if results is not None else False,
                explanation=results.explanation if results is not None else None,
                searching=searching,
            ),
            typing=typing,
        )

    def empty_message(self, *, short: bool = False) -> str:
        """What an empty list says: one line for the list, the full advice for the detail pane."""
        query = self.search_text.strip()
        file: Path | None = self.catalogue_path
        if query and getattr(self, "browsing_early", False):
            from ctdc_tui.tui.early import NOT_READY

            return "Search starts when the index is ready." if short else NOT_READY
        if query:
            kind = "search"
        elif self.view_key == BOOKMARKS:
            kind = "bookmarks"
        elif self.view_key == ALL:
            kind = "catalogue"
        else:
            kind = "category"
            name = next((c.file for c in self.categories() if c.id == self.view_key), "")
            file = self.catalogue_path / name if name else None
        key = self.key_for  # type: ignore[attr-defined]
        view = EmptyView(
            kind, self.view_name(), query, file, key("app.help"), key("app.bookmark"), key("app.note")
        )
        return empty_advice(view, short=short)

    def follow_cursor(self, resource_id: str | None) -> None:
        """The cursor moved: update the detail pane now, or once the cursor rests (see DETAIL_QUIET)."""
        if self._detail_timer is None and resource_id is not None and resource_id == self._detail_for:
            return  # the pane shows it already (new rows keep the cursor's resource: apply_rows drew it)
        if self._typing_detail and self._detail_timer is not None:
            return  # results that came while typing: the pane is drawn once typing pauses
        moved_at = monotonic()
        moving = moved_at - self._last_move < DETAIL_QUIET
        self._last_move = moved_at
        if not moving:
            self.update_detail()
            return
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self._detail_pane_timer(DETAIL_TRAIL)

    def _detail_pane_timer(self, delay: float) -> Any:
        # On the pane, not the app: the timer dies with the screen when the app exits first.
        return self.query_one(DetailPane).set_timer(delay, self._cursor_rested)  # type: ignore[attr-defined]

    def _cursor_rested(self) -> None:
        self._detail_timer = None  # it has fired: nothing to stop
        typed = monotonic() - self._last_query_at
        if self._typing_detail and typed < DETAIL_AFTER_TYPING:
            # Still typing: the pane (and its related lookup, which holds the index) waits on.
            self._detail_timer = self._detail_pane_timer(DETAIL_AFTER_TYPING - typed)
            return
        self.update_detail()
        self.call_after_refresh(self._prefetch_rows)  # type: ignore[attr-defined]

    def update_detail(self) -> None:
        self._typing_detail = False
        self.query_one(StatusLine).release()  # type: ignore[attr-defined]  # typing has paused
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        detail = self.query_one(DetailPane)  # type: ignore[attr-defined]
        rows = self.rows
        cursor = self.query_one(ResourceList).cursor  # type: ignore[attr-defined]
        self._detail_for = rows.row(cursor).id if rows is not None and 0 <= cursor < len(rows) else None
        if self.index is None:
            detail.show(DetailView(message=Text("Opening the catalogue…", style="italic")))
            return
        if rows is None or not 0 <= cursor < len(rows):
            message = Text()
            message.append(data_text(self.view_name(), "bold"))
            message.append("\n\n")
            summary = next((c.summary for c in self.categories() if c.id == self.view_key), "")
            if summary:
                message.append(data_text(summary))
                message.append("\n\n")
            message.append(data_text(self.empty_message()))
            detail.show(DetailView(message=message))
            self._related_for = None
            return
        resource = rows.resource(cursor)
        row_id = rows.row(cursor).id
        bookmark = self.bookmarks.get(self.catalogue_key, row_id) if self.bookmarks is not None else None
        if resource is None:
            saved = Saved(bookmark.title, bookmark.url) if bookmark is not None else Saved(row_id, "")
            detail.show(DetailView(saved=saved, bookmarked=True, note=bookmark.note if bookmark else ""))
            self._related_for = None
            return
        title_spans: tuple[tuple[int, int], ...] = ()
        description_spans: tuple[tuple[int, int], ...] = ()
        if self.results is not None and isinstance(rows, ResultRows) and rows.results is self.results:
            title = self.results.highlight_title(cursor)
            if title.text == resource.title:
                title_spans = tuple(title.spans)
            fragment = self.results.highlight_description(cursor)
            description_spans = locate_spans(resource.description, fragment.text, tuple(fragment.spans))
        if self._related_for != resource.id:
            self._related_for = resource.id
            self._related = []
            self._find_related_when_still(resource.id)
        choices_title, choices = self.link_choices(resource)
        detail.show(
            DetailView(
                resource=resource,
                title_spans=title_spans,
                description_spans=description_spans,
                bookmarked=bookmark is not None,
                note=bookmark.note if bookmark is not None else "",
                link_status=self.link_text(resource),
                link_choices=choices,
                link_choices_title=choices_title,
                related=tuple(self._related),
            )
        )

    def _find_related_when_still(self, resource_id: str) -> None:
        """Look up related resources once the cursor has rested for RELATED_QUIET seconds.

        The lookup holds the index for as long as a search (a third of a second at
        100,000 resources), and drawing the list's rows needs the index too: started
        between two steps of a moving cursor, it stalled the next step, which then
        counted as a pause, which started the next lookup; started with new rows (at
        start-up), it held up their first frame (docs/performance.md).
        """
        if self._related_timer is not None:
            self._related_timer.stop()
            self._related_timer = None
        still = monotonic() - max(self._last_move, self._last_query_at, self._last_rows_at)
        if still >= RELATED_QUIET:
            self.find_related(resource_id)  # type: ignore[attr-defined]
            return

        seen = (self._last_move, self._last_query_at, self._last_rows_at)

        def rested() -> None:
            self._related_timer = None
            if self._related_for != resource_id:
                return  # the pane moved on; its own lookup is scheduled
            if (self._last_move, self._last_query_at, self._last_rows_at) == seen:
                self.find_related(resource_id)  # type: ignore[attr-defined]
            else:
                self._find_related_when_still(resource_id)

        pane = self.query_one(DetailPane)  # type: ignore[attr-defined]
        self._related_timer = pane.set_timer(RELATED_QUIET - still, rested)

    def show_related(self, resource_id: str, related: list[Resource]) -> None:
        if self._related_for != resource_id:
            return
        self._related = related
        detail = self.query_one(DetailPane)  # type: ignore[attr-defined]
        if detail.view.resource is not None and detail.view.resource.id == resource_id:
            detail.show(detail.view._replace(related=tuple(related)))

    # ---------------------------------------------------------------- events
    # (Handlers are named, not @on-decorated: Textual collects @on only from the App class itself.)
    def on_resource_list_highlighted(self, event: ResourceList.Highlighted) -> None:
        if event.resource_list is not None and event.resource_list.id == "results":
            self.follow_cursor(event.resource_id)
            if self._detail_timer is None:
                self.call_after_refresh(self._prefetch_rows)  # type: ignore[attr-defined]
            else:
                # Moving fast (a held key): reading ahead now would take the interpreter from
                # the next step, which reads its own rows as fast. It starts once the cursor rests.
                self._prefetch_generation += 1
                self._prefetched = None

    # ------------------------------------------------------------- prefetch
    def _prefetch_rows(self) -> None:
        """Read the rows the next page steps would show, in the background.

        Drawing a row the list has not shown yet reads its resource from the index
        (about 0.05 ms a row at 100,000 resources once ``prepare_lookups`` has run,
        0.1-0.3 ms before). When the cursor rests (a single move, or the end of a fast
        one: see ``on_resource_list_highlighted``), a worker reads the rows from one page
        below the page-aligned top to PREFETCH_PAGES + 1 pages further, and one page
        above it; the rows it has read draw from memory.
        """
        rows = self.rows
        if not isinstance(rows, ResultRows):
            return  # bookmarks are in memory
        if monotonic() - self._last_query_at < DETAIL_AFTER_TYPING:
            return  # while typing, reading ahead would compete with the next key's search
        results_list = self.query_one(ResourceList)  # type: ignore[attr-defined]
        page = max(results_list.scrollable_content_region.height, 1)
        # In whole pages, so that a cursor moving a line at a time does not start a worker per step.
        top = results_list.scroll_offset.y // page * page
        window = (id(rows), top, page)
        if window == self._prefetched:
            return
        self._prefetched = window
        self._prefetch_generation += 1
        ranges = [(top + page, top + (2 + PREFETCH_PAGES) * page), (max(top - page, 0), top)]
        self._warm_rows(self._prefetch_generation, rows, ranges)

    @work(thread=True, group="prefetch", exclusive=True, exit_on_error=False)
    def _warm_rows(self, generation: int, rows: ResultRows, ranges: list[tuple[int, int]]) -> None:
        worker = get_current_worker()
        prepare = getattr(self.index, "prepare_lookups", None)
        if prepare is not None:
            # Once per index: reading a row by id then skips the index's term lookup.
            prepare(pause=lambda: sleep(0))
        for start, stop in ranges:
            for i in range(start, min(stop, len(rows))):
                if generation != self._prefetch_generation or worker.is_cancelled:
                    return  # the list moved on (or the app is closing)
                rows.resource(i)  # Results keeps what it read
                sleep(0)  # let the UI thread run: the next key may be waiting for the interpreter

    def on_resource_list_selected(self, event: ResourceList.Selected) -> None:
        if event.resource_list is not None and event.resource_list.id == "results":
            self.action_open_link()  # type: ignore[attr-defined]

    def on_sidebar_view_chosen(self, event: Sidebar.ViewChosen) -> None:
        if event.key != self.view_key:
            self.view_key = event.key
            self._view_before_search = None
            self.reload()

    def on_sidebar_entered(self) -> None:
        self.screen.remove_class("-show-sidebar")  # type: ignore[attr-defined]
        self.set_focus(self.query_one(ResourceList))  # type: ignore[attr-defined]

    def on_detail_pane_related_chosen(self, event: DetailPane.RelatedChosen) -> None:
        self.goto_resource(event.resource_id)

    def goto_resource(self, resource_id: str) -> bool:
        """Put the cursor on a resource: in the rows shown if it is there, else in its category."""
        results_list = self.query_one(ResourceList)  # type: ignore[attr-defined]
        if self.rows is not None and results_list.select_id(resource_id):
            self.set_focus(results_list)  # type: ignore[attr-defined]
            return True
        resource = self.index.get(resource_id) if self.index is not None else None
        if resource is None:
            self.notify(f"There is no resource '{resource_id}' in this catalogue.", markup=False)  # type: ignore[attr-defined]
            return False
        self.search_text = ""
        self.query_one(SearchBox).value = ""  # type: ignore[attr-defined]
        self.show_view(resource.category, select=resource_id)
        self.set_focus(results_list)  # type: ignore[attr-defined]
        return True
