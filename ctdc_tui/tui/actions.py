"""What the keys do: links, copying, sort, panes, bookmarks and notes, help, palette messages.

``ActionsMixin`` is part of ``CtdcApp``. Only http and https links are ever
opened (``App.open_url``); anything else gets a message saying why.
Bookmark changes go to the ``BookmarkStore`` and are then synced into the
search index (``sync_notes``) so ``is:bookmarked`` and note words match.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from ctdc_tui.core.errors import CtdcError
from ctdc_tui.tui.citation import citation
from ctdc_tui.tui.views import BROWSE_SORTS, SEARCH_SORTS, archived_url, is_openable
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.search_box import SearchBox
from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS, Sidebar
from ctdc_tui.tui.widgets.status import SORT_LABELS

if TYPE_CHECKING:
    from ctdc_tui.core.catalog import Resource
    from ctdc_tui.core.links import CheckReport


def _is_text_area(widget: object) -> bool:
    """A focused ``TextArea`` (the note editor). Its module is imported only when one opens."""
    module = sys.modules.get("textual.widgets._text_area")
    return module is not None and isinstance(widget, module.TextArea)


class ActionsMixin:
    """Key actions of ``CtdcApp`` (see module docstring)."""

    index: Any
    bookmarks: Any
    catalogue_key: str
    catalogue_path: Any
    link_cache: Any
    checking_links: set[str]
    # Seconds each address of a re-check may take in all (tests shorten it).
    link_check_timeout: float = 10.0
    screen: Any
    focused: Widget | None

    def _init_actions(self) -> None:
        self.undo_stack: list[Any] = []
        self.rechecks: list[CheckReport] = []  # this session's re-checks (see merge_rechecks)

    # ------------------------------------------------------------- helpers
    def _link(self) -> tuple[str, str] | None:
        """(url, title) of the current row: the resource's link, or what a bookmark saved."""
        resource: Resource | None = self.current_resource()  # type: ignore[attr-defined]
        if resource is not None:
            return resource.url, resource.title
        resource_id = self.current_id()  # type: ignore[attr-defined]
        if resource_id is not None and self.bookmarks is not None:
            bookmark = self.bookmarks.get(self.catalogue_key, resource_id)
            if bookmark is not None:
                return bookmark.url, bookmark.title
        return None

    def _say(self, message: str, severity: str = "information") -> None:
        self.notify(message, severity=severity, markup=False)  # type: ignore[attr-defined]

    def key_for(self, binding_id: str) -> str:
        """How the key of a binding is shown (after remapping), e.g. ``ctrl+y``."""
        keymap: dict[str, str] = getattr(self, "_keymap", {})
        for binding in type(self).BINDINGS:  # type: ignore[attr-defined]
            if isinstance(binding, Binding) and binding.id == binding_id:
                keys = keymap.get(binding_id, binding.key).split(",")[0]
                return str(self.get_key_display(Binding(keys, binding.action)))  # type: ignore[attr-defined]
        return ""

    def sync_notes(self) -> None:
        if self.bookmarks is None:
            return
        self.bookmarked = set(self.bookmarks.ids(self.catalogue_key))
        if self.index is not None:
            self.index.sync_notes(self.bookmarks.notes(self.catalogue_key))

    # --------------------------------------------------------------- links
    def _open(self, archived: bool) -> None:
        link = self._link()
        if link is None:
            return
        url = link[0]
        target = archived_url(url) if archived else (url if is_openable(url) else None)
        if target is None:
            self._say(f"Not opened: only http and https links are opened, and this is {url!r}.", "warning")
            return
        self.open_url(target)  # type: ignore[attr-defined]
        self._say(f"Opening the Internet Archive's copies of {url}" if archived else f"Opening {url}")

    def action_open_link(self) -> None:
        self._open(archived=False)

    def action_open_archive(self) -> None:
        self._open(archived=True)

    def on_detail_pane_link_chosen(self, message: Any) -> None:
        """Enter on a place to try instead of a dead link (the new address, an alternate, the archive)."""
        url = message.url
        if not is_openable(url):
            self._say(f"Not opened: only http and https links are opened, and this is {url!r}.", "warning")
            return
        self.open_url(url)  # type: ignore[attr-defined]
        self._say(f"Opening {url}")

    def action_recheck_link(self) -> None:
        """Check the current resource's link (and alternates) again, in a worker; the UI stays live."""
        resource: Resource | None = self.current_resource()  # type: ignore[attr-defined]
        if resource is None:
            self._say("Choose a resource in the list first: its link is what gets re-checked.")
            return
        if not any(is_openable(url) for url in (resource.url, *resource.alternate_urls)):
            self._say(f"Not checked: only http and https links are checked, and this is {resource.url!r}.")
            return
        self.checking_links.clear()  # the worker group is exclusive: a new check replaces the one running
        self.checking_links.add(resource.id)
        self.update_detail()  # type: ignore[attr-defined]
        self._say(f"Checking the link of {resource.title}…")
        self._recheck_worker(resource, self.link_cache)

    @work(thread=True, group="links", exclusive=True, exit_on_error=False)
    def _recheck_worker(self, resource: Resource, cache: Any) -> None:
        from ctdc_tui.core import links

        report = links.check_resources([resource], concurrency=4, timeout=self.link_check_timeout)
        problem = ""
        if not report.network_down:
            if cache is None:
                cache = links.LinkStatusCache.load(self.catalogue_path)
            cache.record(report.resources, report.results.values())
            try:
                cache.save()
            except CtdcError as error:
                problem = f"{error.message} {error.hint}".strip()
        self.call_from_thread(self._recheck_done, resource, report, cache, problem)  # type: ignore[attr-defined]

    def _recheck_done(self, resource: Resource, report: CheckReport, cache: Any, problem: str) -> None:
        self.checking_links.discard(resource.id)
        if report.network_down:
            self.update_detail()  # type: ignore[attr-defined]
            self._say(
                f"The network looks down: no web server answered for {resource.title}. "
                "Its last known link status was kept; try again when you are online.",
                "warning",
            )
            return
        self.rechecks.append(report)
        if self.link_cache is None:
            self.link_cache = cache
        elif self.link_cache is not cache:
            # The index opened while the check ran: the app reads the cache the opening read.
            self.merge_rechecks(self.link_cache)
        result = report.main_result(resource.id)
        if result is not None:
            self.update_link_health(resource.id, result.health, result.checked_at)  # type: ignore[attr-defined]
        self.refresh_marks()  # type: ignore[attr-defined]
        self._say(f"{resource.title}: {self.link_text(resource)}")  # type: ignore[attr-defined]
        if problem:
            self._say(f"The result was not saved: {problem}", "error")

    def merge_rechecks(self, cache: Any) -> None:
        """Put this session's re-checks into ``cache`` (a newer result of a link wins).

        The index opening reads the link cache once; a re-check (``L``) made while it opens
        may save after that read, so the app adds its results before using what was read.
        """
        for report in self.rechecks:
            newer = [
                result
                for result in report.results.values()
                if (known := cache.get_url(result.url)) is None or known.checked_at <= result.checked_at
            ]
            cache.record(report.resources, newer)

    def action_copy_link(self) -> None:
        link = self._link()
        if link is None:
            return
        url = link[0]
        if not is_openable(url):
            self._say(f"Not copied: only http and https links are copied, and this is {url!r}.", "warning")
            return
        self.copy_to_clipboard(link[0])  # type: ignore[attr-defined]
        self._say(f"Copied the link: {link[0]}")

    def action_copy_citation(self) -> None:
        resource: Resource | None = self.current_resource()  # type: ignore[attr-defined]
        if resource is None:
            link = self._link()
            if link is None:
                return
            text = f"{link[1]}. {link[0]}"
        else:
            text = citation(resource)
        self.copy_to_clipboard(text)  # type: ignore[attr-defined]
        self._say(f"Copied: {text}")

    # ---------------------------------------------------------------- sort
    def action_cycle_sort(self) -> None:
        searching = bool(self.search_text.strip())  # type: ignore[attr-defined]
        order = SEARCH_SORTS if searching else BROWSE_SORTS
        current = self.effective_sort()  # type: ignore[attr-defined]
        position = order.index(current) if current in order else -1
        self.sort = order[(position + 1) % len(order)]
        self.reload()  # type: ignore[attr-defined]
        self._say(f"Sorted {SORT_LABELS[self.sort]}")

    # ------------------------------------------------------------- focus
    def _panes(self) -> list[Widget]:
        panes: list[Widget] = []
        sidebar = self.query_one(Sidebar)  # type: ignore[attr-defined]
        if sidebar.display and sidebar.styles.display != "none" and sidebar.region.width > 0:
            panes.append(sidebar)
        panes.append(self.query_one(ResourceList))  # type: ignore[attr-defined]
        panes.append(self.query_one(DetailPane))  # type: ignore[attr-defined]
        return panes

    def _current_pane(self, panes: list[Widget]) -> int:
        focused = self.focused
        for position, pane in enumerate(panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return position
        return panes.index(self.query_one(ResourceList))  # type: ignore[attr-defined]

    def action_next_pane(self) -> None:
        panes = self._panes()
        self.set_focus(panes[min(self._current_pane(panes) + 1, len(panes) - 1)])  # type: ignore[attr-defined]

    def action_previous_pane(self) -> None:
        panes = self._panes()
        self.set_focus(panes[max(self._current_pane(panes) - 1, 0)])  # type: ignore[attr-defined]

    # Focus moves with set_focus (at once), not widget.focus() (queued): keys typed right
    # after "/" arrive in the same read and must land in the search box.
    def action_focus_search(self) -> None:
        self.set_focus(self.query_one(SearchBox))  # type: ignore[attr-defined]

    def action_toggle_sidebar(self) -> None:
        screen = self.screen
        if screen.has_class("-show-sidebar"):
            screen.remove_class("-show-sidebar")
            self.set_focus(self.query_one(ResourceList))  # type: ignore[attr-defined]
        else:
            screen.add_class("-show-sidebar")
            self.query_one(Sidebar).focus()  # type: ignore[attr-defined]

    def action_escape(self) -> None:
        """Esc: close the sidebar overlay, leave (and clear) the search box, or step back one pane."""
        screen = self.screen
        focused = self.focused
        search: SearchBox = self.query_one(SearchBox)  # type: ignore[attr-defined]
        results_list = self.query_one(ResourceList)  # type: ignore[attr-defined]
        if screen.has_class("-show-sidebar"):
            screen.remove_class("-show-sidebar")
            self.set_focus(results_list)  # type: ignore[attr-defined]
        elif focused is search:
            # One press leaves the box: the query is cleared (the list shows the view from
            # before the search) and the list takes the focus, so "/" starts a new search
            # rather than being typed. ctrl+u clears the box without leaving it.
            if search.value:
                search.value = ""
            self.set_focus(results_list)  # type: ignore[attr-defined]
        elif focused is not None and self.query_one(DetailPane) in (focused, *focused.ancestors):  # type: ignore[attr-defined]
            self.set_focus(results_list)  # type: ignore[attr-defined]
        elif self.search_text:  # type: ignore[attr-defined]
            search.value = ""
            self._say("Search cleared")
        elif focused is results_list:
            self.action_previous_pane()

    def action_category(self, number: int) -> None:
        categories = self.categories()  # type: ignore[attr-defined]
        if not 1 <= number <= len(categories):
            self._say(f"There is no category {number}; this catalogue has {len(categories)}.", "warning")
            return
        self.show_view(categories[number - 1].id)  # type: ignore[attr-defined]

    def action_accept_suggestion(self) -> None:
        suggestion = self.suggestion  # type: ignore[attr-defined]
        if self.results is None or not suggestion:  # type: ignore[attr-defined]
            return
        search = self.query_one(SearchBox)  # type: ignore[attr-defined]
        search.value = suggestion
        search.cursor_position = len(search.value)

    def action_search_done(self) -> None:
        self.set_focus(self.query_one(ResourceList))  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (
            action in ("focus_search", "search_done", "accept_suggestion", "escape")
            and len(self.screen_stack) > 1  # type: ignore[attr-defined]
        ):
            return False  # a dialog or the palette is open: its keys win
        if action == "focus_search":
            return not isinstance(self.focused, Input) and not _is_text_area(self.focused)
        if action == "search_done":
            return isinstance(self.focused, SearchBox)
        if action == "accept_suggestion":
            suggestion = self.suggestion  # type: ignore[attr-defined]
            return bool(self.results is not None and suggestion and self.search_text.strip())  # type: ignore[attr-defined]
        if action == "undo_remove":
            return bool(self.undo_stack) or None
        return True

    # ----------------------------------------------------------- bookmarks
    def action_toggle_bookmark(self) -> None:
        if self.bookmarks is None:
            self._say("Bookmarks are unavailable: the bookmark store could not be opened.", "error")
            return
        resource_id = self.current_id()  # type: ignore[attr-defined]
        if resource_id is None:
            return
        resource: Resource | None = self.current_resource()  # type: ignore[attr-defined]
        try:
            if self.bookmarks.get(self.catalogue_key, resource_id) is not None:
                removed = self.bookmarks.remove(self.catalogue_key, resource_id)
                if removed is not None:
                    self.undo_stack.append(removed)
                key = self.key_for("app.undo")
                self._say(
                    f"Removed the bookmark of {removed.title if removed else resource_id} ({key} undoes)"
                )
            elif resource is not None:
                self.bookmarks.add(self.catalogue_key, resource)
                self._say(f"Bookmarked {resource.title}")
        except CtdcError as error:
            self._say(f"{error.message} {error.hint}".strip(), "error")
            return
        self._bookmarks_changed()

    def action_undo_remove(self) -> None:
        if not self.undo_stack or self.bookmarks is None:
            self._say("Nothing to undo.")
            return
        bookmark = self.undo_stack.pop()
        try:
            self.bookmarks.restore(bookmark)
        except CtdcError as error:
            self.undo_stack.append(bookmark)
            self._say(f"{error.message} {error.hint}".strip(), "error")
            return
        self._say(f"Restored the bookmark of {bookmark.title}")
        self._bookmarks_changed(select=bookmark.resource_id)

    def _bookmarks_changed(self, select: str | None = None) -> None:
        self.sync_notes()
        self.refresh_marks()  # type: ignore[attr-defined]
        if select is not None:
            self.query_one(ResourceList).select_id(select)  # type: ignore[attr-defined]
        self.refresh_bindings()  # type: ignore[attr-defined]

    def action_edit_note(self) -> None:
        if self.bookmarks is None:
            self._say("Notes are unavailable: the bookmark store could not be opened.", "error")
            return
        resource_id = self.current_id()  # type: ignore[attr-defined]
        if resource_id is None:
            return
        from ctdc_tui.tui.screens.note_editor import NoteEditorScreen

        resource: Resource | None = self.current_resource()  # type: ignore[attr-defined]
        bookmark = self.bookmarks.get(self.catalogue_key, resource_id)
        if resource is None and bookmark is None:
            return
        title = resource.title if resource is not None else bookmark.title
        note = bookmark.note if bookmark is not None else ""

        def saved(text: str | None) -> None:
            if text is None or self.bookmarks is None:
                return
            try:
                if self.bookmarks.get(self.catalogue_key, resource_id) is None and resource is not None:
                    self.bookmarks.add(self.catalogue_key, resource, note=text)
                else:
                    self.bookmarks.set_note(self.catalogue_key, resource_id, text)
            except CtdcError as error:
                self._say(f"{error.message} {error.hint}".strip(), "error")
                return
            self._say("Note saved")
            self._bookmarks_changed(select=resource_id)

        self.push_screen(NoteEditorScreen(title, note), saved)  # type: ignore[attr-defined]

    # ------------------------------------------------------- help, palette
    def action_help(self) -> None:
        from ctdc_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())  # type: ignore[attr-defined]

    def action_command_palette(self) -> None:
        from ctdc_tui.tui.commands import open_palette

        open_palette(self)  # type: ignore[arg-type]

    def on_goto_resource(self, message: Any) -> None:
        self.goto_resource(message.resource_id)  # type: ignore[attr-defined]

    def on_goto_category(self, message: Any) -> None:
        category_id = message.category_id
        known = {category.id for category in self.categories()}  # type: ignore[attr-defined]
        if category_id is None:
            category_id = ALL
        if category_id in known or category_id in (ALL, BOOKMARKS):
            self.show_view(category_id)  # type: ignore[attr-defined]
            self.set_focus(self.query_one(ResourceList))  # type: ignore[attr-defined]
        else:
            self._say(f"There is no category '{category_id}' in this catalogue.", "warning")

    def on_goto_bookmarks(self, message: Any) -> None:
        self.show_view(BOOKMARKS)  # type: ignore[attr-defined]
        self.set_focus(self.query_one(ResourceList))  # type: ignore[attr-defined]
