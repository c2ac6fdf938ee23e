"""``ctdc links check`` and ``ctdc links status``: which of the catalogue's links still work.

``check`` fetches every link (httpx, imported only inside the handler) and
stores the results in the per-catalogue link cache that the app reads;
``status`` shows what that cache knows without touching the network.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from ctdc_tui.cli.output import JSON_SCHEMA_VERSION, Subparsers, catalogue_path, error, print_json
from ctdc_tui.core.catalog import Resource, load_catalog
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.link_status import (
    LABELS,
    STATUSES,
    LinkResult,
    LinkStatusCache,
    archived_url,
    describe_age,
    resource_urls,
)
from ctdc_tui.core.text import one_line

if TYPE_CHECKING:
    from ctdc_tui.core.links import CheckReport

MAX_CONCURRENCY = 64
MAX_TIMEOUT = 300.0


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"{value} is out of range: use 1 to {MAX_CONCURRENCY}")
    return value


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: use more than 0 and at most {MAX_TIMEOUT:g}"
        )
    return value


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser(
        "links",
        parents=[common],
        help="check which links still work (links check), or show the last check (links status)",
    )
    actions = group.add_subparsers(dest="links_action", metavar="ACTION", required=True)

    p = actions.add_parser("check", parents=[common], help="fetch every link and remember the results")
    p.add_argument("--category", metavar="ID", help="only this category's resources")
    p.add_argument("--json", action="store_true", help="print the results as JSON (see docs/cli.md)")
    p.add_argument(
        "--concurrency", metavar="N", type=_concurrency, default=8, help="links fetched at once (default 8)"
    )
    p.add_argument(
        "--timeout", metavar="S", type=_timeout, default=10.0, help="seconds each link may take (default 10)"
    )
    p.set_defaults(handler=cmd_check)

    p = actions.add_parser(
        "status", parents=[common], help="show the last known status of every link (offline)"
    )
    p.add_argument("--category", metavar="ID", help="only this category's resources")
    p.add_argument("--json", action="store_true", help="print the statuses as JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_status)


def _resources(args: argparse.Namespace) -> tuple[str, list[Resource], LinkStatusCache] | int:
    """The catalogue folder, the resources the command is about and the link cache, or an exit code."""
    folder = catalogue_path(args)
    catalog, problems = load_catalog(folder)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(problem.format(), file=sys.stderr)
    if errors and not len(catalog):
        return error(
            f"no resources to check in {folder}", "fix the problems above; `ctdc validate` lists them all"
        )
    resources = list(catalog)
    if args.category:
        if catalog.category(args.category) is None:
            known = ", ".join(c.id for c in catalog.categories) or "(none)"
            return error(f"no category '{args.category}' in {catalog.root}", f"use one of: {known}")
        resources = catalog.in_category(args.category)
    cache = LinkStatusCache.load(folder)
    for notice in cache.notices:
        print(f"ctdc: note: {notice}", file=sys.stderr)
    return str(folder), resources, cache


class ProgressBar:
    """A one-line progress bar redrawn in place on a terminal; silent when ``stream`` is not one."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.dead = 0

    def update(self, done: int, total: int, result: LinkResult) -> None:
        if result.health == "dead":
            self.dead += 1
        if not self.enabled or total <= 0:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} links, {self.dead} failing")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.WIDTH + 40) + "\r")
            self.stream.flush()
            self.enabled = False  # (once: finish may be called again on the way out)


def cmd_check(args: argparse.Namespace) -> int:
    from ctdc_tui.core import links  # imports httpx: only when a check runs

    chosen = _resources(args)
    if isinstance(chosen, int):
        return chosen
    folder, resources, cache = chosen
    bar = ProgressBar(sys.stderr)
    try:
        report = links.check_resources(
            resources, concurrency=args.concurrency, timeout=args.timeout, progress=bar.update
        )
    except links.CheckInterrupted as stop:
        bar.finish()
        return _keep_interrupted(stop.report, cache)
    finally:
        bar.finish()
    saved, save_problem = False, None
    if not report.network_down and report.results:
        cache.record(report.resources, report.results.values())
        try:
            cache.save()
            saved = True
        except CtdcError as exc:
            save_problem = exc
    dead = sum(1 for r in report.results.values() if r.health == "dead")
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": folder,
                "cache": str(cache.path) if cache.path else None,
                "saved": saved,
                "network_down": report.network_down,
                "links": len(report.results),
                "dead": dead,
                "seconds": round(report.seconds, 3),
                "concurrency": args.concurrency,
                "timeout": args.timeout,
                "counts": _ordered_counts(report.counts),
                "resources": [
                    _resource_json(res, [report.results[u] for u in report.resources[res.id]])
                    for res in resources
                ],
            }
        )
    else:
        _print_report(report, resources, args, cache, saved)
    if save_problem is not None:
        print(f"ctdc: warning: {save_problem.message}", file=sys.stderr)
        print(f"  fix: {save_problem.hint}", file=sys.stderr)
    if report.network_down:
        _print_network_down(report, args.timeout)
        return 1
    return 1 if dead else 0


def _keep_interrupted(report: CheckReport, cache: LinkStatusCache) -> int:
    """Ctrl+C: save the links checked before it (atomically, like a whole check) and say how many."""
    checked = len(report.results)
    say = "ctdc: interrupted"
    if not checked:
        print(f"{say} before any link was checked; nothing was saved", file=sys.stderr)
        return 130
    if report.network_down:
        print(
            f"{say}: none of the {checked} link(s) checked so far got an answer from a web server "
            "(the network looks down), so nothing was saved and the last known statuses were kept",
            file=sys.stderr,
        )
        return 130
    cache.record(report.resources, report.results.values())
    try:
        cache.save()
    except CtdcError as exc:
        print(f"{say}: the {checked} link(s) checked so far were not saved: {exc.message}", file=sys.stderr)
        print(f"  fix: {exc.hint}", file=sys.stderr)
        return 130
    saved = sum(1 for url in report.results if url in cache.links)
    print(
        f"{say}: saved the {saved} link(s) checked so far (of {report.total}) to {cache.path}; "
        "the rest keep their last known status. Run `ctdc links check` again to check them all.",
        file=sys.stderr,
    )
    return 130


def cmd_status(args: argparse.Namespace) -> int:
    chosen = _resources(args)
    if isinstance(chosen, int):
        return chosen
    folder, resources, cache = chosen
    last = cache.last_checked()
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": folder,
                "cache": str(cache.path) if cache.path else None,
                "last_checked": last.isoformat(timespec="seconds") if last else None,
                "resources": [_resource_json(res, cache.results_for(res.id)) for res in resources],
            }
        )
        return 0
    if last is None:
        print("No link check yet for this catalogue: run `ctdc links check`.")
        return 0
    print(f"Last link check: {describe_age(last)} ({last:%Y-%m-%d %H:%M} UTC).")
    for res in resources:
        result = cache.get(res.id)
        mark = "never checked" if result is None else f"{result.label}, {result.age_text()}"
        print(f"  {one_line(res.id):<48} {mark}")
    return 0


def _ordered_counts(counts: dict[str, int]) -> dict[str, int]:
    return {status: counts[status] for status in STATUSES if counts.get(status)}


def _resource_json(res: Resource, results: Iterable[LinkResult]) -> dict[str, Any]:
    items = [{**r.to_json(), "archived_url": archived_url(r.url)} for r in results]
    return {
        "id": res.id,
        "title": res.title,
        "category": res.category,
        "health": items[0]["health"] if items and items[0]["url"] == resource_urls(res.url)[0] else None,
        "links": items,
    }


def _print_report(
    report: CheckReport,
    resources: list[Resource],
    args: argparse.Namespace,
    cache: LinkStatusCache,
    saved: bool,
) -> None:
    total = len(report.results)
    print(
        f"Checked {total} link{'s' if total != 1 else ''} of {len(resources)} resource"
        f"{'s' if len(resources) != 1 else ''} in {report.seconds:.1f} s "
        f"(concurrency {args.concurrency}, timeout {args.timeout:g} s)."
    )
    if not total:
        return
    print()
    counts = _ordered_counts(report.counts)
    width = max(len(LABELS[s]) for s in counts)
    print(f"  {'status':<{width}}  links")
    for status, count in counts.items():
        print(f"  {LABELS[status]:<{width}}  {count:>5}")
    print(f"  {'total':<{width}}  {total:>5}")
    if report.network_down:
        return
    attention = [
        (res, report.results[url], url == res.url)
        for res in resources
        for url in report.resources[res.id]
        if report.results[url].status not in ("ok", "not_checked")
    ]
    if attention:
        print("\nNeeds attention:")
    for res, result, is_main in attention:
        which = "" if is_main else " (alternate link)"
        print(f"  {one_line(res.id)}{which}: {result.label}")
        print(f"      {one_line(result.url)}")
        if result.final_url and result.health == "ok":
            advice = "update the catalogue" if result.status == "moved" else "redirects there"
            print(f"      now at {one_line(result.final_url)} ({advice})")
        elif result.error and result.http_status is None:
            print(f"      {one_line(result.error)}")
        archived = archived_url(result.url) if result.health == "dead" else None
        if archived:
            print(f"      archived copy: {one_line(archived)}")
    if saved:
        print(f"\nSaved to {cache.path}: the app shows these marks.")


def _print_network_down(report: CheckReport, timeout: float) -> None:
    counts = {s: n for s, n in _ordered_counts(report.counts).items() if s != "not_checked"}
    kinds = ", ".join(f"{LABELS[s]}: {n}" for s, n in counts.items())
    print(
        f"ctdc: error: the network looks down: not one of {sum(counts.values())} link(s) got an answer "
        f"from a web server within {timeout:g} s ({kinds}). The last known statuses were kept; "
        "no link was marked dead.",
        file=sys.stderr,
    )
    print(
        "  fix: check the connection (and HTTPS_PROXY if you need a proxy), then run `ctdc links check` "
        "again; on a slow network add --timeout 30",
        file=sys.stderr,
    )
