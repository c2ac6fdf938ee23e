"""A one-line citation of a resource: authors, year, title, organisation, link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ctdc_tui.core.text import one_line

if TYPE_CHECKING:
    from ctdc_tui.core.catalog import Resource


def citation(resource: Resource) -> str:
    """``Authors (Year). Title. Organisation. URL`` on one line, parts left out when unknown.

    With no authors the organisation leads (as a corporate author) and is not
    repeated. Control characters are made visible so the copied text is safe to paste.
    """
    authors = ", ".join(resource.authors)
    organisation = ", ".join(resource.organizations) or resource.publisher
    lead = authors or organisation
    parts: list[str] = []
    year = f"({resource.year})" if resource.year is not None else "(n.d.)"
    parts.append(f"{lead} {year}." if lead else f"{year}.")
    title = resource.title_full or resource.title
    parts.append(title if title.endswith((".", "?", "!")) else f"{title}.")
    if authors and organisation:
        parts.append(f"{organisation}.")
    parts.append(resource.url)
    return one_line(" ".join(parts))
