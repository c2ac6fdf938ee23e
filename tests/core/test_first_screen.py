"""The first-screen file (core/first_screen.py): what it keeps, and that a stale one is never used."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ctdc_tui.core import first_screen, locations, search
from ctdc_tui.core.search import SearchIndex


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(locations.bundled_catalogue(), folder)
    return folder


@pytest.fixture
def index(catalogue: Path, tmp_path: Path) -> Iterator[SearchIndex]:
    opened = SearchIndex.open(catalogue, tmp_path / "index")
    yield opened
    opened.close()


def _kept(catalogue: Path, index: SearchIndex, rows: int = first_screen.ROWS) -> Path:
    assert index.location is not None
    first_screen.write(catalogue, index.location, first_screen.capture(index, rows))
    return index.location


def test_the_index_schema_and_manifest_name_match_the_search_module() -> None:
    # Bumping SCHEMA_VERSION must make every kept first screen stale: bump INDEX_SCHEMA with it.
    assert first_screen.INDEX_SCHEMA == search.SCHEMA_VERSION
    assert first_screen.MANIFEST == search.MANIFEST


def test_a_kept_screen_holds_what_the_index_shows(catalogue: Path, index: SearchIndex) -> None:
    place = _kept(catalogue, index, rows=5)
    screen = first_screen.load(catalogue, place)
    assert screen is not None
    assert screen.title == index.catalogue.title
    assert screen.resource_count == index.info.resource_count
    assert [(c.id, c.name, c.summary, c.file, c.count) for c in screen.categories] == [
        (c.id, c.name, c.summary, c.file, len(c.resource_ids)) for c in index.catalogue.categories
    ]
    for category in [None, *(c.id for c in index.catalogue.categories)]:
        results = index.browse(category, sort="catalogue")
        key = category or first_screen.ALL_VIEW
        assert screen.counts[key] == len(results)
        assert screen.views[key] == [r.id for r in results[:5]]
        for resource_id in screen.views[key]:
            assert screen.resource(resource_id) == index.get(resource_id)
    assert screen.resource("no-such-resource") is None


def test_a_changed_catalogue_file_makes_it_stale(catalogue: Path, index: SearchIndex) -> None:
    place = _kept(catalogue, index)
    assert first_screen.load(catalogue, place) is not None
    some_file = next(p for p in sorted(catalogue.glob("*.yaml")) if p.name != "catalog.yaml")
    some_file.write_text(some_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert first_screen.load(catalogue, place) is None


def test_a_touched_or_new_catalogue_file_makes_it_stale(catalogue: Path, index: SearchIndex) -> None:
    place = _kept(catalogue, index)
    some_file = next(iter(sorted(catalogue.glob("*.yaml"))))
    st = some_file.stat()
    os.utime(some_file, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert first_screen.load(catalogue, place) is None
    place = _kept(catalogue, index)
    assert first_screen.load(catalogue, place) is not None
    (catalogue / "extra.yaml").write_text("category: {id: extra, name: Extra}\n", encoding="utf-8")
    assert first_screen.load(catalogue, place) is None


def test_a_rewritten_manifest_makes_it_stale(catalogue: Path, index: SearchIndex) -> None:
    place = _kept(catalogue, index)
    manifest = place / first_screen.MANIFEST
    st = manifest.stat()
    os.utime(manifest, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert first_screen.load(catalogue, place) is None


def test_another_program_version_or_catalogue_folder_is_not_trusted(
    catalogue: Path, index: SearchIndex, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    place = _kept(catalogue, index)
    monkeypatch.setattr(first_screen, "INDEX_SCHEMA", first_screen.INDEX_SCHEMA + 1)
    assert first_screen.load(catalogue, place) is None
    monkeypatch.undo()
    monkeypatch.setattr(first_screen, "__version__", "0.0.0-other")
    assert first_screen.load(catalogue, place) is None
    monkeypatch.undo()
    twin = tmp_path / "twin"
    shutil.copytree(catalogue, twin)  # same files, same times, another folder
    assert first_screen.load(twin, place) is None
    assert first_screen.load(catalogue, place) is not None


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: "{not json",
        lambda raw: json.dumps([raw]),
        lambda raw: json.dumps({**raw, "views": {**raw["views"], "": ["no-such-id"]}}),
        lambda raw: json.dumps({**raw, "counts": {}}),
        lambda raw: json.dumps({**raw, "resources": {k: {"id": k} for k in raw["resources"]}}),
        lambda raw: json.dumps({k: v for k, v in raw.items() if k != "categories"}),
    ],
    ids=["not-json", "not-an-object", "unknown-id", "counts-missing", "resources-not-text", "no-categories"],
)
def test_a_damaged_file_is_ignored(catalogue: Path, index: SearchIndex, damage) -> None:  # type: ignore[no-untyped-def]
    place = _kept(catalogue, index)
    path = place / first_screen.FILE
    path.write_text(damage(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    assert first_screen.load(catalogue, place) is None


def test_no_file_or_no_index_is_none(catalogue: Path, tmp_path: Path) -> None:
    assert first_screen.load(catalogue, tmp_path / "nowhere") is None


def test_a_rebuild_removes_it(catalogue: Path, index: SearchIndex, tmp_path: Path) -> None:
    place = _kept(catalogue, index)
    index.close()
    SearchIndex.open(catalogue, tmp_path / "index", rebuild=True).close()
    assert not (place / first_screen.FILE).exists()
