"""What the app's first screen shows, kept in a small file next to the search index.

Opening the index means importing Whoosh and reading its files: a few tenths of
a second before the list could show a row. The first screen needs far less: the
categories and their counts, and the first rows of each view in catalogue
order. ``ctdc-first-screen.json`` in the index folder holds exactly that, so the
app can draw its first frame with the list filled and open the index behind it.

The file is a cache and is trusted only when everything it was made from is
unchanged: the same program and index schema, the same catalogue folder with
the same files (names, sizes and modification times, the test the index itself
uses), and the same index manifest (size and modification time: a rebuild or an
update rewrites it). Anything else, or any doubt (unreadable, wrong shape), and
``load`` returns None: the app then waits for the index as before, and writes
a fresh file once the index is open. Rebuilding an index replaces its folder,
which removes the file with it.

This module imports neither Whoosh nor YAML (it is read before the first frame).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ctdc_tui import __version__
from ctdc_tui.core.fsutil import atomic_write_text
from ctdc_tui.core.records import FrozenRecord, Record, frozen_record
from ctdc_tui.core.resource import Resource, resource_from_json_text, resource_to_json_text, source_file_stats

FILE = "ctdc-first-screen.json"
FORMAT = 1
# The index schema the rows were read from; tests/core/test_first_screen.py holds it equal
# to ``ctdc_tui.core.search.SCHEMA_VERSION`` (importing that module here would import Whoosh).
INDEX_SCHEMA = 8
MANIFEST = "ctdc-manifest.json"  # the index's manifest (``ctdc_tui.core.search.MANIFEST``)
# Rows kept per view: more than a tall terminal shows. The app uses the file when the
# remembered resource is among the first third of them (``FirstScreenIndex.covers``).
ROWS = 60
ALL_VIEW = ""  # the key of "every resource" (browse with no category)


# Frozen; its __init__ is written out, not made by the decorator; the rest: core/records.py.
@frozen_record(slots=True)
class ScreenCategory(FrozenRecord):
    """A category as the first screen shows it: no resource ids, only their count."""

    id: str
    name: str
    summary: str = ""
    file: str = ""
    count: int = 0

    def __init__(
        self,
        id: str,
        name: str,
        summary: str = "",
        file: str = "",
        count: int = 0,
    ) -> None:
        set_ = object.__setattr__  # (frozen)
        set_(self, "id", id)
        set_(self, "name", name)
        set_(self, "summary", summary)
        set_(self, "file", file)
        set_(self, "count", count)

    def _values(self) -> tuple[object, ...]:
        return (
            self.id,
            self.name,
            self.summary,
            self.file,
            self.count,
        )


# Its __init__ is written out, not made by the decorator; __repr__ and __eq__: core/records.py.
@dataclass(init=False, repr=False, eq=False)
class FirstScreen(Record):
    """The categories, the resource count, and the first rows of every view (catalogue order)."""

    title: str
    resource_count: int
    categories: list[ScreenCategory]
    views: dict[str, list[str]]  # ALL_VIEW or a category id -> the first ids of that view
    counts: dict[str, int]  # the same keys -> how many resources the view holds
    # id -> the Resource's fields as JSON text (parsed when first asked for: most are never shown)
    resources: dict[str, str] = field(default_factory=dict)
    _parsed: dict[str, Resource] = field(default_factory=dict, repr=False)

    def __init__(
        self,
        title: str,
        resource_count: int,
        categories: list[ScreenCategory],
        views: dict[str, list[str]],
        counts: dict[str, int],
        resources: dict[str, str] | None = None,
        _parsed: dict[str, Resource] | None = None,
    ) -> None:
        self.title = title
        self.resource_count = resource_count
        self.categories = categories
        self.views = views
        self.counts = counts
        self.resources = {} if resources is None else resources
        self._parsed = {} if _parsed is None else _parsed

    def _values(self) -> tuple[object, ...]:
        return (
            self.title,
            self.resource_count,
            self.categories,
            self.views,
            self.counts,
            self.resources,
            self._parsed,
        )

    def resource(self, resource_id: str) -> Resource | None:
        found = self._parsed.get(resource_id)
        if found is None:
            raw = self.resources.get(resource_id)
            if raw is None:
                return None
            found = resource_from_json_text(raw)
            self._parsed[resource_id] = found
        return found


def _key(catalogue: Path, place: Path) -> dict[str, Any]:
    manifest = (place / MANIFEST).stat()
    return {
        "format": FORMAT,
        "ctdc": __version__,
        "schema": INDEX_SCHEMA,
        "catalogue": str(catalogue.expanduser().resolve()),
        "files": source_file_stats(catalogue),
        "manifest": [manifest.st_size, manifest.st_mtime_ns],
    }


def load(catalogue: Path, place: Path) -> FirstScreen | None:
    """The first screen kept in index folder ``place`` for ``catalogue``; None if missing or stale."""
    try:
        raw = json.loads((place / FILE).read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("key") != _key(catalogue, place):
            return None
        categories = [
            ScreenCategory(str(c["id"]), str(c["name"]), str(c["summary"]), str(c["file"]), int(c["count"]))
            for c in raw["categories"]
        ]
        views = {str(k): [str(i) for i in v] for k, v in raw["views"].items()}
        counts = {str(k): int(v) for k, v in raw["counts"].items()}
        resources: dict[str, str] = raw["resources"]
        if not all(isinstance(v, str) for v in resources.values()):
            return None
        if set(views) != set(counts) or any(i not in resources for ids in views.values() for i in ids):
            return None
        return FirstScreen(
            str(raw["title"]), int(raw["resource_count"]), categories, views, counts, resources
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def capture(index: Any, rows: int = ROWS) -> FirstScreen:
    """Read the first screen from an open ``SearchIndex`` (its catalogue, counts and first rows)."""
    catalogue = index.catalogue
    categories = [
        ScreenCategory(c.id, c.name, c.summary, c.file, len(c.resource_ids)) for c in catalogue.categories
    ]
    views: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    resources: dict[str, str] = {}
    for key in [ALL_VIEW, *(c.id for c in categories)]:
        results = index.browse(key or None, sort="catalogue")
        first: Sequence[Resource] = results[:rows]
        views[key] = [r.id for r in first]
        counts[key] = len(results)
        for r in first:
            if r.id not in resources:
                resources[r.id] = resource_to_json_text(r)
    return FirstScreen(catalogue.title, int(index.info.resource_count), categories, views, counts, resources)


def write(catalogue: Path, place: Path, screen: FirstScreen) -> None:
    """Keep ``screen`` in index folder ``place`` (atomic; valid while catalogue and index stay)."""
    data: Mapping[str, Any] = {
        "key": _key(catalogue, place),
        "title": screen.title,
        "resource_count": screen.resource_count,
        "categories": [dataclasses.asdict(c) for c in screen.categories],
        "views": screen.views,
        "counts": screen.counts,
        "resources": screen.resources,
    }
    atomic_write_text(place / FILE, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
