"""How long reopening takes after one category file of a large catalogue changed.

    .venv/bin/python -m tests.benchmarks.bench_incremental --size 100000 \\
        --source /path/to/catalogue-100000-seed7 --code before=/path/to/older/checkout

Copies a generated catalogue (``--source``, or one generated under ``--work``), builds its
index from scratch, reopens it unchanged, then changes the median-sized category file in
four ways, one after the other, and times ``SearchIndex.open`` in a fresh process after
each: one title edited, one resource added (in the middle of the file), one resource
deleted, and every resource of the file changed (a word added to each title). Each edit is
undone afterwards (another update, not timed), so each starts from the same catalogue.

With ``--code LABEL=DIR`` (repeatable) the same steps run with the code of other checkouts
too (each with its own index and user cache folder), each step with every code one after
the other, so the figures compare under the same load. Prints wall and CPU seconds (CPU includes starting
Python and importing Whoosh, and any helper process of a build), the update's notice, and
each step's CPU time as a share of the full build's and as a multiple of the unchanged
reopen's, both measured in the same run with the same code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.benchmarks.generate_catalogue import generate

REPO = Path(__file__).resolve().parents[2]

OPEN = """
import json, sys, time, resource
from pathlib import Path
t = time.perf_counter()
from ctdc_tui.core.search import SearchIndex
ix = SearchIndex.open(Path(sys.argv[1]), sys.argv[2], rebuild=sys.argv[3] == "rebuild")
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime,
                  "notices": ix.notices, "rebuilt": ix.info.rebuilt, "count": ix.info.resource_count}))
"""


class Code:
    """One checkout whose ``SearchIndex.open`` is measured, with its own index and user cache."""

    def __init__(self, label: str, repo: Path, work: Path, size: int) -> None:
        self.label = label
        self.repo = repo
        self.home = work / f"incremental-home-{label}"
        self.index_root = work / f"incremental-idx-{size}-{label}"
        self.full: dict[str, object] = {}
        self.unchanged: dict[str, object] = {}

    def open(self, folder: Path, rebuild: bool = False) -> dict[str, object]:
        out = subprocess.run(
            [sys.executable, "-c", OPEN, str(folder), str(self.index_root), "rebuild" if rebuild else "open"],
            capture_output=True,
            text=True,
            cwd=self.repo,
            check=True,
            env={**os.environ, "CTDC_HOME": str(self.home), "PYTHONPATH": str(self.repo)},
        )
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _records(text: str) -> tuple[str, list[str]]:
    head, *records = re.split(r"(?m)^(?=  - id: )", text)
    return head, records


def edit_title(text: str) -> str:
    head, records = _records(text)
    middle = len(records) // 2
    records[middle] = records[middle].replace('title: "', 'title: "Edited ', 1)
    return head + "".join(records)


def add_resource(text: str) -> str:
    head, records = _records(text)
    middle = len(records) // 2
    copy = re.sub(r"id: (\S+)", r"id: \1-added", records[middle], count=1)
    records.insert(middle, copy.replace('title: "', 'title: "Added ', 1))
    return head + "".join(records)


def delete_resource(text: str) -> str:
    head, records = _records(text)
    del records[len(records) // 2]
    return head + "".join(records)


def change_every_title(text: str) -> str:
    return text.replace('title: "', 'title: "Edited ')


STEPS: list[tuple[str, Callable[[str], str]]] = [
    ("edit one title", edit_title),
    ("add one resource", add_resource),
    ("delete one resource", delete_resource),
    ("whole file changed", change_every_title),
]


def _seconds(run: dict[str, object]) -> str:
    return f"{float(run['wall_s']):.2f} s wall, {float(run['cpu_s']):.2f} s CPU"  # type: ignore[arg-type]


def _line(label: str, run: dict[str, object], code: Code) -> str:
    cpu = float(run["cpu_s"])  # type: ignore[arg-type]
    full = float(code.full["cpu_s"])  # type: ignore[arg-type]
    unchanged = float(code.unchanged["cpu_s"])  # type: ignore[arg-type]
    notices = "; ".join(str(n) for n in run["notices"])  # type: ignore[attr-defined]
    return (
        f"  {code.label:>9}: {_seconds(run)} "
        f"({cpu / full:.1%} of the full build, {cpu / unchanged:.1f}x the unchanged reopen) {notices}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench")
    parser.add_argument(
        "--source", type=Path, help="a generated catalogue to copy (else generated in --work)"
    )
    parser.add_argument(
        "--code", action="append", default=[], help="LABEL=DIR: another checkout to measure in the same run"
    )
    args = parser.parse_args()
    source = args.source or args.work / f"catalogue-{args.size}-seed{args.seed}"
    if not (source / "catalog.yaml").is_file():
        generate(source, args.size, args.seed)
    folder = args.work / f"incremental-catalogue-{args.size}-seed{args.seed}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    codes = [
        *(
            Code(label, Path(repo).resolve(), args.work, args.size)
            for label, _, repo in (c.partition("=") for c in args.code)
        ),
        Code("this", REPO, args.work, args.size),
    ]
    for code in codes:
        shutil.rmtree(code.index_root, ignore_errors=True)
        shutil.rmtree(code.home, ignore_errors=True)
    files = sorted(
        (p for p in folder.glob("*.yaml") if p.name != "catalog.yaml"), key=lambda p: p.stat().st_size
    )
    path = files[len(files) // 2]
    original = path.read_text(encoding="utf-8")
    print(
        f"{args.size} resources; changed file: {path.name} "
        f"({len(_records(original)[1])} resources, {path.stat().st_size / 1e6:.1f} MB)"
    )
    print("full build:")
    for code in codes:
        code.full = code.open(folder, rebuild=True)
        print(f"  {code.label:>9}: {_seconds(code.full)}")
    print("unchanged reopen:")
    for code in codes:
        code.unchanged = code.open(folder)
        assert not code.unchanged["rebuilt"], code.unchanged
        print(f"  {code.label:>9}: {_seconds(code.unchanged)}")
    for label, change in STEPS:
        print(f"{label}:")
        for code in codes:
            path.write_text(change(original), encoding="utf-8")
            try:
                run = code.open(folder)
            finally:
                path.write_text(original, encoding="utf-8")
            print(_line(label, run, code))
            code.open(folder)  # back to the original catalogue (another update, not timed)
    print("target: one changed category file re-indexed in <= 2 s (issue 6)")


if __name__ == "__main__":
    main()
