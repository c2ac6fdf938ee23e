"""In-place updates: after any edit of category files, the index equals a fresh build of the same files.

Each test builds the index of a generated catalogue, edits files, reopens (an in-place update,
with the full build forbidden where the update must not need one) and compares everything the
app can see with a fresh build of the edited catalogue: the resources and their stored fields,
the counts, the answers to a set of queries in every sort order, the per-category counts, the
catalogue (categories and problems) and the vocabulary.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from ctdc_tui.core import catalog as catalog_mod
from ctdc_tui.core import locations
from ctdc_tui.core import search as search_mod
from ctdc_tui.core.catalog import load_catalog
from ctdc_tui.core.search import FILE_STATES, UPDATING, SearchIndex
from tests.benchmarks.generate_catalogue import generate

QUERIES = [
    "data",
    "community partnership",
    '"open data"',
    "budg*",
    "year:2014..2018 city",
    "title:data",
    "zyxwv",
    "quibblewort city",
    "data OR zyxwv",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "catalogue", 100, seed=11)


@pytest.fixture
def folder(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(search_mod, "INDEX_PROCESSES", 2)
    monkeypatch.setattr(search_mod, "PARALLEL_MIN_RESOURCES", 50)  # two segments, as a large build has
    target = tmp_path / "catalogue"
    shutil.copytree(generated, target)
    SearchIndex.open(target, tmp_path / "idx").close()
    return target


def _index_folder(folder: Path) -> Path:
    """Where the test's index of ``folder`` lives (its manifest, segments and side files)."""
    return locations.index_dir(folder, folder.parent / "idx")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")


def _records(path: Path) -> tuple[str, list[str]]:
    """A category file's head and its resource records (each starting with '  - id: ')."""
    text = path.read_text(encoding="utf-8")
    head, *records = re.split(r"(?m)^(?=  - id: )", text)
    return head, records


def _write(path: Path, head: str, records: list[str]) -> None:
    path.write_text(head + "".join(r if r.endswith("\n\n") else r.rstrip("\n") + "\n\n" for r in records))


def _seen(index: SearchIndex) -> dict[str, Any]:
    reader = index._searcher.reader()
    ids = sorted(
        reader.stored_fields(d)["id"] for d in range(reader.doc_count_all()) if not reader.is_deleted(d)
    )
    resources = {}
    for rid in ids:
        res = index.get(rid)
        assert res is not None
        # ``order`` in a stored resource is its place when it was indexed; nothing reads it.
        resources[rid] = dataclasses.replace(res, order=0)
    answers: dict[str, Any] = {}
    for q in QUERIES:
        results = index.search(q, limit=None, highlights=False, facets=False)
        answers[q] = (sorted(r.id for r in results), results.total)
        answers[q + " facets"] = index.search(q, limit=5).facets
        answers[q + " by title"] = [r.id for r in index.search(q, limit=None, sort="title")]
    for category in [None, *(c.id for c in index.catalogue.categories)]:
        for sort in ("catalogue", "title", "year"):
            answers[f"browse {category} {sort}"] = [r.id for r in index.browse(category, sort=sort)]  # type: ignore[arg-type]
    return {
        "ids": ids,
        "count": (index.info.resource_count, index._searcher.doc_count()),
        "resources": resources,
        "answers": answers,
        "catalogue": index.catalogue.to_json(),
        "vocabulary": index._vocabulary(None).frequency,
    }


def _update_equals_fresh(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *, full_build_allowed: bool = False
) -> list[str]:
    """Reopen after an edit; check the update against a fresh build; return the update's notices."""
    place = folder.parent / "idx"
    if not full_build_allowed:

        def no_full_build(*args: object, **kwargs: object) -> None:
            raise AssertionError("a full build ran where an in-place update was expected")

        monkeypatch.setattr(search_mod, "_write_index", no_full_build)
    with SearchIndex.open(folder, place) as updated:
        notices = list(updated.notices)
        assert updated.info.rebuilt
        if not full_build_allowed:
            assert any("re-indexed" in n for n in notices), notices
        monkeypatch.setattr(search_mod, "_write_index", _WRITE_INDEX)
        with SearchIndex.open(folder, folder.parent / "fresh", rebuild=True) as fresh:
            assert _seen(updated) == _seen(fresh)
    shutil.rmtree(folder.parent / "fresh")
    # The next open finds the index fresh (no update, no build) and it passes the full check.
    with SearchIndex.open(folder, place) as again:
        assert not again.info.rebuilt
    assert search_mod.check_index(folder, place).ok
    assert not (_index_folder(folder) / UPDATING).exists()
    return notices


_WRITE_INDEX = search_mod._write_index


def _reindexed(notices: list[str]) -> tuple[int, int]:
    for notice in notices:
        found = re.search(r"re-indexed (\d+) resource\(s\) and removed (\d+)", notice)
        if found:
            return int(found.group(1)), int(found.group(2))
    raise AssertionError(notices)


def test_one_edited_title_reindexes_one_resource(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _files(folder)[1]
    head, records = _records(path)
    records[len(records) // 2] = records[len(records) // 2].replace('title: "', 'title: "Zyxwv ', 1)
    _write(path, head, records)
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (1, 0)


def test_an_added_resource_is_indexed_alone(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _files(folder)[2]
    head, records = _records(path)
    new = re.sub(r"id: (\S+)", r"id: \1-copy", records[3], count=1).replace('title: "', 'title: "Zyxwv ', 1)
    records.insert(4, new)  # in the middle: the resources after it keep their sort keys
    _write(path, head, records)
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (1, 0)


def test_a_deleted_resource_is_removed_alone(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _files(folder)[0]
    head, records = _records(path)
    del records[2]
    _write(path, head, records)
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (0, 1)


def test_every_resource_of_a_file_changed(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _files(folder)[0]
    head, records = _records(path)
    _write(path, head, [r.replace('title: "', 'title: "Quibblewort ', 1) for r in records])
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (len(records), 0)


def test_reordered_and_moved_resources(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _files(folder)[:2]
    head, records = _records(first)
    moved = records.pop(0)
    records.append(records.pop(1))  # the second record goes to the end of its file
    _write(first, head, records)
    head2, records2 = _records(second)
    records2.insert(1, moved)  # the first record moves to another file (category)
    _write(second, head2, records2)
    added, removed = _reindexed(_update_equals_fresh(folder, monkeypatch))
    assert removed == 0 and added == 2  # the two that moved; nothing else


def test_many_insertions_at_one_place_run_out_of_keys(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny stride: a category of a few dozen resources gets keys a few dozen apart, so a
    # handful of insertions at the same place use the gap up and the category gets fresh keys.
    monkeypatch.setattr(search_mod, "ORDER_STRIDE", 1_000)
    SearchIndex.open(folder, folder.parent / "idx", rebuild=True).close()
    path = _files(folder)[1]
    head, records = _records(path)
    counts = []
    for round_ in range(8):
        copy = re.sub(r"id: (\S+)", rf"id: \1-again-{round_}", records[0], count=1)
        records.insert(1, copy)
        _write(path, head, records)
        counts.append(_reindexed(_update_equals_fresh(folder, monkeypatch))[0])
        if counts[-1] > 1:
            break
    assert counts[0] == 1 and counts[-1] > len(records) // 2, counts  # the category got fresh keys


def test_an_update_reads_the_manifest_once(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening, checking freshness under the lock and updating all look at the manifest; one
    read serves them, and a manifest rewritten since is read again."""
    reads: list[str] = []
    read_text = Path.read_text

    def spy(self: Path, *args: Any, **kwargs: Any) -> str:
        if self.name == search_mod.MANIFEST:
            reads.append(str(self))
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", spy)
    _retitle(_files(folder)[0], "Quibblewort", every=7)
    with SearchIndex.open(folder, folder.parent / "idx") as index:
        assert _reindexed(index.notices)[0] > 0, index.notices
    place = _index_folder(folder)
    assert reads == [str(place / search_mod.MANIFEST)]
    source = search_mod._Source(folder)
    first = search_mod._read_manifest(place, source)
    reads.clear()
    assert search_mod._read_manifest(place, source) is first and reads == []
    search_mod.atomic_write_text(place / search_mod.MANIFEST, json.dumps({**first, "build_seconds": 12345}))
    again = search_mod._read_manifest(place, source)
    assert again["build_seconds"] == 12345 and len(reads) == 1


def test_several_updates_in_a_row(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_mod, "UPDATE_SEGMENTS", 4)
    for round_ in range(5):  # past the point where segments are merged
        path = _files(folder)[round_ % 3]
        head, records = _records(path)
        records[round_] = records[round_].replace('title: "', f'title: "Zyxwv{round_} ', 1)
        if round_ % 2:
            del records[-1]
        _write(path, head, records)
        _update_equals_fresh(folder, monkeypatch)
    place = folder.parent / "idx"
    with SearchIndex.open(folder, place) as index:
        assert len(index._ix._segments()) <= 4  # the small segments of updates were merged


def _segment_sizes(folder: Path) -> list[int]:
    with SearchIndex.open(folder, folder.parent / "idx") as index:
        return sorted(segment.doc_count_all() for segment in index._ix._segments())


@pytest.mark.parametrize(("max_segments", "kept"), [(24, True), (5, False)])
def test_ordinary_edits_do_not_rewrite_a_large_update_segment(
    folder: Path, monkeypatch: pytest.MonkeyPatch, max_segments: int, kept: bool
) -> None:
    """After a file changed wholesale, later one-title edits merge only the small segments
    (the budget), not the big one of that change: that cost seconds at 100,000 resources."""
    monkeypatch.setattr(search_mod, "UPDATE_SEGMENTS", 4)
    monkeypatch.setattr(search_mod, "MERGE_BUDGET", 3)
    monkeypatch.setattr(search_mod, "MAX_SEGMENTS", max_segments)
    path = _files(folder)[0]
    head, records = _records(path)
    for i in range(5):  # a change of five resources: a segment of five documents
        records[i] = records[i].replace('title: "', 'title: "Wholesale ', 1)
    _write(path, head, records)
    _update_equals_fresh(folder, monkeypatch)
    assert 5 in _segment_sizes(folder)
    sizes: list[list[int]] = []
    for round_ in range(6):  # one-title edits, past the point where segments are merged
        head, records = _records(path)
        # Each edit a different resource: a segment whose only document is edited again would
        # leave the index at once (it holds nothing then), so segments would not pile up.
        records[10 + round_] = records[10 + round_].replace('title: "', f'title: "Edit{round_} ', 1)
        _write(path, head, records)
        _update_equals_fresh(folder, monkeypatch)
        sizes.append(_segment_sizes(folder))
    assert any(len(after) < len(before) + 1 for before, after in itertools.pairwise(sizes)), sizes  # merged
    if kept:
        assert all(5 in each for each in sizes), sizes  # the wholesale change's segment was left alone
    else:
        assert 5 not in sizes[-1], sizes  # at MAX_SEGMENTS every small segment is merged


def test_a_segment_left_with_no_document_leaves_the_index(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed wholesale again and again: each change replaces every document of the one
    before, whose segment then goes (with its file) instead of piling up until a merge reads it all."""
    path = _files(folder)[0]
    head, records = _records(path)
    place = _index_folder(folder)
    build = _segment_ids(place)
    earlier: set[str] = set()
    for round_ in range(4):
        changed = [r.replace('title: "', f'title: "Wholesale{round_} ', 1) for r in records[:5]]
        _write(path, head, changed + records[5:])
        _update_equals_fresh(folder, monkeypatch)
        ids = _segment_ids(place)
        assert build <= ids and len(ids - build) == 1, (build, ids)  # the build's, and this change's
        assert not ids & earlier  # the previous change's segment went
        assert {p.stem for p in place.glob("*.seg")} == ids  # and its file
        earlier = ids - build


def _segment_ids(place: Path) -> set[str]:
    """The ids of the index's segments (each with no document left fails the test)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(place))
    try:
        segments = ix._segments()
        assert all(segment.doc_count() > 0 for segment in segments), [
            (segment.doc_count_all(), segment.deleted_count()) for segment in segments
        ]
        return {segment.segment_id() for segment in segments}
    finally:
        ix.close()


def test_an_id_taken_from_an_unchanged_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A duplicate id decides which copy is kept from every file: the update reads them all."""
    first, second = _files(folder)[:2]
    taken = re.search(r"id: (\S+)", _records(second)[1][4]).group(1)  # type: ignore[union-attr]
    head, records = _records(first)
    records.append(re.sub(r"id: (\S+)", f"id: {taken}", records[0], count=1))
    _write(first, head, records)
    _update_equals_fresh(folder, monkeypatch)
    # And back: the copy in the second file is loaded again (known to have had a duplicate).
    del records[-1]
    _write(first, head, records)
    _update_equals_fresh(folder, monkeypatch)


def test_broken_yaml_and_problems(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _files(folder)[1]
    head, records = _records(path)
    records[2] = records[2].replace("url: ", "url: not a web address ", 1)
    records[4] = records[4].replace('title: "', "title: [unclosed ", 1)
    _write(path, head, records)
    _update_equals_fresh(folder, monkeypatch)


def test_files_added_and_removed(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = _files(folder)[-1]
    head, records = _records(last)
    extra = folder / "zz-extra.yaml"  # not listed in catalog.yaml: it comes after the listed ones
    _write(
        extra,
        head.replace(f"id: {last.stem}", "id: zz-extra"),
        [re.sub(r"id: (\S+)", r"id: \1-extra", r, count=1) for r in records[:3]],
    )
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (3, 0)
    extra.unlink()
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (0, 3)


def test_an_interrupted_update_leads_to_a_full_build(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    place = _index_folder(folder)
    assert (place / search_mod.MANIFEST).is_file()
    path = _files(folder)[0]
    head, records = _records(path)
    records[0] = records[0].replace('title: "', 'title: "Zyxwv ', 1)
    _write(path, head, records)
    save = search_mod._save_file_state

    def fail(where: Path, *args: Any) -> None:
        if where == place:  # in place (after the commit, before the manifest), not in a full build
            raise OSError("disk full")
        save(where, *args)

    monkeypatch.setattr(search_mod, "_save_file_state", fail)
    with SearchIndex.open(folder, place.parent) as index:  # the update fails, so a full build follows
        assert any("failed" in n for n in index.notices), index.notices
        assert index.location == place and index.search("zyxwv").total == 1
    monkeypatch.setattr(search_mod, "_save_file_state", save)
    assert not (place / UPDATING).exists()
    # A process killed during an update leaves the marker: the index is then built again.
    (place / UPDATING).write_text("")
    records[1] = records[1].replace('title: "', 'title: "Quibblewort ', 1)
    _write(path, head, records)
    notices = _update_equals_fresh(folder, monkeypatch, full_build_allowed=True)
    assert not any("re-indexed" in n for n in notices)
    # The marker alone (the catalogue unchanged) makes the index unusable too.
    (place / UPDATING).write_text("")
    with SearchIndex.open(folder, place.parent) as index:
        assert index.info.rebuilt
    assert not (place / UPDATING).exists()


def test_a_missing_side_file_leads_to_a_full_build(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _files(folder)[0]
    state = _index_folder(folder) / FILE_STATES / f"{path.name}.json"
    state.unlink()
    head, records = _records(path)
    records[0] = records[0].replace('title: "', 'title: "Zyxwv ', 1)
    _write(path, head, records)
    notices = _update_equals_fresh(folder, monkeypatch, full_build_allowed=True)
    assert not any("re-indexed" in n for n in notices)
    assert state.is_file()


def test_notes_keep_their_sort_keys(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bookmark note re-adds the resource with the sort key the index holds (after an insertion)."""
    path = _files(folder)[0]
    head, records = _records(path)
    records.insert(1, re.sub(r"id: (\S+)", r"id: \1-new", records[0], count=1))
    _write(path, head, records)
    place = folder.parent / "idx"
    new_id = re.search(r"id: (\S+)", records[1]).group(1)  # type: ignore[union-attr]
    with SearchIndex.open(folder, place) as index:
        before = [r.id for r in index.browse()]
        marked = [before[0], new_id, before[before.index(new_id) + 1], before[-1]]

        def keys() -> dict[str, int]:
            reader = index._searcher.reader()
            column = reader.column_reader("order")
            return {rid: column[index._searcher.document_number(id=rid)] for rid in marked}

        held = keys()
        index.sync_notes({rid: f"quibblewort {i}" for i, rid in enumerate(marked)})
        assert keys() == held
        assert [r.id for r in index.browse()] == before
        assert sorted(r.id for r in index.search("quibblewort")) == sorted(marked)


@pytest.fixture
def many(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of large updates, at this catalogue's size: a forked helper writes part of the
    resources added as a segment of its own, and the deleted ones are found by category."""
    monkeypatch.setattr(search_mod, "PARALLEL_UPDATE_MIN", 2)
    monkeypatch.setattr(search_mod, "DELETE_SCAN_MIN", 1)
    monkeypatch.setattr(search_mod, "UPDATE_CHECK_COST", 0)  # so that both processes get some
    seen: list[str] = []
    helper, delete = search_mod._Helper, search_mod._delete_old

    class Spy(helper):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.append("helper")
            super().__init__(*args, **kwargs)

    def spy_delete(writer: Any, plan: Any, vocabulary: Any, detail: Any = None) -> None:
        seen.append("scan" if len(plan.delete) >= search_mod.DELETE_SCAN_MIN else "lookup")
        delete(writer, plan, vocabulary, detail)

    monkeypatch.setattr(search_mod, "_Helper", Spy)
    monkeypatch.setattr(search_mod, "_delete_old", spy_delete)
    return seen


def _retitle(path: Path, word: str, every: int = 1) -> int:
    head, records = _records(path)
    for i in range(0, len(records), every):
        records[i] = records[i].replace('title: "', f'title: "{word} ', 1)
    _write(path, head, records)
    return len(range(0, len(records), every))


def test_every_resource_of_a_file_in_two_processes(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]
) -> None:
    count = _retitle(_files(folder)[0], "Quibblewort")
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (count, 0)
    assert many[:2] == ["helper", "scan"]  # (then the fresh build's helper)


def _stored_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spy: the ids of the resources whose stored documents an update's deletions decode."""
    seen: list[str] = []
    inside: list[bool] = []
    decode, delete = search_mod.resource_from_json_text, search_mod._delete_old

    def spy(data: str) -> Any:
        res = decode(data)
        if inside:
            seen.append(res.id)
        return res

    def deleting(*args: Any) -> None:
        inside.append(True)
        try:
            delete(*args)
        finally:
            inside.pop()

    monkeypatch.setattr(search_mod, "resource_from_json_text", spy)
    monkeypatch.setattr(search_mod, "_delete_old", deleting)
    return seen


def test_a_file_changed_wholesale_takes_the_old_words_from_the_parse_cache(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]
) -> None:
    """Every resource of a file changed: the parse cache's earlier version of each (the one the
    index holds) gives its old words, so no stored document is read back, and the vocabulary
    comes out as a fresh build's."""
    monkeypatch.setattr(catalog_mod, "CACHE_MIN_BYTES", 0)  # files this small are not cached
    load_catalog(folder)  # the parse cache learns the version the index holds
    count = _retitle(_files(folder)[0], "Quibblewort")
    decoded = _stored_reads(monkeypatch)
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (count, 0)
    assert "scan" in many
    assert decoded == []


def test_an_earlier_version_the_index_does_not_hold_is_not_trusted(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]
) -> None:
    """The catalogue was loaded (and its parse cache written) after an edit that the index never
    saw; the next update finds the cache's earlier versions differ from what the index holds and
    reads those resources from the index instead: the vocabulary still equals a fresh build's."""
    monkeypatch.setattr(catalog_mod, "CACHE_MIN_BYTES", 0)
    path = _files(folder)[0]
    head, records = _records(path)

    def titled(record: str, title: str) -> str:
        return re.sub(r'title: ".*"', f'title: "{title}"', record, count=1)

    # A version whose titles lack the words of the titles the index holds: trusting it would
    # leave those words counted after the next update takes them out.
    _write(path, head, [titled(r, "Zyxwv") for r in records[:4]] + records[4:])
    load_catalog(folder)  # no index update: only the parse cache learns of this version
    _write(path, head, [titled(r, f"Quibblewort {i}") for i, r in enumerate(records)])
    decoded = _stored_reads(monkeypatch)
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (len(records), 0)
    assert "scan" in many
    assert sorted(decoded) == sorted(re.search(r"id: (\S+)", r).group(1) for r in records[:4])  # type: ignore[union-attr]


def _events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Spy: the parse-cache writes, the update helper's start and the commit, in order."""
    seen: list[str] = []
    put, helper = catalog_mod._ParseCache._put, search_mod._Helper

    def spy_put(self: Any, entry: tuple[Any, ...]) -> None:
        seen.append(f"cache {entry[0]}")
        put(self, entry)

    class Spy(helper):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.append("helper")
            super().__init__(*args, **kwargs)

    commit = search_mod._Writer.commit_segments

    def spy_commit(self: Any, *args: Any, **kwargs: Any) -> None:
        seen.append("commit")
        commit(self, *args, **kwargs)

    monkeypatch.setattr(catalog_mod._ParseCache, "_put", spy_put)
    monkeypatch.setattr(search_mod, "_Helper", Spy)
    monkeypatch.setattr(search_mod._Writer, "commit_segments", spy_commit)
    return seen


@pytest.mark.parametrize("given_up", [False, True])
def test_the_changed_file_is_cached_while_the_helper_indexes(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str], given_up: bool
) -> None:
    """An update writes the changed file's parse-cache entry once its helper is indexing, not
    before; an update that gives up (here: too much changed) still writes it."""
    monkeypatch.setattr(catalog_mod, "CACHE_MIN_BYTES", 0)
    load_catalog(folder)
    path = _files(folder)[0]
    _retitle(path, "Quibblewort")
    if given_up:
        monkeypatch.setattr(search_mod, "INCREMENTAL_MAX_SHARE", 0.0)
    events = _events(monkeypatch)
    with SearchIndex.open(folder, folder.parent / "idx"):
        pass
    name = f"cache {path.name}"
    if given_up:
        assert events[0] == name, events  # then the full build's load, from the cache
    else:
        assert events[:3] == ["helper", name, "commit"], events
    raw = catalog_mod._ParseCache(folder).entry(path.name)
    assert raw["key"] == catalog_mod._stat_key(path)  # the entry is of the file as it is now


@pytest.fixture
def pipelined(folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]) -> list[str]:
    """A changed file big enough, at this scale, to be parsed in two processes from its cached
    earlier version: the second goes on as the update's helper. Records how helpers start."""
    monkeypatch.setattr(catalog_mod, "CACHE_MIN_BYTES", 0)
    monkeypatch.setattr(catalog_mod, "PARALLEL_RECORDS", 4)
    monkeypatch.setattr(catalog_mod, "PARSE_PROCESSES", 2)
    load_catalog(folder)  # the parse cache learns the version the index holds
    attached = search_mod._Helper.attached.__func__  # type: ignore[attr-defined]

    def spy(cls: Any, *args: Any) -> Any:
        many.append("attached")
        return attached(cls, *args)

    monkeypatch.setattr(search_mod._Helper, "attached", classmethod(spy))
    return many


def test_the_process_that_parsed_half_goes_on_as_the_helper(
    folder: Path, monkeypatch: pytest.MonkeyPatch, pipelined: list[str]
) -> None:
    count = _retitle(_files(folder)[0], "Quibblewort")
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (count, 0)
    assert pipelined[:2] == ["attached", "scan"], pipelined  # no helper forked for the update
    assert multiprocessing.active_children() == []


def test_a_pipelined_helper_that_fails_leaves_its_share_here(
    folder: Path, monkeypatch: pytest.MonkeyPatch, pipelined: list[str]
) -> None:
    def broken(self: Any, resources: Any) -> None:  # takes its share, then fails
        self._mine.close()
        if self._theirs.poll(30):
            self._theirs.recv()
            self._theirs.send(("error", "RuntimeError: no", None))
        self._theirs.close()

    monkeypatch.setattr(search_mod._Pipelined, "work", broken)
    here = _segments_written_here(monkeypatch)
    count = _retitle(_files(folder)[0], "Quibblewort")
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (count, 0)
    assert "attached" in pipelined
    assert here and here[0] > 0
    assert multiprocessing.active_children() == []


def test_a_pipelined_helper_whose_resources_changed_is_not_trusted(
    folder: Path, monkeypatch: pytest.MonkeyPatch, pipelined: list[str]
) -> None:
    """A document made from a resource whose digest is not the plan's is refused: the helper
    fails and its share is written here (still a fresh build's index)."""
    digest = search_mod._digest

    def other(res: Any) -> str:
        return "x" + digest(res) if multiprocessing.parent_process() is not None else digest(res)

    monkeypatch.setattr(search_mod, "_digest", other)
    here = _segments_written_here(monkeypatch)
    count = _retitle(_files(folder)[0], "Quibblewort")
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (count, 0)
    assert "attached" in pipelined
    assert here  # the helper refused, this process wrote its share


def _segments_written_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy: how many resources a failed helper left to this process, per failure."""
    seen: list[int] = []
    here = search_mod._segment_here

    def spy(ix: Any, resources: Any, *args: Any) -> Any:
        seen.append(len(resources))
        return here(ix, resources, *args)

    monkeypatch.setattr(search_mod, "_segment_here", spy)
    return seen


def test_an_update_that_gives_up_ends_the_waiting_process(
    folder: Path, monkeypatch: pytest.MonkeyPatch, pipelined: list[str]
) -> None:
    monkeypatch.setattr(search_mod, "INCREMENTAL_MAX_SHARE", 0.0)
    _retitle(_files(folder)[0], "Quibblewort")
    with SearchIndex.open(folder, folder.parent / "idx") as index:
        assert not any("re-indexed" in n for n in index.notices), index.notices  # a full build
    assert "attached" not in pipelined
    assert multiprocessing.active_children() == []


def test_adds_and_deletes_together_in_two_processes(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]
) -> None:
    first, second, third = _files(folder)[:3]
    changed = _retitle(first, "Zyxwv", every=2)
    head, records = _records(second)
    gone = len(records[1::3])
    del records[1::3]  # every third resource removed
    records.insert(2, re.sub(r"id: (\S+)", r"id: \1-fresh", records[0], count=1))
    _write(second, head, records)
    head, records = _records(third)
    records.insert(0, records.pop())  # the last one moves to the front: it gets a new key
    _write(third, head, records)
    added, removed = _reindexed(_update_equals_fresh(folder, monkeypatch))
    assert (added, removed) == (changed + 1 + 1, gone)
    assert many[:2] == ["helper", "scan"]  # (then the fresh build's helper)


def test_many_updates_in_two_processes_merge_their_segments(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]
) -> None:
    monkeypatch.setattr(search_mod, "UPDATE_SEGMENTS", 5)
    place = folder.parent / "idx"
    counts = []
    for round_ in range(4):  # each update adds two segments (this process's and the helper's)
        path = _files(folder)[round_ % 2]
        _retitle(path, f"Round{round_}", every=3 + round_ % 2)
        if round_ == 2:
            head, records = _records(path)
            _write(path, head, records[:-2])
        _update_equals_fresh(folder, monkeypatch)
        with SearchIndex.open(folder, place) as index:
            counts.append(len(index._ix._segments()))
    assert max(counts) >= 4 and counts[-1] < max(counts), counts  # grew, then the small ones merged
    assert many.count("helper") >= 4


def test_an_update_whose_helper_fails(folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]) -> None:
    def broken(*args: Any) -> None:
        conn = args[3]
        conn.send(("error", "RuntimeError: no", None))
        conn.close()

    monkeypatch.setattr(search_mod, "_helper_main", broken)
    count = _retitle(_files(folder)[1], "Quibblewort")
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (count, 0)
    assert many[:2] == ["helper", "scan"]  # (then the fresh build's helper)


def _variants(res: Any) -> list[Any]:
    """Edits of a resource that move words in and out of the parts it shares with its old version."""
    first = res.description.split()[0] if res.description.split() else "data"
    title_word = res.title.split()[0]
    return [
        dataclasses.replace(res, title="Edited " + res.title),  # a new word
        dataclasses.replace(res, title=f"{first} {res.title}"),  # a word the description has
        dataclasses.replace(res, title=res.title.replace(title_word, "", 1)),  # a word may go
        dataclasses.replace(res, description=f"{title_word} and the Café {res.description}"),
        dataclasses.replace(res, description="Ünïcode wörds: café, naïve; " + res.description),
        dataclasses.replace(res, tags=(*res.tags, "edited"), title="Edited " + res.title),
        dataclasses.replace(res, title="The of and", title_full=None),  # stop words only
        dataclasses.replace(res, authors=(), organizations=(), publisher=None),
        dataclasses.replace(res, authors=(*res.authors, "Zoë Müller"), title=f"Zoe {res.title}"),
        dataclasses.replace(res, title="Zyxwv", description="", tags=(), title_full=None),
        res,
    ]


def test_the_words_an_edit_changes_are_those_of_the_two_versions(generated: Path) -> None:
    """An update counts the words of a replaced resource from the parts that changed
    (``_words_changed``): it must equal the difference of the two versions' words."""
    analyzer = search_mod._stem_analyzer()
    catalog, _ = load_catalog(generated)
    accented = dataclasses.replace(next(iter(catalog)), description="Résumé of the café's naïve data")
    checked = 0
    memo: dict[str, set[str]] = {}  # shared by every pair, as an update shares it
    for res in [*list(catalog)[:40], accented]:
        versions = _variants(res)
        for old in versions:
            for new in versions:
                was = search_mod._resource_words(old, analyzer)
                now = search_mod._resource_words(new, analyzer)
                expected = (now - was, was - now)
                assert search_mod._words_changed(old, new, analyzer) == expected, (old, new)
                assert search_mod._words_changed(old, new, analyzer, memo) == expected, (old, new)
                checked += 1
    assert checked > 4000


def test_edits_that_move_words_between_fields_keep_the_vocabulary(
    folder: Path, monkeypatch: pytest.MonkeyPatch, many: list[str]
) -> None:
    """Words added to a title that the description already has, words taken out of a title that
    the tags still have, accented descriptions: the vocabulary equals a fresh build's."""
    path = _files(folder)[2]
    head, records = _records(path)
    for i, record in enumerate(records):
        description = re.search(r'description: "([^"]*)"', record)
        words = description.group(1).split() if description else ["data"]
        if i % 3 == 0:
            record = record.replace('title: "', f'title: "{words[-1]} {words[0]} ', 1)
        elif i % 3 == 1:
            record = re.sub(r'title: "\S+ ', 'title: "', record, count=1)
        else:
            record = record.replace('description: "', 'description: "Café naïve résumé ', 1)
        records[i] = record
    _write(path, head, records)
    assert _reindexed(_update_equals_fresh(folder, monkeypatch)) == (len(records), 0)
    assert many[:2] == ["helper", "scan"]
