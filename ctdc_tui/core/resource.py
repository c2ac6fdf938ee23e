"""A toolkit resource, its compact JSON form, and the file facts a start compares.

The light part of the catalogue model: no YAML and no validation, so the app's
first screen (``first_screen``) and the bookmark store can use resources before
the catalogue module (``catalog``, which reads and checks the YAML) is imported.
``catalog`` re-exports everything here.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from ctdc_tui.core.records import FrozenRecord, frozen_record

CATALOG_FILE = "catalog.yaml"
CATEGORY_SUFFIXES = (".yaml", ".yml")


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record(slots=True)
class Resource(FrozenRecord):
    """One toolkit resource. ``id`` is stable: bookmarks refer to it."""

    id: str
    title: str
    url: str
    category: str
    order: int = 0
    authors: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    publisher: str = ""
    year: int | None = None
    kind: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    title_full: str = ""
    alternate_urls: tuple[str, ...] = ()
    note: str = ""

    def __init__(
        self,
        id: str,
        title: str,
        url: str,
        category: str,
        order: int = 0,
        authors: tuple[str, ...] = (),
        organizations: tuple[str, ...] = (),
        publisher: str = "",
        year: int | None = None,
        kind: str = "",
        tags: tuple[str, ...] = (),
        description: str = "",
        title_full: str = "",
        alternate_urls: tuple[str, ...] = (),
        note: str = "",
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "id", id)
        set_(self, "title", title)
        set_(self, "url", url)
        set_(self, "category", category)
        set_(self, "order", order)
        set_(self, "authors", authors)
        set_(self, "organizations", organizations)
        set_(self, "publisher", publisher)
        set_(self, "year", year)
        set_(self, "kind", kind)
        set_(self, "tags", tags)
        set_(self, "description", description)
        set_(self, "title_full", title_full)
        set_(self, "alternate_urls", alternate_urls)
        set_(self, "note", note)

    def _values(self) -> tuple[object, ...]:
        return (
            self.id,
            self.title,
            self.url,
            self.category,
            self.order,
            self.authors,
            self.organizations,
            self.publisher,
            self.year,
            self.kind,
            self.tags,
            self.description,
            self.title_full,
            self.alternate_urls,
            self.note,
        )

    @property
    def credit(self) -> str:
        """The organisation or first author, for a one-line listing."""
        if self.organizations:
            return self.organizations[0]
        if self.authors:
            return self.authors[0]
        return self.publisher

    def to_json(self) -> dict[str, object]:
        """The documented JSON shape of a resource (``docs/cli.md``)."""
        return {
            "id": self.id,
            "title": self.title,
            "title_full": self.title_full or None,
            "url": self.url,
            "alternate_urls": list(self.alternate_urls),
            "category": self.category,
            "authors": list(self.authors),
            "organizations": list(self.organizations),
            "publisher": self.publisher or None,
            "year": self.year,
            "kind": self.kind or None,
            "tags": list(self.tags),
            "description": self.description,
            "note": self.note or None,
        }


def source_file_stats(folder: Path) -> dict[str, list[int]]:
    """Size and modification time (ns) of every YAML file of a catalogue folder, catalog.yaml
    included (what an index's freshness check and the app's first-screen file compare)."""
    stats: dict[str, list[int]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in CATEGORY_SUFFIXES and not path.name.startswith(".") and path.is_file():
            st = path.stat()
            stats[path.name] = [st.st_size, st.st_mtime_ns]
    return stats


_RESOURCE_FIELDS = frozenset(f.name for f in dataclasses.fields(Resource))
_TUPLE_FIELDS = frozenset(f.name for f in dataclasses.fields(Resource) if str(f.type).startswith("tuple"))


def resource_to_json_text(res: Resource) -> str:
    """A resource's fields as compact JSON (what the index stores and the first-screen file keeps)."""
    raw = {name: getattr(res, name) for name in _RESOURCE_FIELDS}
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


def resource_from_json_text(text: str) -> Resource:
    """The resource ``resource_to_json_text`` wrote (unknown fields ignored)."""
    raw = json.loads(text)
    values: dict[str, Any] = {
        k: (tuple(v) if k in _TUPLE_FIELDS and v is not None else v)
        for k, v in raw.items()
        if k in _RESOURCE_FIELDS
    }
    return Resource(**values)
