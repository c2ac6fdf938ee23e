"""``ctdc validate``, ``ctdc list`` and ``ctdc show``: the catalogue, straight from YAML.

The JSON these print is documented in ``docs/cli.md`` and is stable. Human
output passes every catalogue string through ``printable``/``one_line`` so a
title cannot move the cursor or retitle the terminal.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap

from ctdc_tui.cli.output import (
    JSON_SCHEMA_VERSION,
    Subparsers,
    catalogue_path,
    error,
    print_json,
    unknown_resource_hint,
)
from ctdc_tui.core.catalog import Catalog, Problem, Resource, load_catalog
from ctdc_tui.core.text import one_line, printable

ID_COLUMN_MAX = 48


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "validate",
        parents=[common],
        help="check a catalogue and report every problem (exit 1 on errors)",
        description="Check a catalogue folder. Prints each problem with its file, line, resource, "
        "field and a fix; exits 1 when there is any error (warnings alone exit 0).",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("list", parents=[common], help="list resources, by category")
    p.add_argument("--category", metavar="ID", help="only this category")
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one resource")
    p.add_argument("resource", metavar="ID", help="the resource id (see `ctdc list`)")
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_show)


def _load(args: argparse.Namespace) -> tuple[Catalog, list[Problem]]:
    return load_catalog(catalogue_path(args))


def _unusable(catalog: Catalog, problems: list[Problem]) -> bool:
    """True when nothing could be loaded at all (no folder, nothing readable)."""
    return not catalog.categories and any(p.severity == "error" for p in problems)


def _fail_unusable(catalog: Catalog, problems: list[Problem]) -> int:
    for problem in problems:
        print(printable(problem.format()), file=sys.stderr)
    return error(
        f"no catalogue could be loaded from {printable(str(catalog.root))}",
        "fix the problems above, or point --data (or CTDC_DATA) at a catalogue folder",
    )


def _note_errors(problems: list[Problem]) -> None:
    """One line on stderr when the catalogue has errors: list/show still work on the good records."""
    count = sum(1 for p in problems if p.severity == "error")
    if count:
        print(
            f"ctdc: warning: the catalogue has {count} error(s); the records they affect are left out. "
            "Run `ctdc validate` to see them.",
            file=sys.stderr,
        )


def cmd_validate(args: argparse.Namespace) -> int:
    catalog, problems = _load(args)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": str(catalog.root),
                "ok": not errors,
                "resources": len(catalog),
                "categories": len(catalog.categories),
                "errors": len(errors),
                "warnings": len(warnings),
                "problems": [p.to_json() for p in problems],
            }
        )
    else:
        for problem in problems:
            print(printable(problem.format()))
        verdict = "OK" if not errors else "FAILED"
        print(
            f"{verdict}: {printable(str(catalog.root))}: {len(catalog)} resources in "
            f"{len(catalog.categories)} categories, {len(errors)} error(s), {len(warnings)} warning(s)"
        )
    return 1 if errors else 0


def cmd_list(args: argparse.Namespace) -> int:
    catalog, problems = _load(args)
    if _unusable(catalog, problems):
        return _fail_unusable(catalog, problems)
    categories = catalog.categories
    if args.category:
        chosen = catalog.category(args.category)
        if chosen is None:
            known = ", ".join(c.id for c in catalog.categories)
            return error(f"no category '{one_line(args.category)}' in this catalogue", f"use one of: {known}")
        categories = [chosen]
    _note_errors(problems)
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": {
                    "title": catalog.title,
                    "description": catalog.description,
                    "publishers": list(catalog.publishers),
                    "year": catalog.year,
                    "path": str(catalog.root),
                },
                "categories": [
                    {**c.to_json(), "resources": [r.to_json() for r in catalog.in_category(c.id)]}
                    for c in categories
                ],
            }
        )
        return 0
    if not args.category:
        print(one_line(catalog.title))
        print()
    width = min(ID_COLUMN_MAX, max((len(r.id) for r in catalog), default=0))
    for category in categories:
        resources = catalog.in_category(category.id)
        print(f"{one_line(category.name)} ({len(resources)})")
        if not resources:
            print("  (no resources yet)")
        for res in resources:
            print(f"  {res.id:<{width}}  {_row(res)}")
        print()
    return 0


def _row(res: Resource) -> str:
    credit = f" — {res.credit}" if res.credit else ""
    year = f", {res.year}" if res.year else ""
    return one_line(f"{res.title}{credit}{year}")


def cmd_show(args: argparse.Namespace) -> int:
    catalog, problems = _load(args)
    if _unusable(catalog, problems):
        return _fail_unusable(catalog, problems)
    res = catalog.get(args.resource)
    if res is None:
        hint = unknown_resource_hint(args.resource, catalog.resources)
        return error(f"no resource '{one_line(args.resource)}' in this catalogue", hint)
    if args.json:
        print_json({"version": JSON_SCHEMA_VERSION, "resource": res.to_json()})
        return 0
    category = catalog.category(res.category)
    lines = [one_line(res.title)]
    if res.title_full and res.title_full != res.title:
        lines.append(f"  ({one_line(res.title_full)})")
    lines.append("")
    fields: list[tuple[str, str]] = [
        ("Id", res.id),
        ("Authors", "; ".join(res.authors)),
        ("Organisations", "; ".join(res.organizations)),
        ("Publisher", res.publisher),
        ("Year", str(res.year) if res.year else ""),
        ("Kind", res.kind),
        ("Category", category.name if category else res.category),
        ("Tags", ", ".join(res.tags)),
        ("Link", res.url),
        *(("Also at", alt) for alt in res.alternate_urls),
        ("Note", res.note),
    ]
    lines += [f"{label + ':':<15}{one_line(value)}" for label, value in fields if value]
    if res.description:
        width = max(40, min(100, shutil.get_terminal_size().columns - 1))
        lines += ["", textwrap.fill(one_line(res.description), width)]
    print("\n".join(lines))
    return 0
