"""What an empty list says, and how to fill it, in plain words.

The list shows the one-line form; the detail pane shows the full advice
(which file to edit, which key to press). Key names are passed in as the user
has them (after remapping).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


def shown_path(path: Path) -> str:
    """A path as a person would type it: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class EmptyView(NamedTuple):
    """Why a list is empty: a search with no match, no bookmarks, or a catalogue or category with nothing."""

    kind: str  # "search" | "bookmarks" | "catalogue" | "category"
    name: str  # the view's name
    query: str = ""
    file: Path | None = None  # the category file (or catalogue folder) to edit
    help_key: str = "?"
    bookmark_key: str = "b"
    note_key: str = "n"


def empty_advice(view: EmptyView, *, short: bool = False) -> str:
    if view.kind == "search":
        brief = f"Nothing matches {view.query!r} here."
        advice = (
            f"Nothing matches {view.query!r} in {view.name}. Try fewer words, the start of a word "
            f"followed by *, or All resources. Press {view.help_key} for the query syntax."
        )
    elif view.kind == "bookmarks":
        brief = "No bookmarks yet."
        advice = (
            f"No bookmarks yet. Press {view.bookmark_key} on a resource to bookmark it and "
            f"{view.note_key} to add a note; they are listed here, newest first."
        )
    elif view.kind == "catalogue":
        where = shown_path(view.file) if view.file else "the catalogue folder"
        brief = "This catalogue has no resources."
        advice = (
            f"This catalogue has no resources yet. Add them to the category files in {where} "
            "(format: docs/catalogue-format.md), then check them with `ctdc validate`."
        )
    else:
        where = shown_path(view.file) if view.file else "its category file"
        brief = f"No resources in {view.name} yet."
        advice = (
            f"{view.name} has no resources yet. To add one, list it under `resources:` in {where} "
            "(format: docs/catalogue-format.md), then check it with `ctdc validate`."
        )
    return brief if short else advice
