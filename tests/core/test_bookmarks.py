"""BookmarkStore: the everyday operations, orphans, and catalogues that never mix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ctdc_tui.core.bookmarks import Bookmark, BookmarkStore, bookmark_status, not_in_catalogue
from ctdc_tui.core.catalog import Catalog, Resource
from ctdc_tui.core.errors import CtdcError

CAT = "toolkit-0123456789ab"
OTHER = "mine-ba9876543210"


def res(rid: str, title: str = "", url: str = "", category: str = "ingredients") -> Resource:
    url = url or f"https://example.org/{rid}"
    return Resource(id=rid, title=title or f"Title {rid}", url=url, category=category)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[BookmarkStore]:
    s = BookmarkStore.open(tmp_path / "bookmarks.sqlite3")
    yield s
    s.close()


def test_default_location_follows_ctdc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    with BookmarkStore.open() as s:
        s.add(CAT, res("a"))
        assert s.location == tmp_path / "home" / "data" / "bookmarks.sqlite3"
    assert (tmp_path / "home" / "data" / "bookmarks.sqlite3").is_file()


def test_add_keeps_what_was_saved(store: BookmarkStore) -> None:
    resource = res("a", "A title", "https://a.example/")
    b = store.add(CAT, resource, note="why it matters", tags=["x", " x", "y", ""])
    assert (b.resource_id, b.title, b.url, b.category, b.note) == (
        "a",
        "A title",
        "https://a.example/",
        "ingredients",
        "why it matters",
    )
    assert b.tags == ("x", "y")
    assert b.created == b.changed
    assert b.created.endswith("Z") and "T" in b.created
    assert store.get(CAT, "a") == b


def test_add_again_keeps_created_and_merges(store: BookmarkStore) -> None:
    first = store.add(CAT, res("a"), note="first", tags=["x"])
    again = store.add(CAT, res("a", title="Renamed"), tags=["y"])
    assert again.created == first.created
    assert again.title == first.title  # saved title stays
    assert again.note == "first"
    assert again.tags == ("x", "y")
    unchanged = store.add(CAT, res("a"))
    assert unchanged == again


def test_remove_and_restore_is_exact(store: BookmarkStore) -> None:
    store.add(CAT, res("a"), note="multi\nline", tags=["t"])
    removed = store.remove(CAT, "a")
    assert removed is not None
    assert store.get(CAT, "a") is None
    assert store.remove(CAT, "a") is None
    store.restore(removed)
    assert store.get(CAT, "a") == removed


def test_set_note_and_tags(store: BookmarkStore) -> None:
    store.add(CAT, res("a"))
    b = store.set_note(CAT, "a", "a note")
    assert b.note == "a note" and b.changed >= b.created
    assert store.set_note(CAT, "a", "").note == ""
    assert store.set_tags(CAT, "a", ["p", "q", "p"]).tags == ("p", "q")
    with pytest.raises(CtdcError) as info:
        store.set_note(CAT, "nope", "x")
    assert "nope" in info.value.message and "bookmarks add nope" in info.value.hint


def test_list_orders(store: BookmarkStore) -> None:
    store.add(CAT, res("b", "beta"))
    store.add(CAT, res("c", "Alpha"))
    store.add(CAT, res("a", "gamma"))
    assert [b.resource_id for b in store.list(CAT)] == ["a", "c", "b"]
    assert [b.resource_id for b in store.list(CAT, "title")] == ["c", "b", "a"]


def test_catalogues_never_mix(store: BookmarkStore) -> None:
    store.add(CAT, res("a"), note="in toolkit")
    store.add(OTHER, res("a"), note="in mine")
    store.add(OTHER, res("z"))
    assert store.notes(CAT) == {"a": "in toolkit"}
    assert store.notes(OTHER) == {"a": "in mine", "z": ""}
    store.remove(OTHER, "a")
    assert store.get(CAT, "a") is not None
    assert store.catalogues() == sorted([CAT, OTHER])
    assert store.count(CAT) == 1 and store.ids(OTHER) == {"z"}


def test_orphans_and_changed_are_reported(store: BookmarkStore) -> None:
    store.add(CAT, res("kept"))
    store.add(CAT, res("gone"))
    store.add(CAT, res("renamed", "Old title"))
    store.add(CAT, res("moved", url="https://old.example/"))
    catalog = Catalog(root=Path("."))
    for r in (res("kept"), res("renamed", "New title"), res("moved", url="https://new.example/")):
        catalog.resources[r.id] = r
    status = bookmark_status(store.list(CAT), catalog)
    assert status == {"kept": "ok", "gone": "missing", "renamed": "changed", "moved": "changed"}
    assert bookmark_status(store.list(CAT), {"kept", "renamed"})["gone"] == "missing"
    assert bookmark_status(store.list(CAT), {"kept", "renamed"})["moved"] == "missing"
    assert {b.resource_id for b in not_in_catalogue(store.list(CAT), catalog)} == {"gone", "renamed", "moved"}
    # the saved title and link are what is kept
    gone = store.get(CAT, "gone")
    assert gone is not None and gone.title == "Title gone"


def test_merge_skips_duplicates_and_dry_run_changes_nothing(store: BookmarkStore) -> None:
    store.add(CAT, res("a"))
    incoming = [
        Bookmark(OTHER, "a", "A", "https://a"),
        Bookmark(OTHER, "b", "B", "https://b", note="n", created="2020-01-01T00:00:00.000000Z"),
        Bookmark(OTHER, "b", "B again", "https://b"),
    ]
    dry = store.merge(CAT, incoming, dry_run=True)
    assert [b.resource_id for b in dry.added] == ["b"]
    assert [(b.resource_id, why) for b, why in dry.skipped] == [
        ("a", "already bookmarked"),
        ("b", "appears more than once in what was imported"),
    ]
    assert store.get(CAT, "b") is None
    real = store.merge(CAT, incoming)
    assert [b.resource_id for b in real.added] == ["b"]
    got = store.get(CAT, "b")
    assert got is not None and got.catalogue == CAT and got.created == "2020-01-01T00:00:00.000000Z"
    assert got.changed == got.created
    assert store.get(OTHER, "b") is None


def test_text_round_trips_exactly(store: BookmarkStore) -> None:
    note = "[bold]x[/bold] <script>alert(1)</script> =1+1 \"q\" 'q'\nline two\r\n🙂 \x1b[31m \x00 end"
    store.add(CAT, res("a", title="[@click=app.quit]"), note=note)
    b = store.get(CAT, "a")
    assert b is not None and b.note == note and b.title == "[@click=app.quit]"


def test_lone_surrogates_are_replaced_not_fatal(store: BookmarkStore) -> None:
    b = store.add(CAT, res("a"), note="bad \ud800 half")
    assert b.note == "bad \ufffd half"
    assert store.get(CAT, "a") == b


def test_lone_surrogates_in_ids_never_raise(store: BookmarkStore) -> None:
    # a command-line argument made of undecodable bytes arrives with lone surrogates
    assert store.get(CAT, "\udcff") is None
    assert store.remove(CAT, "\udcff") is None
    with pytest.raises(CtdcError):
        store.set_note(CAT, "\udcff", "x")
    b = store.add(CAT, res("x\udcffy"))
    assert b.resource_id == "x\ufffdy"
    assert store.get(CAT, "x\udcffy") == b
    assert store.remove("\ud800" + CAT, "x\udcffy") is None
    assert store.remove(CAT, "x\udcffy") == b
