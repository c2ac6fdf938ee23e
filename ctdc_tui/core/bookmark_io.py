"""Bookmark export (Markdown, CSV, JSON, HTML) and import (JSON, HTML).

Exports are plain functions of a list of ``Bookmark``s; every catalogue value in
them is data, never markup:

- Markdown: a reading list grouped by category. Titles and notes are
  backslash-escaped so that brackets, ``<tags>``, backticks, ``#`` and list
  markers stay text and cannot open links, HTML or new blocks; links are shown
  only when they are http(s).
- CSV: one row per bookmark. A cell that begins with ``=``, ``+``, ``-``, ``@``,
  a tab, CR or LF (or their full-width forms) gets a leading ``'`` so that a
  spreadsheet shows it as text and never evaluates it.
- JSON: ``{"format": "ctdc-bookmarks", "version": 1, ...}``; exact round trip.
- HTML: the Netscape bookmark format that Firefox and Chrome import, one folder
  per category, every value HTML-escaped; non-web links get no ``HREF``. Extra
  ``DATA-CTDC-*`` attributes carry what a browser would lose (id, exact note,
  tags, times), so our own HTML export round-trips exactly too.

``parse_import`` reads the JSON and HTML exports and browsers' HTML bookmark
files. It never raises: a file it cannot read at all sets ``fatal``; an entry it
cannot read is listed in ``unreadable`` with where and why; a browser bookmark
whose link is not a resource of the catalogue is listed in ``skipped``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from ctdc_tui.core.bookmarks import (
    Bookmark,
    BookmarkStatus,
    BookmarkStore,
    bookmark_status,
    clean_tags,
    clean_text,
    utc_now,
)
from ctdc_tui.core.catalog import Catalog, Resource
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.link_status import is_openable

ExportFormat = Literal["markdown", "csv", "json", "html"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("markdown", "csv", "json", "html")
JSON_FORMAT = "ctdc-bookmarks"
JSON_VERSION = 1
MAX_IMPORT_BYTES = 64 * 1024 * 1024

CSV_COLUMNS = ("category", "id", "title", "url", "note", "tags", "created", "changed", "status")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_STATUS_WORDS = {
    "ok": "",
    "missing": "not in the catalogue",
    "changed": "changed in the catalogue since it was saved",
}


# ----------------------------------------------------------------------------- export
@dataclass(frozen=True, slots=True)
class ExportContext:
    """What an export says about the catalogue the bookmarks belong to."""

    catalogue_key: str = ""
    catalogue_title: str = ""
    category_names: Mapping[str, str] = field(default_factory=dict)
    category_order: Sequence[str] = ()
    status: Mapping[str, BookmarkStatus] = field(default_factory=dict)
    exported: str = ""

    @classmethod
    def for_catalog(
        cls, catalogue_key: str, catalog: Catalog | None, bookmarks: Iterable[Bookmark]
    ) -> ExportContext:
        if catalog is None:
            return cls(catalogue_key=catalogue_key, exported=utc_now())
        return cls(
            catalogue_key=catalogue_key,
            catalogue_title=catalog.title,
            category_names={c.id: c.name for c in catalog.categories},
            category_order=[c.id for c in catalog.categories],
            status=bookmark_status(bookmarks, catalog),
            exported=utc_now(),
        )

    def category_name(self, category: str) -> str:
        return self.category_names.get(category) or category or "Uncategorised"


def export_bookmarks(fmt: str, bookmarks: Sequence[Bookmark], context: ExportContext | None = None) -> str:
    """The text of ``bookmarks`` in format ``fmt`` (one of ``EXPORT_FORMATS``)."""
    context = context or ExportContext(exported=utc_now())
    writers: dict[str, Callable[[Sequence[Bookmark], ExportContext], str]] = {
        "markdown": to_markdown,
        "csv": to_csv,
        "json": to_json,
        "html": to_html,
    }
    writer = writers.get(fmt)
    if writer is None:
        raise CtdcError(f"unknown export format '{fmt}'", f"use one of: {', '.join(EXPORT_FORMATS)}")
    return writer(bookmarks, context)


def _grouped(bookmarks: Sequence[Bookmark], context: ExportContext) -> list[tuple[str, list[Bookmark]]]:
    groups: dict[str, list[Bookmark]] = {}
    for b in bookmarks:
        groups.setdefault(b.category, []).append(b)
    known = [c for c in context.category_order if c in groups]
    rest = sorted(
        (c for c in groups if c not in context.category_order), key=lambda c: context.category_name(c)
    )
    return [(c, groups[c]) for c in (*known, *rest)]


_MD_ESCAPE = set("\\`*_[]<>|~&$")


def md_text(text: str) -> str:
    """One line of ``text`` safe inside Markdown: no markup, links, HTML or block starts."""
    escaped = "".join("\\" + ch if ch in _MD_ESCAPE else ch for ch in text)
    stripped = escaped.lstrip()
    if not stripped:
        return ""
    first = stripped[0]
    if first in "#>-+=:" or (first.isdigit() and _starts_ordered_item(stripped)):
        stripped = "\\" + stripped if not first.isdigit() else _escape_ordered(stripped)
    return stripped


def _starts_ordered_item(text: str) -> bool:
    digits = len(text) - len(text.lstrip("0123456789"))
    return 0 < digits < len(text) and text[digits] in ".)"


def _escape_ordered(text: str) -> str:
    digits = len(text) - len(text.lstrip("0123456789"))
    return text[:digits] + "\\" + text[digits:]


def _md_link(url: str) -> str:
    safe = quote(url.strip(), safe="/:?#[]@!$&'()*+,;=%~-._")
    return f"<{safe}>"


def to_markdown(bookmarks: Sequence[Bookmark], context: ExportContext) -> str:
    title = context.catalogue_title or "bookmarks"
    lines = [f"# Reading list: {md_text(' '.join(title.split()))}", ""]
    day = context.exported[:10]
    lines += [f"{len(bookmarks)} bookmark(s){', exported ' + day if day else ''}.", ""]
    for category, items in _grouped(bookmarks, context):
        lines += [f"## {md_text(' '.join(context.category_name(category).split()))}", ""]
        for b in items:
            label = md_text(" ".join(b.title.split())) or md_text(b.resource_id)
            if is_openable(b.url):
                lines.append(f"- [{label}]({_md_link(b.url)})")
            else:
                lines.append(f"- {label} (link: {md_text(' '.join(b.url.split())) or 'none'})")
            for raw in b.note.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                text = md_text(raw)
                lines.append(f"  > {text}" if text else "  >")
            if b.tags:
                lines.append(f"  Tags: {md_text(', '.join(' '.join(t.split()) for t in b.tags))}")
            warning = _STATUS_WORDS.get(context.status.get(b.resource_id, "ok"), "")
            if warning:
                lines.append(f"  *({warning})*")
        lines.append("")
    return "\n".join(_drop_empty_quotes(lines)).rstrip("\n") + "\n"


def _drop_empty_quotes(lines: list[str]) -> list[str]:
    """An empty note leaves a lone ``  >``; drop quote lines that are all empty for one item."""
    out: list[str] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("  >"):
            block.append(line)
            continue
        if any(q != "  >" for q in block):
            out += block
        block = []
        out.append(line)
    return out[:-1]


def neutralise_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: formula-like starts get a leading ``'``."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(bookmarks: Sequence[Bookmark], context: ExportContext) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for b in bookmarks:
        status = _STATUS_WORDS.get(context.status.get(b.resource_id, "ok"), "")
        row = (
            context.category_name(b.category),
            b.resource_id,
            b.title,
            b.url,
            b.note,
            "; ".join(b.tags),
            b.created,
            b.changed,
            status,
        )
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue()


def to_json(bookmarks: Sequence[Bookmark], context: ExportContext) -> str:
    payload = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "exported": context.exported,
        "catalogue": {"key": context.catalogue_key, "title": context.catalogue_title},
        "bookmarks": [b.to_json() for b in bookmarks],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _attr(value: str) -> str:
    return html.escape(value, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")


def _epoch(stamp: str) -> str:
    parsed = parse_time(stamp)
    return str(int(parsed.timestamp())) if parsed else ""


def to_html(bookmarks: Sequence[Bookmark], context: ExportContext) -> str:
    title = context.catalogue_title or "CTDC bookmarks"
    out = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- Bookmarks exported by ctdc-tui. Import this file in Firefox or Chrome, or with"
        " `ctdc bookmarks import`. -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        f"<TITLE>{_attr(title)}</TITLE>",
        f"<H1>{_attr(title)}</H1>",
        "<DL><p>",
    ]
    for category, items in _grouped(bookmarks, context):
        out.append(f"    <DT><H3>{_attr(context.category_name(category))}</H3>")
        out.append("    <DL><p>")
        for b in items:
            attrs: list[tuple[str, str]] = []
            if is_openable(b.url):
                attrs.append(("HREF", b.url))
            attrs += [("ADD_DATE", _epoch(b.created)), ("LAST_MODIFIED", _epoch(b.changed))]
            if b.tags:
                attrs.append(("TAGS", ",".join(t.replace(",", " ") for t in b.tags)))
            attrs += [
                ("DATA-CTDC-ID", b.resource_id),
                ("DATA-CTDC-URL", b.url),
                ("DATA-CTDC-CATEGORY", b.category),
                ("DATA-CTDC-NOTE", b.note),
                ("DATA-CTDC-TAGS", json.dumps(list(b.tags), ensure_ascii=False)),
                ("DATA-CTDC-CREATED", b.created),
                ("DATA-CTDC-CHANGED", b.changed),
            ]
            rendered = " ".join(
                f'{name}="{_attr(value)}"' for name, value in attrs if value or name[:4] == "DATA"
            )
            out.append(f"        <DT><A {rendered}>{_attr(b.title)}</A>")
            if b.note:
                out.append(f"        <DD>{_attr(b.note)}")
        out.append("    </DL><p>")
    out.append("</DL><p>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- import
@dataclass(slots=True)
class ParsedImport:
    """What a file held: bookmarks to merge, entries skipped (with why), entries unreadable."""

    format: str = ""
    bookmarks: list[Bookmark] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    fatal: str | None = None  # the whole file could not be read


@dataclass(slots=True)
class ImportReport:
    """What ``import_bookmarks`` did (or, with ``dry_run``, would do)."""

    source: str
    format: str
    dry_run: bool
    added: list[Bookmark] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "format": self.format,
            "dry_run": self.dry_run,
            "added": [b.to_json() for b in self.added],
            "skipped": [{"entry": what, "reason": why} for what, why in self.skipped],
            "unreadable": [{"where": where, "reason": why} for where, why in self.unreadable],
        }


def parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, TypeError, AttributeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _from_epoch(value: str) -> str:
    try:
        seconds = int(value.strip())
        if seconds > 10**11:  # Chrome and some exporters write microseconds
            seconds //= 1_000_000
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except (ValueError, OverflowError, OSError):
        return ""


def normalise_url(url: str) -> str:
    """A link reduced for matching: scheme-less, lower-case host, no ``www.``, no trailing ``/``."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def resources_by_url(resources: Iterable[Resource]) -> dict[str, Resource]:
    """Normalised link (main and alternates) -> resource, for matching browser bookmarks."""
    found: dict[str, Resource] = {}
    for res in resources:
        for url in (res.url, *res.alternate_urls):
            if is_openable(url.strip()):
                found.setdefault(normalise_url(url), res)
    return found


def _text(value: object) -> str | None:
    return clean_text(value) if isinstance(value, str) else None


def _json_entry(raw: object) -> tuple[Bookmark | None, str]:
    """One entry of a JSON export -> (bookmark, "") or (None, why it cannot be read)."""
    if not isinstance(raw, dict):
        return None, "is not an object"
    rid = _text(raw.get("id"))
    if not rid or not rid.strip():
        return None, "has no 'id' (text)"
    fields: dict[str, str] = {}
    for name in ("title", "url", "category", "note", "created", "changed"):
        value = raw.get(name, "")
        text = _text(value if value is not None else "")
        if text is None:
            return None, f"field '{name}' must be text"
        fields[name] = text
    if not fields["url"].strip():
        return None, "has no 'url'"
    for name in ("created", "changed"):
        if fields[name] and parse_time(fields[name]) is None:
            return None, f"field '{name}' is not a date and time (ISO 8601, e.g. 2026-01-31T12:00:00Z)"
    tags = raw.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return None, "field 'tags' must be a list of text"
    bookmark = Bookmark(
        catalogue="",
        resource_id=rid,
        title=fields["title"] or rid,
        url=fields["url"],
        category=fields["category"],
        note=fields["note"],
        tags=clean_tags(tags),
        created=fields["created"],
        changed=fields["changed"] or fields["created"],
    )
    return bookmark, ""


def parse_json(text: str) -> ParsedImport:
    result = ParsedImport(format="json")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        result.fatal = f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        return result
    except (ValueError, RecursionError) as exc:
        result.fatal = f"not valid JSON: {type(exc).__name__}"
        return result
    if isinstance(doc, dict):
        fmt = doc.get("format")
        if fmt is not None and fmt != JSON_FORMAT:
            result.fatal = f"'format' is {fmt!r}, not {JSON_FORMAT!r}: this is not a ctdc bookmarks file"
            return result
        version = doc.get("version", JSON_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            result.fatal = "'version' must be a whole number"
            return result
        if version > JSON_VERSION:
            result.fatal = (
                f"written by a newer ctdc-tui (format version {version}; this one reads up to {JSON_VERSION})"
            )
            return result
        entries = doc.get("bookmarks")
    else:
        entries = doc
    if not isinstance(entries, list):
        result.fatal = "no 'bookmarks' list: this is not a ctdc bookmarks export"
        return result
    for n, raw in enumerate(entries, start=1):
        bookmark, why = _json_entry(raw)
        if bookmark is None:
            label = f"bookmark {n}"
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                label += f" ('{clean_text(raw['id'])}')"
            result.unreadable.append((label, why))
        else:
            result.bookmarks.append(bookmark)
    return result


class _NetscapeParser(HTMLParser):
    """Collects every ``<A>`` (with its attributes, text and following ``<DD>``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str]] = []
        self._in_a = False
        self._in_dd = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_dd = False
        if tag == "a":
            entry = {name.lower(): value or "" for name, value in attrs}
            entry["\0text"] = ""
            entry["\0line"] = str(self.getpos()[0])
            self.anchors.append(entry)
            self._in_a = True
        elif tag == "dd" and self.anchors:
            self.anchors[-1].setdefault("\0dd", "")
            self._in_dd = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_a = False
        elif tag in ("dl", "dd"):
            self._in_dd = False

    def handle_data(self, data: str) -> None:
        if self._in_a and self.anchors:
            self.anchors[-1]["\0text"] += data
        elif self._in_dd and self.anchors:
            self.anchors[-1]["\0dd"] += data


def _html_entry(a: dict[str, str], by_url: Mapping[str, Resource]) -> tuple[Bookmark | None, str, str]:
    """-> (bookmark, "", "") or (None, "skipped"|"unreadable", why)."""
    title = clean_text(a.get("\0text", ""))
    rid = clean_text(a.get("data-ctdc-id", ""))
    url = clean_text(a.get("data-ctdc-url", "") or a.get("href", ""))
    if rid.strip():
        if not url.strip():
            return None, "unreadable", "has no link (HREF)"
        tags_raw = a.get("data-ctdc-tags")
        tags: tuple[str, ...]
        if tags_raw is not None:
            try:
                parsed = json.loads(tags_raw)
            except (ValueError, RecursionError):
                return None, "unreadable", "DATA-CTDC-TAGS is not a JSON list"
            if not isinstance(parsed, list) or not all(isinstance(t, str) for t in parsed):
                return None, "unreadable", "DATA-CTDC-TAGS is not a JSON list of text"
            tags = clean_tags(parsed)
        else:
            tags = clean_tags(a.get("tags", "").split(","))
        created = clean_text(a.get("data-ctdc-created", "")) or _from_epoch(a.get("add_date", ""))
        changed = (
            clean_text(a.get("data-ctdc-changed", "")) or _from_epoch(a.get("last_modified", "")) or created
        )
        for name, value in (("DATA-CTDC-CREATED", created), ("DATA-CTDC-CHANGED", changed)):
            if value and parse_time(value) is None:
                return None, "unreadable", f"{name} is not a date and time (ISO 8601)"
        note = a["data-ctdc-note"] if "data-ctdc-note" in a else a.get("\0dd", "").strip()
        bookmark = Bookmark(
            catalogue="",
            resource_id=rid,
            title=title or rid,
            url=url,
            category=clean_text(a.get("data-ctdc-category", "")),
            note=clean_text(note),
            tags=tags,
            created=created,
            changed=changed,
        )
        return bookmark, "", ""
    href = url.strip()
    if not href:
        return None, "unreadable", "has no link (HREF)"
    if not is_openable(href):
        return None, "skipped", "not a web (http/https) link"
    resource = by_url.get(normalise_url(href))
    if resource is None:
        return None, "skipped", "no resource of this catalogue has this link"
    created = _from_epoch(a.get("add_date", ""))
    bookmark = Bookmark(
        catalogue="",
        resource_id=resource.id,
        title=resource.title,
        url=resource.url,
        category=resource.category,
        note=clean_text(a.get("\0dd", "").strip()),
        tags=clean_tags(a.get("tags", "").split(",")),
        created=created,
        changed=_from_epoch(a.get("last_modified", "")) or created,
    )
    return bookmark, "", ""


def parse_html(text: str, by_url: Mapping[str, Resource] | None = None) -> ParsedImport:
    result = ParsedImport(format="html")
    parser = _NetscapeParser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError, IndexError) as exc:  # the stdlib parser's rare complaints
        result.fatal = f"not readable as HTML ({type(exc).__name__}: {exc})"
        return result
    for n, a in enumerate(parser.anchors, start=1):
        bookmark, kind, why = _html_entry(a, by_url or {})
        if bookmark is not None:
            result.bookmarks.append(bookmark)
            continue
        label = " ".join(clean_text(a.get("\0text", "")).split())[:80]
        where = f"link {n} (line {a.get(chr(0) + 'line', '?')}{': ' + label if label else ''})"
        (result.skipped if kind == "skipped" else result.unreadable).append((where, why))
    if not parser.anchors:
        result.fatal = "no bookmarks (<A HREF=...> links) found in this HTML file"
    return result


def detect_format(text: str) -> str | None:
    head = text.lstrip("\ufeff \t\r\n")[:4096].lower()
    if head.startswith(("{", "[")):
        return "json"
    if "netscape-bookmark-file" in head or head.startswith("<") or "<dl" in head or "<a " in head:
        return "html"
    return None


def parse_import(text: str, by_url: Mapping[str, Resource] | None = None) -> ParsedImport:
    """Read an export (JSON or HTML) or a browser's bookmarks file. Never raises."""
    text = clean_text(text).removeprefix("\ufeff")
    fmt = detect_format(text)
    if fmt == "json":
        return parse_json(text)
    if fmt == "html":
        return parse_html(text, by_url)
    return ParsedImport(fatal="neither JSON nor HTML")


def read_import_file(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise CtdcError(
                f"{path} is {size // (1024 * 1024)} MB; bookmark files are far smaller",
                "check that this is a bookmarks export",
            )
        data = path.read_bytes()
    except CtdcError:
        raise
    except OSError as exc:
        raise CtdcError(
            f"cannot read {path}: {exc.strerror or exc}", "check the path and that the file is readable"
        ) from exc
    return data.decode("utf-8", errors="replace")


def import_bookmarks(
    store: BookmarkStore,
    catalogue_key: str,
    path: Path,
    *,
    catalog: Iterable[Resource] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Merge the bookmarks of ``path`` into ``catalogue_key``. ``CtdcError`` when the file as a
    whole cannot be read; entries that cannot be read are reported, never fatal."""
    parsed = parse_import(read_import_file(path), resources_by_url(catalog) if catalog is not None else None)
    if parsed.fatal:
        raise CtdcError(
            f"cannot import {path}: {parsed.fatal}",
            "import takes the JSON or HTML files written by `ctdc bookmarks export`, "
            "or the HTML bookmarks file a browser exports",
        )
    merged = store.merge(catalogue_key, parsed.bookmarks, dry_run=dry_run)
    report = ImportReport(source=str(path), format=parsed.format, dry_run=dry_run, added=merged.added)
    report.skipped = parsed.skipped + [(f"'{b.resource_id}' ({b.title})", why) for b, why in merged.skipped]
    report.unreadable = parsed.unreadable
    return report
