"""``SearchIndex.prepare_lookups``: reading a resource by id without Whoosh's term lookup.

The map must give what the index gives: the live document of every id, across segments
(a build with two processes writes two), after an in-place update left deleted documents
behind, and not for a searcher other than the one it was made for.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ctdc_tui.core import search as search_mod
from ctdc_tui.core.catalog import Resource
from ctdc_tui.core.search import SearchIndex
from tests.benchmarks.generate_catalogue import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "catalogue", 120, seed=5)


@pytest.fixture
def folder(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(search_mod, "INDEX_PROCESSES", 2)
    monkeypatch.setattr(search_mod, "PARALLEL_MIN_RESOURCES", 50)  # two segments
    monkeypatch.setattr(search_mod, "LOOKUP_SLICE", 7)  # several slices, one cut inside a segment
    target = tmp_path / "catalogue"
    shutil.copytree(generated, target)
    SearchIndex.open(target, tmp_path / "idx").close()
    return target


def _ids(index: SearchIndex) -> list[str]:
    return [rid for c in index.catalogue.categories for rid in c.resource_ids]


def _read_all(index: SearchIndex, ids: list[str]) -> dict[str, Resource | None]:
    index._resources.clear()  # get() keeps what it read: read again
    return {rid: index.get(rid) for rid in ids}


def _no_term_lookup(index: SearchIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**terms: object) -> int:
        raise AssertionError(f"asked the index for {terms}")

    monkeypatch.setattr(index._searcher, "document_number", refuse)


def test_the_map_reads_what_the_index_reads(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with SearchIndex.open(folder, folder.parent / "idx") as index:
        assert len(index._ix._segments()) == 2
        ids = _ids(index)
        expected = _read_all(index, ids)
        assert all(res is not None and res.id == rid for rid, res in expected.items())
        pauses: list[None] = []
        index.prepare_lookups(pause=lambda: pauses.append(None))
        assert len(pauses) == -(-len(ids) // search_mod.LOOKUP_SLICE)  # one per slice
        _no_term_lookup(index, monkeypatch)
        assert _read_all(index, ids) == expected
        assert index.get("no-such-resource") is None
        index.prepare_lookups()  # made already: nothing to do (and no term lookup)


def test_after_an_update_the_live_document_wins(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[1]
    text = path.read_text(encoding="utf-8")
    edited_id = re.findall(r"(?m)^  - id: (\S+)", text)[3]
    head, *records = re.split(r"(?m)^(?=  - id: )", text)
    records[3] = records[3].replace('title: "', 'title: "Zyxwv ', 1)
    path.write_text(head + "".join(records), encoding="utf-8")
    with SearchIndex.open(folder, folder.parent / "idx") as index:
        assert index._searcher.reader().has_deletions()  # the old copy of the edited resource
        ids = _ids(index)
        expected = _read_all(index, ids)
        index.prepare_lookups()
        _no_term_lookup(index, monkeypatch)
        found = _read_all(index, ids)
        assert found == expected
        edited = found[edited_id]
        assert edited is not None and edited.title.startswith("Zyxwv ")


def test_another_searcher_asks_the_index_again(folder: Path) -> None:
    with SearchIndex.open(folder, folder.parent / "idx") as index:
        ids = _ids(index)
        index.prepare_lookups()
        index._refresh()  # a new searcher: the map was made for the old one
        asked: list[object] = []
        lookup = index._searcher.document_number

        def counted(**terms: object) -> int | None:
            asked.append(terms)
            found: int | None = lookup(**terms)
            return found

        index._searcher.document_number = counted
        index._resources.clear()
        assert index.get(ids[5]) is not None
        assert asked == [{"id": ids[5]}]
