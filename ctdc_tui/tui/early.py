"""Serving the main screen before the search index is open.

Two stand-ins for the ``SearchIndex``, each offering the part of its API the
app and the palette use.

``FirstScreenIndex``: at start-up, the app draws its first frame from the small
first-screen file kept next to the index (``ctdc_tui.core.first_screen``) and
opens the index behind it. What the file holds (the categories, their counts,
the first rows of each view in catalogue order) is served at once; anything
else waits for the real index, which the opening worker hands over with
``attach`` before the app switches to it (``CtdcApp._index_ready``). In a worker
thread waiting is what a search does anyway; on the UI thread it happens only
when the user reaches past the kept rows within the first moments.


When the index is not open a moment after start-up (a large catalogue being
indexed), the app loads the catalogue with ``load_catalog`` in a thread and
serves the main screen from ``CatalogueBrowser`` until the real
``SearchIndex`` is ready: the categories, their resources in catalogue order
(or by title or year), the detail of each. Searching says it will work once
the index is ready. The browser offers the part of the ``SearchIndex`` API the
app and the palette use, read-only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ctdc_tui.core.records import record_repr

if TYPE_CHECKING:
    from ctdc_tui.core.catalog import Catalog, Category, Resource
    from ctdc_tui.core.first_screen import FirstScreen, ScreenCategory

NOT_READY = "Search works as soon as the index is ready (see the progress bar); browsing works now."


class _Bag:
    """A small record, written out rather than made by ``@dataclass`` (see ``core/records.py``):
    ``__repr__`` and ``__eq__`` as the decorator's, over the attributes ``__init__`` sets, in order."""

    def __repr__(self) -> str:
        return record_repr(self, vars(self), vars(self).values())

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return tuple(vars(self).values()) == tuple(vars(other).values())
        return NotImplemented


class _Info(_Bag):
    def __init__(self, resource_count: int) -> None:
        self.resource_count = resource_count


class _Catalogue(_Bag):
    def __init__(self, title: str, categories: list[Category] | None = None) -> None:
        self.title = title
        self.categories: list[Category] = [] if categories is None else categories


class CatalogueResults(Sequence["Resource"]):
    """The ``Results`` shape over a list of resources (no query, no highlights)."""

    def __init__(
        self, resources: Sequence[Resource], query: str = "", explanation: str | None = None
    ) -> None:
        self._resources = list(resources)
        self.query = query
        self.explanation = explanation
        self.suggestion: str | None = None
        self.fallback = False
        self.facets: dict[str, int] = {}
        self.terms: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return len(self._resources)

    @property
    def total_is_estimate(self) -> bool:
        return False

    def __len__(self) -> int:
        return len(self._resources)

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        return self._resources[i]

    def ids(self) -> list[str]:
        return [resource.id for resource in self._resources]

    def score(self, i: int) -> float | None:
        return None


class CatalogueBrowser:
    """Stands in for the ``SearchIndex`` while it is built: browse and get, no search."""

    notices: list[str]

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.catalogue = _Catalogue(catalog.title, list(catalog.categories))
        self.info = _Info(len(catalog))
        self.notices = []

    def get(self, resource_id: str) -> Resource | None:
        return self._catalog.get(resource_id)

    def browse(self, category: str | None = None, sort: str = "catalogue") -> CatalogueResults:
        resources = list(self._catalog) if category is None else self._catalog.in_category(category)
        if sort == "title":
            resources.sort(key=lambda r: r.title.casefold())
        elif sort == "year":
            resources.sort(key=lambda r: -(r.year or 0))
        return CatalogueResults(resources)

    def search(self, query: str, **_options: object) -> CatalogueResults:
        return CatalogueResults((), query, NOT_READY)

    def related(self, resource_id: str, limit: int = 5) -> list[Resource]:
        return []

    def sync_notes(self, notes: Mapping[str, str]) -> None:
        """Notes reach the real index when it is ready."""

    def sync_link_status(self, status: Mapping[str, str]) -> None:
        """Link statuses reach the real index when it is ready."""

    def close(self) -> None:
        """Nothing to close."""


# ----------------------------------------------------------------- first screen


class _ScreenCatalogue(_Bag):
    def __init__(self, title: str, categories: list[ScreenCategory]) -> None:
        self.title = title
        self.categories = categories


class _Unavailable:
    """What the stand-in serves when the index could not be opened (the app says why)."""

    notices: list[str] = []

    def browse(self, category: str | None = None, sort: str = "catalogue") -> CatalogueResults:
        return CatalogueResults(())

    def search(self, query: str, **_options: object) -> CatalogueResults:
        return CatalogueResults((), query)

    def get(self, resource_id: str) -> Resource | None:
        return None

    def related(self, resource_id: str, limit: int = 5) -> list[Resource]:
        return []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


class ScreenResults(Sequence["Resource"]):
    """A browse result served from the first-screen file; rows past the kept ones come from the index."""

    query = ""
    explanation: str | None = None
    suggestion: str | None = None
    fallback = False
    total_is_estimate = False
    terms: tuple[str, ...] = ()

    def __init__(self, owner: FirstScreenIndex, category: str | None, ids: list[str], count: int) -> None:
        self._owner = owner
        self._category = category
        self._ids = ids
        self._count = count
        self._positions = {rid: i for i, rid in reversed(list(enumerate(ids)))}
        self._real: Any = None
        self.facets: dict[str, int] = {}

    @property
    def total(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def _full(self) -> Any:
        if self._real is None:
            self._real = self._owner.real().browse(self._category, sort="catalogue")
        return self._real

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return [self[n] for n in range(*i.indices(self._count))]
        if i < 0:
            i += self._count
        if 0 <= i < len(self._ids):
            resource = self._owner.screen.resource(self._ids[i])
            if resource is not None:
                return resource
        return self._full()[i]

    def ids(self) -> Sequence[str]:
        return self._ids if self._count <= len(self._ids) else self._full().ids()

    def index_of(self, resource_id: str) -> int | None:
        """Where a resource is in the view (``ResultRows`` asks this before reading every id)."""
        found = self._positions.get(resource_id)
        if found is not None or self._count <= len(self._ids):
            return found
        ids = list(self._full().ids())
        return ids.index(resource_id) if resource_id in ids else None

    def score(self, i: int) -> float | None:
        return None


class FirstScreenIndex:
    """Stands in for the ``SearchIndex`` from the first frame until it is open (see the module docstring)."""

    def __init__(self, screen: FirstScreen, start_opening: Callable[[], None] | None = None) -> None:
        self.screen = screen
        self._start_opening = start_opening
        self.catalogue = _ScreenCatalogue(screen.title, list(screen.categories))
        self.info = _Info(screen.resource_count)
        self.notices: list[str] = []
        self._ready = threading.Event()
        self._index: Any = None

    # -- the real index
    def attach(self, index: Any) -> None:
        """The real index is open (None: it could not be): whatever waits for it goes on."""
        self._index = index if index is not None else _Unavailable()
        self._ready.set()

    def real(self) -> Any:
        on_ui_thread = threading.current_thread() is threading.main_thread()
        if not self._ready.is_set() and self._start_opening is not None and on_ui_thread:
            self._start_opening()  # (the app opens the index after the first frame: maybe not yet)
        self._ready.wait()
        return self._index

    def covers(self, view: str | None, resource_id: str | None) -> bool:
        """True when the rows of ``view`` (None: every resource) up to ``resource_id`` are kept."""
        from ctdc_tui.core.first_screen import ALL_VIEW

        ids = self.screen.views.get(view or ALL_VIEW)
        if ids is None:
            return False
        return resource_id is None or resource_id in ids[: len(ids) // 3]

    # -- served from the file
    def browse(self, category: str | None = None, sort: str = "catalogue") -> Any:
        from ctdc_tui.core.first_screen import ALL_VIEW

        key = category or ALL_VIEW
        if sort == "catalogue" and key in self.screen.views:
            return ScreenResults(self, category, self.screen.views[key], self.screen.counts[key])
        return self.real().browse(category, sort=sort)

    def get(self, resource_id: str) -> Resource | None:
        resource = self.screen.resource(resource_id)
        return resource if resource is not None else self.real().get(resource_id)

    def sync_notes(self, notes: Mapping[str, str]) -> None:
        """The app syncs the real index when it takes over."""

    def sync_link_status(self, status: Mapping[str, str]) -> None:
        """The app syncs the real index when it takes over."""

    def close(self) -> None:
        """The app closes the real index itself."""

    # -- everything else (searching, related, suggestions) waits for the index
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.real(), name)
