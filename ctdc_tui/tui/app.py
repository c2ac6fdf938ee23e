"""The ctdc app: sidebar of categories, resource list, detail pane, search as you type.

The app holds the core objects (``self.index``: the ``SearchIndex``;
``self.bookmarks``: the ``BookmarkStore``) and routes messages between the
widgets; the widgets only render what they are handed. What is shown is
decided by three things: the view (``ALL``, a category id or ``BOOKMARKS``),
the query in the search box and the sort. Searches run in a thread worker;
a generation counter drops results that arrive after a newer keystroke. (In a
small catalogue, where a search takes a millisecond or so, it runs at once on
the UI thread instead, counts and spelling included: see ``_search_inline``.) A
search asks for a first page of hits (more when the list nears its end); the
sidebar's facet counts, the "did you mean" check and the detail pane follow
once typing pauses, so the echo of the next key never waits for them.

Bookmark actions (b, n, u) and link actions (o, a, y, Y) live in
``ctdc_tui.tui.actions``; the startup and state handling in this module.
"""

# ruff: noqa: E402  (the imports follow turning the garbage collector off, on purpose)
from __future__ import annotations

import contextvars
import gc

# Importing Textual and the widgets makes many objects and frees few: the collections that
# triggers are wasted work at start-up. Off while this module loads (on again at its end).
_COLLECTING_BEFORE_IMPORT = gc.isenabled()
gc.disable()

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.widgets import Footer, Input

from ctdc_tui.core import locations
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.tui import tcss
from ctdc_tui.tui.actions import ActionsMixin
from ctdc_tui.tui.compositor import MainScreen
from ctdc_tui.tui.key_order import KeysInOrder
from ctdc_tui.tui.views import ViewsMixin
from ctdc_tui.tui.widgets.detail import DetailPane
from ctdc_tui.tui.widgets.resource_list import ResourceList
from ctdc_tui.tui.widgets.search_box import SearchBox
from ctdc_tui.tui.widgets.sidebar import ALL, BOOKMARKS, Sidebar
from ctdc_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widgets import ProgressBar

    from ctdc_tui.core.bookmarks import BookmarkStore
    from ctdc_tui.core.catalog import Catalog, Resource
    from ctdc_tui.core.first_screen import FirstScreen
    from ctdc_tui.core.link_status import LinkStatusCache
    from ctdc_tui.core.search import Results, SearchIndex
    from ctdc_tui.core.state import AppState
    from ctdc_tui.tui.early import FirstScreenIndex


# If the index is not open this long after start-up, browse from the catalogue meanwhile.
# Reading a large catalogue competes with opening its index for the interpreter, so this
# waits well beyond an ordinary open (0.1-0.5 s at 100,000 resources on a busy machine);
# a build, what it is for, takes minutes.
EARLY_BROWSE_AFTER = 1.0
# A search as you type asks for this many hits first; the list asks for more near its end.
SEARCH_PAGE = 200
PRELOAD_ROWS = 60  # more than a tall terminal shows
# Facet counts (the sidebar while searching) that took longer than FACETS_CHEAP last time
# wait until no key has come for FACETS_QUIET seconds: counting holds the index as long as
# a search does, and the next key's search would wait for it.
FACETS_CHEAP = 0.015
FACETS_QUIET = 0.25
SMALL_CATALOGUE = 2000  # resources; below this the first search counts facets at once
# In a catalogue of at most SMALL_CATALOGUE resources, a search runs on the UI thread, in the
# keystroke's own handler, while the last search cost at most INLINE_SEARCH_BUDGET seconds of
# CPU (with its counts and spelling check): its results reach the screen in the frame that
# echoes the key. Handing it to a worker thread and back cost two thread switches and two more
# frames (10-20 ms for a search of about 1 ms; docs/performance.md). After a costlier search
# the next one goes to the worker, so the echo never waits long. (CPU, not wall time: on a
# busy machine the wall time of the same search doubles.)
INLINE_SEARCH_BUDGET = 0.008
# A missing or stale first-screen file is written this long after the index opened
# (reading the first rows of every view holds the index for a moment).
FIRST_SCREEN_WRITE_AFTER = 1.0


def _category_bindings() -> list[BindingType]:
    return [
        Binding(str(n), f"category({n})", f"Category {n}", show=False, id=f"app.category_{n}")
        for n in range(1, 10)
    ]


# Palette providers, imported when the palette first opens (not before the first frame).
def _resource_commands() -> type[Provider]:
    from ctdc_tui.tui.commands import ResourceCommands

    return ResourceCommands


def _category_commands() -> type[Provider]:
    from ctdc_tui.tui.commands import CategoryCommands

    return CategoryCommands


def _app_commands() -> type[Provider]:
    from ctdc_tui.tui.commands import AppCommands

    return AppCommands


class _Opening(threading.Thread):
    """Opens (or builds) the index and reads the last link check; hands the index to the stand-in."""

    def __init__(
        self,
        catalogue: Path,
        index_dir: str | None,
        progress: Callable[[int, int], None],
        stand_in: FirstScreenIndex | None,
    ) -> None:
        super().__init__(name="ctdc-open-index", daemon=True)
        self.catalogue, self.index_dir, self.progress, self.stand_in = (
            catalogue,
            index_dir,
            progress,
            stand_in,
        )
        self.index: SearchIndex | None = None
        self.links: LinkStatusCache | None = None
        self.error: CtdcError | None = None

    def run(self) -> None:
        from ctdc_tui.core.link_status import LinkStatusCache
        from ctdc_tui.core.search import SearchIndex

        try:
            self.index = SearchIndex.open(self.catalogue, self.index_dir, progress=self.progress)
            self.links = LinkStatusCache.load(self.catalogue)  # the last `ctdc links check`, no network
        except CtdcError as error:
            self.error = error
        except Exception as error:  # (the worker reports it as a catalogue problem)
            self.error = CtdcError(f"cannot open the search index: {error}")
        finally:
            if self.stand_in is not None:
                self.stand_in.attach(self.index if self.error is None else None)


class CtdcApp(KeysInOrder, ViewsMixin, ActionsMixin, App[int]):
    """Browse, search and bookmark a CTDC-format catalogue."""

    # app.tcss, compacted (tui/tcss.py): the same rules in fewer tokens for Textual to read at each start.
    CSS = tcss.read(Path(__file__).with_name("app.tcss"))
    AUTO_FOCUS = "#results"  # not the search box: "/" must work as a key while the index opens
    TITLE = "CTDC Toolkit"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-stacked"),
        (50, "-narrow"),
        (70, "-medium"),
        (120, "-wide"),
    ]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (12, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        # "/" and Enter-in-the-search-box are priority bindings: they act as the key is read,
        # so letters that arrive in the same read (fast typing over SSH) follow the focus.
        Binding("slash", "focus_search", "Search", priority=True, id="app.search"),
        Binding("enter", "search_done", "Go to the results", show=False, priority=True, id="search.submit"),
        Binding(
            "escape",
            "escape",
            "Leave and clear the search box, or step back a pane",
            show=False,
            priority=True,
            id="app.escape",
        ),
        Binding("o", "open_link", "Open", id="app.open_link"),
        Binding(
            "a", "open_archive", "Open an archived copy (Wayback Machine)", show=False, id="app.open_archive"
        ),
        Binding("y", "copy_link", "Copy the link", show=False, id="app.copy_link"),
        Binding("L", "recheck_link", "Re-check this link", show=False, id="app.recheck_link"),
        Binding("Y", "copy_citation", "Copy a one-line citation", show=False, id="app.copy_citation"),
        Binding("s", "cycle_sort", "Sort", id="app.sort"),
        Binding("b", "toggle_bookmark", "Bookmark", id="app.bookmark"),
        Binding("n", "edit_note", "Note", id="app.note"),
        Binding("u", "undo_remove", "Undo the last bookmark removal", show=False, id="app.undo"),
        Binding("l", "next_pane", "Next pane", show=False, id="app.next_pane"),
        Binding("h", "previous_pane", "Previous pane", show=False, id="app.previous_pane"),
        Binding("c", "toggle_sidebar", "Categories", id="app.toggle_sidebar"),
        Binding(
            "ctrl+y",
            "accept_suggestion",
            'Use the "did you mean" spelling',
            show=False,
            priority=True,
            id="app.accept_suggestion",
        ),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        # Textual adds ctrl+p itself when no binding opens the palette; this one can be remapped.
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # Replaces Textual's own ctrl+q (a binding for the same key in a subclass wins), so it
        # has an id and can be remapped; a priority binding, it quits from the search box and
        # from dialogs too, and like q it saves the place you were (action_quit).
        Binding(
            "ctrl+q",
            "quit",
            "Quit, even from the search box or a dialog",
            show=False,
            priority=True,
            id="app.quit_anywhere",
        ),
        *_category_bindings(),
    ]

    COMMANDS = App.COMMANDS | {_resource_commands, _category_commands, _app_commands}

    def __init__(
        self,
        catalogue: Path | None = None,
        index_dir: str | None = None,
        resource_id: str | None = None,
    ) -> None:
        # No garbage collection until the first frame: start-up makes many objects and frees
        # few, and the collections it triggered cost about 40 ms of CPU (docs/performance.md).
        self._collecting = gc.isenabled()
        gc.disable()
        super().__init__()
        self.catalogue_path = Path(catalogue) if catalogue is not None else locations.catalogue_dir()
        self.catalogue_key = locations.catalogue_key(self.catalogue_path)
        self.index_dir = index_dir
        self.deep_link = resource_id
        self.index: SearchIndex | None = None
        self.bookmarks: BookmarkStore | None = None
        self.exit_code = 0
        self.browsing_early = False  # serving the screen from the catalogue while the index builds
        self._stores_opened = False
        self._first_screen: FirstScreenIndex | None = None  # serving the screen until the index opens
        self._first_screen_kept = False  # the first-screen file next to the index is up to date
        self._progress: tuple[Horizontal, ProgressBar] | None = None  # the indexing strip, once mounted
        self._opening: _Opening | None = None  # the index being opened
        self._early_loading = False  # reading the catalogue to browse while the index is built
        self._search_lock = threading.Lock()
        self._search_cost = 0.0  # CPU seconds of the last search (see INLINE_SEARCH_BUDGET)
        self._spell_pending: tuple[int, str, Results] | None = None  # see _spell_when_quiet
        self._spell_timer: Timer | None = None
        self._query_after_keys = False  # the search box changed during a burst of keys
        self._init_views()
        self._init_actions()

    # ------------------------------------------------------------------ layout
    def get_default_screen(self) -> MainScreen:
        # Its compositor draws only the widgets a partial update can change (tui/compositor.py).
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield SearchBox(id="search", on_value=self._search_box_value)
        with Horizontal(id="panes"):
            yield Sidebar(id="sidebar")
            with Horizontal(id="main"):
                yield ResourceList(id="results", empty_message="Opening the catalogue…")
                yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_config()
        self.query_one("#status", StatusLine).show_text("Opening the catalogue…")
        if self._show_first_screen():
            # The first frame is drawn from the first-screen file; the index opens behind it.
            self.call_after_refresh(self._start_opening)
        else:
            self._start_opening()
            # The bookmark store (sqlite3) opens after the first frame; the index needs it later.
            self.call_after_refresh(self._open_stores)
        self.set_timer(EARLY_BROWSE_AFTER, self._browse_early_if_still_indexing)
        self.call_after_refresh(self._collect_again)

    def _collect_again(self) -> None:
        """After the first frame: what start-up made lives on (frozen), collection resumes."""
        gc.freeze()
        if self._collecting:
            gc.enable()
            self._collecting = False

    def _show_first_screen(self) -> bool:
        """Fill the screen from the file kept next to the index, when it shows what the index would.

        Only for a start the file covers: no ``--resource``, no link-check results to mark
        (they need every resource's address), the remembered view and sort kept in the file.
        """
        from ctdc_tui.core import first_screen
        from ctdc_tui.core.state import load_state

        screen: FirstScreen | None = None
        key = self.catalogue_key  # (the index folders' names; resolving the path again costs)
        places = [locations.index_root(self.index_dir) / key, locations.cache_dir() / "index" / key]
        for place in dict.fromkeys(places):
            screen = first_screen.load(self.catalogue_path, place)
            if screen is not None:
                break
        if screen is None:
            return False
        self._first_screen_kept = True
        if self.deep_link or locations.link_cache_file(self.catalogue_path).exists():
            return False
        state, notice = load_state()
        if notice is not None or state.sort not in (None, "relevance", "catalogue"):
            return False
        from ctdc_tui.tui.early import FirstScreenIndex

        stand_in = FirstScreenIndex(screen, self._start_opening)
        keys = {ALL, *(category.id for category in screen.categories)}
        view = (
            state.category
            if state.category in keys
            else (screen.categories[0].id if screen.categories else ALL)
        )
        if not stand_in.covers(None if view == ALL else view, state.resource_id):
            return False
        self._first_screen = stand_in
        self.index = stand_in  # type: ignore[assignment]
        self._open_stores()
        self._restore_start(state)  # read above: the state file is read once per start
        return True

    def _apply_config(self) -> None:
        self._config_theme: str | None = None
        if not locations.config_file().exists():
            return  # the defaults (what load_config gives for a missing file), without importing it
        from ctdc_tui.core.config import check_binding_ids, check_theme, load_config

        config, problems = load_config()
        known = self._binding_ids() if config.keymap else set()
        keymap = dict(config.keymap)
        problems = [
            *problems,
            *check_binding_ids(keymap, known, path=config.path, lines=config.keymap_lines),
            *check_theme(config, self.available_themes),
        ]
        keymap = {binding_id: keys for binding_id, keys in keymap.items() if binding_id in known}
        if keymap:
            self.set_keymap(keymap)
        if "app.palette" in keymap:  # the footer shows the palette's key under this name
            self.COMMAND_PALETTE_BINDING = keymap["app.palette"].split(",")[0].strip()  # type: ignore[misc]
        self._config_theme = config.theme
        for problem in problems:
            self.notify(problem.format(), title="Config", severity="warning", markup=False, timeout=10)

    def _binding_ids(self) -> set[str]:
        from ctdc_tui.tui.keymap import _on_demand_screens, binding_ids
        from ctdc_tui.tui.widgets.detail_lists import RelatedList

        return binding_ids(
            [type(self), Sidebar, ResourceList, DetailPane, RelatedList, SearchBox, *_on_demand_screens()]
        )

    def _open_stores(self) -> None:
        if self._stores_opened:
            return
        self._stores_opened = True
        from ctdc_tui.core.bookmarks import BookmarkStore

        try:
            self.bookmarks = BookmarkStore.open()
        except CtdcError as error:
            self.notify(
                f"{error.message} {error.hint}".strip(), title="Bookmarks", severity="error", markup=False
            )
            return
        for notice in self.bookmarks.notices:
            self.notify(notice, title="Bookmarks", severity="warning", markup=False, timeout=10)

    # ------------------------------------------------------------ index opening
    def _start_opening(self) -> None:
        """Open the index in a thread of its own, handed to the UI thread by the ``open_index`` worker.

        A plain thread, not only a worker: while the first-screen stand-in serves the screen,
        the UI thread may wait for the index (``FirstScreenIndex.real``), and a worker's
        thread is started by the event loop, which would then never get to start it.
        """
        if self._opening is not None:
            return
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        shown = threading.Event()  # the last progress update reached the screen
        shown.set()

        # The update runs in the app's context: it may mount the progress strip, whose timers
        # need the active app (a callback from another thread gets that thread's context).
        app_context = contextvars.copy_context()

        def show(done: int, total: int) -> None:
            shown.set()
            self._show_progress(done, total)

        def progress(done: int, total: int) -> None:
            # Never waits for the UI thread (see above); one update in flight at a time.
            if time.monotonic() - started > 0.2 and shown.is_set():
                shown.clear()
                loop.call_soon_threadsafe(show, done, total, context=app_context)

        self._opening = opening = _Opening(self.catalogue_path, self.index_dir, progress, self._first_screen)
        opening.start()
        self.open_index(opening)

    @work(thread=True, group="index", exit_on_error=False)
    def open_index(self, opening: _Opening) -> None:
        opening.join()
        if opening.error is not None:
            self.call_from_thread(self._index_failed, opening.error)
        elif opening.index is not None and opening.links is not None:
            self.call_from_thread(self._index_ready, opening.index, opening.links)

    def _browse_early_if_still_indexing(self) -> None:
        if self.index is None and self.exit_code == 0:
            self._load_catalogue_early()

    @work(thread=True, group="early", exit_on_error=False)
    def _load_catalogue_early(self) -> None:
        from ctdc_tui.core.catalog import load_catalog

        try:
            catalog, _problems = load_catalog(self.catalogue_path)
        except Exception:  # the index worker reports what is wrong with the catalogue
            return
        self.call_from_thread(self._early_ready, catalog)

    def _early_ready(self, catalog: Catalog) -> None:
        from ctdc_tui.tui.early import CatalogueBrowser

        if self.index is not None and self._first_screen is None:
            return  # the real index won the race
        # From the first-screen stand-in: stay where the user is (it showed the same rows).
        place = (self.view_key, self.current_id()) if self._first_screen is not None else None
        self._first_screen = None
        self.index = CatalogueBrowser(catalog)  # type: ignore[assignment]
        self.browsing_early = True
        self._open_stores()
        self.sync_notes()
        if place is not None:
            self.show_view(place[0], select=place[1])
        else:
            self._restore_start()
        if not isinstance(self.focused, SearchBox):
            self.set_focus(self.query_one(ResourceList))

    def _show_progress(self, done: int, total: int) -> None:
        if self._first_screen is not None and not self._early_loading:
            # The index is being built (minutes at 100,000 resources) while the first-screen file
            # serves the screen: browse from the catalogue meanwhile, as without the file.
            self._early_loading = True
            self._load_catalogue_early()
        self._indexing_bar().update(total=max(total, 1), progress=done)
        if self.browsing_early:
            return  # the status line describes what is shown; the bar shows the indexing
        self.query_one("#status", StatusLine).show_text(
            f"Indexing the catalogue: {done} of {total} resources…"
        )

    def _indexing_bar(self) -> ProgressBar:
        """The progress strip under the search box, mounted (and shown) when a build first reports."""
        if self._progress is not None:
            strip, bar = self._progress
            strip.display = True
            return bar  # (held here: the strip mounts its children a moment after it is mounted)
        from textual.widgets import Label, ProgressBar

        bar = ProgressBar(id="index-progress", show_eta=False)
        strip = Horizontal(Label("Building the search index; browsing works meanwhile"), bar, id="indexing")
        self._progress = (strip, bar)
        search = self.query_one("#search")
        search.screen.mount(strip, after=search)  # the main screen's, when a dialog is open over it
        return bar

    def _hide_indexing_bar(self) -> None:
        if self._progress is not None:
            self._progress[0].display = False

    def _index_failed(self, error: CtdcError) -> None:
        self.exit_code = 1
        self._hide_indexing_bar()
        text = f"Cannot open the catalogue: {error.message}" + (f" Fix: {error.hint}" if error.hint else "")
        self.query_one(ResourceList).empty_message = text
        self.query_one("#status", StatusLine).show_text(text)
        self.notify(text, title="Catalogue", severity="error", markup=False, timeout=30)

    def _index_ready(self, index: SearchIndex, links: LinkStatusCache) -> None:
        standing_in = self.browsing_early or self._first_screen is not None
        place = (self.view_key, self.current_id()) if standing_in else None
        self.index = index
        self.browsing_early = False
        self._first_screen = None
        if index.info.rebuilt:  # a new index folder: the kept first screen went with the old one
            self._first_screen_kept = False
        if not self._first_screen_kept and index.location is not None:
            self.set_timer(FIRST_SCREEN_WRITE_AFTER, self._keep_first_screen)
        self._hide_indexing_bar()
        for notice in index.notices:
            self.notify(notice, title="Search index", severity="information", markup=False, timeout=8)
        for notice in links.notices:
            self.notify(notice, title="Link check", severity="warning", markup=False, timeout=8)
        self.merge_rechecks(links)  # re-checks (L) made while the index opened
        self.use_link_status(links)
        self._open_stores()  # (if the index won the race with the first frame)
        self.sync_notes()
        if place is not None:  # stay where the user is browsing; the search now works
            self.show_view(place[0], select=place[1])
            self.call_after_refresh(self._freeze_heap)
            return
        self._restore_start()
        if not isinstance(self.focused, SearchBox):  # the user may have started typing a search already
            self.set_focus(self.query_one(ResourceList))
        self.call_after_refresh(self._freeze_heap)

    @work(thread=True, group="first-screen", exit_on_error=False)
    def _keep_first_screen(self) -> None:
        """Write the first-screen file for the next start (tui/early.py, core/first_screen.py)."""
        from ctdc_tui.core import first_screen

        index = self.index
        location = getattr(index, "location", None)
        if index is None or location is None or self._first_screen_kept:
            return
        try:
            first_screen.write(self.catalogue_path, location, first_screen.capture(index))
        except Exception:  # a cache: an index closed meanwhile or a read-only folder only costs speed
            return
        self._first_screen_kept = True

    def _freeze_heap(self) -> None:
        """Move everything alive once the catalogue is shown out of the garbage collector's way.

        The imports, the widgets and the catalogue live as long as the app does; without this
        every full collection walks all of them again (50-200 ms pauses while typing or
        scrolling, more with a large catalogue). Objects made later are collected as usual.
        """
        gc.freeze()
        self._warm_search()

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm_search(self) -> None:
        """A throw-away search and spelling check, in the background, once the catalogue is shown.

        The first search of a session pays for what later ones reuse (modules imported on
        first use, compiled patterns, the saved vocabulary, what the index reads on its first
        prefix search): 5-25 ms on the first keystroke, about 130 ms at 100,000 resources.
        Then the index's files are asked of the OS (``SearchIndex.prefetch``), typing or not:
        after a cold start each search would otherwise wait on the disk for the pages it touches.
        """
        index = self.index
        if index is None or self.browsing_early:
            return
        if not self.search_text:
            with self._search_lock:
                if not self.search_text:  # the user is typing already: their search warms it
                    results = index.search("a", limit=1, as_you_type=True)
                    _first = results[:1]
                    suggest = getattr(index, "suggest", None)
                    if suggest is not None:
                        suggest("a")
        prefetch = getattr(index, "prefetch", None)
        if prefetch is not None:
            prefetch()

    def _restore_start(self, state: AppState | None = None) -> None:
        notice = None
        if state is None:
            from ctdc_tui.core.state import load_state

            state, notice = load_state()
        if notice:
            self.notify(notice, title="Saved state", severity="warning", markup=False)
        if state.sort in ("relevance", "title", "year", "catalogue"):
            self.sort = state.sort
        theme = state.theme or self._config_theme
        if theme and theme in self.available_themes:
            self.theme = theme
        if self.deep_link:
            resource = self.index.get(self.deep_link) if self.index else None
            if resource is not None:
                self.show_view(resource.category, select=resource.id)
                return
            self.notify(
                f"There is no resource '{self.deep_link}' in this catalogue; `ctdc list` shows every id.",
                title="Open",
                severity="warning",
                markup=False,
            )
        categories = self.categories()
        keys = {ALL, *(category.id for category in categories), *self.special_views()}
        view = state.category if state.category in keys else (categories[0].id if categories else ALL)
        self.show_view(view, select=state.resource_id)

    def save_state(self) -> None:
        from ctdc_tui.core.state import AppState, save_state

        if self.index is None:
            return
        state = AppState(
            theme=self.theme, category=self.view_key, resource_id=self.current_id(), sort=self.sort
        )
        notice = save_state(state)  # never raises: losing the remembered place must not block quitting
        if notice:
            self.save_notice = notice

    async def action_quit(self) -> None:
        self.save_state()
        self.exit(self.exit_code)

    def on_unmount(self) -> None:
        if self._collecting:  # (an app that never drew its first frame)
            gc.enable()
            self._collecting = False
        if self.bookmarks is not None:
            self.bookmarks.close()
        if self.index is not None:
            self.index.close()

    # -------------------------------------------------------------- searching
    def _search_box_value(self, value: str) -> None:
        """The search box's value changed (called by the box while it handles the key)."""
        if self.more_keys_coming:
            # Keys read in one burst are still being handled (tui/key_order.py): search for
            # where they end, not for each step (backspace x5 would search "hous", ..., "").
            # A key typed alone searches at once, as before.
            self._query_after_keys = True
            self.call_when_keys_settle()
            return
        self._query_after_keys = False
        self.set_query(value)

    def keys_settled(self) -> None:
        if self._query_after_keys:
            self._query_after_keys = False
            self.set_query(self.query_one(SearchBox).value)

    @on(Input.Submitted, "#search")
    def _query_submitted(self) -> None:
        self.set_focus(self.query_one(ResourceList))

    def start_search(self, generation: int, query: str, category: str | None, sort: str) -> None:
        self._last_query_at = time.monotonic()
        # The Bookmarks view keeps the bookmarks among every match; elsewhere a first page.
        limit = None if self.view_key == BOOKMARKS else SEARCH_PAGE
        # After the next frame: the key's echo is drawn before the search takes the
        # interpreter (a worker thread shares it with the UI thread).
        # The worker reads the rows the list shows first (the others are read when drawn).
        preload = min(PRELOAD_ROWS, self.query_one(ResourceList).size.height or PRELOAD_ROWS)
        if self._search_inline(generation, query, category, sort, limit, preload):
            return
        # ("searching…" only here: shown for a moment before the results, its longer text could
        # take the status line to two lines and back, and each change of height lays out the screen.)
        self.update_status(searching=True)
        self.call_after_refresh(self._search_worker, generation, query, category, sort, limit, preload)

    def _search_inline(
        self, generation: int, query: str, category: str | None, sort: str, limit: int | None, preload: int
    ) -> bool:
        """Search now, on the UI thread, when that is cheap (see INLINE_SEARCH_BUDGET); False if not.

        Never waits: while a worker holds the index (a related lookup, a count), the search
        goes to the worker as usual.
        """
        index = self.index
        if index is None or self._search_cost > INLINE_SEARCH_BUDGET:
            return False
        if not self._small_catalogue():
            return False
        if not self._search_lock.acquire(blocking=False):
            return False
        try:
            started, cpu = time.perf_counter(), time.thread_time()
            results = index.search(query, category=category, sort=sort, limit=limit, as_you_type=True)  # type: ignore[arg-type]
            _first_rows = results[:preload]
            facets = self._facets_of(results)
            self.last_search_seconds = time.perf_counter() - started
            self._search_cost = time.thread_time() - cpu
        finally:
            self._search_lock.release()
        self.show_search_results(generation, results, facets)
        self._last_shown_at = time.monotonic()
        self._spell_pending = (generation, query, results)
        if self._spell_timer is None:
            self._spell_timer = self.query_one(DetailPane).set_timer(FACETS_QUIET, self._spell_when_quiet)
        return True

    def _spell_when_quiet(self) -> None:
        """The whole-word check of the last inline search (``_check_spelling``), once typing pauses.

        On the UI thread (a few ms in a small catalogue), from one timer re-armed until the
        keys have stopped for FACETS_QUIET seconds and no worker holds the index.
        """
        self._spell_timer = None
        pending, self._spell_pending = self._spell_pending, None
        if pending is None or pending[0] != self.generation:
            return
        generation, query, results = pending
        quiet = time.monotonic() - max(self._last_query_at, self._last_shown_at)
        if quiet < FACETS_QUIET or not self._search_lock.acquire(blocking=False):
            self._spell_pending = pending
            wait = max(FACETS_QUIET - quiet, 0.05)
            self._spell_timer = self.query_one(DetailPane).set_timer(wait, self._spell_when_quiet)
            return
        try:
            whole = self._whole_word_suggestion(query, results)
        finally:
            self._search_lock.release()
        if whole is not None:
            self.show_suggestion(generation, whole)

    @work(thread=True, group="search", exclusive=True, exit_on_error=False)
    def _search_worker(
        self,
        generation: int,
        query: str,
        category: str | None,
        sort: str,
        limit: int | None,
        preload: int = PRELOAD_ROWS,
    ) -> None:
        # No debounce: an idle user's key searches at once. Keys that arrive while a search
        # runs queue on the lock, and only the newest of them searches when it is free.
        with self._search_lock:
            if generation != self.generation or self.index is None:
                return
            started, cpu = time.perf_counter(), time.thread_time()
            results = self.index.search(query, category=category, sort=sort, limit=limit, as_you_type=True)  # type: ignore[arg-type]
            # Read the rows the list shows first here, not in the list's drawing on the UI thread.
            _first_rows = results[:preload]
            self.last_search_seconds = time.perf_counter() - started
            self._search_cost = time.thread_time() - cpu
            facets: dict[str, int] | None = None
            if self._small_catalogue() and self._facets_cheap():  # one update of the screen, not two
                facets = self._facets_of(results)
        self.call_from_thread(self.show_search_results, generation, results, facets)
        self._last_shown_at = time.monotonic()
        # What follows (spelling, counts) waits for the frame that shows the rows: run
        # beside it, this thread would hold the interpreter the drawing needs.
        drawn = threading.Event()
        self.call_from_thread(self.call_after_refresh, drawn.set)
        drawn.wait(0.5)
        if facets is None:
            # Counting costs up to a second search: past a small catalogue the rows come
            # first, and the counts right after them when they are cheap, else once typing pauses.
            self._count_facets_when_quiet(generation, results, wait=not self._facets_cheap())
        self._check_spelling(generation, query, results)

    def _small_catalogue(self) -> bool:
        size = getattr(getattr(self.index, "info", None), "resource_count", None)
        return isinstance(size, int) and size <= SMALL_CATALOGUE

    def _facets_cheap(self) -> bool:
        if self.facet_seconds is None:  # no count yet: guess from the catalogue's size
            info = getattr(self.index, "info", None)
            return int(getattr(info, "resource_count", 0)) <= SMALL_CATALOGUE
        return self.facet_seconds <= FACETS_CHEAP

    def _facets_of(self, results: Results) -> dict[str, int]:
        started = time.perf_counter()
        facets = dict(results.facets)  # they ignore the category filter
        self.facet_seconds = time.perf_counter() - started
        return facets

    def _typing_paused(self, generation: int) -> bool:
        """Wait for FACETS_QUIET seconds without keys or results; False if a newer search started."""
        while generation == self.generation:
            quiet = time.monotonic() - max(self._last_query_at, self._last_shown_at)
            if quiet >= FACETS_QUIET:
                return True
            time.sleep(FACETS_QUIET - quiet)
        return False

    def _count_facets_when_quiet(self, generation: int, results: Results, *, wait: bool = True) -> None:
        """The sidebar's counts: counting costs about a second search, so with ``wait`` once typing pauses."""
        if wait and not self._typing_paused(generation):
            return
        with self._search_lock:
            if generation != self.generation or self.index is None:
                return
            facets = self._facets_of(results)
        self.call_from_thread(self.show_facets, generation, results, facets)

    def _check_spelling(self, generation: int, query: str, results: Results) -> None:
        """As you type, the last word counts as a prefix, so the engine does not spell-check
        it; check the whole words once more, after the list is shown."""
        if results.suggestion is not None or getattr(self.index, "suggest", None) is None:
            return
        # Only once typing pauses: the first check of a session reads the whole vocabulary,
        # a check costs up to a few ms even in a small catalogue, and "did you mean open?"
        # while "ope" is being typed would only be in the way.
        if not self._typing_paused(generation):
            return
        with self._search_lock:
            if generation != self.generation:
                return
            whole = self._whole_word_suggestion(query, results)
        if whole is not None:
            self.call_from_thread(self.show_suggestion, generation, whole)

    def _whole_word_suggestion(self, query: str, results: Results) -> str | None:
        """A "did you mean" for the query read as whole words, when the engine gave none."""
        suggest = getattr(self.index, "suggest", None)
        if results.suggestion is not None or suggest is None:
            return None
        whole = suggest(query)
        return whole if whole and whole != query else None

    @work(thread=True, group="more", exclusive=True, exit_on_error=False)
    def fetch_more(self, generation: int, query: str, category: str | None, sort: str, limit: int) -> None:
        """The list neared the end of the hits fetched so far: fetch a longer first part."""
        with self._search_lock:
            if generation != self.generation or self.index is None:
                return
            results = self.index.search(
                query,
                category=category,
                sort=sort,
                limit=limit,
                as_you_type=True,
                facets=False,  # type: ignore[arg-type]
            )
        self.call_from_thread(self.show_more_results, generation, results)

    @work(thread=True, group="related", exclusive=True, exit_on_error=False)
    def find_related(self, resource_id: str) -> None:
        if self.index is None:
            return
        related: list[Resource] = list(self.index.related(resource_id))
        self.call_from_thread(self.show_related, resource_id, related)


def run_app(catalogue: Path, index_dir: str | None, resource_id: str | None) -> int:
    """Run the app until the user quits; the exit status for the CLI."""
    app = CtdcApp(catalogue, index_dir, resource_id)
    result = app.run()
    return result if isinstance(result, int) else app.exit_code


if _COLLECTING_BEFORE_IMPORT:  # (CtdcApp() turns it off again until its first frame)
    gc.enable()
