"""Property tests for bookmark import: no input makes it raise, and exports round-trip."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctdc_tui.core.bookmark_io import (
    ExportContext,
    ParsedImport,
    export_bookmarks,
    parse_import,
    resources_by_url,
)
from ctdc_tui.core.bookmarks import Bookmark
from ctdc_tui.core.catalog import Resource

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# any text a UTF-8 file can hold (no lone surrogates), including controls and markup characters
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
stamps = st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
)
bookmark = st.builds(
    Bookmark,
    catalogue=st.just(""),
    resource_id=text.filter(lambda s: s.strip() != ""),
    title=text.filter(lambda s: s != ""),
    url=st.one_of(text.filter(lambda s: s.strip() != ""), st.just("https://example.org/a?b=<c>&d")),
    category=text,
    note=text,
    tags=st.lists(text.filter(lambda s: s.strip() == s and s != ""), max_size=3, unique=True).map(tuple),
    created=stamps,
    changed=stamps,
)
bookmark_lists = st.lists(bookmark, max_size=6, unique_by=lambda b: b.resource_id)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
entry_keys = st.sampled_from(["id", "title", "url", "category", "note", "tags", "created", "changed"])
json_entries = st.dictionaries(entry_keys, json_values | text, max_size=8) | json_values

NOISE = ["", '"', "<", ">", "&", "{", "]", "\x00", "&#", "<A HREF=", "\n", "DATA-CTDC-ID="]
CATALOGUE = resources_by_url(
    [
        Resource("guide", "Guide", "https://example.org/guide", "ingredients"),
        Resource("report", "Report", "http://example.org/report?id=7", "ingredients"),
    ]
)


def well_formed(result: ParsedImport) -> None:
    assert isinstance(result, ParsedImport)
    if result.fatal is not None:
        assert isinstance(result.fatal, str) and result.fatal
    for where, why in [*result.unreadable, *result.skipped]:
        assert isinstance(where, str) and isinstance(why, str) and why
    for b in result.bookmarks:
        assert isinstance(b, Bookmark) and b.resource_id.strip() and b.url.strip()
        b.resource_id.encode("utf-8")  # storable: no lone surrogates
        b.note.encode("utf-8")


@FUZZ
@given(st.text(max_size=300))
def test_any_text_never_raises(data: str) -> None:
    well_formed(parse_import(data, CATALOGUE))


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_decoded_never_raise(data: bytes) -> None:
    well_formed(parse_import(data.decode("utf-8", errors="replace"), CATALOGUE))


@FUZZ
@given(st.lists(json_entries, max_size=6), st.sampled_from([None, 1, 0, -3]))
def test_random_json_entries_are_read_or_reported(entries: list[object], version: int | None) -> None:
    doc: dict[str, object] = {"format": "ctdc-bookmarks", "bookmarks": entries}
    if version is not None:
        doc["version"] = version
    result = parse_import(json.dumps(doc))
    well_formed(result)
    assert result.fatal is None
    assert len(result.bookmarks) + len(result.unreadable) == len(entries)  # each entry accounted for


@FUZZ
@given(bookmark_lists, st.sampled_from(["json", "html"]), st.data())
def test_mutated_exports_never_raise(items: list[Bookmark], fmt: str, data: st.DataObject) -> None:
    exported = export_bookmarks(fmt, items, ExportContext(exported="2026-01-01T00:00:00Z"))
    for _ in range(data.draw(st.integers(1, 4))):
        if not exported:
            break
        at = data.draw(st.integers(0, len(exported) - 1))
        cut = data.draw(st.integers(0, 30))
        insert = data.draw(
            st.sampled_from(["", '"', "<", ">", "&", "{", "]", "\x00", "&#", "<A HREF=", "\n"])
        )
        exported = exported[:at] + insert + exported[at + cut :]
    result = parse_import(exported, CATALOGUE)
    well_formed(result)
    assert len(result.bookmarks) <= len(items) + 2


@FUZZ
@given(bookmark_lists, st.sampled_from(["json", "html"]))
def test_exports_of_any_text_round_trip_exactly(items: list[Bookmark], fmt: str) -> None:
    exported = export_bookmarks(fmt, items, ExportContext(exported="2026-01-01T00:00:00Z"))
    result = parse_import(exported)
    assert result.fatal is None or not items
    assert result.unreadable == [] and result.skipped == []
    # bookmarks come back exactly (HTML groups them by category, so compare by id)
    back = {b.resource_id: b for b in result.bookmarks}
    assert back == {b.resource_id: replace(b, catalogue="") for b in items}


attribute_names = st.sampled_from(
    [
        "HREF",
        "ADD_DATE",
        "LAST_MODIFIED",
        "TAGS",
        "DATA-CTDC-ID",
        "DATA-CTDC-URL",
        "DATA-CTDC-NOTE",
        "DATA-CTDC-TAGS",
        "DATA-CTDC-CREATED",
        "DATA-CTDC-CHANGED",
        "DATA-CTDC-CATEGORY",
    ]
)
attribute_values = text | st.sampled_from(["https://example.org/guide", "[]", '["a"]', "1700000000", "x:y"])
anchors = st.lists(
    st.tuples(st.dictionaries(attribute_names, attribute_values, max_size=6), text, st.none() | text),
    max_size=6,
)


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


@FUZZ
@given(anchors)
def test_every_html_link_is_imported_skipped_or_reported(
    links: list[tuple[dict[str, str], str, str | None]],
) -> None:
    rows = []
    for attrs, title, note in links:
        rendered = " ".join(f'{name}="{_esc(value)}"' for name, value in attrs.items())
        rows.append(f"<DT><A {rendered}>{_esc(title)}</A>")
        if note is not None:
            rows.append(f"<DD>{_esc(note)}")
    page = "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n" + "\n".join(rows) + "\n</DL><p>\n"
    result = parse_import(page, CATALOGUE)
    well_formed(result)
    if links:
        assert result.fatal is None
        assert len(result.bookmarks) + len(result.skipped) + len(result.unreadable) == len(links)
