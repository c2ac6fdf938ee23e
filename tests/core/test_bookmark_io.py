"""Bookmark export and import: exact round trips, hostile text kept harmless, browser files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ctdc_tui.core.bookmark_io import (
    EXPORT_FORMATS,
    ExportContext,
    export_bookmarks,
    import_bookmarks,
    md_text,
    neutralise_cell,
    normalise_url,
    parse_import,
    resources_by_url,
)
from ctdc_tui.core.bookmarks import Bookmark, BookmarkStore
from ctdc_tui.core.catalog import Catalog, Category, Resource
from ctdc_tui.core.errors import CtdcError
from tests.adversarial.hostile_strings import HOSTILE

SRC = "toolkit-aaaaaaaaaaaa"
DST = "partner-bbbbbbbbbbbb"
T0 = "2026-01-02T03:04:05.000006Z"
ISO_HINT = "ISO 8601, e.g. 2026-01-31T12:00:00Z"


def hostile_bookmarks() -> list[Bookmark]:
    """One bookmark per hostile string: as the note, and (for every other one) as title and tag."""
    items = []
    for n, h in enumerate(HOSTILE):
        items.append(
            Bookmark(
                catalogue=SRC,
                resource_id=f"res-{n}-{h.name}",
                title=h.value if n % 2 else f"Plain title {n}",
                url=f"https://example.org/{n}?q=a&b=<c>" if n % 5 else "javascript:alert(1)",
                category=("ingredients", "sustaining-the-gain", "gone-category")[n % 3],
                note=h.value,
                tags=(h.value[:40], "plain") if n % 2 == 0 and h.value.strip() else (),
                created=f"2026-01-{1 + n % 28:02d}T03:04:05.{n:06d}Z",
                changed=f"2026-02-{1 + n % 28:02d}T03:04:05.{n:06d}Z",
            )
        )
    return items


def catalog_for(bookmarks: list[Bookmark]) -> Catalog:
    catalog = Catalog(root=Path("."), title="The [bold]Toolkit[/bold] <b>")
    catalog.categories = [
        Category("ingredients", "Ingredients <of> [collaboratives]"),
        Category("sustaining-the-gain", "# Sustaining the gain"),
    ]
    for b in bookmarks[:-3]:  # the last three left the catalogue
        catalog.resources[b.resource_id] = Resource(b.resource_id, b.title, b.url, b.category)
    return catalog


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BookmarkStore]:
    with BookmarkStore.open(tmp_path / "b.sqlite3") as s:
        yield s


def saved(store: BookmarkStore, items: list[Bookmark]) -> list[Bookmark]:
    store.merge(SRC, items)
    return store.list(SRC, "title")


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_export_then_import_round_trips_exactly(tmp_path: Path, store: BookmarkStore, fmt: str) -> None:
    original = saved(store, hostile_bookmarks())
    assert len(original) == len(HOSTILE)
    context = ExportContext.for_catalog(SRC, catalog_for(original), original)
    path = tmp_path / f"export.{fmt}"
    path.write_text(export_bookmarks(fmt, original, context), encoding="utf-8")

    with BookmarkStore.open(tmp_path / "other.sqlite3") as other:
        report = import_bookmarks(other, DST, path)
        assert report.unreadable == [] and report.skipped == []
        assert len(report.added) == len(original)
        back = other.list(DST, "title")
    assert back == [replace(b, catalogue=DST) for b in original]


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_import_merges_without_duplicates(tmp_path: Path, store: BookmarkStore, fmt: str) -> None:
    original = saved(store, hostile_bookmarks()[:6])
    path = tmp_path / f"export.{fmt}"
    path.write_text(export_bookmarks(fmt, original), encoding="utf-8")
    store.remove(SRC, original[0].resource_id)
    store.set_note(SRC, original[1].resource_id, "changed here")
    dry = import_bookmarks(store, SRC, path, dry_run=True)
    assert [b.resource_id for b in dry.added] == [original[0].resource_id]
    assert store.get(SRC, original[0].resource_id) is None  # a dry run changes nothing
    report = import_bookmarks(store, SRC, path)
    assert [b.resource_id for b in report.added] == [original[0].resource_id]
    assert len(report.skipped) == 5 and all(why == "already bookmarked" for _, why in report.skipped)
    assert store.get(SRC, original[0].resource_id) == original[0]
    kept = store.get(SRC, original[1].resource_id)
    assert kept is not None and kept.note == "changed here"  # what is in the store wins
    assert store.count(SRC) == 6


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self._in_a = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self._in_a = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_a = False

    def handle_data(self, data: str) -> None:
        if self._in_a:
            self.texts[-1] += data


def test_html_export_escapes_every_value(store: BookmarkStore) -> None:
    items = saved(store, hostile_bookmarks())
    text = export_bookmarks("html", items, ExportContext.for_catalog(SRC, catalog_for(items), items))
    assert text.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    parser = TagCollector()
    parser.feed(text)
    names = {tag for tag, _ in parser.tags}
    assert names <= {"meta", "title", "h1", "dl", "p", "dt", "h3", "a", "dd"}
    anchors = [attrs for tag, attrs in parser.tags if tag == "a"]
    assert len(anchors) == len(items)
    by_id = {b.resource_id: b for b in items}
    for attrs, title in zip(anchors, parser.texts, strict=True):
        assert not any(name.startswith("on") for name in attrs)
        b = by_id[str(attrs["data-ctdc-id"])]
        assert title == b.title
        assert attrs["data-ctdc-note"] == b.note
        if b.url.startswith("https://"):
            assert attrs["href"] == b.url
        else:
            assert "href" not in attrs  # never a javascript: bookmarklet in the browser
    assert "<script>" not in text and "<img" not in text


def test_csv_neutralises_formulas_and_keeps_the_rest(store: BookmarkStore) -> None:
    items = saved(store, hostile_bookmarks())
    text = export_bookmarks("csv", items, ExportContext.for_catalog(SRC, catalog_for(items), items))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["category", "id", "title", "url", "note", "tags", "created", "changed", "status"]
    assert len(rows) == len(items) + 1
    for row, b in zip(rows[1:], items, strict=True):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell
        assert row[1] == b.resource_id
        assert row[4] == neutralise_cell(b.note)
        if b.note.startswith(("=", "+", "-", "@")):
            assert row[4] == "'" + b.note
    formulas = {h.value for h in HOSTILE if h.name.startswith("csv-formula")}
    assert {r[4] for r in rows[1:]} >= {"'" + f for f in formulas}
    statuses = {r[1]: r[8] for r in rows[1:]}
    assert sum(1 for s in statuses.values() if s == "not in the catalogue") == 3


def test_markdown_reading_list_structure_survives_hostile_text(store: BookmarkStore) -> None:
    items = saved(store, hostile_bookmarks())
    catalog = catalog_for(items)
    text = export_bookmarks("markdown", items, ExportContext.for_catalog(SRC, catalog, items))
    tokens = MarkdownIt("commonmark").parse(text)
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [h.tag for h in headings] == ["h1", "h2", "h2", "h2"]  # title + three category groups
    rendered = MarkdownIt("commonmark").render(text)
    assert "<script>" not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert rendered.count("<li>") == len(items)  # no note starts a new item or list
    assert rendered.count("<h2>") == 3 and rendered.count("<h1>") == 1
    links = [
        child.attrs["href"]
        for t in tokens
        if t.type == "inline" and t.children
        for child in t.children
        if child.type == "link_open"
    ]
    web = [b for b in items if b.url.startswith("https://")]
    assert len(links) == len(web)  # one link per web bookmark, none from titles or notes
    assert all(str(href).startswith("https://example.org/") for href in links)
    assert "Ingredients &lt;of&gt; [collaboratives]" in rendered  # category names as text
    assert rendered.count("(not in the catalogue)") == 3
    labels = []
    for t in tokens:
        if t.type == "inline" and t.children and t.children[0].type == "link_open":
            end = [c.type for c in t.children].index("link_close")
            labels.append("".join(c.content for c in t.children[1:end]))
    expected = [
        " ".join(b.title.split()).replace("\x00", "\ufffd") for b in items if b.url.startswith("https")
    ]
    assert sorted(labels) == sorted(expected)  # every title shown literally, as the link text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# heading", "\\# heading"),
        ("   - item", "\\- item"),
        ("12. twelve", "12\\. twelve"),
        ("3) three", "3\\) three"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("<b>&amp;", "\\<b\\>\\&amp;"),
        ("`code`", "\\`code\\`"),
        ("2026 was", "2026 was"),
        ("", ""),
    ],
)
def test_md_text(line: str, expected: str) -> None:
    assert md_text(line) == expected


def test_every_format_exports_an_empty_list() -> None:
    for fmt in EXPORT_FORMATS:
        text = export_bookmarks(fmt, [])
        assert text.endswith("\n")
    assert json.loads(export_bookmarks("json", []))["bookmarks"] == []
    with pytest.raises(CtdcError) as info:
        export_bookmarks("pdf", [])
    assert "markdown" in info.value.hint


def test_json_export_has_a_version_and_the_catalogue() -> None:
    b = Bookmark(SRC, "a", "A", "https://a.org", "ingredients", "n", ("t",), T0, T0)
    doc = json.loads(export_bookmarks("json", [b], ExportContext(catalogue_key=SRC, catalogue_title="T")))
    assert doc["format"] == "ctdc-bookmarks" and doc["version"] == 1
    assert doc["catalogue"] == {"key": SRC, "title": "T"}
    assert doc["bookmarks"] == [
        {
            "id": "a",
            "title": "A",
            "url": "https://a.org",
            "category": "ingredients",
            "note": "n",
            "tags": ["t"],
            "created": T0,
            "changed": T0,
        }
    ]


BROWSER_EXPORT = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
    <DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000001">Civic data</H3>
    <DL><p>
        <DT><A HREF="https://www.example.org/guide/" ADD_DATE="1700000100" LAST_MODIFIED="1700000200" \
TAGS="data,toolkit">A guide, as the browser titled it</A>
        <DD>Read before the &lt;workshop&gt; &amp; share
        <DT><A HREF="http://example.org/report?id=7" ADD_DATE="1700000300">Report</A>
        <DT><A HREF="https://news.example.net/">Unrelated news</A>
        <DT><A HREF="javascript:alert(document.cookie)">A bookmarklet</A>
        <DT><A HREF="place:sort=8&maxResults=10">Recent tags</A>
        <DT><A ADD_DATE="1700000400">No link at all</A>
        <DT><A HREF="https://example.org/guide">The guide again</A>
    </DL><p>
</DL><p>
"""


def browser_catalog() -> Catalog:
    catalog = Catalog(root=Path("."))
    for r in (
        Resource("guide", "The Guide", "https://example.org/guide", "ingredients"),
        Resource("report", "The Report", "https://example.org/report?id=7", "sustaining-the-gain"),
        Resource(
            "alt", "Alt", "https://alt.example.org/x", "ingredients", alternate_urls=("https://mirror.org/x",)
        ),
    ):
        catalog.resources[r.id] = r
    return catalog


def test_browser_html_is_matched_to_the_catalogue_by_link(tmp_path: Path, store: BookmarkStore) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(BROWSER_EXPORT, encoding="utf-8")
    report = import_bookmarks(store, SRC, path, catalog=browser_catalog())
    assert report.format == "html"
    assert [b.resource_id for b in report.added] == ["guide", "report"]
    guide = store.get(SRC, "guide")
    assert guide is not None
    assert (guide.title, guide.url, guide.category) == (
        "The Guide",
        "https://example.org/guide",
        "ingredients",
    )
    assert guide.note == "Read before the <workshop> & share"
    assert guide.tags == ("data", "toolkit")
    assert guide.created == "2023-11-14T22:15:00.000000Z" and guide.changed == "2023-11-14T22:16:40.000000Z"
    report_bm = store.get(SRC, "report")
    assert report_bm is not None and report_bm.note == "" and report_bm.changed == report_bm.created
    reasons = [why for _, why in report.skipped]
    assert reasons == [
        "no resource of this catalogue has this link",
        "not a web (http/https) link",
        "not a web (http/https) link",
        "appears more than once in what was imported",
    ]
    assert [where for where, _ in report.unreadable] == ["link 6 (line 14: No link at all)"]
    assert report.unreadable[0][1] == "has no link (HREF)"


def test_browser_html_without_a_catalogue_adds_nothing(tmp_path: Path, store: BookmarkStore) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(BROWSER_EXPORT, encoding="utf-8")
    report = import_bookmarks(store, SRC, path, catalog=None)
    assert report.added == [] and store.count(SRC) == 0
    assert len(report.skipped) == 6


def test_normalise_url_and_alternates() -> None:
    assert normalise_url("HTTPS://WWW.Example.org/a/?x=1") == normalise_url("http://example.org/a?x=1")
    assert normalise_url("https://example.org:8080/") != normalise_url("https://example.org/")
    assert normalise_url("https://[bad") == "https://[bad"
    assert set(resources_by_url(browser_catalog())) >= {
        "mirror.org/x",
        "alt.example.org/x",
        "example.org/guide",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "ctdc-bookmarks", "version": 1, "bookmarks": [', "not valid JSON at line 1, column"),
        ('{"format": "ctdc-bookmarks", "version": 7, "bookmarks": []}', "newer ctdc-tui"),
        ('{"format": "something-else", "bookmarks": []}', "not a ctdc bookmarks file"),
        ('{"version": "1", "bookmarks": []}', "'version' must be a whole number"),
        ('{"bookmarks": {"a": 1}}', "no 'bookmarks' list"),
        ("just some words", "neither JSON nor HTML"),
        ("<html><body>no links here</body></html>", "no bookmarks"),
        ("[" * 100_000, "not valid JSON"),
    ],
    ids=["truncated", "newer", "other-format", "bad-version", "no-list", "words", "no-links", "deep"],
)
def test_unreadable_files_give_a_clear_error(
    tmp_path: Path, store: BookmarkStore, content: str, message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CtdcError) as info:
        import_bookmarks(store, SRC, path)
    assert str(path) in info.value.message and message in info.value.message
    assert "bookmarks export" in info.value.hint
    assert store.count(SRC) == 0


def test_missing_file_gives_a_clear_error(tmp_path: Path, store: BookmarkStore) -> None:
    with pytest.raises(CtdcError) as info:
        import_bookmarks(store, SRC, tmp_path / "nope.json")
    assert "nope.json" in info.value.message and "cannot read" in info.value.message


def test_bad_json_entries_are_reported_and_the_rest_imported() -> None:
    good = {"id": "ok", "title": "OK", "url": "https://ok.org", "created": T0}
    doc = {
        "format": "ctdc-bookmarks",
        "version": 1,
        "bookmarks": [
            good,
            "not an object",
            {"title": "no id", "url": "https://x.org"},
            {"id": "no-url"},
            {"id": "bad-tags", "url": "https://x.org", "tags": "a,b"},
            {"id": "bad-time", "url": "https://x.org", "created": "yesterday"},
            {"id": "bad-title", "url": "https://x.org", "title": ["x"]},
            {"id": "null-fields", "url": "https://x.org", "note": None, "tags": None},
        ],
    }
    parsed = parse_import(json.dumps(doc))
    assert parsed.fatal is None
    assert [b.resource_id for b in parsed.bookmarks] == ["ok", "null-fields"]
    ok = parsed.bookmarks[0]
    assert (ok.title, ok.created, ok.changed) == ("OK", T0, T0)
    assert parsed.unreadable == [
        ("bookmark 2", "is not an object"),
        ("bookmark 3", "has no 'id' (text)"),
        ("bookmark 4 ('no-url')", "has no 'url'"),
        ("bookmark 5 ('bad-tags')", "field 'tags' must be a list of text"),
        (
            "bookmark 6 ('bad-time')",
            "field 'created' is not a date and time (ISO 8601, e.g. 2026-01-31T12:00:00Z)",
        ),
        ("bookmark 7 ('bad-title')", "field 'title' must be text"),
    ]


def test_imported_entries_without_times_get_the_time_of_import(tmp_path: Path, store: BookmarkStore) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps([{"id": "a", "url": "https://a.org"}]), encoding="utf-8")
    import_bookmarks(store, SRC, path)
    b = store.get(SRC, "a")
    assert b is not None and b.created.startswith("20") and b.changed == b.created and b.title == "a"
