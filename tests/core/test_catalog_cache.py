"""The parse cache of big category files: same result as a fresh parse, never stale, never trusted blindly."""

from __future__ import annotations

import json
import os
import pathlib
import time
from pathlib import Path
from typing import Any

import pytest

from ctdc_tui.core import catalog as catalog_module
from ctdc_tui.core import locations
from ctdc_tui.core.catalog import load_catalog

ROWS = 300


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(catalog_module, "CACHE_MIN_BYTES", 1000)  # cache the small test files too
    return tmp_path / "home"


def write_catalogue(folder: Path, *, bad_year_at: int | None = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.yaml").write_text("title: Cached\ncategories: [big, small]\n", encoding="utf-8")
    rows = ["category: {id: big, name: Big}", "resources:"]
    for i in range(ROWS):
        rows += [
            f"  - id: r{i}",
            f"    title: Resource {i}",
            f"    url: https://example.org/{i}",
            f"    year: {'twenty' if i == bad_year_at else 2000 + i % 20}",
            "    tags: [one, two]",
        ]
    (folder / "big.yaml").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "small.yaml").write_text("category: {id: small, name: S}\nresources: []\n", encoding="utf-8")
    return folder


def cache_files(home: Path) -> list[Path]:
    return sorted((home / "cache" / "catalogue").glob("*/*.json"))


def test_second_load_uses_the_cache_and_gives_the_same_result(home: Path, tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "cat")
    first, first_problems = load_catalog(folder)
    assert [p.name for p in cache_files(home)] == ["big.yaml.json"]  # small.yaml is under the threshold
    assert cache_files(home)[0].parent.name == locations.catalogue_key(folder)
    second, second_problems = load_catalog(folder)
    assert list(second.resources.values()) == list(first.resources.values())
    assert second.categories == first.categories
    assert second_problems == first_problems
    assert [(p.line, p.field, p.resource_id) for p in second_problems] == [(41, "year", "r7")]


def test_a_cache_hit_skips_parsing(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_catalogue(tmp_path / "cat")
    load_catalog(folder)
    parsed: list[str] = []
    real = catalog_module._parse_yaml

    def spy(text: str, name: str) -> object:
        parsed.append(name)
        return real(text, name)

    monkeypatch.setattr(catalog_module, "_parse_yaml", spy)
    catalog, _ = load_catalog(folder)
    assert len(catalog) == ROWS
    assert "big.yaml" not in parsed and "catalog.yaml" in parsed


def test_a_changed_file_is_parsed_again(home: Path, tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "cat")
    load_catalog(folder)
    text = (
        (folder / "big.yaml").read_text(encoding="utf-8").replace("title: Resource 3\n", "title: Changed\n")
    )
    (folder / "big.yaml").write_text(text, encoding="utf-8")
    catalog, _ = load_catalog(folder)
    assert catalog.resources["r3"].title == "Changed"


def test_duplicates_across_files_are_still_found_with_a_cached_file(home: Path, tmp_path: Path) -> None:
    folder = write_catalogue(tmp_path / "cat")
    load_catalog(folder)
    (folder / "small.yaml").write_text(
        "category: {id: small, name: S}\nresources:\n  - id: r5\n    title: Again\n    url: https://x.org\n",
        encoding="utf-8",
    )
    catalog, problems = load_catalog(folder)
    assert [(Path(p.file).name, p.line, p.resource_id) for p in problems if p.field == "id"] == [
        ("big.yaml", 28, "r5"),
        ("small.yaml", 3, "r5"),
    ]
    assert catalog.resources["r5"].title == "Resource 5"


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        "wrong fingerprint",
        "javascript url",
        "javascript alternate",
        "bad id",
        "missing key",
        "short",
    ],
)
def test_a_damaged_or_tampered_cache_is_ignored(home: Path, tmp_path: Path, damage: str) -> None:
    folder = write_catalogue(tmp_path / "cat", bad_year_at=None)
    expected, _ = load_catalog(folder)
    (entry,) = cache_files(home)
    raw = json.loads(entry.read_text(encoding="utf-8"))
    if damage == "not json":
        entry.write_text("{broken", encoding="utf-8")
    else:
        if damage == "wrong fingerprint":
            raw["fingerprint"] = "0" * 16
        elif damage == "javascript url":
            raw["columns"][3][0] = "javascript:alert(1)"
        elif damage == "javascript alternate":
            raw["columns"][12][0] = ["https://ok.org", "javascript:alert(1)"]
        elif damage == "short":
            raw["columns"][2].pop()
        elif damage == "bad id":
            raw["columns"][0][0] = "Not An Id"
        else:
            del raw["columns"]
        entry.write_text(json.dumps(raw), encoding="utf-8")
    catalog, problems = load_catalog(folder)
    assert problems == []
    assert list(catalog.resources.values()) == list(expected.resources.values())
    assert catalog.resources["r0"].url == "https://example.org/0"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_an_unwritable_cache_is_not_an_error(home: Path, tmp_path: Path) -> None:
    home.mkdir(parents=True)
    (home / "cache").mkdir()
    (home / "cache").chmod(0o500)
    try:
        catalog, problems = load_catalog(write_catalogue(tmp_path / "cat"))
    finally:
        (home / "cache").chmod(0o700)
    assert len(catalog) == ROWS and len(problems) == 1


def test_a_cache_that_cannot_be_written_is_not_an_error(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(catalog_module, "atomic_write_text", refuse)
    catalog, problems = load_catalog(write_catalogue(tmp_path / "cat"))
    assert len(catalog) == ROWS and len(problems) == 1
    assert cache_files(home) == []


def test_only_a_few_catalogues_keep_a_cache(home: Path, tmp_path: Path) -> None:
    for i in range(catalog_module.CACHE_KEEP + 3):
        load_catalog(write_catalogue(tmp_path / f"cat{i}"))
    kept = {p.parent for p in cache_files(home)}
    assert len(kept) == catalog_module.CACHE_KEEP
    assert locations.catalogue_key(tmp_path / f"cat{catalog_module.CACHE_KEEP + 2}") in {p.name for p in kept}


def test_small_files_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    load_catalog(write_catalogue(tmp_path / "cat"))  # about 30 KB, under the real 1 MiB threshold
    assert cache_files(tmp_path / "home") == []


def test_a_changed_file_reads_its_cache_entry_once(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_catalogue(tmp_path / "cat", bad_year_at=None)
    load_catalog(folder)
    text = (folder / "big.yaml").read_text(encoding="utf-8")
    (folder / "big.yaml").write_text(
        text.replace("title: Resource 3\n", "title: Changed\n"), encoding="utf-8"
    )
    reads: list[str] = []
    real = pathlib.Path.read_bytes

    def counting(path: pathlib.Path) -> bytes:
        if path.parent.parent.name == "catalogue":  # an entry of the parse cache
            reads.append(path.name)
        return real(path)

    monkeypatch.setattr(pathlib.Path, "read_bytes", counting)
    catalog, _ = load_catalog(folder)
    assert catalog.resources["r3"].title == "Changed"
    assert reads == ["big.yaml.json"]


class _Stamped:
    """A file's stat result with other times and inode (as if two writes fell in one clock tick)."""

    def __init__(self, real: os.stat_result, ns: int) -> None:
        self._real = real
        self.st_mtime_ns = self.st_ctime_ns = ns
        self.st_mtime = self.st_ctime = ns / 1e9
        self.st_ino = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _freeze_times(monkeypatch: pytest.MonkeyPatch, path: Path, ns: int) -> None:
    real = pathlib.Path.stat

    def stat(self: pathlib.Path, *args: Any, **kwargs: Any) -> Any:
        result = real(self, *args, **kwargs)
        return _Stamped(result, ns) if self == path else result

    monkeypatch.setattr(pathlib.Path, "stat", stat)


def _same_size_edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    edited = text.replace("title: Resource 3\n", "title: Resourcf 3\n")
    assert len(edited) == len(text) and edited != text
    path.write_text(edited, encoding="utf-8")


def test_an_edit_of_the_same_size_within_one_clock_tick_is_seen(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_catalogue(tmp_path / "cat", bad_year_at=None)
    _freeze_times(monkeypatch, folder / "big.yaml", time.time_ns())  # just written, and again below
    first, _ = load_catalog(folder)
    assert first.resources["r3"].title == "Resource 3"
    _same_size_edit(folder / "big.yaml")
    second, _ = load_catalog(folder)
    assert second.resources["r3"].title == "Resourcf 3"
    third, _ = load_catalog(folder)  # and the entry made from the edited file is used
    assert third.resources["r3"].title == "Resourcf 3"


def test_a_file_with_old_times_is_trusted_without_reading_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_catalogue(tmp_path / "cat", bad_year_at=None)
    _freeze_times(monkeypatch, folder / "big.yaml", time.time_ns() - 3600 * 10**9)
    load_catalog(folder)
    (entry,) = cache_files(home)
    assert json.loads(entry.read_text(encoding="utf-8"))["content"] is None
    opened: list[str] = []
    real = pathlib.Path.read_bytes

    def spy(path: pathlib.Path) -> bytes:
        opened.append(path.name)
        return real(path)

    monkeypatch.setattr(pathlib.Path, "read_bytes", spy)
    parsed: list[str] = []
    real_parse = catalog_module._parse_yaml
    monkeypatch.setattr(catalog_module, "_parse_yaml", lambda t, n: parsed.append(n) or real_parse(t, n))
    catalog, _ = load_catalog(folder)
    assert len(catalog) == ROWS
    assert "big.yaml" not in opened and "big.yaml" not in parsed


def test_a_deferred_entry_of_a_recent_file_keeps_its_bytes_digest(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written moments ago may change again within the same clock tick, so its entry
    keeps a digest of the bytes read. Whether it was recent is decided when it was read: an
    entry written later (an index update defers it) keeps the digest all the same."""
    folder = write_catalogue(tmp_path / "cat")
    detail = catalog_module.load_catalog_detail(folder, defer_cache_writes=True)
    assert detail is not None and detail.pending
    cache = catalog_module._ParseCache(folder)
    assert cache.entry("big.yaml") is None  # nothing written yet
    later = time.time_ns() + 10 * catalog_module.RECENT_NS
    monkeypatch.setattr(catalog_module.time, "time_ns", lambda: later)
    detail.write_cache()
    raw = cache.entry("big.yaml")
    assert raw is not None and raw["content"] is not None
    assert not detail.pending
