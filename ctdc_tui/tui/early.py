"""Browsing from the catalogue itself while its search index is still being built.

When the index is not open a moment after start-up (a large catalogue being
indexed), the app loads the catalogue with ``load_catalog`` in a thread and
serves the main screen from ``CatalogueBrowser`` until the real
``SearchIndex`` is ready: the categories, their resources in catalogue order
(or by title or year), the detail of each. Searching says it will work once
the index is ready. The browser offers the part of the ``SearchIndex`` API the
app and the palette use, read-only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ctdc_tui.core.catalog import Catalog, Category, Resource

NOT_READY = "Search works as soon as the index is ready (see the progress bar); browsing works now."


@dataclass
class _Info:
    resource_count: int


@dataclass
class _Catalogue:
    title: str
    categories: list[Category] = field(default_factory=list)


class CatalogueResults(Sequence[Resource]):
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
