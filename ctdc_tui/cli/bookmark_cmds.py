"""``ctdc bookmarks …``: list, add, remove, annotate, export and import bookmarks.

Bookmarks belong to the catalogue given by ``--data`` (else ``$CTDC_DATA``, else
the bundled toolkit) and live in the bookmark store under the user data folder
(``$CTDC_HOME/data`` when set). Every write is one transaction; ``-o FILE``
writes atomically. See docs/bookmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ctdc_tui.cli.output import (
    JSON_SCHEMA_VERSION,
    Subparsers,
    catalogue_path,
    print_json,
    unknown_resource_hint,
)
from ctdc_tui.core import locations
from ctdc_tui.core.catalog import Catalog, load_catalog
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.text import one_line, printable

if TYPE_CHECKING:  # the store and the formats are imported by the handlers that use them
    from ctdc_tui.core.bookmarks import Bookmark, BookmarkStatus, BookmarkStore

# the same as ctdc_tui.core.bookmark_io.EXPORT_FORMATS (a test checks), kept here so that
# `ctdc --help` does not import the formats
FORMATS = ("markdown", "csv", "json", "html")

_MARKS: dict[BookmarkStatus, str] = {
    "ok": "",
    "missing": "  [not in the catalogue]",
    "changed": "  [changed in the catalogue]",
}


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser(
        "bookmarks",
        parents=[common],
        help="list, add, remove, annotate, export and import bookmarks",
        description="Bookmarks of the catalogue chosen by --data (each catalogue has its own).",
    )
    actions = group.add_subparsers(dest="bookmarks_action", metavar="ACTION", required=True)

    p = actions.add_parser("list", parents=[common], help="list the bookmarks of the catalogue")
    p.add_argument("--json", action="store_true", help="print JSON (see docs/cli.md)")
    p.add_argument(
        "--order", choices=("newest", "title"), default="newest", help="newest first (default) or by title"
    )
    p.set_defaults(handler=cmd_list)

    p = actions.add_parser("add", parents=[common], help="bookmark a resource by its id")
    p.add_argument("resource", metavar="ID", help="the resource id (see `ctdc list`)")
    p.add_argument("--note", metavar="TEXT", default="", help="why it matters (replaces an existing note)")
    p.add_argument("--tag", metavar="T", dest="tags", action="extend", nargs="+", default=[], help="tags")
    p.set_defaults(handler=cmd_add)

    p = actions.add_parser("remove", parents=[common], help="remove a bookmark")
    p.add_argument("resource", metavar="ID")
    p.set_defaults(handler=cmd_remove)

    p = actions.add_parser("note", parents=[common], help="set the note of a bookmark ('' clears it)")
    p.add_argument("resource", metavar="ID")
    p.add_argument("text", metavar="TEXT", help="the note; '-' reads it from standard input")
    p.set_defaults(handler=cmd_note)

    p = actions.add_parser(
        "export", parents=[common], help="write the bookmarks as Markdown, CSV, JSON or HTML"
    )
    p.add_argument("--format", choices=FORMATS, required=True, help="the file format")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(handler=cmd_export)

    p = actions.add_parser("import", parents=[common], help="merge bookmarks from a JSON or HTML file")
    p.add_argument(
        "file", metavar="FILE", help="a `bookmarks export` JSON/HTML file or a browser's HTML export"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would happen; change nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_import)


# ----------------------------------------------------------------------------- helpers
def _key(args: argparse.Namespace) -> str:
    return locations.catalogue_key(catalogue_path(args))


def _open_store() -> BookmarkStore:
    from ctdc_tui.core.bookmarks import BookmarkStore

    store = BookmarkStore.open()
    for notice in store.notices:
        print(f"ctdc: {printable(notice)}", file=sys.stderr)
    return store


def _catalog_or_none(args: argparse.Namespace) -> Catalog | None:
    """The catalogue, when it can be read; bookmarks are still listed (as saved) when not."""
    try:
        catalog, _problems = load_catalog(catalogue_path(args))
    except CtdcError as exc:
        print(f"ctdc: note: {printable(exc.message)}; bookmarks are shown as saved", file=sys.stderr)
        return None
    except Exception as exc:  # an unreadable catalogue must not hide the user's bookmarks
        reason = one_line(str(exc))
        print(
            f"ctdc: note: cannot read the catalogue ({reason}); bookmarks are shown as saved", file=sys.stderr
        )
        return None
    return catalog


def _status(bookmarks: list[Bookmark], catalog: Catalog | None) -> dict[str, BookmarkStatus]:
    from ctdc_tui.core.bookmarks import bookmark_status

    return bookmark_status(bookmarks, catalog) if catalog is not None else {}


def _not_bookmarked(resource_id: str) -> CtdcError:
    return CtdcError(
        f"'{one_line(resource_id)}' is not bookmarked in this catalogue",
        "`ctdc bookmarks list` shows every bookmark (use the same --data as when you added it)",
    )


# ----------------------------------------------------------------------------- commands
def cmd_list(args: argparse.Namespace) -> int:
    key = _key(args)
    catalog = _catalog_or_none(args)
    with _open_store() as store:
        bookmarks = store.list(key, args.order)
    status = _status(bookmarks, catalog)
    if args.json:
        print_json(
            {
                "version": JSON_SCHEMA_VERSION,
                "catalogue": {
                    "key": key,
                    "path": str(catalogue_path(args)),
                    "title": catalog.title if catalog else None,
                },
                "order": args.order,
                "bookmarks": [{**b.to_json(), "status": status.get(b.resource_id)} for b in bookmarks],
            }
        )
        return 0
    if not bookmarks:
        print("No bookmarks yet for this catalogue. Add one with `ctdc bookmarks add ID` or b in the app.")
        return 0
    name = catalog.title if catalog and catalog.title else str(catalogue_path(args))
    order = "newest first" if args.order == "newest" else "by title"
    print(one_line(f"{len(bookmarks)} bookmark(s) in {name}, {order}:"))
    for b in bookmarks:
        mark = _MARKS[status.get(b.resource_id, "ok")]
        print(f"  {one_line(b.resource_id)}{mark}")
        print(f"    {one_line(b.title)}")
        print(f"    {one_line(b.url)}")
        for line in b.note.splitlines():
            print(f"    > {one_line(line)}" if line.strip() else "    >")
        if b.tags:
            print(f"    tags: {one_line(', '.join(b.tags))}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    folder = catalogue_path(args)
    catalog, _problems = load_catalog(folder)
    resource = catalog.get(args.resource)
    if resource is None:
        hint = unknown_resource_hint(args.resource, catalog.resources)
        raise CtdcError(f"no resource '{one_line(args.resource)}' in the catalogue {folder}", hint)
    key = locations.catalogue_key(folder)
    with _open_store() as store:
        before = store.get(key, resource.id)
        bookmark = store.add(key, resource, note=args.note, tags=args.tags)
    if before is None:
        print(one_line(f"Bookmarked {bookmark.resource_id}: {bookmark.title}"))
    elif before != bookmark:
        print(one_line(f"Already bookmarked {bookmark.resource_id}; updated its note/tags"))
    else:
        print(one_line(f"Already bookmarked {bookmark.resource_id}; nothing changed"))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with _open_store() as store:
        removed = store.remove(_key(args), args.resource)
    if removed is None:
        raise _not_bookmarked(args.resource)
    print(one_line(f"Removed the bookmark {removed.resource_id}: {removed.title}"))
    if removed.note:
        print(printable(f"Its note was:\n{removed.note}"))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    with _open_store() as store:
        key = _key(args)
        if store.get(key, args.resource) is None:
            raise _not_bookmarked(args.resource)
        bookmark = store.set_note(key, args.resource, text.rstrip("\n") if args.text == "-" else text)
    what = "Cleared the note of" if not bookmark.note else "Saved the note of"
    print(one_line(f"{what} {bookmark.resource_id}"))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ctdc_tui.core.bookmark_io import ExportContext, export_bookmarks
    from ctdc_tui.core.fsutil import atomic_write_bytes

    key = _key(args)
    catalog = _catalog_or_none(args)
    with _open_store() as store:
        bookmarks = store.list(key, "title")
    text = export_bookmarks(args.format, bookmarks, ExportContext.for_catalog(key, catalog, bookmarks))
    if args.output:
        target = Path(args.output).expanduser()
        # a byte-order mark lets spreadsheets recognise UTF-8 in the CSV file
        data = ("\ufeff" + text if args.format == "csv" else text).encode("utf-8")
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise CtdcError(
                f"cannot write {target}: {exc.strerror or exc}",
                "choose a folder you can write to with -o FILE",
            ) from exc
        print(one_line(f"Exported {len(bookmarks)} bookmark(s) as {args.format} to {target}"))
        return 0
    sys.stdout.write(printable(text) if sys.stdout.isatty() else text)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ctdc_tui.core.bookmark_io import import_bookmarks

    key = _key(args)
    catalog = _catalog_or_none(args)
    with _open_store() as store:
        report = import_bookmarks(
            store, key, Path(args.file).expanduser(), catalog=catalog, dry_run=args.dry_run
        )
    if args.json:
        print_json({"version": JSON_SCHEMA_VERSION, **report.to_json()})
        return 0
    verb = "Would add" if report.dry_run else "Added"
    print(
        one_line(
            f"{report.source} ({report.format}): {verb.lower()} {len(report.added)}, "
            f"skipped {len(report.skipped)}, could not read {len(report.unreadable)}"
            + (" (dry run: nothing was changed)" if report.dry_run else "")
        )
    )
    if report.added:
        print(f"{verb}:")
        for b in report.added:
            print(f"  {one_line(b.resource_id)}: {one_line(b.title)}")
    if report.skipped:
        print("Skipped:")
        for what, why in report.skipped:
            print(f"  {one_line(what)}: {one_line(why)}")
    if report.unreadable:
        print("Could not read:")
        for where, why in report.unreadable:
            print(f"  {one_line(where)}: {one_line(why)}")
    return 0
