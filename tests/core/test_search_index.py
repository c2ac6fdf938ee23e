"""The search index lifecycle: build, reopen, stale, damaged, locked, read-only, concurrent."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import whoosh

from ctdc_tui.core import locations
from ctdc_tui.core import search as search_mod
from ctdc_tui.core.errors import CtdcError
from ctdc_tui.core.search import MANIFEST, SearchIndex, check_index

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data"


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """A private copy of the bundled catalogue, safe to modify."""
    folder = tmp_path / "catalogue"
    shutil.copytree(BUNDLED, folder)
    return folder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the fallback (user cache) folder inside the test's tmp_path."""
    folder = tmp_path / "home"
    monkeypatch.setenv("CTDC_HOME", str(folder))
    monkeypatch.delenv("CTDC_INDEX_DIR", raising=False)
    return folder


def _refuse_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(folder: Path, *known: object) -> None:
        raise AssertionError(f"the catalogue in {folder} was read on a fresh index")

    monkeypatch.setattr(search_mod, "load_catalog_detail", fail)


def test_whoosh_is_the_pinned_fork() -> None:
    assert whoosh.versionstring() == "2.7.5"


def test_fresh_build_writes_index_and_manifest(catalogue: Path, tmp_path: Path, home: Path) -> None:
    seen: list[tuple[int, int]] = []
    with SearchIndex.open(catalogue, tmp_path / "idx", progress=lambda d, t: seen.append((d, t))) as index:
        assert index.location == locations.index_dir(catalogue, tmp_path / "idx")
        assert (index.location / MANIFEST).is_file()
        assert index.info.rebuilt
        assert index.notices == [], "a first build is not news: it must not alarm the user"
        assert index.info.whoosh_version == "2.7.5"
        assert index.info.resource_count == sum(len(c.resource_ids) for c in index.catalogue.categories) > 0
        assert index.search("backbone").total >= 1
    assert seen[-1][0] == seen[-1][1] == index.info.resource_count
    assert not any(p.name.startswith(".") and "build" in p.name for p in (tmp_path / "idx").iterdir())


def test_noop_reopen_reads_no_yaml(
    catalogue: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SearchIndex.open(catalogue, tmp_path / "idx") as first:
        title = first.catalogue.title
        categories = [(c.id, c.resource_ids) for c in first.catalogue.categories]
    _refuse_yaml(monkeypatch)
    with SearchIndex.open(catalogue, tmp_path / "idx") as again:
        assert not again.info.rebuilt
        assert again.notices == []
        assert again.catalogue.title == title
        assert [(c.id, c.resource_ids) for c in again.catalogue.categories] == categories
        assert again.search("hiring").total >= 1
        assert again.get(categories[0][1][0]) is not None


def test_touched_but_unchanged_files_do_not_rebuild(
    catalogue: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SearchIndex.open(catalogue, tmp_path / "idx").close()
    for path in catalogue.glob("*.yaml"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    _refuse_yaml(monkeypatch)
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert not index.info.rebuilt


def test_changed_catalogue_is_rebuilt(catalogue: Path, tmp_path: Path, home: Path) -> None:
    SearchIndex.open(catalogue, tmp_path / "idx").close()
    path = catalogue / "mobilizing-for-collective-action.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title: Cultivating Talent" in text
    changed = text.replace("title: Cultivating Talent", "title: Cultivating Zyzzogeton Talent")
    path.write_text(changed, "utf-8")
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert any("changed" in n for n in index.notices)
        assert [r.id for r in index.search("zyzzogeton")] == ["cultivating-talent"]


def _segment_files(place: Path) -> list[Path]:
    return [p for p in place.iterdir() if p.suffix == ".seg"]


def test_damaged_segment_is_rebuilt(catalogue: Path, tmp_path: Path, home: Path) -> None:
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        place = index.location
    assert place is not None
    segments = _segment_files(place)
    assert segments
    for seg in segments:
        data = bytearray(seg.read_bytes())
        data[len(data) // 3 : len(data) // 3 + 512] = b"\xff" * 512
        seg.write_bytes(bytes(data[: len(data) // 2]))
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert any("unusable" in n for n in index.notices)
        assert [r.id for r in index.search("backbone")][:1] == [
            "understanding-the-value-of-backbone-organizations-part-1"
        ]
    assert check_index(catalogue, tmp_path / "idx").ok


def test_garbage_toc_is_rebuilt(catalogue: Path, tmp_path: Path, home: Path) -> None:
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        place = index.location
    assert place is not None
    tocs = list(place.glob("_MAIN_*.toc"))
    assert tocs
    for toc in tocs:
        toc.write_bytes(b"\x80\x04this is not a table of contents")
    assert not check_index(catalogue, tmp_path / "idx").ok
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert index.search("brigade").total >= 1


class _Tripwire:
    """Unpickling this creates a file: proof that a TOC was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_index_without_our_manifest_is_never_unpickled(catalogue: Path, tmp_path: Path, home: Path) -> None:
    place = locations.index_dir(catalogue, tmp_path / "idx")
    place.mkdir(parents=True)
    marker = tmp_path / "unpickled"
    (place / "_MAIN_1.toc").write_bytes(pickle.dumps(_Tripwire(marker)))
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert index.search("talent").total >= 1
    assert not marker.exists()


def test_stale_lock_files_do_not_block(catalogue: Path, tmp_path: Path, home: Path) -> None:
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        place = index.location
    assert place is not None
    (place.parent / f".{place.name}.lock").write_text("12345")
    (place / "MAIN_WRITELOCK").write_text("")
    with SearchIndex.open(catalogue, tmp_path / "idx", rebuild=True) as index:
        assert index.info.rebuilt
        index.sync_notes({"cultivating-talent": "ask about the zorblax fellowship"})
        assert [r.id for r in index.search("zorblax")] == ["cultivating-talent"]
        assert not index.notices


def test_unwritable_location_falls_back_to_cache(catalogue: Path, tmp_path: Path, home: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    with SearchIndex.open(catalogue, blocker) as index:
        assert index.location == locations.fallback_index_dir(catalogue)
        assert str(home) in str(index.location)
        assert any(str(blocker) in n for n in index.notices)
        assert index.search("hiring").total >= 1


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_falls_back_to_cache(catalogue: Path, tmp_path: Path, home: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with SearchIndex.open(catalogue, ro) as index:
            assert index.location == locations.fallback_index_dir(catalogue)
    finally:
        ro.chmod(0o755)


def test_nowhere_to_write_falls_back_to_memory(
    catalogue: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    monkeypatch.setattr(locations, "fallback_index_dir", lambda c: blocker / "cache" / "index")
    with SearchIndex.open(catalogue, blocker) as index:
        assert index.location is None
        assert any("memory" in n for n in index.notices)
        assert index.search("backbone").total >= 1
        index.sync_notes({"cutgroup-book": "testers"})
        assert [r.id for r in index.search("is:bookmarked")] == ["cutgroup-book"]


def test_missing_catalogue_is_a_clear_error(tmp_path: Path, home: Path) -> None:
    with pytest.raises(CtdcError) as caught:
        SearchIndex.open(tmp_path / "nothing-here", tmp_path / "idx")
    assert "catalog.yaml" in caught.value.message
    assert caught.value.hint


def test_manifest_from_another_schema_triggers_rebuild(catalogue: Path, tmp_path: Path, home: Path) -> None:
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        place = index.location
    assert place is not None
    manifest = json.loads((place / MANIFEST).read_text())
    manifest["schema_version"] = -1
    (place / MANIFEST).write_text(json.dumps(manifest))
    assert check_index(catalogue, tmp_path / "idx").status == "stale"
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert index.info.schema_version == search_mod.SCHEMA_VERSION


def test_check_reports_missing_and_fresh(catalogue: Path, tmp_path: Path, home: Path) -> None:
    assert check_index(catalogue, tmp_path / "idx").status == "missing"
    SearchIndex.open(catalogue, tmp_path / "idx").close()
    verdict = check_index(catalogue, tmp_path / "idx")
    assert verdict.ok and verdict.status == "fresh"
    assert verdict.resource_count > 0


_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ctdc_tui.core.search import SearchIndex
    with SearchIndex.open(Path(sys.argv[1]), sys.argv[2]) as index:
        print(index.info.resource_count, index.search("data").total, len(index.notices))
    """
)


@pytest.mark.slow
def test_two_processes_starting_at_once_both_work(tmp_path: Path, home: Path) -> None:
    from tests.benchmarks.generate_catalogue import generate

    folder = generate(tmp_path / "big", 600, seed=3)
    env = {**os.environ, "CTDC_HOME": str(home)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(folder), str(tmp_path / "idx")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        count, hits, _notices = out.split()
        assert int(count) == 600
        assert int(hits) > 0
    assert check_index(folder, tmp_path / "idx").ok


def test_changed_category_file_is_reindexed_alone(
    catalogue: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SearchIndex.open(catalogue, tmp_path / "idx") as first:
        before = [r.id for r in first.browse()]
        other = first.search("backbone").total
    path = catalogue / "engaging-low-income-residents.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title: CUTGroup Book" in text
    path.write_text(text.replace("title: CUTGroup Book", "title: CUTGroup Quibblewort Book"), "utf-8")

    def no_full_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full build ran for a one-file change")

    monkeypatch.setattr(search_mod, "_write_index", no_full_build)
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert any(
            "re-indexed 1 resource(s) and removed 0 from 1 changed file" in n for n in index.notices
        ), index.notices
        assert [r.id for r in index.search("quibblewort")] == ["cutgroup-book"]
        assert [r.id for r in index.search("quibblew", as_you_type=True)] == ["cutgroup-book"]
        assert index.search("backbone").total == other
        assert [r.id for r in index.browse()] == before
        assert [r.id for r in index.search("*", sort="catalogue", limit=None)] == before
        assert index.info.resource_count == len(before)
    monkeypatch.undo()
    assert check_index(catalogue, tmp_path / "idx").ok


def test_catalog_yaml_change_rebuilds_fully(catalogue: Path, tmp_path: Path, home: Path) -> None:
    SearchIndex.open(catalogue, tmp_path / "idx").close()
    meta = catalogue / "catalog.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("title: Civic Tech", "title: Civic  Tech"), "utf-8"
    )
    with SearchIndex.open(catalogue, tmp_path / "idx") as index:
        assert index.info.rebuilt
        assert not any("re-indexed" in n for n in index.notices)
        assert index.catalogue.title.startswith("Civic  Tech")


def test_prefetch_asks_the_os_for_every_index_file_a_piece_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    """``prefetch`` covers each file of the index folder exactly, in pieces of at most
    ``PREFETCH_PIECE`` (Linux reads ahead at most ``read_ahead_kb`` per request)."""
    monkeypatch.setattr(search_mod, "PREFETCH_PIECE", 4096)
    calls: list[tuple[int, int, int, int]] = []
    monkeypatch.setattr(
        os, "posix_fadvise", lambda fd, offset, length, advice: calls.append((fd, offset, length, advice))
    )
    with SearchIndex.open(BUNDLED, tmp_path / "idx") as index:
        assert index.location is not None
        asked = index.prefetch()
        sizes = {p.name: p.stat().st_size for p in index.location.iterdir() if p.is_file()}
    assert asked == sum(sizes.values()) > 4096
    assert all(advice == os.POSIX_FADV_WILLNEED and 0 < length <= 4096 for _fd, _o, length, advice in calls)
    covered = sum(length for _fd, _o, length, _a in calls)
    assert covered == asked
    assert len(calls) == sum(-(-size // 4096) for size in sizes.values())


def test_prefetch_asks_nothing_for_an_index_in_memory(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "posix_fadvise", lambda *args: calls.append(args))
    with SearchIndex._build_in_memory(search_mod._Source(BUNDLED), None, []) as index:
        assert index.location is None
        assert index.prefetch() == 0
    assert not calls
