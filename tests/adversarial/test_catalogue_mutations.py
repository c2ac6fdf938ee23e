"""Over a thousand damaged catalogues: the loader returns a catalogue or precise problems, fast, never raises.

Each kind of damage runs with its own seeded random generator, so a failure names
the kind and seed and can be replayed with ``mutate(folder, kind, random.Random(seed))``.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from ctdc_tui.core.catalog import Catalog, Problem, load_catalog
from tests.adversarial.catalogue_mutations import (
    CATEGORY_FILES,
    MUTATORS,
    Mutation,
    alias_bomb,
    base_ids,
    mutate,
    write_base,
)

REPO = Path(__file__).resolve().parents[2]

# How many catalogues each kind of damage gets (1,000 or more in all).
COUNTS = {
    "drop-required": 90,
    "drop-optional": 60,
    "swap-type": 90,
    "bad-year": 50,
    "bad-url": 70,
    "bad-id": 50,
    "duplicate-id": 60,
    "unknown-key": 40,
    "flip-bytes": 180,
    "truncate": 130,
    "not-a-mapping": 40,
    "bad-encoding": 40,
    "python-tag": 50,
    "structure": 50,
    "deep-nesting": 12,
}
# CPU seconds. A bound against blow-ups (an expanded alias bomb takes minutes), not a speed goal:
# a load measured in CPU time is not slowed by other work on the machine.
MAX_SECONDS_PER_LOAD = 2.0
MAX_PEAK_BYTES = 200 * 1024 * 1024


def test_at_least_a_thousand_catalogues_across_every_kind() -> None:
    assert set(COUNTS) == set(MUTATORS)
    assert sum(COUNTS.values()) >= 1000


def _parse_failure(path: Path) -> Exception | None:
    """Why ``path`` is not one readable YAML mapping, or None when it is (our own independent check)."""
    try:
        text = path.read_bytes().decode("utf-8")
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        return exc
    if not isinstance(data, dict):
        return ValueError("not a mapping")
    return None


def check_well_formed(problems: object, folder: Path) -> list[Problem]:
    assert isinstance(problems, list)
    names = {p.name for p in folder.iterdir()} | {"catalog.yaml", folder.name, str(folder)}
    for p in problems:
        assert isinstance(p, Problem)
        assert p.severity in ("error", "warning")
        assert isinstance(p.message, str) and p.message.strip()
        assert p.file and (Path(p.file).name in names or p.file in names), p
        assert p.line is None or (isinstance(p.line, int) and p.line >= 1), p
        assert isinstance(p.format(), str)
    return problems


def _names(p: Problem, file: str) -> bool:
    return Path(p.file).name == file


def check_mutation(m: Mutation, catalog: Catalog, problems: list[Problem], folder: Path, label: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    shown = "\n".join(p.format() for p in problems)
    if m.sentinel is not None:
        assert not m.sentinel.exists(), f"{label}: the YAML ran code"
    if m.expect_error:
        hits = [p for p in problems if _names(p, m.file)]
        if m.kind != "structure":
            hits = [p for p in hits if p.severity == "error"]
        assert hits, f"{label}: expected a problem naming {m.file}\n{shown}"
        if m.field:
            assert any(m.field in (p.field or "") or m.field in p.message for p in hits), (
                f"{label}: no problem names field {m.field!r}\n{shown}"
            )
        if m.resource_id:
            assert any(p.resource_id == m.resource_id or m.resource_id in p.format() for p in hits), (
                f"{label}: no problem names resource {m.resource_id!r}\n{shown}"
            )
    elif m.kind in ("drop-optional", "unknown-key"):
        assert errors == [], f"{label}: a harmless change gave errors\n{shown}"
        assert m.resource_id in catalog.resources, label
        if m.kind == "unknown-key":
            assert any(
                p.severity == "warning" and m.field in (p.field or "") + p.message for p in problems
            ), f"{label}: unknown key {m.field!r} not reported\n{shown}"
    target = folder / m.file
    if m.file in CATEGORY_FILES and target.is_file():
        failure = _parse_failure(target)
        if failure is not None:
            hits = [p for p in errors if _names(p, m.file)]
            assert hits, f"{label}: {m.file} cannot be read ({failure}) but no error names it\n{shown}"
            mark = getattr(failure, "problem_mark", None)
            if mark is not None:
                assert any(p.line is not None for p in hits), f"{label}: YAML error without a line\n{shown}"
    for name in m.untouched:
        for rid in base_ids(name):
            if rid != m.duplicate_of:
                assert rid in catalog.resources, (
                    f"{label}: good record {rid} of untouched {name} lost\n{shown}"
                )
    for res in catalog:
        assert isinstance(res.id, str) and res.id
        assert isinstance(res.title, str) and isinstance(res.url, str)
        assert res.url.startswith(("http://", "https://")), f"{label}: {res.id} kept url {res.url!r}"
        assert res.year is None or (isinstance(res.year, int) and not isinstance(res.year, bool))
        assert all(isinstance(t, str) for t in (*res.tags, *res.authors, *res.organizations))


def test_base_catalogue_loads_clean(tmp_path: Path) -> None:
    write_base(tmp_path / "cat")
    catalog, problems = load_catalog(tmp_path / "cat")
    assert [p for p in problems if p.severity == "error"] == []
    assert len(catalog) == sum(len(base_ids(n)) for n in CATEGORY_FILES)


@pytest.mark.parametrize("kind", sorted(COUNTS))
def test_mutated_catalogues(kind: str, tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    try:
        for seed in range(COUNTS[kind]):
            label = f"{kind} seed {seed}"
            m = mutate(folder, kind, random.Random(f"{kind}-{seed}"))
            measure = seed % 10 == 0 or kind == "deep-nesting"  # tracemalloc slows a load fivefold
            if measure:
                tracemalloc.start()
            started = time.process_time()
            try:
                catalog, problems = load_catalog(folder)
            except Exception as exc:  # the point of the test: name the case that raised
                pytest.fail(f"{label}: load_catalog raised {exc!r}")
            took = time.process_time() - started
            if measure:
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                assert peak < MAX_PEAK_BYTES, f"{label}: peak {peak / 2**20:.0f} MiB"
            assert took < MAX_SECONDS_PER_LOAD, f"{label}: took {took:.2f} s"
            assert isinstance(catalog, Catalog)
            check_well_formed(problems, folder)
            check_mutation(m, catalog, problems, folder, label)
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert rss_mib < MAX_PEAK_BYTES / 2**20 + 300, f"process peak {rss_mib:.0f} MiB"


def _probe(folder: Path) -> dict[str, object]:
    """Load ``folder`` in a child process capped at 1 GiB of memory (see load_probe.py)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.adversarial.load_probe", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,  # a wall-clock cap for a runaway child; the CPU-time bound above is the check
        cwd=REPO,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, f"loader died: {proc.stderr[-2000:]}"
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize(
    ("levels", "where"),
    [(9, "title"), (9, "tags"), (9, "description"), (9, "authors"), (12, "x-extra"), (30, "note")],
)
def test_billion_laughs_is_refused_quickly(levels: int, where: str, tmp_path: Path) -> None:
    folder = tmp_path / "cat"
    meta, _ = write_base(folder)
    meta["categories"].append("bomb")
    (folder / "catalog.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    (folder / "bomb.yaml").write_text(alias_bomb(levels=levels, where=where), encoding="utf-8")
    result = _probe(folder)
    assert isinstance(result["seconds"], float) and result["seconds"] < MAX_SECONDS_PER_LOAD
    assert isinstance(result["peak_bytes"], int) and result["peak_bytes"] < MAX_PEAK_BYTES
    problems = result["problems"]
    assert isinstance(problems, list)
    assert any(p["severity"] == "error" and Path(p["file"]).name == "bomb.yaml" for p in problems), problems
    assert "boom" not in result["resources"]  # the record that carries the bomb is refused
    assert isinstance(result["longest_text"], int) and result["longest_text"] < 100_000
    for name in CATEGORY_FILES:
        assert set(base_ids(name)) <= set(result["resources"])  # the rest of the catalogue still loads
