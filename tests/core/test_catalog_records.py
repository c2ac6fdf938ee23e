"""A changed big file is read record by record: the result is always the one a full parse gives.

The parse cache keeps, with a file's records, a digest of each record's text; when the file
changes, records whose text is unchanged come from the cache and only the others are parsed.
These tests edit files in many ways, one edit after another, and compare every load with a
load that parses everything (no cache).
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ctdc_tui.core import catalog as catalog_module
from ctdc_tui.core.catalog import load_catalog
from tests.benchmarks.generate_catalogue import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("gen") / "catalogue", 100, seed=5)


@pytest.fixture
def folder(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CTDC_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(catalog_module, "CACHE_MIN_BYTES", 1000)  # cache the small test files too
    target = tmp_path / "catalogue"
    shutil.copytree(generated, target)
    load_catalog(target)  # fills the cache
    return target


def _everything(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """Load with the cache, then parse everything, and check the two agree."""
    catalog, problems = load_catalog(folder)
    with monkeypatch.context() as m:
        m.setattr(catalog_module, "CACHE_MIN_BYTES", 1 << 40)  # no cache: every file parsed
        fresh, fresh_problems = load_catalog(folder)
    assert list(catalog.resources.values()) == list(fresh.resources.values())
    assert catalog.categories == fresh.categories
    assert problems == fresh_problems
    return catalog, problems


def _split(text: str) -> tuple[str, list[str]]:
    head, *records = re.split(r"(?m)^(?=  - )", text)
    return head, records


def _parsed_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    sizes: list[tuple[str, int]] = []
    parse = catalog_module._parse_yaml

    def counting(text: str, name: str) -> Any:
        sizes.append((name, len(text)))
        return parse(text, name)

    monkeypatch.setattr(catalog_module, "_parse_yaml", counting)
    return sizes


def test_an_edited_record_is_parsed_alone(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sorted(folder.glob("*.yaml"))[1]
    head, records = _split(path.read_text(encoding="utf-8"))
    records[5] = records[5].replace('title: "', 'title: "Quibblewort ', 1)
    records.insert(9, records[3].replace("id: ", "id: copy-", 1).replace("\n", "\n    # a copy\n", 1))
    del records[1]
    path.write_text(head + "".join(records), encoding="utf-8")
    sizes = _parsed_sizes(monkeypatch)
    catalog, _ = load_catalog(folder)
    parsed = [size for name, size in sizes if name == path.name]
    assert len(parsed) == 2 and max(parsed) < len(path.read_text(encoding="utf-8")) / 5, sizes
    assert any(r.title.startswith("Quibblewort") for r in catalog)
    monkeypatch.undo()
    _everything(folder, monkeypatch)


def test_many_changed_records_are_parsed_together(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sorted(folder.glob("*.yaml"))[1]
    head, records = _split(path.read_text(encoding="utf-8"))
    assert len(records) > catalog_module.BATCH_RECORDS
    changed = [r.replace('title: "', 'title: "Quibblewort ', 1) for r in records]
    changed[4] = changed[4].replace("\n", "\n    # two more lines\n    # in this one\n", 1)
    path.write_text(head + "".join(changed[:-1] + records[-1:]), encoding="utf-8")
    sizes = _parsed_sizes(monkeypatch)
    catalog, _ = load_catalog(folder)
    assert [name for name, _ in sizes].count(path.name) == 1, sizes  # one parse, not one per record
    assert sum(r.title.startswith("Quibblewort") for r in catalog) == len(records) - 1
    monkeypatch.undo()
    _everything(folder, monkeypatch)


def test_a_broken_record_among_many_changed_ones(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sorted(folder.glob("*.yaml"))[1]
    head, records = _split(path.read_text(encoding="utf-8"))
    changed = [r.replace('title: "', 'title: "Quibblewort ', 1) for r in records]
    changed[7] = changed[7].replace('title: "', 'title: "unclosed ', 1).replace('"\n', "\n", 1)
    path.write_text(head + "".join(changed), encoding="utf-8")
    _, problems = _everything(folder, monkeypatch)
    assert problems


EDITS: list[tuple[str, Callable[[random.Random, str, list[str]], tuple[str, list[str]]]]] = []


def edit(name: str) -> Callable[[Any], Any]:
    def register(fn: Any) -> Any:
        EDITS.append((name, fn))
        return fn

    return register


def _pick(rng: random.Random, records: list[str]) -> int:
    return rng.randrange(len(records))


@edit("title")
def _title(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = records[i].replace('title: "', f'title: "Edited{rng.randrange(99)} ', 1)
    return head, records


@edit("several titles")
def _titles(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    start = _pick(rng, records)
    for i in {start, *(rng.randrange(len(records)) for _ in range(rng.randrange(1, 6)))}:
        records[i] = records[i].replace('title: "', f'title: "Many{rng.randrange(99)} ', 1)
    if start + 1 < len(records):  # two neighbours
        records[start + 1] = records[start + 1].replace('title: "', 'title: "Next ', 1)
    return head, records


@edit("insert a copy with a new id")
def _insert(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records.insert(
        rng.randrange(len(records) + 1), records[i].replace("id: ", f"id: n{rng.randrange(10**6)}-", 1)
    )
    return head, records


@edit("insert an exact copy (a duplicate id)")
def _duplicate(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    records.insert(rng.randrange(len(records) + 1), records[_pick(rng, records)])
    return head, records


@edit("delete")
def _delete(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    if len(records) > 2:
        del records[_pick(rng, records)]
    return head, records


@edit("swap")
def _swap(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i, j = _pick(rng, records), _pick(rng, records)
    records[i], records[j] = records[j], records[i]
    return head, records


@edit("more lines")
def _lines(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = records[i].replace("\n", "\n    # a comment\n    publisher: Somebody\n", 1)
    return head, records


@edit("broken YAML")
def _broken(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = records[i].replace(
        'title: "', rng.choice(['title: "unclosed ', "title: [", "title: }{ "]), 1
    )
    return head, records


@edit("bad value")
def _bad(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = re.sub(
        r"year: \d+", rng.choice(["year: soon", "year: [1]", "year: 12"]), records[i], count=1
    )
    records[i] = records[i].replace("url: ", rng.choice(["url: ", "url: ftp://", "url: not a url "]), 1)
    return head, records


@edit("anchor and alias")
def _alias(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i, j = _pick(rng, records), _pick(rng, records)
    records[i] = re.sub(r"kind: (\S+)", r"kind: &k \1", records[i], count=1)
    records[j] = re.sub(r"kind: (\S+)", "kind: *k", records[j], count=1)
    return head, records


@edit("drop an anchor")
def _unanchor(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    return head, [r.replace("&k ", "", 1) for r in records]


@edit("a line in the first column")
def _column0(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = records[i] + rng.choice(["# comment\n", "extra: 1\n", "...\n", "---\n"])
    return head, records


@edit("a quoted text holding a record start")
def _phantom(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = records[i].replace('description: "', 'description: "first line\n  - id: not-a-record\n  ', 1)
    return head, records


@edit("a block text")
def _block(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = re.sub(
        r'description: "([^"]*)"', r"description: |\n      \1\n      second line", records[i], count=1
    )
    return head, records


@edit("head")
def _head(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    return head.replace('name: "', f'name: "Renamed{rng.randrange(9)} ', 1), records


@edit("other indentation")
def _indent(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    i = _pick(rng, records)
    records[i] = records[i].replace("\n    ", "\n     ")
    return head, records


@edit("undo the last damage")
def _repair(rng: random.Random, head: str, records: list[str]) -> tuple[str, list[str]]:
    fixed = []
    for r in records:
        r = r.replace("kind: *k", "kind: tool").replace("&k ", "")
        r = re.sub(r"(?m)^(# comment|extra: 1|\.\.\.|---)\n", "", r)
        r = re.sub(r'title: (?:"unclosed |\[|\}\{ )', 'title: "', r)
        fixed.append(r)
    return head, fixed


# How the changed records of a file are parsed: one by one, together, or together in two processes.
WAYS = {"one by one": (catalog_module.BATCH_RECORDS, 10**9), "together": (1, 10**9), "in two": (1, 2)}


def _parse_changed(monkeypatch: pytest.MonkeyPatch, way: str) -> None:
    batch, parallel = WAYS[way]
    monkeypatch.setattr(catalog_module, "BATCH_RECORDS", batch)
    monkeypatch.setattr(catalog_module, "PARALLEL_RECORDS", parallel)
    monkeypatch.setattr(catalog_module, "PARSE_PROCESSES", 2)


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("seed", range(4))
def test_random_edits_read_as_a_full_parse_reads_them(
    folder: Path, monkeypatch: pytest.MonkeyPatch, seed: int, way: str
) -> None:
    _parse_changed(monkeypatch, way)
    rng = random.Random(seed)
    files = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")
    for step in range(40):
        path = rng.choice(files)
        head, records = _split(path.read_text(encoding="utf-8"))
        name, change = rng.choice(EDITS)
        head, records = change(rng, head, records)
        path.write_text(head + "".join(records), encoding="utf-8")
        try:
            _everything(folder, monkeypatch)
        except AssertionError as exc:
            raise AssertionError(f"step {step}: {name} in {path.name}") from exc


AWKWARD = {
    "document end": lambda r: r + "...\n",
    "document start": lambda r: r + "---\n",
    "top-level key": lambda r: r + "extra: 1\n",
    "comment in the first column": lambda r: r + "# note\n",
    "phantom record": lambda r: r.replace(
        'description: "', 'description: "one\n  - id: phantom\n    two ', 1
    ),
    "flow list over lines": lambda r: r.replace("tags: [", "tags: [\n  - x,\n   ", 1),
    "tag": lambda r: r.replace('title: "', 'title: !!str "', 1),
}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("change", AWKWARD.values(), ids=list(AWKWARD))
def test_awkward_records_read_as_a_full_parse_reads_them(
    folder: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[str], str], way: str
) -> None:
    _parse_changed(monkeypatch, way)
    path = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[0]
    head, records = _split(path.read_text(encoding="utf-8"))
    records[3] = change(records[3])
    path.write_text(head + "".join(records), encoding="utf-8")
    _everything(folder, monkeypatch)
    records[6] = records[6].replace('title: "', 'title: "Edited ', 1)  # then another record changes
    path.write_text(head + "".join(records), encoding="utf-8")
    _everything(folder, monkeypatch)


def test_an_alias_left_without_its_anchor(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = sorted(p for p in folder.glob("*.yaml") if p.name != "catalog.yaml")[0]
    head, records = _split(path.read_text(encoding="utf-8"))
    records[2] = re.sub(r"kind: (\S+)", r"kind: &k \1", records[2], count=1)
    records[7] = re.sub(r"kind: (\S+)", "kind: *k", records[7], count=1)
    path.write_text(head + "".join(records), encoding="utf-8")
    _, problems = _everything(folder, monkeypatch)
    assert not problems
    records[2] = records[2].replace("&k ", "", 1)  # the record with the alias does not change
    path.write_text(head + "".join(records), encoding="utf-8")
    _, problems = _everything(folder, monkeypatch)
    assert problems


@pytest.mark.parametrize("failure", ["the process fails", "a record is bad"])
def test_records_read_in_two_processes(folder: Path, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    _parse_changed(monkeypatch, "in two")
    path = sorted(folder.glob("*.yaml"))[1]
    head, records = _split(path.read_text(encoding="utf-8"))
    changed = [r.replace('title: "', 'title: "Quibblewort ', 1) for r in records]
    path.write_text(head + "".join(changed), encoding="utf-8")
    forked: list[int] = []
    real = catalog_module._Loader._send_records

    def send(self: Any, conn: Any, *args: Any) -> None:
        forked.append(len(args[3]))
        if failure == "the process fails":
            raise SystemExit(3)  # dies without sending anything: the parent reads that half itself
        real(self, conn, *args)

    monkeypatch.setattr(catalog_module._Loader, "_send_records", send)
    sizes = _parsed_sizes(monkeypatch)
    catalog, problems = load_catalog(folder)
    assert sum(r.title.startswith("Quibblewort") for r in catalog) == len(records)
    assert [name for name, _ in sizes].count(path.name) == (2 if failure == "the process fails" else 1)
    assert not problems
    if failure == "a record is bad":  # in the forked half: the whole file is parsed, as a full load does
        changed[-1] = changed[-1].replace("url: ", "url: not a web address ", 1)
        path.write_text(head + "".join(changed), encoding="utf-8")
        _, problems = _everything(folder, monkeypatch)
        assert problems
    monkeypatch.undo()
    _everything(folder, monkeypatch)
