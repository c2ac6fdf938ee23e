"""The catalogue model and its loading from YAML.

A catalogue is a folder: ``catalog.yaml`` (title, description, publishers, the
order of category files) and one YAML file per category. See
``docs/catalogue-format.md``. ``load_catalog`` never raises for bad input: it
returns the catalogue of every good record plus a list of ``Problem``s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Resource:
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


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    summary: str = ""
    resource_ids: tuple[str, ...] = ()
    file: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "count": len(self.resource_ids),
            "file": self.file,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a catalogue: where it is, what it is, how to fix it."""

    severity: Severity
    file: str
    message: str
    hint: str = ""
    line: int | None = None
    resource_id: str | None = None
    field: str | None = None

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [f"{where}: {self.severity}:"]
        if self.resource_id:
            parts.append(f"resource '{self.resource_id}',")
        if self.field:
            parts.append(f"field '{self.field}':")
        parts.append(self.message)
        text = " ".join(parts)
        if self.hint:
            text += f" Fix: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "resource_id": self.resource_id,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(slots=True)
class Catalog:
    root: Path
    title: str = ""
    description: str = ""
    publishers: tuple[str, ...] = ()
    categories: list[Category] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.resources)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources.values())

    def get(self, resource_id: str) -> Resource | None:
        return self.resources.get(resource_id)

    def category(self, category_id: str) -> Category | None:
        for category in self.categories:
            if category.id == category_id:
                return category
        return None

    def in_category(self, category_id: str) -> list[Resource]:
        category = self.category(category_id)
        if category is None:
            return []
        return [self.resources[rid] for rid in category.resource_ids if rid in self.resources]


def load_catalog(folder: Path) -> tuple[Catalog, list[Problem]]:
    """Load a catalogue folder. Never raises for bad input; see module docstring.

    PROVISIONAL minimal loader: the full validation (issue 2) replaces this body.
    """
    folder = Path(folder)
    problems: list[Problem] = []
    catalog = Catalog(root=folder)
    meta = yaml.safe_load((folder / "catalog.yaml").read_text(encoding="utf-8")) or {}
    catalog.title = str(meta.get("title", ""))
    catalog.description = str(meta.get("description", ""))
    catalog.publishers = tuple(meta.get("publishers", ()))
    docs: dict[str, tuple[str, dict]] = {}
    for path in sorted(folder.glob("*.y*ml")):
        if path.name in ("catalog.yaml", "catalog.yml"):
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        docs[doc["category"]["id"]] = (path.name, doc)
    wanted = list(meta.get("categories", []))
    wanted += [cid for cid in docs if cid not in wanted]
    order = 0
    for cid in wanted:
        name, doc = docs[cid]
        cat = doc["category"]
        ids: list[str] = []
        for raw in doc.get("resources") or []:
            res = Resource(
                id=raw["id"],
                title=raw["title"],
                url=raw["url"],
                category=cat["id"],
                order=order,
                authors=tuple(raw.get("authors", ())),
                organizations=tuple(raw.get("organizations", ())),
                publisher=raw.get("publisher", ""),
                year=raw.get("year"),
                kind=raw.get("kind", ""),
                tags=tuple(raw.get("tags", ())),
                description=raw.get("description", ""),
                title_full=raw.get("title_full", ""),
                alternate_urls=tuple(raw.get("alternate_urls", ())),
                note=raw.get("note", ""),
            )
            order += 1
            catalog.resources[res.id] = res
            ids.append(res.id)
        catalog.categories.append(
            Category(id=cat["id"], name=cat["name"], summary=cat.get("summary", ""), resource_ids=tuple(ids), file=name)
        )
    return catalog, problems
