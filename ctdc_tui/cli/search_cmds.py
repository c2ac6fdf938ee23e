"""``ctdc search`` and ``ctdc index``: the search index, from the command line.

Whoosh is imported inside the handlers (through ``ctdc_tui.core.search``), never
when the parser is built. The JSON shapes are documented in ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from ctdc_tui.cli.output import JSON_SCHEMA_VERSION, catalogue_path, error, index_dir_option, print_json
from ctdc_tui.core.text import one_line, printable

if TYPE_CHECKING:
    from ctdc_tui.core.search import Highlight, Results, SearchIndex


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "search",
        parents=[common],
        help="search the catalogue (see docs/search.md for the query language)",
        description="Search the catalogue. All words are required; quote phrases, use prefix*, "
        "fuzzy~, OR, NOT/-word, category:, tag:, author:, org:, kind:, year:2014..2017.",
    )
    p.add_argument("query", metavar="QUERY", nargs="+", help="what to look for (several words are joined)")
    p.add_argument("--category", metavar="ID", help="only resources of this category")
    p.add_argument(
        "--limit", metavar="N", type=_limit, default=20, help="show at most N hits (0: all; default 20)"
    )
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("index", parents=[common], help="build, rebuild or check the search index")
    p.add_argument("--rebuild", action="store_true", help="build the index again even if it is fresh")
    p.add_argument(
        "--check", action="store_true", help="verify the index without building it (exit 1 if unusable)"
    )
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.set_defaults(handler=cmd_index)


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("use 0 for all hits, or a positive number")
    return value


class _ProgressBar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or (time.monotonic() - self.started < 0.3 and done < total):
            return
        width = 30
        filled = width * done // total if total else width
        sys.stderr.write(f"\rindexing [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        sys.stderr.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def _open(args: argparse.Namespace, rebuild: bool = False) -> SearchIndex:
    from ctdc_tui.core.search import SearchIndex

    bar = _ProgressBar()
    try:
        index = SearchIndex.open(catalogue_path(args), index_dir_option(args), rebuild=rebuild, progress=bar)
    finally:
        bar.finish()
    for notice in index.notices:
        print(f"ctdc: {printable(notice)}", file=sys.stderr)
    return index


def _highlight_json(h: Highlight) -> dict[str, Any]:
    return {"text": h.text, "spans": [list(s) for s in h.spans]}


def _marked(h: Highlight) -> str:
    """The highlight's text with matched words between « and » (plain terminals have no bold)."""
    out, last = [], 0
    for start, end in h.spans:
        out += [h.text[last:start], "«", h.text[start:end], "»"]
        last = end
    out.append(h.text[last:])
    return one_line("".join(out))


def cmd_search(args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    limit = args.limit or None
    with _open(args) as index:
        if args.category and index.catalogue.category(args.category) is None:
            known = ", ".join(c.id for c in index.catalogue.categories)
            return error(f"no category '{args.category}' in {index.catalogue_path}", f"use one of: {known}")
        results = index.search(text, category=args.category, limit=limit)
        if args.json:
            print_json(_search_json(results, args.category))
        else:
            _print_search(results, args.category)
        return 0 if len(results) else 1


def _search_json(results: Results, category: str | None) -> dict[str, Any]:
    facets = results.facets
    hits = []
    for i, res in enumerate(results):
        hits.append(
            {
                "id": res.id,
                "title": res.title,
                "score": results.score(i),
                "category": res.category,
                "url": res.url,
                "year": res.year,
                "highlights": {
                    "title": _highlight_json(results.highlight_title(i)),
                    "description": _highlight_json(results.highlight_description(i)),
                },
            }
        )
    return {
        "version": JSON_SCHEMA_VERSION,
        "query": results.query,
        "category": category,
        "total": results.total,
        "total_is_estimate": results.total_is_estimate,
        "fallback": results.fallback,
        "suggestion": results.suggestion,
        "explanation": results.explanation,
        "facets": facets,
        "results": hits,
    }


def _print_search(results: Results, category: str | None) -> None:
    if results.explanation and not len(results):
        print(printable(results.explanation))
    if results.suggestion:
        print(f"Did you mean: {one_line(results.suggestion)}")
    if not len(results):
        return
    facets = results.facets
    count = f"{results.total}+" if results.total_is_estimate else str(results.total)
    where = f" in {category}" if category else ""
    print(f"{count} result(s) for {one_line(results.query)!r}{where}, best first:")
    if results.fallback:
        print("(no resource has every word; showing resources with any of them)")
    for i, res in enumerate(results):
        year = f", {res.year}" if res.year else ""
        credit = f" — {one_line(res.credit)}" if res.credit else ""
        print(f"\n{i + 1:>3}. {_marked(results.highlight_title(i))}{credit}{year}")
        print(f"     {one_line(res.id)}  [{one_line(res.category)}]")
        fragment = results.highlight_description(i)
        if fragment.text:
            print(f"     {_marked(fragment)}")
    if facets:
        shown = ", ".join(f"{one_line(cid)} {n}" for cid, n in facets.items())
        print(f"\nBy category: {shown}")


def cmd_index(args: argparse.Namespace) -> int:
    if args.check:
        return _check(args)
    with _open(args, rebuild=args.rebuild) as index:
        info = index.info
        payload = {
            "version": JSON_SCHEMA_VERSION,
            "catalogue": str(index.catalogue_path),
            "location": str(index.location) if index.location else None,
            "in_memory": index.location is None,
            "resources": info.resource_count,
            "categories": len(index.catalogue.categories),
            "fingerprint": info.fingerprint,
            "built_at": info.built_at,
            "build_seconds": info.build_seconds,
            "rebuilt": info.rebuilt,
            "schema_version": info.schema_version,
            "whoosh_version": info.whoosh_version,
            "notices": list(index.notices),
        }
    if args.json:
        print_json(payload)
        return 0
    location = payload["location"] or "memory (this run only)"
    print(f"Index:        {printable(str(location))}")
    print(f"Catalogue:    {printable(str(payload['catalogue']))}")
    print(f"Resources:    {info.resource_count} in {payload['categories']} categories")
    print(f"Fingerprint:  {info.fingerprint[:16]}…")
    state = "built now" if info.rebuilt else "up to date, opened as is"
    print(f"Built:        {info.built_at} in {info.build_seconds:.2f} s ({state})")
    print(f"Engine:       Whoosh {info.whoosh_version}, schema {info.schema_version}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from ctdc_tui.core.search import check_index

    verdict = check_index(catalogue_path(args), index_dir_option(args))
    if args.json:
        print_json({"version": JSON_SCHEMA_VERSION, **verdict.to_json()})
    else:
        where = printable(str(verdict.location)) if verdict.location else "-"
        if verdict.ok:
            print(f"OK: {where}: {verdict.resource_count} resources, {verdict.reason}")
        else:
            print(f"{verdict.status.upper()}: {where}: {printable(verdict.reason)}")
            print("  fix: run `ctdc index --rebuild` (the app also rebuilds it by itself at start)")
    return 0 if verdict.ok else 1
