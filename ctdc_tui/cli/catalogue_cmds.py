"""``ctdc validate``, ``ctdc list`` and ``ctdc show``: the catalogue, straight from YAML."""

from __future__ import annotations

import argparse
import sys

from ctdc_tui.cli.output import JSON_SCHEMA_VERSION, catalogue_path, error, print_json
from ctdc_tui.core.catalog import Catalog, Problem, load_catalog


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("validate", parents=[common], help="check a catalogue and report every problem")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("list", parents=[common], help="list resources, by category")
    p.add_argument("--category", metavar="ID", help="only this category")
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one resource")
    p.add_argument("resource", metavar="ID")
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_show)


def _load(args: argparse.Namespace) -> tuple[Catalog, list[Problem]]:
    return load_catalog(catalogue_path(args))


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    catalog, problems = _load(args)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": str(catalog.root),
                "resources": len(catalog),
                "categories": len(catalog.categories),
                "errors": len(errors),
                "warnings": len(warnings),
                "problems": [p.to_json() for p in problems],
            }
        )
    else:
        for problem in problems:
            print(problem.format())
        verdict = "OK" if not errors else "FAILED"
        print(
            f"{verdict}: {catalog.root}: {len(catalog)} resources in {len(catalog.categories)} categories, "
            f"{len(errors)} error(s), {len(warnings)} warning(s)"
        )
    return 1 if errors else 0


def cmd_list(args: argparse.Namespace) -> int:
    catalog, problems = _load(args)
    _report([p for p in problems if p.severity == "error"])
    categories = catalog.categories
    if args.category:
        chosen = catalog.category(args.category)
        if chosen is None:
            known = ", ".join(c.id for c in catalog.categories)
            return error(f"no category '{args.category}' in {catalog.root}", f"use one of: {known}")
        categories = [chosen]
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": {"title": catalog.title, "path": str(catalog.root)},
                "categories": [
                    {**c.to_json(), "resources": [r.to_json() for r in catalog.in_category(c.id)]}
                    for c in categories
                ],
            }
        )
        return 0
    for category in categories:
        resources = catalog.in_category(category.id)
        print(f"{category.name} ({len(resources)})")
        if not resources:
            print("  (no resources yet)")
        for res in resources:
            year = f", {res.year}" if res.year else ""
            credit = f" — {res.credit}" if res.credit else ""
            print(f"  {res.id:<48} {res.title}{credit}{year}")
        print()
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    catalog, _problems = _load(args)
    res = catalog.get(args.resource)
    if res is None:
        return error(
            f"no resource '{args.resource}' in {catalog.root}",
            "run `ctdc list` to see every id, or `ctdc search WORDS` to find one",
        )
    if args.json:
        print_json({"version": JSON_SCHEMA_VERSION, "resource": res.to_json()})
        return 0
    category = catalog.category(res.category)
    lines = [res.title]
    if res.title_full and res.title_full != res.title:
        lines.append(f"  ({res.title_full})")
    lines.append("")
    if res.authors:
        lines.append(f"Authors:       {'; '.join(res.authors)}")
    if res.organizations:
        lines.append(f"Organisations: {'; '.join(res.organizations)}")
    if res.publisher:
        lines.append(f"Publisher:     {res.publisher}")
    if res.year:
        lines.append(f"Year:          {res.year}")
    if res.kind:
        lines.append(f"Kind:          {res.kind}")
    if category:
        lines.append(f"Category:      {category.name}")
    if res.tags:
        lines.append(f"Tags:          {', '.join(res.tags)}")
    lines.append(f"Link:          {res.url}")
    for alt in res.alternate_urls:
        lines.append(f"Also at:       {alt}")
    if res.note:
        lines.append(f"Note:          {res.note}")
    lines += ["", res.description]
    print("\n".join(lines))
    return 0
